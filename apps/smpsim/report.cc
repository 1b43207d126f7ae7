// `smpsim report`: `report DIR [SECTION]` prints a saved report (--report DIR of boot, replay and litmus)
// again as text; `report c2c --stats FILE` the perf-c2c-style table of a statistics file. Also what
// --report does for the other subcommands: the recorder attached to the machine, and the report written
// into DIR after the run.
#include "sim/report/report.h"
#include "apps/smpsim/smpsim.h"
#include "sim/core/error.h"
#include "sim/igb/igb_regs.h"
#include "sim/litmus/c_litmus.h"
#include "sim/litmus/litmus_test.h"
#include "sim/litmus/lkmm_runner.h"
#include "sim/litmus/runner.h"
#include "sim/platform/machine.h"
#include "sim/report/c2c.h"
#include "sim/report/packets.h"
#include "sim/report/report_files.h"
#include "sim/report/symbols.h"
#include "sim/report/trace.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace smpsim::app {
namespace {

struct C2cCommandOptions {
    std::string kernel = SMPSIM_DEFAULT_KERNEL;
    std::string stats;
    std::string json;
    std::size_t top = 10;
};

struct ReportCommandOptions {
    std::string dir;
    std::string section;
};

int run_c2c(const C2cCommandOptions& opt) {
    std::ofstream json_out;
    if (!opt.json.empty()) json_out = open_output(opt.json, "the c2c report");
    const report::C2cInput input = report::read_line_stats_file(opt.stats);
    const report::Symbolizer symbols = report::Symbolizer::load(opt.kernel, SMPSIM_SOURCE_DIR);
    const report::C2cReport c2c = report::build_c2c(input, symbols, {opt.top});
    std::cout << report::c2c_text(c2c);
    check_stdout();
    if (!opt.json.empty()) {
        json_out << nlohmann::json{{"c2c", report::c2c_json(c2c)}}.dump(2) << "\n";
        finish_output(json_out, opt.json, "the c2c report");
    }
    std::cerr << fmt::format(
        "smpsim: c2c: {} lines touched, {} with HITM ({} HITM), {} false sharing; {}\n", c2c.totals.lines,
        c2c.totals.lines_with_hitm, c2c.totals.counters.hitm, c2c.totals.false_sharing_lines,
        symbols.has_symbols()
            ? (symbols.has_lines() ? "symbols and source lines" : "symbols, no source lines")
            : "no symbols");
    return 0;
}

// `smpsim report DIR [SECTION]`.
int run_report_dir(const ReportCommandOptions& opt) {
    const nlohmann::json doc = report::read_report_dir(opt.dir);
    std::cout << report::report_text(doc, opt.section);
    check_stdout();
    return 0;
}

std::string mode_name(const std::string& model) {
    return model.empty() ? "functional" : model;
}

// The guest's regions (guest/include/asm/smpsim.h, enum smpsim_region), by Linux's names, with their
// trace category.
constexpr u32 kRegionSoftirq = 1, kRegionNapiPoll = 2, kRegionSoftirqVec = 0x100;
struct RegionName {
    std::string name;
    const char* category;
};
RegionName region_name(u32 region) {
    static const char* const softirqs[] = {"HI", "TIMER", "NET_TX", "NET_RX", "RCU"};
    if (region == kRegionSoftirq) return {"__do_softirq", "softirq"};
    if (region == kRegionNapiPoll) return {"napi_poll", "napi"};
    if (region >= kRegionSoftirqVec && region - kRegionSoftirqVec < std::size(softirqs))
        return {fmt::format("softirq {}", softirqs[region - kRegionSoftirqVec]), "softirq"};
    return {fmt::format("region {:#x}", region), "softirq"};
}

// trace.json's packet flows: wire -> write-back (the NIC's track) -> interrupt -> NAPI poll -> done (the
// CPUs' guest tracks), each point a zero-length slice the flow binds to; a packet polled and finished on
// one CPU also gets its processing as a slice.
void add_packet_flows(report::RunRecorder& recorder, const report::PacketTimeline& packets) {
    for (const report::PacketTimes& p : packets.flows()) {
        const std::string id = fmt::format("q{} d{}", p.queue, p.descriptor);
        const std::string args =
            fmt::format("{{\"packet\":{},\"queue\":{},\"descriptor\":{},\"wire_to_done_ns\":{}}}", p.id,
                        p.queue, p.descriptor, p.done - p.wire);
        const int nic = recorder.nic_track();
        recorder.slice(nic, "wire " + id, "packet", args, p.wire, p.wire);
        recorder.flow(nic, 's', p.id, p.wire);
        recorder.slice(nic, "write-back " + id, "packet", args, p.writeback, p.writeback);
        recorder.flow(nic, 't', p.id, p.writeback);
        if (p.interrupt_cpu >= 0) {
            const int track = recorder.guest_track(u32(p.interrupt_cpu));
            if (p.clamped) recorder.slice(track, "interrupt " + id, "packet", args, p.interrupt, p.interrupt);
            recorder.flow(track, 't', p.id, p.interrupt);
        }
        const int poll = recorder.guest_track(p.poll_cpu);
        const int done = recorder.guest_track(p.done_cpu);
        if (p.poll_cpu == p.done_cpu && !p.clamped) {
            recorder.slice(poll, "packet " + id, "packet", args, p.poll, p.done);
        } else {
            recorder.slice(poll, "poll " + id, "packet", args, p.poll, p.poll);
            recorder.slice(done, "done " + id, "packet", args, p.done, p.done);
        }
        recorder.flow(poll, 't', p.id, p.poll);
        recorder.flow(done, 'f', p.id, p.done);
    }
}

} // namespace

