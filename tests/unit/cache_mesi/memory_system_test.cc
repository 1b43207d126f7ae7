// Behaviour of the coherent memory system: fabric serialisation, data through transfers and
// write-backs, latencies, the invalidate queue, DMA coherence, per-line statistics, the MemoryPort
// adapters.
#include "sim/cache_mesi/memory_system.h"
#include "sim/cache_mesi/ports.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <vector>

namespace smpsim::cache_mesi {
namespace {

constexpr u64 kX = 0x1000;
constexpr u64 kY = 0x2000;

struct Fixture {
    explicit Fixture(CacheConfig cfg, std::size_t ram_size = 64 * 1024)
        : ram(ram_size, 0), ms(cfg, std::span<u8>(ram)) {}
    std::vector<u8> ram;
    MemorySystem ms;
};

CacheConfig config(u32 cpus, MemoryModel model = MemoryModel::Tso) {
    CacheConfig c;
    c.cpus = cpus;
    c.model = model;
    c.l1_sets = 16;
    c.l1_ways = 2;
    c.llc_sets = 64;
    c.llc_ways = 4;
    return c;
}

u64 ram_u64(const std::vector<u8>& ram, u64 a) {
    u64 v;
    std::memcpy(&v, ram.data() + a, 8);
    return v;
}

// ---- Fabric serialisation

TEST(Fabric, TwoCpusStoringAlternatelyHaveOneOwnerAndSeeEachOthersValues) {
    Fixture f(config(2));
    for (u64 i = 1; i <= 1000; ++i) {
        const u32 w = u32(i % 2), r = 1 - w;
        f.ms.store(w, kX, 8, i, i);
        EXPECT_EQ(f.ms.state_of(w, kX), State::M);
        EXPECT_EQ(f.ms.state_of(r, kX), State::I);
        EXPECT_EQ(f.ms.load(r, kX, 8, i).value, i); // M -> S transfer
        EXPECT_EQ(f.ms.state_of(w, kX), State::S);
        EXPECT_EQ(f.ms.state_of(r, kX), State::S);
    }
    EXPECT_EQ(f.ms.global_order(), 1000u);
    f.ms.flush_all();
    EXPECT_EQ(ram_u64(f.ram, kX), 1000u);
}

TEST(Fabric, InterleavedLockedIncrementsFromFourCpusAreNeverLost) {
    Fixture f(config(4));
    for (u64 i = 0; i < 4000; ++i) {
        const AccessResult r = f.ms.rmw(
            u32(i % 4), kX + 4, 4, [](u64 v) { return v + 1; }, i);
        EXPECT_EQ(r.value, i);
        int owners = 0;
        for (u32 c = 0; c < 4; ++c)
            owners += f.ms.state_of(c, kX) != State::I;
        EXPECT_EQ(owners, 1);
    }
    u32 v = 0;
    f.ms.peek(kX + 4, &v, 4);
    EXPECT_EQ(v, 4000u);
}

TEST(Fabric, StoresToDifferentBytesOfOneLineFromSeveralCpusAllSurvive) {
    Fixture f(config(4));
    for (u32 round = 0; round < 10; ++round)
        for (u32 c = 0; c < 4; ++c)
            f.ms.store(c, kX + c, 1, round * 4 + c, round);
    f.ms.flush_all();
    for (u32 c = 0; c < 4; ++c)
        EXPECT_EQ(f.ram[kX + c], 36 + c);
}

// ---- Data: write-backs and transfers

TEST(Data, EvictingAModifiedLineWritesItBack) {
    Fixture f(config(1));
    f.ms.store(0, kX, 8, 0x1122334455667788, 0);
    EXPECT_EQ(ram_u64(f.ram, kX), 0u); // write-back cache: memory is stale
    const u64 stride = 16 * kLineSize; // same set, 2 ways
    f.ms.load(0, kX + stride, 8, 0);
    f.ms.load(0, kX + 2 * stride, 8, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::I);
    EXPECT_EQ(ram_u64(f.ram, kX), 0x1122334455667788u);
    EXPECT_EQ(f.ms.stats().find(kX)->cpu[0].writebacks, 1u);
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).value, 0x1122334455667788u);
}

