// smpsim: the command-line tool. `smpsim boot` runs a multiboot kernel on the simulated PC.
#include "sim/core/error.h"
#include "sim/litmus/parser.h"
#include "sim/litmus/runner.h"
#include "sim/platform/machine.h"
#include "sim/platform/pc_memory_map.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#ifndef SMPSIM_DEFAULT_KERNEL
#define SMPSIM_DEFAULT_KERNEL "guest/guest.elf"
#endif

namespace {

using smpsim::InputError;
using smpsim::u64;
using smpsim::platform::MachineConfig;
using smpsim::platform::RunResult;

struct BootOptions {
    MachineConfig machine;
    std::string model; // empty: functional mode
    std::string console_file;
    std::string summary_json;
};

// Console: the guest's serial output goes to stdout and, optionally, to a file as well.
class TeeBuf : public std::streambuf {
  public:
    TeeBuf(std::streambuf* a, std::streambuf* b) : a_(a), b_(b) {}

  protected:
    int overflow(int c) override {
        if (c == EOF) return !EOF;
        const int r1 = a_->sputc(char(c));
        const int r2 = b_ ? b_->sputc(char(c)) : r1;
        return (r1 == EOF || r2 == EOF) ? EOF : c;
    }
    int sync() override {
        const int r1 = a_->pubsync();
        const int r2 = b_ ? b_->pubsync() : 0;
        return (r1 == 0 && r2 == 0) ? 0 : -1;
    }

