// The register table and the registers' access rules: reset values, writable bits, read-clear, aliases,
// unknown offsets, EEPROM, MDIC, reset, the software semaphore.
#include "core_test_support.h"

#include "sim/core/error.h"
#include "sim/core/log.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace smpsim::igb::test {
namespace {

struct Instance {
    const RegisterSpec* spec;
    unsigned index;
    u32 offset;
};

std::vector<Instance> all_instances(bool with_aliases) {
    std::vector<Instance> out;
    for (const RegisterSpec& spec : IgbCore::register_table()) {
        for (unsigned i = 0; i < spec.count; ++i) {
            out.push_back({&spec, i, spec.offset + i * spec.stride});
            if (with_aliases && i < spec.alias_count)
                out.push_back({&spec, i, spec.alias_offset + i * spec.alias_stride});
        }
    }
    return out;
}

std::string describe(const Instance& r) {
    return std::string(r.spec->name) + "[" + std::to_string(r.index) + "] at 0x" +
           fmt::format("{:05x}", r.offset);
}

TEST(IgbRegisterTable, OffsetsAreUniqueAlignedAndInsideBar0) {
    std::map<u32, std::string> seen;
    std::set<std::string_view> names;
    for (const RegisterSpec& spec : IgbCore::register_table()) {
        EXPECT_TRUE(names.insert(spec.name).second) << "duplicate name " << spec.name;
        EXPECT_GE(spec.count, 1);
    }
    for (const Instance& r : all_instances(true)) {
        EXPECT_EQ(r.offset % 4, 0u) << describe(r);
        EXPECT_LT(r.offset, kBar0Size) << describe(r);
        auto [it, inserted] = seen.emplace(r.offset, describe(r));
        EXPECT_TRUE(inserted) << describe(r) << " overlaps " << it->second;
    }
}

TEST(IgbRegisterTable, EveryRegisterReadsItsResetValue) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    for (const Instance& r : all_instances(true)) {
        if (r.spec->on_read) continue; // computed or with side effects: covered by their own tests
        const u32 expected = r.spec->access == RegAccess::WriteOnly ? 0 : r.spec->reset;
        if (r.offset == RAL0 || r.offset == RAH0) continue; // loaded from the NVM, checked below
        EXPECT_EQ(core.read(r.offset), expected) << describe(r);
        EXPECT_EQ(core.peek(r.offset), r.spec->reset) << describe(r);
    }
    EXPECT_EQ(core.unknown_register_accesses(), 0u);
}

TEST(IgbRegisterTable, PlainRegistersStoreExactlyTheirWritableBits) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    for (const Instance& r : all_instances(true)) {
        const RegisterSpec& spec = *r.spec;
        if (spec.on_read || spec.on_write) continue;
        const u32 before = core.peek(r.offset);
        switch (spec.access) {
        case RegAccess::ReadWrite:
            core.write(r.offset, 0xFFFFFFFF);
            EXPECT_EQ(core.read(r.offset), (before & ~spec.writable) | spec.writable) << describe(r);
            core.write(r.offset, 0);
            EXPECT_EQ(core.read(r.offset), before & ~spec.writable) << describe(r);
            core.write(r.offset, 0xA5A5A5A5);
            EXPECT_EQ(core.read(r.offset), (before & ~spec.writable) | (0xA5A5A5A5 & spec.writable))
                << describe(r);
            break;
        case RegAccess::ReadOnly:
            core.write(r.offset, ~before);
            EXPECT_EQ(core.read(r.offset), before) << describe(r);
            break;
        case RegAccess::ReadClear:
            core.write(r.offset, 77); // writes are ignored
            EXPECT_EQ(core.peek(r.offset), 0u) << describe(r);
            core.poke(r.offset, 123);
            EXPECT_EQ(core.read(r.offset), 123u) << describe(r);
            EXPECT_EQ(core.read(r.offset), 0u) << describe(r) << " is not clear-on-read";
            break;
        case RegAccess::WriteOnly: EXPECT_EQ(core.read(r.offset), 0u) << describe(r); break;
        }
    }
}

TEST(IgbRegisterTable, QueueZeroToThreeAnswerAtTheirAliases) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(0x2800 + 0x100 * 2, 0x12345670); // RDBAL2, 82575-compatible alias
    EXPECT_EQ(core.read(rxq(2, kQBaseLow)), 0x12345670u);
    core.write(txq(3, kQTail), 5);
    EXPECT_EQ(core.read(0x3818 + 0x100 * 3), 5u);
    // Queue 4 has no alias: 0x2800 + 0x400 is not a register.
    EXPECT_EQ(core.read(0x2C00), 0u);
    EXPECT_EQ(core.unknown_register_accesses(), 1u);
}

