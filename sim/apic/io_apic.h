// The 82093AA I/O APIC (datasheet sections 3.0-3.2), without SystemC: 24 input pins, each routed by a
// 64-bit redirection-table entry into an ApicMessage on the APIC bus.
//
// MMIO (base 0xFEC00000): IOREGSEL at 0x00 (selects a register), IOWIN at 0x10 (reads/writes it).
//   register 0x00 ID           bits 27:24 rw
//   register 0x01 version      0x00170011 (24 entries, version 0x11) ro
//   register 0x02 arbitration  bits 27:24 ro (equal to the ID)
//   registers 0x10+2n / 0x11+2n: redirection entry n, low / high word
//     bits 7:0 vector, 10:8 delivery mode, 11 destination mode (1 = logical), 12 delivery status (ro),
//     13 polarity (1 = active low), 14 remote IRR (ro), 15 trigger mode (1 = level), 16 mask,
//     63:56 destination
//
// Model: messages are delivered at once (delivery status always reads idle). An edge-triggered pin sends
// one message per asserted edge while unmasked (edges while masked are lost). A level-triggered pin with
// Fixed or lowest-priority delivery sends while asserted and remote IRR is clear, then sets remote IRR;
// eoi(vector) clears it and sends again if the pin is still asserted; unmasking an asserted level pin
// sends. Other delivery modes (NMI, INIT, ExtINT, SMI) are treated as edge-triggered, as the datasheet
// requires for them.
#pragma once
#include "sim/core/interrupt.h"
#include "sim/core/types.h"

#include <array>

namespace smpsim::apic {

class IoApic {
  public:
    static constexpr u64 kDefaultBase = 0xFEC00000;
    static constexpr u32 kMmioSize = 0x20;
    static constexpr unsigned kPins = 24;
    // MMIO offsets and register indices.
    static constexpr u32 kRegSel = 0x00, kWindow = 0x10;
    static constexpr u8 kRegId = 0x00, kRegVersion = 0x01, kRegArbitration = 0x02, kRegRedirection = 0x10;
    static constexpr u32 kVersionValue = 0x00170011;
    // Redirection entry bits.
    static constexpr u64 kDeliveryStatus = 1u << 12, kPolarityLow = 1u << 13, kRemoteIrr = 1u << 14,
                         kLevelTrigger = 1u << 15, kMasked = 1u << 16, kLogical = 1u << 11;

    explicit IoApic(u8 id = 0);
    IoApic(const IoApic&) = delete;
    IoApic& operator=(const IoApic&) = delete;

    void set_bus(ApicBus* bus) { bus_ = bus; }
    // Power-on state: ID from the constructor, every entry masked, IOREGSEL 0. Pin levels are kept.
    void reset();

    // MMIO at `offset` of the I/O APIC window (32-bit accesses; IOREGSEL also as a byte).
    u32 read(u32 offset);
    void write(u32 offset, u32 value);
    // Indirect registers (what IOWIN reaches).
    u32 read_register(u8 index) const;
    void write_register(u8 index, u32 value);

    // Input pin n (0..23), raw electrical level; the entry's polarity is applied inside.
    InterruptLine& pin(unsigned n) { return pins_.at(n); }
    // An EOI for `vector` (from ApicBus::broadcast_eoi).
    void eoi(u8 vector);

    u64 redirection(unsigned n) const { return entries_.at(n); }
    u8 id() const { return u8((id_ >> 24) & 0x0F); }
    // Messages sent so far (statistics).
    u64 messages_sent() const { return messages_sent_; }

  private:
    class Pin final : public InterruptLine {
      public:
        void set_level(bool level) override { owner->set_pin(index, level); }
        IoApic* owner = nullptr;
        unsigned index = 0;
    };

    void set_pin(unsigned n, bool level);
    bool asserted(unsigned n) const;
    void evaluate_level(unsigned n);
    void send(unsigned n);

    const u8 initial_id_;
    ApicBus* bus_ = nullptr;
    u32 id_ = 0;
    u8 regsel_ = 0;
    std::array<u64, kPins> entries_{};
    std::array<bool, kPins> raw_{};
    std::array<Pin, kPins> pins_{};
    u64 messages_sent_ = 0;
};

} // namespace smpsim::apic
