// `smpsim boot` runs a multiboot kernel on the simulated PC; `smpsim replay` does the same with a
// capture replayed into the guest's NIC. Both end in run_boot.
#include "apps/smpsim/guest_views.h"
#include "apps/smpsim/progress.h"
#include "apps/smpsim/smpsim.h"
#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/gdb/machine_debugger.h"
#include "sim/igb/rss.h"
#include "sim/platform/machine.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#ifndef SMPSIM_DEFAULT_KERNEL
#define SMPSIM_DEFAULT_KERNEL "guest/guest.elf"
#endif

namespace smpsim::app {
namespace {

using platform::MachineConfig;
using platform::RunResult;

struct BootOptions {
    MachineConfig machine;
    std::string model; // empty: functional mode
    std::string console_file;
    std::string summary_json;
    std::string report_dir; // --report DIR
    bool trace = false;     // --trace: trace.json too
    // replay only
    bool replay = false;
    unsigned queues = 0; // 0: one per CPU (at most 8)
    double drain_ms = 200;
    double idle_ms = 0;
    std::string net = "router"; // the guest's network set-up before --append's words
    // --gdb [HOST:]PORT and --gdb-wait: the GDB stub (sim/gdb, docs/DEBUGGING.md).
    std::string gdb;
    bool gdb_wait = false;
    std::string progress = "auto"; // --progress
};

// The router of ../shared/traces/SOURCES.md's Linux reference: 198.51.100.1/30 on the NIC, forwarding
// on, a default route via 198.51.100.2 with a permanent neighbour entry, conntrack at PRE_ROUTING and
// confirmation at POST_ROUTING (the guest's defaults when conntrack is built in).
constexpr const char* kRouterCmdline = "ip=198.51.100.1::198.51.100.2:255.255.255.252::eth0:off ip_forward=1 "
                                       "neigh=198.51.100.2,02:00:00:00:00:02";

// Console: the guest's serial output goes to stdout and, optionally, to a file as well. A failed write
// to one is remembered (and reported after the run) without stopping the other. A replay also keeps the
// transcript (its views go into the summary), up to kMaxKeptConsole bytes.
class TeeBuf : public std::streambuf {
  public:
    static constexpr size_t kMaxKeptConsole = 64u << 20;
    TeeBuf(std::streambuf* a, std::streambuf* b, std::string* kept) : a_(a), b_(b), kept_(kept) {}
    bool a_failed() const { return a_failed_; }
    bool b_failed() const { return b_failed_; }

  protected:
    int overflow(int c) override {
        if (c == EOF) return !EOF;
        if (!a_failed_ && a_->sputc(char(c)) == EOF) a_failed_ = true;
        if (b_ && !b_failed_ && b_->sputc(char(c)) == EOF) b_failed_ = true;
        if (kept_ && kept_->size() < kMaxKeptConsole) kept_->push_back(char(c));
        return c;
    }
    int sync() override {
        if (!a_failed_ && a_->pubsync() != 0) a_failed_ = true;
        if (b_ && !b_failed_ && b_->pubsync() != 0) b_failed_ = true;
        return 0;
    }

