// The decode cache's record of which bytes hold decoded instructions: writes beside them keep the
// page, writes into them (by a CPU or by device DMA, across pages too) drop it.
#include "sim/cpu/decode_cache.h"

#include <gtest/gtest.h>

namespace smpsim::cpu {
namespace {

TEST(DecodeCache, WritesBesideDecodedBytesKeepThePage) {
    DecodeCache cache;
    cache.page(0x5000).cover(0x10, 4); // an instruction at 0x5010..0x5013
    EXPECT_TRUE(cache.is_code_page(0x5000));
    EXPECT_FALSE(cache.store_hits_code(0x500c, 4));
    EXPECT_FALSE(cache.store_hits_code(0x5014, 8));
    EXPECT_TRUE(cache.store_hits_code(0x5013, 1));
    EXPECT_TRUE(cache.store_hits_code(0x500e, 4));
    EXPECT_EQ(cache.invalidate_written(0x5000, 0x10), 0u);
    EXPECT_EQ(cache.invalidate_written(0x5014, 0x100), 0u);
    EXPECT_TRUE(cache.is_code_page(0x5000));
}

TEST(DecodeCache, DmaIntoDecodedBytesDropsThePage) {
    DecodeCache cache;
    cache.page(0x5000).cover(0x10, 4);
    const u64 epoch = cache.epoch();
    EXPECT_EQ(cache.invalidate_written(0x5012, 1), 1u);
    EXPECT_FALSE(cache.is_code_page(0x5000));
    EXPECT_NE(cache.epoch(), epoch) << "CPUs must see that their fetch page went";
}

TEST(DecodeCache, DmaAcrossPagesDropsEachPageItOverwrites) {
    DecodeCache cache;
    cache.page(0x6000).cover(0xffe, 2);
    cache.page(0x7000).cover(0, 1);
    cache.page(0x8000).cover(0x800, 1);
    EXPECT_EQ(cache.invalidate_written(0x6ff0, 0x20), 2u);
    EXPECT_FALSE(cache.is_code_page(0x6000));
    EXPECT_FALSE(cache.is_code_page(0x7000));
    EXPECT_TRUE(cache.is_code_page(0x8000));
    EXPECT_EQ(cache.invalidate_written(0x8000, 0), 0u) << "an empty write";
    EXPECT_EQ(cache.invalidate_written(~0ull - 3, 8), 0u) << "a write that wraps the address space";
}

} // namespace
} // namespace smpsim::cpu
