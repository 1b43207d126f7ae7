// The 8254 programmable interval timer, without SystemC: three 16-bit down counters clocked at
// 1.193182 MHz. The core has no clock of its own: every call passes the current time as a count of input
// clock pulses since the start of the simulation ("ticks"), and the outputs are functions of that time.
// The platform's sc_module (pit_device.h) converts simulated time to ticks, asks next_output_change()
// when OUT0 changes next and drives IRQ0 then.
//
//   offset  read                       write
//   0,1,2   counter 0,1,2 (count/status) counter 0,1,2 initial count
//   3       (0xff)                     control word: SC1-0 (counter; 11 = read-back), RW1-0 (00 = counter
//                                      latch, 01 LSB, 10 MSB, 11 LSB then MSB), M2-M0 (mode), BCD
//
// Facts from the Intel 8254 datasheet (231164), with t = the tick at which a count is written:
// - The count is loaded into the counting element on the next clock pulse (tick t+1), and counting
//   starts there; a count of 0 means 65536 (binary).
// - Mode 0 (interrupt on terminal count): OUT goes low on the control word, high N pulses after the
//   load (N+1 after the write) and stays high; the counter keeps counting down (wraps). Writing the first
//   byte of a two-byte count stops counting and drives OUT low; a new count restarts the sequence.
// - Mode 1 (hardware retriggerable one-shot): a rising GATE edge loads the count; OUT is low for N pulses.
// - Mode 2 (rate generator): OUT high, low for one pulse when the count reaches 1, period N. A new count
//   takes effect at the next reload.
// - Mode 3 (square wave): period N; OUT high for ceil(N/2) and low for floor(N/2) pulses. A new count
//   takes effect at the end of the current half-cycle.
// - Mode 4 (software-triggered strobe): OUT high, low for one pulse N pulses after the load.
// - Mode 5 (hardware-triggered strobe): like mode 4, started by a rising GATE edge.
// - GATE low stops counting in modes 0 and 4 (the count holds), forces OUT high in modes 2 and 3, which
//   reload on the next rising edge. Counters 0 and 1 have GATE tied high on a PC; counter 2's gate is
//   port 0x61 bit 0 (set_gate(2, ...), owned by whoever models port 0x61).
// - Counter latch (RW=00) and read-back (SC=11) latch the count and/or the status byte
//   (OUT, NULL COUNT, RW, mode, BCD); a latched count is read in the programmed byte order and released
//   when fully read, while counting goes on. A latch command on an already latched counter is ignored.
// - Reads and writes have separate LSB/MSB flip-flops (the datasheet allows interleaving them).
//
// Model limits: BCD counting is not modelled — the BCD bit is stored and reported in the status byte, but
// counting is binary. Mode 2 and 3 with a count of 1 (illegal on the part) keep OUT high. A gate change
// in mode 0/4 resumes counting on the next pulse; mode 1/5 triggers use the last written count.
// Calls may come with a `now` earlier than an earlier call's (temporally decoupled initiators): the state
// is kept as formulas of time, so earlier queries are answered from the current programming.
#pragma once
#include "sim/core/register_bank.h"
#include "sim/core/types.h"

#include <array>
#include <optional>
#include <span>

namespace smpsim::platform {

class Pit8254 {
  public:
    static constexpr u64 kInputHz = 1'193'182;
    static constexpr unsigned kCounters = 3;
    static constexpr u32 kControl = 3;

    Pit8254();
    Pit8254(const Pit8254&) = delete;
    Pit8254& operator=(const Pit8254&) = delete;
    // Power-on state (undefined on the part): every counter as after a mode 0, LSB-then-MSB control word
    // with no count written — not counting, OUT low, NULL COUNT set — and every gate high.
    void reset();

    // Port accesses (offset 0..3 from 0x40) at time `now` (ticks).
    u8 read(u32 offset, u64 now);
    void write(u32 offset, u8 value, u64 now);

    // The OUT pin of a counter at time `now`.
    bool output(unsigned counter, u64 now) const;
    // The first tick after `now` at which output(counter, ·) differs from output(counter, now), if it
    // ever changes without further programming.
    std::optional<u64> next_output_change(unsigned counter, u64 now) const;
    // The counting element, as an unlatched read would see it (binary, 0 = 65536 when just loaded).
    u16 count(unsigned counter, u64 now) const;
    // The status byte read-back would latch.
    u8 status(unsigned counter, u64 now) const;

    void set_gate(unsigned counter, bool level, u64 now);
    bool gate(unsigned counter) const { return counters_.at(counter).gate; }

    u8 mode(unsigned counter) const { return counters_.at(counter).mode; }
    // The last complete initial count written (0 = 65536).
    u16 initial_count(unsigned counter) const { return counters_.at(counter).cr; }

  private:
    static constexpr u64 kNever = ~u64(0);

    // A stretch of counting from `load` on with count n: out(t) and value(t) are closed formulas.
    struct Phase {
        u8 mode = 0;
        u64 load = kNever;      // tick at which the counting element is loaded (kNever: not counting)
        u32 n = 65536;          // 1..65536
        bool start_low = false; // mode 3: started at the low half (loaded at the end of a high half)
        bool expired = false;   // mode 0: OUT already high; mode 4/5: strobe already given
        bool pre_out = true;    // OUT before `load`
        u16 pre_value = 0;      // counting element before `load`
    };
    struct Counter {
        // Programming.
        u8 mode = 0, rw = 3;
        bool bcd = false;
        u16 cr = 0;       // count register: the last complete count
        u8 write_lsb = 0; // first byte of a two-byte count
        bool write_msb_next = false;
        bool read_msb_next = false;
        bool gate = true;
        bool armed = false; // a count was written since the control word (modes 1/5: triggers load it)
        // Latches.
        bool count_latched = false;
        u16 latched_count = 0;
        bool latch_msb_next = false;
        bool status_latched = false;
        u8 latched_status = 0;
        // Counting.
        Phase cur;
        bool has_pending = false; // a new count waiting for the next reload (modes 2, 3)
        Phase pending;
        u64 null_until = kNever; // NULL COUNT is set while now < null_until
    };

    std::array<Counter, kCounters> counters_;
    // The four ports, declared in pit8254.cc. The access modes and latches behind them stay in Counter.
    using Register = regs::Register<u8, Pit8254>;
    static std::span<const Register> register_table();
    regs::RegisterBank<u8, Pit8254> ports_;
    u64 now_ = 0; // the time of the port access being decoded, for the handlers

    u8 read_counter_port(unsigned index);
    void write_counter_port(unsigned index, u8 value);
    u8 read_control_port(unsigned) { return 0xff; } // write-only: nothing drives the bus
    void write_control_port(unsigned, u8 value) { control_word(value, now_); }

    static bool phase_out(const Phase& p, u64 t);
    static u16 phase_value(const Phase& p, u64 t);
    static std::optional<u64> phase_next_change(const Phase& p, u64 t);
    const Phase& phase_at(const Counter& c, u64 t) const;
    void settle(Counter& c, u64 now);
    void control_word(u8 value, u64 now);
    void latch_count(Counter& c, u64 now);
    void latch_status(Counter& c, u64 now, unsigned index);
    void load_count(Counter& c, u64 now);
    u8 read_counter(Counter& c, u64 now);
    void write_counter(Counter& c, u8 value, u64 now);
};

} // namespace smpsim::platform