  private:
    std::streambuf* a_;
    std::streambuf* b_;
    std::string* kept_;
    bool a_failed_ = false, b_failed_ = false;
};

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
        ->capture_default_str()
        ->check(unsigned_integer());
    cmd->add_option("--max-insns", opt.machine.max_insns, "Stop after N instructions per CPU (0: no limit)")
        ->capture_default_str()
        ->check(unsigned_integer());
    // Explicit finite ranges rather than CLI::PositiveNumber, whose error message prints DBL_MAX in full.
    cmd->add_option("--mhz", opt.machine.cpu_mhz, "CPU clock in MHz")
        ->capture_default_str()
        ->check(finite_range(1.0, 100000.0));
    cmd->add_option("--quantum", opt.machine.quantum_cycles, "Cycles a CPU runs ahead before it synchronises")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--console", opt.console_file, "Also write the guest console to FILE");
    cmd->add_option("--model", opt.model,
                    "Timing mode with MESI caches and store buffers, and this memory model: tso (x86) or "
                    "weak (store buffer and invalidate queue reorder). Without it: functional mode")
        ->check(CLI::IsMember({"tso", "weak"}));
    cmd->add_option("--stats", opt.machine.stats_file,
                    "Timing mode: write per-cache-line statistics (HITM, RFOs, false sharing...) as JSON");
    cmd->add_option("--summary-json", opt.summary_json, "Write the run summary as JSON to FILE");
    cmd->add_option("--report", opt.report_dir,
                    "Write a report into DIR (created if missing): report.json, report.txt, report.html "
                    "(docs/REPORTS.md)");
    cmd->add_flag(
        "--trace", opt.trace,
        "With --report: also write DIR/trace.json, every interrupt, softirq, NAPI poll, packet flow "
        "and counter sample for ui.perfetto.dev (costs host time and memory)");
    cmd->add_option(
        "--vcd", opt.machine.vcd_file,
        "Write interrupt lines, interrupts taken per CPU, MSI messages and the NIC's link to FILE, "
        "a VCD for GTKWave (docs/REPORTS.md)");
    add_progress_option(cmd, opt.progress);
    cmd->add_flag("--stop-on-dma-fault", opt.machine.stop_on_dma_fault,
                  "Stop with status 10 at the first device DMA that reaches no memory (default: it completes "
                  "as an unsupported request, is counted, and the run goes on)");
    cmd->add_flag("--stop-on-mmio-fault", opt.machine.stop_on_mmio_fault,
                  "Stop with status 10 at the first CPU access to a physical address with nothing behind it "
                  "(default: reads all ones, writes dropped, counted, and the run goes on)");
    // The GDB stub (docs/DEBUGGING.md).
    cmd->add_option("--gdb", opt.gdb,
                    "Serve GDB's remote protocol on [HOST:]PORT (host 127.0.0.1 unless given; port 0 picks a "
                    "free one, printed on stderr): target remote :PORT");
    cmd->add_flag("--gdb-wait", opt.gdb_wait,
                  "With --gdb: hold the machine at reset until a debugger attaches");
}

// What the replay did, from the NIC's side and the guest's markers, with the RSS set-up the guest
// programmed so that anyone can recompute where each frame should have gone.
nlohmann::json replay_json(const smpsim::platform::Machine& machine, const BootOptions& opt,
                           const RunResult& r) {
    using smpsim::net::DropReason;
    const smpsim::igb::IgbDevice& nic = *machine.nic();
    const smpsim::net::ReplayStats& st = machine.wire()->stats();
    const smpsim::igb::IgbCore& core = nic.core();
    nlohmann::json j;
    j["pcap"] = opt.machine.nic.pcap;
    j["pace"] = opt.machine.nic.pace;
    j["rewrite"] = opt.machine.nic.rewrite;
    j["net"] = opt.net;
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
        dropped[std::string(smpsim::net::drop_reason_name(DropReason(i)))] = st.dropped[i];
        dropped_total += st.dropped[i];
    }
    j["dropped"] = dropped;
    j["dropped_total"] = dropped_total;
    unsigned queues = std::max(1u, st.guest_queues);
    for (unsigned q = 0; q < st.per_queue.size(); ++q)
        if (st.per_queue[q] || st.ring_full_per_queue[q]) queues = std::max(queues, q + 1);
    j["per_queue"] = std::vector<u64>(st.per_queue.begin(), st.per_queue.begin() + queues);
    j["ring_full_per_queue"] =
        std::vector<u64>(st.ring_full_per_queue.begin(), st.ring_full_per_queue.begin() + queues);
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
    // The same over the replay window only (boot excluded): the simulator's replay throughput.
    const double window_host_s = machine.replay_window_host_seconds();
    j["window_host_s"] = window_host_s;
    j["window_packets_per_host_s"] = window_host_s > 0 ? double(st.offered) / window_host_s : 0.0;
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
    j["dma_faults"] = nic.stats().dma_faults;
    j["dma_fault_addresses"] = bus_faults_json(nic.stats().first_dma_faults);
    j["pci_status"] = nic.function().status();
    j["interrupts_signalled"] = nic.stats().interrupts_signalled;
    j["messages_sent"] = nic.function().messages_sent();
    j["messages_suppressed"] = nic.function().messages_suppressed();
    j["lost_interrupts"] = nic.stats().lost_interrupts;
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
                             "{:.0f} packets per host second ({:.0f} over the replay alone)\n",
                             double(j["sim_ns"].get<u64>()) / 1e9, j["sim_packet_rate"].get<double>(),
                             j["host_s"].get<double>(), j["host_packets_per_s"].get<double>(),
                             j["window_packets_per_host_s"].get<double>());
}

// How often the machine's sampler looks at the host clock for a progress line, in simulated ns (when
// --report does not sample more often already).
constexpr u64 kProgressPeriodNs = 100'000;

