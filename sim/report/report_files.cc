#include "sim/report/report_files.h"

#include "sim/core/error.h"
#include "sim/report/report.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#ifndef SMPSIM_CHART_JS
#define SMPSIM_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"
#endif

namespace smpsim::report {

namespace {

constexpr unsigned long long kMaxReportBytes = 1ull << 30;
constexpr unsigned long long kMaxChartJsBytes = 16ull << 20;

// Text inside a <script> element must not close it: "</" becomes "<\/" (the same string for JavaScript
// and JSON).
std::string script_safe(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
            out += "<\\/";
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string html_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

// The page's own style and script (smpsim's code): the tables are built from the embedded report JSON,
// sort when a header is clicked, and the charts are drawn with Chart.js when it was inlined. When done,
// the script sets data-rendered on <body> (the tests wait for it) and fills #render-status; an error
// sets data-error instead.
constexpr const char* kStyle = R"CSS(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f0f0f0; cursor: pointer; user-select: none; }
th.sorted-asc::after { content: " \25b2"; } th.sorted-desc::after { content: " \25bc"; }
td.text { text-align: left; font-family: monospace; }
.chart { position: relative; width: 900px; max-width: 100%; height: 320px; }
.note { color: #666; font-size: 0.85em; }
#render-status { color: #666; font-size: 0.8em; }
)CSS";

constexpr const char* kScript = R"JS(
// An error anywhere (this script or the chart library) is shown on the page and left in data-error.
window.addEventListener("error", (e) => {
  document.body.dataset.error = String(e.message);
  document.getElementById("render-status").textContent = "error: " + e.message;
});
(function () {
  "use strict";
  const doc = JSON.parse(document.getElementById("report-data").textContent);
  const root = document.getElementById("report");
  let tables = 0, charts = 0;
  const hex = (n) => "0x" + Number(n).toString(16);
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in (attrs || {})) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function section(id, title) {
    const s = el("section", { id: "section-" + id });
    s.appendChild(el("h2", {}, title));
    root.appendChild(s);
    return s;
  }
  // A table whose columns sort on a click (numbers numerically, text alphabetically).
  function table(parent, id, columns, rows) {
    const t = el("table", { id: id, "class": "sortable" });
    const head = el("tr");
    columns.forEach((c, i) => {
      const th = el("th", {}, c);
      th.addEventListener("click", () => sortBy(t, i, th));
      head.appendChild(th);
    });
    const thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr");
      for (const v of r) {
        // A number, a text, or { text, value }: shown as text, sorted by the number.
        const num = typeof v === "number" ? v : (v !== null && typeof v === "object" ? v.value : undefined);
        const shown = v !== null && typeof v === "object" ? v.text : String(v);
        const td = el("td", typeof v === "string" ? { "class": "text" } : {}, shown);
        if (num !== undefined) td.dataset.value = num;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    t.appendChild(body);
    parent.appendChild(t);
    tables++;
    return t;
  }
  function sortBy(t, col, th) {
    const desc = !th.classList.contains("sorted-desc");
    t.querySelectorAll("th").forEach((h) => h.classList.remove("sorted-asc", "sorted-desc"));
    th.classList.add(desc ? "sorted-desc" : "sorted-asc");
    const body = t.tBodies[0];
    const rows = Array.from(body.rows);
    const key = (r) => { const c = r.cells[col]; return c.dataset.value !== undefined ? Number(c.dataset.value) : c.textContent; };
    rows.sort((a, b) => { const x = key(a), y = key(b); const o = x < y ? -1 : x > y ? 1 : 0; return desc ? -o : o; });
    rows.forEach((r) => body.appendChild(r));
  }
  const palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  function chart(parent, id, config) {
    const box = el("div", { "class": "chart" });
    const canvas = el("canvas", { id: id });
    box.appendChild(canvas);
    parent.appendChild(box);
    if (typeof Chart === "undefined") return;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    const c = new Chart(canvas.getContext("2d"), config);
    if (c) { canvas.dataset.drawn = "1"; charts++; }
  }
  const loc = (o) => o.source ? o.symbol + " (" + o.source + ")" : o.symbol;

  // Run
  const run = doc.run;
  const sr = section("run", "Run");
  table(sr, "run-table", ["Key", "Value"], [
    ["command", run.command], ["kernel", run.kernel], ["command line", run.cmdline], ["mode", run.mode],
    ["cpus", run.cpus], ["seed", run.seed], ["exit status", run.exit_status], ["stop reason", run.stop_reason],
    ["instructions", run.instructions], ["cycles", run.cycles], ["simulated seconds", run.sim_seconds]]);

  // Timing
  const st = section("timing", "Timing: where the cycles went");
  const cpus = doc.timing.cpus;
  table(st, "timing-cpus", ["CPU", "Instructions", "Cycles", "Busy cycles", "Idle cycles", "Interrupt cycles", "Softirq cycles", "IPC", "Interrupts", "Exceptions"],
    cpus.map((c) => [c.cpu, c.instructions, c.cycles, c.busy_cycles, c.idle_cycles, c.interrupt_cycles, c.softirq_cycles, Number(c.ipc.toFixed(3)), c.interrupts, c.exceptions]));
  chart(st, "chart-cpu-time", { type: "bar",
    data: { labels: cpus.map((c) => "cpu" + c.cpu), datasets: [
      { label: "busy (not in interrupts)", data: cpus.map((c) => c.busy_cycles - Math.min(c.busy_cycles, c.interrupt_cycles)), backgroundColor: palette[0] },
      { label: "in interrupt handlers", data: cpus.map((c) => Math.min(c.busy_cycles, c.interrupt_cycles)), backgroundColor: palette[2] },
      { label: "idle", data: cpus.map((c) => c.idle_cycles), backgroundColor: palette[9] }] },
    options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "cycles" } } } } });
  if (doc.timing.interrupts_recorded && doc.timing.interrupts.length) {
    const irqs = doc.timing.interrupts;
    table(st, "timing-interrupts", ["Vector", "CPU", "Count", "Cycles", "Cycles/irq"],
      irqs.map((i) => [{ text: hex(i.vector), value: i.vector }, i.cpu, i.count, i.cycles, i.count ? Math.round(i.cycles / i.count) : 0]));
    const vectors = [...new Set(irqs.map((i) => i.vector))].sort((a, b) => a - b);
    chart(st, "chart-interrupts", { type: "bar",
      data: { labels: vectors.map(hex), datasets: cpus.map((c, k) => ({ label: "cpu" + c.cpu,
        data: vectors.map((v) => (irqs.find((i) => i.cpu === c.cpu && i.vector === v) || { count: 0 }).count),
        backgroundColor: palette[k % palette.length] })) },
      options: { scales: { y: { title: { display: true, text: "interrupts" } } } } });
  }
  if (doc.timing.replay) {
    const r = doc.timing.replay;
    table(st, "timing-replay", ["Offered", "Delivered", "Dropped", "Cycles/packet", "Instructions/packet", "Window ns", "Packets/sim s"],
      [[r.offered, r.delivered, r.dropped_total, Math.round(r.cycles_per_packet), Math.round(r.instructions_per_packet), r.sim_ns, Math.round(r.sim_packet_rate)]]);
  }
  if (doc.timing.packets) {
    const p = doc.timing.packets;
    st.appendChild(el("h3", {}, "Per-packet latency (" + p.count + " packets, wire to the end of the guest's processing)"));
    const phases = ["wire_to_writeback", "writeback_to_interrupt", "interrupt_to_poll", "poll_to_done", "wire_to_done"];
    table(st, "timing-packets", ["Phase", "p50 ns", "p90 ns", "p99 ns", "max ns", "mean ns", "mean cycles"],
      phases.map((k) => { const s = p.phases[k]; return [k, s.p50_ns, s.p90_ns, s.p99_ns, s.max_ns, s.mean_ns, s.mean_cycles]; }));
    const h = p.phases.wire_to_done.histogram;
    if (h.length)
      chart(st, "chart-packet-latency", { type: "bar",
        data: { labels: h.map((b) => b.lo_ns + "-" + b.hi_ns), datasets: [{ label: "packets (wire to done, ns, log2 buckets)", data: h.map((b) => b.count), backgroundColor: palette[1] }] },
        options: { scales: { y: { title: { display: true, text: "packets" } } } } });
    if (p.throughput)
      chart(st, "chart-packet-throughput", { type: "line",
        data: { labels: p.throughput.packets_per_ms.map((v, k) => ((p.throughput.start_ns + k * p.throughput.window_ns) / 1e6).toFixed(3)),
          datasets: [{ label: "packets per simulated ms (" + p.throughput.window_ns / 1000 + " us windows)", data: p.throughput.packets_per_ms, borderColor: palette[3], pointRadius: 0 }] },
        options: { scales: { x: { title: { display: true, text: "simulated ms" } }, y: { title: { display: true, text: "packets/ms" } } } } });
  }

