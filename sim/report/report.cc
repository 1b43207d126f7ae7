#include "sim/report/report.h"

#include "sim/core/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace smpsim::report {

namespace {

// Keys of the replay summary that hold host times: left out, so that the report is byte-identical for
// the same seed (the run's summary keeps them).
constexpr const char* kHostKeys[] = {"host_s", "host_packets_per_s", "window_host_s",
                                     "window_packets_per_host_s"};

nlohmann::json run_json(const RunInfo& r) {
    return {{"command", r.command},
            {"kernel", r.kernel},
            {"cmdline", r.cmdline},
            {"mode", r.mode},
            {"cpus", r.cpus},
            {"seed", r.seed},
            {"cpu_mhz", r.cpu_mhz},
            {"exit_status", r.exit_status},
            {"stop_reason", r.stop_reason},
            {"instructions", r.instructions},
            {"cycles", r.cycles},
            {"sim_seconds", r.sim_seconds}};
}

nlohmann::json timing_json(const Report& report) {
    nlohmann::json cpus = nlohmann::json::array();
    for (const CpuTiming& c : report.cpus) {
        const u64 busy = c.cycles > c.idle_cycles ? c.cycles - c.idle_cycles : 0;
        cpus.push_back({{"cpu", c.cpu},
                        {"instructions", c.instructions},
                        {"cycles", c.cycles},
                        {"busy_cycles", busy},
                        {"idle_cycles", c.idle_cycles},
                        {"interrupt_cycles", c.interrupt_cycles},
                        {"softirq_cycles", c.softirq_cycles},
                        {"ipc", busy ? double(c.instructions) / double(busy) : 0.0},
                        {"interrupts", c.interrupts},
                        {"exceptions", c.exceptions}});
    }
    nlohmann::json irqs = nlohmann::json::array();
    for (const InterruptCount& i : report.interrupts)
        irqs.push_back({{"cpu", i.cpu}, {"vector", i.vector}, {"count", i.count}, {"cycles", i.cycles}});
    nlohmann::json j;
    j["cpus"] = std::move(cpus);
    j["interrupts_recorded"] = report.interrupts_recorded;
    j["interrupts"] = std::move(irqs);
    nlohmann::json replay = nullptr;
    if (report.replay.is_object()) {
        replay = nlohmann::json::object();
        for (const char* key : {"offered", "delivered", "dropped_total", "consumed", "cycles_per_packet",
                                "instructions_per_packet", "sim_ns", "sim_packet_rate"})
            if (report.replay.contains(key)) replay[key] = report.replay[key];
    }
    j["replay"] = std::move(replay);
    // Replays only: the other runs' reports (and the golden litmus report) stay as they were.
    if (!report.packets.is_null()) j["packets"] = report.packets;
    return j;
}

std::string mechanism(const LitmusTestReport& t) {
    std::string out;
    if (t.stale_hits)
        out += fmt::format("invalidate queue: {} stale loads (smp_rmb() would order them)", t.stale_hits);
    if (t.reordered_commits)
        out += fmt::format("{}store buffer: {} commits overtook older stores (smp_wmb() would order them)",
                           out.empty() ? "" : "; ", t.reordered_commits);
    return out;
}

nlohmann::json litmus_json(const LitmusSection& l) {
    nlohmann::json tests = nlohmann::json::array();
    for (const LitmusTestReport& t : l.tests) {
        nlohmann::json states = nlohmann::json::array();
        for (const LitmusState& s : t.histogram)
            states.push_back({{"state", s.state}, {"count", s.count}, {"witness", s.witness}});
        tests.push_back({{"name", t.name},
                         {"file", t.file},
                         {"kind", t.kind},
                         {"condition", t.condition},
                         {"validated", t.validated},
                         {"observation", t.observation},
                         {"positive", t.positive},
                         {"negative", t.negative},
                         {"states", std::move(states)},
                         {"instructions", t.instructions},
                         {"store_forwards", t.store_forwards},
                         {"stale_hits", t.stale_hits},
                         {"reordered_commits", t.reordered_commits},
                         {"mechanism", mechanism(t)}});
    }
    return {{"model", l.model}, {"runs", l.runs}, {"seed", l.seed}, {"tests", std::move(tests)}};
}

constexpr const char* kTsoAdvice = "smp_mb() would order these";
constexpr const char* kStaleAdvice = "smp_rmb() would order these";
constexpr const char* kCommitAdvice = "smp_wmb() would order these";

// An instruction or a line as the reorder tables name it.
nlohmann::json place_json(const Symbolization& s, const char* address_key) {
    return {
        {address_key, s.address},
        {std::string(address_key) + "_hex", fmt::format("{:#x}", s.address)},
        {"symbol", Symbolizer::format_symbol(s)},
        {"source", s.line ? nlohmann::json(fmt::format("{}:{}", s.file, s.line)) : nlohmann::json(nullptr)}};
}

// first/second: the keys of the row's two instructions (second empty: a single instruction).
nlohmann::json reorder_table_json(const ReorderTable& t, const char* advice, const char* first,
                                  const char* second) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const ReorderRow& r = t.rows[i];
        nlohmann::json row;
        row["rank"] = i;
        row[first] = place_json(r.first_code, "rip");
        row[std::string(first) + "_data"] = place_json(r.first_data, "paddr");
        if (*second) {
            row[second] = place_json(r.second_code, "rip");
            row[std::string(second) + "_data"] = place_json(r.second_data, "paddr");
        }
        row["count"] = r.count;
        row["cpus"] = r.cpus;
        row["advice"] = advice;
        rows.push_back(std::move(row));
    }
    return {{"advice", advice}, {"total", t.total}, {"unlisted", t.unlisted}, {"rows", std::move(rows)}};
}

