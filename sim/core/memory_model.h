// The memory-ordering models a run can choose (`--model`), shared by the CPUs' store buffers and the
// caches' invalidate queues.
#pragma once
#include "sim/core/types.h"

namespace smpsim {

enum class MemoryModel : u8 {
    Tso,  // x86-TSO: FIFO store buffer, invalidations applied on arrival
    Weak, // store buffer may commit owned lines early (until SFENCE); invalidations queued (until LFENCE)
};

} // namespace smpsim
