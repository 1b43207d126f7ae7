// The CPU with a store buffer in front of a port that is not plain RAM: stores wait in the buffer,
// loads forward from it, a full buffer stalls and says so, MFENCE and locked instructions drain it.
#include "sim/cpu/cpu.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace smpsim::cpu {
namespace {

// Memory reached only through read/write (no direct pages), recording what the CPU reports.
class CountingMemory final : public MemoryPort {
  public:
    std::vector<u8> bytes = std::vector<u8>(1 << 20);
    std::vector<u64> stalls;
    int drains = 0;
    MemoryResult read(u64 pa, void* dst, u32 size, AccessKind) override {
        std::memcpy(dst, bytes.data() + pa, size);
        return {true, 10};
    }
    MemoryResult write(u64 pa, const void* src, u32 size, AccessKind) override {
        std::memcpy(bytes.data() + pa, src, size);
        return {true, 10};
    }
    void drain_invalidations() override { ++drains; }
    void note_store_buffer_stall(u64 paddr, u32 cycles) override { stalls.push_back(paddr); }
    // Reorder attribution: a counter per access, and whether "another CPU" wrote a line since.
    u64 order = 0;
    bool others_wrote = true;
    struct Reordering {
        u64 first_rip, first_paddr, second_rip, second_paddr;
    };
    std::vector<Reordering> store_load;
    u64 access_order() override { return ++order; }
    bool written_by_others_since(u64, u64) override { return others_wrote; }
    void note_store_load_reordering(u64 load_rip, u64 load_paddr, u64 store_rip, u64 store_paddr) override {
        store_load.push_back({load_rip, load_paddr, store_rip, store_paddr});
    }
    // The background drain: every line is `ownership` cycles away; windows handed on for later writes.
    u32 ownership = 0;
    u32 ownership_latency(u64) override { return ownership; }
    struct Window {
        u64 load_rip, load_paddr, load_cycle, store_rip, store_paddr;
    };
    std::vector<Window> windows;
    void note_store_load_window(u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                                u64 store_paddr) override {
        windows.push_back({load_rip, load_paddr, load_cycle, store_rip, store_paddr});
    }
    u32 get32(u64 a) const {
        u32 v;
        std::memcpy(&v, bytes.data() + a, 4);
        return v;
    }
};

class NoIo final : public IoPortSpace {
  public:
    u32 in(u16, u32) override { return ~0u; }
    void out(u16, u32, u32) override {}
};

struct StoreBufferCpu : ::testing::Test {
    CountingMemory mem;
    NoIo io;
    std::unique_ptr<Cpu> cpu;
    void start(std::initializer_list<u8> code, unsigned entries = 2, bool auto_commit = false) {
        CpuConfig c;
        c.store_buffer = true;
        c.store_buffer_entries = entries;
        c.auto_commit = auto_commit;
        cpu = std::make_unique<Cpu>(mem, io, c);
        std::memcpy(mem.bytes.data() + 0x8000, code.begin(), code.size());
        cpu->enter_flat_mode(64);
        cpu->set_rip(0x8000);
        cpu->set_gpr(RAX, 0x11111111);
    }
};

TEST_F(StoreBufferCpu, StoresWaitInTheBufferAndLoadsForwardFromIt) {
    start({
        0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // mov [0x1000],eax
        0x8b, 0x1c, 0x25, 0x00, 0x10, 0x00, 0x00, // mov ebx,[0x1000]
        0xf4,                                     // hlt
    });
    cpu->run(2);
    EXPECT_EQ(cpu->store_buffer_size(), 1u);
    EXPECT_EQ(mem.get32(0x1000), 0u) << "the store has not reached memory";
    EXPECT_EQ(cpu->gpr(RBX), 0x11111111u) << "but the CPU's own load sees it";
    EXPECT_EQ(cpu->stats().store_buffer_forwards, 1u);
    EXPECT_TRUE(cpu->commit_store());
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u);
}