TEST(Data, RemoteReadOfModifiedLineForwardsDataAndWritesBack) {
    Fixture f(config(2));
    f.ms.store(0, kX + 8, 8, 42, 0);
    const AccessResult r = f.ms.load(1, kX + 8, 8, 0);
    EXPECT_EQ(r.value, 42u);
    EXPECT_TRUE(r.hitm);
    EXPECT_FALSE(r.hit);
    EXPECT_EQ(r.latency, f.ms.config().cache_to_cache);
    EXPECT_EQ(ram_u64(f.ram, kX + 8), 42u);
    EXPECT_EQ(f.ms.state_of(0, kX), State::S);
    EXPECT_EQ(f.ms.state_of(1, kX), State::S);
    EXPECT_EQ(0, std::memcmp(f.ms.line_data(0, kX), f.ms.line_data(1, kX), 64));
}

TEST(Data, RemoteWriteOfModifiedLineMovesDirtyDataWithoutWriteBack) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 7, 0);
    f.ms.store(1, kX + 8, 8, 9, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::I);
    EXPECT_EQ(f.ms.state_of(1, kX), State::M);
    EXPECT_EQ(ram_u64(f.ram, kX), 0u);
    EXPECT_EQ(f.ms.load(1, kX, 8, 0).value, 7u);
    EXPECT_EQ(f.ms.load(0, kX + 8, 8, 0).value, 9u);
}

TEST(Data, AccessCrossingALineIsSplitAndReassembled) {
    Fixture f(config(2));
    f.ms.store(0, kX + 60, 8, 0x0807060504030201, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::M);
    EXPECT_EQ(f.ms.state_of(0, kX + 64), State::M);
    const AccessResult r = f.ms.load(1, kX + 60, 8, 0);
    EXPECT_EQ(r.value, 0x0807060504030201u);
    EXPECT_EQ(r.latency, 2 * f.ms.config().cache_to_cache);
    const AccessResult x = f.ms.rmw(
        1, kX + 62, 4, [](u64 v) { return v ^ 0xffffffff; }, 0);
    EXPECT_EQ(x.value, 0x06050403u);
    EXPECT_EQ(f.ms.load(0, kX + 62, 4, 0).value, 0xf9fafbfcu);
    EXPECT_EQ(f.ms.stats().find(kX)->cpu[0].write_mask, 0xf000000000000000u);
    EXPECT_EQ(f.ms.stats().find(kX + 64)->cpu[0].write_mask, 0xfu);
}

TEST(Data, BulkReadsAndWritesGoThroughTheCaches) {
    Fixture f(config(2));
    std::vector<u8> in(300), out(300);
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = u8(i + 1);
    EXPECT_TRUE(f.ms.write_bytes(0, kX + 10, in.data(), 300, 0).ok);
    EXPECT_TRUE(f.ms.read_bytes(1, kX + 10, out.data(), 300, 0).ok);
    EXPECT_EQ(in, out);
}

TEST(Data, AccessesBeyondRamFail) {
    Fixture f(config(1), 4096);
    EXPECT_FALSE(f.ms.load(0, 4096, 4, 0).ok);
    EXPECT_FALSE(f.ms.load(0, 4094, 4, 0).ok);
    EXPECT_FALSE(f.ms.store(0, 1u << 30, 1, 0, 0).ok);
    EXPECT_FALSE(f.ms.load(0, 0, 9, 0).ok);
    EXPECT_TRUE(f.ms.load(0, 4088, 8, 0).ok);
}

TEST(Data, PeekAndPokeSeeAndUpdateEveryCopyWithoutStateChange) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 5, 0);
    f.ms.load(1, kY, 8, 0);
    u64 v = 0;
    f.ms.peek(kX, &v, 8);
    EXPECT_EQ(v, 5u);
    const u64 w = 77;
    f.ms.poke(kY, &w, 8);
    EXPECT_EQ(f.ms.state_of(1, kY), State::E);
    EXPECT_EQ(f.ms.load(1, kY, 8, 0).value, 77u);
    EXPECT_EQ(ram_u64(f.ram, kY), 77u);
}

// ---- Latencies and states

TEST(Timing, LatenciesFollowWhereTheLineCameFrom) {
    Fixture f(config(2));
    const CacheConfig& c = f.ms.config();
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).latency, c.dram);
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).latency, c.l1_hit);
    EXPECT_EQ(f.ms.load(1, kX, 8, 0).latency, c.llc_hit); // clean in CPU 0: memory (LLC) supplies
    EXPECT_EQ(f.ms.store(1, kX, 8, 1, 0).latency, c.upgrade);
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).latency, c.cache_to_cache);
}

