// x86 address translation: the page walker (32-bit, PAE, 4-level; 4K/2M/4M/1G pages), the per-CPU TLBs,
// and the architectural #PF error code. Pure logic: the CPU passes in its control registers and a
// MemoryPort through which page-table reads and A/D-bit updates go (so walks are seen by the caches).
#pragma once
#include "sim/core/memory_port.h"
#include "sim/core/types.h"

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace smpsim::mmu {

// Control-register bits the MMU needs (Intel SDM vol. 3, 2.5 and 4.1).
inline constexpr u64 kCr0Pe = 1ull << 0;
inline constexpr u64 kCr0Wp = 1ull << 16;
inline constexpr u64 kCr0Pg = 1ull << 31;
inline constexpr u64 kCr4Pse = 1ull << 4;
inline constexpr u64 kCr4Pae = 1ull << 5;
inline constexpr u64 kCr4Pge = 1ull << 7;
inline constexpr u64 kEferLme = 1ull << 8;
inline constexpr u64 kEferLma = 1ull << 10;
inline constexpr u64 kEferNxe = 1ull << 11;

// MAXPHYADDR of the modelled CPU (what CPUID 0x80000008 EAX[7:0] reports). Paging-structure entries with
// address bits at or above it set are reserved-bit violations.
inline constexpr unsigned kMaxPhysAddrBits = 40;

// Paging-structure entry bits (SDM vol. 3, tables 4-4 to 4-6, 4-8 to 4-11, 4-15 to 4-20).
inline constexpr u64 kEntP = 1ull << 0;
inline constexpr u64 kEntRw = 1ull << 1;
inline constexpr u64 kEntUs = 1ull << 2;
inline constexpr u64 kEntA = 1ull << 5;
inline constexpr u64 kEntD = 1ull << 6;
inline constexpr u64 kEntPs = 1ull << 7;
inline constexpr u64 kEntG = 1ull << 8;
inline constexpr u64 kEntXd = 1ull << 63;

// #PF error-code bits (SDM vol. 3, 4.7).
inline constexpr u32 kPfPresent = 1u << 0;
inline constexpr u32 kPfWrite = 1u << 1;
inline constexpr u32 kPfUser = 1u << 2;
inline constexpr u32 kPfReservedBit = 1u << 3;
inline constexpr u32 kPfFetch = 1u << 4;

enum class Access : u8 { Read, Write, Execute };

struct PagingRegs {
    u64 cr0 = 0;
    u64 cr3 = 0;
    u64 cr4 = 0;
    u64 efer = 0;
};

// One access request: the kind, and whether it is made at user privilege (CPL 3, not an implicit
// supervisor access such as a descriptor-table read).
struct AccessRequest {
    Access access = Access::Read;
    bool user = false;
};

// A successful translation, as cached in a TLB entry.
struct Translation {
    u64 linear_page = 0;   // linear address of the page start (aligned to page_size)
    u64 physical_page = 0; // physical address of the page start
    u64 page_size = 4096;  // 4K, 2M, 4M or 1G
    bool writable = false; // R/W over every level
    bool user = false;     // U/S over every level
    bool executable = true;
    bool global = false;
    bool dirty = false; // D was set in the leaf when this entry was filled
    u64 physical(u64 linear) const { return physical_page + (linear - linear_page); }
};

struct PageFault {
    u64 linear = 0; // goes to CR2
    u32 error_code = 0;
};

// Result of translate(): either a physical address or a page fault to raise.
struct TranslateResult {
    bool ok = false;
    u64 physical = 0;
    PageFault fault{};
    u32 latency_cycles = 0; // page-walk memory latency (0 on a TLB hit)
};

// Checks an access against a translation's rights (SDM 4.6): U/S, R/W with CR0.WP, NX with EFER.NXE.
// Returns the #PF error code when denied.
std::optional<u32> check_rights(const Translation& t, const AccessRequest& req, const PagingRegs& regs);

// Walks the paging structures in memory, setting A bits (and D on writes), and returns the translation
// or the #PF to raise. Does not consult or fill any TLB.
// - The format follows the registers: CR0.PG=0 identity; EFER.LMA=1 4-level; else CR4.PAE=1 PAE; else
//   32-bit paging (4M pages when PDE.PS=1 and CR4.PSE=1, PSE-36 address bits up to kMaxPhysAddrBits).
//   Outside IA-32e mode only the low 32 bits of `linear` are used. Canonical checks are the caller's.
// - Reserved bits in a present entry give #PF with P=1 and RSVD=1. PAE PDPTEs are read at every walk
//   (not latched at MOV CR3), so their reserved bits give that #PF too rather than #GP at MOV CR3.
// - A and D are written back (whole entry, 4 or 8 bytes, AccessKind::PageWalk) only when the access is
//   allowed; PAE PDPTEs have no A bit. A paging-structure read that nothing answers reads all ones.
// - latency_cycles is the sum of the walk's reads and writes.
class PageWalker {
  public:
    explicit PageWalker(MemoryPort& memory) : memory_(memory) {}
    TranslateResult walk(u64 linear, const AccessRequest& req, const PagingRegs& regs,
                         Translation* filled = nullptr);

  private:
    MemoryPort& memory_;
};

struct TlbStats {
    u64 hits = 0;
    u64 misses = 0;
    u64 flushes = 0;
    u64 invlpgs = 0;
};

// A set-associative TLB holding translations of any page size. Replacement is LRU within a set.
// 4K translations live in `entries / ways` sets (a power of two) indexed by the linear page number;
// larger pages (2M, 4M, 1G) live in a small fully associative array beside them, as in real TLBs with a
// separate large-page array, so that one insert covers every address in the page.
class Tlb {
  public:
    static constexpr u32 kDefaultLargeEntries = 16;
    // Throws InternalError unless ways >= 1, entries is a multiple of ways and entries / ways is a power of
    // two.
    Tlb(u32 entries, u32 ways, u32 large_entries = kDefaultLargeEntries);
    // The entry covering linear, or nullptr; counts a hit or a miss. Valid until the next insert.
    const Translation* lookup(u64 linear);
    void insert(const Translation& t);
    void invalidate_page(u64 linear); // INVLPG: drops every entry covering linear, global or not
    void flush(bool keep_global);     // MOV CR3 keeps global entries when CR4.PGE=1; CR4 writes flush all
    // Drops every entry covering linear like invalidate_page, without counting an INVLPG (used when a
    // page fault invalidates the faulting address, SDM 4.10.4.1, and before a re-walk for a D-bit update).
    void erase(u64 linear);
    // Every valid entry, 4K and large ones (debuggers; no statistics change).
    std::vector<Translation> valid_entries() const;
    const TlbStats& stats() const { return stats_; }

  private:
    friend class Mmu;
    // A tag is the page-aligned linear address of a valid entry; kInvalidTag (not page-aligned) never
    // matches, so the hit path needs one compare per way.
    static constexpr u64 kInvalidTag = 1;
    struct Entry {
        Translation t;
        u64 last_use = 0;
        // Bit (access * 2 + user) is set when that access is allowed whatever CR0.WP and EFER.NXE say and
        // needs no D-bit update (see fast_rights()): the MMU's hit path tests one bit.
        u32 fast_rights = 0;
    };
    struct LargeTag {
        u64 base = kInvalidTag;  // page-aligned linear address
        u64 offset_mask = 0xfff; // page_size - 1
    };
    static u32 fast_rights(const Translation& t);
    static u32 fast_right_bit(const AccessRequest& req) {
        return 1u << ((static_cast<u32>(req.access) << 1) | static_cast<u32>(req.user));
    }
    Entry* find(u64 linear); // lookup() returning the whole entry
    Entry* find_large(u64 linear);

    u32 sets_;
    u32 ways_;
    u64 set_mask_;
    u64 tick_ = 0;
    std::vector<u64> tags_; // sets_ * ways_, tags of entries_ (kept apart so a set's tags share a line)
    std::vector<Entry> entries_;
    std::vector<LargeTag> large_tags_;
    std::vector<Entry> large_entries_;
    u32 large_valid_ = 0; // number of valid large entries; the large array is skipped when 0
    // The large entry found last is tried first. That finds what the scan would (its first match) only
    // while no address matches two valid large entries, which a 2M entry inside a 1G one filled later
    // could (after a page-table change without INVLPG): then the scan runs every time.
    u32 large_last_found_ = 0;
    bool large_overlap_ = false;
    void note_large_overlaps(); // sets large_overlap_ from scratch
    static bool large_ranges_overlap(const LargeTag& a, const LargeTag& b);
    // A 4 KiB entry may be valid (set by insert, cleared by a flush that drops everything): a flush of
    // an empty TLB (litmus runs reset CPUs that never page) costs nothing.
    bool small_maybe_valid_ = false;
    // 4K pages that the last lookups found in a large entry, with no 4K entry for them: find() answers
    // them at once with the same entry and the same side effects (the entry's use, the MRU index, the
    // hit count) as the set scan and find_large would, since any insert, erase or flush clears them.
    static constexpr u32 kLargeMemoSize = 8;
    std::array<u64, kLargeMemoSize> large_memo_page_;
    std::array<u32, kLargeMemoSize> large_memo_index_{};
    bool large_memo_set_ = true; // cleared at construction
    // A flush of a TLB that never paged (litmus runs reset every iteration) stays a few instructions.
    void clear_large_memo() {
        if (!large_memo_set_) return;
        large_memo_page_.fill(kInvalidTag);
        large_memo_set_ = false;
    }
    TlbStats stats_;
};

struct MmuConfig {
    u32 itlb_entries = 64;
    u32 itlb_ways = 4;
    u32 dtlb_entries = 64;
    u32 dtlb_ways = 4;
};

// The per-CPU MMU: instruction and data TLBs in front of the walker. With CR0.PG clear, linear ==
// physical and the TLBs are not used. Fetches use the ITLB, reads and writes the DTLB; rights are checked
// on every hit against the current CR0.WP/EFER.NXE. A write that hits an entry filled without D walks
// again so that D gets set in memory. A page fault never fills a TLB and drops the entries for the
// faulting address from both TLBs (SDM 4.10.4.1). Entries are never refreshed from memory otherwise:
// a paging entry changed without INVLPG or a flush keeps translating the old way (stale TLB).
class Mmu {
  public:
    Mmu(MemoryPort& memory, const MmuConfig& config = {});
    // Inline: the TLB-hit path runs on every guest memory access.
    TranslateResult translate(u64 linear, const AccessRequest& req, const PagingRegs& regs);
    void invlpg(u64 linear);
    void flush(bool keep_global);
    Tlb& itlb() { return itlb_; }
    Tlb& dtlb() { return dtlb_; }
    const Tlb& itlb() const { return itlb_; }
    const Tlb& dtlb() const { return dtlb_; }

  private:
    // Everything but a plain TLB hit: rights denied or relaxed by CR0.WP/EFER.NXE, D-bit re-walk, miss.
    TranslateResult translate_slow(u64 linear, const AccessRequest& req, const PagingRegs& regs, Tlb& tlb,
                                   const Tlb::Entry* hit);
    PageWalker walker_;
    Tlb itlb_;
    Tlb dtlb_;
};

// ---------------------------------------------------------------------------------------------------
// Hot-path inline definitions.

inline Tlb::Entry* Tlb::find(u64 linear) {
    const u64 tag = linear & ~u64{0xfff};
    const u32 memo = static_cast<u32>(linear >> 12) & (kLargeMemoSize - 1);
    if (large_memo_page_[memo] == tag) {
        const u32 i = large_memo_index_[memo];
        Entry* e = large_entries_.data() + i;
        e->last_use = ++tick_;
        large_last_found_ = i;
        ++stats_.hits;
        return e;
    }
    const std::size_t base = static_cast<std::size_t>((linear >> 12) & set_mask_) * ways_;
    const u64* tags = tags_.data() + base;
    for (u32 w = 0; w < ways_; ++w) {
        if (tags[w] == tag) {
            Entry* e = entries_.data() + base + w;
            e->last_use = ++tick_;
            ++stats_.hits;
            return e;
        }
    }
    if (large_valid_ != 0) {
        if (Entry* e = find_large(linear)) {
            large_memo_page_[memo] = tag;
            large_memo_index_[memo] = large_last_found_;
            large_memo_set_ = true;
            ++stats_.hits;
            return e;
        }
    }
    ++stats_.misses;
    return nullptr;
}

inline const Translation* Tlb::lookup(u64 linear) {
    const Entry* e = find(linear);
    return e ? &e->t : nullptr;
}

inline TranslateResult Mmu::translate(u64 linear, const AccessRequest& req, const PagingRegs& regs) {
    if (!(regs.cr0 & kCr0Pg)) {
        TranslateResult r;
        r.ok = true;
        r.physical = linear;
        return r;
    }
    Tlb& tlb = req.access == Access::Execute ? itlb_ : dtlb_;
    const Tlb::Entry* e = tlb.find(linear);
    if (e && (e->fast_rights & Tlb::fast_right_bit(req))) [[likely]] {
        TranslateResult r;
        r.ok = true;
        r.physical = e->t.physical(linear);
        return r;
    }
    return translate_slow(linear, req, regs, tlb, e);
}

} // namespace smpsim::mmu
