// The SystemC/TLM wrapper around PciHostBridge: three target sockets, nothing else. The platform's routers
// pass addresses relative to each mapped base, so the wrapper adds the base back before decoding.
#pragma once
#include "sim/core/types.h"
#include "sim/pci_msi/host_bridge.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <string>

namespace smpsim::pci {

class PciHostDevice : public sc_core::sc_module {
  public:
    // Port router: mapped at 0xCF8, size 8 (CONFIG_ADDRESS and CONFIG_DATA).
    tlm_utils::simple_target_socket<PciHostDevice> config_socket;
    // Address router: mapped at mmio_base (the PCI memory window).
    tlm_utils::simple_target_socket<PciHostDevice> mmio_socket;
    // Port router: mapped at io_base (the PCI I/O window).
    tlm_utils::simple_target_socket<PciHostDevice> io_socket;

    PciHostDevice(sc_core::sc_module_name name, u64 mmio_base, u32 io_base,
                  sc_core::sc_time access_latency = sc_core::SC_ZERO_TIME);

    PciHostBridge& bridge() { return bridge_; }
    u64 mmio_base() const { return mmio_base_; }
    u32 io_base() const { return io_base_; }
    // One line per function ("00:03.0 8086:10c9 class 020000 caps pm@40 msi@48 ...") for reports.
    std::string describe() const;

  private:
    void config_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void mmio_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void io_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    PciHostBridge bridge_;
    u64 mmio_base_;
    u32 io_base_;
    sc_core::sc_time latency_;
};

} // namespace smpsim::pci
