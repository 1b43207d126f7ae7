// Parameters of the coherent memory system (memory_system.h).
#pragma once
#include "sim/cache_mesi/protocol.h"
#include "sim/core/types.h"

namespace smpsim::cache_mesi {

inline constexpr u32 kLineSize = 64; // bytes; fixed (the false-sharing masks are one u64 per line)
inline constexpr u64 kLineMask = kLineSize - 1;

struct CacheConfig {
    u32 cpus = 2;
    MemoryModel model = MemoryModel::Tso;

    // Private L1 data cache per CPU: sets x ways x 64 bytes (default 32 KiB, 8-way). sets: power of two.
    u32 l1_sets = 64;
    u32 l1_ways = 8;

    // Optional shared LLC (tag-only timing filter, non-inclusive: see memory_system.h). sets: power of two.
    bool llc_enabled = true;
    u32 llc_sets = 2048; // 2 MiB, 16-way
    u32 llc_ways = 16;

    // Latencies in CPU cycles, load-to-use totals as seen by the requesting CPU.
    u32 l1_hit = 4;          // hit in the own L1 (also a silent E->M store)
    u32 llc_hit = 40;        // miss in L1, line supplied by the LLC
    u32 cache_to_cache = 60; // miss in L1, line supplied by another L1 holding it Modified (HITM)
    u32 dram = 200;          // miss in L1 and LLC (or no LLC)
    u32 upgrade = 40;        // S->M: an ownership request without data on the fabric

    // Weak model only: an invalidation waits this many cycles of the receiving CPU's time in its
    // invalidate queue before it is applied (unless a barrier drains it first).
    u32 invalidate_queue_delay = 100;
    // Entries the queue holds; a new invalidation arriving at a full queue applies the oldest first.
    u32 invalidate_queue_capacity = 16;

    // Reorder attribution (store_load_windows.h): how far apart the CPUs' clocks can be, a few quanta
    // (the machine raises it to 4 quanta for longer ones).
    u64 reorder_window_slack = 4000;
    // Per-line statistics (line_stats.h). Off: no counting at all.
    bool collect_stats = true;
};

} // namespace smpsim::cache_mesi
