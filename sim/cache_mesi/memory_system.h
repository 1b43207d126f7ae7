// The coherent memory system: one private L1 data cache per CPU (set-associative, LRU, MESI, holding
// the data of each line), an optional shared LLC, DRAM (a host byte array, physical address = offset),
// and the fabric between them. Pure C++: the SystemC CPU module and the TLM DMA target call it.
//
// Fabric: an atomic snooping bus. Every public call completes atomically before the next one starts, so
// the order of calls is the order of arrival at the bus and the single global order of memory changes
// (global_order() counts them). A request is broadcast to the other L1s, each of which looks the line up
// in its own tags and applies the protocol rule for the snooped event (protocol.h). Why a bus and not a
// directory: the machine is a small SMP PC (1-16 CPUs) with atomic transactions, where a broadcast is a
// handful of tag compares per miss - cheaper than a directory lookup - and the L1 tags stay the only
// record of who holds what, so there is no second structure that could disagree with them. Bandwidth
// and queueing on the bus are not modelled: a request costs its latency only.
//
// LLC: optional, shared, non-inclusive (neither inclusive nor exclusive): fills from memory and L1
// write-backs allocate in it, and its evictions never touch the L1s. Inclusion would add
// back-invalidations - a second source of invalidations that litmus users would see in the statistics
// without having caused them - and the L1s would stop being the only coherence actors. The LLC is a
// tag-only timing filter: it decides whether a fill costs llc_hit or dram. The data below the L1s is
// `ram` itself: the LLC is shared by all CPUs and never holds a copy that differs from memory, so
// holding data in it could not change any value a CPU observes.
//
// Data: each L1 frame holds its 64-byte copy. A line in M is the only up-to-date copy (ram is stale
// until the write-back). Transfers:
//   - remote read of an M line (FwdGetS): the owner forwards the data cache-to-cache (HITM, latency
//     cache_to_cache) AND writes it back to memory, both end in S (MESI has no O state, so memory must
//     be clean when the line is shared);
//   - remote RFO of an M line (FwdGetM): data forwarded cache-to-cache, the owner invalidates, no
//     write-back (the dirty data moves to the new owner);
//   - eviction or flush of an M line: write-back to memory;
//   - DMA read of an M line: the owner writes back and keeps the line clean in E; DMA write: the owner
//     writes back (so a partial-line DMA write merges with the newest data) and invalidates.
//
// Time and the invalidate queue (weak model): every per-CPU call carries `now`, that CPU's local cycle
// count (the CPU module's time including its quantum offset). An invalidation that reaches an L1 at a
// request made at time `now` (the requester's time: the bus has no clock of its own) is acknowledged at
// once and appended to the receiver's queue with deadline now + invalidate_queue_delay. The receiver
// applies every entry whose deadline <= its own `now` at the start of each of its calls and at tick();
// drain_invalidate_queue() applies them all (LFENCE, MFENCE; rmw() drains by itself because locked
// instructions are full barriers). Entries are applied in FIFO order only. Everything depends only on
// the sequence of calls and their arguments, so runs are deterministic. In tso the queue is never used.
//
// Accesses may have any alignment; an access crossing a line boundary is split into one access per
// line (each counted and timed; latencies add up). Addresses at or beyond ram.size() fail (ok=false).
#pragma once
#include "sim/cache_mesi/config.h"
#include "sim/cache_mesi/line_stats.h"
#include "sim/cache_mesi/protocol.h"
#include "sim/cache_mesi/reorder_stats.h"
#include "sim/cache_mesi/store_load_windows.h"
#include "sim/core/types.h"

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <type_traits>
#include <vector>

