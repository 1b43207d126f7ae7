// PciHostBridge: configuration mechanism #1 (PCI 3.0, 3.2.2.3.2), the 440FX host function at 00:00.0,
// multi-function devices, and the decoder for the PCI memory and I/O windows.
#include "sim/core/error.h"
#include "sim/pci_msi/host_bridge.h"

#include <gtest/gtest.h>

namespace smpsim::pci {
namespace {

u32 address(unsigned bus, unsigned device, unsigned function, unsigned reg) {
    return PciHostBridge::kConfigEnable | bus << 16 | device << 11 | function << 8 | reg;
}

struct HostBridgeFixture : ::testing::Test {
    PciHostBridge bridge;
    PciFunction nic{0x8086, 0x10C9, 0x020000, 1};

    u32 config_read(unsigned device, unsigned function, unsigned reg, unsigned size = 4) {
        bridge.io_write(0xCF8, 4, address(0, device, function, reg & 0xFC));
        return bridge.io_read(u16(0xCFC + (reg & 3)), size);
    }
    void config_write(unsigned device, unsigned function, unsigned reg, unsigned size, u32 value) {
        bridge.io_write(0xCF8, 4, address(0, device, function, reg & 0xFC));
        bridge.io_write(u16(0xCFC + (reg & 3)), size, value);
    }
};

TEST_F(HostBridgeFixture, HostBridgeIs440fxAtDeviceZero) {
    EXPECT_EQ(config_read(0, 0, 0x00), 0x12378086u);
    EXPECT_EQ(config_read(0, 0, 0x08) >> 8, 0x060000u);
    EXPECT_EQ(config_read(0, 0, 0x08) & 0xFF, 0x02u);
    EXPECT_EQ(config_read(0, 0, 0x0E, 1), 0x00u);
}

TEST_F(HostBridgeFixture, ConfigAddressTakesOnlyDwordAccesses) {
    bridge.io_write(0xCF8, 4, 0xFFFFFFFF);
    EXPECT_EQ(bridge.io_read(0xCF8, 4), 0x80FFFFFCu); // reserved bits 30:24 and 1:0 read 0
    bridge.io_write(0xCF8, 4, address(0, 3, 0, 0x10));
    bridge.io_write(0xCF8, 1, 0x00); // byte and word accesses do not reach CONFIG_ADDRESS
    bridge.io_write(0xCF8, 2, 0x00);
    bridge.io_write(0xCFA, 2, 0x00);
    EXPECT_EQ(bridge.io_read(0xCF8, 4), address(0, 3, 0, 0x10));
    EXPECT_EQ(bridge.io_read(0xCF8, 1), 0xFFu);
    EXPECT_EQ(bridge.io_read(0xCFA, 2), 0xFFFFu);
}

TEST_F(HostBridgeFixture, EnableBitClearReadsAllOnes) {
    bridge.io_write(0xCF8, 4, address(0, 0, 0, 0) & ~PciHostBridge::kConfigEnable);
    EXPECT_EQ(bridge.io_read(0xCFC, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bridge.io_read(0xCFC, 2), 0xFFFFu);
    bridge.io_write(0xCF8, 4, address(0, 0, 0, 0));
    EXPECT_EQ(bridge.io_read(0xCFC, 4), 0x12378086u);
}

TEST_F(HostBridgeFixture, ByteAndWordAccessesToEachDataPort) {
    bridge.attach(3, 0, nic);
    bridge.io_write(0xCF8, 4, address(0, 3, 0, 0x00));
    EXPECT_EQ(bridge.io_read(0xCFC, 1), 0x86u);
    EXPECT_EQ(bridge.io_read(0xCFD, 1), 0x80u);
    EXPECT_EQ(bridge.io_read(0xCFE, 1), 0xC9u);
    EXPECT_EQ(bridge.io_read(0xCFF, 1), 0x10u);
    EXPECT_EQ(bridge.io_read(0xCFC, 2), 0x8086u);
    EXPECT_EQ(bridge.io_read(0xCFE, 2), 0x10C9u);
    EXPECT_EQ(bridge.io_read(0xCFF, 2), 0xFF10u); // the byte past 0xCFF is not config data
    // Command is the low word of dword 1, Interrupt Line byte 0 of dword 0x3C.
    config_write(3, 0, 0x04, 2, 0x0006);
    EXPECT_EQ(nic.command(), 0x0006u);
    config_write(3, 0, 0x3C, 1, 10);
    EXPECT_EQ(nic.interrupt_line(), 10u);
    config_write(3, 0, 0x05, 1, 0x04); // Command's high byte through 0xCFD: Interrupt Disable
    EXPECT_TRUE(nic.intx_disabled());
    EXPECT_EQ(config_read(3, 0, 0x04, 2), 0x0406u);
    EXPECT_EQ(config_read(3, 0, 0x3C, 1), 10u);
}

TEST_F(HostBridgeFixture, NonexistentFunctionsReadAllOnesAndIgnoreWrites) {
    bridge.attach(3, 0, nic);
    EXPECT_EQ(config_read(4, 0, 0x00), 0xFFFFFFFFu);
    EXPECT_EQ(config_read(3, 1, 0x00), 0xFFFFFFFFu);
    EXPECT_EQ(config_read(31, 7, 0x00, 2), 0xFFFFu);
    bridge.io_write(0xCF8, 4, address(1, 3, 0, 0x00)); // bus 1 does not exist
    EXPECT_EQ(bridge.io_read(0xCFC, 4), 0xFFFFFFFFu);
    bridge.io_write(0xCFC, 4, 0x12345678); // nobody answers, nothing breaks
    config_write(4, 0, 0x04, 2, 0x0007);
    EXPECT_EQ(nic.command(), 0u);
    // Ports beside the mechanism read all ones.
    EXPECT_EQ(bridge.io_read(0xCF9, 1), 0xFFu);
}

TEST_F(HostBridgeFixture, AttachRulesAndMultiFunctionHeader) {
    EXPECT_THROW(bridge.attach(0, 0, nic), InternalError); // the host bridge's own slot
    EXPECT_THROW(bridge.attach(32, 0, nic), InternalError);
    EXPECT_THROW(bridge.attach(1, 8, nic), InternalError);
    PciFunction second{0x8086, 0x10C9, 0x020000, 1};
    bridge.attach(3, 0, nic);
    EXPECT_EQ(config_read(3, 0, 0x0E, 1), 0x00u);
    bridge.attach(3, 1, second);
    EXPECT_EQ(config_read(3, 0, 0x0E, 1), 0x80u); // function 0 now announces more functions
    EXPECT_EQ(config_read(3, 1, 0x00), 0x10C98086u);
    EXPECT_THROW(bridge.attach(3, 1, second), InternalError);
    EXPECT_EQ(bridge.function_at(3, 1), &second);
    EXPECT_EQ(bridge.function_at(5, 0), nullptr);
}

TEST_F(HostBridgeFixture, BarSizingThroughConfigMechanism) {
    nic.add_bar(0, {BarKind::Mem32, 128 << 10}, {});
    nic.add_bar(2, {BarKind::Io, 32}, {});
    bridge.attach(3, 0, nic);
    config_write(3, 0, 0x10, 4, 0xFFFFFFFF);
    EXPECT_EQ(config_read(3, 0, 0x10), 0xFFFE0000u);
    config_write(3, 0, 0x18, 4, 0xFFFFFFFF);
    EXPECT_EQ(config_read(3, 0, 0x18), 0xFFFFFFE1u);
    config_write(3, 0, 0x14, 4, 0xFFFFFFFF);
    EXPECT_EQ(config_read(3, 0, 0x14), 0u);
}

TEST_F(HostBridgeFixture, WindowsRouteToTheClaimingFunctionAndCountTheRest) {
    PciFunction other{0x1AF4, 0x1000, 0x020000, 0};
    nic.add_bar(0, {BarKind::Mem32, 4096},
                {.read = [](u64 offset, unsigned) { return 0x100 + offset; }, .write = {}});
    nic.add_bar(2, {BarKind::Io, 32},
                {.read = [](u64 offset, unsigned) { return 0x200 + offset; }, .write = {}});
    u64 other_written = 0;
    other.add_bar(0, {BarKind::Mem64, 4096},
                  {.read = [](u64 offset, unsigned) { return 0x300 + offset; },
                   .write = [&](u64, unsigned, u64 value) { other_written = value; }});
    bridge.attach(3, 0, nic);
    bridge.attach(4, 0, other);
    nic.firmware_assign_bar(0, 0xFEB00000);
    nic.firmware_assign_bar(2, 0xC000);
    other.firmware_assign_bar(0, 0xFEB01000);
    nic.firmware_set_command(command::kMemorySpace | command::kIoSpace);
    other.firmware_set_command(command::kMemorySpace);

    EXPECT_EQ(bridge.mmio_read(0xFEB00004, 4), 0x104u);
    EXPECT_EQ(bridge.mmio_read(0xFEB01008, 8), 0x308u);
    bridge.mmio_write(0xFEB01000, 4, 77);
    EXPECT_EQ(other_written, 77u);
    EXPECT_EQ(bridge.pci_io_read(0xC010, 2), 0x210u);
    EXPECT_EQ(bridge.unclaimed_accesses(), 0u);

    EXPECT_EQ(bridge.mmio_read(0xFEB02000, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bridge.mmio_read(0xFEB02000, 8), ~u64(0));
    EXPECT_EQ(bridge.mmio_read(0xFEB02000, 1), 0xFFu);
    bridge.mmio_write(0xFEB02000, 4, 1);
    EXPECT_EQ(bridge.pci_io_read(0xD000, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bridge.unclaimed_accesses(), 5u);
    // Turning memory decoding off in the other function's Command register through 0xCFC unclaims it.
    config_write(4, 0, 0x04, 2, 0);
    EXPECT_EQ(bridge.mmio_read(0xFEB01008, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bridge.unclaimed_accesses(), 6u);
}

TEST_F(HostBridgeFixture, CapabilityWalkOverEveryFunction) {
    nic.add_bar(3, {BarKind::Mem32, 16 << 10}, {});
    const u8 pm = nic.add_pm_capability();
    const u8 msi = nic.add_msi_capability(0, true, true);
    const u8 msix = nic.add_msix_capability(10, 3, 0, 3, 0x2000);
    const u8 pcie = nic.add_pcie_capability();
    bridge.attach(3, 0, nic);
    const auto caps = bridge.capabilities();
    ASSERT_EQ(caps.size(), 4u);
    const u8 ids[] = {cap_id::kPowerManagement, cap_id::kMsi, cap_id::kMsix, cap_id::kPciExpress};
    const u8 offsets[] = {pm, msi, msix, pcie};
    for (size_t i = 0; i < caps.size(); ++i) {
        EXPECT_EQ(caps[i].device, 3u);
        EXPECT_EQ(caps[i].function, 0u);
        EXPECT_EQ(caps[i].id, ids[i]);
        EXPECT_EQ(caps[i].offset, offsets[i]);
    }
    // Status.CapList through the mechanism, and the pointer at 0x34.
    EXPECT_TRUE(config_read(3, 0, 0x06, 2) & status::kCapabilitiesList);
    EXPECT_EQ(config_read(3, 0, 0x34, 1), pm);
    EXPECT_FALSE(config_read(0, 0, 0x06, 2) & status::kCapabilitiesList);
}

TEST_F(HostBridgeFixture, BadAccessSizesAreInternalErrors) {
    EXPECT_THROW(bridge.io_read(0xCFC, 3), InternalError);
    EXPECT_THROW(bridge.io_write(0xCFC, 8, 0), InternalError);
    EXPECT_THROW(bridge.mmio_read(0xFEB00000, 16), InternalError);
}

} // namespace
} // namespace smpsim::pci