  // Coherence
  const sc = section("c2c", "Coherence: the contended cache lines (c2c)");
  if (!doc.c2c) {
    sc.appendChild(el("p", { "class": "note" }, "No cache line statistics: the run was not in the timing mode."));
  } else {
    const c = doc.c2c;
    const lineRow = (l) => [l.rank, { text: l.paddr_hex, value: l.paddr }, l.hitm, l.invalidations, l.rfos, l.upgrades, l.loads, l.stores, l.false_sharing ? "FS" : "-", loc(l)];
    const cols = ["#", "Cacheline", "HITM", "Inval", "RFO", "Upgrade", "Loads", "Stores", "FS", "Symbol"];
    sc.appendChild(el("h3", {}, "Shared Data Cache Line Table (by HITM)"));
    table(sc, "c2c-by-hitm", cols, c.by_hitm.map(lineRow));
    if (c.by_hitm.length)
      chart(sc, "chart-c2c-hitm", { type: "bar",
        data: { labels: c.by_hitm.map((l) => l.symbol), datasets: (c.by_hitm[0].cpus.length ? [...new Set(c.by_hitm.flatMap((l) => l.cpus.map((k) => k.cpu)))].sort((a, b) => a - b) : []).map((cpu, k) => ({
          label: "cpu" + cpu, data: c.by_hitm.map((l) => (l.cpus.find((x) => x.cpu === cpu) || { hitm: 0 }).hitm), backgroundColor: palette[k % palette.length] })) },
        options: { indexAxis: "y", scales: { x: { stacked: true, title: { display: true, text: "HITM" } }, y: { stacked: true } } } });
    sc.appendChild(el("h3", {}, "Shared Data Cache Line Table (by invalidations)"));
    table(sc, "c2c-by-invalidations", cols, c.by_invalidations.map(lineRow));
    sc.appendChild(el("h3", {}, "Fields of the lines (bytes by symbol, who read and wrote them)"));
    const fieldRows = [];
    for (const l of c.by_hitm) for (const f of l.fields)
      fieldRows.push([l.paddr_hex, f.bytes, loc(f), f.readers.join(",") || "-", f.writers.join(",") || "-", l.false_sharing ? "FS" : "-"]);
    table(sc, "c2c-fields", ["Cacheline", "Bytes", "Field", "Readers", "Writers", "FS"], fieldRows);
  }

