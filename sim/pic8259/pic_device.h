// The 8259A pair on the port-I/O bus: a thin TLM target around PicPair (pic8259.h).
//
// The pair answers at three separate port windows, so the device has three target sockets, one per
// window, each seeing addresses relative to its window base (as the Router delivers them):
//
//   master_socket  map at 0x020, size 2   (master command/data)
//   slave_socket   map at 0x0a0, size 2   (slave command/data)
//   elcr_socket    map at 0x4d0, size 2   (ELCR1 = IRQ 0-7, ELCR2 = IRQ 8-15)
//
//   router.map(0x20, 2, "pic-master").bind(pic.master_socket);
//   router.map(0xa0, 2, "pic-slave").bind(pic.slave_socket);
//   router.map(0x4d0, 2, "pic-elcr").bind(pic.elcr_socket);
//
// A wider access touches consecutive ports, as on an ISA bus; bytes past the window read 0xff and
// ignore writes. Interrupt inputs are pair().irq(n); the master INT output goes to whatever
// pair().set_intr_callback() / pair().connect_intr() names; the CPU's INTA uses pair() as its
// InterruptSource. All of that is plain C++ calls in the simulation thread that makes them (no signals,
// no time): the PIC has no timing of its own.
#pragma once
#include "sim/core/types.h"
#include "sim/pic8259/pic8259.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace smpsim::pic8259 {

class PicDevice : public sc_core::sc_module {
  public:
    using Socket = tlm_utils::simple_target_socket_tagged<PicDevice>;
    enum Window : int { kMasterWindow = 0, kSlaveWindow = 1, kElcrWindow = 2 };
    // Port base of each window, indexed by Window.
    static constexpr u16 kWindowBase[3] = {PicPair::kMasterCommand, PicPair::kSlaveCommand, PicPair::kElcr1};
    static constexpr u64 kWindowSize = 2;

    Socket master_socket;
    Socket slave_socket;
    Socket elcr_socket;

    explicit PicDevice(sc_core::sc_module_name name);
    PicPair& pair() { return pair_; }

  private:
    void b_transport(int window, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    PicPair pair_;
};

} // namespace smpsim::pic8259
