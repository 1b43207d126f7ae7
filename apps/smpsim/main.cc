// smpsim: the command-line tool. `smpsim boot` runs a multiboot kernel on the simulated PC.
#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/igb/rss.h"
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
using smpsim::u32;
using smpsim::u64;
using smpsim::u8;
using smpsim::platform::MachineConfig;
using smpsim::platform::RunResult;

struct BootOptions {
    MachineConfig machine;
    std::string model; // empty: functional mode
    std::string console_file;
    std::string summary_json;
    // replay only
    bool replay = false;
    unsigned queues = 0; // 0: one per CPU (at most 8)
    double drain_ms = 200;
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

// How often each logged cause occurred, whether its category was printed or not.
nlohmann::json log_counts_json() {
    nlohmann::json j = nlohmann::json::array();
    for (const smpsim::log::CauseCount& c : smpsim::log::logger().counts())
        j.push_back({{"category", smpsim::log::categories()[size_t(c.category)].name},
                     {"cause", c.cause},
                     {"count", c.count}});
    return j;
}

// `--log` and `--log-every`, which every subcommand takes.
struct LogOptions {
    std::string categories;
    bool every = false;
};

void add_log_options(CLI::App* cmd, LogOptions& opt) {
    cmd->add_option("--log", opt.categories,
                    "Diagnostics to print, comma-separated (each cause once, with a count at the end):\n" +
                        smpsim::log::categories_help() + "  all, none");
    cmd->add_flag("--log-every", opt.every, "Print every occurrence of a logged cause, not only the first");
}

// The first bus faults of a run, as the summary lists them.
nlohmann::json bus_faults_json(const std::vector<smpsim::BusFault>& faults) {
    nlohmann::json list = nlohmann::json::array();
    for (const smpsim::BusFault& f : faults)
        list.push_back({{"address", fmt::format("{:#x}", f.addr)},
                        {"size", f.size},
                        {"direction", f.write ? "write" : "read"},
                        {"what", f.what}});
    return list;
}

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
    j["log"] = log_counts_json();
    j["mmio_faults"] = r.mmio_faults;
    j["mmio_fault_addresses"] = bus_faults_json(r.first_mmio_faults);
    return j;
}

// The options `boot` and `replay` share: the kernel and the machine it runs on.
void add_machine_options(CLI::App* cmd, BootOptions& opt) {
    cmd->add_option("--kernel", opt.machine.kernel, "Multiboot v1 ELF kernel (32- or 64-bit)")
        ->capture_default_str();
    cmd->add_option("--append", opt.machine.cmdline, "Kernel command line");
    cmd->add_option("--mem", opt.machine.mem_mib, "RAM size in MiB")
        ->capture_default_str()
        ->check(CLI::Range(8, 3072));
    cmd->add_option("--cpus", opt.machine.cpus, "Number of CPUs")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    cmd->add_option("--seed", opt.machine.seed,
                    "Seed for every random choice of the simulation (e.g. the jitter of each CPU's quantum, "
                    "which decides how CPUs interleave)")
        ->capture_default_str();
    cmd->add_option("--max-insns", opt.machine.max_insns, "Stop after N instructions per CPU (0: no limit)")
        ->capture_default_str();
    // Explicit ranges rather than CLI::PositiveNumber, whose error message prints DBL_MAX in full.
    cmd->add_option("--mhz", opt.machine.cpu_mhz, "CPU clock in MHz")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 100000.0));
    cmd->add_option("--quantum", opt.machine.quantum_cycles, "Cycles a CPU runs ahead before it synchronises")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--console", opt.console_file, "Also write the guest console to FILE");
    cmd->add_option("--model", opt.model,
                    "Timing mode with MESI caches and store buffers, and this memory model: tso (x86) or "
                    "weak (store buffer and invalidate queue reorder). Without it: functional mode");
    cmd->add_option("--stats", opt.machine.stats_file,
                    "Timing mode: write per-cache-line statistics (HITM, RFOs, false sharing...) as JSON");
    cmd->add_option("--summary-json", opt.summary_json, "Write the run summary as JSON to FILE");
    cmd->add_flag("--stop-on-dma-fault", opt.machine.stop_on_dma_fault,
                  "Stop with status 10 at the first device DMA that reaches no memory (default: it completes "
                  "as an unsupported request, is counted, and the run goes on)");
    cmd->add_flag("--stop-on-mmio-fault", opt.machine.stop_on_mmio_fault,
                  "Stop with status 10 at the first CPU access to a physical address with nothing behind it "
                  "(default: reads all ones, writes dropped, counted, and the run goes on)");
}

