#include "apps/smpsim/progress.h"

#include "sim/core/error.h"

#include <fmt/format.h>

#include <cmath>
#include <unistd.h>

namespace smpsim::app {

ProgressReporter::ProgressReporter(Mode mode, std::FILE* out, Clock clock, double hz)
    : enabled_(mode == Mode::Always || (mode == Mode::Auto && out && isatty(fileno(out)))), out_(out),
      clock_(std::move(clock)), period_(1.0 / hz), start_(clock_()) {}

void ProgressReporter::update(const std::function<std::string()>& line) {
    if (!enabled_) return;
    const double now = clock_();
    if (shown_ && !show_next_ && now - last_ < period_) return;
    last_ = now;
    shown_ = true;
    show_next_ = false;
    // \r to the start of the line, the text, then erase what a longer previous line left.
    const std::string text = "\r" + line() + "\x1b[K";
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
}

void ProgressReporter::finish() {
    if (!enabled_ || !shown_) return;
    shown_ = false;
    std::fputs("\r\x1b[K", out_);
    std::fflush(out_);
}

ProgressReporter::Clock ProgressReporter::steady_seconds() {
    return [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
}

ProgressReporter::Mode ProgressReporter::parse_mode(const std::string& text) {
    if (text == "auto") return Mode::Auto;
    if (text == "always") return Mode::Always;
    if (text == "never") return Mode::Never;
    throw InputError(fmt::format("--progress must be auto, always or never, not '{}'", text));
}

void add_progress_option(CLI::App* cmd, std::string& mode) {
    cmd->add_option("--progress", mode,
                    "Live progress on stderr: auto (when stderr is a terminal), always, never")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "always", "never"}));
}

std::string short_count(unsigned long long n) {
    if (n < 10'000) return fmt::format("{}", n);
    if (n < 10'000'000) return fmt::format("{:.1f} k", double(n) / 1e3);
    if (n < 10'000'000'000ull) return fmt::format("{:.1f} M", double(n) / 1e6);
    return fmt::format("{:.1f} G", double(n) / 1e9);
}

std::string clock_time(double seconds) {
    const auto s = static_cast<unsigned long long>(std::llround(std::max(0.0, seconds)));
    if (s < 3600) return fmt::format("{}:{:02}", s / 60, s % 60);
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

} // namespace smpsim::app