// boot: instructions and simulated time; replay: frames offered, delivered and dropped, and the
// simulated time of the replay against the capture's own span.
std::string progress_line(const smpsim::platform::Machine& machine, bool replay, u64 loops, u64 sim_ns) {
    u64 instructions = 0;
    for (const auto& s : machine.cpu_stats())
        instructions += s.instructions;
    const smpsim::net::LinkPartner* wire = machine.wire();
    const smpsim::net::PcapSource* capture = machine.capture();
    if (!replay || !wire || !capture)
        return fmt::format("smpsim: {} instructions, {:.3f} ms simulated", short_count(instructions),
                           double(sim_ns) / 1e6);
    const smpsim::net::ReplayStats& st = wire->stats();
    if (!st.guest_ready)
        return fmt::format("smpsim: replay: booting, {} instructions, {:.3f} ms simulated",
                           short_count(instructions), double(sim_ns) / 1e6);
    u64 dropped = 0;
    for (u64 d : st.dropped)
        dropped += d;
    const u64 total = u64(capture->size()) * std::max<u64>(1, loops);
    const u64 span_ns =
        capture->size() ? capture->frame(capture->size() - 1).timestamp_ns - capture->frame(0).timestamp_ns
                        : 0;
    return fmt::format("smpsim: replay: {}/{} frames offered, {} delivered, {} dropped; {:.3f} ms simulated "
                       "of the capture's {:.3f} ms",
                       st.offered, total, st.delivered, dropped,
                       st.offered ? double(sim_ns - st.first_offer_ns) / 1e6 : 0.0,
                       double(span_ns) * double(std::max<u64>(1, loops)) / 1e6);
}

int run_boot(BootOptions opt) {
    if (opt.replay) {
        // The guest learns from its command line that a replay drives it (it reports readiness and stops
        // when the link goes down) and how many queue pairs to use.
        const unsigned queues = opt.queues ? opt.queues : std::min(8u, opt.machine.cpus);
        // The set-up's words first, so that --append's own words override them.
        const std::string setup = opt.net == "router" ? std::string(" ") + kRouterCmdline : "";
        opt.machine.cmdline = fmt::format("replay igb.queues={}{}{}{}", queues, setup,
                                          opt.machine.cmdline.empty() ? "" : " ", opt.machine.cmdline);
        opt.machine.nic.drain_timeout_ns = u64(opt.drain_ms * 1e6);
        opt.machine.nic.idle_ns = u64(opt.idle_ms * 1e6);
    }
    if (!opt.model.empty()) {
        opt.machine.timing = true;
        opt.machine.model = parse_memory_model(opt.model);
    }
    if (!opt.machine.stats_file.empty() && !opt.machine.timing)
        throw InputError("--stats needs the timing mode: give --model tso or --model weak");
    if (opt.replay && opt.machine.nic.pcap.empty())
        throw InputError("replay needs a capture file, not an empty name");
    std::ofstream console_file, summary_file;
    if (!opt.console_file.empty()) console_file = open_output(opt.console_file, "the console file");
    if (!opt.summary_json.empty()) summary_file = open_output(opt.summary_json, "the summary file");
    // The machine writes the statistics after the run; this finds a path it cannot write before it.
    if (!opt.machine.stats_file.empty()) open_output(opt.machine.stats_file, "the statistics file");
    // --report DIR: checked before the run, recorded during it, written after it.
    std::unique_ptr<MachineReport> run_report;
    if (opt.trace && opt.report_dir.empty()) throw InputError("--trace needs --report DIR");
    if (!opt.report_dir.empty())
        run_report = std::make_unique<MachineReport>(opt.report_dir, opt.machine, opt.trace);
    std::string transcript;
    TeeBuf tee(std::cout.rdbuf(), console_file.is_open() ? console_file.rdbuf() : nullptr,
               opt.replay ? &transcript : nullptr);
    std::ostream console(&tee);

    // Live progress on stderr: read from the machine's sampler thread, throttled by host time.
    ProgressReporter progress(ProgressReporter::parse_mode(opt.progress));
    if (progress.enabled() && !opt.machine.sample_period_ns) opt.machine.sample_period_ns = kProgressPeriodNs;
    auto machine = std::make_unique<smpsim::platform::Machine>("machine", opt.machine, console);
    if (progress.enabled())
        machine->set_progress([&progress, &m = *machine, replay = opt.replay, loops = opt.machine.nic.loops,
                               guest_ready = false](u64 sim_ns) mutable {
            if (replay && !guest_ready && m.wire() && m.wire()->stats().guest_ready) {
                guest_ready = true;
                progress.new_phase();
            }
            progress.update([&] { return progress_line(m, replay, loops, sim_ns); });
        });
    if (run_report) run_report->attach(*machine, opt.machine);
    std::unique_ptr<smpsim::gdb::MachineDebugger> debugger;
    if (opt.gdb_wait && opt.gdb.empty()) throw InputError("--gdb-wait needs --gdb [HOST:]PORT");
    if (!opt.gdb.empty()) {
        smpsim::gdb::GdbOptions gdb = smpsim::gdb::parse_gdb_address(opt.gdb);
        gdb.wait = opt.gdb_wait;
        debugger = std::make_unique<smpsim::gdb::MachineDebugger>(*machine, gdb, std::cerr);
    }
    const RunResult r = machine->run();
    progress.finish();
    if (debugger) debugger->run_ended(r.exit_status);
    console.flush();
    if (tee.b_failed()) throw InputError(fmt::format("{}: cannot write the console file", opt.console_file));
    if (tee.a_failed()) throw InputError("standard output: write error");

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
        // What the guest's conntrack printed, in Linux's formats (docs/NIC.md).
        if (nlohmann::json ct = conntrack_json_from_console(transcript); !ct.is_null())
            summary["conntrack"] = ct;
    }
    if (summary_file.is_open()) {
        summary_file << summary.dump(2) << "\n";
        finish_output(summary_file, opt.summary_json, "the summary file");
    }
    if (run_report) run_report->write(*machine, opt.machine, opt.model, r, summary);
    return r.exit_status;
}

} // namespace

