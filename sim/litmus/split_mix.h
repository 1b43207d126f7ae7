// The litmus runners' random numbers (a pick per step, commits, the schedule's draws): SplitMix64
// (Steele, Lea and Flood, OOPSLA 2014), a few host instructions per number where mt19937_64 costs tens
// (it was a tenth of an x86 litmus run's host time); a scheduler needs no more. A
// UniformRandomBitGenerator, so std::shuffle takes it.
#pragma once
#include "sim/core/types.h"

#include <limits>

namespace smpsim::litmus {

class SplitMix64 {
  public:
    using result_type = u64;
    explicit SplitMix64(u64 seed) : state_(seed) {}
    static constexpr u64 min() { return 0; }
    static constexpr u64 max() { return std::numeric_limits<u64>::max(); }
    u64 operator()() {
        u64 z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) by multiply and shift (Lemire), without a division.
    u64 below(u64 n) { return u64((unsigned __int128)(*this)() * n >> 64); }

  private:
    u64 state_;
};

} // namespace smpsim::litmus
