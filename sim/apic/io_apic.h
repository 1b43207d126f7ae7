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
#include "sim/core/register_bank.h"
#include "sim/core/types.h"

#include <array>
#include <span>

namespace smpsim::apic {

// One redirection-table entry (82093AA 3.2.4) as named fields of its 64 bits, in the manner of gem5's
// i82094aa.hh, but with explicit shifts and masks (regs::BitField): C++ bit-field layout is
// implementation-defined.
struct RedirectionEntry {
    using Vector = regs::BitField<u64, 0, 8>;
    using DeliveryModeBits = regs::BitField<u64, 8, 3>;
    using DestinationMode = regs::BitField<u64, 11, 1>; // 1 = logical
    using DeliveryStatus = regs::BitField<u64, 12, 1>;  // read-only; always idle here
    using Polarity = regs::BitField<u64, 13, 1>;        // 1 = active low
    using RemoteIrr = regs::BitField<u64, 14, 1>;       // read-only
    using TriggerMode = regs::BitField<u64, 15, 1>;     // 1 = level
    using Mask = regs::BitField<u64, 16, 1>;
    using Destination = regs::BitField<u64, 56, 8>;

    u64 raw = 0;

    u8 vector() const { return u8(Vector::get(raw)); }
    u32 delivery_mode_bits() const { return u32(DeliveryModeBits::get(raw)); }
    DeliveryMode delivery_mode() const { return DeliveryMode(delivery_mode_bits()); }
    bool logical() const { return DestinationMode::get(raw); }
    bool active_low() const { return Polarity::get(raw); }
    bool remote_irr() const { return RemoteIrr::get(raw); }
    bool level_triggered() const { return TriggerMode::get(raw); }
    bool masked() const { return Mask::get(raw); }
    u8 destination() const { return u8(Destination::get(raw)); }
    void set_remote_irr(bool on) { raw = RemoteIrr::set(raw, on); }
};

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

    u64 redirection(unsigned n) const { return entry(n).raw; }
    u8 id() const { return u8((registers_.at(kRegId) >> 24) & 0x0F); }
    // Messages sent so far (statistics).
    u64 messages_sent() const { return messages_sent_; }

  private:
    class Pin final : public InterruptLine {
      public:
        void set_level(bool level) override { owner->set_pin(index, level); }
        IoApic* owner = nullptr;
        unsigned index = 0;
    };

    // The MMIO window and the indirect registers, declared in io_apic.cc.
    using WindowRegister = regs::Register<u32, IoApic>;
    static std::span<const WindowRegister> window_table();
    static std::span<const WindowRegister> register_table();
    u32 read_window(unsigned) { return registers_.read(window_.at(kRegSel)); }
    void write_window(unsigned, u32 value) { registers_.write(window_.at(kRegSel), value); }
    u32 read_arbitration(unsigned) { return registers_.at(kRegId); }
    void write_redirection_low(unsigned n, u32 value);
    void write_redirection_high(unsigned n, u32 value);
    void written(unsigned n);

    // Entry n is stored as two 32-bit registers, 0x10 + 2n (low) and 0x11 + 2n (high).
    RedirectionEntry entry(unsigned n) const;
    void set_entry(unsigned n, RedirectionEntry e);

    void set_pin(unsigned n, bool level);
    bool asserted(unsigned n) const;
    void evaluate_level(unsigned n);
    void send(unsigned n);

    const u8 initial_id_;
    ApicBus* bus_ = nullptr;
    regs::RegisterBank<u32, IoApic> window_;    // IOREGSEL, IOWIN (byte offsets)
    regs::RegisterBank<u32, IoApic> registers_; // what IOWIN reaches (register numbers)
    std::array<bool, kPins> raw_{};
    std::array<Pin, kPins> pins_{};
    u64 messages_sent_ = 0;
};

} // namespace smpsim::apic