nlohmann::json reorder_json(const Report& report) {
    nlohmann::json cpus = nlohmann::json::array();
    u64 forwards = 0, stalls = 0, reordered = 0;
    for (const CpuTiming& c : report.cpus) {
        cpus.push_back({{"cpu", c.cpu},
                        {"store_buffer_forwards", c.store_buffer_forwards},
                        {"store_buffer_full_stalls", c.store_buffer_full_stalls},
                        {"store_buffer_reordered", c.store_buffer_reordered}});
        forwards += c.store_buffer_forwards;
        stalls += c.store_buffer_full_stalls;
        reordered += c.store_buffer_reordered;
    }
    u64 stale = 0;
    if (report.c2c) stale = report.c2c->totals.counters.stale_hits;
    // Litmus runs have no machine CPUs: their totals are the tests' own counters.
    if (report.litmus)
        for (const LitmusTestReport& t : report.litmus->tests) {
            forwards += t.store_forwards;
            reordered += t.reordered_commits;
            stale += t.stale_hits;
        }
    nlohmann::json lines = nlohmann::json::array();
    for (std::size_t i = 0; i < report.stale_lines.size(); ++i)
        lines.push_back(c2c_line_json(report.stale_lines[i], i));
    nlohmann::json j;
    j["model"] = report.run.mode;
    j["totals"] = {{"store_buffer_forwards", forwards},
                   {"store_buffer_full_stalls", stalls},
                   {"reordered_commits", reordered},
                   {"stale_hits", stale}};
    j["cpus"] = std::move(cpus);
    j["stale_lines"] = std::move(lines);
    j["notes"] = {
        "reordered_commits: stores committed ahead of older stores (weak model): smp_wmb() would order them",
        "stale_hits: loads served from a line whose invalidation was still queued (weak model): smp_rmb() "
        "would "
        "order them",
        report.reorder
            ? "tso: loads performed while an older store of the same CPU to another line was still "
              "buffered, with another CPU accessing either line before the store committed: "
              "smp_mb() would order them"
            : "store->load reorderings (tso) are not attributed to code addresses yet"};
    if (report.reorder) {
        j["tso"] = reorder_table_json(report.reorder->tso, kTsoAdvice, "load", "store");
        j["weak"] = {
            {"stale_reads", reorder_table_json(report.reorder->stale_reads, kStaleAdvice, "load", "")},
            {"reordered_commits",
             reorder_table_json(report.reorder->reordered_commits, kCommitAdvice, "store", "older_store")}};
    }
    return j;
}

// --- text -------------------------------------------------------------------------------------------

const char* kRule = "=================================================================================\n";

void title(std::string& out, const char* name) {
    out += kRule;
    out += fmt::format("            {}\n", name);
    out += kRule;
}

u64 num(const nlohmann::json& j, const char* key) {
    return j.at(key).get<u64>();
}

double real(const nlohmann::json& j, const char* key) {
    return j.at(key).get<double>();
}