TEST(Timing, WithoutLlcEveryMemoryFillCostsDram) {
    CacheConfig cfg = config(2);
    cfg.llc_enabled = false;
    Fixture f(cfg);
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).latency, cfg.dram);
    EXPECT_EQ(f.ms.load(1, kX, 8, 0).latency, cfg.dram);
}

TEST(States, StoreToExclusiveLineIsASilentHitAndOwnershipIsReported) {
    Fixture f(config(2));
    f.ms.load(0, kX, 8, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::E);
    EXPECT_TRUE(f.ms.is_owned(0, kX));
    const AccessResult r = f.ms.store(0, kX, 8, 1, 0);
    EXPECT_TRUE(r.hit);
    EXPECT_EQ(r.latency, f.ms.config().l1_hit);
    EXPECT_EQ(f.ms.state_of(0, kX), State::M);
    EXPECT_TRUE(f.ms.is_owned(0, kX));
    f.ms.load(1, kX, 8, 0);
    EXPECT_FALSE(f.ms.is_owned(0, kX));
    EXPECT_FALSE(f.ms.is_owned(1, kY));
}

TEST(States, PrefetchSetsUpSharedOrOwnedLines) {
    Fixture f(config(2));
    f.ms.prefetch(0, kX, false, 0);
    f.ms.prefetch(1, kX, false, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::S);
    f.ms.prefetch(1, kY, true, 0);
    EXPECT_EQ(f.ms.state_of(1, kY), State::M);
}

TEST(States, FlushLineWritesBackAndInvalidatesEverywhere) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 3, 0);
    f.ms.flush_line(kX);
    EXPECT_EQ(f.ms.state_of(0, kX), State::I);
    EXPECT_EQ(ram_u64(f.ram, kX), 3u);
}

// ---- The invalidate queue

// CPU 1 holds x in S; CPU 0 stores x = 1 (CPU 1 acknowledges and queues) then y = 1.
void message_passing_writer(MemorySystem& ms, u64 now) {
    ms.load(1, kX, 8, now);
    ms.load(0, kX, 8, now);
    ms.store(0, kX, 8, 1, now);
    ms.store(0, kY, 8, 1, now);
}

TEST(InvalidateQueue, WeakReaderSeesOldValueAfterTheStoreCommittedUntilTheDelayPasses) {
    CacheConfig cfg = config(2, MemoryModel::Weak);
    cfg.invalidate_queue_delay = 100;
    Fixture f(cfg);
    message_passing_writer(f.ms, 1000);
    EXPECT_EQ(f.ms.state_of(1, kX), State::S_Q);
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 1u);
    EXPECT_EQ(f.ms.state_of(0, kX), State::M); // the writer proceeded
    EXPECT_EQ(f.ms.load(1, kY, 8, 1001).value, 1u);
    const AccessResult stale = f.ms.load(1, kX, 8, 1050); // the MP reordering
    EXPECT_EQ(stale.value, 0u);
    EXPECT_TRUE(stale.stale);
    EXPECT_TRUE(stale.hit);
    EXPECT_EQ(f.ms.load(1, kX, 8, 1099).value, 0u);
    const AccessResult fresh = f.ms.load(1, kX, 8, 1100); // deadline 1000 + 100 reached
    EXPECT_EQ(fresh.value, 1u);
    EXPECT_FALSE(fresh.stale);
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 0u);
    const LineStats* x = f.ms.stats().find(kX);
    EXPECT_EQ(x->cpu[1].stale_hits, 2u);
    EXPECT_EQ(x->cpu[1].iq_depth_max, 1u);
    EXPECT_EQ(x->cpu[1].inv_received, 1u);
    EXPECT_EQ(x->cpu[0].inv_sent, 1u);
}

TEST(InvalidateQueue, DrainEndsStaleReadsAtOnce) {
    Fixture f(config(2, MemoryModel::Weak));
    message_passing_writer(f.ms, 0);
    EXPECT_TRUE(f.ms.load(1, kX, 8, 1).stale);
    EXPECT_EQ(f.ms.drain_invalidate_queue(1), 1u); // LFENCE / MFENCE
    const AccessResult r = f.ms.load(1, kX, 8, 2);
    EXPECT_EQ(r.value, 1u);
    EXPECT_FALSE(r.stale);
    EXPECT_EQ(f.ms.drain_invalidate_queue(1), 0u);
}

