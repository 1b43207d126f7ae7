// Per-packet latency (PacketTimeline): frames followed by (queue, descriptor) through the wire side's
// write-backs and the guest's markers, the phases and their statistics, and the packet flows, regions
// and grace periods in the trace.
#include "sim/report/packets.h"
#include "sim/report/trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace smpsim::report {
namespace {

TEST(DurationStats, NearestRankPercentilesAndLog2Buckets) {
    std::vector<u64> values;
    for (u64 v = 1; v <= 100; ++v)
        values.push_back(v);
    const DurationStats s = duration_stats(values);
    EXPECT_EQ(s.count, 100u);
    EXPECT_EQ(s.p50, 50u);
    EXPECT_EQ(s.p90, 90u);
    EXPECT_EQ(s.p99, 99u);
    EXPECT_EQ(s.max, 100u);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    // [1,2) [2,4) [4,8) ... [64,128): 1, 2, 4, 8, 16, 32, 37
    ASSERT_EQ(s.buckets.size(), 8u);
    EXPECT_EQ(s.buckets[0], 0u);
    EXPECT_EQ(s.buckets[1], 1u);
    EXPECT_EQ(s.buckets[7], 37u);
    EXPECT_EQ(duration_stats({0}).buckets, std::vector<u64>{1});
    EXPECT_EQ(duration_stats({}).count, 0u);
}

TEST(PacketTimeline, PhasesOfOnePacketAddUp) {
    PacketTimeline t(2000); // 2 cycles per ns
    t.rx_written_back(1, 7, 1000, 1100);
    t.rx_interrupt(0, 1, 1300);
    t.rx_poll(0, 1, 7, 1700);
    t.rx_done(0, 1, 7, 2500);
    ASSERT_EQ(t.completed(), 1u);
    const nlohmann::json j = t.json();
    EXPECT_EQ(j["count"], 1);
    EXPECT_EQ(j["own_interrupt"], 1);
    EXPECT_EQ(j["incomplete"], 0);
    const nlohmann::json& p = j["phases"];
    EXPECT_EQ(p["wire_to_writeback"]["max_ns"], 100);
    EXPECT_EQ(p["writeback_to_interrupt"]["max_ns"], 200);
    EXPECT_EQ(p["interrupt_to_poll"]["max_ns"], 400);
    EXPECT_EQ(p["poll_to_done"]["max_ns"], 800);
    EXPECT_EQ(p["poll_to_done"]["mean_cycles"], 1600.0);
    EXPECT_EQ(p["wire_to_done"]["p50_ns"], 1500);
    ASSERT_EQ(t.flows().size(), 1u);
    EXPECT_EQ(t.flows()[0].interrupt_cpu, 0);
    EXPECT_FALSE(t.flows()[0].clamped);
}

TEST(PacketTimeline, FramePolledWithoutAnInterruptOfItsOwn) {
    PacketTimeline t(1000);
    t.rx_interrupt(0, 0, 500); // before the write-back: not this frame's
    t.rx_written_back(0, 3, 1000, 1000);
    t.rx_poll(1, 0, 3, 1200);
    t.rx_done(1, 0, 3, 1300);
    const nlohmann::json j = t.json();
    EXPECT_EQ(j["own_interrupt"], 0);
    EXPECT_EQ(j["polled_without_interrupt"], 1);
    EXPECT_EQ(j["phases"]["writeback_to_interrupt"]["max_ns"], 0);
    EXPECT_EQ(j["phases"]["interrupt_to_poll"]["max_ns"], 200);
}

TEST(PacketTimeline, ADescriptorReusedWhileItsSkbWaitsInABacklog) {
    PacketTimeline t(1000);
    t.rx_written_back(0, 5, 100, 100);
    t.rx_poll(0, 0, 5, 200);           // steered to CPU 1's backlog
    t.rx_written_back(0, 5, 300, 300); // the refilled descriptor gets the next frame
    t.rx_poll(0, 0, 5, 400);
    t.rx_done(1, 0, 5, 500); // the first frame, on CPU 1
    t.rx_done(0, 0, 5, 450); // the second: its done comes out of order in time (another CPU)
    EXPECT_EQ(t.completed(), 2u);
    ASSERT_EQ(t.flows().size(), 2u);
    EXPECT_EQ(t.flows()[0].wire, 100u);
    EXPECT_EQ(t.flows()[0].done_cpu, 1u);
    EXPECT_EQ(t.flows()[1].wire, 300u);
    EXPECT_EQ(t.json()["unmatched_markers"], 0);
    t.rx_done(0, 0, 5, 600); // nothing left on that descriptor
    t.rx_poll(0, 2, 9, 600);
    EXPECT_EQ(t.json()["unmatched_markers"], 2);
}

TEST(PacketTimeline, TimesNeverGoBack) {
    PacketTimeline t(1000);
    t.rx_written_back(0, 0, 1000, 1000);
    t.rx_interrupt(1, 0, 1500);
    t.rx_poll(0, 0, 0, 1400); // another CPU's local time, behind the interrupt's
    t.rx_done(0, 0, 0, 1450);
    const PacketTimes& p = t.flows().at(0);
    EXPECT_TRUE(p.clamped);
    EXPECT_LE(p.wire, p.writeback);
    EXPECT_LE(p.writeback, p.interrupt);
    EXPECT_LE(p.interrupt, p.poll);
    EXPECT_LE(p.poll, p.done);
    EXPECT_EQ(t.json()["phases"]["wire_to_done"]["max_ns"], 500);
}

TEST(PacketTimeline, FlowsAreTheFirstPacketsThenEveryNth) {
    PacketTimeline t(1000, 3, 10);
    for (u32 i = 0; i < 40; ++i) {
        t.rx_written_back(0, i, 100 * i, 100 * i);
        t.rx_poll(0, 0, i, 100 * i + 10);
        t.rx_done(0, 0, i, 100 * i + 20);
    }
    std::vector<u64> ids;
    for (const PacketTimes& p : t.flows())
        ids.push_back(p.id);
    EXPECT_EQ(ids, (std::vector<u64>{0, 1, 2, 12, 22, 32}));
    const nlohmann::json tp = t.json()["throughput"];
    EXPECT_EQ(tp["window_ns"], 10000); // 4 us of packets: the smallest window, 10 us
}

TEST(RunRecorderRegions, SoftirqsNestAndGracePeriodsFollowEachOther) {
    RunRecorder r(2, 1000);
    r.region_begin(1, "__do_softirq", 1000);
    r.region_begin(1, "softirq NET_RX", 1100);
    r.region_end(1, "softirq NET_RX", "softirq", 1900);
    r.region_end(1, "__do_softirq", "softirq", 2000);
    r.region_end(0, "__do_softirq", "softirq", 2000); // no begin: ignored
    r.rcu_gp_start(7, 3000);
    r.rcu_gp_end(7, 2900); // another CPU, behind: clamped to the start
    r.rcu_gp_start(8, 2950);
    r.rcu_gp_end(8, 4000);
    r.slice(r.nic_track(), "wire q0 d1", "packet", "", 500, 500);
    r.flow(r.nic_track(), 's', 1, 500);
    r.flow(r.guest_track(1), 'f', 1, 1500);
    const nlohmann::json doc = r.trace_json();
    std::vector<std::string> names;
    for (const nlohmann::json& e : doc["traceEvents"]) {
        if (e["ph"] == "M") continue;
        names.push_back(e["name"].get<std::string>() + "@" + std::to_string(e["tid"].get<int>()));
        if (e["name"] == "rcu gp 8") {
            EXPECT_EQ(e["ts"], 3.0);
        }
        if (e["ph"] == "f") {
            EXPECT_EQ(e["bp"], "e");
        }
        if (e["ph"] == "s") {
            EXPECT_EQ(e["id"], 1);
        }
    }
    // tracks: cpu0 0, cpu1 1, markers 2, cpu0 guest 3, cpu1 guest 4, rcu 5, nic rx 6; gp 7 was clamped to
    // zero length at gp 8's start, and the longer slice comes first
    EXPECT_EQ(names, (std::vector<std::string>{"__do_softirq@4", "softirq NET_RX@4", "packet@4", "rcu gp 8@5",
                                               "rcu gp 7@5", "wire q0 d1@6", "packet@6"}));
}

} // namespace
} // namespace smpsim::report
