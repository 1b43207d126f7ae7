// PciFunction: the type-0 header (PCI 3.0, 6.1-6.2), BAR sizing (6.2.5.1), the capability list (6.7),
// INTx gating, address decoding, power management and the PCIe capability.
#include "sim/core/error.h"
#include "sim/pci_msi/pci_function.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace smpsim::pci {
namespace {

constexpr u32 kEthernetClass = 0x020000;

PciFunction make_nic() {
    PciFunction fn(0x8086, 0x10C9, kEthernetClass, 0x01);
    fn.set_subsystem(0x8086, 0xA03C);
    fn.set_interrupt_pin(1);
    return fn;
}

TEST(PciFunction, IdentificationRegistersAreReadOnly) {
    PciFunction fn = make_nic();
    EXPECT_EQ(fn.config_read(reg::kVendorId, 4), 0x10C98086u);
    EXPECT_EQ(fn.config_read(reg::kRevisionId, 4), 0x02000001u); // class 02/00/00, revision 1
    EXPECT_EQ(fn.config_read(reg::kSubsystemVendorId, 4), 0xA03C8086u);
    EXPECT_EQ(fn.config_read(reg::kHeaderType, 1), 0x00u);
    EXPECT_EQ(fn.config_read(reg::kInterruptPin, 1), 0x01u);
    fn.config_write(reg::kVendorId, 4, 0xFFFFFFFF);
    fn.config_write(reg::kRevisionId, 4, 0xFFFFFFFF);
    fn.config_write(reg::kSubsystemVendorId, 4, 0);
    fn.config_write(reg::kInterruptPin, 1, 4);
    EXPECT_EQ(fn.config_read(reg::kVendorId, 4), 0x10C98086u);
    EXPECT_EQ(fn.config_read(reg::kRevisionId, 4), 0x02000001u);
    EXPECT_EQ(fn.config_read(reg::kSubsystemVendorId, 4), 0xA03C8086u);
    EXPECT_EQ(fn.config_read(reg::kInterruptPin, 1), 0x01u);
    // Interrupt Line and Cache Line Size are plain read/write registers.
    fn.config_write(reg::kInterruptLine, 1, 11);
    fn.config_write(reg::kCacheLineSize, 1, 0x10);
    EXPECT_EQ(fn.config_read(reg::kInterruptLine, 1), 11u);
    EXPECT_EQ(fn.config_read(reg::kCacheLineSize, 1), 0x10u);
    // No expansion ROM, no CardBus CIS, BIST not supported: all read 0 whatever is written.
    fn.config_write(reg::kExpansionRom, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kExpansionRom, 4), 0u);
    EXPECT_EQ(fn.config_read(reg::kCardbusCis, 4), 0u);
    EXPECT_EQ(fn.config_read(reg::kBist, 1), 0u);
}

TEST(PciFunction, CommandRegisterHasOnlyItsImplementedBitsWritable) {
    PciFunction fn = make_nic();
    fn.config_write(reg::kCommand, 2, 0xFFFF);
    // I/O, memory, bus master, parity error response, SERR#, interrupt disable.
    EXPECT_EQ(fn.config_read(reg::kCommand, 2), 0x0547u);
    EXPECT_TRUE(fn.memory_enabled());
    EXPECT_TRUE(fn.io_enabled());
    EXPECT_TRUE(fn.bus_master());
    EXPECT_TRUE(fn.intx_disabled());
    fn.config_write(reg::kCommand, 1, 0x02); // byte write of the low half
    EXPECT_EQ(fn.config_read(reg::kCommand, 2), 0x0502u);
    EXPECT_FALSE(fn.io_enabled());
    EXPECT_FALSE(fn.bus_master());
}

