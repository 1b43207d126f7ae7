#include "sim/gdb/page_walk.h"

#include "sim/mmu/paging.h"

namespace smpsim::gdb {

namespace {
constexpr u64 kPresent = 1, kLarge = 1u << 7;
constexpr u64 kAddrMask = 0x000ffffffffff000ull; // bits 51:12 of a 64-bit entry
} // namespace

std::optional<u64> debug_translate(u64 linear, const PagingState& r, const PhysReader& read) {
    const bool long_mode = r.efer & mmu::kEferLma;
    if (!(r.cr0 & mmu::kCr0Pg)) return long_mode ? linear : linear & 0xffffffffull;
    if (long_mode) {
        if (u64(i64(linear << 16) >> 16) != linear) return std::nullopt; // not canonical
        u64 table = r.cr3 & kAddrMask;
        for (int level = 4; level >= 1; --level) {
            const unsigned shift = 12 + 9 * unsigned(level - 1);
            const auto entry = read(table + ((linear >> shift) & 0x1ff) * 8, 8);
            if (!entry || !(*entry & kPresent)) return std::nullopt;
            if ((level == 3 || level == 2) && (*entry & kLarge)) {
                const u64 page_mask = (1ull << shift) - 1;
                return (*entry & kAddrMask & ~page_mask) | (linear & page_mask);
            }
            table = *entry & kAddrMask;
        }
        return table | (linear & 0xfff);
    }
    linear &= 0xffffffffull;
    if (r.cr4 & mmu::kCr4Pae) {
        const auto pdpte = read((r.cr3 & 0xffffffe0ull) + ((linear >> 30) & 3) * 8, 8);
        if (!pdpte || !(*pdpte & kPresent)) return std::nullopt;
        const auto pde = read((*pdpte & kAddrMask) + ((linear >> 21) & 0x1ff) * 8, 8);
        if (!pde || !(*pde & kPresent)) return std::nullopt;
        if (*pde & kLarge) return (*pde & kAddrMask & ~0x1fffffull) | (linear & 0x1fffff);
        const auto pte = read((*pde & kAddrMask) + ((linear >> 12) & 0x1ff) * 8, 8);
        if (!pte || !(*pte & kPresent)) return std::nullopt;
        return (*pte & kAddrMask) | (linear & 0xfff);
    }
    const auto pde = read((r.cr3 & 0xfffff000ull) + ((linear >> 22) & 0x3ff) * 4, 4);
    if (!pde || !(*pde & kPresent)) return std::nullopt;
    if ((*pde & kLarge) && (r.cr4 & mmu::kCr4Pse)) {
        // PSE-36: bits 20:13 of the entry are physical address bits 39:32.
        return (*pde & 0xffc00000ull) | (((*pde >> 13) & 0xff) << 32) | (linear & 0x3fffff);
    }
    const auto pte = read((*pde & 0xfffff000ull) + ((linear >> 12) & 0x3ff) * 4, 4);
    if (!pte || !(*pte & kPresent)) return std::nullopt;
    return (*pte & 0xfffff000ull) | (linear & 0xfff);
}

} // namespace smpsim::gdb
