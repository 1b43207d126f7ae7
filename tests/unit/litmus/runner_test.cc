// The litmus runner end to end: the reorderings each model allows appear, the ones it forbids never do,
// and a seed fixes the result.
#include "sim/core/error.h"
#include "sim/litmus/parser.h"
#include "sim/litmus/runner.h"
#include "tests/unit/litmus/sample_tests.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace smpsim::litmus {
namespace {

using samples::kSb;

const char* kSbMfence = R"(X86 SB+mfences
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MFENCE      | MFENCE      ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\ 1:EAX=0)
)";

const char* kMp = R"(X86 MP
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 MOV [y],$1  | MOV EBX,[x] ;
exists (1:EAX=1 /\ 1:EBX=0)
)";

const char* kMpFenced = R"(X86 MP+sfence+lfence
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 SFENCE      | LFENCE      ;
 MOV [y],$1  | MOV EBX,[x] ;
exists (1:EAX=1 /\ 1:EBX=0)
)";

RunResult run(const char* text, MemoryModel model, u64 runs = 5000, u64 seed = 1) {
    RunOptions o;
    o.model = model;
    o.runs = runs;
    o.seed = seed;
    return run_litmus(parse_litmus(text, "inline.litmus"), o);
}

TEST(LitmusRunner, TsoShowsStoreBufferingThroughStoreToLoadReordering) {
    const RunResult r = run(kSb, MemoryModel::Tso);
    EXPECT_GT(r.positive, 0u);
    EXPECT_EQ(r.positive + r.negative, 5000u);
    EXPECT_STREQ(observation(r), "Sometimes");
}

TEST(LitmusRunner, MfenceForbidsStoreBufferingInBothModels) {
    EXPECT_EQ(run(kSbMfence, MemoryModel::Tso).positive, 0u);
    EXPECT_EQ(run(kSbMfence, MemoryModel::Weak).positive, 0u);
}

TEST(LitmusRunner, TsoNeverReordersMessagePassing) {
    EXPECT_EQ(run(kMp, MemoryModel::Tso).positive, 0u);
}

TEST(LitmusRunner, WeakReordersMessagePassingAndTheFencesRestoreIt) {
    const RunResult weak = run(kMp, MemoryModel::Weak);
    EXPECT_GT(weak.positive, 0u);
    EXPECT_EQ(run(kMpFenced, MemoryModel::Weak).positive, 0u);
}

TEST(LitmusRunner, WeakStaleReadsComeFromTheInvalidateQueue) {
    // With only SFENCE in the writer, the reordering left is a stale line read by the reader.
    const char* mp_sfence = R"(X86 MP+sfence
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 SFENCE      | MOV EBX,[x] ;
 MOV [y],$1  |             ;
exists (1:EAX=1 /\ 1:EBX=0)
)";
    const RunResult r = run(mp_sfence, MemoryModel::Weak);
    EXPECT_GT(r.positive, 0u);
    EXPECT_GT(r.stale_hits, 0u);
    EXPECT_EQ(run(mp_sfence, MemoryModel::Tso).stale_hits, 0u) << "tso applies invalidations on arrival";
}

TEST(LitmusRunner, WeakStoreReorderingComesFromTheStoreBuffer) {
    // With only LFENCE in the reader, the reordering left is the writer's store to y (an owned line)
    // leaving the store buffer before its store to x.
    const char* mp_lfence = R"(X86 MP+lfence
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 MOV [y],$1  | LFENCE      ;
             | MOV EBX,[x] ;
exists (1:EAX=1 /\ 1:EBX=0)
)";
    const RunResult r = run(mp_lfence, MemoryModel::Weak, 20000);
    EXPECT_GT(r.positive, 0u);
    EXPECT_GT(r.reordered_commits, 0u);
    EXPECT_EQ(run(mp_lfence, MemoryModel::Tso).reordered_commits, 0u) << "tso commits in program order";
}

TEST(LitmusRunner, LineStatisticsAreCollectedOnRequest) {
    RunOptions o;
    o.runs = 100;
    o.line_stats = true;
    const RunResult r = run_litmus(parse_litmus(kSb, "inline.litmus"), o);
    ASSERT_TRUE(r.line_stats.contains("lines"));
    EXPECT_FALSE(r.line_stats["lines"].empty());
}

