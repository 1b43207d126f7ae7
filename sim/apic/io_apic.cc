#include "sim/apic/io_apic.h"

namespace smpsim::apic {

namespace {
// Writable bits of a redirection entry: everything but delivery status and remote IRR.
constexpr u64 kEntryWritable =
    0xFF00000000000000ull | (0x1FFFFull & ~(IoApic::kDeliveryStatus | IoApic::kRemoteIrr));

bool uses_remote_irr(RedirectionEntry e) {
    const DeliveryMode m = e.delivery_mode();
    return e.level_triggered() && (m == DeliveryMode::Fixed || m == DeliveryMode::LowestPriority);
}
} // namespace

// 82093AA 3.1: the two registers the CPU sees directly.
std::span<const IoApic::WindowRegister> IoApic::window_table() {
    using R = WindowRegister;
    static const R kTable[] = {
        R{"IOREGSEL", kRegSel}.mask(0xFF),
        R{"IOWIN", kWindow}.read_with(&IoApic::read_window).write_with(&IoApic::write_window),
    };
    return kTable;
}

// 82093AA 3.2: the indirect registers, by register number. The ID's reset value is the constructor's.
std::span<const IoApic::WindowRegister> IoApic::register_table() {
    using R = WindowRegister;
    static const R kTable[] = {
        R{"IOAPICID", kRegId}.mask(0x0F000000),
        R{"IOAPICVER", kRegVersion}.init(kVersionValue).read_only(),
        R{"IOAPICARB", kRegArbitration}.read_only().read_with(&IoApic::read_arbitration),
        R{"IOREDTBL_LOW", kRegRedirection}
            .array(kPins, 2)
            .init(u32(kMasked))
            .mask(u32(kEntryWritable))
            .write_with(&IoApic::write_redirection_low),
        R{"IOREDTBL_HIGH", kRegRedirection + 1}
            .array(kPins, 2)
            .mask(u32(kEntryWritable >> 32))
            .write_with(&IoApic::write_redirection_high),
    };
    return kTable;
}

IoApic::IoApic(u8 id)
    : initial_id_(id & 0x0F), window_("ioapic", kMmioSize, window_table(), *this),
      registers_("ioapic IOWIN", 0x100, register_table(), *this, 1) {
    for (unsigned n = 0; n < kPins; ++n) {
        pins_[n].owner = this;
        pins_[n].index = n;
    }
    reset();
}

void IoApic::reset() {
    window_.reset();
    registers_.reset();
    registers_.at(kRegId) = u32(initial_id_) << 24;
}

u32 IoApic::read(u32 offset) {
    return window_.read(offset);
}

void IoApic::write(u32 offset, u32 value) {
    window_.write(offset, value);
}

u32 IoApic::read_register(u8 index) const {
    // Side-effect-free registers only: the arbitration ID is the ID.
    return index == kRegArbitration ? registers_.at(kRegId) : registers_.peek(index);
}

void IoApic::write_register(u8 index, u32 value) {
    registers_.write(index, value);
}

RedirectionEntry IoApic::entry(unsigned n) const {
    const u32 low = kRegRedirection + 2 * n;
    return RedirectionEntry{u64(registers_.at(low + 1)) << 32 | registers_.at(low)};
}

void IoApic::set_entry(unsigned n, RedirectionEntry e) {
    const u32 low = kRegRedirection + 2 * n;
    registers_.at(low) = u32(e.raw);
    registers_.at(low + 1) = u32(e.raw >> 32);
}

void IoApic::write_redirection_low(unsigned n, u32 value) {
    registers_.store(kRegRedirection + 2 * n, value); // keeps delivery status and remote IRR
    written(n);
}

void IoApic::write_redirection_high(unsigned n, u32 value) {
    registers_.store(kRegRedirection + 2 * n + 1, value);
    written(n);
}

void IoApic::written(unsigned n) {
    RedirectionEntry e = entry(n);
    // Changing to edge trigger drops a stale remote IRR (it only means something for level pins).
    if (!e.level_triggered()) e.set_remote_irr(false);
    set_entry(n, e);
    evaluate_level(n); // an unmasked, still-asserted level pin is delivered now
}

bool IoApic::asserted(unsigned n) const {
    return raw_[n] != entry(n).active_low();
}

void IoApic::set_pin(unsigned n, bool level) {
    const bool was = asserted(n);
    raw_[n] = level;
    const bool now = asserted(n);
    const RedirectionEntry e = entry(n);
    if (uses_remote_irr(e))
        evaluate_level(n);
    else if (now && !was && !e.masked())
        send(n);
}

void IoApic::evaluate_level(unsigned n) {
    RedirectionEntry e = entry(n);
    if (!uses_remote_irr(e) || e.masked() || e.remote_irr() || !asserted(n)) return;
    e.set_remote_irr(true);
    set_entry(n, e);
    send(n);
}

void IoApic::eoi(u8 vector) {
    for (unsigned n = 0; n < kPins; ++n) {
        RedirectionEntry e = entry(n);
        if (e.remote_irr() && e.vector() == vector) {
            e.set_remote_irr(false);
            set_entry(n, e);
            evaluate_level(n);
        }
    }
}

void IoApic::send(unsigned n) {
    const RedirectionEntry e = entry(n);
    const u32 mode_bits = e.delivery_mode_bits();
    if (mode_bits == 3 || mode_bits == 6) return; // reserved delivery modes
    ApicMessage m;
    m.vector = e.vector();
    m.mode = e.delivery_mode();
    m.logical = e.logical();
    m.destination = e.destination();
    m.level_triggered = uses_remote_irr(e);
    m.source_apic_id = id();
    ++messages_sent_;
    if (bus_) bus_->send(m);
}

} // namespace smpsim::apic