std::string str(const nlohmann::json& j, const char* key) {
    return j.at(key).get<std::string>();
}

double percent(u64 part, u64 whole) {
    return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

std::string location(const nlohmann::json& j) {
    const std::string symbol = str(j, "symbol");
    const nlohmann::json& source = j.at("source");
    return source.is_string() ? fmt::format("{} ({})", symbol, source.get<std::string>()) : symbol;
}

void run_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& r = doc.at("run");
    title(out, "Run (smpsim report)");
    out += fmt::format("  {:<22}: {}\n", "Command", str(r, "command"));
    if (!str(r, "kernel").empty()) out += fmt::format("  {:<22}: {}\n", "Kernel", str(r, "kernel"));
    if (!str(r, "cmdline").empty()) out += fmt::format("  {:<22}: {}\n", "Command line", str(r, "cmdline"));
    out += fmt::format("  {:<22}: {}\n", "Mode", str(r, "mode"));
    out += fmt::format("  {:<22}: {}\n", "CPUs", num(r, "cpus"));
    out += fmt::format("  {:<22}: {}\n", "Seed", num(r, "seed"));
    out += fmt::format("  {:<22}: {} ({})\n", "Exit status", r.at("exit_status").get<int>(),
                       str(r, "stop_reason"));
    out += fmt::format("  {:<22}: {}\n", "Instructions", num(r, "instructions"));
    out += fmt::format("  {:<22}: {}\n", "Cycles", num(r, "cycles"));
    out += fmt::format("  {:<22}: {:.6f} s\n", "Simulated time", real(r, "sim_seconds"));
    out += "\n";
}

// timing.packets: per-packet latency by phase, its histogram and the throughput over simulated time.
void packets_text(std::string& out, const nlohmann::json& p) {
    out +=
        fmt::format("\n  Per-packet latency ({} packets followed from the wire to the end of the guest's "
                    "processing; {} written back, {} unfinished, {} with an interrupt of their own):\n",
                    num(p, "count"), num(p, "written_back"), num(p, "incomplete"), num(p, "own_interrupt"));
    out += fmt::format("    {:<24} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}\n", "Phase (ns)", "p50", "p90",
                       "p99", "max", "mean", "mean cycles");
    for (const char* name : {"wire_to_writeback", "writeback_to_interrupt", "interrupt_to_poll",
                             "poll_to_done", "wire_to_done"}) {
        const nlohmann::json& s = p.at("phases").at(name);
        out += fmt::format("    {:<24} {:>10} {:>10} {:>10} {:>10} {:>12.1f} {:>12.1f}\n", name,
                           num(s, "p50_ns"), num(s, "p90_ns"), num(s, "p99_ns"), num(s, "max_ns"),
                           real(s, "mean_ns"), real(s, "mean_cycles"));
    }
    const nlohmann::json& total = p.at("phases").at("wire_to_done");
    if (!total.at("histogram").empty()) {
        out += "    Histogram of wire_to_done (ns, log2 buckets):\n";
        u64 most = 1;
        for (const nlohmann::json& b : total.at("histogram"))
            most = std::max(most, num(b, "count"));
        for (const nlohmann::json& b : total.at("histogram"))
            out += fmt::format("    [{:>10}, {:>10}) {:>8} {}\n", num(b, "lo_ns"), num(b, "hi_ns"),
                               num(b, "count"),
                               std::string(std::size_t((num(b, "count") * 40 + most - 1) / most), '#'));
    }
    if (const nlohmann::json& tp = p.at("throughput"); tp.is_object()) {
        double peak = 0, sum = 0;
        for (const nlohmann::json& r : tp.at("packets_per_ms")) {
            peak = std::max(peak, r.get<double>());
            sum += r.get<double>();
        }
        out += fmt::format(
            "    Throughput: {} windows of {} us from {:.3f} ms, mean {:.1f} and peak {:.1f} packets per "
            "simulated ms\n",
            tp.at("packets_per_ms").size(), num(tp, "window_ns") / 1000, double(num(tp, "start_ns")) / 1e6,
            tp.at("packets_per_ms").empty() ? 0.0 : sum / double(tp.at("packets_per_ms").size()), peak);
    }
}