  private:
    std::streambuf* a_;
    std::streambuf* b_;
};

nlohmann::json summary_json(const std::string& command, const MachineConfig& m, const RunResult& r) {
    nlohmann::json j;
    j["schema"] = "smpsim-summary/1";
    j["command"] = command;
    j["kernel"] = m.kernel;
    j["cpus"] = m.cpus;
    j["mem_mib"] = m.mem_mib;
    j["seed"] = m.seed;
    j["exit_status"] = r.exit_status;
    j["stop_reason"] = r.stop_reason;
    if (r.guest_exit_value) j["guest_exit_value"] = *r.guest_exit_value;
    j["instructions"] = r.instructions;
    j["cycles"] = r.cycles;
    j["sim_seconds"] = r.sim_seconds;
    j["host_seconds"] = r.host_seconds;
    j["mips"] = r.host_seconds > 0 ? double(r.instructions) / r.host_seconds / 1e6 : 0.0;
    j["decode_cache_misses"] = r.decode_cache_misses;
    j["smc_invalidations"] = r.smc_invalidations;
    j["exceptions"] = r.exceptions;
    return j;
}

int run_boot(BootOptions opt) {
    if (!opt.model.empty()) {
        opt.machine.timing = true;
        if (opt.model == "tso")
            opt.machine.model = smpsim::MemoryModel::Tso;
        else if (opt.model == "weak")
            opt.machine.model = smpsim::MemoryModel::Weak;
        else
            throw InputError(fmt::format("--model must be tso or weak, not '{}'", opt.model));
    }
    if (!opt.machine.stats_file.empty() && !opt.machine.timing)
        throw InputError("--stats needs the timing mode: give --model tso or --model weak");
    std::ofstream console_file;
    if (!opt.console_file.empty()) {
        console_file.open(opt.console_file, std::ios::binary);
        if (!console_file)
            throw InputError(fmt::format("{}: cannot open console file for writing", opt.console_file));
    }
    TeeBuf tee(std::cout.rdbuf(), console_file.is_open() ? console_file.rdbuf() : nullptr);
    std::ostream console(&tee);

    auto machine = std::make_unique<smpsim::platform::Machine>("machine", opt.machine, console);
    const RunResult r = machine->run();
    console.flush();
    std::cout.flush();

    std::cerr << "smpsim: " << r.stop_reason << "\n";
    if (!r.stop_report.empty()) std::cerr << r.stop_report << "\n";
    const double mips = r.host_seconds > 0 ? double(r.instructions) / r.host_seconds / 1e6 : 0.0;
    std::cerr << fmt::format(
        "smpsim: {} instructions, {} cycles, {:.6f} s simulated, {:.3f} s host, {:.1f} guest MIPS, "
        "exit status {}\n",
        r.instructions, r.cycles, r.sim_seconds, r.host_seconds, mips, r.exit_status);
    if (!opt.summary_json.empty()) {
        std::ofstream out(opt.summary_json);
        if (!out) throw InputError(fmt::format("{}: cannot open summary file for writing", opt.summary_json));
        out << summary_json("boot", opt.machine, r).dump(2) << "\n";
    }
    return r.exit_status;
}

struct LitmusOptions {
    std::vector<std::string> inputs;
    std::string model = "tso";
    smpsim::litmus::RunOptions run;
    bool summary = false;
    std::string summary_json;
    std::string stats_file;
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
    if (opt.model == "tso")
        opt.run.model = smpsim::MemoryModel::Tso;
    else if (opt.model == "weak")
        opt.run.model = smpsim::MemoryModel::Weak;
    else
        throw InputError(fmt::format("--model must be tso or weak, not '{}'", opt.model));
    const std::vector<std::string> files = litmus_files(opt.inputs);
    opt.run.line_stats = !opt.stats_file.empty();
    nlohmann::json tests = nlohmann::json::array();
    nlohmann::json line_stats = nlohmann::json::array();
    u64 ok = 0;
    double seconds = 0;
    for (const std::string& file : files) {
        // A bad test stops the run with its error, naming the file: nothing is skipped silently.
        const smpsim::litmus::LitmusTest test = smpsim::litmus::parse_litmus_file(file);
        const smpsim::litmus::RunResult r = smpsim::litmus::run_litmus(test, opt.run);
        std::cout << smpsim::litmus::litmus7_log(test, r);
        const bool valid = smpsim::litmus::validated(test, r);
        ok += valid;
        seconds += r.seconds;
        if (opt.run.line_stats)
            line_stats.push_back({{"test", test.name}, {"file", file}, {"caches", r.line_stats}});
        if (opt.summary)
            std::cerr << fmt::format("{} {} {} {} {} {}\n", test.name, valid ? "Ok" : "No",
                                     smpsim::litmus::observation(r), r.positive, r.negative, file);
        tests.push_back({{"name", test.name},
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
    }
    std::cout.flush();
    if (!opt.stats_file.empty()) {
        std::ofstream out(opt.stats_file);
        if (!out)
            throw InputError(fmt::format("{}: cannot open the statistics file for writing", opt.stats_file));
        out << line_stats.dump(2) << "\n";
    }
    const u64 total_runs = opt.run.runs * files.size();
    std::cerr << fmt::format(
        "smpsim: {} litmus tests, {} validated, model {}, {} runs each, {:.3f} s, {:.0f} runs/s\n",
        files.size(), ok, opt.model, opt.run.runs, seconds, seconds > 0 ? double(total_runs) / seconds : 0.0);
    if (!opt.summary_json.empty()) {
        std::ofstream out(opt.summary_json);
        if (!out) throw InputError(fmt::format("{}: cannot open summary file for writing", opt.summary_json));
        nlohmann::json j;
        j["schema"] = "smpsim-litmus-summary/1";
        j["model"] = opt.model;
        j["runs"] = opt.run.runs;
        j["seed"] = opt.run.seed;
        j["tests"] = tests;
        j["validated"] = ok;
        j["seconds"] = seconds;
        out << j.dump(2) << "\n";
    }
    return 0;
}

} // namespace

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);

    CLI::App app{
        "smpsim: a cycle-approximate simulator of an SMP x86-64 PC with an Intel 82576 NIC.\n"
        "Exit status: the guest's exit-port value v as (v << 1) | 1 (as QEMU's isa-debug-exit), 0 when\n"
        "the guest halted for good, 2 for usage or input errors, 4 on a triple fault, 6 when\n"
        "--max-insns ran out, 8 when every CPU sleeps with nothing left to wake it."};
    app.set_config("--config", "",
                   "TOML or INI file with option values: keys as the long option names, in a [boot] "
                   "section for boot's options (append, mem, cpus, seed, ...); the command line wins. May "
                   "also be given after the subcommand");
    app.allow_config_extras(CLI::config_extras_mode::error); // an unknown key is an error, not ignored
    app.require_subcommand(1);