  // Reordering
  const so = section("reorder", "Reordering: store buffers and invalidate queues");
  const ro = doc.reorder;
  table(so, "reorder-cpus", ["CPU", "SB forwards", "SB full stalls", "Reordered commits"],
    ro.cpus.map((c) => [c.cpu, c.store_buffer_forwards, c.store_buffer_full_stalls, c.store_buffer_reordered]));
  if (ro.stale_lines.length)
    table(so, "reorder-stale-lines", ["#", "Cacheline", "Stale loads", "Symbol"], ro.stale_lines.map((l) => [l.rank, l.paddr_hex, l.stale_hits, loc(l)]));
  if (ro.tso) {
    const codeCell = (p) => ({ text: loc(p), value: p.rip });
    const dataCell = (p) => ({ text: p.symbol, value: p.paddr });
    so.appendChild(el("h3", {}, "Store->load reorderings other CPUs could observe (tso): " + ro.tso.total));
    table(so, "reorder-tso", ["#", "Count", "Load", "Load data", "Store", "Store data", "CPUs", "Advice"],
      ro.tso.rows.map((r) => [r.rank, r.count, codeCell(r.load), dataCell(r.load_data), codeCell(r.store), dataCell(r.store_data), r.cpus.join(","), r.advice]));
    const sr = ro.weak.stale_reads;
    so.appendChild(el("h3", {}, "Stale reads (queued invalidation): " + sr.total));
    table(so, "reorder-stale-reads", ["#", "Count", "Load", "Data", "CPUs", "Advice"],
      sr.rows.map((r) => [r.rank, r.count, codeCell(r.load), dataCell(r.load_data), r.cpus.join(","), r.advice]));
    const rc = ro.weak.reordered_commits;
    so.appendChild(el("h3", {}, "Stores committed ahead of older stores: " + rc.total));
    table(so, "reorder-commits", ["#", "Count", "Store", "Store data", "Older store", "Older store data", "CPUs", "Advice"],
      rc.rows.map((r) => [r.rank, r.count, codeCell(r.store), dataCell(r.store_data), codeCell(r.older_store), dataCell(r.older_store_data), r.cpus.join(","), r.advice]));
  }
  for (const n of ro.notes) so.appendChild(el("p", { "class": "note" }, n));

