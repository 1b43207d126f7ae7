// What the litmus runner shows a debugger (run_monitor.h): each test's CPUs and code, a notice per run,
// `monitor litmus`'s text, an end on request; and a run watched by a monitor gives the same results.
#include "sim/cpu/cpu.h"
#include "sim/litmus/parser.h"
#include "sim/litmus/run_monitor.h"
#include "sim/litmus/runner.h"
#include "tests/unit/litmus/sample_tests.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace smpsim::litmus {
namespace {

using samples::kSb;

// Records what the runner showed; ends the command at run `end_at_run` (1-based) if asked.
class RecordingMonitor final : public RunMonitor {
  public:
    u64 end_at_run = 0;
    unsigned started = 0, ended = 0;
    u64 runs = 0;
    size_t cpus = 0;
    std::vector<u64> code_addresses, first_rips;
    std::string status_at_second_run;
    const LitmusMachine* machine = nullptr;

    void test_started(const LitmusMachine& m) override {
        ++started;
        machine = &m;
        cpus = m.cpus.size();
        code_addresses = m.code_addresses;
    }
    void test_ended() override {
        ++ended;
        machine = nullptr;
    }
    void run_started() override {
        ++runs;
        // Every CPU is at the start of its thread's code when a run begins.
        if (runs == 1)
            for (cpu::Cpu* c : machine->cpus)
                first_rips.push_back(c->rip());
        if (runs == 2) status_at_second_run = machine->status();
    }
    bool run_ended_by_debugger() const override { return end_at_run && runs >= end_at_run; }
    std::string end_reason() const override { return "killed by the debugger"; }
};

RunOptions options(u64 runs) {
    RunOptions o;
    o.runs = runs;
    o.seed = 7;
    return o;
}

TEST(LitmusRunMonitor, ShowsTheCpusTheCodeAndEachRun) {
    RecordingMonitor monitor;
    RunOptions o = options(50);
    o.monitor = &monitor;
    run_litmus(parse_litmus(kSb, "sb.litmus"), o);
    EXPECT_EQ(monitor.started, 1u);
    EXPECT_EQ(monitor.ended, 1u);
    EXPECT_EQ(monitor.runs, 50u);
    EXPECT_EQ(monitor.cpus, 2u);
    ASSERT_EQ(monitor.code_addresses.size(), 2u);
    EXPECT_EQ(monitor.first_rips, monitor.code_addresses);
    const std::string& s = monitor.status_at_second_run;
    EXPECT_NE(s.find("test SB (sb.litmus), x86, model tso, seed 7\n"), std::string::npos) << s;
    EXPECT_NE(s.find("run 2 of 50, step 0 of it; scheduled by "), std::string::npos) << s;
    EXPECT_NE(s.find(fmt::format("P1 (CPU 1, GDB thread 2): ")), std::string::npos) << s;
    EXPECT_NE(s.find(fmt::format("  {:#x}  MOV EAX,[x]", monitor.code_addresses[1] + 11)), std::string::npos)
        << s;
    EXPECT_NE(s.find("variables: x 0x100000 y 0x100040\n"), std::string::npos) << s;
    EXPECT_NE(s.find("condition: exists (0:EAX=0 /\\ 1:EAX=0)\n"), std::string::npos) << s;
    // One run is over: one state, with its count.
    EXPECT_NE(s.find("states so far (1):\n  1       "), std::string::npos) << s;
}

TEST(LitmusRunMonitor, AWatchedRunGivesTheResultsOfAnUnwatchedOne) {
    const LitmusTest test = parse_litmus(kSb, "sb.litmus");
    const RunResult plain = run_litmus(test, options(2000));
    RecordingMonitor monitor;
    RunOptions o = options(2000);
    o.monitor = &monitor;
    const RunResult watched = run_litmus(test, o);
    EXPECT_EQ(watched.histogram, plain.histogram);
    EXPECT_EQ(watched.positive, plain.positive);
    EXPECT_EQ(watched.instructions, plain.instructions);
    EXPECT_EQ(watched.store_forwards, plain.store_forwards);
}

TEST(LitmusRunMonitor, TheDebuggerEndsTheCommand) {
    RecordingMonitor monitor;
    monitor.end_at_run = 3;
    RunOptions o = options(100);
    o.monitor = &monitor;
    EXPECT_THROW(
        {
            try {
                run_litmus(parse_litmus(kSb, "sb.litmus"), o);
            } catch (const DebuggerEndedRun& e) {
                EXPECT_STREQ(e.what(), "killed by the debugger");
                throw;
            }
        },
        DebuggerEndedRun);
    EXPECT_EQ(monitor.runs, 3u);
    EXPECT_EQ(monitor.ended, 1u); // the test ended for the monitor too
}

} // namespace
} // namespace smpsim::litmus