// Six threads: two writers per location, two readers that read both locations twice in opposite orders.
// Many of its states need commits at exact points between the readers' loads.
const char* kTwoWritersTwoReaders = R"(X86 2W2W2R
{ x=0; y=0; }
 P0         | P1         | P2         | P3         | P4          | P5          ;
 MOV [x],$1 | MOV [x],$2 | MOV [y],$1 | MOV [y],$2 | MOV EAX,[x] | MOV EAX,[y] ;
            |            |            |            | MOV EBX,[y] | MOV EBX,[x] ;
            |            |            |            | MOV ECX,[x] | MOV ECX,[y] ;
            |            |            |            | MOV EDX,[y] | MOV EDX,[x] ;
exists (4:EAX=1 /\ 4:EBX=1 /\ 4:ECX=2 /\ 4:EDX=2 /\ 5:EAX=1 /\ 5:EBX=1 /\ 5:ECX=2 /\ 5:EDX=2)
)";

// The final states x86-TSO allows for kTwoWritersTwoReaders, by enumeration: with one store per writer
// and no stores in the readers, an execution is an interleaving of the four stores' commits with the
// readers' loads in program order, and a load reads the last commit to its location before it.
std::set<std::vector<u64>> two_writers_two_readers_allowed() {
    struct Load {
        unsigned reader, index;
        bool x;
    };
    const bool reads_x[2][4] = {{true, false, true, false}, {false, true, false, true}};
    std::set<std::vector<u64>> states;
    std::vector<u64> regs(8, 0);
    u64 x = 0, y = 0;
    // commits: bit c of the four (x=1, x=2, y=1, y=2) done; next[r]: reader r's next load.
    const auto walk = [&](auto& self, unsigned commits, unsigned next0, unsigned next1) -> void {
        if (commits == 15 && next0 == 4 && next1 == 4) {
            states.insert(regs);
            return;
        }
        for (unsigned c = 0; c < 4; ++c) {
            if (commits >> c & 1) continue;
            u64& cell = c < 2 ? x : y;
            const u64 before = cell;
            cell = c % 2 + 1;
            self(self, commits | 1u << c, next0, next1);
            cell = before;
        }
        const unsigned next[2] = {next0, next1};
        for (unsigned r = 0; r < 2; ++r) {
            if (next[r] == 4) continue;
            u64& reg = regs[4 * r + next[r]];
            reg = reads_x[r][next[r]] ? x : y;
            self(self, commits, r == 0 ? next0 + 1 : next0, r == 1 ? next1 + 1 : next1);
            reg = 0;
        }
    };
    walk(walk, 0, 0, 0);
    return states;
}

TEST(LitmusRunner, MutatingSchedulesThatFoundNewStatesFindsMoreStates) {
    const std::set<std::vector<u64>> allowed = two_writers_two_readers_allowed();
    ASSERT_EQ(allowed.size(), 1869u);
    const LitmusTest t = parse_litmus(kTwoWritersTwoReaders, "inline.litmus");
    RunOptions o;
    o.runs = 100000;
    const auto unseen = [&](unsigned mutation_percent) {
        o.mutation_percent = mutation_percent;
        std::size_t seen = 0;
        for (const auto& [state, count] : run_litmus(t, o).histogram) {
            EXPECT_TRUE(allowed.contains(state)) << "a state x86-TSO forbids";
            ++seen;
        }
        return allowed.size() - seen;
    };
    const std::size_t without = unseen(0), with = unseen(75);
    // Measured: 53 unseen without, 31 with.
    EXPECT_LT(3 * with, 2 * without) << "unseen with random walks and PCT alone: " << without
                                     << ", with mutations too: " << with;
}

TEST(LitmusRunner, SameSeedSameHistogramDifferentSeedDifferentRuns) {
    const RunResult a = run(kSb, MemoryModel::Tso, 2000, 7);
    const RunResult b = run(kSb, MemoryModel::Tso, 2000, 7);
    const RunResult c = run(kSb, MemoryModel::Tso, 2000, 8);
    EXPECT_EQ(a.histogram, b.histogram);
    EXPECT_NE(a.histogram, c.histogram);
}

