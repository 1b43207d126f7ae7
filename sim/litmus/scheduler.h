// The scheduler of one litmus run: which thread executes the next instruction, and which store buffers
// commit an entry after it. Every choice it makes is one the hardware could make (it only orders the
// CPUs' steps and the commits the memory model permits), so it changes which allowed states show up and
// how often, never whether a forbidden one can. Each run draws one of two strategies:
//
// - Random walk: a uniformly random thread per step, threads starting up to max_start_skew steps late,
//   and one commit rate for every store buffer (0 to twice commit_percent), as litmus7's random
//   interleavings do.
// - PCT (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010): the threads get random
//   distinct priorities d .. d + n - 1 and the highest-priority unfinished thread always runs; at
//   change point k_i (d - 1 of them, random steps) the running thread's priority becomes i, below
//   every thread not yet lowered. A run with d - 1 change points
//   finds any ordering bug of depth d with probability at least 1 / (n k^(d-1)) for n threads and k
//   steps, where a random walk makes the rare orderings (a thread running to its end before another
//   starts, then a switch at one exact instruction) exponentially unlikely. Each store buffer gets a
//   commit rate of its own, so that one thread's stores can stay buffered while others run.
//   A thread that has run far longer than the test's code (a spin loop waiting for another) ends the
//   PCT part of the run: from then on it continues as a random walk, so every run finishes.
// - Mutation (coverage-guided, as fuzzers such as AFL grow a corpus of inputs): every run records its
//   actions (which thread stepped, which store buffer committed, in order), and the runner keeps the
//   actions of each run whose final state was new. A mutation run takes one kept schedule, moves one
//   to three of its actions to random positions, and replays it: an action whose thread has finished or
//   whose store buffer is empty is skipped, and once the plan is used up the run goes on as a random
//   walk. A state next to a rare one (one commit on the other side of one load) is one move away, so
//   the rare states of many-thread tests appear in far fewer runs: dat3m's six-thread pso shows 1,514
//   of herd7's 1,533 states in 10^5 runs where random walks and PCT showed 1,358.
#pragma once
#include "sim/core/types.h"
#include "sim/litmus/split_mix.h"

#include <utility>
#include <vector>

namespace smpsim::litmus {

struct SchedulerOptions {
    unsigned max_start_skew = 16;   // random walk: steps a thread may start late
    unsigned commit_percent = 30;   // mean chance per step that a CPU commits a store-buffer entry
    unsigned pct_percent = 75;      // share of runs scheduled by PCT instead of a random walk
    unsigned pct_max_depth = 0;     // PCT depth d drawn per run from 1..this (0: the test's step count)
    unsigned mutation_percent = 75; // share of runs that replay a mutated kept schedule (once one is kept)
};

class RunScheduler {
  public:
    enum class Strategy : u8 { RandomWalk, Pct, Mutation };
    // An action of a run: a thread's step (the thread's index) or, with commit_action set, a commit of
    // one entry of that CPU's store buffer.
    static constexpr u8 commit_action = 0x80;
    // Schedules longer than this (spin loops) are not kept.
    static constexpr std::size_t max_kept_actions = 1024;

    // expected_steps: about how many instructions the threads execute together (the PCT change points
    // fall among them). One scheduler serves every run of a test (no allocation per run).
    RunScheduler(unsigned threads, u64 expected_steps, const SchedulerOptions& options, SplitMix64& rng);
    // Draws the next run's strategy, priorities, change points, start skews and commit rates, or the
    // kept schedule it mutates. Forgets the previous run's actions.
    void start_run();

    Strategy strategy() const { return strategy_; }
    unsigned depth() const { return depth_; }
    // Steps thread t waits before its first instruction.
    unsigned start_skew(unsigned t) const { return skew_[t]; }
    // The thread that takes the next step, among those whose bit is set in `running` (at least one; up
    // to 64 threads).
    unsigned pick(u64 running);
    // Whether CPU t commits one store-buffer entry after this step.
    bool commits(unsigned t) { return rng_.below(100) < commit_percent_[t]; }

    // Mutation: the actions to replay first (empty for the other strategies).
    const std::vector<u8>& plan() const { return plan_; }
    // The runner reports every action it carries out, so that a run with a new state can be kept.
    void record_step(unsigned t) { record(u8(t)); }
    void record_commit(unsigned t) { record(u8(t | commit_action)); }
    // This run's final state was new: keep its schedule for later mutation.
    void keep_schedule();
    std::size_t kept_schedules() const { return kept_.size(); }

  private:
    void record(u8 action) {
        if (actions_.size() < max_kept_actions)
            actions_.push_back(action);
        else
            too_long_ = true;
    }
    void draw_plan();

    SplitMix64& rng_;
    SchedulerOptions options_;
    u64 expected_steps_;
    Strategy strategy_ = Strategy::RandomWalk;
    unsigned depth_ = 0;
    std::vector<unsigned> skew_;
    std::vector<unsigned> commit_percent_;
    std::vector<u64> priority_;                      // PCT: higher runs first
    std::vector<std::pair<u64, u64>> change_points_; // PCT: (step, new priority), by step
    std::size_t next_change_ = 0;                    // the first change point not yet reached
    u64 step_ = 0;
    u64 pct_step_limit_ = 0;            // PCT gives way to a random walk after this many steps
    std::vector<u8> actions_;           // this run's actions so far
    bool too_long_ = false;             // ... of which some did not fit
    std::vector<std::vector<u8>> kept_; // the schedules of the runs that found a new state
    std::vector<u8> plan_;              // Mutation: this run's plan
};

} // namespace smpsim::litmus