// What the replay did, from the NIC's side and the guest's markers, with the RSS set-up the guest
// programmed so that anyone can recompute where each frame should have gone.
nlohmann::json replay_json(const smpsim::platform::Machine& machine, const BootOptions& opt,
                           const RunResult& r) {
    using smpsim::igb::DropReason;
    const smpsim::igb::IgbDevice& nic = *machine.nic();
    const smpsim::igb::ReplayStats& st = nic.stats();
    const smpsim::igb::IgbCore& core = nic.core();
    nlohmann::json j;
    j["pcap"] = opt.machine.nic.pcap;
    j["pace"] = opt.machine.nic.pace;
    j["loops"] = opt.machine.nic.loops;
    j["link_gbps"] = opt.machine.nic.link_gbps;
    j["capture_frames"] = machine.capture() ? machine.capture()->size() : 0;
    j["guest_ready"] = st.guest_ready;
    j["queues"] = st.guest_queues;
    j["offered"] = st.offered;
    j["delivered"] = st.delivered;
    nlohmann::json dropped = nlohmann::json::object();
    u64 dropped_total = 0;
    for (size_t i = 0; i < size_t(DropReason::Count); ++i) {
        dropped[std::string(smpsim::igb::drop_reason_name(DropReason(i)))] = st.dropped[i];
        dropped_total += st.dropped[i];
    }
    j["dropped"] = dropped;
    j["dropped_total"] = dropped_total;
    unsigned queues = std::max(1u, st.guest_queues);
    for (unsigned q = 0; q < st.per_queue.size(); ++q)
        if (st.per_queue[q]) queues = std::max(queues, q + 1);
    j["per_queue"] = std::vector<u64>(st.per_queue.begin(), st.per_queue.begin() + queues);
    j["per_cpu"] = st.consumed_per_cpu;
    j["consumed"] = st.consumed;
    j["drained"] = st.drained;
    j["tx_frames"] = st.tx_frames;
    // Cycles per frame: what the CPUs executed (HLT excluded) between the replay's start and the link
    // going down, over the frames delivered.
    nlohmann::json busy = nlohmann::json::array(), insns = nlohmann::json::array();
    u64 busy_total = 0, insns_total = 0;
    for (const auto& w : machine.replay_window()) {
        busy.push_back(w.busy_cycles);
        insns.push_back(w.instructions);
        busy_total += w.busy_cycles;
        insns_total += w.instructions;
    }
    j["busy_cycles_per_cpu"] = busy;
    j["instructions_per_cpu"] = insns;
    j["cycles_per_packet"] = st.delivered ? double(busy_total) / double(st.delivered) : 0.0;
    j["instructions_per_packet"] = st.delivered ? double(insns_total) / double(st.delivered) : 0.0;
    // The replay window: from the first frame on the wire to the guest's last consumption (or the last
    // frame, if nothing was consumed).
    const u64 end_ns = std::max(st.last_offer_ns, st.last_consumed_ns);
    const u64 sim_ns = st.offered ? end_ns - st.first_offer_ns : 0;
    j["sim_ns"] = sim_ns;
    j["sim_packet_rate"] = sim_ns ? double(st.delivered) * 1e9 / double(sim_ns) : 0.0;
    j["host_s"] = r.host_seconds;
    j["host_packets_per_s"] = r.host_seconds > 0 ? double(st.offered) / r.host_seconds : 0.0;
    std::string key_hex;
    for (u8 b : core.rss_key())
        key_hex += fmt::format("{:02x}", b);
    j["rss_key"] = key_hex;
    const auto reta = core.reta();
    j["reta"] = std::vector<unsigned>(reta.begin(), reta.end());
    const u32 mrqc = core.mrqc();
    j["mrqc"] = mrqc;
    nlohmann::json fields = nlohmann::json::array();
    if (mrqc & smpsim::igb::kMrqcRssFieldIpv4) fields.push_back("ipv4");
    if (mrqc & smpsim::igb::kMrqcRssFieldIpv4Tcp) fields.push_back("ipv4_tcp");
    if (mrqc & smpsim::igb::kMrqcRssFieldIpv4Udp) fields.push_back("ipv4_udp");
    j["mrqc_fields"] = fields;
    j["max_frame"] = 1518;
    j["dma_faults"] = st.dma_faults;
    j["dma_fault_addresses"] = bus_faults_json(st.first_dma_faults);
    j["pci_status"] = nic.function().status();
    j["interrupts_signalled"] = st.interrupts_signalled;
    j["messages_sent"] = nic.function().messages_sent();
    j["messages_suppressed"] = nic.function().messages_suppressed();
    j["lost_interrupts"] = st.lost_interrupts;
    return j;
}