TEST(InvalidateQueue, TickAppliesDueEntriesWithoutAnAccess) {
    CacheConfig cfg = config(2, MemoryModel::Weak);
    cfg.invalidate_queue_delay = 10;
    Fixture f(cfg);
    message_passing_writer(f.ms, 0);
    f.ms.tick(1, 9);
    EXPECT_EQ(f.ms.state_of(1, kX), State::S_Q);
    f.ms.tick(1, 10);
    EXPECT_EQ(f.ms.state_of(1, kX), State::I);
}

TEST(InvalidateQueue, LockedOperationDrainsTheQueue) {
    Fixture f(config(2, MemoryModel::Weak));
    message_passing_writer(f.ms, 0);
    f.ms.rmw(
        1, kY + 8, 8, [](u64 v) { return v + 1; }, 1);
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 0u);
    EXPECT_EQ(f.ms.load(1, kX, 8, 2).value, 1u);
}

TEST(InvalidateQueue, StoreToAQueuedLineAppliesTheQueueAndFetchesFreshData) {
    Fixture f(config(2, MemoryModel::Weak));
    message_passing_writer(f.ms, 0);
    f.ms.store(1, kX + 8, 8, 5, 1);
    EXPECT_EQ(f.ms.state_of(1, kX), State::M);
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 0u);
    EXPECT_EQ(f.ms.load(1, kX, 8, 2).value, 1u); // CPU 0's value, not the stale 0
    EXPECT_EQ(f.ms.stats().find(kX)->cpu[1].rfos, 1u);
}

TEST(InvalidateQueue, FullQueueAppliesTheOldestEntryFirst) {
    CacheConfig cfg = config(2, MemoryModel::Weak);
    cfg.invalidate_queue_capacity = 2;
    Fixture f(cfg);
    const u64 lines[3] = {0x1000, 0x1040, 0x1080};
    for (u64 l : lines) {
        f.ms.load(0, l, 8, 0);
        f.ms.load(1, l, 8, 0); // both S
    }
    for (u64 l : lines)
        f.ms.store(0, l, 8, 2, 0); // Upgrades: CPU 1 queues three invalidations
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 2u);
    EXPECT_EQ(f.ms.state_of(1, lines[0]), State::I);
    EXPECT_EQ(f.ms.state_of(1, lines[1]), State::S_Q);
    EXPECT_EQ(f.ms.state_of(1, lines[2]), State::S_Q);
}

TEST(InvalidateQueue, TsoNeverServesStaleData) {
    Fixture f(config(2, MemoryModel::Tso));
    message_passing_writer(f.ms, 0);
    EXPECT_EQ(f.ms.state_of(1, kX), State::I);
    EXPECT_EQ(f.ms.invalidate_queue_depth(1), 0u);
    EXPECT_EQ(f.ms.load(1, kY, 8, 1).value, 1u);
    const AccessResult r = f.ms.load(1, kX, 8, 1);
    EXPECT_EQ(r.value, 1u);
    EXPECT_FALSE(r.stale);
}

// ---- DMA

TEST(Dma, DmaWriteInvalidatesCachedCopies) {
    Fixture f(config(3));
    f.ms.load(0, kX, 8, 0);
    f.ms.load(1, kX, 8, 0);
    f.ms.store(2, kX + 64, 8, 9, 0);
    const u64 v[9] = {1, 2, 3, 4, 5, 6, 7, 8, 10};
    f.ms.dma_write(kX, v, sizeof v, 0);
    EXPECT_EQ(f.ms.state_of(0, kX), State::I);
    EXPECT_EQ(f.ms.state_of(1, kX), State::I);
    EXPECT_EQ(f.ms.state_of(2, kX + 64), State::I);
    EXPECT_EQ(f.ms.load(0, kX + 56, 8, 0).value, 8u);
    EXPECT_EQ(f.ms.load(1, kX + 64, 8, 0).value, 10u);
    EXPECT_EQ(f.ms.stats().find(kX)->dma_writes, 1u);
    EXPECT_EQ(f.ms.stats().find(kX)->cpu[1].inv_received, 1u);
}

TEST(Dma, PartialDmaWriteMergesWithModifiedData) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 0x1111, 0);
    const u64 w = 0x2222;
    f.ms.dma_write(kX + 8, &w, 8, 0);
    EXPECT_EQ(f.ms.load(1, kX, 8, 0).value, 0x1111u);
    EXPECT_EQ(f.ms.load(1, kX + 8, 8, 0).value, 0x2222u);
}

