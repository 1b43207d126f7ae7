#include "sim/cache_mesi/ports.h"

#include <cstring>

namespace smpsim::cache_mesi {

namespace {
MemoryResult to_memory_result(const AccessResult& r) {
    return MemoryResult{r.ok, r.latency};
}
} // namespace

MemoryResult CpuPort::read(u64 paddr, void* dst, u32 size, AccessKind kind) {
    if (kind == AccessKind::Dma) {
        return to_memory_result(memory_.dma_read(paddr, dst, size, now()));
    }
    if (size == 0) return {};
    if (size > 8) return to_memory_result(memory_.read_bytes(cpu_, paddr, dst, size, now()));
    AccessResult r;
    switch (kind) {
    case AccessKind::Fetch: r = memory_.fetch(cpu_, paddr, size, now()); break;
    case AccessKind::PageWalk: r = memory_.page_walk_read(cpu_, paddr, size, now()); break;
    default: r = memory_.load(cpu_, paddr, size, now()); break;
    }
    if (r.ok) std::memcpy(dst, &r.value, size);
    return to_memory_result(r);
}

MemoryResult CpuPort::write(u64 paddr, const void* src, u32 size, AccessKind kind) {
    if (kind == AccessKind::Dma) {
        return to_memory_result(memory_.dma_write(paddr, src, size, now()));
    }
    if (size == 0) return {};
    if (size > 8) return to_memory_result(memory_.write_bytes(cpu_, paddr, src, size, now()));
    u64 value = 0;
    std::memcpy(&value, src, size);
    const AccessResult r = kind == AccessKind::PageWalk
                               ? memory_.page_walk_write(cpu_, paddr, size, value, now())
                               : memory_.store(cpu_, paddr, size, value, now());
    return to_memory_result(r);
}

MemoryResult DmaPort::read(u64 paddr, void* dst, u32 size, AccessKind) {
    return to_memory_result(memory_.dma_read(paddr, dst, size, now()));
}

MemoryResult DmaPort::write(u64 paddr, const void* src, u32 size, AccessKind) {
    return to_memory_result(memory_.dma_write(paddr, src, size, now()));
}

bool CpuPort::line_owned(u64 paddr) {
    return memory_.is_owned(cpu_, paddr);
}

void CpuPort::drain_invalidations() {
    memory_.drain_invalidate_queue(cpu_);
}

void CpuPort::note_store_buffer_stall(u64 paddr, u32 cycles) {
    memory_.add_store_buffer_stall(cpu_, paddr, cycles);
}

} // namespace smpsim::cache_mesi