void print_replay_summary(const nlohmann::json& j) {
    std::string drops;
    for (const auto& [reason, n] : j["dropped"].items())
        if (n.get<u64>()) drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", reason, n.get<u64>());
    std::cerr << fmt::format("smpsim: replay: {} offered, {} delivered, {} dropped{}\n",
                             j["offered"].get<u64>(), j["delivered"].get<u64>(),
                             j["dropped_total"].get<u64>(), drops.empty() ? "" : " (" + drops + ")");
    std::string per_queue, per_cpu;
    for (size_t q = 0; q < j["per_queue"].size(); ++q)
        per_queue += fmt::format(" q{} {}", q, j["per_queue"][q].get<u64>());
    for (size_t c = 0; c < j["per_cpu"].size(); ++c)
        per_cpu += fmt::format(" cpu{} {}", c, j["per_cpu"][c].get<u64>());
    std::cerr << "smpsim: replay: per queue:" << per_queue << "\n";
    std::cerr << "smpsim: replay: consumed by the guest per CPU:" << per_cpu
              << (j["drained"].get<bool>() ? "" : " (not all delivered frames were consumed)") << "\n";
    std::cerr << fmt::format(
        "smpsim: replay: {:.0f} CPU cycles and {:.0f} guest instructions per delivered frame "
        "(all CPUs, HLT excluded)\n",
        j["cycles_per_packet"].get<double>(), j["instructions_per_packet"].get<double>());
    if (j["dma_faults"].get<u64>())
        std::cerr << fmt::format("smpsim: replay: {} DMA faults (requests to no memory), first at {}\n",
                                 j["dma_faults"].get<u64>(),
                                 j["dma_fault_addresses"][0]["address"].get<std::string>());
    std::cerr << fmt::format("smpsim: replay: {:.6f} s simulated, {:.0f} packets/s simulated, {:.3f} s host, "
                             "{:.0f} packets per host second\n",
                             double(j["sim_ns"].get<u64>()) / 1e9, j["sim_packet_rate"].get<double>(),
                             j["host_s"].get<double>(), j["host_packets_per_s"].get<double>());
}

