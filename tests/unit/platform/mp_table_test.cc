// The MP configuration table as MP spec 1.4 lays it out: checksums, header fields and entries.
#include "sim/platform/mp_table.h"

#include "sim/core/error.h"

#include <gtest/gtest.h>

#include <vector>

namespace smpsim::platform {
namespace {

u32 le32(const std::vector<u8>& b, size_t at) {
    return u32(b[at]) | u32(b[at + 1]) << 8 | u32(b[at + 2]) << 16 | u32(b[at + 3]) << 24;
}
u16 le16(const std::vector<u8>& b, size_t at) {
    return u16(b[at] | b[at + 1] << 8);
}
u8 sum(const std::vector<u8>& b, size_t begin, size_t len) {
    u8 s = 0;
    for (size_t i = begin; i < begin + len; ++i)
        s = u8(s + b[i]);
    return s;
}

TEST(MpTable, FloatingPointerHasSignatureChecksumAndPointsAtTheTable) {
    const auto b = build_mp_table({.cpus = 4}, 0xf0000);
    EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "_MP_");
    EXPECT_EQ(le32(b, 4), 0xf0010u);
    EXPECT_EQ(b[8], 1); // one paragraph
    EXPECT_EQ(b[9], 4); // version 1.4
    EXPECT_EQ(sum(b, 0, 16), 0);
    EXPECT_EQ(b[11], 0); // feature 1 = 0: the table is present, not a default configuration
}

TEST(MpTable, ConfigurationTableLengthCountAndChecksumAreConsistent) {
    const auto b = build_mp_table({.cpus = 4}, 0xf0000);
    EXPECT_EQ(std::string(b.begin() + 16, b.begin() + 20), "PCMP");
    const u16 length = le16(b, 16 + 4);
    EXPECT_EQ(16u + length, b.size());
    EXPECT_EQ(sum(b, 16, length), 0);
    EXPECT_EQ(le32(b, 16 + 36), 0xfee00000u);
    // 4 processors + bus + I/O APIC + 16 I/O interrupt assignments (ExtINT + 15 ISA IRQs) + 2 local.
    EXPECT_EQ(le16(b, 16 + 34), 4 + 1 + 1 + 16 + 2);
}

TEST(MpTable, ProcessorEntriesNameEachApicIdAndOnlyCpu0IsTheBootstrapProcessor) {
    const auto b = build_mp_table({.cpus = 3}, 0xf0000);
    const size_t first = 16 + 44;
    for (unsigned i = 0; i < 3; ++i) {
        const size_t e = first + i * 20;
        EXPECT_EQ(b[e], 0) << "entry type processor";
        EXPECT_EQ(b[e + 1], i) << "APIC ID";
        EXPECT_EQ(b[e + 3] & 1, 1) << "enabled";
        EXPECT_EQ((b[e + 3] >> 1) & 1, i == 0 ? 1 : 0) << "BSP flag";
    }
}

TEST(MpTable, Irq0IsAssignedToIoApicPin2AndOtherIsaIrqsToTheirOwnPin) {
    const auto b = build_mp_table({.cpus = 1, .ioapic_id = 1}, 0xf0000);
    size_t at = 16 + 44 + 20 + 8 + 8; // after one processor, the bus and the I/O APIC
    int seen = 0;
    for (; at + 8 <= b.size() && b[at] == 3; at += 8) {
        const u8 type = b[at + 1], irq = b[at + 5], apic = b[at + 6], pin = b[at + 7];
        EXPECT_EQ(apic, 1);
        if (type == 3) {
            EXPECT_EQ(pin, 0) << "ExtINT on pin 0";
            continue;
        }
        EXPECT_EQ(pin, irq == 0 ? 2 : irq) << "IRQ " << int(irq);
        ++seen;
    }
    EXPECT_EQ(seen, 15);
}

TEST(MpTable, InstallRejectsATableThatDoesNotFitInRam) {
    std::vector<u8> ram(0xf0000 + 8);
    EXPECT_THROW(install_mp_table(ram, {.cpus = 2}), InternalError);
    std::vector<u8> big(0x100000);
    install_mp_table(big, {.cpus = 2});
    EXPECT_EQ(big[0xf0000], '_');
}

TEST(MpTable, PciInterruptEntriesNameTheDeviceAndPinLevelTriggeredActiveLow) {
    MpTableConfig config{.cpus = 2, .ioapic_id = 2};
    config.pci_interrupts.push_back({.device = 3, .pin = 0, .ioapic_pin = 16});
    const auto b = build_mp_table(config, 0xf0000);
    const u16 length = le16(b, 16 + 4);
    EXPECT_EQ(sum(b, 16, length), 0);
    // 2 processors + ISA bus + PCI bus + I/O APIC + 16 + 1 PCI I/O interrupt + 2 local.
    EXPECT_EQ(le16(b, 16 + 34), 2 + 2 + 1 + 16 + 1 + 2);
    bool found_bus = false, found_irq = false;
    size_t e = 16 + 44;
    while (e < b.size()) {
        const u8 type = b[e];
        if (type == 1 && b[e + 1] == kMpPciBusId) {
            EXPECT_EQ(std::string(b.begin() + e + 2, b.begin() + e + 5), "PCI");
            found_bus = true;
        }
        if (type == 3 && b[e + 4] == kMpPciBusId) {
            EXPECT_EQ(le16(b, e + 2), 0x0f) << "level, active low";
            EXPECT_EQ(b[e + 5], (3 << 2) | 0) << "device 3, INTA#";
            EXPECT_EQ(b[e + 6], 2) << "I/O APIC ID";
            EXPECT_EQ(b[e + 7], 16) << "pin";
            found_irq = true;
        }
        e += type == 0 ? 20 : 8;
    }
    EXPECT_TRUE(found_bus);
    EXPECT_TRUE(found_irq);
}

} // namespace
} // namespace smpsim::platform