TEST(Dma, DmaReadGetsModifiedDataFromTheOwner) {
    Fixture f(config(2));
    f.ms.store(1, kX + 16, 8, 0xabcdef, 0);
    u64 v = 0;
    const AccessResult r = f.ms.dma_read(kX + 16, &v, 8, 0);
    EXPECT_EQ(v, 0xabcdefu);
    EXPECT_TRUE(r.hitm);
    EXPECT_EQ(f.ms.state_of(1, kX), State::E);
    EXPECT_EQ(ram_u64(f.ram, kX + 16), 0xabcdefu);
    EXPECT_EQ(f.ms.stats().find(kX)->cpu[1].writebacks, 1u);
}

TEST(Dma, WeakModelQueuesDmaInvalidationsOfSharedLines) {
    Fixture f(config(2, MemoryModel::Weak));
    f.ms.load(0, kX, 8, 0);
    f.ms.load(1, kX, 8, 0);
    const u64 w = 6;
    f.ms.dma_write(kX, &w, 8, 0);
    EXPECT_EQ(f.ms.load(0, kX, 8, 1).value, 0u); // stale until a barrier (dma_rmb)
    f.ms.drain_invalidate_queue(0);
    EXPECT_EQ(f.ms.load(0, kX, 8, 1).value, 6u);
}

// ---- Statistics

TEST(Stats, ScriptedSequenceCountsHitmRfosUpgradesAndFalseSharing) {
    Fixture f(config(3));
    MemorySystem& ms = f.ms;
    ms.load(0, kX, 4, 0);          // CPU0: miss (GetS, E), bytes 0-3
    ms.load(1, kX + 8, 4, 0);      // CPU1: miss (GetS), CPU0 E->S, bytes 8-11
    ms.store(0, kX, 4, 1, 0);      // CPU0: upgrade, invalidates CPU1
    ms.store(1, kX + 8, 4, 2, 0);  // CPU1: RFO, HITM (CPU0 M), invalidates CPU0
    ms.load(0, kX, 4, 0);          // CPU0: miss, HITM (CPU1 M -> S, write-back by CPU1)
    ms.load(0, kX, 4, 0);          // CPU0: hit
    ms.store(2, kX + 16, 8, 3, 0); // CPU2: RFO, invalidates CPU0 and CPU1 (both S), no HITM
    ms.add_store_buffer_stall(0, kX + 3, 25);

    const LineStats* x = ms.stats().find(kX);
    ASSERT_NE(x, nullptr);
    const CpuLineStats& c0 = x->cpu[0];
    EXPECT_EQ(c0.loads, 3u);
    EXPECT_EQ(c0.stores, 1u);
    EXPECT_EQ(c0.hits, 1u);
    EXPECT_EQ(c0.misses, 3u);
    EXPECT_EQ(c0.rfos, 0u);
    EXPECT_EQ(c0.upgrades, 1u);
    EXPECT_EQ(c0.hitm, 1u);
    EXPECT_EQ(c0.inv_sent, 1u);
    EXPECT_EQ(c0.inv_received, 2u);
    EXPECT_EQ(c0.writebacks, 0u);
    EXPECT_EQ(c0.sb_stall_cycles, 25u);
    EXPECT_EQ(c0.read_mask, 0xfu);
    EXPECT_EQ(c0.write_mask, 0xfu);
    const CpuLineStats& c1 = x->cpu[1];
    EXPECT_EQ(c1.loads, 1u);
    EXPECT_EQ(c1.stores, 1u);
    EXPECT_EQ(c1.misses, 2u);
    EXPECT_EQ(c1.rfos, 1u);
    EXPECT_EQ(c1.hitm, 1u);
    EXPECT_EQ(c1.inv_sent, 1u);
    EXPECT_EQ(c1.inv_received, 2u);
    EXPECT_EQ(c1.writebacks, 1u);
    EXPECT_EQ(c1.read_mask, 0xf00u);
    EXPECT_EQ(c1.write_mask, 0xf00u);
    const CpuLineStats& c2 = x->cpu[2];
    EXPECT_EQ(c2.rfos, 1u);
    EXPECT_EQ(c2.hitm, 0u);
    EXPECT_EQ(c2.inv_sent, 2u);
    EXPECT_EQ(c2.write_mask, 0xff0000u);
    EXPECT_TRUE(x->false_sharing());
    const CpuLineStats t = x->total();
    EXPECT_EQ(t.hitm, 2u);
    EXPECT_EQ(t.inv_sent, t.inv_received);
    EXPECT_EQ(t.hits + t.misses, t.loads + t.stores);
}