void timing_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& t = doc.at("timing");
    title(out, "Timing: where the cycles went");
    out += fmt::format("  {:>4} {:>14} {:>14} {:>7} {:>7} {:>7} {:>8} {:>6} {:>10} {:>10}\n", "CPU",
                       "Instructions", "Cycles", "Busy%", "Idle%", "Irq%", "Softirq%", "IPC", "Interrupts",
                       "Exceptions");
    for (const nlohmann::json& c : t.at("cpus"))
        out += fmt::format(
            "  {:>4} {:>14} {:>14} {:>6.1f}% {:>6.1f}% {:>6.1f}% {:>7.1f}% {:>6.3f} {:>10} {:>10}\n",
            num(c, "cpu"), num(c, "instructions"), num(c, "cycles"),
            percent(num(c, "busy_cycles"), num(c, "cycles")),
            percent(num(c, "idle_cycles"), num(c, "cycles")),
            percent(num(c, "interrupt_cycles"), num(c, "cycles")),
            percent(c.value("softirq_cycles", u64(0)), num(c, "cycles")), real(c, "ipc"),
            num(c, "interrupts"), num(c, "exceptions"));
    out +=
        "  (Irq%: external-interrupt handlers, entry to IRET; Softirq%: __do_softirq(), which also runs on\n"
        "  an interrupt's exit, so the two overlap.)\n";
    out += "\n  Interrupts per vector and CPU";
    if (!t.at("interrupts_recorded").get<bool>()) {
        out += ": not recorded\n";
    } else {
        out += " (count, cycles in the handler from entry to IRET):\n";
        out += fmt::format("  {:>6} {:>4} {:>10} {:>14} {:>12}\n", "Vector", "CPU", "Count", "Cycles",
                           "Cycles/irq");
        for (const nlohmann::json& i : t.at("interrupts"))
            out += fmt::format("  {:>#6x} {:>4} {:>10} {:>14} {:>12}\n", num(i, "vector"), num(i, "cpu"),
                               num(i, "count"), num(i, "cycles"),
                               num(i, "count") ? num(i, "cycles") / num(i, "count") : 0);
    }
    if (const nlohmann::json& r = t.at("replay"); r.is_object()) {
        out += "\n  Replay:\n";
        out += fmt::format("    {:<30}: {}\n", "Frames offered", num(r, "offered"));
        out += fmt::format("    {:<30}: {}\n", "Frames delivered", num(r, "delivered"));
        out += fmt::format("    {:<30}: {}\n", "Frames dropped", num(r, "dropped_total"));
        out += fmt::format("    {:<30}: {:.0f}\n", "Cycles per packet", real(r, "cycles_per_packet"));
        out += fmt::format("    {:<30}: {:.0f}\n", "Instructions per packet",
                           real(r, "instructions_per_packet"));
        out += fmt::format("    {:<30}: {:.6f} s\n", "Replay window (simulated)",
                           double(num(r, "sim_ns")) / 1e9);
        out +=
            fmt::format("    {:<30}: {:.0f}\n", "Packets per simulated second", real(r, "sim_packet_rate"));
    }
    if (t.contains("packets") && t["packets"].is_object()) packets_text(out, t["packets"]);
    out += "\n";
}

void c2c_section_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& c = doc.at("c2c");
    if (c.is_null()) {
        title(out, "Coherence (c2c)");
        out += "  No cache line statistics: the run was not in the timing mode (--model tso|weak).\n\n";
        return;
    }
    out += c2c_text_from_json(c);
    out += "\n";
}

void reorder_table_text(std::string& out, const nlohmann::json& t, const char* name, const char* first,
                        const char* second) {
    out += fmt::format("\n  {}: {} ({})\n", name, num(t, "total"), str(t, "advice"));
    const nlohmann::json& rows = t.at("rows");
    for (const nlohmann::json& row : rows) {
        std::string cpus;
        for (const nlohmann::json& c : row.at("cpus"))
            cpus += fmt::format("{}{}", cpus.empty() ? "" : ",", c.get<u32>());
        out += fmt::format("  {:>3} {:>10}x  cpus {}\n", num(row, "rank"), num(row, "count"), cpus);
        out += fmt::format("        {:<11} {}\n", std::string(first) + ":", location(row.at(first)));
        out += fmt::format("        {:<11} {}\n", "  data:", location(row.at(std::string(first) + "_data")));
        if (*second) {
            out += fmt::format(
                "        {:<11} {}\n",
                std::string_view(second) == "store" ? "store:" : "older:", location(row.at(second)));
            out += fmt::format("        {:<11} {}\n",
                               "  data:", location(row.at(std::string(second) + "_data")));
        }
    }
    if (num(t, "unlisted")) out += fmt::format("        ({} more not listed)\n", num(t, "unlisted"));
}

