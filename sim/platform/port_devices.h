// Small devices on the port-I/O bus: the 16550 UART (COM1) and QEMU's isa-debug-exit port. Each is a
// thin TLM target around a plain core (the UART core lives in uart16550.h).
#pragma once
#include "sim/core/types.h"
#include "sim/platform/uart16550.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <functional>
#include <string>

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

// The two ways a PC guest asks for a reset, as QEMU models them:
// - the reset control register of the PIIX3 at port 0xCF9 (a byte write with bit 2, RST_CPU, set: Linux's
//   reboot=pci writes 0x06, a full reset 0x0E);
// - the 8042 keyboard controller's pulse-reset command, 0xFE written to port 0x64 (Linux's reboot=kbd).
// smpsim does not reboot: on_reset gets a one-line description and the run ends (docs/EXITS.md).
// Port 0xCF9 lies inside the PCI configuration ports 0xCF8-0xCFF: `config_socket` takes that whole range
// and passes every access but a byte at 0xCF9 on to `pci_config` (the host bridge), as the PIIX3 does.
class ResetControlDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<ResetControlDevice> config_socket; // ports 0xCF8-0xCFF
    tlm_utils::simple_target_socket<ResetControlDevice> kbd_socket;    // port 0x64
    tlm_utils::simple_initiator_socket<ResetControlDevice> pci_config;
    ResetControlDevice(sc_core::sc_module_name name, std::function<void(const std::string&)> on_reset);

  private:
    void config_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void kbd_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    std::function<void(const std::string&)> on_reset_;
    u8 reset_control_ = 0; // RCR bits 3:1 as last written (bit 2 is self-clearing)
};

// Guest-to-simulator markers (in the spirit of gem5's m5ops) on an I/O port QEMU leaves unassigned, so
// the same ELF runs there: a 32-bit write of (command << 24) | payload. Reads return all ones. The
// handler gets the writing CPU's local time in ns (SystemC time plus its annotated delay).
inline constexpr u16 kMarkerPort = 0x700;
enum class MarkerCommand : u8 {
    NetReady = 1, // payload: RX queues in use; the driver is up and its rings are filled
    RxDone = 2,   // payload: (cpu << 16) | frames passed to the stack by one NAPI poll
    // Reports only (guest/include/asm/smpsim.h): one frame, payload (cpu << 16) | (queue << 12) | descriptor.
    RxPoll = 3,      // NAPI's poll picked the descriptor up
    RxSkbDone = 4,   // the stack is done with the frame's skb
    RxIrq = 5,       // payload (cpu << 16) | queue: the queue's interrupt handler ran
    RegionBegin = 6, // payload (cpu << 16) | region (1: __do_softirq, 0x100 + nr: softirq nr's action)
    RegionEnd = 7,
    RcuGpStart = 8, // payload: the grace period's number (low 24 bits)
    RcuGpEnd = 9,
    // Zero the cache-line statistics: the start of a measured region (gem5's m5_reset_stats, whose m5op
    // number it takes).
    ResetStats = 0x40,
};

class MarkerPortDevice : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<MarkerPortDevice> socket;
    MarkerPortDevice(sc_core::sc_module_name name,
                     std::function<void(MarkerCommand, u32 payload, u64 local_ns)> on_marker);

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    std::function<void(MarkerCommand, u32, u64)> on_marker_;
};

} // namespace smpsim::platform
