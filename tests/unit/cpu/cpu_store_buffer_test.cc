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
    void start(std::initializer_list<u8> code, unsigned entries = 2) {
        CpuConfig c;
        c.store_buffer = true;
        c.store_buffer_entries = entries;
        c.auto_commit = false;
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

} // namespace
} // namespace smpsim::cpu
