// MSI-X (PCI 3.0, 6.8.2): the capability registers, the table and PBA inside a memory BAR, per-vector and
// function masks, pending bits delivered on unmask, disabled MSI-X, bus-master gating.
#include "sim/core/error.h"
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

constexpr u64 kBar0 = 0xFEB00000, kBar3 = 0xFEB80000;
constexpr u32 kPbaOffset = 0x2000;
constexpr unsigned kVectors = 10;

// An 82576-like layout: registers in BAR 0, the MSI-X table at 0 and the PBA at 0x2000 of BAR 3.
struct MsixFixture : ::testing::Test {
    PciFunction fn{0x8086, 0x10C9, 0x020000, 1};
    std::vector<Message> sent;
    std::vector<u64> bar3_handler_reads;
    u8 cap = 0;

    void SetUp() override {
        fn.add_bar(0, {BarKind::Mem32, 128 << 10},
                   {.read = [](u64, unsigned) { return 0xCAFE; }, .write = {}});
        fn.add_bar(3, {BarKind::Mem32, 16 << 10},
                   {.read =
                        [this](u64 offset, unsigned) {
                            bar3_handler_reads.push_back(offset);
                            return 0x5A;
                        },
                    .write = {}});
        cap = fn.add_msix_capability(kVectors, 3, 0, 3, kPbaOffset);
        fn.firmware_assign_bar(0, kBar0);
        fn.firmware_assign_bar(3, kBar3);
        fn.firmware_set_command(command::kMemorySpace | command::kBusMaster);
        fn.set_message_writer([this](u64 address, u32 data) { sent.push_back({address, data}); });
    }
    u64 read(u64 addr, unsigned size) {
        u64 value = 0;
        EXPECT_TRUE(fn.mmio_read(addr, size, value));
        return value;
    }
    void write(u64 addr, unsigned size, u64 value) { EXPECT_TRUE(fn.mmio_write(addr, size, value)); }
    u64 entry(unsigned vector) const { return kBar3 + 16 * vector; }
    void program(unsigned vector, u32 address, u32 data, bool masked) {
        write(entry(vector) + msix::kEntryAddressLow, 4, address);
        write(entry(vector) + msix::kEntryAddressHigh, 4, 0);
        write(entry(vector) + msix::kEntryData, 4, data);
        write(entry(vector) + msix::kEntryVectorControl, 4, masked ? 1 : 0);
    }
    void set_control(u16 bits) { fn.config_write(cap + msix::kControl, 2, bits); }
    u64 pba() { return read(kBar3 + kPbaOffset, 8); }
};

TEST_F(MsixFixture, CapabilityRegisters) {
    EXPECT_EQ(fn.config_read(cap, 1), cap_id::kMsix);
    EXPECT_EQ(fn.config_read(cap + msix::kControl, 2), kVectors - 1); // table size N-1, disabled
    EXPECT_EQ(fn.config_read(cap + msix::kTable, 4), 3u);             // offset 0, BIR 3
    EXPECT_EQ(fn.config_read(cap + msix::kPba, 4), kPbaOffset | 3);
    set_control(0xFFFF);
    EXPECT_EQ(fn.config_read(cap + msix::kControl, 2), msix::kEnable | msix::kFunctionMask | (kVectors - 1));
    EXPECT_TRUE(fn.msix_enabled());
    EXPECT_TRUE(fn.msix_function_masked());
    fn.config_write(cap + msix::kTable, 4, 0x12345678); // read-only
    EXPECT_EQ(fn.config_read(cap + msix::kTable, 4), 3u);
}

TEST_F(MsixFixture, TableResetsMaskedAndReadsBackWhatWasWritten) {
    for (unsigned v = 0; v < kVectors; ++v) {
        EXPECT_EQ(read(entry(v) + msix::kEntryVectorControl, 4), 1u) << "vector " << v;
        EXPECT_TRUE(fn.msix_vector_masked(v));
    }
    write(entry(2), 4, 0xFEE01003); // the low two address bits are reserved
    write(entry(2) + 4, 4, 0x00000001);
    write(entry(2) + 8, 4, 0x00004045);
    write(entry(2) + 12, 4, 0xFFFFFFFE); // reserved Vector Control bits read 0; the mask bit cleared
    EXPECT_EQ(read(entry(2), 4), 0xFEE01000u);
    EXPECT_EQ(read(entry(2) + 4, 4), 1u);
    EXPECT_EQ(read(entry(2) + 8, 4), 0x4045u);
    EXPECT_EQ(read(entry(2) + 12, 4), 0u);
    EXPECT_EQ(read(entry(2), 8), 0x1FEE01000ull); // qword access: address low and high
    EXPECT_EQ(fn.msix_message_address(2), 0x1FEE01000ull);
    EXPECT_EQ(fn.msix_message_data(2), 0x4045u);
    // A qword write of data + vector control.
    write(entry(4) + 8, 8, 0x0000000100000077ull);
    EXPECT_EQ(read(entry(4) + 8, 4), 0x77u);
    EXPECT_TRUE(fn.msix_vector_masked(4));
    // The rest of BAR 3 goes to the device's handler, with BAR-relative offsets.
    EXPECT_EQ(read(kBar3 + 0x1000, 4), 0x5Au);
    ASSERT_EQ(bar3_handler_reads.size(), 1u);
    EXPECT_EQ(bar3_handler_reads[0], 0x1000u);
    EXPECT_EQ(read(kBar0 + 0x10, 4), 0xCAFEu);
    EXPECT_TRUE(bar3_handler_reads.size() == 1u); // table reads never reached the handler
}

