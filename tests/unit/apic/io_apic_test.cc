// Unit tests of the I/O APIC core (Intel 82093AA datasheet), driven without SystemC.
#include "sim/apic/apic_bus_router.h"
#include "sim/apic/io_apic.h"
#include "sim/core/log.h"
#include "tests/unit/apic/apic_fakes.h"

#include <gtest/gtest.h>

#include <sstream>

namespace smpsim::apic {
namespace {

using test::FakeCpu;
using test::RecordingBus;

class IoApicTest : public ::testing::Test {
  protected:
    IoApicTest() : ioapic(2) { ioapic.set_bus(&bus); }
    u32 reg(u8 index) {
        ioapic.write(IoApic::kRegSel, index);
        return ioapic.read(IoApic::kWindow);
    }
    void set_reg(u8 index, u32 value) {
        ioapic.write(IoApic::kRegSel, index);
        ioapic.write(IoApic::kWindow, value);
    }
    void program(unsigned pin, u32 low, u8 dest = 0) {
        set_reg(u8(0x11 + 2 * pin), u32(dest) << 24);
        set_reg(u8(0x10 + 2 * pin), low);
    }

    RecordingBus bus;
    IoApic ioapic;
};

// 82093AA 3.2.1-3.2.3: ID (bits 27:24), version 0x11 with 24 entries (max redirection entry 0x17),
// arbitration ID; IOREGSEL reads back.
TEST_F(IoApicTest, IdVersionArbitrationRegisters) {
    EXPECT_EQ(reg(IoApic::kRegVersion), 0x00170011u);
    EXPECT_EQ(reg(IoApic::kRegId), 0x02000000u);
    EXPECT_EQ(reg(IoApic::kRegArbitration), 0x02000000u);
    set_reg(IoApic::kRegId, 0xFFFFFFFF);
    EXPECT_EQ(reg(IoApic::kRegId), 0x0F000000u);
    set_reg(IoApic::kRegVersion, 0);
    EXPECT_EQ(reg(IoApic::kRegVersion), 0x00170011u);
    ioapic.write(IoApic::kRegSel, 0x13);
    EXPECT_EQ(ioapic.read(IoApic::kRegSel), 0x13u);
    EXPECT_EQ(reg(0x03), 0u); // reserved
    EXPECT_EQ(reg(0x40), 0u); // beyond the table
}

// 82093AA 3.2.4: entries reset masked; delivery status and remote IRR are read-only.
TEST_F(IoApicTest, RedirectionEntryProgramming) {
    for (unsigned n = 0; n < IoApic::kPins; ++n) {
        EXPECT_EQ(reg(u8(0x10 + 2 * n)), u32(IoApic::kMasked)) << n;
        EXPECT_EQ(reg(u8(0x11 + 2 * n)), 0u) << n;
    }
    set_reg(0x10 + 2 * 5, 0xFFFFFFFF);
    set_reg(0x11 + 2 * 5, 0xFFFFFFFF);
    EXPECT_EQ(reg(0x10 + 2 * 5), 0x1AFFFu); // no delivery status (12), no remote IRR (14), no bits above 16
    EXPECT_EQ(reg(0x11 + 2 * 5), 0xFF000000u);
    EXPECT_EQ(ioapic.redirection(5), 0xFF0000000001AFFFull);
    EXPECT_TRUE(bus.sent.empty());
}

// 82093AA 3.2.4, table "IOREDTBL": where each named field of an entry lives.
TEST(IoApicRedirectionEntry, FieldsSitWhereTheDatasheetPutsThem) {
    using E = RedirectionEntry;
    static_assert(E::Vector::kMask == 0x00000000000000FFull);
    static_assert(E::DeliveryModeBits::kMask == 0x0000000000000700ull);
    static_assert(E::DestinationMode::kMask == 1ull << 11);
    static_assert(E::DeliveryStatus::kMask == 1ull << 12);
    static_assert(E::Polarity::kMask == 1ull << 13);
    static_assert(E::RemoteIrr::kMask == 1ull << 14);
    static_assert(E::TriggerMode::kMask == 1ull << 15);
    static_assert(E::Mask::kMask == 1ull << 16);
    static_assert(E::Destination::kMask == 0xFF00000000000000ull);
    const E e{0x070000000001A931ull}; // dest 7, masked, level, active low, logical, lowest priority, 0x31
    EXPECT_EQ(e.vector(), 0x31);
    EXPECT_EQ(e.delivery_mode(), DeliveryMode::LowestPriority);
    EXPECT_TRUE(e.logical());
    EXPECT_TRUE(e.active_low());
    EXPECT_FALSE(e.remote_irr());
    EXPECT_TRUE(e.level_triggered());
    EXPECT_TRUE(e.masked());
    EXPECT_EQ(e.destination(), 7);
}

// Reserved registers and MMIO offsets read 0, ignore writes, and are reported once per cause.
TEST_F(IoApicTest, ReservedRegistersAreLoggedOncePerCause) {
    std::ostringstream out;
    log::logger().reset();
    log::logger().configure(log::kDefaultCategories, false, &out);
    EXPECT_EQ(reg(0x03), 0u);
    EXPECT_EQ(reg(0x40), 0u);
    set_reg(0x40, 1);
    EXPECT_EQ(ioapic.read(0x04), 0u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "ioapic IOWIN unknown register read"), 2u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "ioapic IOWIN unknown register write"), 1u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "ioapic unknown register read"), 1u);
    EXPECT_EQ(out.str(), "smpsim: unimp: ioapic IOWIN: unknown register read at 0x03\n"
                         "smpsim: unimp: ioapic IOWIN: unknown register write at 0x40\n"
                         "smpsim: unimp: ioapic: unknown register read at 0x04\n");
    log::logger().reset();
}

