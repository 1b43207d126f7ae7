#include "sim/gdb/page_walk.h"
#include "sim/mmu/paging.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace smpsim::gdb {
namespace {

// Physical memory with page tables written into it, read as the debugger's walk reads it.
class PageWalkTest : public ::testing::Test {
  protected:
    std::vector<u8> mem = std::vector<u8>(4 << 20);
    int reads = 0;
    void put(u64 pa, u64 v, unsigned size = 8) { std::memcpy(mem.data() + pa, &v, size); }
    PhysReader reader() {
        return [this](u64 pa, unsigned size) -> std::optional<u64> {
            ++reads;
            if (pa + size > mem.size()) return std::nullopt;
            u64 v = 0;
            std::memcpy(&v, mem.data() + pa, size);
            return v;
        };
    }
};

constexpr u64 P = 1, RW = 2, PS = 0x80;

TEST_F(PageWalkTest, FourLevel) {
    PagingState r{mmu::kCr0Pg | 1, 0x1000, mmu::kCr4Pae, mmu::kEferLma | mmu::kEferLme};
    // PML4[0] -> PDPT at 0x2000; PDPT[0] -> PD at 0x3000; PD[1] -> PT at 0x4000; PT[5] -> 0x123000.
    put(0x1000, 0x2000 | P | RW);
    put(0x2000, 0x3000 | P | RW);
    put(0x3000 + 1 * 8, 0x4000 | P | RW);
    put(0x4000 + 5 * 8, 0x123000 | P);
    EXPECT_EQ(debug_translate(0x205abc, r, reader()), 0x123abcu);
    // PD[2]: a 2M page at 0x400000.
    put(0x3000 + 2 * 8, 0x400000 | P | PS);
    EXPECT_EQ(debug_translate(0x412345, r, reader()), 0x412345u);
    // PDPT[1]: a 1G page at 0x40000000.
    put(0x2000 + 8, 0x40000000 | P | PS);
    EXPECT_EQ(debug_translate(0x40000000 + 0x1234567, r, reader()), 0x41234567u);
    // Not present, not canonical, a table outside memory.
    EXPECT_FALSE(debug_translate(0x206000, r, reader()));
    EXPECT_FALSE(debug_translate(0xdeadbeef00000000, r, reader()));
    put(0x3000 + 3 * 8, 0x7fff0000000 | P);
    EXPECT_FALSE(debug_translate(0x600000, r, reader()));
    // The high half: PML4[511].
    put(0x1000 + 511 * 8, 0x2000 | P);
    EXPECT_EQ(debug_translate(0xffffff8000205abc, r, reader()), 0x123abcu);
}

TEST_F(PageWalkTest, NoSideEffects) {
    PagingState r{mmu::kCr0Pg | 1, 0x1000, mmu::kCr4Pae, mmu::kEferLma};
    put(0x1000, 0x2000 | P);
    put(0x2000, 0x3000 | P);
    put(0x3000, 0x4000 | P);
    put(0x4000, 0x5000 | P);
    const std::vector<u8> before = mem;
    EXPECT_EQ(debug_translate(0x10, r, reader()), 0x5010u);
    EXPECT_EQ(mem, before); // no accessed or dirty bits set
    EXPECT_EQ(reads, 4);
}

TEST_F(PageWalkTest, PagingOffAndLegacyModes) {
    EXPECT_EQ(debug_translate(0x1234, PagingState{1, 0, 0, 0}, reader()), 0x1234u);
    EXPECT_EQ(debug_translate(0x100001234, PagingState{1, 0, 0, 0}, reader()), 0x1234u); // 32-bit wrap
    // 32-bit paging: PDE[1] -> PT at 0x2000, PTE[3] -> 0x9000; PDE[2] a 4M page with PSE.
    PagingState r{mmu::kCr0Pg | 1, 0x1000, mmu::kCr4Pse, 0};
    put(0x1000 + 4, 0x2000 | P, 4);
    put(0x2000 + 3 * 4, 0x9000 | P, 4);
    EXPECT_EQ(debug_translate(0x403010, r, reader()), 0x9010u);
    put(0x1000 + 8, 0xc00000 | P | PS, 4);
    EXPECT_EQ(debug_translate(0x812345, r, reader()), 0xc12345u);
    // PAE: PDPTE[0] -> PD at 0x2000; PDE[0] a 2M page at 0x200000.
    PagingState pae{mmu::kCr0Pg | 1, 0x1000, mmu::kCr4Pae, 0};
    put(0x1000, 0x2000 | P);
    put(0x2000, 0x200000 | P | PS);
    EXPECT_EQ(debug_translate(0x1abcd, pae, reader()), 0x21abcdu);
}

} // namespace
} // namespace smpsim::gdb
