// The store buffer: forwarding with partial overlaps, and which entry commits next under each model.
#include "sim/cpu/store_buffer.h"

#include "sim/core/error.h"

#include <gtest/gtest.h>

#include <set>

namespace smpsim::cpu {
namespace {

auto owns(std::set<u64> lines) {
    return [lines](u64 line) { return lines.count(line) != 0; };
}

TEST(StoreBuffer, LoadOfABufferedStoreIsForwarded) {
    StoreBuffer sb;
    sb.push(0x1000, 4, 0x11223344);
    u64 v = 0xdeadbeef;
    EXPECT_TRUE(sb.forward(0x1000, 4, v));
    EXPECT_EQ(v, 0x11223344u);
}

TEST(StoreBuffer, LoadThatDoesNotOverlapKeepsTheCacheValue) {
    StoreBuffer sb;
    sb.push(0x1000, 4, 0x11223344);
    u64 v = 0xaabbccdd;
    EXPECT_FALSE(sb.forward(0x1004, 4, v));
    EXPECT_EQ(v, 0xaabbccddu);
    EXPECT_FALSE(sb.overlaps(0x1004, 4));
}

TEST(StoreBuffer, PartialOverlapMergesBufferedBytesOverCacheBytes) {
    StoreBuffer sb;
    sb.push(0x1002, 2, 0xbeef); // bytes 2..3
    u64 v = 0x8877665544332211ull;
    EXPECT_TRUE(sb.forward(0x1000, 8, v));
    EXPECT_EQ(v, 0x88776655beef2211ull);
    // A load that covers only the second stored byte sees that byte alone.
    u64 w = 0x00;
    EXPECT_TRUE(sb.forward(0x1003, 1, w));
    EXPECT_EQ(w, 0xbeu);
}

TEST(StoreBuffer, YoungestStoreToAByteWins) {
    StoreBuffer sb;
    sb.push(0x1000, 8, 0x1111111111111111ull);
    sb.push(0x1004, 1, 0x22);
    sb.push(0x1000, 2, 0x3333);
    u64 v = 0;
    sb.forward(0x1000, 8, v);
    EXPECT_EQ(v, 0x1111112211113333ull);
}

TEST(StoreBuffer, TsoCommitsOldestFirstEvenWhenAYoungerLineIsOwned) {
    StoreBuffer sb(8, MemoryModel::Tso);
    sb.push(0x1000, 4, 1); // line 0x1000: not owned
    sb.push(0x2000, 4, 2); // line 0x2000: owned
    EXPECT_EQ(sb.committable(owns({0x2000})), 0u);
    EXPECT_EQ(sb.take(0).paddr, 0x1000u);
    EXPECT_EQ(sb.committable(owns({})), 0u);
    EXPECT_EQ(sb.take(0).paddr, 0x2000u);
    EXPECT_FALSE(sb.committable(owns({})).has_value());
}

TEST(StoreBuffer, WeakLetsAStoreToAnOwnedLineOvertakeOneWaitingForOwnership) {
    StoreBuffer sb(8, MemoryModel::Weak);
    sb.push(0x1000, 4, 1); // waits for ownership
    sb.push(0x2000, 4, 2); // line owned: may commit first
    EXPECT_EQ(sb.committable(owns({0x2000})), 1u);
}

TEST(StoreBuffer, WeakCommitsTheOldestWhenItsLineIsOwned) {
    StoreBuffer sb(8, MemoryModel::Weak);
    sb.push(0x1000, 4, 1);
    sb.push(0x2000, 4, 2);
    EXPECT_EQ(sb.committable(owns({0x1000, 0x2000})), 0u);
}

TEST(StoreBuffer, WeakSfenceKeepsLaterStoresBehindEarlierOnes) {
    StoreBuffer sb(8, MemoryModel::Weak);
    sb.push(0x1000, 4, 1);
    sb.fence(); // smp_wmb()
    sb.push(0x2000, 4, 2);
    EXPECT_EQ(sb.committable(owns({0x2000})), 0u) << "the store after SFENCE must wait";
}

TEST(StoreBuffer, WeakNeverReordersStoresToTheSameLine) {
    StoreBuffer sb(8, MemoryModel::Weak);
    sb.push(0x1000, 4, 1);
    sb.push(0x2000, 4, 2); // not owned
    sb.push(0x1008, 4, 3); // same line as the oldest: must stay behind it even though... line not owned
    sb.push(0x3000, 4, 4); // owned
    EXPECT_EQ(sb.committable(owns({0x3000})), 3u);
    // Now say line 0x1000 became owned: the oldest entry itself commits first, never the third.
    EXPECT_EQ(sb.committable(owns({0x1000, 0x3000})), 0u);
}

TEST(StoreBuffer, WeakSameLineYoungerStoreWaitsEvenIfItsLineIsOwned) {
    StoreBuffer sb(8, MemoryModel::Weak);
    sb.push(0x2000, 4, 1); // not owned
    sb.push(0x1000, 4, 2); // not owned
    sb.push(0x1004, 4, 3); // owned line 0x1000? The older store to 0x1000 must go first.
    EXPECT_EQ(sb.committable(owns({0x1000})), 1u)
        << "the older store of line 0x1000 overtakes, not the younger";
}

TEST(StoreBuffer, FullAtCapacityAndTakeRemovesTheEntry) {
    StoreBuffer sb(2);
    sb.push(0x10, 1, 1);
    EXPECT_FALSE(sb.full());
    sb.push(0x20, 1, 2);
    EXPECT_TRUE(sb.full());
    const StoreBuffer::Entry e = sb.take(1);
    EXPECT_EQ(e.paddr, 0x20u);
    EXPECT_EQ(e.value, 2u);
    EXPECT_EQ(sb.size(), 1u);
    EXPECT_LT(sb.entries()[0].seq, e.seq) << "sequence numbers follow program order";
}

TEST(StoreBuffer, BadGeometryIsAnInternalError) {
    EXPECT_THROW(StoreBuffer(0), InternalError);
    EXPECT_THROW(StoreBuffer(4, MemoryModel::Tso, 48), InternalError);
}

TEST(StoreBuffer, LoadsPassingStoresAreRecordedOncePerInstructionAndBounded) {
    StoreBuffer sb;
    sb.push(0x1000, 8, 1, 0x500);
    sb.push(0x2000, 8, 2, 0x510);
    sb.note_load(0x2008, 0x600, 7); // passes the store to 0x1000, not the one to its own line
    sb.note_load(0x2010, 0x600, 9); // the same instruction and line again: already recorded
    const auto& e = sb.entries();
    ASSERT_EQ(e[0].passed_count, 1u);
    EXPECT_EQ(e[0].passed[0].rip, 0x600u);
    EXPECT_EQ(e[0].passed[0].paddr, 0x2008u);
    EXPECT_EQ(e[0].passed[0].order, 7u) << "the first load's order: the widest window";
    EXPECT_EQ(e[1].passed_count, 0u);
    for (u64 rip = 0x700; rip < 0x700 + 2 * StoreBuffer::Entry::kMaxPassedLoads; ++rip)
        sb.note_load(0x3000, rip, 10);
    EXPECT_EQ(sb.entries()[0].passed_count, StoreBuffer::Entry::kMaxPassedLoads);
    EXPECT_EQ(sb.entries()[1].passed_count, StoreBuffer::Entry::kMaxPassedLoads);
}

} // namespace
} // namespace smpsim::cpu