TEST(PciFunction, StatusErrorBitsAreWriteOneToClearAndTheRestReadOnly) {
    PciFunction fn = make_nic();
    fn.add_pm_capability();
    fn.raise_status(status::kReceivedMasterAbort | status::kSignaledTargetAbort);
    const u16 base = status::kCapabilitiesList;
    EXPECT_EQ(fn.status(), base | status::kReceivedMasterAbort | status::kSignaledTargetAbort);
    // Writing 0s changes nothing; writing 1 to Capabilities List (read-only) changes nothing either.
    fn.config_write(reg::kStatus, 2, status::kCapabilitiesList | status::kInterrupt);
    EXPECT_EQ(fn.status(), base | status::kReceivedMasterAbort | status::kSignaledTargetAbort);
    // Write 1 clears only that bit.
    fn.config_write(reg::kStatus, 2, status::kReceivedMasterAbort);
    EXPECT_EQ(fn.status(), base | status::kSignaledTargetAbort);
    // A dword write at 0x04 sets Command and clears Status bits at once; writing the value read back
    // (the usual read-modify-write of Command) clears every pending error bit.
    const u32 dword = fn.config_read(reg::kCommand, 4);
    fn.config_write(reg::kCommand, 4, dword | command::kMemorySpace);
    EXPECT_EQ(fn.status(), base);
    EXPECT_TRUE(fn.memory_enabled());
    // Status.Interrupt follows the device's INTx state and cannot be written.
    fn.set_intx(true);
    EXPECT_TRUE(fn.status() & status::kInterrupt);
    fn.config_write(reg::kStatus, 2, 0xFFFF);
    EXPECT_TRUE(fn.status() & status::kInterrupt);
    fn.set_intx(false);
    EXPECT_FALSE(fn.status() & status::kInterrupt);
}

TEST(PciFunction, Mem32BarSizing) {
    PciFunction fn = make_nic();
    fn.add_bar(0, {BarKind::Mem32, 128 << 10, false}, {});
    EXPECT_EQ(fn.config_read(reg::kBar0, 4), 0u);
    fn.config_write(reg::kBar0, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kBar0, 4), 0xFFFE0000u); // ~(128K - 1), type 32-bit, not prefetchable
    fn.config_write(reg::kBar0, 4, 0xFEBC0000);
    EXPECT_EQ(fn.config_read(reg::kBar0, 4), 0xFEBC0000u);
    EXPECT_EQ(fn.bar_address(0), 0xFEBC0000u);
    // Address bits below the size are read-only 0.
    fn.config_write(reg::kBar0, 4, 0xFEBC1234);
    EXPECT_EQ(fn.bar_address(0), 0xFEBC0000u);

    fn.add_bar(2, {BarKind::Mem32, 4096, true}, {});
    fn.config_write(reg::kBar0 + 8, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 8, 4), 0xFFFFF008u); // prefetchable bit 3
}

TEST(PciFunction, Mem64BarSizingUsesBothDwords) {
    PciFunction fn = make_nic();
    fn.add_bar(0, {BarKind::Mem64, 16 << 10, true}, {});
    EXPECT_EQ(fn.config_read(reg::kBar0, 4), 0x0000000Cu); // 64-bit (type 10b), prefetchable
    fn.config_write(reg::kBar0, 4, 0xFFFFFFFF);
    fn.config_write(reg::kBar0 + 4, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kBar0, 4), 0xFFFFC00Cu);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 4, 4), 0xFFFFFFFFu);
    fn.firmware_assign_bar(0, 0x800000000ull + 0xC000);
    EXPECT_EQ(fn.bar_address(0), 0x80000C000ull);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 4, 4), 0x8u);
    EXPECT_FALSE(fn.has_bar(1)); // the upper half is not a BAR of its own
    EXPECT_THROW(fn.bar_address(1), InternalError);

    // A BAR larger than 4 GiB has read-only bits in the upper dword too.
    fn.add_bar(2, {BarKind::Mem64, 8ull << 30, false}, {});
    fn.config_write(reg::kBar0 + 8, 4, 0xFFFFFFFF);
    fn.config_write(reg::kBar0 + 12, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 8, 4), 0x00000004u);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 12, 4), 0xFFFFFFFEu);
}

TEST(PciFunction, IoBarSizingAndUnimplementedBars) {
    PciFunction fn = make_nic();
    fn.add_bar(2, {BarKind::Io, 32, false}, {});
    EXPECT_EQ(fn.config_read(reg::kBar0 + 8, 4), 0x1u);
    fn.config_write(reg::kBar0 + 8, 4, 0xFFFFFFFF);
    EXPECT_EQ(fn.config_read(reg::kBar0 + 8, 4), 0xFFFFFFE1u);
    fn.config_write(reg::kBar0 + 8, 4, 0xC040);
    EXPECT_EQ(fn.bar_address(2), 0xC040u);
    // Unimplemented BARs are read-only 0: sizing them reads 0 (software skips them).
    for (unsigned i : {0u, 1u, 3u, 4u, 5u}) {
        fn.config_write(u16(reg::kBar0 + 4 * i), 4, 0xFFFFFFFF);
        EXPECT_EQ(fn.config_read(u16(reg::kBar0 + 4 * i), 4), 0u) << "BAR " << i;
    }
}

