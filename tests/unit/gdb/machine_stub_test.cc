// The stub against a small booted machine (the bundled guest on 2 CPUs), driven by a raw protocol client
// on a socket: attach at reset, registers and memory, a breakpoint where the AP starts, a watchpoint, a
// step, a monitor command, detach; the guest then ends as it always does.
#include "sim/gdb/machine_debugger.h"
#include "sim/gdb/packet.h"
#include "sim/platform/elf_image.h"
#include "sim/platform/machine.h"
#include "tests/unit/gdb/raw_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <map>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace smpsim::gdb {
namespace {

std::string le_hex(u64 v) {
    return to_hex(std::string(reinterpret_cast<const char*>(&v), 8));
}

TEST(MachineStub, AttachBreakWatchStepDetach) {
    std::ifstream in(SMPSIM_GUEST_ELF, std::ios::binary);
    const std::vector<u8> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const platform::ElfImage elf = platform::ElfImage::parse(bytes, SMPSIM_GUEST_ELF);
    const platform::ElfSymbol* start_secondary = elf.find_symbol("start_secondary");
    const platform::ElfSymbol* jiffies = elf.find_symbol("jiffies");
    ASSERT_TRUE(start_secondary && jiffies);

    platform::MachineConfig config;
    config.kernel = SMPSIM_GUEST_ELF;
    config.cpus = 2;
    std::ostringstream console, log;
    platform::Machine machine("machine", config, console);
    const u64 entry = machine.cpu(0).rip();
    GdbOptions options;
    options.wait = true;
    MachineDebugger debugger(machine, options, log);

    std::vector<std::pair<std::string, std::string>> seen; // (what, reply), checked after the run
    std::thread gdb([&] {
        RawClient c(debugger.port());
        if (!c.ok()) return;
        seen.emplace_back("?", c.ask("?"));
        seen.emplace_back("threads", c.ask("qfThreadInfo"));
        seen.emplace_back("rip", c.ask("p10"));
        seen.emplace_back("code", c.ask(fmt::format("m{:x},1", entry)));
        seen.emplace_back("Z0", c.ask(fmt::format("Z0,{:x},1", start_secondary->value)));
        seen.emplace_back("stop at break", c.ask("c"));
        seen.emplace_back("rip at break", c.ask("p10"));
        seen.emplace_back("z0", c.ask(fmt::format("z0,{:x},1", start_secondary->value)));
        seen.emplace_back("step", c.ask("vCont;s:2;c"));
        seen.emplace_back("rip after step", c.ask("p10"));
        seen.emplace_back("Z2", c.ask(fmt::format("Z2,{:x},8", jiffies->value)));
        seen.emplace_back("stop at watch", c.ask("c"));
        seen.emplace_back("z2", c.ask(fmt::format("z2,{:x},8", jiffies->value)));
        seen.emplace_back("monitor", from_hex(c.ask("qRcmd," + to_hex("cpus"))).value_or("<not hex>"));
        seen.emplace_back("detach", c.ask("D"));
    });
    const platform::RunResult result = machine.run();
    debugger.run_ended(result.exit_status);
    gdb.join();

    EXPECT_EQ(result.exit_status, 1) << result.stop_reason << "\n" << log.str();
    std::map<std::string, std::string> r(seen.begin(), seen.end());
    ASSERT_EQ(seen.size(), 15u) << log.str();
    EXPECT_EQ(r["?"], "T05thread:1;");
    EXPECT_EQ(r["threads"], "m1,2");
    EXPECT_EQ(r["rip"], le_hex(entry));
    EXPECT_EQ(r["code"], "fa"); // _start begins with cli
    EXPECT_EQ(r["Z0"], "OK");
    EXPECT_EQ(r["stop at break"], "T05thread:2;swbreak:;"); // the AP, CPU 1
    EXPECT_EQ(r["rip at break"], le_hex(start_secondary->value));
    EXPECT_EQ(r["step"], "T05thread:2;");
    EXPECT_NE(r["rip after step"], le_hex(start_secondary->value));
    EXPECT_EQ(r["Z2"], "OK");
    EXPECT_EQ(r["stop at watch"].substr(0, 9), "T05thread");
    EXPECT_NE(r["stop at watch"].find(fmt::format("watch:{:x};", jiffies->value)), std::string::npos)
        << r["stop at watch"];
    EXPECT_NE(r["monitor"].find("CPU 1: long-64"), std::string::npos) << r["monitor"];
    EXPECT_EQ(r["detach"], "OK");
    // The console is the one a run without a debugger prints.
    EXPECT_NE(console.str().find("Kernel finished, exit status 0"), std::string::npos);
}

} // namespace
} // namespace smpsim::gdb
