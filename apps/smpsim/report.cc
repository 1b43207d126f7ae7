// `smpsim report c2c`: the perf-c2c-style table of the most contended cache lines, from the statistics
// file of a timing-mode run (`smpsim boot --model tso --stats FILE`) and the guest ELF's symbols.
#include "apps/smpsim/smpsim.h"
#include "sim/report/c2c.h"
#include "sim/report/symbols.h"

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

} // namespace

Command add_report_command(CLI::App& app, LogOptions& log_options) {
    CLI::App* report_cmd = app.add_subcommand("report", "Reports from the outputs of a run");
    report_cmd->require_subcommand(1);
    auto c2c = std::make_shared<C2cCommandOptions>();
    CLI::App* c2c_cmd = report_cmd->add_subcommand(
        "c2c", "The cache lines contended between CPUs (perf c2c style), with the guest's data symbols: a "
               "text table on stdout, a one-line summary on stderr");
    c2c_cmd
        ->add_option("--stats", c2c->stats, "Line statistics of a run (smpsim boot --model tso --stats FILE)")
        ->required();
    c2c_cmd->add_option("--kernel", c2c->kernel, "Guest ELF whose symbols name the lines")
        ->capture_default_str();
    c2c_cmd->add_option("--json", c2c->json, "Write the report as JSON ({\"c2c\": {...}}) to FILE");
    c2c_cmd->add_option("--top", c2c->top, "Lines in each table")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t(1), std::size_t(1000000)));
    add_log_options(report_cmd, log_options);
    return {report_cmd, [c2c_cmd, c2c]() -> int {
                if (*c2c_cmd) return run_c2c(*c2c);
                return 0;
            }};
}

} // namespace smpsim::app
