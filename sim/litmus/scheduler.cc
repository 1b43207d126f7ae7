#include "sim/litmus/scheduler.h"

#include <algorithm>
#include <numeric>

namespace smpsim::litmus {

RunScheduler::RunScheduler(unsigned threads, u64 expected_steps, const SchedulerOptions& options,
                           SplitMix64& rng)
    : rng_(rng), options_(options), expected_steps_(expected_steps), skew_(threads, 0),
      commit_percent_(threads, 0), priority_(threads, 0) {
    active_.reserve(threads);
}

void RunScheduler::start_run() {
    const SchedulerOptions& options = options_;
    const unsigned threads = unsigned(skew_.size());
    const unsigned max_commit = 2 * options.commit_percent;
    step_ = 0;
    change_points_.clear();
    std::fill(skew_.begin(), skew_.end(), 0u);
    if (threads > 1 && rng_.below(100) < options.pct_percent) {
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

unsigned RunScheduler::pick(const std::vector<bool>& done) {
    ++step_;
    if (strategy_ == Strategy::Pct && step_ <= pct_step_limit_) {
        unsigned best = 0;
        bool found = false;
        for (unsigned t = 0; t < done.size(); ++t)
            if (!done[t] && (!found || priority_[t] > priority_[best])) {
                best = t;
                found = true;
            }
        // Change points that fall on this step lower the thread that would run; the next one runs.
        while (!change_points_.empty() && change_points_.front().first == step_) {
            priority_[best] = change_points_.front().second;
            change_points_.erase(change_points_.begin());
            for (unsigned t = 0; t < done.size(); ++t)
                if (!done[t] && priority_[t] > priority_[best]) best = t;
        }
        return best;
    }
    active_.clear();
    for (unsigned t = 0; t < done.size(); ++t)
        if (!done[t]) active_.push_back(t);
    return active_[rng_.below(active_.size())];
}

} // namespace smpsim::litmus