    BootOptions boot;
    boot.machine.kernel = SMPSIM_DEFAULT_KERNEL;
    boot.machine.cpus = 4;
    CLI::App* boot_cmd =
        app.add_subcommand("boot", "Boot a multiboot kernel (default: the bundled guest) and "
                                   "print its serial console on stdout, a summary on stderr "
                                   "(options may also come from --config FILE, [boot] section)");
    boot_cmd->add_option("--kernel", boot.machine.kernel, "Multiboot v1 ELF kernel (32- or 64-bit)")
        ->capture_default_str();
    boot_cmd->add_option("--append", boot.machine.cmdline, "Kernel command line");
    boot_cmd->add_option("--mem", boot.machine.mem_mib, "RAM size in MiB")
        ->capture_default_str()
        ->check(CLI::Range(8, 3072));
    boot_cmd->add_option("--cpus", boot.machine.cpus, "Number of CPUs")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    boot_cmd
        ->add_option("--seed", boot.machine.seed,
                     "Seed for every random choice of the simulation (e.g. the jitter of each CPU's quantum, "
                     "which decides how CPUs interleave)")
        ->capture_default_str();
    boot_cmd
        ->add_option("--max-insns", boot.machine.max_insns, "Stop after N instructions per CPU (0: no limit)")
        ->capture_default_str();
    boot_cmd->add_option("--mhz", boot.machine.cpu_mhz, "CPU clock in MHz")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    boot_cmd
        ->add_option("--quantum", boot.machine.quantum_cycles,
                     "Cycles a CPU runs ahead before it synchronises")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    boot_cmd->add_option("--console", boot.console_file, "Also write the guest console to FILE");
    boot_cmd->add_option(
        "--model", boot.model,
        "Timing mode with MESI caches and store buffers, and this memory model: tso (x86) or "
        "weak (store buffer and invalidate queue reorder). Without it: functional mode");
    boot_cmd->add_option(
        "--stats", boot.machine.stats_file,
        "Timing mode: write per-cache-line statistics (HITM, RFOs, false sharing...) as JSON");
    boot_cmd->add_option("--summary-json", boot.summary_json, "Write the run summary as JSON to FILE");

    LitmusOptions litmus;
    CLI::App* litmus_cmd = app.add_subcommand(
        "litmus",
        "Run herd7-format x86 litmus tests on simulated CPUs with store buffers and MESI caches; print "
        "a litmus7-format log on stdout, a summary on stderr");
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
        ->capture_default_str();
    litmus_cmd->add_flag("--summary", litmus.summary,
                         "One line per test on stderr: name, Ok/No, observation, "
                         "positive and negative counts, file");
    litmus_cmd->add_option("--summary-json", litmus.summary_json,
                           "Write the per-test results as JSON to FILE");
    litmus_cmd->add_option("--stats", litmus.stats_file,
                           "Write each test's per-cache-line statistics (stale hits, HITM, RFOs...) as JSON");

    // `--config FILE` may also follow the subcommand (`smpsim boot --config m.toml`): CLI11 reads config
    // files on the top-level app only, so such a pair is moved in front of the subcommand.
    std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == "--config") {
            std::string file = args[i + 1];
            args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
            args.insert(args.begin(), {"--config", file});
            break;
        }
    }
    std::reverse(args.begin(), args.end()); // CLI11 takes a vector in reverse order
    try {
        app.parse(args);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "smpsim: error: " << e.what() << "\n";
        return smpsim::platform::kExitInputError;
    }
    try {
        if (*boot_cmd) return run_boot(boot);
        if (*litmus_cmd) return run_litmus_command(litmus);
    } catch (const InputError& e) {
        std::cerr << "smpsim: error: " << e.what() << "\n";
        return smpsim::platform::kExitInputError;
    } catch (const std::bad_alloc&) {
        std::cerr << "smpsim: error: out of host memory\n";
        return smpsim::platform::kExitInputError;
    }
    return 0;
}

// Under AddressSanitizer, LeakSanitizer's exit-time scan crashes on SystemC's coroutine stacks (the
// thread processes' stacks are mmap'd and switched by QuickThreads); leak checking is off for this
// binary, ASan's other checks stay on. Without ASan this function is never called.
extern "C" const char* __asan_default_options() {
    return "detect_leaks=0";
}

// Our own main, so that SystemC's banner is switched off before the library prints it: stdout carries
// only the guest console.
int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
