// The stub on the litmus runners' CPUs (`smpsim litmus --gdb`), driven by a raw protocol client: held
// before the first instruction, one thread per litmus thread, a breakpoint in P1's code, its pending
// store under tso, `monitor litmus`, no interrupt controllers, detach; the results are those of a run
// without a debugger. A kill ends the command.
#include "sim/gdb/packet.h"
#include "sim/litmus/litmus_debugger.h"
#include "sim/litmus/parser.h"
#include "sim/litmus/runner.h"
#include "tests/unit/gdb/raw_client.h"
#include "tests/unit/litmus/sample_tests.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

namespace smpsim::gdb {
namespace {

using litmus::samples::kSb;

constexpr u64 kP1Load = 0x1100b; // P1's second instruction (litmus runner's layout)

std::string monitor(RawClient& c, const std::string& command) {
    return from_hex(c.ask("qRcmd," + to_hex(command))).value_or("<not hex>");
}

litmus::RunOptions sb_options() {
    litmus::RunOptions o;
    o.runs = 200;
    o.seed = 3;
    return o;
}

TEST(LitmusStub, AttachBreakInspectDetach) {
    const litmus::LitmusTest test = litmus::parse_litmus(kSb, "sb.litmus");
    const litmus::RunResult plain = litmus::run_litmus(test, sb_options());

    GdbOptions options;
    options.wait = true;
    std::ostringstream log;
    litmus::LitmusDebugger debugger(options, log);
    litmus::RunOptions o = sb_options();
    o.monitor = &debugger;
    std::map<std::string, std::string> r;
    std::thread gdb([&] {
        RawClient c(debugger.port());
        if (!c.ok()) return;
        r["?"] = c.ask("?");
        r["threads"] = c.ask("qfThreadInfo");
        r["extra 2"] = from_hex(c.ask("qThreadExtraInfo,2")).value_or("");
        r["Z0"] = c.ask(fmt::format("Z0,{:x},1", kP1Load));
        r["stop"] = c.ask("c");
        r["rip"] = c.ask("p10");
        r["sb 1"] = monitor(c, "sb 1");
        r["litmus"] = monitor(c, "litmus");
        r["lapic"] = monitor(c, "lapic");
        r["z0"] = c.ask(fmt::format("z0,{:x},1", kP1Load));
        r["detach"] = c.ask("D");
    });
    const litmus::RunResult watched = litmus::run_litmus(test, o);
    debugger.run_ended(0);
    gdb.join();

    EXPECT_EQ(r["?"], "T05thread:1;") << log.str();
    EXPECT_EQ(r["threads"], "m1,2");
    EXPECT_EQ(r["extra 2"], "P1, long-64, running");
    EXPECT_EQ(r["Z0"], "OK");
    EXPECT_EQ(r["stop"], "T05thread:2;swbreak:;");
    EXPECT_EQ(r["rip"], to_hex(std::string("\x0b\x10\x01\0\0\0\0\0", 8)));
    // P1's store to y is still in its store buffer when it is about to load x (tso).
    EXPECT_NE(r["sb 1"].find("CPU 1: 1 of 16 entries\n  paddr 0x100040 size 4 value 0x1"), std::string::npos)
        << r["sb 1"];
    EXPECT_NE(r["litmus"].find("run 1 of 200"), std::string::npos) << r["litmus"];
    EXPECT_EQ(r["lapic"], "no local APIC in a litmus run\n");
    EXPECT_EQ(r["detach"], "OK");
    EXPECT_NE(log.str().find("smpsim: gdb: test SB (sb.litmus), 2 threads on CPUs 0..1; code: P0 at 0x10000, "
                             "P1 at 0x11000"),
              std::string::npos)
        << log.str();
    EXPECT_EQ(watched.histogram, plain.histogram);
    EXPECT_EQ(watched.instructions, plain.instructions);
}

TEST(LitmusStub, KillEndsTheCommand) {
    GdbOptions options;
    options.wait = true;
    std::ostringstream log;
    litmus::LitmusDebugger debugger(options, log);
    litmus::RunOptions o = sb_options();
    o.monitor = &debugger;
    std::thread gdb([&] {
        RawClient c(debugger.port());
        if (!c.ok()) return;
        c.ask("?");
        c.ask("vKill;1");
    });
    EXPECT_THROW(litmus::run_litmus(litmus::parse_litmus(kSb, "sb.litmus"), o), litmus::DebuggerEndedRun);
    gdb.join();
    EXPECT_TRUE(debugger.run_ended_by_debugger());
    EXPECT_EQ(debugger.cpu_count(), 0u); // the test's CPUs are gone, and the stub knows it
}

} // namespace
} // namespace smpsim::gdb
