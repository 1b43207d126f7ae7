#include "sim/apic/io_apic.h"

namespace smpsim::apic {

namespace {
// Writable bits of a redirection entry: everything but delivery status and remote IRR.
constexpr u64 kEntryWritable =
    0xFF00000000000000ull | (0x1FFFFull & ~(IoApic::kDeliveryStatus | IoApic::kRemoteIrr));

DeliveryMode mode_of(u64 entry) {
    return DeliveryMode((entry >> 8) & 7);
}

bool uses_remote_irr(u64 entry) {
    const DeliveryMode m = mode_of(entry);
    return (entry & IoApic::kLevelTrigger) && (m == DeliveryMode::Fixed || m == DeliveryMode::LowestPriority);
}
} // namespace

IoApic::IoApic(u8 id) : initial_id_(id & 0x0F) {
    for (unsigned n = 0; n < kPins; ++n) {
        pins_[n].owner = this;
        pins_[n].index = n;
    }
    reset();
}

void IoApic::reset() {
    id_ = u32(initial_id_) << 24;
    regsel_ = 0;
    entries_.fill(kMasked);
}

u32 IoApic::read(u32 offset) {
    switch (offset) {
    case kRegSel: return regsel_;
    case kWindow: return read_register(regsel_);
    default: return 0;
    }
}

void IoApic::write(u32 offset, u32 value) {
    switch (offset) {
    case kRegSel: regsel_ = u8(value); break;
    case kWindow: write_register(regsel_, value); break;
    default: break;
    }
}

u32 IoApic::read_register(u8 index) const {
    switch (index) {
    case kRegId: return id_;
    case kRegVersion: return kVersionValue;
    case kRegArbitration: return id_;
    default: break;
    }
    if (index >= kRegRedirection && index < kRegRedirection + 2 * kPins) {
        const u64 e = entries_[(index - kRegRedirection) / 2];
        return (index & 1) ? u32(e >> 32) : u32(e);
    }
    return 0;
}

void IoApic::write_register(u8 index, u32 value) {
    if (index == kRegId) {
        id_ = value & 0x0F000000;
        return;
    }
    if (index < kRegRedirection || index >= kRegRedirection + 2 * kPins) return; // read-only or reserved
    const unsigned n = (index - kRegRedirection) / 2;
    u64& e = entries_[n];
    const u64 keep = e & (kDeliveryStatus | kRemoteIrr);
    u64 updated = (index & 1) ? (e & 0xFFFFFFFFull) | (u64(value) << 32) : (e & ~0xFFFFFFFFull) | value;
    updated = (updated & kEntryWritable) | keep;
    // Changing to edge trigger drops a stale remote IRR (it only means something for level pins).
    if (!(updated & kLevelTrigger)) updated &= ~kRemoteIrr;
    e = updated;
    evaluate_level(n); // an unmasked, still-asserted level pin is delivered now
}

bool IoApic::asserted(unsigned n) const {
    return raw_[n] != bool(entries_[n] & kPolarityLow);
}

void IoApic::set_pin(unsigned n, bool level) {
    const bool was = asserted(n);
    raw_[n] = level;
    const bool now = asserted(n);
    if (uses_remote_irr(entries_[n]))
        evaluate_level(n);
    else if (now && !was && !(entries_[n] & kMasked))
        send(n);
}

void IoApic::evaluate_level(unsigned n) {
    u64& e = entries_[n];
    if (!uses_remote_irr(e) || (e & kMasked) || (e & kRemoteIrr) || !asserted(n)) return;
    e |= kRemoteIrr;
    send(n);
}

void IoApic::eoi(u8 vector) {
    for (unsigned n = 0; n < kPins; ++n) {
        u64& e = entries_[n];
        if ((e & kRemoteIrr) && u8(e) == vector) {
            e &= ~kRemoteIrr;
            evaluate_level(n);
        }
    }
}

void IoApic::send(unsigned n) {
    const u64 e = entries_[n];
    const u32 mode_bits = u32(e >> 8) & 7;
    if (mode_bits == 3 || mode_bits == 6) return; // reserved delivery modes
    ApicMessage m;
    m.vector = u8(e);
    m.mode = mode_of(e);
    m.logical = (e & kLogical) != 0;
    m.destination = u32(e >> 56);
    m.level_triggered = uses_remote_irr(e);
    m.source_apic_id = id();
    ++messages_sent_;
    if (bus_) bus_->send(m);
}

} // namespace smpsim::apic