  // Network
  const sn = section("network", "Network: NIC and conntrack");
  if (!doc.network) {
    sn.appendChild(el("p", { "class": "note" }, "No replay in this run."));
  } else {
    const nic = doc.network.nic;
    table(sn, "network-queues", ["Queue", "Delivered", "Ring full drops"], nic.per_queue.map((n, q) => [q, n, nic.ring_full_per_queue[q]]));
    table(sn, "network-cpus", ["CPU", "Consumed"], nic.per_cpu.map((n, c) => [c, n]));
    chart(sn, "chart-network-queues", { type: "bar",
      data: { labels: nic.per_queue.map((n, q) => "q" + q), datasets: [{ label: "frames delivered", data: nic.per_queue, backgroundColor: palette[4] }] } });
    const ct = doc.network.conntrack;
    if (ct) table(sn, "network-conntrack", ["Entries", "Events", "Forwarded"], [[ct.entries, ct.events.length, ct.forwarded || 0]]);
  }

  // Litmus
  const sl = section("litmus", "Litmus: final states");
  if (!doc.litmus) {
    sl.appendChild(el("p", { "class": "note" }, "No litmus tests in this run."));
  } else {
    const l = doc.litmus;
    table(sl, "litmus-tests", ["Test", "Kind", "Result", "Observation", "Positive", "Negative", "States", "Stale loads", "Reordered commits"],
      l.tests.map((t) => [t.name, t.kind, t.validated ? "Ok" : "No", t.observation, t.positive, t.negative, t.states.length, t.stale_hits, t.reordered_commits]));
    l.tests.forEach((t, k) => {
      sl.appendChild(el("h3", {}, t.name + " " + t.kind + " (" + (t.validated ? "Ok" : "No") + "): " + t.condition));
      if (t.mechanism) sl.appendChild(el("p", { "class": "note" }, "reordered by: " + t.mechanism));
      chart(sl, "chart-litmus-" + k, { type: "bar",
        data: { labels: t.states.map((s) => s.state), datasets: [{ label: "runs (red: satisfies the condition)", data: t.states.map((s) => s.count),
          backgroundColor: t.states.map((s) => s.witness ? palette[2] : palette[0]) }] },
        options: { indexAxis: "y" } });
    });
  }

  // report.html#check-sort: click every table's first column twice and check the order (the tests do).
  if (location.hash === "#check-sort") {
    let ok = true;
    document.querySelectorAll("table.sortable").forEach((t) => {
      const th = t.querySelector("th");
      const key = (r) => { const c = r.cells[0]; return c.dataset.value !== undefined ? Number(c.dataset.value) : c.textContent; };
      for (const desc of [true, false]) {
        th.click();
        const keys = Array.from(t.tBodies[0].rows).map(key);
        for (let i = 1; i < keys.length; i++) if (desc ? keys[i - 1] < keys[i] : keys[i - 1] > keys[i]) ok = false;
      }
    });
    document.body.dataset.sortCheck = ok ? "ok" : "failed";
  }
  const status = document.getElementById("render-status");
  status.textContent = tables + " tables, " + charts + " charts" + (typeof Chart === "undefined" ? " (Chart.js was not available when the report was written)" : "");
  document.body.dataset.tables = tables;
  document.body.dataset.charts = charts;
  document.body.dataset.rendered = "1";
})();
)JS";

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw InputError(fmt::format("{}: cannot open the report file for writing: {}", path.string(),
                                     std::strerror(errno)));
    out << text;
    out.flush();
    if (!out) throw InputError(fmt::format("{}: cannot write the report file", path.string()));
}

} // namespace