TEST(Stats, TrueSharingIsNotReportedAsFalseSharing) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 1, 0);
    f.ms.load(1, kX, 8, 0);
    EXPECT_FALSE(f.ms.stats().find(kX)->false_sharing());
}

TEST(Stats, TopByHitmOrdersTheMostContendedLinesFirst) {
    Fixture f(config(2));
    for (int i = 0; i < 3; ++i) {
        f.ms.store(0, kY, 8, i, 0);
        f.ms.store(1, kY, 8, i, 0);
    }
    f.ms.store(0, kX, 8, 1, 0);
    f.ms.load(1, kX, 8, 0);
    f.ms.load(0, 0x3000, 8, 0);
    const auto top = f.ms.stats().top_by_hitm(2);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(top[0]->paddr, kY);
    EXPECT_EQ(top[1]->paddr, kX);
    EXPECT_EQ(f.ms.stats().lines().size(), 3u);
    EXPECT_EQ(f.ms.stats().cpu_total(1).hitm, 4u);
}

TEST(Stats, JsonFollowsTheDocumentedSchema) {
    Fixture f(config(2));
    f.ms.store(0, kX, 2, 1, 0);
    f.ms.load(1, kX + 4, 1, 0);
    const nlohmann::json j = f.ms.stats_json();
    EXPECT_EQ(j["schema"], "smpsim.cache_mesi.lines/1");
    EXPECT_EQ(j["line_size"], 64);
    EXPECT_EQ(j["cpus"], 2);
    EXPECT_EQ(j["model"], "tso");
    ASSERT_EQ(j["lines"].size(), 1u);
    const nlohmann::json& l = j["lines"][0];
    EXPECT_EQ(l["paddr"], kX);
    EXPECT_EQ(l["paddr_hex"], "0x1000");
    EXPECT_EQ(l["hitm"], 1);
    ASSERT_EQ(l["cpus"].size(), 2u);
    EXPECT_EQ(l["cpus"][0]["cpu"], 0);
    EXPECT_EQ(l["cpus"][0]["write_mask"], "0x0000000000000003");
    EXPECT_EQ(l["cpus"][1]["read_mask"], "0x0000000000000010");
    EXPECT_EQ(l["cpus"][0]["writebacks"], 1);
    f.ms.reset_stats();
    EXPECT_EQ(f.ms.stats_json()["lines"].size(), 0u);
}

TEST(Stats, DisabledStatisticsCountNothing) {
    CacheConfig cfg = config(2);
    cfg.collect_stats = false;
    Fixture f(cfg);
    f.ms.store(0, kX, 8, 1, 0);
    EXPECT_EQ(f.ms.load(1, kX, 8, 0).value, 1u);
    EXPECT_EQ(f.ms.stats().size(), 0u);
}

// ---- MemoryPort adapters

TEST(Ports, CpuPortReadsAndWritesThroughTheCachesWithLatency) {
    Fixture f(config(2));
    u64 clock0 = 0, clock1 = 0;
    CpuPort p0(f.ms, 0, &clock0), p1(f.ms, 1, &clock1);
    const u32 v = 0xdeadbeef;
    MemoryResult w = p0.write(kX, &v, 4, AccessKind::Write);
    EXPECT_TRUE(w.ok);
    EXPECT_EQ(w.latency_cycles, f.ms.config().dram);
    u32 r = 0;
    MemoryResult rr = p1.read(kX, &r, 4, AccessKind::Read);
    EXPECT_EQ(r, 0xdeadbeefu);
    EXPECT_EQ(rr.latency_cycles, f.ms.config().cache_to_cache);
    EXPECT_EQ(p1.read(kX, &r, 4, AccessKind::Fetch).latency_cycles, f.ms.config().l1_hit);
    u64 pte = 0x1003;
    EXPECT_TRUE(p1.write(kY, &pte, 8, AccessKind::PageWalk).ok);
    pte = 0;
    p0.read(kY, &pte, 8, AccessKind::PageWalk);
    EXPECT_EQ(pte, 0x1003u);
    u8 big[100] = {};
    big[99] = 5;
    EXPECT_TRUE(p0.write(0x3000, big, 100, AccessKind::Write).ok);
    u8 back[100] = {};
    EXPECT_TRUE(p1.read(0x3000, back, 100, AccessKind::Read).ok);
    EXPECT_EQ(back[99], 5);
    EXPECT_FALSE(p0.read(1u << 30, &r, 4, AccessKind::Read).ok);
    EXPECT_EQ(p0.direct_page(kX), nullptr);
}

