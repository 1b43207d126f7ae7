// smpsim: the command-line tool. The options every subcommand shares, the dispatch to a subcommand
// (boot.cc: boot and replay; litmus.cc: litmus; report.cc: report), and what becomes of errors: every
// way out of the tool ends with an exit status of docs/EXITS.md.
#include "apps/smpsim/smpsim.h"
#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/core/types.h"
#include "sim/platform/machine.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>

namespace smpsim::app {

std::ofstream open_output(const std::string& path, const char* what) {
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw InputError(fmt::format("{}: cannot open {} for writing: {}", path, what, std::strerror(errno)));
    return out;
}

void finish_output(std::ofstream& out, const std::string& path, const char* what) {
    out.flush();
    if (!out) throw InputError(fmt::format("{}: cannot write {}", path, what));
}

MemoryModel parse_memory_model(const std::string& name) {
    if (name == "tso") return MemoryModel::Tso;
    if (name == "weak") return MemoryModel::Weak;
    throw InputError(fmt::format("--model must be tso or weak, not '{}'", name));
}

void check_stdout() {
    if (!std::cout.flush() || std::fflush(stdout) != 0 || std::ferror(stdout))
        throw InputError("standard output: write error");
}

CLI::Validator unsigned_integer() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            u64 value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (text.empty() || error != std::errc{} || stop != end)
                return fmt::format("'{}' is not a whole number from 0 to {}", text, UINT64_MAX);
            return {};
        },
        "UINT");
}

CLI::Validator finite_range(double min, double max) {
    return CLI::Validator(
        [min, max](std::string& text) -> std::string {
            double value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (text.empty() || error != std::errc{} || stop != end || !(value >= min && value <= max))
                return fmt::format("'{}' is not a number in [{}, {}]", text, min, max);
            return {};
        },
        fmt::format("FLOAT in [{}, {}]", min, max));
}

nlohmann::json log_counts_json() {
    nlohmann::json j = nlohmann::json::array();
    for (const smpsim::log::CauseCount& c : smpsim::log::logger().counts())
        j.push_back({{"category", smpsim::log::categories()[size_t(c.category)].name},
                     {"cause", c.cause},
                     {"count", c.count}});
    return j;
}

void add_log_options(CLI::App* cmd, LogOptions& opt) {
    cmd->add_option("--log", opt.categories,
                    "Diagnostics to print, comma-separated (each cause once, with a count at the end):\n" +
                        smpsim::log::categories_help() + "  all, none");
    cmd->add_flag("--log-every", opt.every, "Print every occurrence of a logged cause, not only the first");
}

} // namespace smpsim::app

namespace {

using smpsim::InputError;
using smpsim::InternalError;
using namespace smpsim::app;

// The largest config file smpsim reads.
constexpr unsigned long long kMaxConfigBytes = 1ull << 20;

// The footer of --help; docs/EXITS.md says more.
constexpr const char* kExitStatusHelp =
    "Exit status (docs/EXITS.md):\n"
    "  odd   the guest wrote v to the exit port: (v << 1) | 1, as QEMU's isa-debug-exit\n"
    "  0     the guest halted for good (HLT with interrupts off, nothing pending)\n"
    "  2     usage or input error: a bad option, file or config, an output that cannot be written\n"
    "  4     triple fault (stderr has the CPU state)\n"
    "  6     --max-insns ran out\n"
    "  8     no progress: every CPU sleeps or waits for a start-up IPI and nothing can wake one; or a\n"
    "        replay cannot end (the driver never came up, or the guest did not stop)\n"
    "  10    --stop-on-dma-fault or --stop-on-mmio-fault, and an access reached no memory (without\n"
    "        them such accesses are counted and the run goes on: docs/FAULTS.md)\n"
    "  12    the guest requested a reset (port 0xCF9, or 0xFE to the keyboard controller)\n"
    "  14    the debugger ended the run (GDB's kill, or its connection lost under --gdb-wait)\n"
    "  70    internal error of smpsim (a bug, a SystemC error, or no host memory left)";

// Parses the command line and runs the subcommand; `command` gets its name for error reports.
int run_command_line(int argc, char* argv[], std::string& command) {
    CLI::App app{"smpsim: a cycle-approximate simulator of an SMP x86-64 PC with an Intel 82576 NIC.",
                 "smpsim"};
    app.footer(kExitStatusHelp);
    app.set_config("--config", "",
                   "TOML or INI file with option values: keys as the long option names, in a [boot] "
                   "section for boot's options (append, mem, cpus, seed, ...); the command line wins. May "
                   "also be given after the subcommand");
    app.allow_config_extras(CLI::config_extras_mode::error); // an unknown key is an error, not ignored
    app.require_subcommand(1);

    LogOptions log_options;
    const Command commands[] = {add_boot_command(app, log_options), add_replay_command(app, log_options),
                                add_litmus_command(app, log_options), add_report_command(app, log_options)};

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
    // CLI11 reads a config file whole, whatever it is: refuse directories, devices and huge files first.
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size())
            smpsim::check_input_file(args[i + 1], "config", kMaxConfigBytes);
        else if (args[i].starts_with("--config="))
            smpsim::check_input_file(args[i].substr(9), "config", kMaxConfigBytes);
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
    const smpsim::log::CategoryMask categories = log_options.categories.empty()
                                                     ? smpsim::log::kDefaultCategories
                                                     : smpsim::log::parse_categories(log_options.categories);
    smpsim::log::logger().configure(categories, log_options.every);
    int status = 0;
    for (const Command& c : commands) {
        if (!*c.cli) continue;
        command = c.cli->get_name();
        status = c.run();
    }
    smpsim::log::logger().print_repeats();
    return status;
}

