// The per-line statistics table: one record per line wherever it is looked up from (the direct index
// for RAM pages, the map for the rest), records that stay put as the table grows, and counters that
// reset() zeroes without dropping them.
#include "sim/cache_mesi/line_stats.h"

#include <gtest/gtest.h>

#include <vector>

namespace smpsim::cache_mesi {
namespace {

TEST(LineStatsTable, EachLineHasOneRecordWhereverItIsLookedUpFrom) {
    LineStatsTable table(2);
    // Low RAM, a page far up (the index grows to it), an address past the indexed pages (map only),
    // and two addresses inside one line.
    const std::vector<u64> lines = {0x1000, 0x1040, 0x7fff'ffc0, u64{1} << 40, 0x2008};
    std::vector<LineStats*> records;
    for (u64 a : lines) {
        LineStats& ls = table.line(a);
        EXPECT_EQ(ls.paddr, a & ~kLineMask);
        EXPECT_EQ(ls.cpu.size(), 2u);
        ++ls.cpu[1].loads;
        records.push_back(&ls);
    }
    EXPECT_EQ(&table.line(0x2030), records[4]) << "same line, same record";
    ++table.line(0x2030).cpu[1].loads;
    // Many more lines: the records already handed out do not move.
    for (u64 a = 0x10'0000; a < 0x10'0000 + 5000 * kLineSize; a += kLineSize)
        table.line(a);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(&table.line(lines[i]), records[i]) << std::hex << lines[i];
        EXPECT_EQ(table.find(lines[i]), records[i]);
    }
    EXPECT_EQ(table.find(0x2000)->cpu[1].loads, 2u);
    EXPECT_EQ(table.size(), 5u + 5000u); // 0x2008 and 0x2030 share a line
    EXPECT_EQ(table.find(0x3000), nullptr);

    table.reset();
    EXPECT_EQ(&table.line(0x1000), records[0]);
    EXPECT_EQ(table.line(0x1000).cpu[1].loads, 0u);
}

} // namespace
} // namespace smpsim::cache_mesi