TEST(IgbRegisters, UnknownOffsetsReadZeroIgnoreWritesAndAreLoggedOnce) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    smpsim::log::logger().reset();
    testing::internal::CaptureStderr();
    EXPECT_EQ(core.read(0x0004), 0u);
    EXPECT_EQ(core.read(0x0004), 0u);
    core.write(0x0004, 0xDEAD);
    EXPECT_EQ(core.read(0x0004), 0u);
    core.write(0x1FFFC, 1);            // last dword of BAR0, unknown
    EXPECT_EQ(core.read(0x20000), 0u); // past BAR0
    EXPECT_EQ(core.read(0x0002), 0u);  // misaligned
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(core.unknown_register_accesses(), 7u);
    // Printed once per cause (read, write), counted every time.
    EXPECT_NE(log.find("igb: unknown register read at 0x00004"), std::string::npos) << log;
    EXPECT_NE(log.find("igb: unknown register write at 0x00004"), std::string::npos) << log;
    EXPECT_EQ(log.find("unknown register", log.find("unknown register write") + 1), std::string::npos)
        << "logged more than once per cause: " << log;
    EXPECT_EQ(smpsim::log::logger().count(smpsim::log::Category::Unimp, "igb unknown register read"), 5u);
    EXPECT_EQ(smpsim::log::logger().count(smpsim::log::Category::Unimp, "igb unknown register write"), 2u);
}

TEST(IgbRegisters, EepromHoldsTheMacAndTheChecksum) {
    FakeHost host;
    IgbCore core(IgbConfig{.mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}}, host);
    auto eerd = [&](u32 word) {
        core.write(EERD, (word << kEerdAddrShift) | kEerdStart);
        const u32 v = core.read(EERD);
        EXPECT_TRUE(v & kEerdDone);
        EXPECT_EQ((v >> kEerdAddrShift) & kEerdAddrMask, word);
        return u16(v >> kEerdDataShift);
    };
    EXPECT_EQ(eerd(0), 0x1102);
    EXPECT_EQ(eerd(1), 0x3322);
    EXPECT_EQ(eerd(2), 0x5544);
    u16 sum = 0;
    for (u32 w = 0; w < 64; ++w)
        sum = u16(sum + eerd(w));
    EXPECT_EQ(sum, 0xBABA);
    EXPECT_EQ(eerd(200), 0xFFFF); // past the image: erased
    // EECD: NVM present, auto-read done, 64-word size field (0).
    EXPECT_EQ(core.read(EECD) & (kEecdPresent | kEecdAutoReadDone), kEecdPresent | kEecdAutoReadDone);
    EXPECT_EQ(core.read(EECD) & 0x7800, 0u);
    // RAL0/RAH0 are loaded from the NVM's MAC, valid.
    EXPECT_EQ(core.read(RAL0), 0x33221102u);
    EXPECT_EQ(core.read(RAH0), 0x5544u | kRahAddressValid);
}

TEST(IgbRegisters, EecdGrantsDirectAccessOnRequest) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(EECD, core.read(EECD) | kEecdRequest);
    EXPECT_TRUE(core.read(EECD) & kEecdGrant);
    core.write(EECD, core.read(EECD) & ~kEecdRequest);
    EXPECT_FALSE(core.read(EECD) & kEecdGrant);
    EXPECT_TRUE(core.read(EECD) & kEecdPresent);
}

TEST(IgbRegisters, MdicReadsThePhyAndCompletesAtOnce) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    auto phy_read = [&](u32 reg) {
        core.write(MDIC, kMdicOpRead | (1u << kMdicPhyShift) | (reg << kMdicRegShift));
        const u32 v = core.read(MDIC);
        EXPECT_TRUE(v & kMdicReady);
        EXPECT_FALSE(v & kMdicError);
        return u16(v & kMdicDataMask);
    };
    EXPECT_EQ((u32(phy_read(2)) << 16 | (phy_read(3) & 0xFFF0)), 0x02A80390u); // IGP3 PHY ID
    EXPECT_EQ(phy_read(1) & 0x4, 0); // link down before set_link(true)
    core.set_link(true);
    EXPECT_EQ(phy_read(1) & 0x24, 0x24); // link up, autonegotiation complete
    core.write(MDIC, kMdicOpWrite | (1u << kMdicPhyShift) | (4u << kMdicRegShift) | 0x01E1);
    EXPECT_TRUE(core.read(MDIC) & kMdicReady);
    EXPECT_EQ(phy_read(4), 0x01E1);
    core.write(MDIC, kMdicOpWrite | (0u << kMdicRegShift) | 0x9140); // BMCR reset: self-clearing
    EXPECT_EQ(phy_read(0), 0x1140);
    core.write(MDIC, (3u << 26)); // reserved opcode
    EXPECT_TRUE(core.read(MDIC) & kMdicError);
}