TEST(LitmusRunner, LogHasTheLitmus7Shape) {
    const LitmusTest t = parse_litmus(kSb, "inline.litmus");
    RunOptions o;
    o.runs = 1000;
    const std::string log = litmus7_log(t, run_litmus(t, o));
    EXPECT_NE(log.find("Test SB Allowed\n"), std::string::npos);
    EXPECT_NE(log.find("*>0:EAX=0; 1:EAX=0;\n"), std::string::npos);
    EXPECT_NE(log.find("Observation SB Sometimes "), std::string::npos);
    EXPECT_NE(log.find("Condition exists (0:EAX=0 /\\ 1:EAX=0) is validated\n"), std::string::npos);
}

TEST(LitmusRunner, ALoopingTestIsAnErrorNotAHang) {
    const char* loop = R"(X86 loop
{ x=0; }
 P0          ;
 L0:         ;
 JMP L0      ;
exists (x=1)
)";
    RunOptions o;
    o.runs = 1;
    o.max_steps_per_run = 1000;
    EXPECT_THROW(run_litmus(parse_litmus(loop, "loop.litmus"), o), InputError);
}

// The one-line error of running `code` (one cell per line) as thread P1 of a two-thread test.
std::string fault_of(const std::string& code, const std::string& init = "") {
    const std::string text =
        "X86 F\n{ x=0; " + init + " }\n P0          | P1 ;\n MOV [x],$1  | " + code + " ;\nexists (x=1)\n";
    RunOptions o;
    o.runs = 3;
    try {
        run_litmus(parse_litmus(text, "fault.litmus"), o);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(LitmusRunner, AFaultNamesTheThreadTheExceptionAndTheInstruction) {
    EXPECT_EQ(fault_of("UD2"), "fault.litmus:4: test F: P1 raised #UD invalid opcode at 'UD2' (run 1)");
    EXPECT_EQ(fault_of("INT3"), "fault.litmus:4: test F: P1 raised #BP breakpoint at 'INT3' (run 1)");
    EXPECT_EQ(fault_of("DIV ECX"), "fault.litmus:4: test F: P1 raised #DE divide error at 'DIV ECX' (run 1)");
    // WRMSR to an MSR that does not exist (ECX = 0xdeadbeef) at CPL0.
    EXPECT_EQ(fault_of("WRMSR", "1:ECX=0xdeadbeef;"),
              "fault.litmus:4: test F: P1 raised #GP general protection at 'WRMSR' (run 1)");
    // The CPU has no x87 unit.
    const std::string x87 = fault_of("FLD DWORD PTR [x]");
    EXPECT_NE(x87.find("fault.litmus:4: test F: P1 raised #"), std::string::npos) << x87;
    EXPECT_NE(x87.find(" at 'FLD DWORD PTR [x]' (run 1)"), std::string::npos) << x87;
    // One line: no CPU dump.
    EXPECT_EQ(x87.find('\n'), std::string::npos) << x87;
}

TEST(LitmusRunner, ADataDependentFaultNamesTheRunItHappenedIn) {
    // P1 divides by the value it reads: 0 only when it runs before P0's store. The first such run stops
    // the test; its number is in the message.
    const char* text = R"(X86 D
{ x=0; 1:EAX=7; }
 P0         | P1            ;
 MOV [x],$1 | MOV ECX,[x]   ;
            | DIV ECX       ;
exists (1:EAX=7)
)";
    RunOptions o;
    o.runs = 1000;
    try {
        run_litmus(parse_litmus(text, "d.litmus"), o);
        FAIL() << "no run divided by zero";
    } catch (const InputError& e) {
        EXPECT_NE(
            std::string(e.what()).find("d.litmus:5: test D: P1 raised #DE divide error at 'DIV ECX' (run "),
            std::string::npos)
            << e.what();
    }
}

TEST(LitmusRunner, LogKindFollowsTheQuantifier) {
    RunOptions o;
    o.runs = 10;
    for (auto [q, kind] :
         {std::pair{"exists", "Allowed"}, {"~exists", "Forbidden"}, {"forall", "Required"}}) {
        const std::string text = std::string("X86 K\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\n") + q + " (0:EAX=0)\n";
        const LitmusTest t = parse_litmus(text, "k.litmus");
        const std::string log = litmus7_log(t, run_litmus(t, o));
        EXPECT_EQ(log.substr(0, log.find('\n')), std::string("Test K ") + kind) << log;
    }
}

} // namespace
} // namespace smpsim::litmus