std::string chart_js_path() {
    if (const char* env = std::getenv("SMPSIM_CHART_JS"); env && *env) return env;
    return SMPSIM_CHART_JS;
}

void prepare_report_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    if (dir.empty()) throw InputError("--report needs a directory, not an empty name");
    std::error_code ec;
    const fs::file_status st = fs::status(dir, ec);
    if (fs::exists(st)) {
        if (!fs::is_directory(st))
            throw InputError(fmt::format("{}: --report needs a directory, and this is not one", dir));
    } else if (!fs::create_directory(dir, ec)) {
        throw InputError(fmt::format("{}: cannot create the report directory: {}", dir, ec.message()));
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw InputError(
            fmt::format("{}: cannot write into the report directory: {}", dir, std::strerror(errno)));
}

std::string report_html(const nlohmann::json& doc, const std::string& chart_js) {
    const nlohmann::json& run = doc.at("run");
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += fmt::format("<title>smpsim report: {} ({})</title>\n",
                       html_escape(run.at("command").get<std::string>()),
                       html_escape(run.at("mode").get<std::string>()));
    out += "<style>";
    out += kStyle;
    out += "</style>\n";
    if (!chart_js.empty()) {
        out += "<script>\n";
        out += script_safe(chart_js);
        out += "\n</script>\n";
    }
    out += "</head>\n<body>\n";
    out += fmt::format("<h1>smpsim report: {}</h1>\n", html_escape(run.at("command").get<std::string>()));
    out +=
        "<p class=\"note\">Written by smpsim (schema " + html_escape(doc.at("schema").get<std::string>()) +
        "). Click a column header to sort a table. report.txt and report.json in the same directory hold the "
        "same data.</p>\n";
    if (chart_js.empty())
        out +=
            "<p class=\"note\">No charts: the chart library (Debian's libjs-chart.js) was not found when the "
            "report was written.</p>\n";
    out += "<div id=\"report\"></div>\n<p id=\"render-status\"></p>\n";
    out += "<script type=\"application/json\" id=\"report-data\">";
    out += script_safe(doc.dump());
    out += "</script>\n<script>";
    out += kScript;
    out += "</script>\n</body>\n</html>\n";
    return out;
}

void write_report_dir(const std::string& dir, const nlohmann::json& doc, const std::string& trace) {
    namespace fs = std::filesystem;
    const fs::path base(dir);
    write_file(base / "report.json", doc.dump(2) + "\n");
    write_file(base / "report.txt", report_text(doc));
    std::string chart_js;
    const std::string chart_path = chart_js_path();
    std::error_code ec;
    if (fs::is_regular_file(chart_path, ec) && fs::file_size(chart_path, ec) <= kMaxChartJsBytes) {
        std::ifstream in(chart_path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (in) chart_js = text.str();
    }
    write_file(base / "report.html", report_html(doc, chart_js));
    if (!trace.empty())
        write_file(base / "trace.json", trace);
    else
        fs::remove(base / "trace.json", ec); // not one of an earlier run's, which would not match
}

nlohmann::json read_report_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(fmt::format("{}: not a report directory", dir));
    const std::string path = (fs::path(dir) / "report.json").string();
    if (!fs::exists(path, ec)) throw InputError(fmt::format("{}: no report.json in this directory", dir));
    check_input_file(path, "report", kMaxReportBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot open the report", path));
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: not a JSON file: {}", path, e.what()));
    }
    check_report_json(doc, path);
    return doc;
}

} // namespace smpsim::report