TEST_F(MsixFixture, UnmaskedVectorDeliversItsMessage) {
    set_control(msix::kEnable);
    program(0, 0xFEE00000, 0x41, false);
    program(5, 0xFEE02000, 0x46, false);
    fn.msix_notify(5);
    fn.msix_notify(0);
    EXPECT_EQ(sent, (std::vector<Message>{{0xFEE02000, 0x46}, {0xFEE00000, 0x41}}));
    EXPECT_EQ(pba(), 0u);
}

TEST_F(MsixFixture, MaskedVectorSetsPendingAndUnmaskDelivers) {
    set_control(msix::kEnable);
    program(3, 0xFEE00000, 0x43, true);
    fn.msix_notify(3);
    EXPECT_TRUE(sent.empty());
    EXPECT_TRUE(fn.msix_pending(3));
    EXPECT_EQ(pba(), 1u << 3);
    write(kBar3 + kPbaOffset, 8, 0); // the PBA is read-only
    EXPECT_EQ(pba(), 1u << 3);
    write(entry(3) + msix::kEntryVectorControl, 4, 0);
    EXPECT_EQ(sent, (std::vector<Message>{{0xFEE00000, 0x43}}));
    EXPECT_FALSE(fn.msix_pending(3));
    EXPECT_EQ(pba(), 0u);
}

TEST_F(MsixFixture, FunctionMaskHoldsEveryVectorUntilCleared) {
    set_control(msix::kEnable | msix::kFunctionMask);
    program(1, 0xFEE00000, 0x51, false);
    program(7, 0xFEE00000, 0x57, false);
    program(8, 0xFEE00000, 0x58, true);
    fn.msix_notify(7);
    fn.msix_notify(1);
    fn.msix_notify(8);
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(pba(), (1u << 1) | (1u << 7) | (1u << 8));
    int changes = 0;
    fn.set_config_changed([&] { ++changes; });
    set_control(msix::kEnable);
    EXPECT_EQ(changes, 1);
    // Vectors 1 and 7 go (in vector order); 8 is still masked by its own bit.
    EXPECT_EQ(sent, (std::vector<Message>{{0xFEE00000, 0x51}, {0xFEE00000, 0x57}}));
    EXPECT_EQ(pba(), 1u << 8);
}

TEST_F(MsixFixture, DisabledMsixDoesNothing) {
    program(0, 0xFEE00000, 0x41, false);
    fn.msix_notify(0);
    EXPECT_TRUE(sent.empty());
    EXPECT_FALSE(fn.msix_pending(0));
    EXPECT_EQ(fn.messages_sent() + fn.messages_suppressed(), 0u);
    // The table is still accessible while disabled (drivers program it before enabling).
    EXPECT_EQ(read(entry(0) + 8, 4), 0x41u);
    EXPECT_THROW(fn.msix_notify(kVectors), InternalError);
}

TEST_F(MsixFixture, BusMasterOffSuppressesMessages) {
    set_control(msix::kEnable);
    program(0, 0xFEE00000, 0x41, false);
    fn.firmware_set_command(command::kMemorySpace);
    fn.msix_notify(0);
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(fn.messages_suppressed(), 1u);
    EXPECT_FALSE(fn.msix_pending(0));
}

TEST_F(MsixFixture, MemoryDecodingOffHidesTheTable) {
    fn.firmware_set_command(command::kBusMaster);
    u64 value = 0;
    EXPECT_FALSE(fn.mmio_read(entry(0), 4, value));
    EXPECT_FALSE(fn.mmio_write(entry(0) + 12, 4, 0));
    EXPECT_TRUE(fn.msix_vector_masked(0));
}

TEST(MsixLayout, TableAndPbaMustFitInMemoryBars) {
    PciFunction fn(0x8086, 0x10C9, 0x020000, 1);
    fn.add_bar(0, {BarKind::Mem32, 4096}, {});
    fn.add_bar(2, {BarKind::Io, 32}, {});
    EXPECT_THROW(fn.add_msix_capability(0, 0, 0, 0, 0x800), InternalError);     // no vectors
    EXPECT_THROW(fn.add_msix_capability(2049, 0, 0, 0, 0x800), InternalError);  // too many
    EXPECT_THROW(fn.add_msix_capability(4, 1, 0, 0, 0x800), InternalError);     // no BAR 1
    EXPECT_THROW(fn.add_msix_capability(4, 2, 0, 0, 0x800), InternalError);     // I/O BAR
    EXPECT_THROW(fn.add_msix_capability(4, 0, 4, 0, 0x800), InternalError);     // not 8-byte aligned
    EXPECT_THROW(fn.add_msix_capability(4, 0, 0xFF8, 0, 0x800), InternalError); // table past the BAR
    EXPECT_THROW(fn.add_msix_capability(4, 0, 0, 0, 0x20), InternalError);      // PBA inside the table
    EXPECT_NO_THROW(fn.add_msix_capability(4, 0, 0, 0, 0x40));
}

} // namespace
} // namespace smpsim::pci