TEST(PciFunction, BadBarsAreInternalErrors) {
    PciFunction fn = make_nic();
    EXPECT_THROW(fn.add_bar(6, {BarKind::Mem32, 4096}, {}), InternalError);
    EXPECT_THROW(fn.add_bar(5, {BarKind::Mem64, 4096}, {}), InternalError);
    EXPECT_THROW(fn.add_bar(0, {BarKind::Mem32, 3000}, {}), InternalError);
    EXPECT_THROW(fn.add_bar(0, {BarKind::Mem32, 8}, {}), InternalError);
    EXPECT_THROW(fn.add_bar(0, {BarKind::Io, 512}, {}), InternalError);
    EXPECT_THROW(fn.add_bar(0, {BarKind::Io, 16, true}, {}), InternalError);
    fn.add_bar(0, {BarKind::Mem64, 4096}, {});
    EXPECT_THROW(fn.add_bar(1, {BarKind::Mem32, 4096}, {}), InternalError); // upper half of BAR 0
    EXPECT_THROW(fn.add_bar(0, {BarKind::Mem32, 4096}, {}), InternalError);
    fn.add_bar(3, {BarKind::Mem32, 4096}, {});
    EXPECT_THROW(fn.add_bar(2, {BarKind::Mem64, 4096}, {}), InternalError); // would take BAR 3
    EXPECT_THROW(fn.firmware_assign_bar(0, 0x1800), InternalError);         // not size aligned
    EXPECT_THROW(fn.firmware_assign_bar(3, 0x100000000ull), InternalError); // above 4 GiB in a 32-bit BAR
    EXPECT_THROW(fn.firmware_assign_bar(4, 0x1000), InternalError);         // no BAR there
}

TEST(PciFunction, CapabilityListFromPointerAtOffset34) {
    PciFunction fn = make_nic();
    EXPECT_FALSE(fn.status() & status::kCapabilitiesList);
    EXPECT_EQ(fn.config_read(reg::kCapabilitiesPointer, 1), 0u);
    fn.add_bar(3, {BarKind::Mem32, 16 << 10}, {});
    const u8 pm = fn.add_pm_capability();
    const u8 msi = fn.add_msi_capability(0, true, true);
    const u8 msix = fn.add_msix_capability(10, 3, 0, 3, 0x2000);
    const u8 pcie = fn.add_pcie_capability();
    EXPECT_TRUE(fn.config_read(reg::kStatus, 2) & status::kCapabilitiesList);

    // Walk the list as an OS does, through config reads only.
    std::vector<std::pair<u8, u8>> walked;
    u8 at = u8(fn.config_read(reg::kCapabilitiesPointer, 1));
    while (at != 0 && walked.size() < 16) {
        EXPECT_EQ(at & 3, 0) << "capability at " << int(at) << " not dword aligned";
        EXPECT_GE(at, 0x40);
        walked.emplace_back(u8(fn.config_read(at, 1)), at);
        at = u8(fn.config_read(at + 1, 1));
    }
    const std::vector<std::pair<u8, u8>> expected{{cap_id::kPowerManagement, pm},
                                                  {cap_id::kMsi, msi},
                                                  {cap_id::kMsix, msix},
                                                  {cap_id::kPciExpress, pcie}};
    EXPECT_EQ(walked, expected);
    // No two structures overlap: each starts after the previous one's last byte.
    EXPECT_GE(msi, pm + pm::kSize);
    EXPECT_GE(msix, msi + msi::size(true, true));
    EXPECT_GE(pcie, msix + msix::kSize);
    EXPECT_LE(pcie + pcie::kSize, 0x100);
    // The same list from the helper; the ID/next bytes are read-only.
    ASSERT_EQ(fn.capabilities().size(), 4u);
    fn.config_write(pm, 2, 0xFFFF);
    EXPECT_EQ(fn.config_read(pm, 1), cap_id::kPowerManagement);
    EXPECT_EQ(fn.config_read(pm + 1, 1), msi);
    EXPECT_THROW(fn.add_msi_capability(0, false, false), InternalError); // one of each
}

