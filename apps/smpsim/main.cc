// smpsim: the command-line tool. `smpsim boot` runs a multiboot kernel on the simulated PC.
#include "sim/core/error.h"
#include "sim/platform/machine.h"
#include "sim/platform/pc_memory_map.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#ifndef SMPSIM_DEFAULT_KERNEL
#define SMPSIM_DEFAULT_KERNEL "guest/guest.elf"
#endif

namespace {

using smpsim::InputError;
using smpsim::platform::MachineConfig;
using smpsim::platform::RunResult;

struct BootOptions {
    MachineConfig machine;
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

int run_boot(const BootOptions& opt) {
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
    boot_cmd->add_option("--seed", boot.machine.seed, "Seed for every random choice of the simulation (e.g. the jitter of each CPU's quantum, which decides how CPUs interleave)")
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
    boot_cmd->add_option("--summary-json", boot.summary_json, "Write the run summary as JSON to FILE");

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