namespace smpsim::cache_mesi {

struct AccessResult {
    u64 value = 0;      // load/fetch/page_walk_read: the data (little-endian); rmw: the old value
    u32 latency = 0;    // cycles, summed over the lines touched
    bool ok = true;     // false: the access reaches beyond RAM (nothing else happened)
    bool hit = true;    // every line was served by the own L1 without a fabric request
    bool stale = false; // some byte came from a line whose invalidation is queued (weak model)
    bool hitm = false;  // a fabric request found the line Modified in another L1
};

// A non-owning reference to a callable (no allocation), for rmw().
template <class Sig> class FunctionRef;
template <class R, class... A> class FunctionRef<R(A...)> {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>)
        FunctionRef(F&& f) // NOLINT: implicit by design
        : obj_(const_cast<void*>(static_cast<const void*>(&f))),
          call_([](void* o, A... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(a...); }) {}
    R operator()(A... a) const { return call_(obj_, a...); }

  private:
    void* obj_;
    R (*call_)(void*, A...);
};

class MemorySystem {
  public:
    // ram.size() must be a multiple of 64. The memory system does not own ram.
    MemorySystem(const CacheConfig& config, std::span<u8> ram);
    ~MemorySystem();
    MemorySystem(const MemorySystem&) = delete;
    MemorySystem& operator=(const MemorySystem&) = delete;

    const CacheConfig& config() const { return config_; }
    u32 cpus() const { return config_.cpus; }
    MemoryModel model() const { return config_.model; }
    std::span<u8> ram() const { return ram_; }

    // ---- Per-CPU accesses (size 1..8; the value is little-endian in the low `size` bytes)
    AccessResult load(u32 cpu, u64 paddr, u32 size, u64 now);
    // The commit of one store from the CPU's store buffer: obtains M and writes.
    AccessResult store(u32 cpu, u64 paddr, u32 size, u64 value, u64 now);
    // Locked read-modify-write: drains the invalidate queue, obtains M on every line, reads the old
    // value, writes op(old). Nothing else happens in between. Returns the old value.
    AccessResult rmw(u32 cpu, u64 paddr, u32 size, FunctionRef<u64(u64)> op, u64 now);
    AccessResult fetch(u32 cpu, u64 paddr, u32 size, u64 now) { return load(cpu, paddr, size, now); }
    AccessResult page_walk_read(u32 cpu, u64 paddr, u32 size, u64 now) { return load(cpu, paddr, size, now); }
    AccessResult page_walk_write(u32 cpu, u64 paddr, u32 size, u64 value, u64 now) {
        return store(cpu, paddr, size, value, now);
    }
    // Any size (value unused): bulk copies through the caches, as loads or as stores.
    AccessResult read_bytes(u32 cpu, u64 paddr, void* dst, u32 size, u64 now);
    AccessResult write_bytes(u32 cpu, u64 paddr, const void* src, u32 size, u64 now);
    // Bring the line into the L1: readable (S/E) or owned (M, an RFO without a write). For setting up
    // initial cache states (litmus runner); counts like a load / a store of 0 bytes.
    AccessResult prefetch(u32 cpu, u64 paddr, bool exclusive, u64 now);

    // ---- Per-CPU queries and the invalidate queue
    bool is_owned(u32 cpu, u64 paddr) const; // line in M or E in that CPU's L1
    State state_of(u32 cpu, u64 paddr) const;
    // The 64 bytes of the CPU's copy of the line, nullptr when it holds none (tests, debuggers).
    const u8* line_data(u32 cpu, u64 paddr) const;
    u32 invalidate_queue_depth(u32 cpu) const;
    // Reports: the CPU's current code address (its RIP) is read through `rip` whenever an access of the
    // CPU misses or reads a line stale, and counted per line (LineStats::code). nullptr: not recorded.
    void set_code_address_source(u32 cpu, const u64* rip);
    // Debugger views (no side effects): the invalidate queue's entries, oldest first, and whether the
    // LLC holds a line (false without an LLC).
    struct QueuedInvalidation {
        u64 line;     // physical address of the line
        u64 deadline; // the CPU's cycle at which it is applied at the latest
    };
    std::vector<QueuedInvalidation> invalidate_queue(u32 cpu) const;
    bool llc_holds(u64 paddr) const;
    u32 drain_invalidate_queue(u32 cpu); // applies every entry; returns how many
    void tick(u32 cpu, u64 now);         // applies the entries due at `now`