TEST(PciFunction, PcieCapabilityIsAVersion2Endpoint) {
    PciFunction fn = make_nic();
    fn.config_write(reg::kLatencyTimer, 1, 0x40);
    EXPECT_EQ(fn.config_read(reg::kLatencyTimer, 1), 0x40u); // conventional PCI: read/write
    const u8 at = fn.add_pcie_capability();
    EXPECT_EQ(fn.config_read(at, 1), 0x10u);
    EXPECT_EQ(fn.config_read(at + pcie::kCapabilities, 2) & 0xF, 2u);        // version 2
    EXPECT_EQ((fn.config_read(at + pcie::kCapabilities, 2) >> 4) & 0xF, 0u); // endpoint
    EXPECT_EQ(fn.config_read(at + pcie::kLinkStatus, 2) & 0x3FF, 0x41u);     // 2.5 GT/s x4
    EXPECT_EQ(fn.config_read(at + pcie::kDeviceControl, 2), 0x2810u);        // reset value
    fn.config_write(at + pcie::kDeviceControl, 2, 0x0020);                   // MPS 256, MRRS 128
    EXPECT_EQ(fn.config_read(at + pcie::kDeviceControl, 2), 0x0020u);
    fn.config_write(at + pcie::kDeviceControl, 2, 0xFFFF);
    EXPECT_EQ(fn.config_read(at + pcie::kDeviceControl, 2), 0x78FFu); // ext tag, phantom, aux, FLR: 0
    fn.config_write(at + pcie::kLinkStatus, 2, 0);
    EXPECT_EQ(fn.config_read(at + pcie::kLinkStatus, 2) & 0x3FF, 0x41u);
    // PCIe hardwires the latency timer to 0.
    EXPECT_EQ(fn.config_read(reg::kLatencyTimer, 1), 0u);
    fn.config_write(reg::kLatencyTimer, 1, 0x40);
    EXPECT_EQ(fn.config_read(reg::kLatencyTimer, 1), 0u);
}

TEST(PciFunction, PowerManagementIgnoresUnsupportedStatesAndD3StopsDecoding) {
    PciFunction fn = make_nic();
    fn.add_bar(0, {BarKind::Mem32, 4096},
               {.read = [](u64 offset, unsigned) { return 0x1234 + offset; }, .write = {}});
    fn.firmware_assign_bar(0, 0xFE000000);
    fn.firmware_set_command(command::kMemorySpace);
    const u8 pm = fn.add_pm_capability();
    EXPECT_EQ(fn.config_read(pm + pm::kCapabilities, 2) & 7, 3u); // PM 1.2
    const u16 pmcsr = pm + pm::kControlStatus;
    fn.config_write(pmcsr, 2, 1); // D1 is not supported: the write completes and changes nothing
    EXPECT_EQ(fn.power_state(), 0u);
    fn.config_write(pmcsr, 2, 3);
    EXPECT_EQ(fn.power_state(), 3u);
    u64 value = 0;
    EXPECT_FALSE(fn.mmio_read(0xFE000000, 4, value)); // D3hot: only config space answers
    fn.config_write(pmcsr, 2, 0);
    EXPECT_TRUE(fn.mmio_read(0xFE000008, 4, value));
    EXPECT_EQ(value, 0x123Cu);
    EXPECT_TRUE(fn.config_read(pmcsr, 2) & pm::kNoSoftReset);
    EXPECT_TRUE(fn.memory_enabled()); // D3hot -> D0 without a soft reset keeps Command
}

TEST(PciFunction, MemoryAndIoDecodingFollowTheCommandRegister) {
    PciFunction fn = make_nic();
    std::vector<std::pair<u64, u64>> writes;
    fn.add_bar(0, {BarKind::Mem32, 4096},
               {.read = [](u64 offset, unsigned size) { return 0xA0000000 | offset << 4 | size; },
                .write = [&](u64 offset, unsigned, u64 value) { writes.emplace_back(offset, value); }});
    fn.add_bar(2, {BarKind::Io, 32},
               {.read = [](u64 offset, unsigned) { return 0x50 + offset; }, .write = {}});
    fn.firmware_assign_bar(0, 0xFEB00000);
    fn.firmware_assign_bar(2, 0xC000);
    u64 value = 0;
    u32 port_value = 0;
    EXPECT_FALSE(fn.mmio_read(0xFEB00010, 4, value)); // memory decoding off: not claimed
    EXPECT_FALSE(fn.mmio_write(0xFEB00010, 4, 1));
    EXPECT_FALSE(fn.io_read(0xC004, 1, port_value));
    fn.firmware_set_command(command::kMemorySpace);
    EXPECT_TRUE(fn.mmio_read(0xFEB00010, 4, value));
    EXPECT_EQ(value, 0xA0000104u);
    EXPECT_TRUE(fn.mmio_read(0xFEB00FF8, 8, value)); // 8-byte access
    EXPECT_EQ(value, 0xA000FF88u);
    EXPECT_TRUE(fn.mmio_write(0xFEB00020, 2, 0x12345));
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_EQ(writes[0], std::make_pair(u64(0x20), u64(0x2345))); // value cut to the access size
    EXPECT_FALSE(fn.mmio_read(0xFEB01000, 4, value));             // past the BAR
    EXPECT_FALSE(fn.mmio_read(0xFEAFFFFC, 4, value));             // below it
    EXPECT_FALSE(fn.io_read(0xC004, 1, port_value));              // I/O decoding still off
    fn.firmware_set_command(command::kIoSpace);
    EXPECT_TRUE(fn.io_read(0xC004, 1, port_value));
    EXPECT_EQ(port_value, 0x54u);
    EXPECT_FALSE(fn.io_read(0xC020, 1, port_value));
    EXPECT_FALSE(fn.mmio_read(0xFEB00010, 4, value)); // memory decoding now off
    EXPECT_THROW(fn.mmio_read(0xFEB00010, 3, value), InternalError);
}

