// ConfigSpace: access rights per bit, access-size rules, capability allocation.
#include "sim/core/error.h"
#include "sim/pci_msi/config_space.h"

#include <gtest/gtest.h>

namespace smpsim::pci {
namespace {

TEST(ConfigSpace, WritesFollowWritableAndWriteOneToClearMasks) {
    ConfigSpace c;
    c.set32(0x40, 0x12345678);
    c.set_writable(0x40, 4, 0x0000FF00);
    c.write(0x40, 4, 0xAAAAAAAA);
    EXPECT_EQ(c.read(0x40, 4), 0x1234AA78u);

    c.set16(0x44, 0x8101);
    c.set_write_one_to_clear(0x44, 2, 0x8100);
    c.write(0x44, 2, 0x0001); // writing 1 to a non-RW1C, read-only bit changes nothing
    EXPECT_EQ(c.read(0x44, 2), 0x8101u);
    c.write(0x44, 2, 0x8000);
    EXPECT_EQ(c.read(0x44, 2), 0x0101u);
}

TEST(ConfigSpace, SubDwordAccessesAtAnyOffsetInsideADword) {
    ConfigSpace c;
    c.set32(0x10, 0xDDCCBBAA);
    EXPECT_EQ(c.read(0x11, 1), 0xBBu);
    EXPECT_EQ(c.read(0x12, 2), 0xDDCCu);
    EXPECT_EQ(c.read(0x11, 2), 0xCCBBu); // unaligned but inside the dword
    c.set_writable(0x10, 4, 0xFFFFFFFF);
    c.write(0x13, 1, 0x11);
    EXPECT_EQ(c.read(0x10, 4), 0x11CCBBAAu);
}

TEST(ConfigSpace, BadAccessesAreInternalErrors) {
    ConfigSpace c;
    EXPECT_THROW(c.read(0x10, 3), InternalError);
    EXPECT_THROW(c.read(0x12, 4), InternalError); // crosses a dword
    EXPECT_THROW(c.read(0x13, 2), InternalError);
    EXPECT_THROW(c.write(0x100, 1, 0), InternalError);
    EXPECT_THROW(c.write(0x0, 8, 0), InternalError);
}

TEST(ConfigSpace, CapabilitiesAreLinkedDwordAlignedAndBounded) {
    ConfigSpace c;
    EXPECT_EQ(c.add_capability(0x01, 8), 0x40);
    EXPECT_EQ(c.add_capability(0x05, 10), 0x48); // 10 bytes round up to 0x54 for the next one
    EXPECT_EQ(c.add_capability(0x11, 12), 0x54);
    EXPECT_EQ(c.get8(0x34), 0x40);
    EXPECT_EQ(c.get8(0x41), 0x48);
    EXPECT_EQ(c.get8(0x49), 0x54);
    EXPECT_EQ(c.get8(0x55), 0x00);
    EXPECT_TRUE(c.get16(0x06) & (1 << 4));
    EXPECT_THROW(c.add_capability(0x10, 0xB0), InternalError); // 0x60 + 0xB0 > 0x100
}

} // namespace
} // namespace smpsim::pci
