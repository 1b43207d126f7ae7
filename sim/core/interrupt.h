// Interrupt interfaces shared by CPUs and interrupt controllers.
#pragma once
#include "sim/core/types.h"

namespace smpsim {

// What a CPU exposes to the controller in front of it (a local APIC or, without one, the 8259A).
class InterruptSink {
  public:
    virtual ~InterruptSink() = default;
    // The maskable INTR line changed level.
    virtual void set_intr(bool level) = 0;
    virtual void raise_nmi() = 0;
    virtual void raise_init() = 0;
    virtual void raise_sipi(u8 vector) = 0;
};

// What a CPU asks of its interrupt controller when it takes a maskable interrupt (the INTA cycle).
class InterruptSource {
  public:
    virtual ~InterruptSource() = default;
    virtual bool has_pending() = 0;
    // Returns the vector to deliver and moves it to in-service.
    virtual u8 acknowledge() = 0;
};

} // namespace smpsim