TEST(Ports, CpuPortUsesTheCpuClockForTheInvalidateQueue) {
    CacheConfig cfg = config(2, MemoryModel::Weak);
    cfg.invalidate_queue_delay = 50;
    Fixture f(cfg);
    u64 clock0 = 100, clock1 = 100;
    CpuPort p0(f.ms, 0, &clock0), p1(f.ms, 1, &clock1);
    u64 v = 0;
    p1.read(kX, &v, 8, AccessKind::Read);
    p0.read(kX, &v, 8, AccessKind::Read);
    v = 1;
    p0.write(kX, &v, 8, AccessKind::Write);
    p1.read(kX, &v, 8, AccessKind::Read);
    EXPECT_EQ(v, 0u);
    clock1 = 150;
    p1.read(kX, &v, 8, AccessKind::Read);
    EXPECT_EQ(v, 1u);
}

TEST(Ports, DmaPortIsCoherent) {
    Fixture f(config(2));
    DmaPort dma(f.ms);
    f.ms.store(0, kX, 8, 0x55, 0);
    u64 v = 0;
    EXPECT_TRUE(dma.read(kX, &v, 8, AccessKind::Dma).ok);
    EXPECT_EQ(v, 0x55u);
    v = 0x66;
    EXPECT_TRUE(dma.write(kX, &v, 8, AccessKind::Dma).ok);
    EXPECT_EQ(f.ms.load(0, kX, 8, 0).value, 0x66u);
    EXPECT_FALSE(dma.read(1u << 30, &v, 8, AccessKind::Dma).ok);
}

TEST(Config, RejectsInvalidGeometry) {
    std::vector<u8> ram(4096);
    CacheConfig c;
    c.l1_sets = 3;
    EXPECT_THROW(MemorySystem(c, ram), std::invalid_argument);
    c = CacheConfig{};
    c.l1_ways = 1;
    EXPECT_THROW(MemorySystem(c, ram), std::invalid_argument);
    c = CacheConfig{};
    std::vector<u8> odd(100);
    EXPECT_THROW(MemorySystem(c, odd), std::invalid_argument);
}

TEST(Reorder, WritesAreNumberedAndLinesRememberWhoWroteThemLast) {
    Fixture f(config(2));
    f.ms.store(0, kX, 8, 1, 0);
    const u64 before = f.ms.access_order();
    EXPECT_GT(before, 0u);
    f.ms.store(0, kX, 8, 2, 0);
    EXPECT_FALSE(f.ms.written_by_others_since(0, kX, before)) << "CPU 0's own write";
    EXPECT_TRUE(f.ms.written_by_others_since(1, kX, before)) << "seen from CPU 1";
    f.ms.load(1, kX + 8, 8, 0);
    EXPECT_FALSE(f.ms.written_by_others_since(0, kX, before)) << "CPU 1 only read the line";
    f.ms.store(1, kX + 8, 8, 3, 0);
    EXPECT_TRUE(f.ms.written_by_others_since(0, kX, before));
    EXPECT_FALSE(f.ms.written_by_others_since(0, kX, f.ms.access_order()));
    EXPECT_FALSE(f.ms.written_by_others_since(0, kX + 0x10000, 0)) << "a line nobody touched";
}

