// The far end of the NIC's cable (QEMU's netdev side): replays a capture onto the wire with pacing once
// the guest's driver is up, collects what the NIC transmits (into a pcap, if asked), and takes the link
// down at the end. It talks to the NIC only through the Ethernet port interface of sim/core.
#pragma once
#include "sim/core/ethernet_port.h"
#include "sim/core/packet_events.h"
#include "sim/core/types.h"
#include "sim/net/pacer.h"
#include "sim/net/pcap_sink.h"
#include "sim/net/pcap_source.h"

#include <systemc>

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::net {

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
    // Then the link stays up, quiet, this long before it goes down (simulated time), so that the guest's
    // timers (conntrack expiry, defragmentation timeouts) run as they would after the traffic.
    u64 idle_ns = 0;
    u64 ready_timeout_ns = 5'000'000'000; // for the guest's NET_READY marker
    u64 exit_timeout_ns = 1'000'000'000;  // for the guest to stop once the link is down
};

inline constexpr unsigned kMaxQueues = 16;

struct ReplayStats {
    u64 offered = 0;
    u64 delivered = 0;
    std::array<u64, size_t(DropReason::Count)> dropped{};
    std::array<u64, kMaxQueues> per_queue{};           // delivered, by receive queue
    std::array<u64, kMaxQueues> ring_full_per_queue{}; // dropped for want of a descriptor, by queue
    std::vector<u64> consumed_per_cpu; // frames the guest's NAPI polls passed to the stack, per CPU
    u64 consumed = 0;
    u64 tx_frames = 0;
    bool guest_ready = false;
    u32 guest_queues = 0;
    bool drained = false; // the guest consumed every delivered frame before the link went down
    u64 ready_ns = 0, first_offer_ns = 0, last_offer_ns = 0, last_consumed_ns = 0, link_down_ns = 0;
};

class LinkPartner : public sc_core::sc_module, public EthernetWirePort {
  public:
    LinkPartner(sc_core::sc_module_name name, const ReplayConfig& replay, unsigned cpus);

    // Plugs the cable into the NIC: its link comes up.
    void connect(EthernetNicPort& nic);
    const ReplayStats& stats() const { return stats_; }

    // Guest markers (the platform's marker port forwards them).
    void guest_ready(u32 queues);
    void guest_rx_done(u32 cpu, u32 frames);
    // The run is ending (a device fault): offer nothing more.
    void stop() { stopped_ = true; }
    // The replay cannot end by itself: the guest never brought its driver up, or did not stop after the
    // link went down. The platform ends the run with this report.
    void set_stuck_handler(std::function<void(const std::string&)> handler) {
        on_stuck_ = std::move(handler);
    }
    // Told when the replay window opens (the guest is ready, true) and closes (the link goes down, false),
    // so that the platform can measure what the CPUs spent on the traffic.
    void set_window_observer(std::function<void(bool open)> observer) { on_window_ = std::move(observer); }
    // Told of every frame the NIC wrote back (reports; null: nothing recorded).
    void set_packet_observer(PacketEventObserver* observer) { packet_observer_ = observer; }

    // EthernetWirePort
    void transmit(std::span<const u8> frame) override;
    void receive_possible() override { rx_room_.notify(sc_core::SC_ZERO_TIME); }

  private:
    u64 now_ns() const;
    void replay_thread();
    void offer(const CapturedFrame& frame, u64 wire_ns);
    void count_drop(DropReason reason) { ++stats_.dropped[size_t(reason)]; }

    EthernetNicPort* nic_ = nullptr;
    ReplayConfig replay_;
    ReplayStats stats_;
    sc_core::sc_event ready_;    // the guest's driver is up
    sc_core::sc_event consumed_; // the guest consumed frames
    sc_core::sc_event rx_room_;  // the NIC may take frames it refused (pace max waits for it)
    std::function<void(const std::string&)> on_stuck_;
    std::function<void(bool)> on_window_;
    PacketEventObserver* packet_observer_ = nullptr;
    bool stopped_ = false;
};

} // namespace smpsim::net