// 82093AA 3.2.4 (trigger mode): an edge-triggered pin sends one message per asserted edge.
TEST_F(IoApicTest, EdgePinSendsOneMessagePerEdge) {
    program(1, IoApic::kLogical | 0x100 | 0x31, 0x0F);
    ioapic.pin(1).set_level(true);
    ioapic.pin(1).set_level(true);
    ASSERT_EQ(bus.sent.size(), 1u);
    const ApicMessage& m = bus.sent[0];
    EXPECT_EQ(m.vector, 0x31);
    EXPECT_EQ(m.mode, DeliveryMode::LowestPriority);
    EXPECT_TRUE(m.logical);
    EXPECT_EQ(m.destination, 0x0Fu);
    EXPECT_FALSE(m.level_triggered);
    EXPECT_EQ(m.shorthand, DestShorthand::None);
    ioapic.pin(1).set_level(false);
    EXPECT_EQ(bus.sent.size(), 1u);
    ioapic.pin(1).set_level(true);
    EXPECT_EQ(bus.sent.size(), 2u);
    EXPECT_FALSE(ioapic.redirection(1) & IoApic::kRemoteIrr);
}

// 82093AA 3.2.4: edges on a masked pin are lost.
TEST_F(IoApicTest, MaskedEdgeIsLost) {
    program(2, IoApic::kMasked | 0x32);
    ioapic.pin(2).set_level(true);
    program(2, 0x32);
    EXPECT_TRUE(bus.sent.empty());
}

// 82093AA 3.2.4 (remote IRR): a level interrupt sets remote IRR when sent; no more messages until EOI.
TEST_F(IoApicTest, LevelPinSetsRemoteIrrUntilEoi) {
    program(9, IoApic::kLevelTrigger | 0x49, 1);
    ioapic.pin(9).set_level(true);
    ASSERT_EQ(bus.sent.size(), 1u);
    EXPECT_TRUE(bus.sent[0].level_triggered);
    EXPECT_EQ(bus.sent[0].destination, 1u);
    EXPECT_TRUE(reg(0x10 + 2 * 9) & IoApic::kRemoteIrr);
    ioapic.pin(9).set_level(false);
    ioapic.pin(9).set_level(true);
    EXPECT_EQ(bus.sent.size(), 1u);
    ioapic.eoi(0x48); // another vector: no effect
    EXPECT_TRUE(reg(0x10 + 2 * 9) & IoApic::kRemoteIrr);
    ioapic.pin(9).set_level(false);
    ioapic.eoi(0x49);
    EXPECT_FALSE(reg(0x10 + 2 * 9) & IoApic::kRemoteIrr);
    EXPECT_EQ(bus.sent.size(), 1u);
}

// 82093AA 3.2.4: after the EOI a still-asserted level line is delivered again.
TEST_F(IoApicTest, EoiRedeliversStillAssertedLevelPin) {
    program(10, IoApic::kLevelTrigger | 0x4A);
    ioapic.pin(10).set_level(true);
    ioapic.eoi(0x4A);
    EXPECT_EQ(bus.sent.size(), 2u);
    EXPECT_TRUE(reg(0x10 + 2 * 10) & IoApic::kRemoteIrr);
}

// A masked level interrupt is sent when unmasked if the line is still asserted.
TEST_F(IoApicTest, MaskedLevelPinSentWhenUnmasked) {
    program(11, IoApic::kMasked | IoApic::kLevelTrigger | 0x4B);
    ioapic.pin(11).set_level(true);
    EXPECT_TRUE(bus.sent.empty());
    program(11, IoApic::kLevelTrigger | 0x4B);
    EXPECT_EQ(bus.sent.size(), 1u);
    EXPECT_TRUE(reg(0x10 + 2 * 11) & IoApic::kRemoteIrr);
}

// 82093AA 3.2.4 (interrupt input pin polarity): active low, as PCI INTx lines are.
TEST_F(IoApicTest, PolarityLow) {
    program(16, IoApic::kPolarityLow | IoApic::kLevelTrigger | 0x60);
    EXPECT_EQ(bus.sent.size(), 1u); // a low (idle-at-reset) line counts as asserted at once
    ioapic.pin(16).set_level(true); // deasserted
    ioapic.eoi(0x60);
    EXPECT_EQ(bus.sent.size(), 1u);
    ioapic.pin(16).set_level(false); // asserted
    EXPECT_EQ(bus.sent.size(), 2u);
}

