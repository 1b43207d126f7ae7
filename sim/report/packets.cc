#include "sim/report/packets.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace smpsim::report {

namespace {

constexpr const char* kPhaseNames[kPacketPhases] = {"wire_to_writeback", "writeback_to_interrupt",
                                                    "interrupt_to_poll", "poll_to_done", "wire_to_done"};

// Nearest rank: the smallest value with at least p% of the values at or below it.
u64 percentile(const std::vector<u64>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = std::size_t(std::ceil(p / 100.0 * double(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

u32 saturate(u64 ns) {
    return u32(std::min<u64>(ns, std::numeric_limits<u32>::max()));
}

} // namespace

const char* packet_phase_name(PacketPhase phase) {
    return kPhaseNames[std::size_t(phase)];
}

DurationStats duration_stats(std::vector<u64> values) {
    DurationStats s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    s.p50 = percentile(values, 50);
    s.p90 = percentile(values, 90);
    s.p99 = percentile(values, 99);
    s.max = values.back();
    double sum = 0;
    for (u64 v : values) {
        sum += double(v);
        const std::size_t bucket = std::size_t(std::bit_width(v)); // 0 -> 0, [2^(k-1), 2^k) -> k
        if (s.buckets.size() <= bucket) s.buckets.resize(bucket + 1);
        ++s.buckets[bucket];
    }
    s.mean = sum / double(values.size());
    return s;
}

PacketTimeline::PacketTimeline(double cpu_mhz, std::size_t first_flows, std::size_t flow_every)
    : cpu_mhz_(cpu_mhz > 0 ? cpu_mhz : 1), first_flows_(first_flows),
      flow_every_(flow_every ? flow_every : 1) {}

void PacketTimeline::rx_written_back(unsigned queue, u32 descriptor, u64 wire_ns, u64 writeback_ns) {
    ++written_back_;
    InFlight f;
    f.wire = wire_ns;
    f.writeback = writeback_ns;
    slots_[key(queue, descriptor)].push_back(f);
}

void PacketTimeline::rx_interrupt(u32 cpu, unsigned queue, u64 ns) {
    last_interrupt_[queue % last_interrupt_.size()] = {ns, int(cpu)};
}

void PacketTimeline::rx_poll(u32 cpu, unsigned queue, u32 descriptor, u64 ns) {
    const auto slot = slots_.find(key(queue, descriptor));
    if (slot != slots_.end())
        for (InFlight& f : slot->second) {
            if (f.polled) continue;
            f.polled = true;
            f.poll_cpu = cpu;
            // The queue's last interrupt, if it came after the write-back, is the one that got the frame
            // polled: the driver keeps the vector masked until NAPI has cleaned the ring.
            const LastInterrupt& irq = last_interrupt_[queue % last_interrupt_.size()];
            if (irq.cpu >= 0 && irq.ns >= f.writeback) {
                f.interrupt = irq.ns;
                f.interrupt_cpu = irq.cpu;
            } else {
                f.interrupt = f.writeback;
            }
            f.poll = ns;
            return;
        }
    ++unmatched_;
}

void PacketTimeline::rx_done(u32 cpu, unsigned queue, u32 descriptor, u64 ns) {
    const auto slot = slots_.find(key(queue, descriptor));
    if (slot == slots_.end() || slot->second.empty() || !slot->second.front().polled) {
        ++unmatched_;
        return;
    }
    const InFlight f = slot->second.front();
    slot->second.pop_front();
    if (slot->second.empty()) slots_.erase(slot);
    // Times never go back, so that the phases add up to wire->done.
    const u64 writeback = std::max(f.writeback, f.wire);
    const u64 interrupt = std::max(f.interrupt, writeback);
    const u64 poll = std::max(f.poll, interrupt);
    const u64 done = std::max(ns, poll);
    const bool clamped = writeback != f.writeback || interrupt != f.interrupt || poll != f.poll || done != ns;
    phases_[0].push_back(saturate(writeback - f.wire));
    phases_[1].push_back(saturate(interrupt - writeback));
    phases_[2].push_back(saturate(poll - interrupt));
    phases_[3].push_back(saturate(done - poll));
    phases_[4].push_back(saturate(done - f.wire));
    done_ns_.push_back(done);
    if (f.interrupt_cpu >= 0) ++own_interrupt_;
    const u64 id = completed_++;
    if (id < first_flows_ || (id - first_flows_) % flow_every_ == flow_every_ - 1)
        flows_.push_back({id, queue, descriptor, f.wire, writeback, interrupt, poll, done, f.interrupt_cpu,
                          f.poll_cpu, cpu, clamped});
}

nlohmann::json PacketTimeline::json() const {
    using nlohmann::json;
    json phases = json::object();
    for (std::size_t p = 0; p < kPacketPhases; ++p) {
        const DurationStats s = duration_stats({phases_[p].begin(), phases_[p].end()});
        json histogram = json::array();
        std::size_t first = 0;
        while (first < s.buckets.size() && s.buckets[first] == 0)
            ++first;
        for (std::size_t b = first; b < s.buckets.size(); ++b)
            histogram.push_back({{"lo_ns", b == 0 ? 0 : u64(1) << (b - 1)},
                                 {"hi_ns", b == 0 ? 1 : u64(1) << b},
                                 {"count", s.buckets[b]}});
        phases[kPhaseNames[p]] = {{"p50_ns", s.p50},
                                  {"p90_ns", s.p90},
                                  {"p99_ns", s.p99},
                                  {"max_ns", s.max},
                                  {"mean_ns", std::round(s.mean * 10) / 10},
                                  {"mean_cycles", std::round(s.mean * cpu_mhz_ / 1000.0 * 10) / 10},
                                  {"histogram", histogram}};
    }
    // Throughput: packets done per fixed window of simulated time, the window the largest of 1 ms,
    // 100 us and 10 us that still gives at least 20 windows.
    json throughput = nullptr;
    if (!done_ns_.empty()) {
        const auto [lo, hi] = std::minmax_element(done_ns_.begin(), done_ns_.end());
        u64 window = 1'000'000;
        while (window > 10'000 && (*hi - *lo) / window < 20)
            window /= 10;
        const u64 start = *lo / window * window;
        std::vector<u64> counts((*hi - start) / window + 1);
        for (u64 t : done_ns_)
            ++counts[(t - start) / window];
        json rates = json::array();
        for (u64 c : counts)
            rates.push_back(std::round(double(c) * 1e6 / double(window) * 10) / 10);
        throughput = {
            {"window_ns", window}, {"start_ns", start}, {"packets", counts}, {"packets_per_ms", rates}};
    }
    u64 in_flight = 0;
    for (const auto& [k, q] : slots_)
        in_flight += q.size();
    return {{"count", completed_},
            {"written_back", written_back_},
            {"incomplete", in_flight},
            {"own_interrupt", own_interrupt_},
            {"polled_without_interrupt", completed_ - own_interrupt_},
            {"unmatched_markers", unmatched_},
            {"flows_in_trace", flows_.size()},
            {"phases", phases},
            {"throughput", throughput}};
}

} // namespace smpsim::report