TEST(IgbRegisters, StatusReportsLinkSpeedAndDuplex) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    EXPECT_EQ(core.read(STATUS) & kStatusLinkUp, 0u);
    core.set_link(true);
    const u32 status = core.read(STATUS);
    EXPECT_TRUE(status & kStatusLinkUp);
    EXPECT_TRUE(status & kStatusFullDuplex);
    EXPECT_EQ(status & (3u << 6), kStatusSpeed1000);
    EXPECT_TRUE(core.read(ICR) & kIcrLinkStatusChange);
    EXPECT_FALSE(core.read(STATUS) & kStatusGioMasterEnable);
    core.set_bus_master(true);
    EXPECT_TRUE(core.read(STATUS) & kStatusGioMasterEnable);
    core.write(CTRL, core.read(CTRL) | kCtrlGioMasterDisable);
    EXPECT_FALSE(core.read(STATUS) & kStatusGioMasterEnable);
}

TEST(IgbRegisters, CtrlResetSelfClearsAndRestoresResetValues) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.set_link(true);
    core.write(IMS, kIcrRxDescWritten);
    core.write(RCTL, kRctlEnable);
    core.write(MTA0 + 8, 0xFFFF);
    core.write(RAL0, 0);
    core.write(CTRL, core.read(CTRL) | kCtrlSetLinkUp | kCtrlReset);
    EXPECT_EQ(core.read(CTRL) & kCtrlReset, 0u);
    EXPECT_EQ(core.read(IMS), 0u);
    EXPECT_EQ(core.read(RCTL), 0u);
    EXPECT_EQ(core.read(MTA0 + 8), 0u);
    EXPECT_EQ(core.read(RAL0), 0x12005452u);        // reloaded from the NVM
    EXPECT_TRUE(core.read(STATUS) & kStatusLinkUp); // the wire did not change
    core.write(CTRL, kCtrlSetLinkUp | kCtrlVlanModeEnable);
    EXPECT_EQ(core.read(CTRL), kCtrlSetLinkUp | kCtrlVlanModeEnable);
}

TEST(IgbRegisters, SoftwareSemaphoreIsTakenByTheFirstRead) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 0u); // free: this read took it
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 1u); // taken
    core.write(SWSM, 0);                             // released
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 0u);
}

TEST(IgbRegisters, EitrKeepsIntervalAndReadsCountersAsZero) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(eitr(3), 196 | kEitrCounterIgnore);
    EXPECT_EQ(core.read(eitr(3)), 196u);
    core.write(eitr(24), 0xFFFFFFFF);
    EXPECT_EQ(core.read(eitr(24)), kEitrIntervalMask | kEitrLowLatencyEnable);
}

TEST(IgbRegisters, RxDescCtlEnableReadsBack) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(rxq(5, kQDescCtl), kQueueEnable | kQueueSoftwareFlush | 0x10);
    EXPECT_EQ(core.read(rxq(5, kQDescCtl)), kQueueEnable | 0x10);
    core.write(txq(5, kQDescCtl), kQueueEnable);
    EXPECT_EQ(core.read(txq(5, kQDescCtl)), kQueueEnable);
}

TEST(IgbRegisters, MulticastMacIsAnInternalError) {
    FakeHost host;
    EXPECT_THROW(IgbCore(IgbConfig{.mac = {0x01, 0, 0x5e, 0, 0, 1}}, host), InternalError);
}

TEST(IgbCrc, MatchesTheCrc32CheckValue) {
    const std::string check = "123456789";
    EXPECT_EQ(ethernet_crc32(std::span<const u8>(reinterpret_cast<const u8*>(check.data()), check.size())),
              0xCBF43926u);
    EXPECT_EQ(ethernet_crc32({}), 0u);
}

} // namespace
} // namespace smpsim::igb::test
