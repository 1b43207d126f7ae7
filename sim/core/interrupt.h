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

namespace smpsim {

// Interrupt messages between APICs (the "APIC bus" of the seed notes; on modern parts, system-bus
// messages). I/O APIC redirection entries, MSI writes and local APIC ICR writes all become one.
enum class DeliveryMode : u8 {
    Fixed = 0,
    LowestPriority = 1,
    Smi = 2,
    Nmi = 4,
    Init = 5,
    StartUp = 6,
    ExtInt = 7,
};

enum class DestShorthand : u8 { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 };

struct ApicMessage {
    u8 vector = 0;
    DeliveryMode mode = DeliveryMode::Fixed;
    bool logical = false; // destination mode: physical APIC ID or logical (LDR/DFR)
    u32 destination = 0;  // 8-bit xAPIC destination (0xff = broadcast in physical mode)
    bool level_triggered = false;
    bool assert = true; // INIT level de-assert is the only message with assert = false
    DestShorthand shorthand = DestShorthand::None;
    u32 source_apic_id = 0; // sender, for shorthands that exclude it
};

// Delivers messages to the local APICs that the destination selects (the platform implements it:
// it knows every local APIC). EOIs of level-triggered vectors are broadcast to the I/O APICs.
class ApicBus {
  public:
    virtual ~ApicBus() = default;
    virtual void send(const ApicMessage& message) = 0;
    virtual void broadcast_eoi(u8 vector) = 0;
};

// A wire into an interrupt controller input (8259A IR pin, I/O APIC pin, local APIC LINT).
class InterruptLine {
  public:
    virtual ~InterruptLine() = default;
    virtual void set_level(bool level) = 0;
};

} // namespace smpsim