MachineReport::MachineReport(std::string dir, platform::MachineConfig& config, bool trace)
    : dir_(std::move(dir)), trace_(trace) {
    report::prepare_report_dir(dir_);
    if (trace_) config.sample_period_ns = kSamplePeriodNs; // the counter tracks
}

MachineReport::~MachineReport() = default;

void MachineReport::attach(platform::Machine& machine, const platform::MachineConfig& config) {
    recorder_ = std::make_unique<report::RunRecorder>(config.cpus, config.cpu_mhz, 500000, trace_);
    machine.set_cpu_event_observer(recorder_.get());
    report::RunRecorder* recorder = recorder_.get();
    if (machine.wire() && machine.capture()) { // a replay
        packets_ = std::make_unique<report::PacketTimeline>(config.cpu_mhz);
        machine.set_packet_observer(packets_.get());
    }
    report::PacketTimeline* packets = packets_.get();
    softirq_ns_.assign(config.cpus, 0);
    std::vector<u64>* softirq_ns = &softirq_ns_;
    machine.set_marker_observer(
        [recorder, packets, softirq_ns](platform::MarkerCommand command, u32 payload, u64 sim_ns) {
            // Per-frame markers: (cpu << 16) | (queue << 12) | descriptor.
            const u32 cpu = payload >> 16, queue = (payload >> 12) & 0xf, descriptor = payload & 0xfff;
            switch (command) {
            case platform::MarkerCommand::RxPoll:
                if (packets) packets->rx_poll(cpu, queue, descriptor, sim_ns);
                break;
            case platform::MarkerCommand::RxSkbDone:
                if (packets) packets->rx_done(cpu, queue, descriptor, sim_ns);
                break;
            case platform::MarkerCommand::RxIrq:
                if (packets) packets->rx_interrupt(cpu, payload & 0xffff, sim_ns);
                // A point for the packets' flows to bind to.
                if (recorder->tracing())
                    recorder->slice(recorder->guest_track(cpu), fmt::format("rx irq q{}", payload & 0xffff),
                                    "packet", "", sim_ns, sim_ns);
                break;
            case platform::MarkerCommand::RegionBegin:
                recorder->region_begin(cpu, region_name(payload & 0xffff).name, sim_ns);
                break;
            case platform::MarkerCommand::RegionEnd: {
                const u32 region = payload & 0xffff;
                const RegionName r = region_name(region);
                const std::optional<u64> ns = recorder->region_end(cpu, r.name, r.category, sim_ns);
                if (ns && region == kRegionSoftirq && cpu < softirq_ns->size()) (*softirq_ns)[cpu] += *ns;
                break;
            }
            case platform::MarkerCommand::RcuGpStart: recorder->rcu_gp_start(payload, sim_ns); break;
            case platform::MarkerCommand::RcuGpEnd: recorder->rcu_gp_end(payload, sim_ns); break;
            case platform::MarkerCommand::NetReady:
                if (!recorder->tracing()) break;
                recorder->marker(-1, "net ready", fmt::format("{{\"rx_queues\":{}}}", payload), sim_ns);
                break;
            case platform::MarkerCommand::RxDone:
                if (!recorder->tracing()) break;
                recorder->marker(int(payload >> 16), "NAPI poll done",
                                 fmt::format("{{\"frames\":{}}}", payload & 0xffff), sim_ns);
                break;
            default:
                if (!recorder->tracing()) break;
                recorder->marker(-1, fmt::format("marker {}", unsigned(command)),
                                 fmt::format("{{\"payload\":{}}}", payload), sim_ns);
            }
        });
    // Counter tracks: each CPU's store-buffer and invalidate-queue depth (timing mode), and each enabled
    // RX queue's descriptors left to the NIC (0: the next frame for that queue is dropped).
    if (!trace_) return;
    std::vector<std::size_t> sb, iq, rx;
    if (config.timing)
        for (u32 i = 0; i < config.cpus; ++i) {
            sb.push_back(recorder->add_counter(fmt::format("store buffer cpu{}", i), int(i)));
            iq.push_back(recorder->add_counter(fmt::format("invalidate queue cpu{}", i), int(i)));
        }
    if (machine.nic())
        for (unsigned q = 0; q < igb::reg::kQueues; ++q)
            rx.push_back(recorder->add_counter(fmt::format("rx descriptors free q{}", q), -1));
    const platform::Machine* m = &machine;
    machine.set_sampler([recorder, m, sb, iq, rx](u64 sim_ns) {
        if (!sb.empty()) {
            const std::vector<platform::Machine::CpuQueueDepths> depths = m->cpu_queue_depths();
            for (std::size_t i = 0; i < depths.size() && i < sb.size(); ++i) {
                recorder->sample(sb[i], depths[i].store_buffer, sim_ns);
                recorder->sample(iq[i], depths[i].invalidate_queue, sim_ns);
            }
        }
        for (unsigned q = 0; q < rx.size(); ++q) {
            const igb::IgbCore& core = m->nic()->core();
            if (!core.rx_queue_enabled(q)) continue;
            const u32 size = core.peek(igb::reg::rxq(q, igb::reg::kQLength)) / igb::reg::kDescriptorSize;
            const u32 head = core.peek(igb::reg::rxq(q, igb::reg::kQHead));
            const u32 tail = core.peek(igb::reg::rxq(q, igb::reg::kQTail));
            if (size) recorder->sample(rx[q], (tail % size + size - head % size) % size, sim_ns);
        }
    });
}

