// MSI capability (PCI 3.0, 6.8.1): register layout by address width and masking, Multiple Message
// Enable and the vector bits of the data, per-vector masking with pending bits, bus-master gating.
// Also the message decoder used by reports.
#include "sim/core/error.h"
#include "sim/pci_msi/msi_fields.h"
#include "sim/pci_msi/pci_function.h"

#include <gtest/gtest.h>

#include <vector>

namespace smpsim::pci {
namespace {

struct Message {
    u64 address;
    u32 data;
    bool operator==(const Message&) const = default;
};

struct MsiFixture : ::testing::Test {
    PciFunction fn{0x8086, 0x10C9, 0x020000, 1};
    std::vector<Message> sent;

    void SetUp() override {
        fn.set_message_writer([this](u64 address, u32 data) { sent.push_back({address, data}); });
        fn.firmware_set_command(command::kBusMaster);
    }
    u16 control() const { return u16(fn.config_read(fn.msi_capability() + msi::kControl, 2)); }
    void write_control(u16 value) { fn.config_write(fn.msi_capability() + msi::kControl, 2, value); }
};

TEST_F(MsiFixture, ControlRegisterAdvertisesAndAcceptsOnlyItsFields) {
    const u8 at = fn.add_msi_capability(2, true, true);
    EXPECT_EQ(fn.config_read(at, 1), cap_id::kMsi);
    // Multiple Message Capable 2 (4 vectors), 64-bit, per-vector masking; disabled, 1 vector allocated.
    EXPECT_EQ(control(), 2u << 1 | msi::kAddress64 | msi::kPerVectorMasking);
    write_control(0xFFFF);
    // Read-only fields unchanged; enable set; Multiple Message Enable clamped to what was requested.
    EXPECT_EQ(control(), msi::kEnable | 2u << 4 | 2u << 1 | msi::kAddress64 | msi::kPerVectorMasking);
    EXPECT_TRUE(fn.msi_enabled());
    EXPECT_EQ(fn.msi_vectors_allocated(), 4u);
    write_control(1u << 4);
    EXPECT_FALSE(fn.msi_enabled());
    EXPECT_EQ(fn.msi_vectors_allocated(), 2u);
}

TEST_F(MsiFixture, ThirtyTwoBitLayoutHasDataAtOffset8) {
    const u8 at = fn.add_msi_capability(0, false, false);
    fn.config_write(at + msi::kAddressLow, 4, 0xFEE01003); // bits 1:0 are reserved, read 0
    fn.config_write(at + 8, 2, 0x4031);
    EXPECT_EQ(fn.config_read(at + msi::kAddressLow, 4), 0xFEE01000u);
    EXPECT_EQ(fn.config_read(at + 8, 2), 0x4031u);
    EXPECT_EQ(fn.capabilities().size(), 1u);
    fn.config_write(at + msi::kControl, 2, msi::kEnable);
    fn.msi_notify();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], (Message{0xFEE01000, 0x4031}));
}

TEST_F(MsiFixture, SixtyFourBitAddressUsesTheUpperDword) {
    const u8 at = fn.add_msi_capability(0, true, false);
    fn.config_write(at + msi::kAddressLow, 4, 0xFEE02000);
    fn.config_write(at + msi::kAddressHigh, 4, 0x1);
    fn.config_write(at + msi::data_offset(true), 4, 0xFFFF0041); // the data register is 16 bits
    EXPECT_EQ(fn.config_read(at + msi::data_offset(true), 4), 0x0041u);
    write_control(msi::kEnable);
    fn.msi_notify(0);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], (Message{0x1FEE02000ull, 0x41}));
}

