#include "sim/litmus/scheduler.h"

#include <algorithm>
#include <bit>
#include <numeric>

namespace smpsim::litmus {

RunScheduler::RunScheduler(unsigned threads, u64 expected_steps, const SchedulerOptions& options,
                           SplitMix64& rng)
    : rng_(rng), options_(options), expected_steps_(expected_steps), skew_(threads, 0),
      commit_percent_(threads, 0), priority_(threads, 0) {}

void RunScheduler::start_run() {
    const SchedulerOptions& options = options_;
    const unsigned threads = unsigned(skew_.size());
    const unsigned max_commit = 2 * options.commit_percent;
    step_ = 0;
    change_points_.clear();
    next_change_ = 0;
    std::fill(skew_.begin(), skew_.end(), 0u);
    actions_.clear();
    too_long_ = false;
    plan_.clear();
    if (threads > 1 && !kept_.empty() && rng_.below(100) < options.mutation_percent) {
        // The plan, then a random walk with one commit rate for every CPU (see RandomWalk below).
        strategy_ = Strategy::Mutation;
        depth_ = 0;
        draw_plan();
        const unsigned commit = unsigned(rng_.below(max_commit + 1));
        std::fill(commit_percent_.begin(), commit_percent_.end(), commit);
    } else if (threads > 1 && rng_.below(100) < options.pct_percent) {
        strategy_ = Strategy::Pct;
        const u64 k = std::max<u64>(expected_steps_, 1);
        // Deep schedules matter: a test's rare states can need a switch at many exact points (six
        // threads of dat3m's pso show 801 of herd7's 1533 states in 10^4 runs with d up to 10, 906 with
        // d up to 24).
        depth_ = 1 + unsigned(rng_.below(options.pct_max_depth ? options.pct_max_depth : k));
        std::iota(priority_.begin(), priority_.end(), u64(depth_));
        std::shuffle(priority_.begin(), priority_.end(), rng_);
        for (u64 i = 1; i < depth_; ++i)
            change_points_.emplace_back(1 + rng_.below(k), i);
        std::sort(change_points_.begin(), change_points_.end());
        pct_step_limit_ = 4 * k + 64;
        for (unsigned t = 0; t < threads; ++t)
            commit_percent_[t] = unsigned(rng_.below(max_commit + 1));
    } else {
        strategy_ = Strategy::RandomWalk;
        depth_ = 0;
        const unsigned commit = unsigned(rng_.below(max_commit + 1));
        for (unsigned t = 0; t < threads; ++t) {
            skew_[t] = options.max_start_skew ? unsigned(rng_.below(options.max_start_skew + 1)) : 0;
            commit_percent_[t] = commit;
        }
    }
}

void RunScheduler::draw_plan() {
    plan_ = kept_[rng_.below(kept_.size())];
    if (plan_.size() < 2) return;
    // Move one to three actions (a step, or a commit to the other side of a load): a model of pso's
    // schedules found all its states in 10^5 runs this way, and no better with more moves.
    for (u64 moves = 1 + rng_.below(3); moves != 0; --moves) {
        const std::size_t from = rng_.below(plan_.size());
        const u8 action = plan_[from];
        plan_.erase(plan_.begin() + std::ptrdiff_t(from));
        const std::size_t to = rng_.below(plan_.size() + 1);
        plan_.insert(plan_.begin() + std::ptrdiff_t(to), action);
    }
}

void RunScheduler::keep_schedule() {
    if (!too_long_) kept_.push_back(actions_);
}

unsigned RunScheduler::pick(u64 running) {
    ++step_;
    if (strategy_ == Strategy::Pct && step_ <= pct_step_limit_) {
        // The running thread of highest priority (priorities are distinct), lowered at the change points
        // that fall on this step; then the highest again.
        const auto highest = [&] {
            unsigned best = unsigned(std::countr_zero(running));
            for (u64 m = running & (running - 1); m != 0; m &= m - 1) {
                const unsigned t = unsigned(std::countr_zero(m));
                if (priority_[t] > priority_[best]) best = t;
            }
            return best;
        };
        unsigned best = highest();
        while (next_change_ < change_points_.size() && change_points_[next_change_].first == step_) {
            priority_[best] = change_points_[next_change_++].second;
            best = highest();
        }
        return best;
    }
    // Uniformly among the running threads: the k-th set bit.
    u64 count = 0; // std::popcount is a library call without -mpopcnt; litmus tests have few threads
    for (u64 m = running; m != 0; m &= m - 1)
        ++count;
    u64 m = running;
    for (u64 k = rng_.below(count); k != 0; --k)
        m &= m - 1;
    return unsigned(std::countr_zero(m));
}

} // namespace smpsim::litmus
