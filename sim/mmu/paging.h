// x86 address translation: the page walker (32-bit, PAE, 4-level; 4K/2M/4M/1G pages), the per-CPU TLBs,
// and the architectural #PF error code. Pure logic: the CPU passes in its control registers and a
// MemoryPort through which page-table reads and A/D-bit updates go (so walks are seen by the caches).
#pragma once
#include "sim/core/memory_port.h"
#include "sim/core/types.h"

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
class Tlb {
  public:
    Tlb(u32 entries, u32 ways);
    const Translation* lookup(u64 linear);
    void insert(const Translation& t);
    void invalidate_page(u64 linear); // INVLPG: drops every entry covering linear, global or not
    void flush(bool keep_global);     // MOV CR3 keeps global entries when CR4.PGE=1; CR4 writes flush all
    const TlbStats& stats() const { return stats_; }

  private:
    struct Entry {
        Translation t;
        bool valid = false;
        u64 last_use = 0;
    };
    u32 sets_;
    u32 ways_;
    u64 tick_ = 0;
    std::vector<Entry> entries_;
    TlbStats stats_;
};

struct MmuConfig {
    u32 itlb_entries = 64;
    u32 itlb_ways = 4;
    u32 dtlb_entries = 64;
    u32 dtlb_ways = 4;
};

// The per-CPU MMU: instruction and data TLBs in front of the walker. With CR0.PG clear, linear ==
// physical.
class Mmu {
  public:
    Mmu(MemoryPort& memory, const MmuConfig& config = {});
    TranslateResult translate(u64 linear, const AccessRequest& req, const PagingRegs& regs);
    void invlpg(u64 linear);
    void flush(bool keep_global);
    Tlb& itlb() { return itlb_; }
    Tlb& dtlb() { return dtlb_; }

  private:
    PageWalker walker_;
    Tlb itlb_;
    Tlb dtlb_;
};

} // namespace smpsim::mmu
