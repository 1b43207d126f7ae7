#include "sim/net/link_partner.h"

#include <fmt/format.h>

namespace smpsim::net {

namespace {
constexpr u64 kMaxFrameOnWire = 16384; // nothing longer reaches the MAC at all
} // namespace

std::string_view drop_reason_name(DropReason reason) {
    switch (reason) {
    case DropReason::RingFull: return "ring_full";
    case DropReason::Oversize: return "oversize";
    case DropReason::Truncated: return "truncated";
    case DropReason::LinkType: return "link_type";
    case DropReason::Empty: return "empty";
    case DropReason::RxDisabled: return "rx_disabled";
    case DropReason::NoBusMaster: return "no_bus_master";
    case DropReason::Filtered: return "filtered";
    case DropReason::Undersize: return "undersize";
    case DropReason::Count: break;
    }
    return "?";
}

LinkPartner::LinkPartner(sc_core::sc_module_name name, const ReplayConfig& replay, unsigned cpus)
    : sc_module(name), replay_(replay) {
    stats_.consumed_per_cpu.assign(cpus, 0);
    SC_HAS_PROCESS(LinkPartner);
    SC_THREAD(replay_thread);
}

void LinkPartner::connect(EthernetNicPort& nic) {
    nic_ = &nic;
    nic_->set_link(true);
}

u64 LinkPartner::now_ns() const {
    return u64(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
}

void LinkPartner::transmit(std::span<const u8> frame) {
    ++stats_.tx_frames;
    if (replay_.tx_sink) replay_.tx_sink->write(now_ns(), frame);
}

void LinkPartner::guest_ready(u32 queues) {
    if (stats_.guest_ready) return;
    stats_.guest_ready = true;
    stats_.guest_queues = queues;
    stats_.ready_ns = now_ns();
    ready_.notify(sc_core::SC_ZERO_TIME);
}

void LinkPartner::guest_rx_done(u32 cpu, u32 frames) {
    if (cpu < stats_.consumed_per_cpu.size()) stats_.consumed_per_cpu[cpu] += frames;
    stats_.consumed += frames;
    stats_.last_consumed_ns = now_ns();
    consumed_.notify(sc_core::SC_ZERO_TIME);
}

void LinkPartner::offer(const CapturedFrame& frame, u64 wire_ns) {
    ++stats_.offered;
    const u64 now = now_ns();
    if (stats_.offered == 1) stats_.first_offer_ns = now;
    stats_.last_offer_ns = now;
    if (frame.data.empty()) return count_drop(DropReason::Empty);
    if (frame.data.size() < frame.wire_len) return count_drop(DropReason::Truncated);
    if (frame.data.size() > kMaxFrameOnWire) return count_drop(DropReason::Oversize);
    const EthRxResult result = nic_->receive(frame.data);
    switch (result.status) {
    case EthRxStatus::Delivered:
        ++stats_.delivered;
        ++stats_.per_queue[result.queue % kMaxQueues];
        if (packet_observer_)
            packet_observer_->rx_written_back(result.queue, result.descriptor, wire_ns, now);
        return;
    case EthRxStatus::RingFull:
        ++stats_.ring_full_per_queue[result.queue % kMaxQueues];
        return count_drop(DropReason::RingFull);
    case EthRxStatus::RxDisabled: return count_drop(DropReason::RxDisabled);
    case EthRxStatus::Oversize: return count_drop(DropReason::Oversize);
    case EthRxStatus::Undersize: return count_drop(DropReason::Undersize);
    case EthRxStatus::NoBusMaster: return count_drop(DropReason::NoBusMaster);
    case EthRxStatus::Filtered: return count_drop(DropReason::Filtered);
    }
}

void LinkPartner::replay_thread() {
    if (!replay_.source || !nic_) return;
    if (!stats_.guest_ready) wait(sc_core::sc_time(double(replay_.ready_timeout_ns), sc_core::SC_NS), ready_);
    if (!stats_.guest_ready) {
        if (on_stuck_)
            on_stuck_(fmt::format("replay: the guest's driver did not report ready within {} ms of simulated "
                                  "time (is it a kernel with the igb driver?)",
                                  replay_.ready_timeout_ns / 1'000'000));
        return;
    }
    if (on_window_) on_window_(true);
    const PcapSource& source = *replay_.source;
    Pacer pacer(replay_.pace, now_ns());
    const bool as_fast_as_accepted = replay_.pace.mode == PaceSpec::Mode::Max;
    for (u32 pass = 0; pass < replay_.loops; ++pass) {
        if (pass > 0) pacer.start_pass(now_ns());
        for (size_t i = 0; i < source.size(); ++i) {
            if (stopped_) return;
            const CapturedFrame& frame = source.frame(i);
            const u64 when = pacer.send_time_ns(frame.timestamp_ns, frame.wire_len);
            const u64 now = now_ns();
            if (when > now) wait(sc_core::sc_time(double(when - now), sc_core::SC_NS));
            // The frame is on the wire now; what follows (pace max) is the time it waits for a descriptor.
            const u64 on_wire_ns = now_ns();
            if (as_fast_as_accepted && !frame.data.empty() && frame.data.size() == frame.wire_len &&
                frame.data.size() <= kMaxFrameOnWire) {
                // "As fast as the guest posts descriptors": hold the frame until the NIC has room for it.
                while (!nic_->can_receive(frame.data) && !stopped_)
                    wait(sc_core::sc_time(10, sc_core::SC_US), rx_room_);
            }
            // The NIC stores and forwards: it writes the frame to host memory once its last bit is in.
            wait(sc_core::sc_time(double(receive_time_ns(frame.wire_len, replay_.pace.link_gbps)),
                                  sc_core::SC_NS));
            if (stopped_) return;
            offer(frame, on_wire_ns);
        }
    }
    // Let the guest drain what was delivered, then take the link down: the end of the replay.
    const u64 deadline = now_ns() + replay_.drain_timeout_ns;
    while (stats_.consumed < stats_.delivered && now_ns() < deadline && !stopped_)
        wait(sc_core::sc_time(double(deadline - now_ns()), sc_core::SC_NS), consumed_);
    stats_.drained = stats_.consumed >= stats_.delivered;
    // The measured window ends with the traffic, before any idle time.
    if (on_window_) on_window_(false);
    if (replay_.idle_ns && !stopped_) wait(sc_core::sc_time(double(replay_.idle_ns), sc_core::SC_NS));
    stats_.link_down_ns = now_ns();
    nic_->set_link(false);
    wait(sc_core::sc_time(double(replay_.exit_timeout_ns), sc_core::SC_NS));
    if (on_stuck_)
        on_stuck_(fmt::format("replay: the guest did not stop within {} ms of the link going down",
                              replay_.exit_timeout_ns / 1'000'000));
}

} // namespace smpsim::net