// CPUs that run in quanta: a load of CPU 0 at cycle 100 passed a store that commits at cycle 300. A
// write by CPU 1 to the load's line inside [100, 300] makes it a store->load reordering, whether CPU 1
// ran that time before the commit (host order) or after it; writes outside the window, reads, and
// CPU 0's own writes do not.
TEST(Reorder, StoreLoadWindowsCountWritesOfOtherCpusInsideTheirSimulatedTime) {
    const auto pairs = [](MemorySystem& ms) { return ms.stats_json()["reorder"]["pairs"].size(); };
    {
        Fixture f(config(2));
        f.ms.store(1, kX, 8, 1, 150); // CPU 1 ran ahead: its write at cycle 150 came first
        f.ms.add_store_load_window(0, 0x10, kX, 100, 0x20, kX + 0x1000, 300);
        EXPECT_EQ(pairs(f.ms), 1u);
    }
    {
        Fixture f(config(2));
        f.ms.store(1, kX, 8, 1, 50); // before the load
        f.ms.add_store_load_window(0, 0x10, kX, 100, 0x20, kX + 0x1000, 300);
        EXPECT_EQ(pairs(f.ms), 0u);
        f.ms.load(1, kX, 8, 200);     // a read inside the window
        f.ms.store(0, kX, 8, 2, 250); // CPU 0's own write
        f.ms.store(1, kX, 8, 3, 400); // after the commit
        EXPECT_EQ(pairs(f.ms), 0u);
        f.ms.store(1, kX + 8, 8, 4, 280); // CPU 1 runs its quantum after CPU 0's: a write inside
        const nlohmann::json r = f.ms.stats_json()["reorder"]["pairs"];
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0]["first_rip"], 0x10);
        EXPECT_EQ(r[0]["first_paddr"], kX);
        EXPECT_EQ(r[0]["second_paddr"], kX + 0x1000);
        EXPECT_EQ(r[0]["cpus"], nlohmann::json({0}));
        f.ms.store(1, kX, 8, 5, 290); // the window closed when it matched: counted once
        EXPECT_EQ(f.ms.stats_json()["reorder"]["pairs"][0]["count"], 1);
    }
    {
        Fixture f(config(2));
        f.ms.add_store_load_window(0, 0x10, kX, 100, 0x20, kX + 0x1000, 300);
        f.ms.store(1, kX, 8, 1, 300 + CacheConfig{}.reorder_window_slack + 1); // every CPU is past it
        f.ms.store(1, kX, 8, 1, 200); // (cannot happen then; shows the window is gone)
        EXPECT_EQ(pairs(f.ms), 0u);
    }
}

// A store waits in the buffer for its line: 0 cycles when owned, an upgrade from S, a cache-to-cache
// transfer from another L1's M, else the LLC or DRAM; no side effects.
TEST(Reorder, OwnershipLatencyFollowsTheLineStatesWithoutChangingThem) {
    Fixture f(config(2));
    const CacheConfig c{};
    EXPECT_EQ(f.ms.ownership_latency(0, kX), c.dram) << "nowhere";
    f.ms.store(1, kX, 8, 1, 0);
    EXPECT_EQ(f.ms.ownership_latency(0, kX), c.cache_to_cache) << "Modified in CPU 1";
    EXPECT_EQ(f.ms.ownership_latency(1, kX), 0u) << "owned";
    f.ms.load(0, kX, 8, 0);
    EXPECT_EQ(f.ms.ownership_latency(0, kX), c.upgrade) << "Shared";
    EXPECT_EQ(f.ms.state_of(0, kX), State::S);
    EXPECT_EQ(f.ms.ownership_latency(0, ~0ull & ~63ull), 0u) << "not RAM";
}

TEST(Reorder, PairsAreCountedPerInstructionsAndLinesAndSerialized) {
    Fixture f(config(4));
    f.ms.add_reordering(ReorderKind::StoreLoad, 1, 0x100, kX + 8, 0x200, kX + 64);
    f.ms.add_reordering(ReorderKind::StoreLoad, 3, 0x100, kX, 0x200, kX + 72);
    f.ms.add_reordering(ReorderKind::StoreStore, 0, 0x300, kX, 0x310, kX + 64);
    const nlohmann::json r = f.ms.stats_json()["reorder"];
    ASSERT_EQ(r["pairs"].size(), 2u);
    EXPECT_EQ(r["pairs"][0]["kind"], "store_load");
    EXPECT_EQ(r["pairs"][0]["count"], 2);
    EXPECT_EQ(r["pairs"][0]["first_line"], kX);
    EXPECT_EQ(r["pairs"][0]["second_line"], kX + 64);
    EXPECT_EQ(r["pairs"][0]["cpus"], nlohmann::json({1, 3}));
    EXPECT_EQ(r["pairs"][1]["kind"], "store_store");
    f.ms.reset_stats();
    EXPECT_TRUE(f.ms.stats_json()["reorder"]["pairs"].empty());
}

TEST(Reorder, TheTableIsBoundedAndCountsWhatItDrops) {
    ReorderStats stats(2);
    for (u64 rip = 0; rip < 5; ++rip)
        stats.add(ReorderKind::StoreLoad, 0, rip, 0x1000, 0x900, 0x2000);
    stats.add(ReorderKind::StoreLoad, 0, 1, 0x1000, 0x900, 0x2000);
    EXPECT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats.dropped(ReorderKind::StoreLoad), 3u);
    const std::vector<ReorderPair> sorted = stats.sorted();
    EXPECT_EQ(sorted[0].first_rip, 1u) << "most counted first";
    EXPECT_EQ(sorted[0].count, 2u);
}

} // namespace
} // namespace smpsim::cache_mesi
