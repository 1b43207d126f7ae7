// What a CPU tells an observer about its control flow, for reports and traces (sim/report): when it
// enters an interrupt or exception handler and when it returns from one. The CPU calls the observer
// from its interpreter thread; `cycle` is the CPU's own cycle count (its local time).
#pragma once
#include "sim/core/types.h"

namespace smpsim {

class CpuEventObserver {
  public:
    virtual ~CpuEventObserver() = default;
    // Delivery of `vector` through the IDT/IVT began: an external interrupt (`external`: from the
    // interrupt controller, or NMI) or an exception / software interrupt.
    virtual void interrupt_entry(u32 cpu, u8 vector, bool external, u64 cycle) = 0;
    // IRET: the handler entered last returns.
    virtual void interrupt_return(u32 cpu, u64 cycle) = 0;
};

} // namespace smpsim