TEST_F(MsiFixture, MultipleMessageVectorsReplaceTheLowDataBits) {
    const u8 at = fn.add_msi_capability(3, false, false); // requests 8
    fn.config_write(at + msi::kAddressLow, 4, 0xFEE00000);
    fn.config_write(at + msi::data_offset(false), 2, 0x0050);
    write_control(msi::kEnable | 2u << 4); // software allocates 4
    fn.msi_notify(0);
    fn.msi_notify(3);
    fn.msi_notify(6); // beyond the allocation: the last allocated vector
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[0].data, 0x50u);
    EXPECT_EQ(sent[1].data, 0x53u);
    EXPECT_EQ(sent[2].data, 0x53u);
    EXPECT_THROW(fn.msi_notify(8), InternalError); // the function never requested vector 8
}

TEST_F(MsiFixture, DisabledMsiSendsNothing) {
    fn.add_msi_capability(0, true, false);
    fn.msi_notify();
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(fn.messages_sent(), 0u);
}

TEST_F(MsiFixture, MaskedVectorSetsPendingAndUnmaskDelivers) {
    const u8 at = fn.add_msi_capability(2, true, true);
    const u16 mask = at + msi::mask_offset(true), pending = at + msi::pending_offset(true);
    fn.config_write(at + msi::kAddressLow, 4, 0xFEE00000);
    fn.config_write(at + msi::data_offset(true), 2, 0x0060);
    write_control(msi::kEnable | 2u << 4);
    // Only the 4 requested vectors have mask bits; the rest are reserved.
    fn.config_write(mask, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(mask, 4), 0xFu);
    fn.config_write(mask, 4, 0x2);
    fn.msi_notify(1);
    fn.msi_notify(2);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].data, 0x62u);
    EXPECT_TRUE(fn.msi_pending(1));
    EXPECT_EQ(fn.config_read(pending, 4), 0x2u);
    fn.config_write(pending, 4, 0); // Pending bits are read-only
    EXPECT_EQ(fn.config_read(pending, 4), 0x2u);
    fn.config_write(mask, 4, 0);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].data, 0x61u);
    EXPECT_EQ(fn.config_read(pending, 4), 0u);
}

TEST_F(MsiFixture, BusMasterOffSuppressesAndCountsMessages) {
    const u8 at = fn.add_msi_capability(0, false, false);
    fn.config_write(at + msi::kAddressLow, 4, 0xFEE00000);
    write_control(msi::kEnable);
    fn.firmware_set_command(0);
    fn.msi_notify();
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(fn.messages_suppressed(), 1u);
    fn.firmware_set_command(command::kBusMaster);
    fn.msi_notify();
    EXPECT_EQ(sent.size(), 1u);
    EXPECT_EQ(fn.messages_sent(), 1u);
}

TEST(MsiNotify, WithoutCapabilityIsAnInternalError) {
    PciFunction fn(0x8086, 0x1237, 0x060000, 2);
    EXPECT_THROW(fn.msi_notify(), InternalError);
    EXPECT_THROW(fn.msix_notify(0), InternalError);
    EXPECT_THROW(fn.add_msi_capability(6, false, false), InternalError);
}

// Intel SDM vol. 3, 11.11: the fields of an x86 MSI address and data.
TEST(MsiFields, DecodesApicAddressAndData) {
    const MsiFields f = decode_msi(0xFEE0300C, 0xC141);
    EXPECT_TRUE(f.apic_address);
    EXPECT_EQ(f.destination, 3);
    EXPECT_TRUE(f.redirection_hint);
    EXPECT_TRUE(f.logical);
    EXPECT_EQ(f.vector, 0x41);
    EXPECT_EQ(f.delivery_mode, 1);
    EXPECT_TRUE(f.level_assert);
    EXPECT_TRUE(f.level_triggered);
    EXPECT_EQ(describe_msi(0xFEE01000, 0x0031), "dest 0x01 physical vector 0x31 fixed edge");
    EXPECT_EQ(describe_msi(0xFEE0300C, 0xC141), "dest 0x03 logical vector 0x41 lowest-priority level");
    EXPECT_FALSE(decode_msi(0xFED00000, 0).apic_address);
    EXPECT_EQ(describe_msi(0x80001000, 0x5), "write 0x00000005 to 0x80001000");
}

} // namespace
} // namespace smpsim::pci
