// Live progress on stderr while a long run goes on (`--progress auto|always|never`): one line, rewritten
// in place with \r at most a few times per host second and cleared when the run ends, so that what
// follows (the summary) starts on a clean line. `auto` shows it only when stderr is a terminal: output
// into a file or a pipe gets nothing extra. The reporter only reads counters handed to it; it changes
// neither the simulation nor stdout.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace smpsim::app {

class ProgressReporter {
  public:
    enum class Mode { Auto, Always, Never };
    using Clock = std::function<double()>; // host seconds, monotonic
    static constexpr double kDefaultHz = 4;

    // `out` is written only when enabled: Always, or Auto and `out` is a terminal.
    explicit ProgressReporter(Mode mode, std::FILE* out = stderr, Clock clock = steady_seconds(),
                              double hz = kDefaultHz);
    ~ProgressReporter() { finish(); }
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;

    bool enabled() const { return enabled_; }
    // Shows `line()` if a period has passed since the last line shown (the first call shows at once).
    // `line` is called only then: formatting costs nothing between updates.
    void update(const std::function<std::string()>& line);
    // The next update() shows at once: a new phase of the run (a replay's frames after the boot) gets
    // its first line however short it is.
    void new_phase() { show_next_ = true; }
    // Clears the line, if one is shown. Called again it does nothing.
    void finish();
    // Seconds since construction, for estimates of the time left.
    double elapsed() const { return clock_() - start_; }

    static Clock steady_seconds();
    static Mode parse_mode(const std::string& text); // auto, always, never (InputError otherwise)

  private:
    bool enabled_;
    std::FILE* out_;
    Clock clock_;
    double period_;
    double start_;
    double last_ = 0;
    bool shown_ = false;     // a line is on the terminal
    bool show_next_ = false; // new_phase(): the next update shows at once
};

// `--progress`: adds the option to `cmd` and keeps its value in `mode`.
void add_progress_option(CLI::App* cmd, std::string& mode);

// "1.2 M", "345 k", "12": a count in three or four significant figures, for a progress line.
std::string short_count(unsigned long long n);
// Seconds as m:ss or h:mm:ss ("1:05", "12:00:03"), for estimates of the time left.
std::string clock_time(double seconds);

} // namespace smpsim::app
