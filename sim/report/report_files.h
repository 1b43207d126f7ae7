// The files of a report directory (`--report DIR`): report.json, report.txt, report.html and trace.json.
// docs/REPORTS.md describes them.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace smpsim::report {

// Where report.html's charts come from: Debian's libjs-chart.js (scripts/setup installs it), inlined into
// the page when it is written, so that the page works offline. SMPSIM_CHART_JS in the environment names
// another copy; without one the page has its tables and says that the charts are missing.
std::string chart_js_path();

// Before the run: DIR is created when it does not exist (its parent must); InputError (one line) when it
// is not a directory or cannot be written, so that a bad DIR costs no simulation.
void prepare_report_dir(const std::string& dir);

// The self-contained HTML page of a report document; `chart_js`: the chart library's source (may be
// empty: no charts).
std::string report_html(const nlohmann::json& doc, const std::string& chart_js);

// Writes report.json, report.txt and report.html into DIR, and trace.json (`trace`, RunRecorder::trace_text)
// when it is not empty. InputError when a file cannot be written.
void write_report_dir(const std::string& dir, const nlohmann::json& doc, const std::string& trace = {});

// Reads DIR/report.json back (InputError for a DIR without one, or a file that is not a report).
nlohmann::json read_report_dir(const std::string& dir);

} // namespace smpsim::report
