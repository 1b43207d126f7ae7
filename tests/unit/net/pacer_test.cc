// Pacer schedules for every mode (simulated time only) and parse_pace's accepted and rejected texts.
#include "sim/core/error.h"
#include "sim/net/pacer.h"

#include <gtest/gtest.h>

namespace smpsim::net {
namespace {

using Mode = PaceSpec::Mode;

TEST(ParsePace, AcceptsEveryMode) {
    EXPECT_EQ(parse_pace("original").mode, Mode::Original);
    EXPECT_EQ(parse_pace("max").mode, Mode::Max);
    const PaceSpec scale = parse_pace("scale=2.5");
    EXPECT_EQ(scale.mode, Mode::Scale);
    EXPECT_DOUBLE_EQ(scale.factor, 2.5);
    const PaceSpec pps = parse_pace("pps=100000");
    EXPECT_EQ(pps.mode, Mode::Pps);
    EXPECT_DOUBLE_EQ(pps.pps, 100000);
    EXPECT_DOUBLE_EQ(parse_pace("scale=0.5").factor, 0.5);
}

TEST(ParsePace, RejectsEverythingElse) {
    for (const char* bad :
         {"", "fast", "Original", "scale", "scale=", "scale=0", "scale=-1", "scale=abc", "scale=2x",
          "scale=inf", "scale=nan", "pps=", "pps=0", "pps=-5", "pps=1e", "max=1", " original", "original "}) {
        EXPECT_THROW(parse_pace(bad), InputError) << bad;
    }
    try {
        parse_pace("warp=9");
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("warp=9"), std::string::npos);
    }
}

TEST(LineTime, GigabitWithFcsPreambleAndGap) {
    EXPECT_EQ(line_time_ns(60), 672u);     // minimum frame: 84 bytes on the wire
    EXPECT_EQ(line_time_ns(1514), 12304u); // 1538 bytes
}

TEST(Pacer, OriginalFollowsCaptureGapsFromStart) {
    Pacer pacer(parse_pace("original"), 1000);
    EXPECT_EQ(pacer.send_time_ns(5'000'000'000, 60), 1000u);
    EXPECT_EQ(pacer.send_time_ns(5'000'050'000, 60), 51'000u);
    EXPECT_EQ(pacer.send_time_ns(5'000'150'000, 60), 151'000u);
}

TEST(Pacer, OriginalNeverBeatsLineRate) {
    Pacer pacer(parse_pace("original"), 0);
    EXPECT_EQ(pacer.send_time_ns(100, 1514), 0u);
    EXPECT_EQ(pacer.send_time_ns(100, 60), 12304u);           // same stamp: waits for the 1514-byte frame
    EXPECT_EQ(pacer.send_time_ns(200, 60), 12304u + 672);     // then a minimum-size frame time
    EXPECT_EQ(pacer.send_time_ns(1'000'100, 60), 1'000'000u); // a later stamp is honoured exactly
}

TEST(Pacer, BackwardTimestampsStayMonotonic) {
    Pacer pacer(parse_pace("original"), 0);
    EXPECT_EQ(pacer.send_time_ns(1'000'000, 60), 0u);
    EXPECT_EQ(pacer.send_time_ns(1'100'000, 60), 100'000u);
    EXPECT_EQ(pacer.send_time_ns(1'050'000, 60), 100'672u); // earlier stamp: right after the previous
    EXPECT_EQ(pacer.send_time_ns(900'000, 60), 101'344u);   // before the first frame: still monotonic
    EXPECT_EQ(pacer.send_time_ns(1'300'000, 60), 300'000u);
}

TEST(Pacer, ScaleDividesGaps) {
    Pacer faster(parse_pace("scale=4"), 0);
    EXPECT_EQ(faster.send_time_ns(0, 60), 0u);
    EXPECT_EQ(faster.send_time_ns(100'000, 60), 25'000u);
    EXPECT_EQ(faster.send_time_ns(400'000, 60), 100'000u);
    Pacer slower(parse_pace("scale=0.5"), 10);
    EXPECT_EQ(slower.send_time_ns(7, 60), 10u);
    EXPECT_EQ(slower.send_time_ns(50'007, 60), 100'010u);
    // A huge speed-up hits the line-rate bound.
    Pacer capped(parse_pace("scale=1000000"), 0);
    EXPECT_EQ(capped.send_time_ns(0, 60), 0u);
    EXPECT_EQ(capped.send_time_ns(50'000, 60), 672u);
}

TEST(Pacer, PpsIsAFixedRateWithoutDrift) {
    Pacer pacer(parse_pace("pps=3"), 100);
    EXPECT_EQ(pacer.send_time_ns(999, 60), 100u);
    EXPECT_EQ(pacer.send_time_ns(0, 60), 100u + 333'333'333);
    EXPECT_EQ(pacer.send_time_ns(5, 60), 100u + 666'666'667);
    EXPECT_EQ(pacer.send_time_ns(5, 60), 100u + 1'000'000'000);
    // Faster than the line allows: the bound wins.
    Pacer fast(parse_pace("pps=10000000"), 0); // 100 ns apart
    EXPECT_EQ(fast.send_time_ns(0, 1514), 0u);
    EXPECT_EQ(fast.send_time_ns(0, 60), 12304u);
}

TEST(Pacer, MaxIsBackToBackAtLineRate) {
    Pacer pacer(parse_pace("max"), 500);
    EXPECT_EQ(pacer.send_time_ns(123, 60), 500u);
    EXPECT_EQ(pacer.send_time_ns(9'999'999, 100), 500u + 672);
    EXPECT_EQ(pacer.send_time_ns(0, 60), 500u + 672 + 992); // 100 + 24 bytes at 8 ns
}

TEST(Pacer, LoopPassesRestartRelativeToTheirFirstFrame) {
    Pacer pacer(parse_pace("original"), 0);
    EXPECT_EQ(pacer.send_time_ns(1'000, 60), 0u);
    EXPECT_EQ(pacer.send_time_ns(11'000, 60), 10'000u);
    pacer.start_pass(50'000);
    EXPECT_EQ(pacer.send_time_ns(1'000, 60), 50'000u);
    EXPECT_EQ(pacer.send_time_ns(11'000, 60), 60'000u);
    // A pass that starts "now" right after the last frame still respects the line.
    pacer.start_pass(60'000);
    EXPECT_EQ(pacer.send_time_ns(1'000, 60), 60'672u);
    Pacer rate(parse_pace("pps=1000"), 0);
    EXPECT_EQ(rate.send_time_ns(0, 60), 0u);
    EXPECT_EQ(rate.send_time_ns(0, 60), 1'000'000u);
    rate.start_pass(5'000'000);
    EXPECT_EQ(rate.send_time_ns(0, 60), 5'000'000u);
    EXPECT_EQ(rate.send_time_ns(0, 60), 6'000'000u);
}

TEST(ParsePace, RatesAndFactorsHaveFiniteRanges) {
    // A tiny rate or factor would put the next frame "never" and hang the replay.
    for (const char* bad :
         {"pps=1e-300", "pps=0.09", "pps=1e11", "scale=1e-300", "scale=0.0009", "scale=2e9"})
        EXPECT_THROW(parse_pace(bad), InputError) << bad;
    EXPECT_DOUBLE_EQ(parse_pace("pps=0.1").pps, 0.1);
    EXPECT_DOUBLE_EQ(parse_pace("scale=0.001").factor, 0.001);
}

TEST(Pacer, AGapBeyondTheLimitIsAnInputError) {
    Pacer original(parse_pace("original"), 0);
    EXPECT_EQ(original.send_time_ns(0, 60), 0u);
    EXPECT_EQ(original.send_time_ns(kMaxFrameGapNs, 60), kMaxFrameGapNs);
    EXPECT_THROW(original.send_time_ns(3 * kMaxFrameGapNs, 60), InputError);
    // Slowed down 1000 times, a 1-second gap of the capture becomes 1000 s.
    Pacer slowed(parse_pace("scale=0.001"), 0);
    EXPECT_EQ(slowed.send_time_ns(0, 60), 0u);
    EXPECT_THROW(slowed.send_time_ns(1'000'000'000, 60), InputError);
}

TEST(Pacer, AFasterLinkShortensTheLineTimeAndMaxFollowsIt) {
    EXPECT_EQ(line_time_ns(60, 1.0), 672u);
    EXPECT_EQ(line_time_ns(60, 10.0), 67u);
    EXPECT_EQ(line_time_ns(60, 1e6), 1u); // never zero: frames stay ordered in time
    PaceSpec spec;
    spec.mode = PaceSpec::Mode::Max;
    spec.link_gbps = 10;
    Pacer pacer(spec, 1000);
    EXPECT_EQ(pacer.send_time_ns(0, 60), 1000u);
    EXPECT_EQ(pacer.send_time_ns(0, 60), 1067u);
}

} // namespace
} // namespace smpsim::net
