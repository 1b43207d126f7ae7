#include "sim/net/pacer.h"

#include "sim/core/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace smpsim::net {
namespace {

constexpr u64 kNever = std::numeric_limits<u64>::max();

constexpr const char* kPaceForms =
    "expected original, scale=F (0.001 <= F <= 1e9), pps=N (0.1 <= N <= 1e10) or max";

double parse_in_range(std::string_view whole, std::string_view number, double min, double max) {
    double value = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    // The negated test also refuses NaN.
    if (error != std::errc{} || end != number.data() + number.size() || !(value >= min && value <= max))
        throw InputError("invalid pace '" + std::string(whole) + "': " + kPaceForms);
    return value;
}

u64 saturating_add(u64 a, u64 b) {
    return b > kNever - a ? kNever : a + b;
}

// A non-negative double of nanoseconds as u64, saturating instead of overflowing (a tiny scale factor
// or rate can push the schedule past any representable time).
u64 to_ns(double value) {
    if (!(value < 9.2e18)) return kNever; // also NaN
    return value <= 0 ? 0 : static_cast<u64>(std::llround(value));
}

} // namespace

u64 line_time_ns(u32 wire_len, double link_gbps) {
    if (link_gbps == 1) return line_time_ns(wire_len);
    const double ns = double(u64{wire_len} + 4 + 8 + 12) * 8 / link_gbps;
    return std::max<u64>(1, u64(ns));
}

u64 receive_time_ns(u32 wire_len, double link_gbps) {
    const double bits = (double(wire_len) + 8 + 4) * 8; // preamble/SFD, frame, FCS
    return std::max<u64>(1, u64(bits / link_gbps));
}

PaceSpec parse_pace(std::string_view text) {
    PaceSpec spec;
    if (text == "original") return spec;
    if (text == "max") {
        spec.mode = PaceSpec::Mode::Max;
    } else if (text.starts_with("scale=")) {
        spec.mode = PaceSpec::Mode::Scale;
        spec.factor = parse_in_range(text, text.substr(6), kMinScale, kMaxScale);
    } else if (text.starts_with("pps=")) {
        spec.mode = PaceSpec::Mode::Pps;
        spec.pps = parse_in_range(text, text.substr(4), kMinPps, kMaxPps);
    } else {
        throw InputError("invalid pace '" + std::string(text) + "': " + kPaceForms);
    }
    return spec;
}

Pacer::Pacer(PaceSpec spec, u64 start_ns) : spec_(spec), pass_start_ns_(start_ns) {
    if (spec_.mode == PaceSpec::Mode::Scale && !(spec_.factor > 0)) spec_.factor = 1;
}

void Pacer::start_pass(u64 now_ns) {
    pass_start_ns_ = now_ns;
    pass_has_first_ = false;
    pass_frames_ = 0;
}

u64 Pacer::send_time_ns(u64 capture_ts_ns, u32 wire_len) {
    if (!pass_has_first_) {
        pass_has_first_ = true;
        pass_first_capture_ns_ = capture_ts_ns;
    }
    // A timestamp before the pass's first frame counts as offset 0; the max with previous_send_ns_ below
    // keeps the schedule monotonic when stamps go backwards.
    const u64 offset = capture_ts_ns > pass_first_capture_ns_ ? capture_ts_ns - pass_first_capture_ns_ : 0;
    u64 target = pass_start_ns_;
    switch (spec_.mode) {
    case PaceSpec::Mode::Original: target = saturating_add(pass_start_ns_, offset); break;
    case PaceSpec::Mode::Scale:
        target = saturating_add(pass_start_ns_, to_ns(static_cast<double>(offset) / spec_.factor));
        break;
    case PaceSpec::Mode::Pps:
        // From the frame index, not by accumulating a rounded interval, so there is no drift.
        if (spec_.pps > 0)
            target =
                saturating_add(pass_start_ns_, to_ns(static_cast<double>(pass_frames_) * 1e9 / spec_.pps));
        break;
    case PaceSpec::Mode::Max: break;
    }
    // A gap no replay could sit through: the guest would idle for simulated hours (or "never", at
    // kNever) and the run would look hung.
    const u64 previous = has_previous_ ? previous_send_ns_ : pass_start_ns_;
    if (target > previous && target - previous > kMaxFrameGapNs)
        throw InputError(
            fmt::format("replay: frame {} of the capture is due {:.0f} s after the previous one, "
                        "more than the limit of {} s simulated (use --pace max, scale=F or pps=N)",
                        pass_frames_ + 1, double(target - previous) / 1e9, kMaxFrameGapNs / 1'000'000'000));
    if (has_previous_) {
        target = std::max(target, previous_send_ns_); // monotonic
        target = std::max(target, saturating_add(previous_send_ns_, previous_line_ns_));
    }
    has_previous_ = true;
    previous_send_ns_ = target;
    previous_line_ns_ = line_time_ns(wire_len, spec_.link_gbps);
    ++pass_frames_;
    return target;
}

} // namespace smpsim::net