TEST_F(StoreBufferCpu, AFullBufferStallsAndReportsTheStoreAddress) {
    start({
        0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // mov [0x1000],eax
        0x89, 0x04, 0x25, 0x40, 0x10, 0x00, 0x00, // mov [0x1040],eax
        0x89, 0x04, 0x25, 0x80, 0x10, 0x00, 0x00, // mov [0x1080],eax   (buffer of 2 is full)
        0xf4,
    });
    cpu->run(3);
    EXPECT_EQ(cpu->stats().store_buffer_full_stalls, 1u);
    ASSERT_EQ(mem.stalls.size(), 1u);
    EXPECT_EQ(mem.stalls[0], 0x1080u);
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u) << "the oldest store committed to make room";
    EXPECT_EQ(cpu->store_buffer_size(), 2u);
}

TEST_F(StoreBufferCpu, MfenceDrainsTheBufferAndTheInvalidateQueue) {
    start({
        0x89,
        0x04,
        0x25,
        0x00,
        0x10,
        0x00,
        0x00, // mov [0x1000],eax
        0x0f,
        0xae,
        0xf0, // mfence
        0xf4,
    });
    cpu->run(2);
    EXPECT_EQ(cpu->store_buffer_size(), 0u);
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u);
    EXPECT_EQ(mem.drains, 1);
}

TEST_F(StoreBufferCpu, LockedInstructionsDrainFirstAndWriteThrough) {
    start({
        0x89,
        0x04,
        0x25,
        0x00,
        0x10,
        0x00,
        0x00, // mov [0x1000],eax
        0xf0,
        0x83,
        0x04,
        0x25,
        0x40,
        0x10,
        0x00,
        0x00,
        0x01, // lock add dword [0x1040],1
        0xf4,
    });
    cpu->run(2);
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u) << "drained before the locked instruction";
    EXPECT_EQ(mem.get32(0x1040), 1u) << "the locked store went straight to memory";
    EXPECT_EQ(cpu->store_buffer_size(), 0u);
}

TEST_F(StoreBufferCpu, LfenceAppliesInvalidationsButLeavesStoresBuffered) {
    start({
        0x89,
        0x04,
        0x25,
        0x00,
        0x10,
        0x00,
        0x00, // mov [0x1000],eax
        0x0f,
        0xae,
        0xe8, // lfence
        0xf4,
    });
    cpu->run(2);
    EXPECT_EQ(mem.drains, 1);
    EXPECT_EQ(cpu->store_buffer_size(), 1u);
}

// A load that passes an older buffered store to another line is a store->load reordering, counted at
// the store's commit with both instructions and addresses when another CPU touched either line.
TEST_F(StoreBufferCpu, ALoadPassingAnOlderStoreIsReportedAtTheCommit) {
    start({
        0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // 8000: mov [0x1000],eax
        0x8b, 0x1c, 0x25, 0x00, 0x20, 0x00, 0x00, // 8007: mov ebx,[0x2000]   (passes the store)
        0x8b, 0x0c, 0x25, 0x04, 0x10, 0x00, 0x00, // 800e: mov ecx,[0x1004]   (same line: not a reordering)
        0x8b, 0x1c, 0x25, 0x00, 0x20, 0x00, 0x00, // 8015: mov ebx,[0x2000]   (another instruction: counted)
        0xf4,                                     // hlt
    });
    cpu->run(4);
    EXPECT_TRUE(mem.store_load.empty()) << "nothing is known before the store commits";
    EXPECT_TRUE(cpu->commit_store());
    ASSERT_EQ(mem.store_load.size(), 2u);
    EXPECT_EQ(mem.store_load[0].first_rip, 0x8007u);
    EXPECT_EQ(mem.store_load[0].first_paddr, 0x2000u);
    EXPECT_EQ(mem.store_load[0].second_rip, 0x8000u);
    EXPECT_EQ(mem.store_load[0].second_paddr, 0x1000u);
    EXPECT_EQ(mem.store_load[1].first_rip, 0x8015u);
}

TEST_F(StoreBufferCpu, AReorderingNoOtherCpuCouldObserveIsNotReported) {
    start({
        0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // mov [0x1000],eax
        0x8b, 0x1c, 0x25, 0x00, 0x20, 0x00, 0x00, // mov ebx,[0x2000]
        0xf4,                                     // hlt
    });
    mem.others_wrote = false;
    cpu->run(2);
    EXPECT_TRUE(cpu->commit_store());
    EXPECT_TRUE(mem.store_load.empty());
}