    // ---- DMA (a bus master without a cache). Coherent: see the header comment.
    AccessResult dma_read(u64 paddr, void* dst, u32 size, u64 now);
    AccessResult dma_write(u64 paddr, const void* src, u32 size, u64 now);

    // ---- Maintenance and debugging (no statistics except write-backs)
    void flush_line(u64 paddr); // CLFLUSH: every L1 writes back and invalidates the line
    void flush_all();           // every L1 and queue emptied (dirty lines written back), LLC emptied
    void peek(u64 paddr, void* dst, u32 size) const; // the coherent value, no side effects
    void poke(u64 paddr, const void* src, u32 size); // writes memory and every cached copy

    // Number of global memory changes (store commits, rmws, DMA writes) so far.
    u64 global_order() const { return global_order_; }

    // ---- Statistics
    void add_store_buffer_stall(u32 cpu, u64 paddr, u64 cycles);
    // Reorder attribution (with statistics on): every CPU write to a line is numbered; a line remembers
    // each CPU's last number and clock (CpuLineStats::last_write, last_write_cycle).
    u64 access_order() const { return access_order_; }
    bool written_by_others_since(u32 cpu, u64 paddr, u64 order) const;
    // A load at load_cycle passed an older store that commits now (CPUs that run in quanta): counted as
    // a store->load reordering if another CPU wrote the load's line inside that time, already or later
    // (store_load_windows.h).
    void add_store_load_window(u32 cpu, u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                               u64 store_paddr, u64 now);
    // Cycles until the CPU's L1 would own paddr's line (0 when it does, or paddr is not RAM), from the
    // states now; no side effects. A store buffer waits this long before it commits a store there.
    u32 ownership_latency(u32 cpu, u64 paddr) const;
    void add_reordering(ReorderKind kind, u32 cpu, u64 first_rip, u64 first_paddr, u64 second_rip,
                        u64 second_paddr);
    const ReorderStats& reorder_stats() const { return reorder_; }
    const LineStatsTable& stats() const { return stats_; }
    void reset_stats() {
        stats_.reset();
        reorder_.reset();
        windows_.clear();
    }
    nlohmann::json stats_json() const;

  private:
    struct L1;
    struct Llc;
    struct SnoopResult {
        bool supplied = false;     // data forwarded cache-to-cache
        bool hitm = false;         // found Modified
        bool others_valid = false; // another L1 still holds it in S/E/M
        u32 invalidated = 0;       // copies invalidated or queued
    };
    static constexpr u32 kNoCpu = ~0u;

    AccessResult access_slow(u32 cpu, u64 paddr, u32 size, u8* buf, bool write, u64 now);
    // Makes the line readable (Load) or owned (Store) in the CPU's L1; returns the frame.
    u32 acquire(u32 cpu, u64 line, Event ev, u64 mask, AccessResult& r, u64 now);
    SnoopResult snoop(u32 requester, u64 line, Event ev, u8* fill, u64 now);
    u32 allocate(u32 cpu, u64 line);
    void evict(u32 cpu, u32 frame);
    void write_back(u32 cpu, u32 frame);
    void enqueue_invalidation(u32 cpu, u32 frame, u64 now);
    void apply_queue_head(u32 cpu);
    void apply_queue_to(u32 cpu, u32 frame);
    void apply_due(u32 cpu, u64 now);
    u32 memory_latency(u64 line, bool allocate);
    void match_windows(u32 cpu, u64 line, u64 now);
    void close_window_lines();
    void check(Transition t, u32 cpu, State s, Event e) const;

    CacheConfig config_;
    std::span<u8> ram_;
    std::vector<L1> l1_; // L1 is complete in memory_system.cc, where every member using it lives
    std::unique_ptr<Llc> llc_;
    LineStatsTable stats_;
    ReorderStats reorder_;
    StoreLoadWindows windows_;
    std::vector<StoreLoadWindow> matched_windows_; // scratch of match_windows
    std::vector<u64> closed_window_lines_;
    u64 global_order_ = 0;
    u64 access_order_ = 0;
};

} // namespace smpsim::cache_mesi