// The first error raised inside the simulation, with where it happened. A SystemC process turns an
// exception it does not catch into an SC_ERROR report (the exception type is lost on the way); the
// report handler keeps the original exception, so an InputError from a process stays an input error.
struct SimulationFailure {
    std::exception_ptr error;
    std::string where; // "at 1 us simulated, in machine.cpu0" (empty outside the simulation)
};
SimulationFailure g_failure;

std::string simulation_context() {
    if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) return {};
    std::string where = fmt::format("at {} simulated", sc_core::sc_time_stamp().to_string());
    const sc_core::sc_process_handle process = sc_core::sc_get_current_process_handle();
    if (process.valid()) where += fmt::format(", in {}", process.name());
    return where;
}

// SystemC's info and warnings stay silent, as before; errors and fatal errors become internal errors
// (or the exception that caused them), reported once by sc_main.
void on_systemc_report(const sc_core::sc_report& report, const sc_core::sc_actions&) {
    if (report.get_severity() < sc_core::SC_ERROR) return;
    if (!g_failure.error) {
        std::exception_ptr cause = std::current_exception();
        if (!cause || std::strcmp(report.get_msg_type(), sc_core::SC_ID_SIMULATION_UNCAUGHT_EXCEPTION_) != 0)
            cause = std::make_exception_ptr(
                InternalError(fmt::format("SystemC: {}: {}", report.get_msg_type(), report.get_msg())));
        g_failure = {cause, simulation_context()};
    }
    throw report; // SystemC unwinds the simulation on its own report type
}

int internal_error(const std::string& what, const std::string& command, const std::string& where) {
    std::cerr << fmt::format("smpsim: internal error: {} ({}{}{})\n", what, command,
                             where.empty() ? "" : ", ", where);
    return smpsim::platform::kExitInternalError;
}

// One line on stderr for what stopped smpsim, and its exit status (docs/EXITS.md).
int report_failure(std::exception_ptr error, const std::string& command) {
    std::string where;
    try {
        try {
            std::rethrow_exception(error);
        } catch (const sc_core::sc_report&) {
            if (!g_failure.error) throw;
            where = g_failure.where;
            std::rethrow_exception(g_failure.error);
        }
    } catch (const InputError& e) {
        std::cerr << "smpsim: error: " << e.what() << "\n";
        return smpsim::platform::kExitInputError;
    } catch (const std::bad_alloc&) {
        return internal_error("out of host memory", command, where);
    } catch (const InternalError& e) {
        return internal_error(e.what(), command, where);
    } catch (const sc_core::sc_report& e) {
        return internal_error(fmt::format("SystemC: {}: {}", e.get_msg_type(), e.get_msg()), command, where);
    } catch (const std::exception& e) {
        return internal_error(fmt::format("unexpected exception: {}", e.what()), command, where);
    } catch (...) {
        return internal_error("unexpected exception of unknown type", command, where);
    }
    return smpsim::platform::kExitInternalError;
}

} // namespace

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_handler(on_systemc_report);
    std::string command = "smpsim";
    try {
        const int status = run_command_line(argc, argv, command);
        // Output lost on the way out (stdout on a full disk) must not pass for success.
        check_stdout();
        return status;
    } catch (...) {
        return report_failure(std::current_exception(), command);
    }
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