// A CPU that commits on its own: a store to a line it does not own waits in the buffer for the
// read-for-ownership's latency while the CPU runs on, loads pass it meanwhile, and the CPU does not pay
// the latency. At the commit, the load's window goes to the memory system (writes by other CPUs that run
// later in host order may still fall into it).
TEST_F(StoreBufferCpu, TheBackgroundDrainHidesTheOwnershipLatency) {
    const auto program = [this](u32 ownership) {
        mem = CountingMemory{};
        mem.ownership = ownership;
        mem.others_wrote = false;
        start(
            {
                0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // 8000: mov [0x1000],eax
                0x8b, 0x1c, 0x25, 0x00, 0x20, 0x00, 0x00, // 8007: mov ebx,[0x2000]
                0xeb, 0xfe,                               // 800e: jmp $
            },
            2, true);
    };
    program(0);
    cpu->run(2);
    const u64 owned_cycles = cpu->stats().cycles;
    EXPECT_EQ(cpu->store_buffer_size(), 0u) << "an owned line commits at once";
    EXPECT_TRUE(mem.windows.empty());

    program(1000);
    const u64 start_cycles = cpu->stats().cycles;
    cpu->run(2);
    EXPECT_EQ(cpu->stats().cycles, owned_cycles) << "the CPU did not wait for the store";
    EXPECT_EQ(cpu->store_buffer_size(), 1u) << "waiting for ownership";
    EXPECT_EQ(mem.get32(0x1000), 0u);
    const u64 after_load = cpu->stats().cycles;
    for (unsigned guard = 0; cpu->store_buffer_size() && guard < 10000; ++guard)
        cpu->run(1);
    EXPECT_EQ(cpu->store_buffer_size(), 0u);
    EXPECT_GE(cpu->stats().cycles, start_cycles + 1000) << "it waited for its ownership";
    EXPECT_LT(cpu->stats().cycles, after_load + 1000) << "and no longer";
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u);
    ASSERT_EQ(mem.windows.size(), 1u);
    EXPECT_EQ(mem.windows[0].load_rip, 0x8007u);
    EXPECT_EQ(mem.windows[0].load_paddr, 0x2000u);
    EXPECT_LE(mem.windows[0].load_cycle, after_load);
    EXPECT_GT(mem.windows[0].load_cycle, start_cycles);
    EXPECT_EQ(mem.windows[0].store_rip, 0x8000u);
    EXPECT_EQ(mem.windows[0].store_paddr, 0x1000u);
    EXPECT_TRUE(mem.store_load.empty()) << "no other CPU wrote the load's line in host order";
}

// The stall paths still pay: a barrier waits for the ownership request under way, then the commit.
TEST_F(StoreBufferCpu, ABarrierWaitsForTheOwnershipRequestUnderWay) {
    mem.ownership = 100;
    start(
        {
            0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // 8000: mov [0x1000],eax
            0x0f, 0xae, 0xf0,                         // 8007: mfence
            0xf4,                                     // hlt
        },
        2, true);
    cpu->run(1);
    const u64 requested = cpu->stats().cycles;
    EXPECT_EQ(cpu->store_buffer_size(), 1u);
    cpu->run(1);
    EXPECT_EQ(cpu->store_buffer_size(), 0u);
    EXPECT_GE(cpu->stats().cycles, requested + 100 + 10) << "ownership, then the write's 10 cycles";
}

// A halted CPU's clock stops: its buffered stores reach memory when it halts, not when it wakes.
TEST_F(StoreBufferCpu, HltDrainsTheBuffer) {
    mem.ownership = 100;
    start(
        {
            0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // mov [0x1000],eax
            0xf4,                                     // hlt
        },
        2, true);
    cpu->run(5);
    EXPECT_EQ(cpu->store_buffer_size(), 0u);
    EXPECT_EQ(mem.get32(0x1000), 0x11111111u);
}

} // namespace
} // namespace smpsim::cpu
