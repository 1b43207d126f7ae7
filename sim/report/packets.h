// Per-packet latency of a replay, for the report's `timing.packets` and trace.json's packet flows. Each
// received frame is followed by its id, (RX queue, descriptor index): the wire side says when it arrived
// and when its descriptor was written back (sim/core/packet_events.h); the guest's markers say when the
// queue's interrupt handler ran, when NAPI's poll picked the descriptor up and when the stack was done
// with the skb. A completed packet contributes the five phases below; statistics are computed at the end.
// Recording costs a hash lookup per frame and marker (nothing per instruction). Plain C++, no SystemC.
#pragma once
#include "sim/core/packet_events.h"
#include "sim/core/types.h"

#include <nlohmann/json.hpp>

#include <array>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace smpsim::report {

// The phases of one packet, in order; they add up to the last (wire→done).
enum class PacketPhase : u8 {
    WireToWriteback,
    WritebackToInterrupt,
    InterruptToPoll,
    PollToDone,
    WireToDone
};
inline constexpr std::size_t kPacketPhases = 5;
const char* packet_phase_name(PacketPhase phase); // "wire_to_writeback", ...

// One packet's times (simulated ns), clamped so that they never go back: a frame polled without an
// interrupt of its own (NAPI was still polling its queue) has its interrupt time at its write-back.
struct PacketTimes {
    u64 id = 0; // the order in which packets completed, from 0
    unsigned queue = 0;
    u32 descriptor = 0;
    u64 wire = 0, writeback = 0, interrupt = 0, poll = 0, done = 0;
    int interrupt_cpu = -1; // -1: no interrupt of its own
    u32 poll_cpu = 0, done_cpu = 0;
    bool clamped = false; // a time was moved forward (markers of different CPUs, local times apart)
};

// Count, nearest-rank percentiles, mean and a log2 histogram of a list of durations in ns.
struct DurationStats {
    u64 count = 0;
    u64 p50 = 0, p90 = 0, p99 = 0, max = 0;
    double mean = 0;
    // Bucket 0 holds 0 ns, bucket k >= 1 holds [2^(k-1), 2^k) ns.
    std::vector<u64> buckets;
};
DurationStats duration_stats(std::vector<u64> values);

class PacketTimeline final : public PacketEventObserver {
  public:
    // trace.json follows the first `first_flows` packets and every `flow_every`-th after them.
    explicit PacketTimeline(double cpu_mhz, std::size_t first_flows = 1000, std::size_t flow_every = 100);

    void rx_written_back(unsigned queue, u32 descriptor, u64 wire_ns, u64 writeback_ns) override;
    // The guest's markers (cpu as the guest named it).
    void rx_interrupt(u32 cpu, unsigned queue, u64 ns);
    void rx_poll(u32 cpu, unsigned queue, u32 descriptor, u64 ns);
    void rx_done(u32 cpu, unsigned queue, u32 descriptor, u64 ns);

    u64 completed() const { return completed_; }
    // The packets trace.json follows, in completion order.
    const std::vector<PacketTimes>& flows() const { return flows_; }
    // `timing.packets` of report.json (docs/REPORTS.md).
    nlohmann::json json() const;

  private:
    struct InFlight {
        u64 wire = 0, writeback = 0, poll = 0; // as recorded
        int interrupt_cpu = -1;
        u64 interrupt = 0; // as recorded; the write-back's time without an interrupt of its own
        u32 poll_cpu = 0;
        bool polled = false;
    };
    static u32 key(unsigned queue, u32 descriptor) { return (queue & 0xf) << 12 | (descriptor & 0xfff); }

    double cpu_mhz_;
    std::size_t first_flows_, flow_every_;
    // Per descriptor, the frames written to it and not yet done, oldest first (a descriptor can be
    // refilled and written again while its previous skb still waits in another CPU's backlog).
    std::unordered_map<u32, std::deque<InFlight>> slots_;
    struct LastInterrupt {
        u64 ns = 0;
        int cpu = -1;
    };
    std::array<LastInterrupt, 16> last_interrupt_{};
    u64 written_back_ = 0, completed_ = 0, own_interrupt_ = 0, unmatched_ = 0;
    std::array<std::vector<u32>, kPacketPhases> phases_; // ns per completed packet (saturating at 4 s)
    std::vector<u64> done_ns_;
    std::vector<PacketTimes> flows_;
};

} // namespace smpsim::report
