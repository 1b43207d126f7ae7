// Thin SystemC wrappers around the APIC cores: a TLM-2.0 target socket for the MMIO page and, for the
// local APIC, an SC_METHOD that wakes when the timer reaches zero. Behaviour lives in LocalApic/IoApic.
#pragma once
#include "sim/apic/io_apic.h"
#include "sim/apic/local_apic.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace smpsim::apic {

// One per CPU. The socket takes offsets 0..0xFFF of the APIC page (the platform routes each CPU's
// accesses to 0xFEE00000 to its own APIC). Time: the core counts ticks of timer_hz; an access at
// sc_time_stamp() + delay is at tick floor((stamp + delay) * timer_hz).
class LocalApicDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<LocalApicDevice> socket;

    LocalApicDevice(sc_core::sc_module_name name, u8 apic_id, u64 timer_hz = 1'000'000'000);

    LocalApic& core() { return core_; }
    // What the CPU uses for its INTA cycle.
    InterruptSource& interrupt_source() { return core_; }

    // Conversions between simulated time and timer ticks.
    u64 ticks_at(const sc_core::sc_time& t) const;
    sc_core::sc_time time_of(u64 ticks) const;
    // Re-arms the timer event after the core was changed other than through the socket.
    void sync();

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void timer_method();
    void reschedule(u64 now);

    LocalApic core_;
    sc_core::sc_event timer_event_;
};

// The I/O APIC; the socket takes offsets 0..0x1F of its window (0xFEC00000).
class IoApicDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<IoApicDevice> socket;

    IoApicDevice(sc_core::sc_module_name name, u8 id = 0);

    IoApic& core() { return core_; }
    InterruptLine& pin(unsigned n) { return core_.pin(n); }

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    IoApic core_;
};

} // namespace smpsim::apic