void MachineReport::write(const platform::Machine& machine, const platform::MachineConfig& config,
                          const std::string& model, const platform::RunResult& result,
                          const nlohmann::json& summary) {
    report::Report rep;
    rep.run.command = summary.at("command").get<std::string>();
    rep.run.kernel = config.kernel;
    rep.run.cmdline = config.cmdline;
    rep.run.mode = mode_name(model);
    rep.run.cpus = config.cpus;
    rep.run.seed = config.seed;
    rep.run.cpu_mhz = config.cpu_mhz;
    rep.run.exit_status = result.exit_status;
    rep.run.stop_reason = result.stop_reason;
    rep.run.instructions = result.instructions;
    rep.run.cycles = result.cycles;
    rep.run.sim_seconds = result.sim_seconds;
    const std::vector<cpu::CpuStats> stats = machine.cpu_stats();
    for (u32 i = 0; i < stats.size(); ++i) {
        const cpu::CpuStats& s = stats[i];
        const u64 softirq_cycles =
            i < softirq_ns_.size() ? u64(double(softirq_ns_[i]) * config.cpu_mhz / 1000.0) : 0;
        rep.cpus.push_back({i, s.instructions, s.cycles, s.idle_cycles, recorder_->interrupt_cycles(i),
                            softirq_cycles, s.interrupts, s.exceptions, s.store_buffer_forwards,
                            s.store_buffer_full_stalls, s.store_buffer_reordered});
    }
    rep.interrupts = recorder_->interrupt_counts();
    rep.interrupts_recorded = true;
    const nlohmann::json lines = machine.line_stats_json();
    if (!lines.is_null()) {
        // A kernel without symbols still gives a report, with addresses.
        const report::Symbolizer symbols = report::Symbolizer::load(config.kernel, SMPSIM_SOURCE_DIR);
        report::add_line_statistics(rep, report::parse_line_stats(lines, "the run's line statistics"),
                                    symbols);
        report::add_reorder_statistics(rep, lines, symbols);
    }
    if (summary.contains("replay")) rep.replay = summary["replay"];
    if (summary.contains("conntrack")) rep.conntrack = summary["conntrack"];
    if (packets_) {
        rep.packets = packets_->json();
        if (trace_)
            add_packet_flows(*recorder_, *packets_);
        else
            rep.packets["flows_in_trace"] = 0; // no trace.json
    }
    report::write_report_dir(dir_, report::report_json(rep),
                             trace_ ? recorder_->trace_text() : std::string{});
}

