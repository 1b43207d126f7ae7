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

constexpr u32 kLvtAnyWritable =
    kLvtWritable[0] | kLvtWritable[1] | kLvtWritable[2] | kLvtWritable[3] | kLvtWritable[4] | kLvtWritable[5];

} // namespace

// Every register, declared once (SDM 10.4.1, table "Local APIC Register Address Map"; reset values from
// 10.4.7.1 and 10.12.5.1). The ID's reset value is the initial APIC ID, set by reset_registers().
std::span<const LocalApic::Register> LocalApic::register_table() {
    using R = Register;
    static const R kTable[] = {
        R{"ID", kId}.mask(0xFF000000),
        R{"VERSION", kVersion}.init(kVersionValue).read_only(),
        R{"TPR", kTpr}.mask(0xFF).write_with(&LocalApic::write_tpr),
        R{"APR", kApr}.read_only().read_with(&LocalApic::read_apr),
        R{"PPR", kPpr}.read_only().read_with(&LocalApic::read_ppr),
        R{"EOI", kEoi}.write_only().write_with(&LocalApic::write_eoi),
        R{"RRD", kRrd}.read_only(), // remote read is not supported (its status would say "invalid")
        R{"LDR", kLdr}.mask(0xFF000000),
        R{"DFR", kDfr}.init(0xFFFFFFFF).mask(0xF0000000), // bits 27:0 read as ones
        R{"SVR", kSvr}.init(0xFF).mask(0xFF | kSvrEnable | kSvrFocus).write_with(&LocalApic::write_svr),
        R{"ISR", kIsr}.array(8, 0x10).read_only().read_with(&LocalApic::read_isr),
        R{"TMR", kTmr}.array(8, 0x10).read_only().read_with(&LocalApic::read_tmr),
        R{"IRR", kIrr}.array(8, 0x10).read_only().read_with(&LocalApic::read_irr),
        R{"ESR", kEsr}.write_with(&LocalApic::write_esr),
        R{"ICR_LOW", kIcrLow}.mask(0x000CCFFF & ~kDeliveryStatus).write_with(&LocalApic::write_icr_low),
        R{"ICR_HIGH", kIcrHigh}.mask(0xFF000000),
        // Timer, thermal, performance counters, LINT0, LINT1, error: each has its own writable bits.
        R{"LVT", kLvtTimer}
            .array(kLvtCount, 0x10)
            .init(kMasked)
            .mask(kLvtAnyWritable)
            .write_with(&LocalApic::write_lvt),
        R{"TIMER_INITIAL", kTimerInitial}.write_with(&LocalApic::write_timer_initial),
        R{"TIMER_CURRENT", kTimerCurrent}.read_only().read_with(&LocalApic::read_timer_current),
        R{"TIMER_DIVIDE", kTimerDivide}.mask(0xB).write_with(&LocalApic::write_timer_divide),
    };
    return kTable;
}

LocalApic::LocalApic(u8 apic_id, u64 timer_hz)
    : initial_id_(apic_id), timer_hz_(timer_hz ? timer_hz : 1),
      regs_("lapic", kPageSize, register_table(), *this) {
    regs_.set_unknown_handler(&LocalApic::illegal_register);
    reset();
}

void LocalApic::reset() {
    reset_registers(false);
    update_intr(true);
}

void LocalApic::set_virtual_wire_mode() {
    lvt_at(kLint0) = u32(DeliveryMode::ExtInt) << 8;
    lvt_at(kLint1) = u32(DeliveryMode::Nmi) << 8;
    update_intr();
}

void LocalApic::reset_registers(bool keep_id) {
    const u32 id = keep_id ? regs_.at(kId) : u32(initial_id_) << 24;
    regs_.reset();
    regs_.at(kId) = id;
    esr_pending_ = 0;
    irr_.fill(0);
    isr_.fill(0);
    tmr_.fill(0);
    extint_message_ = false;
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
    if ((regs_.at(kTpr) & 0xF0) >= u32(isrv & 0xF0)) return u8(regs_.at(kTpr));
    return u8(isrv & 0xF0);
}

u8 LocalApic::arbitration_priority() const {
    // SDM 10.6.2.4 (lowest-priority delivery) / APR: the TPR when it dominates both the highest pending and
    // the highest in-service class, else the highest of the three classes.
    const u32 isrv = u32(std::max(highest(isr_), 0)) & 0xF0;
    const u32 irrv = u32(std::max(highest(irr_), 0)) & 0xF0;
    const u32 tpr_class = regs_.at(kTpr) & 0xF0;
    if (tpr_class >= irrv && tpr_class > isrv) return u8(regs_.at(kTpr));
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
    offset &= kPageSize - 1;
    if (offset & 0xF) return 0;
    return regs_.read(offset);
}

void LocalApic::write(u32 offset, u32 value, u64 now) {
    advance(now);
    offset &= kPageSize - 1;
    if (offset & 0xF) return;
    regs_.write(offset, value);
}

void LocalApic::illegal_register(u32, bool) {
    signal_error(kEsrIllegalRegister);
}