void reorder_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& r = doc.at("reorder");
    title(out, "Reordering: store buffers and invalidate queues");
    const nlohmann::json& t = r.at("totals");
    out += fmt::format("  {:<40}: {}\n", "Memory model", str(r, "model"));
    out += fmt::format("  {:<40}: {}\n", "Loads forwarded from the store buffer",
                       num(t, "store_buffer_forwards"));
    out += fmt::format("  {:<40}: {}\n", "Stores stalled on a full store buffer",
                       num(t, "store_buffer_full_stalls"));
    out += fmt::format("  {:<40}: {}  (smp_wmb() would order these)\n", "Commits ahead of older stores",
                       num(t, "reordered_commits"));
    out += fmt::format("  {:<40}: {}  (smp_rmb() would order these)\n", "Stale loads (queued invalidation)",
                       num(t, "stale_hits"));
    if (!r.at("cpus").empty())
        out += fmt::format("\n  {:>4} {:>14} {:>14} {:>14}\n", "CPU", "SB forwards", "SB full", "Reordered");
    for (const nlohmann::json& c : r.at("cpus"))
        out += fmt::format("  {:>4} {:>14} {:>14} {:>14}\n", num(c, "cpu"), num(c, "store_buffer_forwards"),
                           num(c, "store_buffer_full_stalls"), num(c, "store_buffer_reordered"));
    const nlohmann::json& lines = r.at("stale_lines");
    if (!lines.empty()) {
        out += "\n  Lines read stale (loads served while an invalidation of the line was queued):\n";
        out += fmt::format("  {:>3}  {:<18} {:>10}  {}\n", "#", "Cacheline", "Stale", "Symbol");
        for (std::size_t i = 0; i < lines.size(); ++i)
            out += fmt::format("  {:>3}  {:<18} {:>10}  {}\n", i, str(lines[i], "paddr_hex"),
                               num(lines[i], "stale_hits"), location(lines[i]));
    }
    if (r.contains("tso")) {
        reorder_table_text(out, r.at("tso"), "Store->load reorderings other CPUs could observe (tso)", "load",
                           "store");
        reorder_table_text(out, r.at("weak").at("stale_reads"), "Stale reads (queued invalidation)", "load",
                           "");
        reorder_table_text(out, r.at("weak").at("reordered_commits"),
                           "Stores committed ahead of older stores", "store", "older_store");
    }
    if (const nlohmann::json& l = doc.at("litmus"); l.is_object()) {
        out += "\n  Litmus tests whose runs were reordered:\n";
        bool any = false;
        for (const nlohmann::json& test : l.at("tests"))
            if (!str(test, "mechanism").empty()) {
                out += fmt::format("    {}: {}\n", str(test, "name"), str(test, "mechanism"));
                any = true;
            }
        if (!any) out += "    none (no stale loads, no commits out of order)\n";
    }
    out += "\n";
}

void network_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& n = doc.at("network");
    title(out, "Network: NIC and conntrack");
    if (n.is_null()) {
        out += "  No replay in this run.\n\n";
        return;
    }
    const nlohmann::json& nic = n.at("nic");
    out += fmt::format("  {:<24}: {}\n", "Capture", str(nic, "pcap"));
    out += fmt::format("  {:<24}: {} offered, {} delivered, {} dropped\n", "Frames", num(nic, "offered"),
                       num(nic, "delivered"), num(nic, "dropped_total"));
    std::string drops;
    for (const auto& [reason, count] : nic.at("dropped").items())
        if (count.get<u64>())
            drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", reason, count.get<u64>());
    if (!drops.empty()) out += fmt::format("  {:<24}: {}\n", "Drops by reason", drops);
    std::string queues, cpus;
    for (std::size_t q = 0; q < nic.at("per_queue").size(); ++q)
        queues += fmt::format(" q{} {}", q, nic.at("per_queue")[q].get<u64>());
    for (std::size_t c = 0; c < nic.at("per_cpu").size(); ++c)
        cpus += fmt::format(" cpu{} {}", c, nic.at("per_cpu")[c].get<u64>());
    out += fmt::format("  {:<24}:{}\n", "Delivered per queue", queues);
    out += fmt::format("  {:<24}:{}\n", "Consumed per CPU", cpus);
    out +=
        fmt::format("  {:<24}: {} signalled, {} MSI-X messages, {} lost\n", "Interrupts",
                    num(nic, "interrupts_signalled"), num(nic, "messages_sent"), num(nic, "lost_interrupts"));
    if (const nlohmann::json& ct = n.at("conntrack"); ct.is_object()) {
        out += fmt::format("  {:<24}: {} entries, {} events\n", "Conntrack table", num(ct, "entries"),
                           ct.at("events").size());
        if (ct.contains("prerouting")) {
            std::string states;
            for (const auto& [state, count] : ct.at("prerouting").items())
                states += fmt::format(" {}={}", state, count.get<u64>());
            out += fmt::format("  {:<24}:{}\n", "PRE_ROUTING ct state", states);
        }
        if (ct.contains("forwarded")) out += fmt::format("  {:<24}: {}\n", "Forwarded", num(ct, "forwarded"));
    }
    out += "\n";
}

