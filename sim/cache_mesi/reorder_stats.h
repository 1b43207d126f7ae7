// Reorderings attributed to code addresses, for the reports (docs/REPORTS.md, "Reordering"): per pair of
// instructions and the lines they accessed, how often a CPU's store buffer let them reorder.
//   store_load   a load (first) performed while an older store (second) of the same CPU to another line
//                was still buffered, and another CPU accessed the load's or the store's line before the
//                store committed: the reordering was observable (tso and weak; smp_mb() orders it);
//   store_store  a store (first) committed ahead of an older store (second) of the same CPU (weak;
//                smp_wmb() orders it).
// The table is bounded: once it holds `capacity` pairs, new pairs are only counted in dropped().
// Pure logic; the memory system holds one and serializes it with its line statistics.
//
// JSON (to_json, the "reorder" key of the line statistics):
//   { "capacity": 4096, "dropped_store_load": 0, "dropped_store_store": 0,
//     "pairs": [ { "kind": "store_load" | "store_store", "first_rip", "first_line", "second_rip",
//                  "second_line", "first_paddr", "second_paddr", "count", "cpus": [0, 2] } ] }
//                  // by kind, most first, then keys; *_paddr: the exact addresses the pair first had
#pragma once
#include "sim/core/types.h"

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <tuple>
#include <vector>

namespace smpsim::cache_mesi {

enum class ReorderKind : u8 { StoreLoad, StoreStore };

struct ReorderPair {
    ReorderKind kind = ReorderKind::StoreLoad;
    u64 first_rip = 0;
    u64 first_line = 0;
    u64 second_rip = 0;
    u64 second_line = 0;
    u64 first_paddr = 0; // the exact addresses of the pair's first occurrence (the field, for reports)
    u64 second_paddr = 0;
    u64 count = 0;
    u64 cpu_mask = 0; // bit c: CPU c (CPUs beyond 63 share bit 63)
};

class ReorderStats {
  public:
    explicit ReorderStats(std::size_t capacity = 4096) : capacity_(capacity) {}

    void add(ReorderKind kind, u32 cpu, u64 first_rip, u64 first_paddr, u64 second_rip, u64 second_paddr);
    // Pairs by kind, most counted first (ties: the keys), so the order does not depend on the run's
    // hashing.
    std::vector<ReorderPair> sorted() const;
    u64 dropped(ReorderKind kind) const { return dropped_[unsigned(kind)]; }
    std::size_t size() const { return pairs_.size(); }
    void reset();
    nlohmann::json to_json() const;

  private:
    using Key = std::tuple<u8, u64, u64, u64, u64>;
    std::size_t capacity_;
    std::map<Key, ReorderPair> pairs_;
    u64 dropped_[2] = {0, 0};
};

} // namespace smpsim::cache_mesi
