// The run report: the model assembled by hand, its JSON and text (rendered from the JSON, section by
// section), the recorder of interrupts and markers with its trace, the HTML page and the report
// directory's files.
#include "sim/cache_mesi/line_stats.h"
#include "sim/cache_mesi/memory_system.h"
#include "sim/core/error.h"
#include "sim/report/report.h"
#include "sim/report/report_files.h"
#include "sim/report/trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace smpsim::report {
namespace {

namespace fs = std::filesystem;

C2cInput sample_lines() {
    cache_mesi::LineStatsTable t(2);
    auto& a = t.line(0x1000); // contended: both CPUs write bytes 0-7
    for (u32 c = 0; c < 2; ++c) {
        a.cpu[c].loads = 10;
        a.cpu[c].stores = 5;
        a.cpu[c].hitm = 4;
        a.cpu[c].inv_received = 4;
        a.cpu[c].read_mask = a.cpu[c].write_mask = 0xff;
    }
    auto& b = t.line(0x2000); // read stale by CPU 1
    b.cpu[0].stores = 3;
    b.cpu[0].write_mask = 0xf;
    b.cpu[1].loads = 9;
    b.cpu[1].stale_hits = 7;
    b.cpu[1].inv_received = 3;
    b.cpu[1].read_mask = 0xf;
    auto& c = t.line(0x3000); // read stale once
    c.cpu[1].loads = 1;
    c.cpu[1].stale_hits = 1;
    c.cpu[1].read_mask = 1;
    nlohmann::json j = t.to_json();
    j["model"] = "weak";
    return parse_line_stats(j, "sample");
}

Report sample_report() {
    Report r;
    r.run = {"boot", "guest.elf", "selftest", "weak", 2, 7, 2000, 1, "guest wrote 0x0 to the exit port",
             1000,   5000,        0.0025};
    r.cpus.push_back({0, 800, 5000, 1000, 300, 120, 3, 0, 11, 2, 1});
    r.cpus.push_back({1, 200, 5000, 4500, 40, 0, 1, 1, 0, 0, 4});
    r.interrupts = {{0, 0x30, 2, 200}, {0, 0xec, 1, 100}, {1, 0xec, 1, 40}};
    r.interrupts_recorded = true;
    add_line_statistics(r, sample_lines(), Symbolizer{});
    return r;
}

TEST(Report, JsonHasEverySection) {
    const nlohmann::json j = report_json(sample_report());
    EXPECT_EQ(j["schema"], "smpsim-report/1");
    for (const char* key : {"run", "timing", "c2c", "reorder", "network", "litmus"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["run"]["mode"], "weak");
    EXPECT_EQ(j["timing"]["cpus"][0]["busy_cycles"], 4000u);
    EXPECT_DOUBLE_EQ(j["timing"]["cpus"][0]["ipc"].get<double>(), 0.2);
    EXPECT_EQ(j["timing"]["cpus"][0]["softirq_cycles"], 120u);
    EXPECT_EQ(j["timing"]["cpus"][1]["softirq_cycles"], 0u);
    EXPECT_EQ(j["timing"]["interrupts"].size(), 3u);
    EXPECT_EQ(j["c2c"]["by_hitm"][0]["paddr"], 0x1000u);
    // The lines read stale, most first.
    ASSERT_EQ(j["reorder"]["stale_lines"].size(), 2u);
    EXPECT_EQ(j["reorder"]["stale_lines"][0]["paddr"], 0x2000u);
    EXPECT_EQ(j["reorder"]["stale_lines"][0]["stale_hits"], 7u);
    EXPECT_EQ(j["reorder"]["stale_lines"][1]["paddr"], 0x3000u);
    EXPECT_EQ(j["reorder"]["totals"]["reordered_commits"], 5u);
    EXPECT_EQ(j["reorder"]["totals"]["stale_hits"], 8u);
    EXPECT_TRUE(j["network"].is_null());
    EXPECT_TRUE(j["litmus"].is_null());
}

TEST(Report, HostTimesStayOutOfTheReport) {
    Report r = sample_report();
    r.replay = {{"pcap", "x.pcap"},
                {"offered", 3},
                {"delivered", 2},
                {"dropped", {{"oversize", 1}}},
                {"dropped_total", 1},
                {"consumed", 2},
                {"cycles_per_packet", 10.0},
                {"instructions_per_packet", 5.0},
                {"sim_ns", 100},
                {"sim_packet_rate", 1.0},
                {"per_queue", {2}},
                {"ring_full_per_queue", {0}},
                {"per_cpu", {2, 0}},
                {"interrupts_signalled", 2},
                {"messages_sent", 2},
                {"lost_interrupts", 0},
                {"host_s", 1.5},
                {"host_packets_per_s", 2.0},
                {"window_host_s", 1.0},
                {"window_packets_per_host_s", 3.0}};
    const nlohmann::json j = report_json(r);
    const nlohmann::json& nic = j["network"]["nic"];
    EXPECT_EQ(nic["delivered"], 2);
    for (const char* key : {"host_s", "host_packets_per_s", "window_host_s", "window_packets_per_host_s"})
        EXPECT_FALSE(nic.contains(key)) << key;
    EXPECT_EQ(j["timing"]["replay"]["delivered"], 2);
    EXPECT_FALSE(j["timing"]["replay"].contains("host_s"));
    const std::string text = report_text(j, "network");
    EXPECT_NE(text.find("3 offered, 2 delivered, 1 dropped"), std::string::npos) << text;
    EXPECT_NE(text.find("oversize 1"), std::string::npos) << text;
}

TEST(Report, TextIsTheSectionsInOrder) {
    const nlohmann::json j = report_json(sample_report());
    std::string sections;
    for (const std::string& s : report_sections())
        sections += report_text(j, s);
    EXPECT_EQ(report_text(j), sections);
    EXPECT_EQ(report_text(j, "c2c"), c2c_text_from_json(j["c2c"]) + "\n");
    const std::string timing = report_text(j, "timing");
    EXPECT_NE(timing.find("Timing: where the cycles went"), std::string::npos);
    EXPECT_NE(timing.find("  0xec    1          1             40           40"), std::string::npos) << timing;
    EXPECT_NE(timing.find("  80.0%   20.0%    6.0%     2.4%  0.200"), std::string::npos) << timing; // CPU 0
    const std::string reorder = report_text(j, "reorder");
    EXPECT_NE(reorder.find("Commits ahead of older stores           : 5  (smp_wmb() would order these)"),
              std::string::npos)
        << reorder;
    EXPECT_NE(reorder.find("    0  0x2000                      7  0x2000"), std::string::npos) << reorder;
    EXPECT_THROW(report_text(j, "nonsense"), InputError);
}

// The c2c text of a report is the same whether it comes from the model or from its JSON.
TEST(Report, C2cTextFromJsonMatchesTheModel) {
    const C2cReport c2c = build_c2c(sample_lines(), Symbolizer{});
    EXPECT_EQ(c2c_text(c2c), c2c_text_from_json(c2c_json(c2c)));
    EXPECT_NE(c2c_text(c2c).find("Shared Data Cache Line Table (by HITM)"), std::string::npos);
}

TEST(Report, LitmusSection) {
    Report r;
    r.run.command = "litmus";
    r.run.mode = "weak";
    LitmusSection l{"weak", 100, 1, {}};
    LitmusTestReport t;
    t.name = "MP";
    t.kind = "Allowed";
    t.condition = "exists (1:EAX=1 /\\ 1:EBX=0)";
    t.validated = true;
    t.observation = "Sometimes";
    t.positive = 4;
    t.negative = 96;
    t.histogram = {{"1:EAX=0; 1:EBX=0;", 96, false}, {"1:EAX=1; 1:EBX=0;", 4, true}};
    t.stale_hits = 3;
    t.reordered_commits = 2;
    l.tests.push_back(t);
    r.litmus = l;
    const nlohmann::json j = report_json(r);
    EXPECT_EQ(j["litmus"]["tests"][0]["states"][1]["witness"], true);
    EXPECT_EQ(j["litmus"]["tests"][0]["mechanism"], "invalidate queue: 3 stale loads (smp_rmb() would order "
                                                    "them); store buffer: 2 commits overtook older "
                                                    "stores (smp_wmb() would order them)");
    EXPECT_EQ(j["reorder"]["totals"]["stale_hits"], 3u);
    const std::string text = report_text(j, "litmus");
    EXPECT_NE(text.find("  MP Allowed: Ok (Sometimes), exists (1:EAX=1 /\\ 1:EBX=0)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("         4 *> 1:EAX=1; 1:EBX=0;"), std::string::npos) << text;
    EXPECT_NE(report_text(j, "reorder").find("    MP: invalidate queue: 3 stale loads"), std::string::npos);
}

TEST(Report, CheckRejectsWhatIsNotAReport) {
    const nlohmann::json good = report_json(sample_report());
    EXPECT_NO_THROW(check_report_json(good, "r.json"));
    EXPECT_THROW(check_report_json(nlohmann::json::array(), "r.json"), InputError);
    nlohmann::json other = good;
    other["schema"] = "smpsim-report/2";
    EXPECT_THROW(check_report_json(other, "r.json"), InputError);
    nlohmann::json missing = good;
    missing.erase("reorder");
    EXPECT_THROW(check_report_json(missing, "r.json"), InputError);
    nlohmann::json malformed = good;
    malformed["timing"]["cpus"][0]["cycles"] = "many";
    try {
        check_report_json(malformed, "r.json");
        FAIL() << "a malformed report passed";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("r.json: malformed report"), std::string::npos) << e.what();
    }
}

// The cache model reads each CPU's code address when an access misses or reads stale, and the c2c
// report names the instructions per line, over the CPUs that ran them, most HITM first.
TEST(C2cCode, InstructionsBehindTheMissesOfALine) {
    std::vector<u8> ram(1 << 16);
    cache_mesi::CacheConfig config;
    config.cpus = 2;
    cache_mesi::MemorySystem memory(config, ram);
    u64 rip[2] = {0x401000, 0x402000};
    memory.set_code_address_source(0, &rip[0]);
    memory.set_code_address_source(1, &rip[1]);
    u64 now = 0;
    for (int i = 0; i < 3; ++i) {
        memory.store(0, 0x1000, 8, u64(i), now += 100); // RFO (then HITM, the line is M in CPU1)
        rip[1] = 0x402000;
        memory.load(1, 0x1000, 8, now += 100); // HITM: the line is M in CPU0
        rip[1] = 0x402010;
        memory.store(1, 0x1008, 8, u64(i), now += 100); // upgrade
    }
    rip[0] = 0x401100;
    memory.load(0, 0x1000, 8, now += 100); // HITM: the line is M in CPU1
    memory.load(0, 0x1000, 8, now += 100); // a hit: not attributed
    nlohmann::json j = memory.stats().to_json();
    j["model"] = "tso";
    const C2cInput in = parse_line_stats(j, "memory");
    EXPECT_TRUE(in.code_addresses);
    const C2cReport r = build_c2c(in, Symbolizer{});
    ASSERT_EQ(r.by_hitm.size(), 1u);
    const std::vector<C2cCode>& code = r.by_hitm[0].code;
    ASSERT_EQ(code.size(), 4u);
    // CPU1's load: a HITM each round; CPU0's store: an RFO each round, HITM from the second on; CPU0's
    // last load a HITM, its hit after it nothing; CPU1's store an upgrade each round.
    EXPECT_EQ(code[0].symbol.address, 0x402000u);
    EXPECT_EQ(code[0].hitm, 3u);
    EXPECT_EQ(code[0].cpus, (std::vector<u32>{1}));
    EXPECT_EQ(code[1].symbol.address, 0x401000u);
    EXPECT_EQ(code[1].rfos, 3u);
    EXPECT_EQ(code[1].hitm, 2u);
    EXPECT_EQ(code[1].cpus, (std::vector<u32>{0}));
    EXPECT_EQ(code[2].symbol.address, 0x401100u);
    EXPECT_EQ(code[2].misses, 1u);
    EXPECT_EQ(code[2].hitm, 1u);
    EXPECT_EQ(code[3].symbol.address, 0x402010u);
    EXPECT_EQ(code[3].upgrades, 3u);
    const nlohmann::json line = c2c_json(r)["by_hitm"][0];
    EXPECT_EQ(line["code"][0]["rip_hex"], "0x402000");
    EXPECT_EQ(line["code"][0]["symbol"], "0x402000");
    EXPECT_EQ(line["code"][0]["misses"], 3u);
    EXPECT_NE(c2c_text(r).find("      3        3        0        0        0  1        0x402000"),
              std::string::npos)
        << c2c_text(r);
    // Without sources nothing is recorded.
    cache_mesi::MemorySystem plain(config, ram);
    plain.store(0, 0x1000, 8, 1, 100);
    EXPECT_FALSE(plain.stats().to_json()["lines"][0].contains("code"));
}

TEST(RunRecorder, CountsExternalInterruptsAndTheirCycles) {
    RunRecorder rec(2, 1000); // 1000 MHz: one cycle is 1 ns
    rec.interrupt_entry(0, 0x30, true, 1000);
    rec.interrupt_entry(0, 14, false, 1100); // a page fault inside the handler: not an interrupt
    rec.interrupt_return(0, 1150);
    rec.interrupt_return(0, 1300);
    rec.interrupt_entry(1, 0xec, true, 2000);
    rec.interrupt_return(1, 2040);
    rec.interrupt_return(1, 2100);            // an IRET without an entry is ignored
    rec.interrupt_entry(1, 0xec, true, 3000); // still running at the end: counted, no cycles
    rec.interrupt_entry(7, 0x30, true, 1);    // no such CPU
    const std::vector<InterruptCount> counts = rec.interrupt_counts();
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(counts[0].cpu, 0u);
    EXPECT_EQ(counts[0].vector, 0x30u);
    EXPECT_EQ(counts[0].count, 1u);
    EXPECT_EQ(counts[0].cycles, 300u);
    EXPECT_EQ(counts[1].cpu, 1u);
    EXPECT_EQ(counts[1].count, 2u);
    EXPECT_EQ(counts[1].cycles, 40u);
    EXPECT_EQ(rec.interrupt_cycles(0), 300u);
    EXPECT_EQ(rec.interrupt_cycles(1), 40u);
}

TEST(RunRecorder, TraceHasOneTrackPerCpuInTimeOrder) {
    RunRecorder rec(2, 2000);
    rec.interrupt_entry(1, 0x51, true, 8000);
    rec.interrupt_return(1, 9000);
    rec.marker(1, "NAPI poll done", "{\"frames\":3}", 1000); // earlier than the interrupt: sorted first
    rec.interrupt_entry(0, 0x50, true, 2000);
    rec.interrupt_entry(0, 0xec, true, 2100); // nested
    rec.interrupt_return(0, 2200);
    rec.interrupt_return(0, 4000);
    rec.marker(-1, "net ready", "{\"rx_queues\":2}", 0);
    const nlohmann::json t = rec.trace_json();
    const nlohmann::json& ev = t["traceEvents"];
    std::vector<nlohmann::json> real;
    for (const nlohmann::json& e : ev) {
        for (const char* key : {"ph", "ts", "pid", "tid"})
            ASSERT_TRUE(e.contains(key)) << e;
        if (e["ph"] != "M") real.push_back(e);
    }
    ASSERT_EQ(real.size(), 5u);
    // Track 0: the outer handler, then the nested one (same start order), both complete events.
    EXPECT_EQ(real[0]["tid"], 0);
    EXPECT_EQ(real[0]["name"], "irq 0x50");
    EXPECT_DOUBLE_EQ(real[0]["ts"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(real[0]["dur"].get<double>(), 1.0);
    EXPECT_EQ(real[1]["name"], "irq 0xec");
    EXPECT_DOUBLE_EQ(real[1]["ts"].get<double>(), 1.05);
    EXPECT_EQ(real[2]["tid"], 1);
    EXPECT_EQ(real[2]["ph"], "i");
    EXPECT_EQ(real[2]["args"]["frames"], 3);
    EXPECT_EQ(real[3]["name"], "irq 0x51");
    EXPECT_EQ(real[4]["tid"], 2); // the markers' own track
    EXPECT_EQ(t["otherData"]["events_dropped"], 0u);
}

TEST(RunRecorder, CountersRecordChangesOnly) {
    RunRecorder rec(2, 1000);
    const std::size_t sb = rec.add_counter("store buffer cpu1", 1);
    const std::size_t rx = rec.add_counter("rx descriptors free q0", -1);
    for (u64 t = 0; t < 5; ++t)
        rec.sample(sb, t < 3 ? 0 : 2, t * 1000);
    rec.sample(rx, 255, 0);
    rec.sample(99, 1, 0); // no such counter
    std::vector<nlohmann::json> counters;
    const nlohmann::json trace = rec.trace_json();
    for (const nlohmann::json& e : trace["traceEvents"])
        if (e["ph"] == "C") counters.push_back(e);
    ASSERT_EQ(counters.size(), 3u);
    EXPECT_EQ(counters[0]["name"], "store buffer cpu1");
    EXPECT_EQ(counters[0]["tid"], 1);
    EXPECT_EQ(counters[0]["args"]["value"], 0);
    EXPECT_DOUBLE_EQ(counters[1]["ts"].get<double>(), 3.0);
    EXPECT_EQ(counters[1]["args"]["value"], 2);
    EXPECT_EQ(counters[2]["tid"], 2); // the markers' track
    EXPECT_EQ(counters[2]["args"]["value"], 255);
}

TEST(RunRecorder, BoundsTheTrace) {
    RunRecorder rec(1, 1000, 3);
    for (u64 i = 0; i < 10; ++i) {
        rec.interrupt_entry(0, 0x30, true, i * 100);
        rec.interrupt_return(0, i * 100 + 10);
    }
    EXPECT_EQ(rec.events(), 3u);
    EXPECT_TRUE(rec.truncated());
    EXPECT_EQ(rec.interrupt_counts()[0].count, 10u); // the counts go on
    EXPECT_EQ(rec.trace_json()["otherData"]["events_dropped"], 7u);
}

TEST(ReportHtml, SelfContainedAndScriptSafe) {
    Report r = sample_report();
    r.run.stop_reason = "</script><b>bold</b>";
    const nlohmann::json j = report_json(r);
    const std::string html = report_html(j, "window.Chart = undefined; /* </script> inside the library */");
    EXPECT_EQ(html.find("</script><b>"), std::string::npos);
    EXPECT_NE(html.find("<\\/script><b>bold<\\/b>"), std::string::npos);
    EXPECT_NE(html.find("/* <\\/script> inside the library */"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_NE(html.find("id=\"report-data\""), std::string::npos);
    const std::string bare = report_html(j, "");
    EXPECT_NE(bare.find("No charts: the chart library"), std::string::npos);
}

class ReportDir : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("smpsim-report-test-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(ReportDir, WritesAndReadsBack) {
    prepare_report_dir(dir_.string()); // created
    EXPECT_TRUE(fs::is_directory(dir_));
    prepare_report_dir(dir_.string()); // exists: fine
    const nlohmann::json j = report_json(sample_report());
    RunRecorder rec(2, 1000);
    write_report_dir(dir_.string(), j, rec.trace_text());
    for (const char* f : {"report.json", "report.txt", "report.html", "trace.json"})
        EXPECT_TRUE(fs::is_regular_file(dir_ / f)) << f;
    EXPECT_EQ(read_report_dir(dir_.string()), j);
    std::ifstream txt(dir_ / "report.txt");
    std::stringstream text;
    text << txt.rdbuf();
    EXPECT_EQ(text.str(), report_text(j));
    // Not a directory, no parent, no report in it.
    const fs::path file = dir_ / "report.txt";
    EXPECT_THROW(prepare_report_dir(file.string()), InputError);
    EXPECT_THROW(prepare_report_dir((dir_ / "a" / "b").string()), InputError);
    EXPECT_THROW(prepare_report_dir(""), InputError);
    EXPECT_THROW(read_report_dir(file.string()), InputError);
    fs::create_directory(dir_ / "empty");
    EXPECT_THROW(read_report_dir((dir_ / "empty").string()), InputError);
}

// The reorder tables from synthetic line statistics: tso pairs and reordered commits from the memory
// system's pairs, stale reads from the lines' code addresses merged over CPUs, top-N with the rest
// counted, and the advice in JSON and text.
TEST(Reorder, PairsAndStaleReadsBecomeTablesWithAdvice) {
    std::vector<u8> ram(1 << 16);
    cache_mesi::CacheConfig config;
    config.cpus = 4;
    config.model = MemoryModel::Weak;
    cache_mesi::MemorySystem memory(config, ram);
    const u64 rip = 0x4000;
    memory.set_code_address_source(1, &rip);
    memory.set_code_address_source(2, &rip);
    for (int i = 0; i < 3; ++i)
        memory.add_reordering(cache_mesi::ReorderKind::StoreLoad, 1, 0x500, 0x1000, 0x600, 0x2000);
    memory.add_reordering(cache_mesi::ReorderKind::StoreLoad, 2, 0x510, 0x1000, 0x600, 0x2000);
    memory.add_reordering(cache_mesi::ReorderKind::StoreStore, 0, 0x700, 0x3000, 0x710, 0x4000);
    nlohmann::json lines = memory.stats_json();
    // A line read stale at 0x4000 by CPUs 1 and 2 (the statistics' per-CPU code list).
    lines["lines"] = nlohmann::json::array({{{"paddr", 0x2000},
                                             {"code",
                                              {{{"cpu", 1}, {"rip", 0x4000}, {"stale_hits", 5}},
                                               {{"cpu", 2}, {"rip", 0x4000}, {"stale_hits", 2}},
                                               {{"cpu", 2}, {"rip", 0x4100}, {"stale_hits", 0}}}}}});
    Report r = sample_report();
    add_reorder_statistics(r, lines, Symbolizer{}, 1);
    const nlohmann::json j = report_json(r)["reorder"];
    const nlohmann::json& tso = j["tso"];
    EXPECT_EQ(tso["advice"], "smp_mb() would order these");
    EXPECT_EQ(tso["total"], 4);
    EXPECT_EQ(tso["unlisted"], 1) << "top 1: the second pair is only counted";
    ASSERT_EQ(tso["rows"].size(), 1u);
    EXPECT_EQ(tso["rows"][0]["count"], 3);
    EXPECT_EQ(tso["rows"][0]["load"]["rip_hex"], "0x500");
    EXPECT_EQ(tso["rows"][0]["store"]["rip_hex"], "0x600");
    EXPECT_EQ(tso["rows"][0]["load_data"]["paddr_hex"], "0x1000");
    EXPECT_EQ(tso["rows"][0]["store_data"]["paddr_hex"], "0x2000");
    EXPECT_EQ(tso["rows"][0]["cpus"], nlohmann::json({1}));
    const nlohmann::json& stale = j["weak"]["stale_reads"];
    EXPECT_EQ(stale["advice"], "smp_rmb() would order these");
    ASSERT_EQ(stale["rows"].size(), 1u);
    EXPECT_EQ(stale["rows"][0]["count"], 7);
    EXPECT_EQ(stale["rows"][0]["cpus"], nlohmann::json({1, 2}));
    EXPECT_EQ(stale["rows"][0]["load"]["rip_hex"], "0x4000");
    const nlohmann::json& commits = j["weak"]["reordered_commits"];
    EXPECT_EQ(commits["advice"], "smp_wmb() would order these");
    EXPECT_EQ(commits["rows"][0]["older_store"]["rip_hex"], "0x710");
    nlohmann::json doc = report_json(r);
    const std::string text = report_text(doc, "reorder");
    EXPECT_NE(
        text.find("Store->load reorderings other CPUs could observe (tso): 4 (smp_mb() would order these)"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("(1 more not listed)"), std::string::npos);
    EXPECT_NE(text.find("older:"), std::string::npos);
}

TEST(Reorder, RunsWithoutAttributionKeepTheirReorderSection) {
    const nlohmann::json j = report_json(sample_report())["reorder"];
    EXPECT_FALSE(j.contains("tso"));
    EXPECT_FALSE(j.contains("weak"));
}

} // namespace
} // namespace smpsim::report
