// The local APIC of one CPU (xAPIC mode, Intel SDM vol. 3 ch. 10 "Advanced Programmable Interrupt
// Controller"), without SystemC. Registers are the 32-bit, 16-byte-aligned words of the 4 KiB page at
// 0xFEE00000; read()/write() take the offset in that page.
//
//   0x020 ID            rw  (bits 31:24)        0x280 ESR      write latches errors, read returns them
//   0x030 version       ro  0x00050014          0x300 ICR low  rw, a write sends the IPI
//   0x080 TPR           rw  (bits 7:0)          0x310 ICR high rw  (destination, bits 31:24)
//   0x090 APR           ro  (computed)          0x320 LVT timer          0x330 LVT thermal
//   0x0A0 PPR           ro  (computed)          0x340 LVT perf. counters 0x350 LVT LINT0
//   0x0B0 EOI           wo                      0x360 LVT LINT1          0x370 LVT error
//   0x0C0 RRD           ro  (always 0)          0x380 timer initial count (rw)
//   0x0D0 LDR           rw  (bits 31:24)        0x390 timer current count (ro)
//   0x0E0 DFR           rw  (bits 31:28)        0x3E0 timer divide configuration (bits 3, 1:0)
//   0x0F0 SVR           rw  (vector, bit 8 software enable, bit 9 focus checking)
//   0x100-0x170 ISR, 0x180-0x1F0 TMR, 0x200-0x270 IRR: ro, 32 vectors per register
//
// Model choices:
// - Messages are delivered at once, so the delivery-status bits of ICR and the LVT read as idle.
// - Time is a tick count of the timer input clock (timer_hz, the "bus clock" of SDM 10.5.4). Every
//   register access passes `now`; the owner calls advance(now) when next_timer_event() is reached. Time
//   going backwards (a temporally decoupled caller behind another) is treated as "no time passed".
// - ExtINT interrupts (LINT0 in ExtINT mode while the line is high, or an ExtINT message) bypass IRR/ISR
//   and priorities: acknowledge() takes the vector from the `extint` source (the 8259A pair).
// - LVT CMCI is not implemented (max LVT entry 5); 0x2F0 is reserved. No TSC-deadline timer mode, no
//   EOI-broadcast suppression, no focus-processor checking (the SVR bit is only stored).
// - An INIT message resets the APIC to its power-on state except the APIC ID (SDM 10.4.7.3) before the
//   CPU is told.
#pragma once
#include "sim/core/interrupt.h"
#include "sim/core/register_bank.h"
#include "sim/core/types.h"

#include <array>
#include <optional>
#include <span>

namespace smpsim::apic {

class LocalApic final : public InterruptSource {
  public:
    static constexpr u64 kDefaultBase = 0xFEE00000;
    static constexpr u32 kPageSize = 0x1000;

    // Register offsets.
    static constexpr u32 kId = 0x020, kVersion = 0x030, kTpr = 0x080, kApr = 0x090, kPpr = 0x0A0,
                         kEoi = 0x0B0, kRrd = 0x0C0, kLdr = 0x0D0, kDfr = 0x0E0, kSvr = 0x0F0, kIsr = 0x100,
                         kTmr = 0x180, kIrr = 0x200, kEsr = 0x280, kIcrLow = 0x300, kIcrHigh = 0x310,
                         kLvtTimer = 0x320, kLvtThermal = 0x330, kLvtPerf = 0x340, kLvtLint0 = 0x350,
                         kLvtLint1 = 0x360, kLvtError = 0x370, kTimerInitial = 0x380, kTimerCurrent = 0x390,
                         kTimerDivide = 0x3E0;

    static constexpr u32 kVersionValue = 0x00050014; // version 0x14, max LVT entry 5 (six LVT registers)

    // SVR bits.
    static constexpr u32 kSvrEnable = 1u << 8, kSvrFocus = 1u << 9;
    // LVT / ICR bits.
    static constexpr u32 kDeliveryStatus = 1u << 12, kPolarityLow = 1u << 13, kRemoteIrr = 1u << 14,
                         kLevelTrigger = 1u << 15, kMasked = 1u << 16, kTimerPeriodic = 1u << 17;
    static constexpr u32 kIcrLevelAssert = 1u << 14, kIcrLogical = 1u << 11;
    // ESR bits (SDM 10.5.3).
    static constexpr u8 kEsrSendIllegalVector = 1u << 5, kEsrReceiveIllegalVector = 1u << 6,
                        kEsrIllegalRegister = 1u << 7;

