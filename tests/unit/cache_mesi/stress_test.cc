// A randomized stress test of the protocol in the spirit of gem5's Ruby random tester: random loads,
// stores, locked read-modify-writes, barriers, DMA reads/writes and flushes from 4-8 CPUs on a few
// heavily shared lines of a tiny cache (so evictions are frequent), checked against a shadow memory.
//
// Ops are numbered 0, 1, 2, ... in the order they are issued (the fabric's global order); "point p" is
// the memory state just before op p. Every store writes a value never written before, so a value
// identifies the store that wrote it. Time is one global clock, non-decreasing from op to op, passed as
// `now` for every CPU. The invariants checked after every op:
//
//   tso  every load, rmw and DMA read returns the value current at its own point (the latest
//        globally ordered value);
//   weak rmw and DMA reads return the latest value; a load by CPU c at point p returns a value that was
//        current at some point q with floor(c, p) <= q <= p, where
//          floor(c, p) = max(d + 1, j)
//          d = the last op at which c drained its invalidate queue (explicit drain or rmw), and
//          j = the first op whose time is > now(p) - invalidate_queue_delay
//        (a stale copy was invalidated by a write at some op w whose queue entry is still pending, so
//        w > d and now(w) + delay > now(p); the copy holds the values current at point w);
//   both per-location coherence: a CPU never reads a value older than one it has already read or
//        written at that address; single writer / multiple readers among S/E/M copies of the line
//        touched, and every S or E copy equals memory; at the end, after flush_all, memory holds the
//        latest value of every address.
#include "sim/cache_mesi/memory_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace smpsim::cache_mesi {
namespace {

struct StressCase {
    MemoryModel model;
    u32 cpus;
    u64 seed;
};

class Stress : public testing::TestWithParam<StressCase> {};

constexpr u32 kLines = 6;
constexpr u32 kSlots = 8; // u64 words per line
constexpr u64 kBase = 0x4000;
constexpr u64 kLineStride = 0x400; // 16 lines apart: all lines map onto the same two sets of the L1
constexpr u32 kOps = 100000;

u64 addr_of(u32 i) {
    return kBase + (i / kSlots) * kLineStride + (i % kSlots) * 8;
}

TEST_P(Stress, EveryLoadReturnsAValueTheModelAllows) {
    const StressCase p = GetParam();
    CacheConfig cfg;
    cfg.cpus = p.cpus;
    cfg.model = p.model;
    cfg.l1_sets = 2;
    cfg.l1_ways = 2;
    cfg.llc_sets = 4;
    cfg.llc_ways = 2;
    cfg.invalidate_queue_delay = 20;
    cfg.invalidate_queue_capacity = 3;
    std::vector<u8> ram(64 * 1024, 0);
    MemorySystem ms(cfg, ram);

    const u32 naddr = kLines * kSlots;
    struct Write {
        i64 op; // -1: initial value
        u64 value;
    };
    std::vector<std::vector<Write>> history(naddr, std::vector<Write>{{-1, 0}});
    std::vector<std::unordered_map<u64, std::size_t>> index_of(naddr, {{0, 0}});
    std::vector<std::vector<std::size_t>> last_seen(p.cpus, std::vector<std::size_t>(naddr, 0));
    std::vector<i64> last_drain(p.cpus, -1);
    std::vector<u64> times;
    times.reserve(kOps);

    std::mt19937_64 rng(p.seed);
    u64 now = 0, next_value = 1;
    u64 stale_loads = 0, loads = 0;

    auto record_write = [&](u32 a, i64 op, u64 value) {
        index_of[a][value] = history[a].size();
        history[a].push_back({op, value});
    };
    auto check_line = [&](u64 line) {
        int owners = 0, sharers = 0;
        for (u32 c = 0; c < p.cpus; ++c) {
            const State s = ms.state_of(c, line);
            owners += s == State::M || s == State::E;
            sharers += s == State::S;
            if (s == State::S || s == State::E) {
                ASSERT_EQ(0, std::memcmp(ms.line_data(c, line), ram.data() + line, kLineSize))
                    << "clean copy";
            }
        }
        ASSERT_LE(owners, 1);
        if (owners) {
            ASSERT_EQ(sharers, 0);
        }
    };

    for (u32 op = 0; op < kOps; ++op) {
        now += rng() % 4;
        times.push_back(now);
        const u32 cpu = u32(rng() % p.cpus);
        const u32 a = u32(rng() % naddr);
        const u64 addr = addr_of(a);
        const u32 kind = u32(rng() % 100);
        SCOPED_TRACE("op " + std::to_string(op) + " cpu " + std::to_string(cpu) + " addr " +
                     std::to_string(addr));
        if (kind < 45) { // load
            const AccessResult r = ms.load(cpu, addr, 8, now);
            ASSERT_TRUE(r.ok);
            ++loads;
            stale_loads += r.stale;
            const auto it = index_of[a].find(r.value);
            ASSERT_NE(it, index_of[a].end()) << "a value never written there: " << r.value;
            const std::size_t idx = it->second;
            const bool latest = idx + 1 == history[a].size();
            if (p.model == MemoryModel::Tso) {
                ASSERT_TRUE(latest) << "tso load returned an old value";
                ASSERT_FALSE(r.stale);
            } else if (!latest) {
                const i64 overwritten_at = history[a][idx + 1].op; // current at points <= overwritten_at
                const u64 threshold =
                    now >= cfg.invalidate_queue_delay ? now - cfg.invalidate_queue_delay : 0;
                const i64 j = std::upper_bound(times.begin(), times.end(), threshold) - times.begin();
                const i64 floor = std::max(last_drain[cpu] + 1, j);
                ASSERT_GE(overwritten_at, floor) << "weak load returned a value older than its floor";
                ASSERT_TRUE(r.stale) << "an old value must come from a queued invalidation";
            }
            ASSERT_GE(idx, last_seen[cpu][a]) << "per-location coherence";
            last_seen[cpu][a] = idx;
        } else if (kind < 80) { // store commit
            const u64 v = next_value++;
            ASSERT_TRUE(ms.store(cpu, addr, 8, v, now).ok);
            record_write(a, op, v);
            last_seen[cpu][a] = history[a].size() - 1;
        } else if (kind < 88) { // locked exchange
            const u64 v = next_value++;
            const AccessResult r = ms.rmw(
                cpu, addr, 8, [v](u64) { return v; }, now);
            ASSERT_EQ(r.value, history[a].back().value) << "rmw must see the latest value";
            record_write(a, op, v);
            last_seen[cpu][a] = history[a].size() - 1;
            last_drain[cpu] = op;
        } else if (kind < 93) { // barrier
            ms.drain_invalidate_queue(cpu);
            last_drain[cpu] = op;
        } else if (kind < 96) { // DMA write
            const u64 v = next_value++;
            ASSERT_TRUE(ms.dma_write(addr, &v, 8, now).ok);
            record_write(a, op, v);
        } else if (kind < 99) { // DMA read
            u64 v = 0;
            ASSERT_TRUE(ms.dma_read(addr, &v, 8, now).ok);
            ASSERT_EQ(v, history[a].back().value);
        } else {
            ms.flush_line(addr);
        }
        check_line(addr & ~kLineMask);
        if (HasFatalFailure()) return;
    }

    ms.flush_all();
    for (u32 a = 0; a < naddr; ++a) {
        u64 v;
        std::memcpy(&v, ram.data() + addr_of(a), 8);
        EXPECT_EQ(v, history[a].back().value) << "address " << addr_of(a);
    }
    if (p.model == MemoryModel::Weak) {
        EXPECT_GT(stale_loads, 0u) << "the test should exercise stale reads";
    }
    const CpuLineStats t = [&] {
        CpuLineStats s;
        for (u32 c = 0; c < p.cpus; ++c)
            s += ms.stats().cpu_total(c);
        return s;
    }();
    EXPECT_EQ(t.hits + t.misses, t.loads + t.stores);
    EXPECT_LE(t.inv_sent, t.inv_received); // DMA writes invalidate too, sent by no CPU
    RecordProperty("stale_loads", std::to_string(stale_loads));
    RecordProperty("loads", std::to_string(loads));
}

std::string case_name(const testing::TestParamInfo<StressCase>& info) {
    return std::string(to_string(info.param.model)) + "_" + std::to_string(info.param.cpus) + "cpus_seed" +
           std::to_string(info.param.seed);
}

INSTANTIATE_TEST_SUITE_P(RandomTester, Stress,
                         testing::Values(StressCase{MemoryModel::Tso, 4, 1},
                                         StressCase{MemoryModel::Tso, 8, 2},
                                         StressCase{MemoryModel::Weak, 4, 3},
                                         StressCase{MemoryModel::Weak, 8, 4}),
                         case_name);

} // namespace
} // namespace smpsim::cache_mesi
