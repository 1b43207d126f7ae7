// `smpsim litmus` runs herd7-format x86 litmus tests, and LKMM C litmus tests compiled against the guest's
// own primitives (sim/litmus/lkmm_runner.h), on simulated CPUs and prints litmus7's log.
#include "apps/smpsim/progress.h"
#include "apps/smpsim/smpsim.h"
#include "sim/core/error.h"
#include "sim/litmus/c_litmus_parser.h"
#include "sim/litmus/litmus_debugger.h"
#include "sim/litmus/lkmm_runner.h"
#include "sim/litmus/parser.h"
#include "sim/litmus/runner.h"
#include "sim/platform/machine.h"
#include "sim/report/report.h"
#include "sim/report/report_files.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace smpsim::app {
namespace {

struct LitmusOptions {
    std::vector<std::string> inputs;
    std::string model = "tso";
    smpsim::litmus::RunOptions run;
    bool summary = false;
    std::string summary_json;
    std::string stats_file;
    std::string report_dir;           // --report DIR
    smpsim::litmus::LkmmOptions lkmm; // C (LKMM) tests only
    std::string lkmm_debug = "none", lkmm_sync = "timebase";
    std::string gdb; // --gdb [HOST:]PORT and --gdb-wait: the GDB stub (docs/DEBUGGING.md)
    bool gdb_wait = false;
    std::string progress = "auto"; // --progress
};

// The debugger hears how the command ended: its exit status, or 2 when an error ends it.
class DebuggerEndNotice {
  public:
    explicit DebuggerEndNotice(smpsim::litmus::LitmusDebugger* debugger) : debugger_(debugger) {}
    ~DebuggerEndNotice() {
        if (debugger_) debugger_->run_ended(status_);
    }
    DebuggerEndNotice(const DebuggerEndNotice&) = delete;
    DebuggerEndNotice& operator=(const DebuggerEndNotice&) = delete;
    void finished() { status_ = 0; }

  private:
    smpsim::litmus::LitmusDebugger* debugger_;
    int status_ = smpsim::platform::kExitInputError;
};

// Files named on the command line, and every *.litmus below named directories, in sorted order.
std::vector<std::string> litmus_files(const std::vector<std::string>& inputs) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const std::string& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::recursive_directory_iterator(in, ec))
                if (e.is_regular_file() && e.path().extension() == ".litmus")
                    found.push_back(e.path().string());
            if (ec) throw InputError(fmt::format("{}: {}", in, ec.message()));
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(in, ec)) {
            files.push_back(in);
        } else {
            throw InputError(fmt::format("{}: no such file or directory", in));
        }
    }
    if (files.empty()) throw InputError("no litmus tests given");
    return files;
}

