// An ISA interrupt line as the PC wires it: one wire to an 8259A input and to the I/O APIC pin the MP
// table names for it (either may be absent).
#pragma once
#include "sim/core/interrupt.h"

namespace smpsim::platform {

struct IsaLine final : InterruptLine {
    InterruptLine* pic = nullptr;
    InterruptLine* ioapic = nullptr;
    void set_level(bool level) override {
        if (pic) pic->set_level(level);
        if (ioapic) ioapic->set_level(level);
    }
};

} // namespace smpsim::platform
