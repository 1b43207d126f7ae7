// smpsim::MemoryPort adapters over the memory system, so a CPU (or a DMA engine) that talks to a
// MemoryPort can use the caches unchanged.
//
// CpuPort: one per CPU. read()/write() go through MemorySystem::load/store (fetch, page_walk_* by
// AccessKind); accesses of more than 8 bytes go through read_bytes/write_bytes. The latency of the
// access is returned in MemoryResult::latency_cycles. The MemoryPort interface carries no time, so the
// port reads the CPU's cycle counter through a pointer given at construction (or set_clock); without
// one, now = 0 and queued invalidations are applied only by barriers. A write is the commit of a store
// (the store buffer is the CPU's). direct_page() returns nullptr: with caches modelled, every access
// must go through them (a direct host pointer would bypass dirty lines and the invalidate queue).
//
// DmaPort: reads and writes are MemorySystem::dma_read/dma_write whatever the AccessKind.
#pragma once
#include "sim/cache_mesi/memory_system.h"
#include "sim/core/memory_port.h"

namespace smpsim::cache_mesi {

class CpuPort final : public MemoryPort {
  public:
    CpuPort(MemorySystem& memory, u32 cpu, const u64* clock = nullptr)
        : memory_(memory), cpu_(cpu), clock_(clock) {}
    void set_clock(const u64* clock) { clock_ = clock; }
    u32 cpu() const { return cpu_; }

    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind kind) override;
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind kind) override;
    bool line_owned(u64 paddr) override;
    u32 ownership_latency(u64 paddr) override { return memory_.ownership_latency(cpu_, paddr); }
    void drain_invalidations() override;
    void note_store_buffer_stall(u64 paddr, u32 cycles) override;
    u64 access_order() override { return memory_.access_order(); }
    bool written_by_others_since(u64 paddr, u64 order) override {
        return memory_.written_by_others_since(cpu_, paddr, order);
    }
    void note_store_load_reordering(u64 load_rip, u64 load_paddr, u64 store_rip, u64 store_paddr) override {
        memory_.add_reordering(ReorderKind::StoreLoad, cpu_, load_rip, load_paddr, store_rip, store_paddr);
    }
    void note_store_load_window(u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                                u64 store_paddr) override {
        memory_.add_store_load_window(cpu_, load_rip, load_paddr, load_cycle, store_rip, store_paddr, now());
    }
    void note_store_store_reordering(u64 store_rip, u64 store_paddr, u64 older_rip,
                                     u64 older_paddr) override {
        memory_.add_reordering(ReorderKind::StoreStore, cpu_, store_rip, store_paddr, older_rip, older_paddr);
    }

  private:
    u64 now() const { return clock_ ? *clock_ : 0; }
    MemorySystem& memory_;
    u32 cpu_;
    const u64* clock_;
};

class DmaPort final : public MemoryPort {
  public:
    explicit DmaPort(MemorySystem& memory, const u64* clock = nullptr) : memory_(memory), clock_(clock) {}
    void set_clock(const u64* clock) { clock_ = clock; }

    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind kind) override;
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind kind) override;

  private:
    u64 now() const { return clock_ ? *clock_ : 0; }
    MemorySystem& memory_;
    const u64* clock_;
};

} // namespace smpsim::cache_mesi