int run_litmus_command(LitmusOptions opt) {
    if (const smpsim::InjectedError kind = smpsim::injected_internal_error();
        kind != smpsim::InjectedError::None) {
        if (kind == smpsim::InjectedError::SystemC)
            SC_REPORT_ERROR("smpsim/inject", "injected SystemC error (SMPSIM_INJECT_INTERNAL_ERROR)");
        smpsim::throw_injected_error(kind);
    }
    opt.run.model = parse_memory_model(opt.model);
    opt.lkmm.debug = smpsim::litmus::parse_lkmm_debug(opt.lkmm_debug);
    opt.lkmm.sync = smpsim::litmus::parse_lkmm_sync(opt.lkmm_sync);
    const std::vector<std::string> files = litmus_files(opt.inputs);
    // --gdb: one stub for every test of the command; its CPUs are each test's in turn.
    std::unique_ptr<smpsim::litmus::LitmusDebugger> debugger;
    if (opt.gdb_wait && opt.gdb.empty()) throw InputError("--gdb-wait needs --gdb [HOST:]PORT");
    if (!opt.gdb.empty()) {
        smpsim::gdb::GdbOptions gdb = smpsim::gdb::parse_gdb_address(opt.gdb);
        gdb.wait = opt.gdb_wait;
        debugger = std::make_unique<smpsim::litmus::LitmusDebugger>(gdb, std::cerr);
        opt.run.monitor = debugger.get();
    }
    DebuggerEndNotice end_notice(debugger.get());
    std::ofstream stats_out, summary_out;
    if (!opt.stats_file.empty()) stats_out = open_output(opt.stats_file, "the statistics file");
    if (!opt.summary_json.empty()) summary_out = open_output(opt.summary_json, "the summary file");
    opt.run.line_stats = !opt.stats_file.empty();
    // --report DIR: checked before the first test, written after the last.
    smpsim::report::LitmusSection litmus_report{opt.model, opt.run.runs, opt.run.seed, {}};
    if (!opt.report_dir.empty()) smpsim::report::prepare_report_dir(opt.report_dir);
    nlohmann::json tests = nlohmann::json::array();
    nlohmann::json line_stats = nlohmann::json::array();
    u64 ok = 0;
    double seconds = 0;
    // Live progress on stderr: tests done of the total, with an estimate of the time left.
    ProgressReporter progress(ProgressReporter::parse_mode(opt.progress));
    size_t done = 0;
    for (const std::string& file : files) {
        // A bad test stops the run with its error, naming the file: nothing is skipped silently.
        smpsim::litmus::RunResult r;
        bool valid = false;
        std::string name;
        nlohmann::json extra = nlohmann::json::object();
        if (smpsim::litmus::is_c_litmus_file(file)) { // LKMM C test: on the guest's own primitives
            const smpsim::litmus::CLitmusTest test = smpsim::litmus::parse_c_litmus_file(file);
            smpsim::litmus::LkmmRunInfo info;
            r = smpsim::litmus::run_c_litmus(test, opt.run, opt.lkmm, &info);
            std::cout << smpsim::litmus::lkmm_log(test, r, opt.model, info);
            if (!opt.report_dir.empty())
                litmus_report.tests.push_back(c_litmus_test_report(test, r, info, file));
            valid = smpsim::litmus::validated(test, r);
            name = test.name;
            nlohmann::json mechanisms = nlohmann::json::array();
            for (const auto& [values, m] : info.mechanisms)
                mechanisms.push_back({{"state", smpsim::litmus::format_c_state(test, values, info.layout)},
                                      {"runs", r.histogram.count(values) ? r.histogram.at(values) : 0},
                                      {"store_buffer", m[0]},
                                      {"invalidate_queue", m[1]}});
            extra = {{"language", "C"},
                     {"mechanisms", mechanisms},
                     {"guest_barriers", info.barriers},
                     {"compiled", !info.cached},
                     {"compile_seconds", info.compile_seconds}};
        } else {
            const smpsim::litmus::LitmusTest test = smpsim::litmus::parse_litmus_file(file);
            r = smpsim::litmus::run_litmus(test, opt.run);
            std::cout << smpsim::litmus::litmus7_log(test, r);
            if (!opt.report_dir.empty()) litmus_report.tests.push_back(litmus_test_report(test, r, file));
            valid = smpsim::litmus::validated(test, r);
            name = test.name;
        }
        check_stdout();
        ok += valid;
        seconds += r.seconds;
        if (opt.run.line_stats)
            line_stats.push_back({{"test", name}, {"file", file}, {"caches", r.line_stats}});
        if (opt.summary) progress.finish(); // the line goes, the summary line comes, the line comes back
        if (opt.summary)
            std::cerr << fmt::format("{} {} {} {} {} {}{}\n", name, valid ? "Ok" : "No",
                                     smpsim::litmus::observation(r), r.positive, r.negative, file,
                                     extra.contains("guest_barriers")
                                         ? " barriers=" + extra["guest_barriers"].get<std::string>()
                                         : "");
        tests.push_back({{"name", name},
                         {"file", file},
                         {"validated", valid},
                         {"observation", smpsim::litmus::observation(r)},
                         {"positive", r.positive},
                         {"negative", r.negative},
                         {"states", r.histogram.size()},
                         {"instructions", r.instructions},
                         {"store_forwards", r.store_forwards},
                         {"stale_hits", r.stale_hits},
                         {"reordered_commits", r.reordered_commits},
                         {"seconds", r.seconds}});
        tests.back().update(extra);
        ++done;
        progress.update([&] {
            const double left = progress.elapsed() / double(done) * double(files.size() - done);
            return fmt::format("smpsim: litmus: {}/{} tests, about {} left", done, files.size(),
                               clock_time(left));
        });
    }
    progress.finish();
    check_stdout();
    if (stats_out.is_open()) {
        stats_out << line_stats.dump(2) << "\n";
        finish_output(stats_out, opt.stats_file, "the statistics file");
    }
    if (summary_out.is_open()) {
        nlohmann::json j;
        j["schema"] = "smpsim-litmus-summary/1";
        j["model"] = opt.model;
        j["runs"] = opt.run.runs;
        j["seed"] = opt.run.seed;
        j["tests"] = tests;
        j["validated"] = ok;
        j["seconds"] = seconds;
        summary_out << j.dump(2) << "\n";
        finish_output(summary_out, opt.summary_json, "the summary file");
    }
    if (!opt.report_dir.empty()) write_litmus_report(opt.report_dir, litmus_report);
    // The closing line comes last, so that a failed write is the only line of an unsuccessful run.
    const u64 total_runs = opt.run.runs * files.size();
    std::cerr << fmt::format(
        "smpsim: {} litmus tests, {} validated, model {}, {} runs each, {:.3f} s, {:.0f} runs/s\n",
        files.size(), ok, opt.model, opt.run.runs, seconds, seconds > 0 ? double(total_runs) / seconds : 0.0);
    end_notice.finished();
    return 0;
}

} // namespace

