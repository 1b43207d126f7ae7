// Page walker, TLBs and #PF error codes. References are to the Intel SDM vol. 3A, chapter 4 (paging).
#include "sim/mmu/paging.h"

#include "sim/core/error.h"

#include <cstring>
#include <string>

namespace smpsim::mmu {

namespace {

// Bits hi..lo inclusive.
constexpr u64 bit_range(unsigned hi, unsigned lo) {
    const u64 upto_hi = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
    return upto_hi & ~((1ull << lo) - 1);
}

constexpr unsigned kM = kMaxPhysAddrBits;
static_assert(kM > 32 && kM <= 40,
              "32-bit PSE-36 4M pages hold at most 8 extra address bits (SDM table 4-4)");

constexpr u64 kPageSize4K = 1ull << 12;
constexpr u64 kPageSize4M = 1ull << 22;

// Physical-address bits M-1..12 of an entry that references a table or a 4K page.
constexpr u64 kAddrMask = bit_range(kM - 1, 12);
// 4-level paging: bits 51..M are reserved; 62..52 are ignored (protection keys are not modelled).
constexpr u64 kRsvd4Level = bit_range(51, kM);
// PAE paging: bits 62..M are reserved in PDEs and PTEs.
constexpr u64 kRsvdPae = bit_range(62, kM);
// PAE PDPTE (table 4-8): 63..M, 8..5 and 2..1 are reserved (no R/W, U/S, A, PS or XD here).
constexpr u64 kRsvdPaePdpte = bit_range(63, kM) | bit_range(8, 5) | bit_range(2, 1);
// Large-page leaves: bit 12 is PAT, the bits between PAT and the page frame are reserved.
constexpr u64 kRsvd1G = bit_range(29, 13);
constexpr u64 kRsvd2M = bit_range(20, 13);
// 32-bit paging 4M PDE (PSE-36): bits (M-20)..13 are physical bits (M-1)..32, bit 21 and the bits
// between them are reserved.
constexpr unsigned kPse36Bits = kM - 32;
constexpr u64 kPse36AddrField = bit_range(13 + kPse36Bits - 1, 13);
constexpr u64 kRsvd4M = bit_range(21, 13 + kPse36Bits);

bool long_or_pae(const PagingRegs& regs) {
    return (regs.cr4 & kCr4Pae) || (regs.efer & kEferLma);
}

// The W/U/I bits every #PF error code carries (SDM 4.7). I/D is reported only when execute-disable can
// apply: PAE or 4-level paging with EFER.NXE=1 (SMEP is not modelled).
u32 request_bits(const AccessRequest& req, const PagingRegs& regs) {
    u32 ec = 0;
    if (req.access == Access::Write) ec |= kPfWrite;
    if (req.user) ec |= kPfUser;
    if (req.access == Access::Execute && (regs.efer & kEferNxe) && long_or_pae(regs)) ec |= kPfFetch;
    return ec;
}

// One paging-structure entry used by a walk, remembered for the A/D update at its end.
struct PathEntry {
    u64 addr = 0;
    u64 value = 0;
    bool has_accessed = true; // false for PAE PDPTEs, which have no A bit
};

} // namespace

std::optional<u32> check_rights(const Translation& t, const AccessRequest& req, const PagingRegs& regs) {
    bool allowed = true;
    switch (req.access) {
    case Access::Read:
        // Supervisor reads may read any page (SMAP is not modelled).
        allowed = !req.user || t.user;
        break;
    case Access::Write:
        // User writes need a user, writable page; supervisor writes ignore R/W unless CR0.WP=1.
        allowed = req.user ? (t.user && t.writable) : (t.writable || !(regs.cr0 & kCr0Wp));
        break;
    case Access::Execute:
        // Supervisor fetches from user pages are allowed (SMEP is not modelled). XD counts only with NXE.
        allowed = (!req.user || t.user) && (t.executable || !(regs.efer & kEferNxe));
        break;
    }
    if (allowed) return std::nullopt;
    return kPfPresent | request_bits(req, regs);
}

TranslateResult PageWalker::walk(u64 linear, const AccessRequest& req, const PagingRegs& regs,
                                 Translation* filled) {
    TranslateResult result;
    if (!(regs.cr0 & kCr0Pg)) {
        result.ok = true;
        result.physical = linear;
        if (filled) {
            *filled = Translation{};
            filled->linear_page = filled->physical_page = linear & ~(kPageSize4K - 1);
            filled->writable = filled->user = filled->executable = true;
            filled->dirty = true;
        }
        return result;
    }

    const bool long_mode = regs.efer & kEferLma;
    const bool pae = !long_mode && (regs.cr4 & kCr4Pae);
    const bool wide = long_mode || pae; // 8-byte entries
    const bool nxe = regs.efer & kEferNxe;
    const u64 xd_reserved = (wide && !nxe) ? kEntXd : 0;
    if (!long_mode) linear &= 0xffffffffull; // 32-bit linear addresses outside IA-32e mode

    u32 latency = 0;
    auto read_entry = [&](u64 addr) -> u64 {
        u64 value = 0;
        const MemoryResult r = memory_.read(addr, &value, wide ? 8 : 4, AccessKind::PageWalk);
        latency += r.latency_cycles;
        // Nothing answered: the bus floats to all ones, as on a PC (a present entry with reserved bits
        // in PAE/4-level paging).
        if (!r.ok) value = wide ? ~0ull : 0xffffffffull;
        return value;
    };
    auto fail = [&](u32 error_code) {
        result.ok = false;
        result.fault = PageFault{linear, error_code};
        result.latency_cycles = latency;
        return result;
    };
    const u32 not_present = request_bits(req, regs);
    const u32 reserved = kPfPresent | kPfReservedBit | not_present;

    PathEntry path[4];
    unsigned depth = 0;
    bool writable = true;
    bool user = true;
    bool xd = false;
    u64 page_size = 0;
    u64 physical_page = 0;

    // Accounts a present, reserved-bit-clean entry; returns true when it maps a page.
    auto use = [&](u64 addr, u64 e) {
        path[depth++] = PathEntry{addr, e, true};
        writable = writable && (e & kEntRw);
        user = user && (e & kEntUs);
        xd = xd || (e & kEntXd);
    };

    if (long_mode) {
        // 4-level paging (SDM 4.5): PML4 -> PDPT (1G via PS) -> PD (2M via PS) -> PT.
        u64 table = regs.cr3 & kAddrMask;
        static constexpr unsigned kShift[4] = {39, 30, 21, 12};
        for (unsigned level = 0; level < 4; ++level) {
            const u64 addr = table + ((linear >> kShift[level]) & 511) * 8;
            const u64 e = read_entry(addr);
            if (!(e & kEntP)) return fail(not_present);
            const bool leaf = level == 3 || (level != 0 && (e & kEntPs));
            u64 rsvd = kRsvd4Level | xd_reserved;
            if (level == 0)
                rsvd |= kEntPs;
            else if (leaf && level == 1)
                rsvd |= kRsvd1G;
            else if (leaf && level == 2)
                rsvd |= kRsvd2M;
            if (e & rsvd) return fail(reserved);
            use(addr, e);
            if (leaf) {
                page_size = 1ull << kShift[level];
                physical_page = e & kAddrMask & ~(page_size - 1);
                break;
            }
            table = e & kAddrMask;
        }
    } else if (pae) {
        // PAE paging (SDM 4.4): 4 PDPTEs at CR3[31:5] -> PD (2M via PS) -> PT. The PDPTEs are read at
        // each walk rather than loaded into PDPTE registers at MOV CR3.
        const u64 pdpte_addr = (regs.cr3 & 0xffffffe0ull) + ((linear >> 30) & 3) * 8;
        const u64 pdpte = read_entry(pdpte_addr);
        if (!(pdpte & kEntP)) return fail(not_present);
        if (pdpte & kRsvdPaePdpte) return fail(reserved);
        path[depth++] = PathEntry{pdpte_addr, pdpte, false}; // no rights, no A bit in a PDPTE
        u64 table = pdpte & kAddrMask;
        for (unsigned shift : {21u, 12u}) {
            const u64 addr = table + ((linear >> shift) & 511) * 8;
            const u64 e = read_entry(addr);
            if (!(e & kEntP)) return fail(not_present);
            const bool leaf = shift == 12 || (e & kEntPs);
            u64 rsvd = kRsvdPae | xd_reserved;
            if (leaf && shift == 21) rsvd |= kRsvd2M;
            if (e & rsvd) return fail(reserved);
            use(addr, e);
            if (leaf) {
                page_size = 1ull << shift;
                physical_page = e & kAddrMask & ~(page_size - 1);
                break;
            }
            table = e & kAddrMask;
        }
    } else {
        // 32-bit paging (SDM 4.3): PD at CR3[31:12] -> 4M page (PS with CR4.PSE) or PT -> 4K page.
        const u64 pde_addr = (regs.cr3 & 0xfffff000ull) + (linear >> 22) * 4;
        const u64 pde = read_entry(pde_addr);
        if (!(pde & kEntP)) return fail(not_present);
        if ((pde & kEntPs) && (regs.cr4 & kCr4Pse)) {
            if (pde & kRsvd4M) return fail(reserved);
            use(pde_addr, pde);
            page_size = kPageSize4M;
            physical_page = (pde & 0xffc00000ull) | (((pde & kPse36AddrField) >> 13) << 32);
        } else {
            use(pde_addr, pde);
            const u64 pte_addr = (pde & 0xfffff000ull) + ((linear >> 12) & 1023) * 4;
            const u64 pte = read_entry(pte_addr);
            if (!(pte & kEntP)) return fail(not_present);
            use(pte_addr, pte);
            page_size = kPageSize4K;
            physical_page = pte & 0xfffff000ull;
        }
        xd = false; // no execute-disable in 32-bit paging
    }

    const u64 leaf = path[depth - 1].value;
    Translation t;
    t.linear_page = linear & ~(page_size - 1);
    t.physical_page = physical_page;
    t.page_size = page_size;
    t.writable = writable;
    t.user = user;
    t.executable = !xd; // XD can only be set here when EFER.NXE=1 (else it is a reserved bit)
    t.global = (leaf & kEntG) && (regs.cr4 & kCr4Pge);
    t.dirty = leaf & kEntD;
    if (const std::optional<u32> denied = check_rights(t, req, regs)) return fail(*denied);

    // The access is allowed: set A in every entry used (SDM 4.8) and D in the leaf on a write, writing
    // back each changed entry whole.
    const bool write = req.access == Access::Write;
    for (unsigned i = 0; i < depth; ++i) {
        const PathEntry& p = path[i];
        u64 updated = p.value;
        if (p.has_accessed) updated |= kEntA;
        if (write && i == depth - 1) updated |= kEntD;
        if (updated == p.value) continue;
        MemoryResult r;
        if (wide) {
            r = memory_.write(p.addr, &updated, 8, AccessKind::PageWalk);
        } else {
            const u32 narrow = static_cast<u32>(updated);
            r = memory_.write(p.addr, &narrow, 4, AccessKind::PageWalk);
        }
        latency += r.latency_cycles;
        if (i == depth - 1) t.dirty = updated & kEntD;
    }

    result.ok = true;
    result.physical = t.physical(linear);
    result.latency_cycles = latency;
    if (filled) *filled = t;
    return result;
}

// ---------------------------------------------------------------------------------------------------
// Tlb

Tlb::Tlb(u32 entries, u32 ways, u32 large_entries) : sets_(0), ways_(ways), set_mask_(0) {
    if (ways == 0 || entries < ways || entries % ways != 0 ||
        ((entries / ways) & (entries / ways - 1)) != 0) {
        throw InternalError(
            "TLB geometry " + std::to_string(entries) + " entries / " + std::to_string(ways) +
            " ways: entries must be a non-zero multiple of ways, and entries / ways (the number "
            "of sets) a power of two");
    }
    sets_ = entries / ways;
    set_mask_ = sets_ - 1;
    tags_.assign(entries, kInvalidTag);
    entries_.assign(entries, Entry{});
    large_tags_.assign(large_entries, LargeTag{});
    large_entries_.assign(large_entries, Entry{});
    clear_large_memo();
}

Tlb::Entry* Tlb::find_large(u64 linear) {
    if (!large_overlap_) {
        const LargeTag& lt = large_tags_[large_last_found_];
        if ((linear & ~lt.offset_mask) == lt.base) {
            Entry& e = large_entries_[large_last_found_];
            e.last_use = ++tick_;
            return &e;
        }
    }
    for (std::size_t i = 0; i < large_tags_.size(); ++i) {
        const LargeTag& lt = large_tags_[i];
        if ((linear & ~lt.offset_mask) == lt.base) {
            Entry& e = large_entries_[i];
            e.last_use = ++tick_;
            large_last_found_ = u32(i);
            return &e;
        }
    }
    return nullptr;
}

bool Tlb::large_ranges_overlap(const LargeTag& a, const LargeTag& b) {
    // Aligned power-of-two ranges overlap when one holds the other's start.
    if (a.base == kInvalidTag || b.base == kInvalidTag) return false;
    return (a.base & ~b.offset_mask) == b.base || (b.base & ~a.offset_mask) == a.base;
}

void Tlb::note_large_overlaps() {
    large_overlap_ = false;
    for (std::size_t i = 0; i < large_tags_.size() && !large_overlap_; ++i)
        for (std::size_t j = i + 1; j < large_tags_.size() && !large_overlap_; ++j)
            large_overlap_ = large_ranges_overlap(large_tags_[i], large_tags_[j]);
}

u32 Tlb::fast_rights(const Translation& t) {
    auto bit = [](Access access, bool user) { return fast_right_bit(AccessRequest{access, user}); };
    u32 rights = bit(Access::Read, false);
    if (t.user) rights |= bit(Access::Read, true);
    // Writes through a clean entry need a walk to set D; supervisor writes to read-only pages depend on
    // CR0.WP, and fetches from XD pages on EFER.NXE: those take the slow path.
    if (t.writable && t.dirty) {
        rights |= bit(Access::Write, false);
        if (t.user) rights |= bit(Access::Write, true);
    }
    if (t.executable) {
        rights |= bit(Access::Execute, false);
        if (t.user) rights |= bit(Access::Execute, true);
    }
    return rights;
}

void Tlb::insert(const Translation& t) {
    clear_large_memo();
    if (t.page_size <= kPageSize4K) {
        Translation copy = t;
        copy.page_size = kPageSize4K;
        copy.linear_page &= ~(kPageSize4K - 1);
        const u64 tag = copy.linear_page;
        const std::size_t base = static_cast<std::size_t>((tag >> 12) & set_mask_) * ways_;
        // Replace an entry for the same page if there is one, else an empty way, else the LRU way.
        std::size_t victim = base;
        for (u32 w = 0; w < ways_; ++w) {
            const std::size_t i = base + w;
            if (tags_[i] == tag) {
                victim = i;
                break;
            }
            if (tags_[victim] == kInvalidTag) continue;
            if (tags_[i] == kInvalidTag || entries_[i].last_use < entries_[victim].last_use) victim = i;
        }
        tags_[victim] = tag;
        entries_[victim] = Entry{copy, ++tick_, fast_rights(copy)};
        small_maybe_valid_ = true;
        return;
    }
    if (large_tags_.empty()) return;
    Translation copy = t;
    const u64 offset_mask = copy.page_size - 1;
    copy.linear_page &= ~offset_mask;
    copy.physical_page &= ~offset_mask;
    std::size_t victim = 0;
    bool victim_free = false;
    for (std::size_t i = 0; i < large_tags_.size(); ++i) {
        const LargeTag& lt = large_tags_[i];
        if (lt.base == copy.linear_page && lt.offset_mask == offset_mask) {
            victim = i;
            victim_free = false;
            break;
        }
        if (victim_free) continue;
        if (lt.base == kInvalidTag) {
            victim = i;
            victim_free = true;
        } else if (large_entries_[i].last_use < large_entries_[victim].last_use) {
            victim = i;
        }
    }
    if (large_tags_[victim].base == kInvalidTag) ++large_valid_;
    large_tags_[victim] = LargeTag{copy.linear_page, offset_mask};
    large_entries_[victim] = Entry{copy, ++tick_, fast_rights(copy)};
    // Only the new entry can add an overlap (a replaced one may have ended one: the flag stays set,
    // which costs only speed, until an erase or flush recounts).
    if (!large_overlap_)
        for (std::size_t i = 0; i < large_tags_.size(); ++i)
            if (i != victim && large_ranges_overlap(large_tags_[i], large_tags_[victim]))
                large_overlap_ = true;
}

std::vector<Translation> Tlb::valid_entries() const {
    std::vector<Translation> valid;
    for (size_t i = 0; i < tags_.size(); ++i)
        if (tags_[i] != kInvalidTag) valid.push_back(entries_[i].t);
    for (size_t i = 0; i < large_tags_.size(); ++i)
        if (large_tags_[i].base != kInvalidTag) valid.push_back(large_entries_[i].t);
    return valid;
}

void Tlb::erase(u64 linear) {
    clear_large_memo();
    const u64 tag = linear & ~(kPageSize4K - 1);
    const std::size_t base = static_cast<std::size_t>((linear >> 12) & set_mask_) * ways_;
    for (u32 w = 0; w < ways_; ++w) {
        if (tags_[base + w] == tag) tags_[base + w] = kInvalidTag;
    }
    if (large_valid_ == 0) return;
    for (LargeTag& lt : large_tags_) {
        if (lt.base != kInvalidTag && (linear & ~lt.offset_mask) == lt.base) {
            lt = LargeTag{};
            --large_valid_;
        }
    }
    if (large_overlap_) note_large_overlaps();
}

void Tlb::invalidate_page(u64 linear) {
    ++stats_.invlpgs;
    erase(linear);
}

void Tlb::flush(bool keep_global) {
    ++stats_.flushes;
    clear_large_memo();
    if (small_maybe_valid_) {
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            if (!keep_global || !entries_[i].t.global) tags_[i] = kInvalidTag;
        }
        small_maybe_valid_ = keep_global;
    }
    for (std::size_t i = 0; large_valid_ != 0 && i < large_tags_.size(); ++i) {
        if (large_tags_[i].base == kInvalidTag) continue;
        if (!keep_global || !large_entries_[i].t.global) {
            large_tags_[i] = LargeTag{};
            --large_valid_;
        }
    }
    if (large_overlap_) note_large_overlaps();
}

