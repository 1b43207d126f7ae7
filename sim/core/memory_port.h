// The interface through which CPUs, page walkers and DMA engines reach physical memory.
// A cache hierarchy, a flat RAM or a TLM router can sit behind it; callers never know which.
#pragma once
#include "sim/core/types.h"

namespace smpsim {

enum class AccessKind : u8 {
    Read,     // data load
    Write,    // data store
    Fetch,    // instruction fetch
    PageWalk, // page-table read or A/D-bit update
    Dma,      // device bus-master access
};

// Result of one access. `ok == false` means nothing answered at that address (a bus error).
struct MemoryResult {
    bool ok = true;
    u32 latency_cycles = 0;
};

class MemoryPort {
  public:
    virtual ~MemoryPort() = default;
    virtual MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind kind) = 0;
    virtual MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind kind) = 0;
    // Host pointer to the 4 KiB page holding paddr when it is plain RAM that may be read directly
    // (DMI), else nullptr. Callers use it only for reads of code and functional-mode fast paths.
    virtual u8* direct_page(u64 paddr) { return nullptr; }

    // Coherence hooks for a CPU with a store buffer in front of this port (a cache model implements
    // them; flat memory needs neither). Whether the caller's cache holds the line in M or E, so a weak
    // store buffer may commit a store there early:
    virtual bool line_owned(u64 paddr) { return true; }
    // Cycles until the caller's cache would own paddr's line (0 when it does): how long a store waits in
    // the store buffer for its read-for-ownership before it can commit.
    virtual u32 ownership_latency(u64 paddr) { return 0; }
    // Applies every queued invalidation of the caller's cache (LFENCE, MFENCE, locked instructions).
    virtual void drain_invalidations() {}
    // A store to paddr waited `cycles` for room in the caller's full store buffer (for per-line stats).
    virtual void note_store_buffer_stall(u64 paddr, u32 cycles) {}
    // Reports: which reorderings of the caller's store buffer other CPUs could observe. access_order()
    // numbers the memory writes of all CPUs (0 when not counted); written_by_others_since() says
    // whether another CPU wrote paddr's line after number `order`; the note_* calls count a load
    // performed before an older store to another line committed while another CPU wrote the load's line
    // (tso, observable: that CPU may read the store's line too), and a store committed before an older
    // one (weak).
    virtual u64 access_order() { return 0; }
    virtual bool written_by_others_since(u64 paddr, u64 order) { return false; }
    virtual void note_store_load_reordering(u64 load_rip, u64 load_paddr, u64 store_rip, u64 store_paddr) {}
    // The same for CPUs that run in quanta, where another CPU's writes in the window may come later
    // in host order: the load at load_cycle (the caller's clock) passed the store that commits now.
    virtual void note_store_load_window(u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                                        u64 store_paddr) {}
    virtual void note_store_store_reordering(u64 store_rip, u64 store_paddr, u64 older_rip, u64 older_paddr) {
    }
};

// x86 port-I/O space (IN/OUT). Unclaimed ports read as all ones and ignore writes, as on a PC.
class IoPortSpace {
  public:
    virtual ~IoPortSpace() = default;
    virtual u32 in(u16 port, u32 size) = 0;
    virtual void out(u16 port, u32 size, u32 value) = 0;
};

} // namespace smpsim
