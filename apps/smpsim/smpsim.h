// What the subcommands of the smpsim tool share: options every subcommand takes, output files, and the
// validators of numeric options. main.cc parses the command line, dispatches and reports errors;
// boot.cc has `boot` and `replay`, litmus.cc `litmus`, report.cc `report`.
#pragma once
#include "sim/core/memory_model.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <memory>
#include <string>

namespace smpsim::platform {
class Machine;
struct MachineConfig;
struct RunResult;
} // namespace smpsim::platform
namespace smpsim::litmus {
struct LitmusTest;
struct CLitmusTest;
struct LkmmRunInfo;
struct RunResult;
} // namespace smpsim::litmus
namespace smpsim::report {
class RunRecorder;
class PacketTimeline;
struct LitmusSection;
struct LitmusTestReport;
} // namespace smpsim::report

namespace smpsim::app {

// `--log` and `--log-every`, which every subcommand takes.
struct LogOptions {
    std::string categories;
    bool every = false;
};
void add_log_options(CLI::App* cmd, LogOptions& opt);
// How often each logged cause occurred, whether its category was printed or not.
nlohmann::json log_counts_json();

// Output files are opened before the run, so that a path that cannot be written costs no simulation
// (InputError otherwise)...
std::ofstream open_output(const std::string& path, const char* what);
// ...and checked after the last write: a full disk (or /dev/full) is an InputError, not a silent loss.
void finish_output(std::ofstream& out, const std::string& path, const char* what);

// Stdout carries the console or the log: a failed write (a full disk, /dev/full) is an InputError at once,
// not output lost without a word.
void check_stdout();

// `--model`: tso or weak (InputError otherwise).
MemoryModel parse_memory_model(const std::string& name);

// Integer options: CLI11 takes "-1" as 2^64-1 and saturates 2^64; this refuses both.
CLI::Validator unsigned_integer();
// Floating options: a finite range (CLI::Range lets NaN through).
CLI::Validator finite_range(double min, double max);

// A subcommand: its CLI11 node, and what runs it once the command line is parsed (its exit status).
struct Command {
    CLI::App* cli;
    std::function<int()> run;
};
Command add_boot_command(CLI::App& app, LogOptions& log_options);   // boot.cc
Command add_replay_command(CLI::App& app, LogOptions& log_options); // boot.cc
Command add_litmus_command(CLI::App& app, LogOptions& log_options); // litmus.cc
Command add_report_command(CLI::App& app, LogOptions& log_options); // report.cc

// `--report DIR` (report.cc). boot and replay: constructed before the machine (checks DIR, asks the
// machine to sample queue depths), attached to the machine before it runs, written after.
class MachineReport {
  public:
    static constexpr u64 kSamplePeriodNs = 10'000; // the counter tracks of trace.json
    // trace: also trace.json (--trace), every event of the run; without it only the report's aggregates.
    MachineReport(std::string dir, platform::MachineConfig& config, bool trace);
    ~MachineReport();
    void attach(platform::Machine& machine, const platform::MachineConfig& config);
    void write(const platform::Machine& machine, const platform::MachineConfig& config,
               const std::string& model, const platform::RunResult& result, const nlohmann::json& summary);

  private:
    std::string dir_;
    bool trace_;
    std::unique_ptr<report::RunRecorder> recorder_;
    std::unique_ptr<report::PacketTimeline> packets_; // replay only
    std::vector<u64> softirq_ns_;                     // per CPU: time inside __do_softirq()
};
// litmus: one test's results for the report, and the report of every test.
report::LitmusTestReport litmus_test_report(const litmus::LitmusTest& test, const litmus::RunResult& result,
                                            const std::string& file);
report::LitmusTestReport c_litmus_test_report(const litmus::CLitmusTest& test,
                                              const litmus::RunResult& result,
                                              const litmus::LkmmRunInfo& info, const std::string& file);
void write_litmus_report(const std::string& dir, const report::LitmusSection& litmus);

} // namespace smpsim::app
