// The 82576 as a PCI function on the platform (the bus wrapper around IgbCore, as QEMU's igb.c is around
// igb_core.c): config space with its capabilities and BARs, a TLM initiator socket for bus-master DMA and
// MSI/MSI-X messages, EITR timers in simulated time, and the wire: frames from a capture are paced onto it
// and frames the guest sends can be written to a pcap.
#pragma once
#include "sim/core/bus_fault.h"
#include "sim/core/types.h"
#include "sim/igb/igb_core.h"
#include "sim/igb/pacer.h"
#include "sim/igb/pcap_sink.h"
#include "sim/igb/pcap_source.h"
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

// Why a frame offered to the NIC did not reach the guest's memory.
enum class DropReason : u8 {
    RingFull,    // no free RX descriptor in the frame's queue (counted in RNBC and MPC)
    Oversize,    // longer than the max frame size or the RX buffer (ROC)
    Truncated,   // captured with caplen < len: the frame's tail is unknown, so it is not replayed
    LinkType,    // captured on a non-Ethernet interface
    Empty,       // a zero-length record
    RxDisabled,  // RCTL.RXEN clear or the queue not enabled
    NoBusMaster, // the driver has not enabled bus mastering
    Filtered,    // refused by the address filters
    Undersize,
    Count,
};
std::string_view drop_reason_name(DropReason reason);

struct ReplayConfig {
    const PcapSource* source = nullptr; // null: no traffic (the link still comes up)
    PaceSpec pace;
    u32 loops = 1;
    PcapSink* tx_sink = nullptr;
    // After the last frame, how long the guest may take to consume what was delivered before the link
    // goes down anyway (simulated time).
    u64 drain_timeout_ns = 200'000'000;
    u64 ready_timeout_ns = 5'000'000'000; // for the guest's NET_READY marker
    u64 exit_timeout_ns = 1'000'000'000;  // for the guest to stop once the link is down
};

struct ReplayStats {
    u64 offered = 0;
    u64 delivered = 0;
    std::array<u64, size_t(DropReason::Count)> dropped{};
    std::array<u64, 16> per_queue{};
    std::vector<u64> consumed_per_cpu; // frames the guest's NAPI polls passed to the stack, per CPU
    u64 consumed = 0;
    u64 tx_frames = 0;
    bool guest_ready = false;
    u32 guest_queues = 0;
    bool drained = false; // the guest consumed every delivered frame before the link went down
    u64 ready_ns = 0, first_offer_ns = 0, last_offer_ns = 0, last_consumed_ns = 0, link_down_ns = 0;
    // Bus-master requests that reached no memory (data, descriptors, messages), and the first
    // BusFaultLog::kKept of them.
    u64 dma_faults = 0;
    std::vector<BusFault> first_dma_faults;
    u64 interrupts_signalled = 0; // MSI/MSI-X requests the device core made
    u64 lost_interrupts = 0;      // MSI-X causes routed by IVAR to a vector the function does not have
};

class IgbDevice : public sc_core::sc_module, private IgbHost {
  public:
    tlm_utils::simple_initiator_socket<IgbDevice> dma_socket;

    static constexpr u16 kVendorId = 0x8086, kDeviceId = 0x10c9; // 82576 copper
    static constexpr unsigned kMsixVectors = 10;
    static constexpr u64 kBar0Size = 128 << 10, kIoBarSize = 32, kMsixBarSize = 16 << 10;

    IgbDevice(sc_core::sc_module_name name, const IgbConfig& config, const ReplayConfig& replay,
              unsigned cpus);

    pci::PciFunction& function() { return function_; }
    const pci::PciFunction& function() const { return function_; }
    IgbCore& core() { return core_; }
    const IgbCore& core() const { return core_; }
    const ReplayStats& stats() const { return stats_; }

    // Guest markers (the platform's marker port forwards them).
    void guest_ready(u32 queues);
    void guest_rx_done(u32 cpu, u32 frames);
    // A DMA reached no memory. It completed as an unsupported request (reads all ones, writes dropped);
    // the function's PCI Status has Received Master Abort set for a read; the core stopped the queue
    // concerned (see IgbCore). The handler hears of every such fault with a one-line report, and may stop
    // the run (--stop-on-dma-fault); without one, the run goes on.
    void set_fault_handler(std::function<void(const std::string&)> handler) {
        on_fault_ = std::move(handler);
    }
    // The replay cannot end by itself: the guest never brought its driver up, or did not stop after the
    // link went down. The platform ends the run with this report.
    void set_stuck_handler(std::function<void(const std::string&)> handler) {
        on_stuck_ = std::move(handler);
    }
    // Told when the replay window opens (the guest is ready, true) and closes (the link goes down, false),
    // so that the platform can measure what the CPUs spent on the traffic.
    void set_window_observer(std::function<void(bool open)> observer) { on_window_ = std::move(observer); }

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
    void replay_thread();
    void offer(const CapturedFrame& frame);
    void count_drop(DropReason reason) { ++stats_.dropped[size_t(reason)]; }

    pci::PciFunction function_;
    IgbCore core_;
    ReplayConfig replay_;
    ReplayStats stats_;
    tlm::tlm_generic_payload payload_; // for dma(), reused
    u32 io_address_ = 0;               // IOADDR of the I/O BAR's indirect register window
    sc_core::sc_event kick_;           // a register write or a received frame: EITR deadlines may have moved
    sc_core::sc_event ready_;          // the guest's driver is up
    sc_core::sc_event consumed_;       // the guest consumed frames
    sc_core::sc_event rx_room_;        // the guest moved an RX tail (pace max waits for it)
    std::function<void(const std::string&)> on_fault_, on_stuck_;
    std::function<void(bool)> on_window_;
    BusFaultLog faults_;
    struct FailedAccess {
        u32 size = 0;
        bool write = false;
    } last_failed_; // the bus access that failed last, for the core's dma_fault() that follows it
};

} // namespace smpsim::igb
