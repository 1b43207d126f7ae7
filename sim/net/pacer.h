// When each replayed frame enters the wire, in simulated nanoseconds. Pure arithmetic, no SystemC.
#pragma once
#include "sim/core/types.h"

#include <string_view>

namespace smpsim::net {

struct PaceSpec {
    enum class Mode : u8 { Original, Scale, Pps, Max } mode = Mode::Original;
    double factor = 1; // Scale: gaps divided by factor (tcpreplay --multiplier)
    double pps = 0;    // Pps: frames per second
    // The wire's speed. The 82576 is a 1 Gb/s part; a faster "what if" link (--link-gbps) lets a
    // replay at pace max measure how many frames the guest could take, not what one port can carry.
    double link_gbps = 1;
};

// Finite ranges, so that no frame is due "never" (docs/EXITS.md).
inline constexpr double kMinScale = 0.001, kMaxScale = 1e9;
inline constexpr double kMinPps = 0.1, kMaxPps = 1e10;
// The longest simulated wait between two frames (or before the first) a replay accepts: longer, and
// send_time_ns throws InputError rather than idle the guest for simulated hours.
inline constexpr u64 kMaxFrameGapNs = 60'000'000'000;

// "original" | "scale=F" | "pps=N" | "max", F and N within the ranges above; InputError otherwise.
PaceSpec parse_pace(std::string_view text);

// Time one frame occupies a 1 Gb/s wire: frame (no FCS) + 4 FCS + 8 preamble/SFD + 12 IFG bytes, 8 ns each.
constexpr u64 line_time_ns(u32 wire_len) {
    return (u64{wire_len} + 4 + 8 + 12) * 8;
}
// The same on a wire of link_gbps (rounded down to whole nanoseconds, at least 1 ns a frame).
u64 line_time_ns(u32 wire_len, double link_gbps);
// From the frame's first bit on the wire (its preamble) to its last (the FCS): when a store-and-forward
// NIC has all of it and may write it to host memory. Rounded down, at least 1 ns.
u64 receive_time_ns(u32 wire_len, double link_gbps);

class Pacer {
  public:
    Pacer(PaceSpec spec, u64 start_ns);
    // Earliest send time of the next frame: from its capture timestamp (Original/Scale, relative to the
    // first frame of the pass, monotonic even if timestamps go backwards), or a fixed rate (Pps, the n-th
    // frame of the pass at n/pps). Never faster than 1 Gb/s line rate: line_time_ns(previous wire_len)
    // after the previous frame started. Max: the line-rate bound only (the replay also waits for a free
    // descriptor). Returned times never decrease.
    u64 send_time_ns(u64 capture_ts_ns, u32 wire_len);
    // --loop: the next pass starts at now_ns, timestamps relative to its first frame.
    void start_pass(u64 now_ns);
    const PaceSpec& spec() const { return spec_; }

  private:
    PaceSpec spec_;
    u64 pass_start_ns_ = 0;
    bool pass_has_first_ = false;
    u64 pass_first_capture_ns_ = 0;
    u64 pass_frames_ = 0;
    bool has_previous_ = false;
    u64 previous_send_ns_ = 0;
    u64 previous_line_ns_ = 0;
};

} // namespace smpsim::net