// ---------------------------------------------------------------------------------------------------
// Mmu

Mmu::Mmu(MemoryPort& memory, const MmuConfig& config)
    : walker_(memory), itlb_(config.itlb_entries, config.itlb_ways),
      dtlb_(config.dtlb_entries, config.dtlb_ways) {}

TranslateResult Mmu::translate_slow(u64 linear, const AccessRequest& req, const PagingRegs& regs, Tlb& tlb,
                                    const Tlb::Entry* hit) {
    TranslateResult result;
    if (hit) {
        if (const std::optional<u32> denied = check_rights(hit->t, req, regs)) {
            // A page fault invalidates the TLB entries for the faulting address (SDM 4.10.4.1), so a
            // handler that only relaxed the paging entry needs no INVLPG before the retry.
            itlb_.erase(linear);
            dtlb_.erase(linear);
            result.fault = PageFault{linear, *denied};
            return result;
        }
        if (req.access != Access::Write || hit->t.dirty) {
            // Allowed by CR0.WP=0 or EFER.NXE=0.
            result.ok = true;
            result.physical = hit->t.physical(linear);
            return result;
        }
        // A write through a clean entry: walk again so that D gets set in the leaf in memory.
        tlb.erase(linear);
    }
    Translation filled;
    result = walker_.walk(linear, req, regs, &filled);
    if (result.ok) {
        tlb.insert(filled);
    } else {
        itlb_.erase(linear);
        dtlb_.erase(linear);
    }
    return result;
}

void Mmu::invlpg(u64 linear) {
    itlb_.invalidate_page(linear);
    dtlb_.invalidate_page(linear);
}

void Mmu::flush(bool keep_global) {
    itlb_.flush(keep_global);
    dtlb_.flush(keep_global);
}

} // namespace smpsim::mmu
