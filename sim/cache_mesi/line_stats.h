// Per-cache-line coherence statistics, per physical line and CPU (perf c2c style).
//
// Counting rules (the memory system applies them):
//   loads / stores   every access by that CPU that touches the line (a split access counts on each line);
//                    loads include instruction fetches and page-walk reads, stores include locked
//                    read-modify-writes and page-walk A/D updates
//   hits             accesses served without a fabric request (includes a silent E->M store and a stale
//                    hit on a line whose invalidation is queued)
//   stale_hits       loads served from a line whose invalidation sits in the invalidate queue (weak)
//   misses           accesses that needed a fabric request (GetS, GetM or Upgrade); hits + misses =
//                    loads + stores
//   rfos             GetM: a store (or rmw) to a line not held (I, or S_Q after applying its entry)
//   upgrades         Upgrade: a store to a line held in S
//   inv_sent         copies in other L1s invalidated (or queued for invalidation) by this CPU's request
//   inv_received     copies of this CPU invalidated or queued by others' requests and by DMA writes
//   hitm             fabric requests of this CPU that found the line Modified in another L1
//   writebacks       dirty data of this CPU's copy written to memory (eviction, M->S on a remote read,
//                    DMA snoop, flush)
//   sb_stall_cycles  store-buffer stall cycles the CPU attributed to the line (add_store_buffer_stall)
//   iq_depth_max     the largest depth of this CPU's invalidate queue right after an entry for this
//                    line was appended
//   read_mask        bit i set: this CPU read byte i of the line
//   write_mask       bit i set: this CPU wrote byte i of the line
// Per line, not per CPU: dma_reads, dma_writes (accesses by DMA masters touching the line).
//
// JSON (LineStatsTable::to_json, schema "smpsim.cache_mesi.lines/1"):
//   {
//     "schema": "smpsim.cache_mesi.lines/1",
//     "line_size": 64,
//     "cpus": N,
//     "model": "tso" | "weak",                     // added by MemorySystem::stats_json()
//     "lines": [                                   // sorted by address, only lines someone touched
//       { "paddr": 4096,                           // line start (number)
//         "paddr_hex": "0x1000",
//         "dma_reads": 0, "dma_writes": 0,
//         "hitm": 3, "rfos": 2, ... ,              // totals over CPUs of every per-CPU counter below
//         "cpus": [                                // only CPUs with a non-zero counter or mask
//           { "cpu": 0, "loads": 1, "stores": 2, "hits": 1, "misses": 2, "stale_hits": 0, "rfos": 1,
//             "upgrades": 0, "inv_sent": 1, "inv_received": 0, "hitm": 0, "writebacks": 1,
//             "sb_stall_cycles": 0, "iq_depth_max": 0,
//             "read_mask": "0x00000000000000ff",   // 64-bit masks as 18-character hex strings
//             "write_mask": "0x000000000000ff00" } ],
//         "code": [                                // only with code addresses recorded; by rip, then cpu
//           { "cpu": 0, "rip": 1052672, "rip_hex": "0x101000", "misses": 2, "hitm": 1, "rfos": 1,
//             "upgrades": 0, "stale_hits": 0 } ] } ]
//   }
#pragma once
#include "sim/cache_mesi/config.h"
#include "sim/core/types.h"

#include <array>
#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <unordered_map>
#include <vector>

namespace smpsim::cache_mesi {

struct CpuLineStats {
    u64 loads = 0;
    u64 stores = 0;
    u64 hits = 0;
    u64 misses = 0;
    u64 stale_hits = 0;
    u64 rfos = 0;
    u64 upgrades = 0;
    u64 inv_sent = 0;
    u64 inv_received = 0;
    u64 hitm = 0;
    u64 writebacks = 0;
    u64 sb_stall_cycles = 0;
    u64 iq_depth_max = 0;
    u64 read_mask = 0;
    u64 write_mask = 0;
    // Not counters: MemorySystem::access_order() and this CPU's clock at its last write to the line
    // (reorder attribution); not serialized, the max when summed.
    u64 last_write = 0;
    u64 last_write_cycle = 0;

    bool touched() const;
    CpuLineStats& operator+=(const CpuLineStats& o); // sums counters, max of iq_depth_max, ORs masks
};

// The instructions behind a line's coherence events, as perf c2c lists its code addresses: per CPU and
// code address (the guest's RIP: a virtual address; for a store that waited in the store buffer, the
// store's own instruction), the accesses that missed, found the line Modified in another L1 (HITM),
// asked for ownership (RFO, upgrade) or read it stale. Recorded only for CPUs the memory system has a
// code-address source for (MemorySystem::set_code_address_source).
struct CodeLineStats {
    u64 rip = 0;
    u32 cpu = 0;
    u64 misses = 0;
    u64 hitm = 0;
    u64 rfos = 0;
    u64 upgrades = 0;
    u64 stale_hits = 0;
};

struct LineStats {
    u64 paddr = 0; // line start
    u64 dma_reads = 0;
    u64 dma_writes = 0;
    std::vector<CpuLineStats> cpu;   // indexed by CPU
    std::vector<CodeLineStats> code; // few per line: searched linearly
    u32 open_windows = 0;            // store->load windows open on the line (store_load_windows.h)
    CodeLineStats& code_at(u32 cpu, u64 rip);

    CpuLineStats total() const;
    // Bytes written by one CPU and read or written by another: true sharing of bytes. A line with
    // several CPUs touching it but no overlap of one's writes with another's accesses is false sharing.
    bool false_sharing() const;
};

class LineStatsTable {
  public:
    explicit LineStatsTable(u32 cpus) : cpus_(cpus) {}

    // The record for a line (created on first use). References stay valid for the table's life.
    LineStats& line(u64 line_paddr) {
        // Every cache miss asks: a direct index by page and line first, no hashing.
        const u64 page = line_paddr >> 12;
        if (page < index_.size()) [[likely]]
            if (const auto& lines = index_[page])
                if (LineStats* ls = (*lines)[(line_paddr & 0xfff) / kLineSize]) return *ls;
        return line_slow(line_paddr);
    }
    const LineStats* find(u64 paddr) const; // nullptr when never touched
    std::size_t size() const { return lines_.size(); }
    u32 cpus() const { return cpus_; }

    // All lines sorted by address (deterministic iteration).
    std::vector<const LineStats*> lines() const;
    // The n lines with the most HITM (ties: more RFOs+upgrades first, then lower address).
    std::vector<const LineStats*> top_by_hitm(std::size_t n) const;
    CpuLineStats cpu_total(u32 cpu) const;

    // Zero every counter, keeping the records (pointers held by the caches stay valid).
    void reset();
    nlohmann::json to_json() const;

  private:
    LineStats& line_slow(u64 line_paddr);

    u32 cpus_;
    std::unordered_map<u64, LineStats> lines_; // node-based: element addresses are stable
    // lines_'s records by page, then line in the page, for the pages below kIndexedPages (RAM; MMIO
    // lines are rare and stay in the map only).
    static constexpr u64 kIndexedPages = u64{1} << 22; // 16 GiB
    std::vector<std::unique_ptr<std::array<LineStats*, 4096 / kLineSize>>> index_;
};

} // namespace smpsim::cache_mesi