Command add_boot_command(CLI::App& app, LogOptions& log_options) {
    auto options = std::make_shared<BootOptions>();
    BootOptions& boot = *options;
    boot.machine.kernel = SMPSIM_DEFAULT_KERNEL;
    boot.machine.cpus = 4;
    CLI::App* boot_cmd =
        app.add_subcommand("boot", "Boot a multiboot kernel (default: the bundled guest) and "
                                   "print its serial console on stdout, a summary on stderr "
                                   "(options may also come from --config FILE, [boot] section)");
    add_machine_options(boot_cmd, boot);
    add_log_options(boot_cmd, log_options);
    return {boot_cmd, [options] { return run_boot(*options); }};
}

Command add_replay_command(CLI::App& app, LogOptions& log_options) {
    auto options = std::make_shared<BootOptions>();
    BootOptions& replay = *options;
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
        ->capture_default_str()
        ->check(finite_range(smpsim::platform::kMinLinkGbps, smpsim::platform::kMaxLinkGbps));
    replay_cmd->add_option("--loop", replay.machine.nic.loops, "Replay the capture K times")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u));
    replay_cmd->add_option("--tx-pcap", replay.machine.nic.tx_pcap,
                           "Write the frames the guest transmits to FILE");
    replay.machine.nic.rewrite = "dmac,strip-vlan";
    replay_cmd
        ->add_option("--rewrite", replay.machine.nic.rewrite,
                     "What changes in each frame before it reaches the wire: none, or a list of dmac (the "
                     "NIC's MAC as destination), dmac=MAC, strip-vlan (remove 802.1Q/802.1ad tags); the "
                     "default is what the Linux reference of ../shared/traces did")
        ->capture_default_str();
    replay_cmd
        ->add_option("--net", replay.net,
                     "The guest's network set-up: router (the Linux reference's: 198.51.100.1/30, "
                     "forwarding, default route via 198.51.100.2) or host (10.0.0.2, no forwarding); "
                     "--append's words come after it and override it")
        ->capture_default_str()
        ->check(CLI::IsMember({"router", "host"}));
    replay_cmd
        ->add_option("--drain-ms", replay.drain_ms,
                     "Simulated ms the guest may take, after the last frame, to consume what was delivered")
        ->capture_default_str()
        ->check(finite_range(0.001, 60000));
    replay_cmd
        ->add_option("--idle-ms", replay.idle_ms,
                     "Simulated ms the link stays up, quiet, after the drain, before it goes down (the "
                     "guest's timers run: conntrack entries and fragment queues expire)")
        ->capture_default_str()
        ->check(finite_range(0, 3600000));
    return {replay_cmd, [options] { return run_boot(*options); }};
}

} // namespace smpsim::app