int run_boot(BootOptions opt) {
    if (opt.replay) {
        // The guest learns from its command line that a replay drives it (it reports readiness and stops
        // when the link goes down) and how many queue pairs to use.
        const unsigned queues = opt.queues ? opt.queues : std::min(8u, opt.machine.cpus);
        opt.machine.cmdline = fmt::format("replay igb.queues={}{}{}", queues,
                                          opt.machine.cmdline.empty() ? "" : " ", opt.machine.cmdline);
        opt.machine.nic.drain_timeout_ns = u64(opt.drain_ms * 1e6);
    }
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
    if (r.mmio_faults)
        std::cerr << fmt::format("smpsim: {} MMIO faults (CPU accesses to no memory), first: {} at {:#x}\n",
                                 r.mmio_faults, r.first_mmio_faults[0].what, r.first_mmio_faults[0].addr);
    nlohmann::json summary = summary_json(opt.replay ? "replay" : "boot", opt.machine, r);
    if (opt.replay && machine->nic()) {
        summary["replay"] = replay_json(*machine, opt, r);
        print_replay_summary(summary["replay"]);
        // The replay's figures also at the top level, where scripts look first.
        for (const char* key : {"offered", "delivered", "dropped", "per_queue", "per_cpu", "sim_ns", "host_s",
                                "rss_key", "reta", "mrqc", "mrqc_fields"})
            summary[key] = summary["replay"][key];
    }
    if (!opt.summary_json.empty()) {
        std::ofstream out(opt.summary_json);
        if (!out) throw InputError(fmt::format("{}: cannot open summary file for writing", opt.summary_json));
        out << summary.dump(2) << "\n";
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
        "--max-insns ran out, 8 when every CPU sleeps with nothing left to wake it (or a replay cannot\n"
        "end: the guest never brought its driver up or did not stop), 10 when a device's DMA reached no\n"
        "memory."};
    app.set_config("--config", "",
                   "TOML or INI file with option values: keys as the long option names, in a [boot] "
                   "section for boot's options (append, mem, cpus, seed, ...); the command line wins. May "
                   "also be given after the subcommand");
    app.allow_config_extras(CLI::config_extras_mode::error); // an unknown key is an error, not ignored
    app.require_subcommand(1);

    LogOptions log_options;
    BootOptions boot;
    boot.machine.kernel = SMPSIM_DEFAULT_KERNEL;
    boot.machine.cpus = 4;
    CLI::App* boot_cmd =
        app.add_subcommand("boot", "Boot a multiboot kernel (default: the bundled guest) and "
                                   "print its serial console on stdout, a summary on stderr "
                                   "(options may also come from --config FILE, [boot] section)");
    add_machine_options(boot_cmd, boot);
    add_log_options(boot_cmd, log_options);

    BootOptions replay;
    replay.replay = true;
    replay.machine.kernel = SMPSIM_DEFAULT_KERNEL;
    replay.machine.cpus = 4;
    CLI::App* replay_cmd = app.add_subcommand(
        "replay",
        "Boot the guest, replay a pcap/pcapng capture into its 82576 NIC once the driver is up, let "
        "the guest drain, and report what was offered, delivered (per queue and CPU) and dropped "
        "(by reason); the guest console goes to stdout, the summary to stderr");
    replay_cmd->add_option("pcap", replay.machine.nic.pcap, "Capture file (pcap or pcapng, Ethernet)")
        ->required();
    add_machine_options(replay_cmd, replay);
    add_log_options(replay_cmd, log_options);
    replay_cmd
        ->add_option("--queues", replay.queues,
                     "RX/TX queue pairs the guest uses (default: one per CPU, at most 8)")
        ->check(CLI::Range(1, 8));
    replay_cmd
        ->add_option("--pace", replay.machine.nic.pace,
                     "When frames enter the wire: original (capture timestamps), scale=F (F times faster), "
                     "pps=N (fixed rate), max (as fast as the guest posts descriptors)")
        ->capture_default_str();
    replay_cmd
        ->add_option("--link-gbps", replay.machine.nic.link_gbps,
                     "Speed of the wire (the 82576 is a 1 Gb/s part; a faster wire with --pace max measures "
                     "how many frames the guest can take)")
        ->capture_default_str();
    replay_cmd->add_option("--loop", replay.machine.nic.loops, "Replay the capture K times")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    replay_cmd->add_option("--tx-pcap", replay.machine.nic.tx_pcap,
                           "Write the frames the guest transmits to FILE");
    replay_cmd
        ->add_option("--drain-ms", replay.drain_ms,
                     "Simulated ms the guest may take, after the last frame, to consume what was delivered")
        ->capture_default_str()
        ->check(CLI::Range(0.001, 1e7));

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
    add_log_options(litmus_cmd, log_options);

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
        const smpsim::log::CategoryMask categories =
            log_options.categories.empty() ? smpsim::log::kDefaultCategories
                                           : smpsim::log::parse_categories(log_options.categories);
        smpsim::log::logger().configure(categories, log_options.every);
        int status = 0;
        if (*boot_cmd) status = run_boot(boot);
        if (*replay_cmd) status = run_boot(replay);
        if (*litmus_cmd) status = run_litmus_command(litmus);
        smpsim::log::logger().print_repeats();
        return status;
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
