// The 82576 as a PCI function on the platform (the bus wrapper around IgbCore, as QEMU's igb.c is around
// igb_core.c): config space with its capabilities and BARs, a TLM initiator socket for bus-master DMA and
// MSI/MSI-X messages, EITR timers in simulated time, and the NIC's end of an Ethernet port (the wire side,
// sim/net, is connected to it by the platform).
#pragma once
#include "sim/core/bus_fault.h"
#include "sim/core/ethernet_port.h"
#include "sim/core/types.h"
#include "sim/igb/igb_core.h"
#include "sim/pci_msi/pci_function.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::igb {

// What the device did that the core does not count.
struct IgbDeviceStats {
    // Bus-master requests that reached no memory (data, descriptors, messages), and the first
    // BusFaultLog::kKept of them.
    u64 dma_faults = 0;
    std::vector<BusFault> first_dma_faults;
    u64 interrupts_signalled = 0; // MSI/MSI-X requests the device core made
    u64 lost_interrupts = 0;      // MSI-X causes routed by IVAR to a vector the function does not have
};

class IgbDevice : public sc_core::sc_module, public EthernetNicPort, private IgbHost {
  public:
    tlm_utils::simple_initiator_socket<IgbDevice> dma_socket;

    static constexpr u16 kVendorId = 0x8086, kDeviceId = 0x10c9; // 82576 copper
    static constexpr unsigned kMsixVectors = 10;
    static constexpr u64 kBar0Size = 128 << 10, kIoBarSize = 32, kMsixBarSize = 16 << 10;

    IgbDevice(sc_core::sc_module_name name, const IgbConfig& config);

    pci::PciFunction& function() { return function_; }
    const pci::PciFunction& function() const { return function_; }
    IgbCore& core() { return core_; }
    const IgbCore& core() const { return core_; }
    const IgbDeviceStats& stats() const { return stats_; }

    // The wire this port is cabled to (null: none; transmitted frames go nowhere).
    void attach_wire(EthernetWirePort* wire) { wire_ = wire; }
    // EthernetNicPort
    EthRxResult receive(std::span<const u8> frame) override;
    bool can_receive(std::span<const u8> frame) const override;
    void set_link(bool up) override;

    // A DMA reached no memory. It completed as an unsupported request (reads all ones, writes dropped);
    // the function's PCI Status has Received Master Abort set for a read; the core stopped the queue
    // concerned (see IgbCore). The handler hears of every such fault with a one-line report, and may stop
    // the run (--stop-on-dma-fault); without one, the run goes on.
    void set_fault_handler(std::function<void(const std::string&)> handler) {
        on_fault_ = std::move(handler);
    }

  private:
    // IgbHost
    bool dma_read(u64 addr, void* dst, u32 size) override;
    bool dma_write(u64 addr, const void* src, u32 size) override;
    void signal_msix(unsigned vector) override {
        // IVAR can name vectors 0..24; the function implements kMsixVectors (as the 82576 PF: 10).
        ++stats_.interrupts_signalled;
        if (vector < function_.msix_table_size())
            function_.msix_notify(vector);
        else
            ++stats_.lost_interrupts;
    }
    void signal_msi() override {
        ++stats_.interrupts_signalled;
        function_.msi_notify(0);
    }
    void set_intx(bool asserted) override { function_.set_intx(asserted); }
    void transmit(std::span<const u8> frame) override;
    void dma_fault(u64 addr, std::string_view what) override;
    void record_fault(u64 addr, u32 size, bool write, std::string_view what);

    bool dma(tlm::tlm_command command, u64 addr, void* data, u32 size);
    u64 now_ns() const;
    u64 register_read(u64 offset, unsigned size);
    void register_write(u64 offset, unsigned size, u64 value);
    void config_changed();
    void timer_thread();

    pci::PciFunction function_;
    IgbCore core_;
    EthernetWirePort* wire_ = nullptr;
    IgbDeviceStats stats_;
    tlm::tlm_generic_payload payload_; // for dma(), reused
    u32 io_address_ = 0;               // IOADDR of the I/O BAR's indirect register window
    sc_core::sc_event kick_;           // a register write or a received frame: EITR deadlines may have moved
    std::function<void(const std::string&)> on_fault_;
    BusFaultLog faults_;
    struct FailedAccess {
        u32 size = 0;
        bool write = false;
    } last_failed_; // the bus access that failed last, for the core's dma_fault() that follows it
};

} // namespace smpsim::igb
