// The 8254 PIT on the port-I/O bus: a thin TLM target around Pit8254 (pit8254.h) that turns simulated
// time into PIT input clock ticks and drives IRQ0 from OUT0.
//
//   router.map(0x40, 4, "pit").bind(pit.socket);   // offsets 0-2 counters, 3 control word
//   pit.connect_irq0(&pic.pair().irq(0));          // and/or the I/O APIC's pin 2, through a fan-out line
//
// Time: tick = floor(time * 1193182 Hz); an access at sc_time_stamp() + the annotated TLM delay happens
// at that tick. OUT0 is re-evaluated by an SC_METHOD woken at each tick where next_output_change() says
// it changes (and at the time of every access, through a notification with the access's delay), and the
// IRQ0 line is set to the new level: the PIC sees the rising edges. In mode 2 that is one wake-up per
// period for the one-tick low pulse plus one for the rising edge.
#pragma once
#include "sim/core/interrupt.h"
#include "sim/core/types.h"
#include "sim/platform/pit8254.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace smpsim::platform {

class PitDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<PitDevice> socket;

    PitDevice(sc_core::sc_module_name name, InterruptLine* irq0 = nullptr);
    // Where OUT0 goes (set before the simulation starts; it gets OUT0's level on every change).
    void connect_irq0(InterruptLine* line) { irq0_ = line; }
    Pit8254& core() { return pit_; }

    // For a port 0x61 model: counter 2's GATE (bit 0) and OUT (bit 5), at sc_time_stamp() + delay.
    void set_gate(unsigned counter, bool level, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME);
    bool output(unsigned counter, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) const;

    // Simulated time <-> PIT input clock ticks (exact inverses: ticks_at(time_of_tick(k)) == k).
    static u64 ticks_at(const sc_core::sc_time& t);
    static sc_core::sc_time time_of_tick(u64 tick);

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void update();
    SC_HAS_PROCESS(PitDevice);

    Pit8254 pit_;
    InterruptLine* irq0_ = nullptr;
    bool out0_ = false;
    sc_core::sc_event change_ev_;
};

} // namespace smpsim::platform
