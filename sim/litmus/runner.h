// Runs a litmus test on simulated CPUs: one CPU per thread, each with a store buffer, private MESI L1s
// with invalidate queues (cache_mesi), the chosen memory model, and a seeded scheduler (scheduler.h:
// random walks, PCT and mutations of schedules that found new states) that interleaves the CPUs one
// instruction at a time (a 1-cycle quantum) and commits store-buffer entries at random moments; the initial
// cache state of every location is random too. All iterations reuse one set of CPUs and caches in this
// process.
#pragma once
#include "sim/core/memory_model.h"
#include "sim/cpu/cpu.h"
#include "sim/litmus/assembler.h"
#include "sim/litmus/litmus_test.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace smpsim::litmus {

class RunMonitor; // run_monitor.h

struct RunOptions {
    u64 runs = 1000;
    MemoryModel model = MemoryModel::Tso;
    u64 seed = 1;
    unsigned max_start_skew = 16;   // steps a thread may start late
    unsigned commit_percent = 30;   // mean chance per step that a CPU commits a store-buffer entry
    unsigned pct_percent = 75;      // share of runs scheduled by PCT rather than a random walk
    unsigned pct_max_depth = 0;     // PCT's depth (change points + 1) from 1..this (0: the test's steps)
    unsigned mutation_percent = 75; // share of runs replaying a mutated schedule that found a new state
    u64 invalidate_queue_delay = 8; // in steps of the receiving CPU (weak model)
    u64 max_steps_per_run = 100000; // a run still going then is an error (a looping test)
    bool line_stats = false;        // fill RunResult::line_stats
    RunMonitor* monitor = nullptr;  // a debugger watching the runs (run_monitor.h), or none
};

struct RunResult {
    // Final states (values in LitmusTest::observed order) and how often each was seen.
    std::map<std::vector<u64>, u64> histogram;
    u64 positive = 0; // runs whose final state satisfies the condition's proposition
    u64 negative = 0;
    double seconds = 0;
    u64 instructions = 0;
    u64 store_forwards = 0; // loads served from a store buffer
    u64 stale_hits = 0;     // loads that hit a line whose invalidation was still queued
    // Which mechanism reordered: stale_hits come from invalidate queues, reordered_commits from store
    // buffers committing a store before an older one (both weak-model only).
    u64 reordered_commits = 0;
    nlohmann::json line_stats; // the caches' per-line statistics over all runs (RunOptions::line_stats)
};

// The CPU of litmus thread `thread`: a store buffer under `model` whose commits the scheduler decides
// (no auto-commit), and faults left for the runner to report in one line.
cpu::CpuConfig litmus_cpu_config(unsigned thread, MemoryModel model);

// Runs `test` options.runs times. Throws InputError when the test cannot be assembled or a thread
// faults or does not finish.
RunResult run_litmus(const LitmusTest& test, const RunOptions& options);

// The verdict of a result, as litmus7 words it: whether the condition, as quantified, held (Ok / No).
bool validated(Quantifier quantifier, const RunResult& result);
bool validated(const LitmusTest& test, const RunResult& result);
const char* observation(const RunResult& result); // Never / Sometimes / Always

// The kind litmus7 and herd7 print after the test's name: Allowed (exists), Forbidden (~exists),
// Required (forall).
const char* litmus7_kind(Quantifier q);

// The states seen so far as litmus7's histogram shows them (`monitor litmus`), and the condition's counts.
std::string states_so_far(const RunResult& result,
                          const std::function<std::string(const std::vector<u64>&)>& format,
                          const std::function<bool(const std::vector<u64>&)>& witness);

// The litmus7-format log of one test: Test, Histogram, Ok/No, Witnesses, Condition, Observation, Time.
std::string litmus7_log(const LitmusTest& test, const RunResult& result);

} // namespace smpsim::litmus
