// Small devices on the port-I/O bus: the 16550 UART (COM1) and QEMU's isa-debug-exit port. Each is a
// thin TLM target around a plain core (the UART core lives in uart16550.h).
#pragma once
#include "sim/core/types.h"
#include "sim/platform/uart16550.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <functional>

namespace smpsim::platform {

class UartDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<UartDevice> socket;
    UartDevice(sc_core::sc_module_name name, Uart16550::TxCallback tx);
    Uart16550& core() { return uart_; }

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    Uart16550 uart_;
};

// Guest writes v; the simulation ends and smpsim exits with (v << 1) | 1, like QEMU's isa-debug-exit.
class ExitPortDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<ExitPortDevice> socket;
    ExitPortDevice(sc_core::sc_module_name name, std::function<void(u32)> on_exit);

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    std::function<void(u32)> on_exit_;
};

// Guest-to-simulator markers (in the spirit of gem5's m5ops) on an I/O port QEMU leaves unassigned, so
// the same ELF runs there: a 32-bit write of (command << 24) | payload. Reads return all ones.
inline constexpr u16 kMarkerPort = 0x700;
enum class MarkerCommand : u8 {
    NetReady = 1, // payload: RX queues in use; the driver is up and its rings are filled
    RxDone = 2,   // payload: (cpu << 16) | frames passed to the stack by one NAPI poll
};

class MarkerPortDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<MarkerPortDevice> socket;
    MarkerPortDevice(sc_core::sc_module_name name, std::function<void(MarkerCommand, u32 payload)> on_marker);

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    std::function<void(MarkerCommand, u32)> on_marker_;
};

} // namespace smpsim::platform