Command add_litmus_command(CLI::App& app, LogOptions& log_options) {
    auto options = std::make_shared<LitmusOptions>();
    LitmusOptions& litmus = *options;
    CLI::App* litmus_cmd = app.add_subcommand(
        "litmus",
        "Run herd7-format x86 litmus tests, and LKMM C litmus tests on the guest kernel's own primitives, "
        "on simulated CPUs with store buffers and MESI caches; print a litmus7-format log on stdout, a "
        "summary on stderr");
    litmus_cmd->add_option("tests", litmus.inputs, "Litmus files, or directories searched for *.litmus")
        ->required();
    litmus_cmd
        ->add_option("--model", litmus.model,
                     "Memory model: tso (x86) or weak (store buffer and "
                     "invalidate queue reorder, as in McKenney's notes)")
        ->capture_default_str();
    litmus_cmd->add_option("--runs", litmus.run.runs, "Iterations of each test")
        ->capture_default_str()
        ->check(CLI::Range(smpsim::u64(1), smpsim::u64(100000000)));
    litmus_cmd->add_option("--seed", litmus.run.seed, "Seed of the scheduler, start skews and cache states")
        ->capture_default_str()
        ->check(unsigned_integer());
    litmus_cmd->add_flag("--summary", litmus.summary,
                         "One line per test on stderr: name, Ok/No, observation, "
                         "positive and negative counts, file");
    litmus_cmd->add_option("--summary-json", litmus.summary_json,
                           "Write the per-test results as JSON to FILE");
    litmus_cmd->add_option("--stats", litmus.stats_file,
                           "Write each test's per-cache-line statistics (stale hits, HITM, RFOs...) as JSON");
    litmus_cmd->add_option(
        "--report", litmus.report_dir,
        "Write a report into DIR (created if missing): report.json, report.txt, report.html "
        "(docs/REPORTS.md)");
    // LKMM C tests (header `C NAME`): compiled against the guest's own primitives (docs/LITMUS.md).
    litmus_cmd
        ->add_option("--guest-barriers", litmus.lkmm.barriers,
                     "C tests: the guest's barrier build, auto (as --model), tso or weak")
        ->capture_default_str();
    litmus_cmd
        ->add_option("--guest-debug", litmus.lkmm_debug,
                     "C tests: a deliberately broken guest build: none, rmb-compiler-barrier, "
                     "release-plain-store")
        ->capture_default_str();
    litmus_cmd
        ->add_option(
            "--sync", litmus.lkmm_sync,
            "C tests: start of each iteration, timebase (a time on a shared clock) or spin (a barrier)")
        ->capture_default_str();
    litmus_cmd
        ->add_option("--timebase-delay", litmus.lkmm.timebase_delay,
                     "C tests: --sync timebase: clock ticks from publishing the start time to the start")
        ->capture_default_str()
        ->check(CLI::Range(smpsim::u64(1), smpsim::u64(1) << 20));
    litmus_cmd->add_option("--stride", litmus.lkmm.stride, "C tests: bytes between the variables of a set")
        ->capture_default_str()
        ->check(CLI::Range(8u, 4096u));
    litmus_cmd->add_option("--sets", litmus.lkmm.sets, "C tests: fresh variable sets, used in turn")
        ->capture_default_str()
        ->check(CLI::Range(1u, 4096u));
    litmus_cmd->add_option(
        "--cache-dir", litmus.lkmm.cache_dir,
        "C tests: where compiled test images are kept (default $XDG_CACHE_HOME/smpsim/lkmm)");
    litmus_cmd->add_option("--gdb", litmus.gdb,
                           "Serve GDB's remote protocol on [HOST:]PORT (host 127.0.0.1 unless given; port 0 "
                           "picks a free one, printed on stderr): CPU n runs thread Pn (docs/DEBUGGING.md)");
    litmus_cmd->add_flag("--gdb-wait", litmus.gdb_wait,
                         "With --gdb: hold before the first instruction of the first run until a debugger "
                         "attaches");
    add_progress_option(litmus_cmd, litmus.progress);
    add_log_options(litmus_cmd, log_options);
    return {litmus_cmd, [options] {
                try {
                    return run_litmus_command(*options);
                } catch (const smpsim::litmus::DebuggerEndedRun& e) { // GDB's kill: status 14, as boot's
                    std::cerr << "smpsim: " << e.what() << "\n";
                    return smpsim::platform::kExitDebugger;
                }
            }};
}

} // namespace smpsim::app