    // apic_id: the initial APIC ID (the CPU's initial APIC ID); timer_hz: the timer input clock.
    explicit LocalApic(u8 apic_id, u64 timer_hz = 1'000'000'000);
    LocalApic(const LocalApic&) = delete;
    LocalApic& operator=(const LocalApic&) = delete;

    // Connections. The sink is the CPU; the bus carries ICR messages and level EOIs; extint supplies
    // ExtINT vectors (the 8259A pair). Any may be null (a missing bus delivers self-IPIs locally).
    void set_sink(InterruptSink* sink) { sink_ = sink; }
    void set_bus(ApicBus* bus) { bus_ = bus; }
    void set_extint(InterruptSource* extint) { extint_ = extint; }

    // Power-on RESET: every register to its reset value, the ID to the initial APIC ID.
    void reset();
    // The state firmware leaves the BSP's APIC in for 8259A ("virtual wire") mode, MP spec 3.6.2.2:
    // LINT0 = ExtINT, LINT1 = NMI, both unmasked. ExtINT through an unmasked LINT0 works even while the
    // APIC is software-disabled, so a kernel that never touches the APIC still gets 8259A interrupts.
    void set_virtual_wire_mode();

    // Guest accesses to the 32-bit register at `offset` (0..0xFFF). Offsets that are not 16-byte
    // aligned read as 0 and ignore writes.
    u32 read(u32 offset, u64 now);
    void write(u32 offset, u32 value, u64 now);

    // Timer.
    void advance(u64 now);
    // The tick at which the timer next reaches zero (at or after `now`), if it is counting.
    std::optional<u64> next_timer_event(u64 now) const;
    u64 timer_hz() const { return timer_hz_; }

    // APIC bus side.
    bool accepts(const ApicMessage& message) const;
    u8 arbitration_priority() const;
    void receive(const ApicMessage& message);

    // The LINT0 and LINT1 pins (raw electrical level; the LVT polarity bit is applied inside).
    InterruptLine& lint0() { return lint_[0]; }
    InterruptLine& lint1() { return lint_[1]; }

    // InterruptSource: what the CPU asks in its INTA cycle.
    bool has_pending() override;
    u8 acknowledge() override;

    // Inspection (tests, debuggers, reports).
    u8 id() const { return u8(regs_.at(kId) >> 24); }
    bool software_enabled() const { return (regs_.at(kSvr) & kSvrEnable) != 0; }
    bool irr_bit(u8 vector) const { return test(irr_, vector); }
    bool isr_bit(u8 vector) const { return test(isr_, vector); }
    bool tmr_bit(u8 vector) const { return test(tmr_, vector); }
    u8 ppr() const;
    bool intr_level() const { return intr_level_; }
    // The stored value of a plain register (ID, TPR, SVR, ICR, LVTs, timer initial and divide), without
    // the side effects read() may have: for debuggers.
    u32 peek(u32 offset) const { return regs_.at(offset); }

  private:
    using Bits = std::array<u32, 8>;
    class Lint final : public InterruptLine {
      public:
        Lint(LocalApic& apic, int index) : apic_(apic), index_(index) {}
        void set_level(bool level) override { apic_.set_lint(index_, level); }

      private:
        LocalApic& apic_;
        int index_;
    };

    static bool test(const Bits& b, unsigned v) { return (b[v >> 5] >> (v & 31)) & 1; }
    static void set(Bits& b, unsigned v) { b[v >> 5] |= 1u << (v & 31); }
    static void clear(Bits& b, unsigned v) { b[v >> 5] &= ~(1u << (v & 31)); }
    static int highest(const Bits& b); // -1 when empty

    using Register = regs::Register<u32, LocalApic>;
    static std::span<const Register> register_table();
    u32& lvt_at(int index) { return regs_.at(kLvtTimer + 0x10 * u32(index)); }
    u32 lvt_at(int index) const { return regs_.at(kLvtTimer + 0x10 * u32(index)); }

    // Register handlers (named in the table).
    u32 read_apr(unsigned) { return arbitration_priority(); }
    u32 read_ppr(unsigned) { return ppr(); }
    u32 read_isr(unsigned i) { return isr_[i]; }
    u32 read_tmr(unsigned i) { return tmr_[i]; }
    u32 read_irr(unsigned i) { return irr_[i]; }
    u32 read_timer_current(unsigned) { return timer_current(last_now_); }
    void write_tpr(unsigned, u32 value);
    void write_eoi(unsigned, u32) { do_eoi(); }
    void write_svr(unsigned, u32 value);
    void write_esr(unsigned, u32 value);
    void write_icr_low(unsigned, u32 value);
    void write_lvt(unsigned index, u32 value);
    void write_timer_initial(unsigned, u32 value);
    void write_timer_divide(unsigned, u32 value);
    void illegal_register(u32 offset, bool is_write);

    void reset_registers(bool keep_id);
    u32 timer_divisor() const;
    u32 timer_current(u64 now) const;
    void timer_fire();
    void start_timer(u64 now, u32 count);
    u64 clamp_now(u64 now);

    void send_icr();
    void deliver_local(const ApicMessage& message);
    void accept_vector(u8 vector, bool level);
    void signal_error(u8 bits);
    void set_lint(int index, bool level);
    void lint_changed(int index, bool old_asserted);
    bool lint_asserted(int index) const;
    void do_eoi();
    bool extint_requested() const;
    int deliverable_vector() const;
    void update_intr(bool force = false);

    // LVT indices.
    enum { kTimer = 0, kThermal, kPerf, kLint0, kLint1, kError, kLvtCount };

    const u8 initial_id_;
    const u64 timer_hz_;
    InterruptSink* sink_ = nullptr;
    ApicBus* bus_ = nullptr;
    InterruptSource* extint_ = nullptr;
    Lint lint_[2] = {Lint(*this, 0), Lint(*this, 1)};
    bool lint_raw_[2] = {false, false};

    // The registers software sees, declared in register_table(); ISR, TMR and IRR are views of the
    // bitmaps below.
    regs::RegisterBank<u32, LocalApic> regs_;
    u32 esr_pending_ = 0; // errors since the last ESR write (ESR itself holds the value software reads)
    bool in_error_ = false;
    Bits irr_{}, isr_{}, tmr_{};
    bool extint_message_ = false;
    bool intr_level_ = false;

    // Timer: the count was `ref_count_` at tick `ref_tick_` and drops by one every divisor ticks.
    bool timer_running_ = false;
    u64 ref_tick_ = 0;
    u32 ref_count_ = 0;
    u64 last_now_ = 0;
};

} // namespace smpsim::apic
