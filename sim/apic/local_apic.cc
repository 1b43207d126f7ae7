#include "sim/apic/local_apic.h"

#include <algorithm>
#include <bit>

namespace smpsim::apic {

namespace {

// Writable bits of each LVT register (SDM 10.5.1, figure "Local Vector Table").
constexpr u32 kVectorMask = 0xFF, kModeMask = 0x700;
constexpr u32 kLvtWritable[] = {
    kVectorMask | LocalApic::kMasked | LocalApic::kTimerPeriodic, // timer (no TSC-deadline)
    kVectorMask | kModeMask | LocalApic::kMasked,                 // thermal
    kVectorMask | kModeMask | LocalApic::kMasked,                 // performance counters
    kVectorMask | kModeMask | LocalApic::kPolarityLow | LocalApic::kLevelTrigger |
        LocalApic::kMasked, // LINT0
    kVectorMask | kModeMask | LocalApic::kPolarityLow | LocalApic::kLevelTrigger |
        LocalApic::kMasked,           // LINT1
    kVectorMask | LocalApic::kMasked, // error
};

DeliveryMode mode_of(u32 reg) {
    return DeliveryMode((reg >> 8) & 7);
}

} // namespace

LocalApic::LocalApic(u8 apic_id, u64 timer_hz) : initial_id_(apic_id), timer_hz_(timer_hz ? timer_hz : 1) {
    reset();
}

void LocalApic::reset() {
    reset_registers(false);
    update_intr(true);
}

void LocalApic::set_virtual_wire_mode() {
    lvt_[kLint0] = u32(DeliveryMode::ExtInt) << 8;
    lvt_[kLint1] = u32(DeliveryMode::Nmi) << 8;
    update_intr();
}

void LocalApic::reset_registers(bool keep_id) {
    if (!keep_id) id_ = u32(initial_id_) << 24;
    tpr_ = 0;
    ldr_ = 0;
    dfr_ = 0xFFFFFFFF;
    svr_ = 0xFF;
    icr_low_ = icr_high_ = 0;
    esr_ = esr_pending_ = 0;
    lvt_.fill(kMasked);
    irr_.fill(0);
    isr_.fill(0);
    tmr_.fill(0);
    extint_message_ = false;
    timer_initial_ = 0;
    timer_divide_ = 0;
    timer_running_ = false;
    ref_tick_ = 0;
    ref_count_ = 0;
}

int LocalApic::highest(const Bits& b) {
    for (int i = 7; i >= 0; --i)
        if (b[i]) return i * 32 + 31 - std::countl_zero(b[i]);
    return -1;
}

u8 LocalApic::ppr() const {
    // SDM 10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0.
    const int isrv = std::max(highest(isr_), 0);
    if ((tpr_ & 0xF0) >= u32(isrv & 0xF0)) return u8(tpr_);
    return u8(isrv & 0xF0);
}

u8 LocalApic::arbitration_priority() const {
    // SDM 10.6.2.4 (lowest-priority delivery) / APR: the TPR when it dominates both the highest pending and
    // the highest in-service class, else the highest of the three classes.
    const u32 isrv = u32(std::max(highest(isr_), 0)) & 0xF0;
    const u32 irrv = u32(std::max(highest(irr_), 0)) & 0xF0;
    const u32 tpr_class = tpr_ & 0xF0;
    if (tpr_class >= irrv && tpr_class > isrv) return u8(tpr_);
    return u8(std::max({tpr_class, isrv, irrv}));
}

u64 LocalApic::clamp_now(u64 now) {
    last_now_ = std::max(last_now_, now);
    return last_now_;
}

// ---------------------------------------------------------------------------------------------------
// Registers

u32 LocalApic::read(u32 offset, u64 now) {
    advance(now);
    now = last_now_;
    offset &= kPageSize - 1;
    if (offset & 0xF) return 0;
    if (offset >= kIsr && offset < kIsr + 0x80) return isr_[(offset - kIsr) >> 4];
    if (offset >= kTmr && offset < kTmr + 0x80) return tmr_[(offset - kTmr) >> 4];
    if (offset >= kIrr && offset < kIrr + 0x80) return irr_[(offset - kIrr) >> 4];
    switch (offset) {
    case kId: return id_;
    case kVersion: return kVersionValue;
    case kTpr: return tpr_;
    case kApr: return arbitration_priority();
    case kPpr: return ppr();
    case kEoi: return 0; // write-only
    case kRrd: return 0; // remote read is not supported (its status would say "invalid")
    case kLdr: return ldr_;
    case kDfr: return dfr_;
    case kSvr: return svr_;
    case kEsr: return esr_;
    case kIcrLow: return icr_low_;
    case kIcrHigh: return icr_high_;
    case kLvtTimer: return lvt_[kTimer];
    case kLvtThermal: return lvt_[kThermal];
    case kLvtPerf: return lvt_[kPerf];
    case kLvtLint0: return lvt_[kLint0];
    case kLvtLint1: return lvt_[kLint1];
    case kLvtError: return lvt_[kError];
    case kTimerInitial: return timer_initial_;
    case kTimerCurrent: return timer_current(now);
    case kTimerDivide: return timer_divide_;
    default: signal_error(kEsrIllegalRegister); return 0;
    }
}

void LocalApic::write(u32 offset, u32 value, u64 now) {
    advance(now);
    now = last_now_;
    offset &= kPageSize - 1;
    if (offset & 0xF) return;
    if (offset >= kIsr && offset < kIrr + 0x80) return; // ISR, TMR, IRR are read-only
    switch (offset) {
    case kId: id_ = value & 0xFF000000; break;
    case kVersion:
    case kApr:
    case kPpr:
    case kRrd:
    case kTimerCurrent: break; // read-only: ignored
    case kTpr:
        tpr_ = value & 0xFF;
        update_intr();
        break;
    case kEoi: do_eoi(); break;
    case kLdr: ldr_ = value & 0xFF000000; break;
    case kDfr: dfr_ = (value & 0xF0000000) | 0x0FFFFFFF; break;
    case kSvr: {
        const bool was_enabled = software_enabled();
        svr_ = value & (0xFF | kSvrEnable | kSvrFocus);
        if (was_enabled && !software_enabled())
            for (auto& l : lvt_)
                l |= kMasked; // SDM 10.4.7.2
        update_intr();
        break;
    }
    case kEsr:
        // SDM 10.5.3: a write makes the errors collected since the previous write readable.
        esr_ = esr_pending_;
        esr_pending_ = 0;
        break;
    case kIcrLow:
        icr_low_ = value & ~kDeliveryStatus & 0x000CCFFF;
        send_icr();
        break;
    case kIcrHigh: icr_high_ = value & 0xFF000000; break;
    case kLvtTimer: write_lvt(kTimer, value); break;
    case kLvtThermal: write_lvt(kThermal, value); break;
    case kLvtPerf: write_lvt(kPerf, value); break;
    case kLvtLint0: write_lvt(kLint0, value); break;
    case kLvtLint1: write_lvt(kLint1, value); break;
    case kLvtError: write_lvt(kError, value); break;
    case kTimerInitial:
        timer_initial_ = value;
        start_timer(now, value); // 0 stops the timer (SDM 10.5.4)
        break;
    case kTimerDivide: {
        const u32 current = timer_current(now);
        timer_divide_ = value & 0xB;
        if (timer_running_) start_timer(now, current); // the count continues at the new rate
        break;
    }
    default: signal_error(kEsrIllegalRegister); break;
    }
}

void LocalApic::write_lvt(int index, u32 value) {
    u32 v = value & kLvtWritable[index];
    if (!software_enabled()) v |= kMasked; // masks cannot be cleared while software-disabled
    if (index == kLint0 || index == kLint1) v |= lvt_[index] & kRemoteIrr;
    lvt_[index] = v;
    if (index == kLint0 || index == kLint1) {
        // A level-triggered input that is still asserted is delivered when it gets unmasked.
        const int pin = index - kLint0;
        const bool asserted = lint_asserted(pin);
        lint_changed(pin, asserted);
    }
    update_intr();
}

// ---------------------------------------------------------------------------------------------------
// Timer (SDM 10.5.4)

u32 LocalApic::timer_divisor() const {
    const u32 code = ((timer_divide_ >> 1) & 4) | (timer_divide_ & 3);
    return code == 7 ? 1 : 2u << code;
}

void LocalApic::start_timer(u64 now, u32 count) {
    timer_running_ = count != 0;
    ref_tick_ = now;
    ref_count_ = count;
}

u32 LocalApic::timer_current(u64 now) const {
    if (!timer_running_) return 0;
    const u64 div = timer_divisor();
    const u64 elapsed = (now - std::min(now, ref_tick_)) / div;
    if (elapsed < ref_count_) return u32(ref_count_ - elapsed);
    if (!(lvt_[kTimer] & kTimerPeriodic) || timer_initial_ == 0) return 0;
    return u32(timer_initial_ - (elapsed - ref_count_) % timer_initial_);
}

std::optional<u64> LocalApic::next_timer_event(u64) const {
    if (!timer_running_) return std::nullopt;
    return ref_tick_ + u64(ref_count_) * timer_divisor();
}

void LocalApic::advance(u64 now) {
    now = clamp_now(now);
    if (!timer_running_) return;
    const u64 div = timer_divisor();
    const u64 fire = ref_tick_ + u64(ref_count_) * div;
    if (now < fire) return;
    if ((lvt_[kTimer] & kTimerPeriodic) && timer_initial_ != 0) {
        // Reload; expiries that passed unseen merge into one IRR bit, as they would in hardware.
        const u64 period = u64(timer_initial_) * div;
        ref_tick_ = fire + (now - fire) / period * period;
        ref_count_ = timer_initial_;
    } else {
        timer_running_ = false;
    }
    timer_fire();
}

void LocalApic::timer_fire() {
    const u32 lvt = lvt_[kTimer];
    if (!(lvt & kMasked)) accept_vector(u8(lvt), false);
}

// ---------------------------------------------------------------------------------------------------
// Interrupt acceptance and dispatch (SDM 10.8)

void LocalApic::accept_vector(u8 vector, bool level) {
    if (vector < 16) {
        signal_error(kEsrReceiveIllegalVector);
        return;
    }
    set(irr_, vector);
    if (level)
        set(tmr_, vector);
    else
        clear(tmr_, vector);
    update_intr();
}

void LocalApic::signal_error(u8 bits) {
    esr_pending_ |= bits;
    if (in_error_ || (lvt_[kError] & kMasked)) return;
    in_error_ = true; // an illegal error vector must not recurse
    accept_vector(u8(lvt_[kError]), false);
    in_error_ = false;
}

bool LocalApic::extint_requested() const {
    if (extint_message_) return true;
    for (int pin = 0; pin < 2; ++pin) {
        const u32 lvt = lvt_[kLint0 + pin];
        if (!(lvt & kMasked) && mode_of(lvt) == DeliveryMode::ExtInt && lint_asserted(pin)) return true;
    }
    return false;
}

int LocalApic::deliverable_vector() const {
    const int v = highest(irr_);
    if (v < 0) return -1;
    return (u32(v) & 0xF0) > (u32(ppr()) & 0xF0) ? v : -1;
}

bool LocalApic::has_pending() {
    return extint_requested() || deliverable_vector() >= 0;
}

u8 LocalApic::acknowledge() {
    if (extint_requested()) {
        // ExtINT: the 8259A supplies the vector; nothing enters IRR/ISR (SDM 10.5.1, "ExtINT").
        extint_message_ = false;
        const u8 vector = extint_ ? extint_->acknowledge() : u8(svr_);
        update_intr();
        return vector;
    }
    const int v = deliverable_vector();
    if (v < 0) return u8(svr_); // spurious interrupt: not placed in ISR, needs no EOI (SDM 10.9)
    clear(irr_, unsigned(v));
    set(isr_, unsigned(v));
    update_intr();
    return u8(v);
}

void LocalApic::do_eoi() {
    const int v = highest(isr_);
    if (v < 0) return;
    clear(isr_, unsigned(v));
    const bool level = test(tmr_, unsigned(v));
    if (level) {
        for (int pin = 0; pin < 2; ++pin) {
            u32& lvt = lvt_[kLint0 + pin];
            if ((lvt & kRemoteIrr) && u8(lvt) == v) lvt &= ~kRemoteIrr;
        }
    }
    update_intr();
    if (level) {
        // SDM 10.8.5: the EOI of a level-triggered interrupt goes to every I/O APIC.
        if (bus_) bus_->broadcast_eoi(u8(v));
        for (int pin = 0; pin < 2; ++pin)
            lint_changed(pin, lint_asserted(pin)); // still asserted: again
    }
}

void LocalApic::update_intr(bool force) {
    const bool level = has_pending();
    if (!force && level == intr_level_) return;
    intr_level_ = level;
    if (sink_) sink_->set_intr(level);
}

// ---------------------------------------------------------------------------------------------------
// LINT0/LINT1 (SDM 10.5.1)

bool LocalApic::lint_asserted(int pin) const {
    const bool active_low = lvt_[kLint0 + pin] & kPolarityLow;
    return lint_raw_[pin] != active_low;
}

void LocalApic::set_lint(int pin, bool level) {
    const bool was = lint_asserted(pin);
    lint_raw_[pin] = level;
    lint_changed(pin, was);
}

void LocalApic::lint_changed(int pin, bool was_asserted) {
    const u32 lvt = lvt_[kLint0 + pin];
    const bool now_asserted = lint_asserted(pin);
    const bool rising = now_asserted && !was_asserted;
    const DeliveryMode mode = mode_of(lvt);
    if (mode == DeliveryMode::ExtInt || (lvt & kMasked)) {
        update_intr(); // ExtINT follows the line level
        return;
    }
    switch (mode) {
    case DeliveryMode::Fixed:
        // Level-triggered fixed interrupts use remote IRR; LINT1 is edge-only (SDM 10.5.1).
        if ((lvt & kLevelTrigger) && pin == 0) {
            if (now_asserted && !(lvt & kRemoteIrr) && u8(lvt) >= 16) {
                lvt_[kLint0 + pin] |= kRemoteIrr;
                accept_vector(u8(lvt), true);
            } else if (now_asserted && u8(lvt) < 16) {
                accept_vector(u8(lvt), true); // logs the illegal vector
            }
        } else if (rising) {
            accept_vector(u8(lvt), false);
        }
        break;
    case DeliveryMode::Nmi:
        if (rising && sink_) sink_->raise_nmi();
        break;
    case DeliveryMode::Init:
        if (rising) {
            ApicMessage m;
            m.mode = DeliveryMode::Init;
            deliver_local(m);
        }
        break;
    default: break; // SMI and reserved modes: no effect
    }
}

// ---------------------------------------------------------------------------------------------------
// APIC bus (SDM 10.6)

bool LocalApic::accepts(const ApicMessage& m) const {
    const bool maskable = m.mode == DeliveryMode::Fixed || m.mode == DeliveryMode::LowestPriority ||
                          m.mode == DeliveryMode::ExtInt;
    if (maskable && !software_enabled()) return false; // SDM 10.4.7.2: only NMI, SMI, INIT, SIPI
    const u8 my_id = id();
    switch (m.shorthand) {
    case DestShorthand::Self: return m.source_apic_id == my_id;
    case DestShorthand::AllIncludingSelf: return true;
    case DestShorthand::AllExcludingSelf: return m.source_apic_id != my_id;
    case DestShorthand::None: break;
    }
    const u8 dest = u8(m.destination);
    if (!m.logical) return dest == 0xFF || dest == my_id; // SDM 10.6.2.1
    // SDM 10.6.2.2: logical destinations.
    const u8 ldr = u8(ldr_ >> 24);
    if ((dfr_ >> 28) == 0xF) return (dest & ldr) != 0; // flat model
    // Cluster model: bits 7:4 cluster (15 = all clusters), bits 3:0 one bit per APIC in the cluster.
    const bool cluster_match = (dest >> 4) == 0xF || (dest >> 4) == (ldr >> 4);
    return cluster_match && (dest & ldr & 0x0F) != 0;
}

void LocalApic::receive(const ApicMessage& m) {
    deliver_local(m);
}

void LocalApic::deliver_local(const ApicMessage& m) {
    switch (m.mode) {
    case DeliveryMode::Fixed:
    case DeliveryMode::LowestPriority:
        if (!software_enabled()) return;
        accept_vector(m.vector, m.level_triggered);
        break;
    case DeliveryMode::Nmi:
        if (sink_) sink_->raise_nmi();
        break;
    case DeliveryMode::Init:
        if (!m.assert) return; // INIT level de-assert only resynchronises arbitration IDs
        // SDM 10.4.7.3: INIT resets the APIC except its ID.
        reset_registers(true);
        update_intr(true);
        if (sink_) sink_->raise_init();
        break;
    case DeliveryMode::StartUp:
        if (sink_) sink_->raise_sipi(m.vector);
        break;
    case DeliveryMode::ExtInt:
        if (!software_enabled()) return;
        extint_message_ = true;
        update_intr();
        break;
    case DeliveryMode::Smi: break;
    }
}

void LocalApic::send_icr() {
    const u32 mode_bits = (icr_low_ >> 8) & 7;
    if (mode_bits == 3 || mode_bits == 7) return; // reserved delivery modes
    ApicMessage m;
    m.vector = u8(icr_low_);
    m.mode = DeliveryMode(mode_bits);
    m.logical = (icr_low_ & kIcrLogical) != 0;
    m.destination = icr_high_ >> 24;
    m.shorthand = DestShorthand((icr_low_ >> 18) & 3);
    m.source_apic_id = id();
    // SDM 10.6.1: the trigger mode only matters for INIT level de-assert; IPIs are edge-triggered.
    if (m.mode == DeliveryMode::Init && (icr_low_ & kLevelTrigger) && !(icr_low_ & kIcrLevelAssert)) {
        m.assert = false;
        m.level_triggered = true;
    }
    if ((m.mode == DeliveryMode::Fixed || m.mode == DeliveryMode::LowestPriority) && m.vector < 16) {
        signal_error(kEsrSendIllegalVector);
        return;
    }
    if (bus_)
        bus_->send(m);
    else if (accepts(m))
        deliver_local(m);
    // Delivery is immediate: the delivery-status bit is already idle.
}

} // namespace smpsim::apic
