// The report of one run (`--report DIR` on boot, replay and litmus): a plain model assembled at the end
// of the run from what the run already has (per-CPU statistics, the cache line statistics named by guest
// symbols, the interrupts a recorder saw, the NIC's counters and the guest's conntrack view, litmus
// results), written as report.json (schema "smpsim-report/1", docs/report.schema.json) and rendered as
// text from that JSON, so that `smpsim report DIR [SECTION]` prints a saved report exactly as the run
// did. docs/REPORTS.md describes every key.
//
// Nothing here depends on host time: the same seed, config and inputs give a byte-identical report.
#pragma once
#include "sim/core/types.h"
#include "sim/report/c2c.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::report {

inline constexpr const char* kReportSchema = "smpsim-report/1";

struct RunInfo {
    std::string command; // boot | replay | litmus
    std::string kernel;  // the guest ELF (empty for litmus)
    std::string cmdline;
    std::string mode; // functional | tso | weak
    u32 cpus = 0;
    u64 seed = 0;
    double cpu_mhz = 0;
    int exit_status = 0;
    std::string stop_reason;
    u64 instructions = 0;
    u64 cycles = 0; // of the CPU that ran most
    double sim_seconds = 0;
};

// One CPU's counters over the whole run.
struct CpuTiming {
    u32 cpu = 0;
    u64 instructions = 0;
    u64 cycles = 0;
    u64 idle_cycles = 0;      // HLT and wait-for-SIPI
    u64 interrupt_cycles = 0; // inside handlers of external interrupts (entry to IRET), when recorded
    u64 softirq_cycles = 0;   // inside the guest's __do_softirq() (marked; also on an interrupt's exit)
    u64 interrupts = 0;
    u64 exceptions = 0;
    u64 store_buffer_forwards = 0;
    u64 store_buffer_full_stalls = 0;
    u64 store_buffer_reordered = 0;
};

// External interrupts taken, per CPU and vector, and the cycles spent in their handlers.
struct InterruptCount {
    u32 cpu = 0;
    u32 vector = 0;
    u64 count = 0;
    u64 cycles = 0;
};

struct LitmusState {
    std::string state; // litmus7's "0:EAX=1; 1:EAX=0;"
    u64 count = 0;
    bool witness = false; // satisfies the condition's proposition
};

struct LitmusTestReport {
    std::string name;
    std::string file;
    std::string kind; // Allowed | Forbidden | Required (the test's quantifier, as litmus7 prints it)
    std::string condition;
    bool validated = false; // litmus7's Ok
    std::string observation;
    u64 positive = 0;
    u64 negative = 0;
    std::vector<LitmusState> histogram;
    u64 instructions = 0;
    u64 store_forwards = 0;
    u64 stale_hits = 0;
    u64 reordered_commits = 0;
};

struct LitmusSection {
    std::string model;
    u64 runs = 0;
    u64 seed = 0;
    std::vector<LitmusTestReport> tests;
};

// Reorderings attributed to instructions (kernel runs in the timing mode; docs/REPORTS.md
// "Reordering"), one row per pair of instructions and the lines they accessed.
struct ReorderRow {
    Symbolization first_code;  // the load (tso, stale reads) or the store that committed early (weak)
    Symbolization first_data;  // the line it accessed
    Symbolization second_code; // the older store it passed (not for stale reads)
    Symbolization second_data;
    u64 count = 0;
    std::vector<u32> cpus;
};

struct ReorderTable {
    u64 total = 0;                // over every pair, listed or not
    u64 unlisted = 0;             // the count of the pairs beyond the top rows (and of any the run dropped)
    std::vector<ReorderRow> rows; // most first
};

struct ReorderAttribution {
    ReorderTable tso;               // observable store->load reorderings: smp_mb()
    ReorderTable stale_reads;       // loads served from a line with a queued invalidation: smp_rmb()
    ReorderTable reordered_commits; // stores committed ahead of older stores: smp_wmb()
};

struct Report {
    RunInfo run;
    std::vector<CpuTiming> cpus;
    std::vector<InterruptCount> interrupts; // sorted by CPU, then vector
    bool interrupts_recorded = false;
    std::optional<C2cReport> c2c; // timing mode with line statistics
    // The lines most read stale (loads served from a line whose invalidation was still queued: weak).
    std::vector<C2cLine> stale_lines;
    std::optional<ReorderAttribution> reorder; // kernel runs in the timing mode
    nlohmann::json replay;                     // the replay summary object (NIC counters), null otherwise
    nlohmann::json conntrack;                  // the guest's conntrack view, null otherwise
    nlohmann::json packets; // per-packet latency of a replay (PacketTimeline::json()), null otherwise
    std::optional<LitmusSection> litmus;
};

// The section names `smpsim report DIR SECTION` takes, in report.txt's order.
const std::vector<std::string>& report_sections();

// Fills report.c2c and report.stale_lines from the line statistics.
void add_line_statistics(Report& report, const C2cInput& lines, const Symbolizer& symbols,
                         std::size_t top = 10);

// Fills report.reorder from the run's line statistics JSON (MemorySystem::stats_json(): its "reorder"
// pairs and the stale reads of its lines' code addresses), `top` rows per table.
void add_reorder_statistics(Report& report, const nlohmann::json& line_stats, const Symbolizer& symbols,
                            std::size_t top = 50);

nlohmann::json report_json(const Report& report);

// Checks that `doc` is a report this smpsim reads (the schema string and the keys the text needs);
// InputError naming `origin` otherwise.
void check_report_json(const nlohmann::json& doc, const std::string& origin);

// The text of one section (one of report_sections()), or of every section when `section` is empty.
std::string report_text(const nlohmann::json& doc, std::string_view section = {});

} // namespace smpsim::report
