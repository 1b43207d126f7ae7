// The c2c report on synthetic line statistics: a LineStatsTable filled by hand, written with its own
// to_json (the file format the report reads), then ranked, flagged and symbolized.
#include "sim/cache_mesi/line_stats.h"
#include "sim/core/error.h"
#include "sim/report/c2c.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>
#include <string>

namespace smpsim::report {
namespace {

using cache_mesi::LineStatsTable;

u64 bytes(u32 first, u32 last) {
    u64 m = 0;
    for (u32 b = first; b <= last; ++b)
        m |= u64{1} << b;
    return m;
}

// Three contended lines and one private line:
//   0x1000  true sharing: every CPU reads and writes bytes 0-7; much HITM
//   0x2000  false sharing: CPU0 writes bytes 0-7, CPU1 bytes 8-15; less HITM
//   0x3000  invalidations without HITM (CPU1 reads, CPU0 writes the same bytes, DMA writes)
//   0x4000  CPU2 alone
LineStatsTable sample_table() {
    LineStatsTable t(4);
    auto& a = t.line(0x1000);
    for (u32 c = 0; c < 4; ++c) {
        a.cpu[c].loads = 100 + c;
        a.cpu[c].stores = 50;
        a.cpu[c].hitm = 20;
        a.cpu[c].rfos = 10;
        a.cpu[c].inv_sent = 15;
        a.cpu[c].inv_received = 15;
        a.cpu[c].read_mask = a.cpu[c].write_mask = bytes(0, 7);
    }
    auto& b = t.line(0x2000);
    b.cpu[0].stores = 40;
    b.cpu[0].hitm = 9;
    b.cpu[0].write_mask = bytes(0, 7);
    b.cpu[1].stores = 40;
    b.cpu[1].hitm = 11;
    b.cpu[1].write_mask = bytes(8, 15);
    b.cpu[1].read_mask = bytes(8, 15);
    b.cpu[0].inv_received = b.cpu[1].inv_received = 30;
    auto& c = t.line(0x3000);
    c.cpu[0].stores = 5;
    c.cpu[0].write_mask = bytes(0, 3);
    c.cpu[1].loads = 5;
    c.cpu[1].read_mask = bytes(0, 3);
    c.cpu[1].inv_received = 200;
    c.dma_writes = 3;
    auto& d = t.line(0x4000);
    d.cpu[2].loads = 1000;
    d.cpu[2].read_mask = bytes(0, 63);
    return t;
}

C2cInput sample_input() {
    nlohmann::json j = sample_table().to_json();
    j["model"] = "tso";
    return parse_line_stats(j, "sample.json");
}

TEST(C2c, ReadsTheLineStatsSchema) {
    const C2cInput in = sample_input();
    EXPECT_EQ(in.model, "tso");
    EXPECT_EQ(in.cpus, 4u);
    ASSERT_EQ(in.lines.size(), 4u);
    EXPECT_EQ(in.lines[0].paddr, 0x1000u);
    ASSERT_EQ(in.lines[0].cpus.size(), 4u);
    EXPECT_EQ(in.lines[0].cpus[3].counters.loads, 103u);
    EXPECT_EQ(in.lines[0].cpus[3].counters.write_mask, bytes(0, 7));
    EXPECT_EQ(in.lines[2].dma_writes, 3u);
    ASSERT_EQ(in.lines[3].cpus.size(), 1u); // only the CPUs that touched the line
    EXPECT_EQ(in.lines[3].cpus[0].cpu, 2u);
}

// The flag follows LineStats::false_sharing() on the same data.
TEST(C2c, FalseSharingAgreesWithLineStats) {
    const LineStatsTable t = sample_table();
    const C2cInput in = sample_input();
    for (const C2cLineStats& l : in.lines)
        EXPECT_EQ(l.false_sharing(), t.find(l.paddr)->false_sharing()) << l.paddr;
    EXPECT_FALSE(in.lines[0].false_sharing());
    EXPECT_TRUE(in.lines[1].false_sharing());
    EXPECT_FALSE(in.lines[2].false_sharing());
    EXPECT_FALSE(in.lines[3].false_sharing()); // one CPU
}

TEST(C2c, RanksByHitmThenInvalidations) {
    const C2cReport r = build_c2c(sample_input(), Symbolizer{});
    ASSERT_EQ(r.by_hitm.size(), 2u); // lines without HITM are not in the HITM table
    EXPECT_EQ(r.by_hitm[0].stats.paddr, 0x1000u);
    EXPECT_EQ(r.by_hitm[0].total.hitm, 80u);
    EXPECT_EQ(r.by_hitm[1].stats.paddr, 0x2000u);
    EXPECT_TRUE(r.by_hitm[1].false_sharing);
    ASSERT_EQ(r.by_invalidations.size(), 3u);
    EXPECT_EQ(r.by_invalidations[0].stats.paddr, 0x3000u);
    EXPECT_EQ(r.by_invalidations[1].stats.paddr, 0x1000u);
    EXPECT_EQ(r.by_invalidations[2].stats.paddr, 0x2000u);
    EXPECT_EQ(r.totals.lines, 4u);
    EXPECT_EQ(r.totals.lines_with_hitm, 2u);
    EXPECT_EQ(r.totals.false_sharing_lines, 1u);
    EXPECT_EQ(r.totals.counters.hitm, 100u);
    EXPECT_EQ(r.totals.dma_writes, 3u);

    const C2cReport top1 = build_c2c(sample_input(), Symbolizer{}, {1});
    ASSERT_EQ(top1.by_hitm.size(), 1u);
    ASSERT_EQ(top1.by_invalidations.size(), 1u);
}

TEST(C2c, FieldsWithoutSymbols) {
    const C2cReport r = build_c2c(sample_input(), Symbolizer{});
    const C2cLine& fs = r.by_hitm[1];
    // No symbols: one field per contiguous run of touched bytes.
    ASSERT_EQ(fs.fields.size(), 1u);
    EXPECT_EQ(fs.fields[0].first_byte, 0u);
    EXPECT_EQ(fs.fields[0].last_byte, 15u);
    EXPECT_EQ(Symbolizer::format_symbol(fs.fields[0].symbol), "0x2000");
    EXPECT_EQ(fs.fields[0].writers, (std::vector<u32>{0, 1}));
    EXPECT_EQ(fs.fields[0].readers, (std::vector<u32>{1}));
}

TEST(C2c, FieldsNamedByGuestSymbols) {
    // A line of the guest's .bss that holds the spinlock torture test's counter and lock: CPU0 writes
    // the counter's bytes, CPU1 the lock's.
    const Symbolizer guest = Symbolizer::load(SMPSIM_GUEST_ELF, SMPSIM_SOURCE_DIR);
    u64 counter = 0, lock = 0;
    for (u64 a = 0x100000; a < 0x200000 && !(counter && lock); ++a) {
        const Symbolization s = guest.symbolize(a);
        if (s.offset == 0 && s.name == "torture_counter") counter = a;
        if (s.offset == 0 && s.name == "torture_lock") lock = a;
    }
    ASSERT_TRUE(counter && lock);
    ASSERT_EQ(counter / 64, lock / 64) << "the test expects both in one line";
    LineStatsTable t(2);
    auto& l = t.line(counter);
    const u32 co = u32(counter % 64), lo = u32(lock % 64);
    l.cpu[0].stores = l.cpu[1].stores = 10;
    l.cpu[0].hitm = l.cpu[1].hitm = 5;
    l.cpu[0].write_mask = bytes(co, co + 7);
    l.cpu[1].write_mask = bytes(lo, lo + 3);
    const C2cReport r = build_c2c(parse_line_stats(t.to_json(), "t.json"), guest);
    ASSERT_EQ(r.by_hitm.size(), 1u);
    const C2cLine& line = r.by_hitm[0];
    EXPECT_TRUE(line.false_sharing);
    ASSERT_EQ(line.fields.size(), 2u);
    EXPECT_EQ(Symbolizer::format_symbol(line.fields[0].symbol), "torture_counter+0x0");
    EXPECT_EQ(line.fields[0].symbol.file, "guest/kernel/test_spinlock.c");
    EXPECT_EQ(line.fields[0].writers, std::vector<u32>{0});
    EXPECT_EQ(Symbolizer::format_symbol(line.fields[1].symbol), "torture_lock+0x0");
    EXPECT_EQ(line.fields[1].writers, std::vector<u32>{1});

    const nlohmann::json j = c2c_json(r);
    EXPECT_EQ(j["schema"], "smpsim.report.c2c/1");
    EXPECT_EQ(j["by_hitm"][0]["false_sharing"], true);
    EXPECT_EQ(j["by_hitm"][0]["fields"][1]["symbol"], "torture_lock+0x0");
    EXPECT_EQ(j["by_hitm"][0]["fields"][1]["writers"], nlohmann::json::array({1}));
    EXPECT_TRUE(j["by_hitm"][0]["fields"][0]["source"].get<std::string>().starts_with(
        "guest/kernel/test_spinlock.c:"));
    const std::string text = c2c_text(r);
    EXPECT_NE(text.find("Shared Data Cache Line Table"), std::string::npos);
    EXPECT_NE(text.find("torture_counter+0x0 (guest/kernel/test_spinlock.c:"), std::string::npos);
    EXPECT_NE(text.find("[false sharing]"), std::string::npos);
}

// A line that starts with padding is named by the first touched byte that has a symbol.
TEST(C2c, LineStartingWithPadding) {
    const Symbolizer guest = Symbolizer::load(SMPSIM_GUEST_ELF, SMPSIM_SOURCE_DIR);
    u64 line = 0;
    u32 at = 0;
    for (u64 l = 0x100000; l < 0x200000 && !line; l += 64)
        if (!guest.symbolize(l).has_symbol)
            for (u32 b = 1; b < 64 && !line; ++b)
                if (guest.symbolize(l + b).has_symbol) {
                    line = l;
                    at = b;
                }
    ASSERT_NE(line, 0u) << "no line of the guest starts with padding";
    LineStatsTable t(2);
    auto& l = t.line(line);
    l.cpu[0].hitm = l.cpu[1].hitm = 1;
    l.cpu[0].write_mask = l.cpu[1].read_mask = u64{1} << at;
    const C2cReport r = build_c2c(parse_line_stats(t.to_json(), "t.json"), guest);
    ASSERT_EQ(r.by_hitm.size(), 1u);
    EXPECT_TRUE(r.by_hitm[0].symbol.has_symbol);
    EXPECT_EQ(r.by_hitm[0].symbol.name, guest.symbolize(line + at).name);
    EXPECT_EQ(r.by_hitm[0].symbol.address, line + at);
}

TEST(C2c, JsonAndTextAreDeterministic) {
    const C2cReport a = build_c2c(sample_input(), Symbolizer{});
    const C2cReport b = build_c2c(sample_input(), Symbolizer{});
    EXPECT_EQ(c2c_json(a).dump(), c2c_json(b).dump());
    EXPECT_EQ(c2c_text(a), c2c_text(b));
    const nlohmann::json j = c2c_json(a);
    EXPECT_EQ(j["by_hitm"][0]["paddr_hex"], "0x1000");
    EXPECT_EQ(j["by_hitm"][0]["symbol"], "0x1000");
    EXPECT_TRUE(j["by_hitm"][0]["source"].is_null());
    EXPECT_EQ(j["by_hitm"][0]["cpus"][0]["write_bytes"], "0-7");
    EXPECT_EQ(j["by_invalidations"][0]["invalidations"], 200);
    EXPECT_EQ(j["code_addresses"], false); // the sample records no code addresses
    EXPECT_TRUE(j["by_hitm"][0]["code"].empty());
    EXPECT_EQ(j["totals"]["false_sharing_lines"], 1);
}

TEST(C2c, ByteRanges) {
    EXPECT_EQ(byte_ranges(0), "");
    EXPECT_EQ(byte_ranges(1), "0");
    EXPECT_EQ(byte_ranges(bytes(0, 3) | bytes(8, 8) | bytes(10, 11)), "0-3,8,10-11");
    EXPECT_EQ(byte_ranges(~u64{0}), "0-63");
}

void expect_bad(const nlohmann::json& j, const std::string& needle) {
    try {
        parse_line_stats(j, "bad.json");
        ADD_FAILURE() << "accepted: " << j.dump();
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_TRUE(what.starts_with("bad.json: ")) << what;
        EXPECT_NE(what.find(needle), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

TEST(C2c, RefusesOtherDocuments) {
    expect_bad(nlohmann::json::array(), "not a line statistics file");
    expect_bad(nlohmann::json{{"schema", "smpsim-summary/1"}}, "not a line statistics file");
    nlohmann::json good = sample_table().to_json();
    nlohmann::json j = good;
    j["lines"][0]["cpus"][0]["write_mask"] = "0xzz";
    expect_bad(j, "lines[0].cpus[0]: \"write_mask\"");
    j = good;
    j["lines"][1]["cpus"][0]["cpu"] = 9;
    expect_bad(j, "lines[1].cpus[0]: cpu 9");
    j = good;
    j["lines"][2].erase("paddr");
    expect_bad(j, "lines[2]: missing \"paddr\"");
    j = good;
    j["lines"][0]["paddr"] = 0x1001;
    expect_bad(j, "not the start of a 64-byte line");
    j = good;
    j["lines"][0]["cpus"][1]["hitm"] = -1;
    expect_bad(j, "lines[0].cpus[1]: \"hitm\" is not a whole number");
    j = good;
    j["line_size"] = 128;
    expect_bad(j, "line_size 128");
}

} // namespace
} // namespace smpsim::report