void litmus_text(std::string& out, const nlohmann::json& doc) {
    const nlohmann::json& l = doc.at("litmus");
    title(out, "Litmus: final states");
    if (l.is_null()) {
        out += "  No litmus tests in this run.\n\n";
        return;
    }
    out += fmt::format("  Model {}, {} runs per test, seed {}\n", str(l, "model"), num(l, "runs"),
                       num(l, "seed"));
    for (const nlohmann::json& t : l.at("tests")) {
        out += fmt::format("\n  {} {}: {} ({}), {}\n", str(t, "name"), str(t, "kind"),
                           t.at("validated").get<bool>() ? "Ok" : "No", str(t, "observation"),
                           str(t, "condition"));
        for (const nlohmann::json& s : t.at("states"))
            out += fmt::format("    {:>10} {}> {}\n", num(s, "count"),
                               s.at("witness").get<bool>() ? '*' : ':', str(s, "state"));
        if (!str(t, "mechanism").empty()) out += fmt::format("    reordered by: {}\n", str(t, "mechanism"));
    }
    out += "\n";
}

struct SectionRenderer {
    const char* name;
    void (*render)(std::string&, const nlohmann::json&);
};
constexpr SectionRenderer kSections[] = {
    {"run", run_text},         {"timing", timing_text},   {"c2c", c2c_section_text},
    {"reorder", reorder_text}, {"network", network_text}, {"litmus", litmus_text},
};

} // namespace

const std::vector<std::string>& report_sections() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const SectionRenderer& s : kSections)
            n.push_back(s.name);
        return n;
    }();
    return names;
}

void add_line_statistics(Report& report, const C2cInput& lines, const Symbolizer& symbols, std::size_t top) {
    report.c2c = build_c2c(lines, symbols, {top});
    // The lines read stale most, most first (ties: address).
    std::vector<const C2cLineStats*> stale;
    for (const C2cLineStats& l : lines.lines)
        if (l.total().stale_hits) stale.push_back(&l);
    std::stable_sort(stale.begin(), stale.end(), [](const C2cLineStats* a, const C2cLineStats* b) {
        const u64 sa = a->total().stale_hits, sb = b->total().stale_hits;
        if (sa != sb) return sa > sb;
        return a->paddr < b->paddr;
    });
    if (stale.size() > top) stale.resize(top);
    report.stale_lines.clear();
    for (const C2cLineStats* l : stale)
        report.stale_lines.push_back(make_c2c_line(*l, symbols));
}