TEST(PciFunction, InterruptDisableAndMsiGateTheIntxLine) {
    PciFunction fn = make_nic();
    fn.add_msi_capability(0, true, false);
    std::vector<bool> line;
    fn.set_intx_line([&](bool level) { line.push_back(level); });
    fn.set_intx(true);
    fn.set_intx(true); // no change, no edge
    EXPECT_EQ(line, (std::vector<bool>{true}));
    fn.firmware_set_command(command::kInterruptDisable);
    EXPECT_EQ(line, (std::vector<bool>{true, false}));
    EXPECT_TRUE(fn.status() & status::kInterrupt); // the status bit still shows the device's request
    fn.firmware_set_command(0);
    EXPECT_EQ(line, (std::vector<bool>{true, false, true}));
    // Enabling MSI takes the pin away from the function.
    fn.config_write(fn.msi_capability() + msi::kControl, 2, msi::kEnable);
    EXPECT_EQ(line.back(), false);
    fn.config_write(fn.msi_capability() + msi::kControl, 2, 0);
    EXPECT_EQ(line.back(), true);
    fn.set_intx(false);
    EXPECT_EQ(line, (std::vector<bool>{true, false, true, false, true, false}));
    // Asserting while disabled only sets Status.Interrupt.
    fn.firmware_set_command(command::kInterruptDisable);
    fn.set_intx(true);
    EXPECT_EQ(line.size(), 6u);
    EXPECT_FALSE(fn.intx_line_level());
}

TEST(PciFunction, FunctionWithoutAPinNeverDrivesTheLine) {
    PciFunction fn(0x1234, 0x5678, 0x020000, 0);
    bool raised = false;
    fn.set_intx_line([&](bool level) { raised |= level; });
    fn.set_intx(true);
    EXPECT_FALSE(raised);
    EXPECT_TRUE(fn.status() & status::kInterrupt);
    EXPECT_THROW(fn.set_interrupt_pin(5), InternalError);
}

TEST(PciFunction, ConfigChangedFiresOnCommandBarAndInterruptControlChangesOnly) {
    PciFunction fn = make_nic();
    fn.add_bar(0, {BarKind::Mem32, 4096}, {});
    fn.add_msi_capability(2, false, true);
    fn.add_msix_capability(4, 0, 0, 0, 0x800);
    int calls = 0;
    fn.set_config_changed([&] { ++calls; });
    fn.config_write(reg::kCacheLineSize, 1, 0x10);
    fn.config_write(reg::kInterruptLine, 1, 5);
    EXPECT_EQ(calls, 0);
    fn.config_write(reg::kCommand, 2, command::kBusMaster);
    EXPECT_EQ(calls, 1);
    fn.config_write(reg::kCommand, 2, command::kBusMaster); // same value: nothing changed
    EXPECT_EQ(calls, 1);
    fn.config_write(reg::kBar0, 4, 0xFFFFFFFF);
    EXPECT_EQ(calls, 2);
    fn.config_write(fn.msi_capability() + msi::kControl, 2, msi::kEnable);
    EXPECT_EQ(calls, 3);
    fn.config_write(fn.msi_capability() + msi::mask_offset(false), 4, 1);
    EXPECT_EQ(calls, 4);
    fn.config_write(fn.msix_capability() + msix::kControl, 2, msix::kEnable | msix::kFunctionMask);
    EXPECT_EQ(calls, 5);
    fn.config_write(fn.msi_capability() + msi::kAddressLow, 4, 0xFEE00000); // address: not a mode change
    EXPECT_EQ(calls, 5);
}

} // namespace
} // namespace smpsim::pci
