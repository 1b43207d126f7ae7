#include "apps/smpsim/progress.h"
#include "sim/core/error.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace smpsim::app {
namespace {

std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    for (int c; (c = std::fgetc(f)) != EOF;)
        s.push_back(char(c));
    return s;
}

TEST(ProgressReporter, ThrottlesByHostTimeAndClearsAtTheEnd) {
    std::FILE* out = std::tmpfile();
    double now = 0;
    int formatted = 0;
    {
        ProgressReporter p(
            ProgressReporter::Mode::Always, out, [&] { return now; }, 4);
        EXPECT_TRUE(p.enabled());
        auto line = [&] {
            ++formatted;
            return "n=" + std::to_string(formatted);
        };
        p.update(line); // the first at once
        now = 0.1;
        p.update(line); // too soon: not even formatted
        now = 0.3;
        p.update(line);
        EXPECT_EQ(formatted, 2);
        p.finish();
        p.finish();
    }
    EXPECT_EQ(contents(out), "\rn=1\x1b[K\rn=2\x1b[K\r\x1b[K");
    std::fclose(out);
}

TEST(ProgressReporter, ANewPhaseShowsAtOnce) {
    std::FILE* out = std::tmpfile();
    double now = 0;
    {
        ProgressReporter p(
            ProgressReporter::Mode::Always, out, [&] { return now; }, 4);
        p.update([] { return std::string("boot"); });
        now = 0.1;
        p.update([] { return std::string("too soon"); });
        p.new_phase();
        p.update([] { return std::string("replay"); }); // within the period, but a new phase
        p.update([] { return std::string("too soon again"); });
    }
    EXPECT_EQ(contents(out), "\rboot\x1b[K\rreplay\x1b[K\r\x1b[K");
    std::fclose(out);
}

TEST(ProgressReporter, AutoWritesNothingIntoAFile) {
    std::FILE* out = std::tmpfile();
    {
        ProgressReporter p(ProgressReporter::Mode::Auto, out);
        EXPECT_FALSE(p.enabled());
        p.update([] { return std::string("x"); });
    }
    ProgressReporter never(ProgressReporter::Mode::Never, out);
    never.update([] { return std::string("x"); });
    never.finish();
    EXPECT_EQ(contents(out), "");
    std::fclose(out);
}

TEST(ProgressReporter, Formats) {
    EXPECT_EQ(short_count(9999), "9999");
    EXPECT_EQ(short_count(12'345), "12.3 k");
    EXPECT_EQ(short_count(12'345'678), "12.3 M");
    EXPECT_EQ(clock_time(65), "1:05");
    EXPECT_EQ(clock_time(3 * 3600 + 2), "3:00:02");
    EXPECT_EQ(clock_time(-1), "0:00");
    EXPECT_THROW(ProgressReporter::parse_mode("sometimes"), InputError);
}

} // namespace
} // namespace smpsim::app