void add_reorder_statistics(Report& report, const nlohmann::json& line_stats, const Symbolizer& symbols,
                            std::size_t top) {
    struct Raw {
        u64 first_rip, first_data, second_rip, second_data, count;
        std::vector<u32> cpus;
    };
    // Rows are already most-first; keep the top ones and count the rest.
    auto table = [&](std::vector<Raw> raw, u64 dropped) {
        std::stable_sort(raw.begin(), raw.end(),
                         [](const Raw& a, const Raw& b) { return a.count > b.count; });
        ReorderTable t;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            t.total += raw[i].count;
            if (i >= top) {
                t.unlisted += raw[i].count;
                continue;
            }
            t.rows.push_back({symbols.symbolize(raw[i].first_rip), symbols.symbolize(raw[i].first_data),
                              symbols.symbolize(raw[i].second_rip), symbols.symbolize(raw[i].second_data),
                              raw[i].count, raw[i].cpus});
        }
        t.total += dropped;
        t.unlisted += dropped;
        return t;
    };
    std::vector<Raw> tso, commits, stale;
    u64 dropped_tso = 0, dropped_commits = 0;
    if (line_stats.contains("reorder")) {
        const nlohmann::json& r = line_stats.at("reorder");
        dropped_tso = r.at("dropped_store_load").get<u64>();
        dropped_commits = r.at("dropped_store_store").get<u64>();
        for (const nlohmann::json& p : r.at("pairs")) {
            // The data is named by the exact address the pair first had: the field, not the line's start.
            Raw raw{p.at("first_rip").get<u64>(),  p.at("first_paddr").get<u64>(),
                    p.at("second_rip").get<u64>(), p.at("second_paddr").get<u64>(),
                    p.at("count").get<u64>(),      p.at("cpus").get<std::vector<u32>>()};
            (p.at("kind").get<std::string>() == "store_load" ? tso : commits).push_back(std::move(raw));
        }
    }
    // Stale reads: the lines' code addresses (per CPU in the statistics), merged over CPUs.
    for (const nlohmann::json& l : line_stats.at("lines")) {
        if (!l.contains("code")) continue;
        const u64 line = l.at("paddr").get<u64>();
        const std::size_t first = stale.size();
        for (const nlohmann::json& c : l.at("code")) {
            const u64 n = c.at("stale_hits").get<u64>();
            if (!n) continue;
            const u64 rip = c.at("rip").get<u64>();
            const u32 cpu = c.at("cpu").get<u32>();
            auto it = std::find_if(stale.begin() + std::ptrdiff_t(first), stale.end(),
                                   [&](const Raw& r) { return r.first_rip == rip; });
            if (it == stale.end()) {
                stale.push_back({rip, line, 0, 0, 0, {}});
                it = stale.end() - 1;
            }
            it->count += n;
            if (std::find(it->cpus.begin(), it->cpus.end(), cpu) == it->cpus.end()) it->cpus.push_back(cpu);
            std::sort(it->cpus.begin(), it->cpus.end());
        }
    }
    report.reorder = ReorderAttribution{table(std::move(tso), dropped_tso), table(std::move(stale), 0),
                                        table(std::move(commits), dropped_commits)};
}

nlohmann::json report_json(const Report& report) {
    nlohmann::json j;
    j["schema"] = kReportSchema;
    j["run"] = run_json(report.run);
    j["timing"] = timing_json(report);
    j["c2c"] = report.c2c ? c2c_json(*report.c2c) : nlohmann::json(nullptr);
    j["reorder"] = reorder_json(report);
    if (report.replay.is_object()) {
        nlohmann::json nic = report.replay;
        for (const char* key : kHostKeys)
            nic.erase(key);
        j["network"] = {{"nic", std::move(nic)}, {"conntrack", report.conntrack}};
    } else {
        j["network"] = nullptr;
    }
    j["litmus"] = report.litmus ? litmus_json(*report.litmus) : nlohmann::json(nullptr);
    return j;
}

void check_report_json(const nlohmann::json& doc, const std::string& origin) {
    if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string())
        throw InputError(fmt::format("{}: not an smpsim report (no \"schema\")", origin));
    const std::string schema = doc["schema"].get<std::string>();
    if (schema != kReportSchema)
        throw InputError(
            fmt::format("{}: report schema \"{}\", this smpsim reads \"{}\"", origin, schema, kReportSchema));
    for (const char* key : {"run", "timing", "c2c", "reorder", "network", "litmus"})
        if (!doc.contains(key)) throw InputError(fmt::format("{}: the report has no \"{}\"", origin, key));
    // Render every section once: a malformed document fails here with one line, not later.
    try {
        (void)report_text(doc);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: malformed report: {}", origin, e.what()));
    }
}

std::string report_text(const nlohmann::json& doc, std::string_view section) {
    std::string out;
    bool found = false;
    for (const SectionRenderer& s : kSections)
        if (section.empty() || section == s.name) {
            s.render(out, doc);
            found = true;
        }
    if (!found) {
        std::string names;
        for (const std::string& n : report_sections())
            names += (names.empty() ? "" : ", ") + n;
        throw InputError(fmt::format("no report section '{}' (sections: {})", section, names));
    }
    return out;
}

} // namespace smpsim::report
