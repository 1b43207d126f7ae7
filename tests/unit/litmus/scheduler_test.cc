// The litmus run scheduler: picks only unfinished threads, PCT's schedules switch threads only at its
// change points (and when a thread finishes), the same seed gives the same schedule.
#include "sim/litmus/scheduler.h"

#include <gtest/gtest.h>

#include <vector>

namespace smpsim::litmus {
namespace {

// Runs a schedule where thread t finishes after steps[t] of its own steps; returns the picks.
std::vector<unsigned> schedule(RunScheduler& s, std::vector<unsigned> steps) {
    u64 running = (u64{1} << steps.size()) - 1;
    std::vector<unsigned> picks;
    while (running != 0) {
        const unsigned t = s.pick(running);
        EXPECT_LT(t, steps.size());
        EXPECT_TRUE(running >> t & 1) << "picked finished thread " << t;
        picks.push_back(t);
        if (--steps[t] == 0) running &= ~(u64{1} << t);
    }
    return picks;
}

unsigned switches(const std::vector<unsigned>& picks) {
    unsigned n = 0;
    for (size_t i = 1; i < picks.size(); ++i)
        n += picks[i] != picks[i - 1];
    return n;
}

TEST(RunScheduler, PctRunsAThreadUntilAChangePointOrItsEnd) {
    SchedulerOptions o;
    o.pct_percent = 100;
    unsigned depths_seen = 0;
    for (u64 seed = 1; seed <= 200; ++seed) {
        SplitMix64 rng(seed);
        RunScheduler s(3, 30, o, rng);
        s.start_run();
        ASSERT_EQ(s.strategy(), RunScheduler::Strategy::Pct);
        ASSERT_GE(s.depth(), 1u);
        ASSERT_LE(s.depth(), 30u);
        depths_seen += s.depth() > 3;
        for (unsigned t = 0; t < 3; ++t)
            EXPECT_EQ(s.start_skew(t), 0u);
        const std::vector<unsigned> picks = schedule(s, {10, 10, 10});
        // A switch happens when a thread ends (2 of them before the last) or at a change point.
        EXPECT_LE(switches(picks), 2 + (s.depth() - 1)) << "seed " << seed;
    }
    EXPECT_GT(depths_seen, 0u) << "depth is drawn up to the expected step count";
}

TEST(RunScheduler, PctOfDepthOneRunsTheThreadsOneAfterAnother) {
    SchedulerOptions o;
    o.pct_percent = 100;
    o.pct_max_depth = 1;
    std::vector<bool> first_seen(3, false);
    for (u64 seed = 1; seed <= 60; ++seed) {
        SplitMix64 rng(seed);
        RunScheduler s(3, 12, o, rng);
        s.start_run();
        ASSERT_EQ(s.depth(), 1u);
        const std::vector<unsigned> picks = schedule(s, {4, 4, 4});
        EXPECT_EQ(switches(picks), 2u);
        first_seen[picks.front()] = true;
    }
    EXPECT_EQ(first_seen, std::vector<bool>(3, true)) << "every thread gets to run first";
}

TEST(RunScheduler, RandomWalkSkewsStartsAndInterleaves) {
    SchedulerOptions o;
    o.pct_percent = 0;
    o.max_start_skew = 5;
    bool skewed = false;
    for (u64 seed = 1; seed <= 50; ++seed) {
        SplitMix64 rng(seed);
        RunScheduler s(2, 20, o, rng);
        s.start_run();
        ASSERT_EQ(s.strategy(), RunScheduler::Strategy::RandomWalk);
        for (unsigned t = 0; t < 2; ++t) {
            EXPECT_LE(s.start_skew(t), 5u);
            skewed |= s.start_skew(t) > 0;
        }
        EXPECT_GT(switches(schedule(s, {50, 50})), 5u) << "seed " << seed;
    }
    EXPECT_TRUE(skewed);
}

TEST(RunScheduler, APctThreadThatSpinsGivesWayToARandomWalk) {
    // Thread 0 never finishes on its own (a spin loop waiting for thread 1): past the PCT step limit the
    // scheduler must let thread 1 run, whatever the priorities say.
    SchedulerOptions o;
    o.pct_percent = 100;
    o.pct_max_depth = 1;
    for (u64 seed = 1; seed <= 20; ++seed) {
        SplitMix64 rng(seed);
        RunScheduler s(2, 4, o, rng);
        s.start_run();
        bool thread1_ran = false;
        for (int i = 0; i < 10000 && !thread1_ran; ++i)
            thread1_ran = s.pick(0b11) == 1;
        EXPECT_TRUE(thread1_ran) << "seed " << seed;
    }
}

TEST(RunScheduler, TheSameSeedGivesTheSameSchedule) {
    SchedulerOptions o;
    for (u64 seed = 1; seed <= 20; ++seed) {
        SplitMix64 a(seed), b(seed);
        RunScheduler sa(4, 40, o, a), sb(4, 40, o, b);
        sa.start_run();
        sb.start_run();
        EXPECT_EQ(schedule(sa, {10, 10, 10, 10}), schedule(sb, {10, 10, 10, 10}));
    }
}

TEST(RunScheduler, CommitRatesStayWithinTwiceTheMean) {
    SchedulerOptions o;
    o.commit_percent = 0; // 0 to twice 0: never commits on its own
    SplitMix64 rng(1);
    RunScheduler s(2, 10, o, rng);
    s.start_run();
    for (int i = 0; i < 1000; ++i)
        EXPECT_FALSE(s.commits(i & 1));
}

} // namespace
} // namespace smpsim::litmus
