// The litmus run scheduler: picks only unfinished threads, PCT's schedules switch threads only at its
// change points (and when a thread finishes), the same seed gives the same schedule.
#include "sim/litmus/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// Records a run of `steps` thread steps (round robin) and one commit per thread as its actions.
std::vector<u8> record_run(RunScheduler& s, unsigned threads, unsigned steps) {
    std::vector<u8> actions;
    for (unsigned i = 0; i < steps; ++i) {
        s.record_step(i % threads);
        actions.push_back(u8(i % threads));
    }
    for (unsigned t = 0; t < threads; ++t) {
        s.record_commit(t);
        actions.push_back(u8(t | RunScheduler::commit_action));
    }
    return actions;
}

// The length of the longest common subsequence: a plan made of k moves keeps at least n - k in order.
std::size_t common_subsequence(const std::vector<u8>& a, const std::vector<u8>& b) {
    std::vector<std::vector<std::size_t>> l(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j)
            l[i][j] = a[i - 1] == b[j - 1] ? l[i - 1][j - 1] + 1 : std::max(l[i - 1][j], l[i][j - 1]);
    return l[a.size()][b.size()];
}

TEST(RunScheduler, MutationReplaysAKeptScheduleWithOneToThreeActionsMoved) {
    SchedulerOptions o;
    o.mutation_percent = 100;
    unsigned changed = 0;
    for (u64 seed = 1; seed <= 100; ++seed) {
        SplitMix64 rng(seed);
        RunScheduler s(3, 20, o, rng);
        s.start_run();
        ASSERT_NE(s.strategy(), RunScheduler::Strategy::Mutation) << "nothing is kept yet";
        ASSERT_TRUE(s.plan().empty());
        const std::vector<u8> kept = record_run(s, 3, 17);
        s.keep_schedule();
        EXPECT_EQ(s.kept_schedules(), 1u);
        s.start_run();
        ASSERT_EQ(s.strategy(), RunScheduler::Strategy::Mutation);
        for (unsigned t = 0; t < 3; ++t)
            EXPECT_EQ(s.start_skew(t), 0u);
        const std::vector<u8> plan = s.plan();
        std::vector<u8> a = kept, b = plan;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        EXPECT_EQ(a, b) << "the same actions, reordered";
        EXPECT_GE(common_subsequence(kept, plan), kept.size() - 3) << "seed " << seed;
        changed += plan != kept;
        // Starting the next run forgets this one's actions: a schedule kept now is the new run's own.
        const std::vector<u8> second = record_run(s, 3, 5);
        s.keep_schedule();
        ASSERT_EQ(s.kept_schedules(), 2u);
        bool saw_second = false;
        for (int i = 0; i < 40 && !saw_second; ++i) {
            s.start_run();
            saw_second = s.plan().size() == second.size();
        }
        EXPECT_TRUE(saw_second) << "every kept schedule gets mutated";
    }
    EXPECT_GT(changed, 80u) << "most mutations change the order";
}

TEST(RunScheduler, SchedulesTooLongToKeepAndSingleThreadsAreNotMutated) {
    SchedulerOptions o;
    o.mutation_percent = 100;
    SplitMix64 rng(1);
    RunScheduler s(2, 20, o, rng);
    s.start_run();
    record_run(s, 2, unsigned(RunScheduler::max_kept_actions)); // one action too many with the commits
    s.keep_schedule();
    EXPECT_EQ(s.kept_schedules(), 0u) << "a spinning run is not worth replaying";

    RunScheduler single(1, 20, o, rng);
    single.start_run();
    record_run(single, 1, 4);
    single.keep_schedule();
    single.start_run();
    EXPECT_NE(single.strategy(), RunScheduler::Strategy::Mutation);
}

} // namespace
} // namespace smpsim::litmus