namespace {

// What every litmus test's report holds; state_of(values) gives a final state's text and whether it
// satisfies the condition (x86 and C tests format and evaluate states their own way).
template <typename Test, typename StateOf>
report::LitmusTestReport test_report(const Test& test, std::string condition, bool validated,
                                     const litmus::RunResult& r, const std::string& file, StateOf state_of) {
    report::LitmusTestReport t;
    t.name = test.name;
    t.file = file;
    t.kind = litmus::litmus7_kind(test.quantifier);
    t.condition = std::move(condition);
    t.validated = validated;
    t.observation = litmus::observation(r);
    t.positive = r.positive;
    t.negative = r.negative;
    for (const auto& [values, count] : r.histogram) {
        const auto [text, witness] = state_of(values);
        t.histogram.push_back({text, count, witness});
    }
    t.instructions = r.instructions;
    t.store_forwards = r.store_forwards;
    t.stale_hits = r.stale_hits;
    t.reordered_commits = r.reordered_commits;
    return t;
}

} // namespace

report::LitmusTestReport litmus_test_report(const litmus::LitmusTest& test, const litmus::RunResult& r,
                                            const std::string& file) {
    return test_report(test, test.condition_str(), litmus::validated(test, r), r, file,
                       [&](const std::vector<u64>& values) {
                           litmus::FinalState s;
                           s.values = values;
                           return std::pair{test.format_state(s), test.satisfies(s)};
                       });
}

report::LitmusTestReport c_litmus_test_report(const litmus::CLitmusTest& test, const litmus::RunResult& r,
                                              const litmus::LkmmRunInfo& info, const std::string& file) {
    return test_report(
        test, litmus::c_condition_str(test), litmus::validated(test, r), r, file,
        [&](const std::vector<u64>& values) {
            litmus::FinalState s;
            s.values = values;
            s.layout = &info.layout;
            return std::pair{litmus::format_c_state(test, values, info.layout), test.condition.eval(s)};
        });
}

void write_litmus_report(const std::string& dir, const report::LitmusSection& litmus) {
    report::Report rep;
    rep.run.command = "litmus";
    rep.run.mode = litmus.model;
    rep.run.seed = litmus.seed;
    for (const report::LitmusTestReport& t : litmus.tests)
        rep.run.instructions += t.instructions;
    rep.run.stop_reason = fmt::format("{} tests, {} runs each", litmus.tests.size(), litmus.runs);
    // Litmus runs have no per-CPU timing (cpus stays empty): the mechanism counters of each test go into
    // the litmus and reorder sections.
    rep.litmus = litmus;
    report::write_report_dir(dir, report::report_json(rep));
}

Command add_report_command(CLI::App& app, LogOptions& log_options) {
    auto options = std::make_shared<ReportCommandOptions>();
    CLI::App* report_cmd = app.add_subcommand(
        "report", "Print a saved report (--report DIR of boot, replay, litmus) as text, or the "
                  "c2c table of a statistics file");
    report_cmd->require_subcommand(0, 1);
    std::string sections;
    for (const std::string& s : report::report_sections())
        sections += (sections.empty() ? "" : ", ") + s;
    report_cmd->add_option("dir", options->dir, "Report directory (written by --report DIR)");
    report_cmd->add_option("section", options->section,
                           "The section to print (" + sections + "; default: all, as report.txt)");
    auto c2c = std::make_shared<C2cCommandOptions>();
    CLI::App* c2c_cmd = report_cmd->add_subcommand(
        "c2c", "The cache lines contended between CPUs (perf c2c style), with the guest's data symbols: a "
               "text table on stdout, a one-line summary on stderr. `smpsim report DIR c2c` prints the c2c "
               "section of a saved report instead");
    c2c_cmd->add_option("--stats", c2c->stats,
                        "Line statistics of a run (smpsim boot --model tso --stats FILE); required unless a "
                        "report DIR comes first");
    c2c_cmd->add_option("--kernel", c2c->kernel, "Guest ELF whose symbols name the lines")
        ->capture_default_str();
    c2c_cmd->add_option("--json", c2c->json, "Write the report as JSON ({\"c2c\": {...}}) to FILE");
    c2c_cmd->add_option("--top", c2c->top, "Lines in each table")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t(1), std::size_t(1000000)));
    add_log_options(report_cmd, log_options);
    return {report_cmd, [options, c2c_cmd, c2c]() -> int {
                if (*c2c_cmd) {
                    if (!c2c->stats.empty()) {
                        if (!options->dir.empty())
                            throw InputError(
                                "report: give either a report DIR or c2c --stats FILE, not both");
                        return run_c2c(*c2c);
                    }
                    if (options->dir.empty()) throw InputError("report c2c: --stats FILE is required");
                    ReportCommandOptions section = *options;
                    section.section = "c2c";
                    return run_report_dir(section);
                }
                if (options->dir.empty())
                    throw InputError(
                        "report: give a report directory (smpsim report DIR [SECTION]) or c2c --stats FILE");
                return run_report_dir(*options);
            }};
}

} // namespace smpsim::app