// Edge polarity low: the falling electrical edge is the assertion.
TEST_F(IoApicTest, PolarityLowEdge) {
    ioapic.pin(4).set_level(true);
    program(4, IoApic::kPolarityLow | 0x34);
    ioapic.pin(4).set_level(false);
    EXPECT_EQ(bus.sent.size(), 1u);
    ioapic.pin(4).set_level(true);
    EXPECT_EQ(bus.sent.size(), 1u);
}

// End to end (SDM 10.8.5 + 82093AA): a level interrupt reaches a local APIC through the router, the
// handler's EOI clears remote IRR via the broadcast EOI, and a still-asserted line comes back.
TEST(IoApicSystem, LevelInterruptRoundTripThroughLocalApic) {
    ApicBusRouter router;
    IoApic ioapic(0);
    LocalApic apic0(0), apic1(1);
    FakeCpu cpu0, cpu1;
    apic0.set_sink(&cpu0);
    apic1.set_sink(&cpu1);
    router.add_local_apic(apic0);
    router.add_local_apic(apic1);
    router.add_io_apic(ioapic);
    apic0.write(LocalApic::kSvr, 0x1FF, 0);
    apic1.write(LocalApic::kSvr, 0x1FF, 0);

    ioapic.write_register(0x10 + 2 * 3 + 1, 1u << 24);
    ioapic.write_register(0x10 + 2 * 3, IoApic::kLevelTrigger | 0x53);
    ioapic.pin(3).set_level(true);
    EXPECT_TRUE(cpu1.intr);
    EXPECT_FALSE(cpu0.intr);
    EXPECT_TRUE(apic1.tmr_bit(0x53));
    EXPECT_EQ(apic1.acknowledge(), 0x53);
    apic1.write(LocalApic::kEoi, 0, 0); // device still asserting: delivered again
    EXPECT_EQ(router.eois(), 1u);
    EXPECT_TRUE(apic1.irr_bit(0x53));
    EXPECT_EQ(apic1.acknowledge(), 0x53);
    ioapic.pin(3).set_level(false); // the handler quietened the device
    apic1.write(LocalApic::kEoi, 0, 0);
    EXPECT_FALSE(ioapic.redirection(3) & IoApic::kRemoteIrr);
    EXPECT_FALSE(apic1.has_pending());
    EXPECT_EQ(ioapic.messages_sent(), 2u);
}

// A message no APIC accepts is dropped (and counted).
TEST(IoApicSystem, UnacceptedMessageIsDropped) {
    ApicBusRouter router;
    IoApic ioapic(0);
    LocalApic apic0(0);
    router.add_local_apic(apic0);
    router.add_io_apic(ioapic);
    apic0.write(LocalApic::kSvr, 0x1FF, 0);
    ioapic.write_register(0x11, 7u << 24);
    ioapic.write_register(0x10, 0x40);
    ioapic.pin(0).set_level(true);
    EXPECT_EQ(router.dropped(), 1u);
    EXPECT_FALSE(apic0.irr_bit(0x40));
}

} // namespace
} // namespace smpsim::apic

#include "sim/apic/msi.h"

namespace smpsim::apic {
namespace {

// SDM 10.11.1/10.11.2: MSI address and data formats.
TEST(Msi, AddressAndDataDecodeIntoAnApicMessage) {
    EXPECT_TRUE(is_msi_address(0xFEE01000));
    EXPECT_FALSE(is_msi_address(0xFEC00000));
    const ApicMessage m = msi_message(0xFEE0300C, 0x0000C1A5);
    EXPECT_EQ(m.destination, 0x03u);
    EXPECT_TRUE(m.logical);
    EXPECT_EQ(m.vector, 0xA5);
    EXPECT_EQ(m.mode, DeliveryMode::LowestPriority);
    EXPECT_TRUE(m.level_triggered);
    EXPECT_EQ(m.shorthand, DestShorthand::None);
    const ApicMessage p = msi_message(0xFEE02000, 0x41);
    EXPECT_EQ(p.destination, 0x02u);
    EXPECT_FALSE(p.logical);
    EXPECT_EQ(p.mode, DeliveryMode::Fixed);
    EXPECT_FALSE(p.level_triggered);
}

// An MSI through the router lands in the addressed APIC's IRR.
TEST(Msi, MessageReachesAddressedApic) {
    ApicBusRouter router;
    LocalApic a0(0), a1(1);
    router.add_local_apic(a0);
    router.add_local_apic(a1);
    a0.write(LocalApic::kSvr, 0x1FF, 0);
    a1.write(LocalApic::kSvr, 0x1FF, 0);
    router.send(msi_message(0xFEE01000, 0x61));
    EXPECT_TRUE(a1.irr_bit(0x61));
    EXPECT_FALSE(a0.irr_bit(0x61));
}

} // namespace
} // namespace smpsim::apic