void LocalApic::write_tpr(unsigned, u32 value) {
    regs_.store(kTpr, value);
    update_intr();
}

void LocalApic::write_svr(unsigned, u32 value) {
    const bool was_enabled = software_enabled();
    regs_.store(kSvr, value);
    if (was_enabled && !software_enabled())
        for (int i = 0; i < kLvtCount; ++i)
            lvt_at(i) |= kMasked; // SDM 10.4.7.2
    update_intr();
}

void LocalApic::write_esr(unsigned, u32) {
    // SDM 10.5.3: a write makes the errors collected since the previous write readable.
    regs_.at(kEsr) = esr_pending_;
    esr_pending_ = 0;
}

void LocalApic::write_icr_low(unsigned, u32 value) {
    regs_.store(kIcrLow, value);
    send_icr();
}

void LocalApic::write_timer_initial(unsigned, u32 value) {
    regs_.store(kTimerInitial, value);
    start_timer(last_now_, value); // 0 stops the timer (SDM 10.5.4)
}

void LocalApic::write_timer_divide(unsigned, u32 value) {
    const u32 current = timer_current(last_now_);
    regs_.store(kTimerDivide, value);
    if (timer_running_) start_timer(last_now_, current); // the count continues at the new rate
}

void LocalApic::write_lvt(unsigned entry, u32 value) {
    const int index = int(entry);
    u32 v = value & kLvtWritable[index];
    if (!software_enabled()) v |= kMasked; // masks cannot be cleared while software-disabled
    if (index == kLint0 || index == kLint1) v |= lvt_at(index) & kRemoteIrr;
    lvt_at(index) = v;
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
    const u32 code = ((regs_.at(kTimerDivide) >> 1) & 4) | (regs_.at(kTimerDivide) & 3);
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
    if (!(lvt_at(kTimer) & kTimerPeriodic) || regs_.at(kTimerInitial) == 0) return 0;
    return u32(regs_.at(kTimerInitial) - (elapsed - ref_count_) % regs_.at(kTimerInitial));
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
    if ((lvt_at(kTimer) & kTimerPeriodic) && regs_.at(kTimerInitial) != 0) {
        // Reload; expiries that passed unseen merge into one IRR bit, as they would in hardware.
        const u64 period = u64(regs_.at(kTimerInitial)) * div;
        ref_tick_ = fire + (now - fire) / period * period;
        ref_count_ = regs_.at(kTimerInitial);
    } else {
        timer_running_ = false;
    }
    timer_fire();
}

void LocalApic::timer_fire() {
    const u32 lvt = lvt_at(kTimer);
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
    if (in_error_ || (lvt_at(kError) & kMasked)) return;
    in_error_ = true; // an illegal error vector must not recurse
    accept_vector(u8(lvt_at(kError)), false);
    in_error_ = false;
}

bool LocalApic::extint_requested() const {
    if (extint_message_) return true;
    for (int pin = 0; pin < 2; ++pin) {
        const u32 lvt = lvt_at(kLint0 + pin);
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
        const u8 vector = extint_ ? extint_->acknowledge() : u8(regs_.at(kSvr));
        update_intr();
        return vector;
    }
    const int v = deliverable_vector();
    if (v < 0) return u8(regs_.at(kSvr)); // spurious interrupt: not placed in ISR, needs no EOI (SDM 10.9)
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
            u32& lvt = lvt_at(kLint0 + pin);
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
    const bool active_low = lvt_at(kLint0 + pin) & kPolarityLow;
    return lint_raw_[pin] != active_low;
}

void LocalApic::set_lint(int pin, bool level) {
    const bool was = lint_asserted(pin);
    lint_raw_[pin] = level;
    lint_changed(pin, was);
}

void LocalApic::lint_changed(int pin, bool was_asserted) {
    const u32 lvt = lvt_at(kLint0 + pin);
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
                lvt_at(kLint0 + pin) |= kRemoteIrr;
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
    const u8 ldr = u8(regs_.at(kLdr) >> 24);
    if ((regs_.at(kDfr) >> 28) == 0xF) return (dest & ldr) != 0; // flat model
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
    const u32 mode_bits = (regs_.at(kIcrLow) >> 8) & 7;
    if (mode_bits == 3 || mode_bits == 7) return; // reserved delivery modes
    ApicMessage m;
    m.vector = u8(regs_.at(kIcrLow));
    m.mode = DeliveryMode(mode_bits);
    m.logical = (regs_.at(kIcrLow) & kIcrLogical) != 0;
    m.destination = regs_.at(kIcrHigh) >> 24;
    m.shorthand = DestShorthand((regs_.at(kIcrLow) >> 18) & 3);
    m.source_apic_id = id();
    // SDM 10.6.1: the trigger mode only matters for INIT level de-assert; IPIs are edge-triggered.
    if (m.mode == DeliveryMode::Init && (regs_.at(kIcrLow) & kLevelTrigger) &&
        !(regs_.at(kIcrLow) & kIcrLevelAssert)) {
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
