// Unit tests of the local APIC core (Intel SDM vol. 3, chapter 10), driven without SystemC.
#include "sim/apic/apic_bus_router.h"
#include "sim/apic/local_apic.h"
#include "sim/core/log.h"
#include "tests/unit/apic/apic_fakes.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

namespace smpsim::apic {
namespace {

using test::FakeCpu;
using test::FakeExtInt;
using test::RecordingBus;
using L = LocalApic;

constexpr u32 kEnabled = L::kSvrEnable | 0xFF; // software-enabled, spurious vector 0xFF

ApicMessage fixed(u8 vector, bool level = false) {
    ApicMessage m;
    m.vector = vector;
    m.level_triggered = level;
    return m;
}

class LocalApicTest : public ::testing::Test {
  protected:
    LocalApicTest() : apic(3) {
        apic.set_sink(&cpu);
        apic.set_bus(&bus);
        apic.write(L::kSvr, kEnabled, 0);
    }
    u32 rd(u32 offset) { return apic.read(offset, now); }
    void wr(u32 offset, u32 value) { apic.write(offset, value, now); }

    FakeCpu cpu;
    RecordingBus bus;
    LocalApic apic;
    u64 now = 0;
};

// ---------------------------------------------------------------------------------------------------
// Registers

// SDM 10.4.7.1 (state after power-up reset), 10.4.6 (ID), 10.4.8 (version).
TEST(LocalApicRegisters, ResetValues) {
    LocalApic apic(5);
    EXPECT_EQ(apic.read(L::kId, 0), 5u << 24);
    EXPECT_EQ(apic.read(L::kVersion, 0), 0x00050014u); // version 0x14, max LVT entry 5
    EXPECT_EQ(apic.read(L::kTpr, 0), 0u);
    EXPECT_EQ(apic.read(L::kApr, 0), 0u);
    EXPECT_EQ(apic.read(L::kPpr, 0), 0u);
    EXPECT_EQ(apic.read(L::kLdr, 0), 0u);
    EXPECT_EQ(apic.read(L::kDfr, 0), 0xFFFFFFFFu);
    EXPECT_EQ(apic.read(L::kSvr, 0), 0xFFu);
    EXPECT_FALSE(apic.software_enabled());
    for (u32 off = L::kIsr; off < L::kIrr + 0x80; off += 0x10)
        EXPECT_EQ(apic.read(off, 0), 0u) << off;
    EXPECT_EQ(apic.read(L::kEsr, 0), 0u);
    EXPECT_EQ(apic.read(L::kIcrLow, 0), 0u);
    EXPECT_EQ(apic.read(L::kIcrHigh, 0), 0u);
    for (u32 off : {L::kLvtTimer, L::kLvtThermal, L::kLvtPerf, L::kLvtLint0, L::kLvtLint1, L::kLvtError})
        EXPECT_EQ(apic.read(off, 0), L::kMasked) << off;
    EXPECT_EQ(apic.read(L::kTimerInitial, 0), 0u);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 0), 0u);
    EXPECT_EQ(apic.read(L::kTimerDivide, 0), 0u);
}

// SDM 10.4.6: the xAPIC ID lives in bits 31:24.
TEST_F(LocalApicTest, IdRegisterKeepsBits31To24) {
    wr(L::kId, 0x07123456);
    EXPECT_EQ(rd(L::kId), 0x07000000u);
    EXPECT_EQ(apic.id(), 7);
}

// SDM 10.4.8, 10.8.3.1, 10.8.4: version, APR, PPR, ISR, TMR, IRR and the current count are read-only.
TEST_F(LocalApicTest, ReadOnlyRegistersIgnoreWrites) {
    for (u32 off : {L::kVersion, L::kApr, L::kPpr, L::kTimerCurrent}) {
        const u32 before = rd(off);
        wr(off, 0xFFFFFFFF);
        EXPECT_EQ(rd(off), before) << off;
    }
    for (u32 off = L::kIsr; off < L::kIrr + 0x80; off += 0x10) {
        wr(off, 0xFFFFFFFF);
        EXPECT_EQ(rd(off), 0u) << off;
    }
    EXPECT_FALSE(cpu.intr);
    wr(L::kEsr, 0);
    EXPECT_EQ(rd(L::kEsr), 0u); // no illegal-register error for read-only registers
}

// SDM 10.6.2.2: LDR bits 31:24 hold the logical ID; DFR bits 31:28 the model, the rest read as 1.
TEST_F(LocalApicTest, LdrAndDfrWritableBits) {
    wr(L::kLdr, 0xA5FFFFFF);
    EXPECT_EQ(rd(L::kLdr), 0xA5000000u);
    wr(L::kDfr, 0x00000000);
    EXPECT_EQ(rd(L::kDfr), 0x0FFFFFFFu); // cluster model
    wr(L::kDfr, 0xF0000000);
    EXPECT_EQ(rd(L::kDfr), 0xFFFFFFFFu); // flat model
}

// SDM 10.5.1 (figure "Local Vector Table"): each LVT entry keeps only its defined bits; delivery status
// and remote IRR are read-only.
TEST_F(LocalApicTest, LvtWritableBits) {
    wr(L::kLvtTimer, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtTimer), 0x300FFu); // vector, mask, periodic (no TSC-deadline mode)
    wr(L::kLvtThermal, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtThermal), 0x107FFu);
    wr(L::kLvtPerf, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtPerf), 0x107FFu);
    wr(L::kLvtLint0, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtLint0), 0x1A7FFu); // vector, mode, polarity, trigger, mask
    wr(L::kLvtLint1, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtLint1), 0x1A7FFu);
    wr(L::kLvtError, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kLvtError), 0x100FFu);
    wr(L::kTimerDivide, 0xFFFFFFFF);
    EXPECT_EQ(rd(L::kTimerDivide), 0xBu);
    EXPECT_FALSE(cpu.intr);
}

// SDM 10.9: SVR has the spurious vector, APIC software enable (bit 8) and focus checking (bit 9).
TEST_F(LocalApicTest, SvrWritableBits) {
    wr(L::kSvr, 0xFFFFF1EF);
    EXPECT_EQ(rd(L::kSvr), 0x1EFu);
    EXPECT_TRUE(apic.software_enabled());
    wr(L::kSvr, 0x0FF);
    EXPECT_FALSE(apic.software_enabled());
}

// SDM 10.5.3: reserved registers read as 0; touching them logs "illegal register address" (bit 7).
TEST_F(LocalApicTest, ReservedOffsetsReadZeroAndLogIllegalRegister) {
    for (u32 off : {0x000u, 0x010u, 0x040u, 0x2F0u, 0x3A0u, 0x3F0u, 0x400u, 0xFF0u})
        EXPECT_EQ(rd(off), 0u) << off;
    wr(L::kEsr, 0);
    EXPECT_EQ(rd(L::kEsr), u32(L::kEsrIllegalRegister));
    // Not 16-byte aligned: reads 0, writes do nothing.
    EXPECT_EQ(rd(L::kVersion + 4), 0u);
    wr(L::kTpr + 4, 0x80);
    EXPECT_EQ(rd(L::kTpr), 0u);
}

// Reserved offsets are also reported in the `unimp` log category, once per direction, and counted.
TEST(LocalApicRegisters, ReservedOffsetsAreLoggedOncePerCause) {
    std::ostringstream out;
    log::logger().reset();
    log::logger().configure(log::kDefaultCategories, false, &out);
    LocalApic apic(0);
    EXPECT_EQ(apic.read(0x2F0, 0), 0u);
    EXPECT_EQ(apic.read(0x400, 0), 0u);
    apic.write(0x3F0, 1, 0);
    apic.write(L::kTpr + 4, 1, 0); // not 16-byte aligned: silently ignored, as before
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "lapic unknown register read"), 2u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "lapic unknown register write"), 1u);
    EXPECT_EQ(out.str(), "smpsim: unimp: lapic: unknown register read at 0x2f0\n"
                         "smpsim: unimp: lapic: unknown register write at 0x3f0\n");
    log::logger().reset();
}

// SDM 10.5.3: the ESR shows errors only after a write; the next write clears them.
TEST_F(LocalApicTest, EsrIsWriteThenRead) {
    wr(L::kIcrLow, 0x0000000E); // fixed IPI with illegal vector 14
    EXPECT_TRUE(bus.sent.empty());
    EXPECT_EQ(rd(L::kEsr), 0u);
    wr(L::kEsr, 0);
    EXPECT_EQ(rd(L::kEsr), u32(L::kEsrSendIllegalVector));
    wr(L::kEsr, 0);
    EXPECT_EQ(rd(L::kEsr), 0u);
}

// ---------------------------------------------------------------------------------------------------
// Priorities, acknowledge, EOI

// SDM 10.8.4: accepted vectors set IRR; the INTA cycle moves the highest one to ISR.
TEST_F(LocalApicTest, AcknowledgeMovesHighestIrrVectorToIsr) {
    apic.receive(fixed(0x41));
    apic.receive(fixed(0x63));
    EXPECT_TRUE(cpu.intr);
    EXPECT_TRUE(apic.irr_bit(0x41));
    EXPECT_EQ(rd(L::kIrr + 0x20), 1u << 1); // vector 0x41 is bit 1 of IRR[2]
    EXPECT_EQ(rd(L::kIrr + 0x30), 1u << 3); // vector 0x63 is bit 3 of IRR[3]
    ASSERT_TRUE(apic.has_pending());
    EXPECT_EQ(apic.acknowledge(), 0x63);
    EXPECT_TRUE(apic.isr_bit(0x63));
    EXPECT_FALSE(apic.irr_bit(0x63));
    EXPECT_EQ(rd(L::kIsr + 0x30), 1u << 3);
    // 0x41 has a lower class than the in-service 0x63: it waits.
    EXPECT_FALSE(apic.has_pending());
    EXPECT_FALSE(cpu.intr);
    wr(L::kEoi, 0);
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.acknowledge(), 0x41);
}

// SDM 10.8.3.1: a vector is dispatched only if its priority class is above the PPR's class.
TEST_F(LocalApicTest, SameClassWaitsHigherClassNests) {
    apic.receive(fixed(0x50));
    EXPECT_EQ(apic.acknowledge(), 0x50);
    apic.receive(fixed(0x5F)); // same class 5
    EXPECT_FALSE(apic.has_pending());
    apic.receive(fixed(0x60));
    ASSERT_TRUE(apic.has_pending());
    EXPECT_EQ(apic.acknowledge(), 0x60);
    wr(L::kEoi, 0); // ends 0x60
    EXPECT_FALSE(apic.has_pending());
    wr(L::kEoi, 0); // ends 0x50
    EXPECT_EQ(apic.acknowledge(), 0x5F);
}

// SDM 10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0; TPR masks classes <= its own.
TEST_F(LocalApicTest, TprAndPprMaskLowerClasses) {
    wr(L::kTpr, 0x57);
    EXPECT_EQ(rd(L::kPpr), 0x57u);
    apic.receive(fixed(0x5A));
    EXPECT_FALSE(cpu.intr);
    apic.receive(fixed(0x61));
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.acknowledge(), 0x61);
    EXPECT_EQ(rd(L::kPpr), 0x60u); // ISR class above TPR class
    wr(L::kEoi, 0);
    EXPECT_EQ(rd(L::kPpr), 0x57u);
    EXPECT_FALSE(cpu.intr);
    wr(L::kTpr, 0x40); // lowering the TPR releases 0x5A
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.acknowledge(), 0x5A);
}

// SDM 10.8.5: EOI ends the highest-priority in-service interrupt.
TEST_F(LocalApicTest, EoiClearsHighestIsrBitFirst) {
    apic.receive(fixed(0x30));
    EXPECT_EQ(apic.acknowledge(), 0x30);
    apic.receive(fixed(0x80));
    EXPECT_EQ(apic.acknowledge(), 0x80);
    wr(L::kEoi, 0);
    EXPECT_FALSE(apic.isr_bit(0x80));
    EXPECT_TRUE(apic.isr_bit(0x30));
    wr(L::kEoi, 0);
    EXPECT_FALSE(apic.isr_bit(0x30));
    wr(L::kEoi, 0); // nothing in service: harmless
    EXPECT_TRUE(bus.eois.empty());
}

// SDM 10.8.4/10.8.5: TMR records level triggering; the EOI of a level vector is broadcast to I/O APICs.
TEST_F(LocalApicTest, EoiOfLevelTriggeredVectorIsBroadcast) {
    apic.receive(fixed(0x90, true));
    apic.receive(fixed(0x70, false));
    EXPECT_TRUE(apic.tmr_bit(0x90));
    EXPECT_FALSE(apic.tmr_bit(0x70));
    EXPECT_EQ(rd(L::kTmr + 0x40), 1u << 16);
    EXPECT_EQ(apic.acknowledge(), 0x90);
    wr(L::kEoi, 0);
    ASSERT_EQ(bus.eois.size(), 1u);
    EXPECT_EQ(bus.eois[0], 0x90);
    EXPECT_EQ(apic.acknowledge(), 0x70);
    wr(L::kEoi, 0);
    EXPECT_EQ(bus.eois.size(), 1u); // edge: no EOI message
}

// SDM 10.9: if the interrupt goes away between INTR and INTA, the APIC supplies the spurious vector, which
// does not enter ISR.
TEST_F(LocalApicTest, SpuriousVectorWhenPendingInterruptVanished) {
    wr(L::kSvr, L::kSvrEnable | 0xEF);
    apic.receive(fixed(0x45));
    ASSERT_TRUE(apic.has_pending());
    wr(L::kTpr, 0xF0); // the handler raised the TPR before the INTA cycle
    EXPECT_EQ(apic.acknowledge(), 0xEF);
    for (u32 off = L::kIsr; off < L::kIsr + 0x80; off += 0x10)
        EXPECT_EQ(rd(off), 0u);
    EXPECT_TRUE(apic.irr_bit(0x45));
}

// SDM 10.5.2/10.5.3: vectors 0-15 are illegal: not accepted, "received illegal vector" logged, and the
// LVT error entry signals it.
TEST_F(LocalApicTest, IllegalVectorIsRejectedAndRaisesErrorInterrupt) {
    wr(L::kLvtError, 0xFE);
    apic.receive(fixed(0x05));
    for (u32 off = L::kIrr; off < L::kIrr + 0x70; off += 0x10)
        EXPECT_EQ(rd(off), 0u);
    EXPECT_TRUE(apic.irr_bit(0xFE));
    wr(L::kEsr, 0);
    EXPECT_EQ(rd(L::kEsr), u32(L::kEsrReceiveIllegalVector));
}

// SDM 10.4.7.2: a software-disabled APIC takes only NMI/SMI/INIT/SIPI, keeps its LVT entries masked and
// masks them all when disabled.
TEST_F(LocalApicTest, SoftwareDisabledApic) {
    wr(L::kLvtTimer, 0x40);
    wr(L::kLvtLint1, 0x400);
    EXPECT_EQ(rd(L::kLvtTimer), 0x40u);
    wr(L::kSvr, 0xFF); // disable
    EXPECT_EQ(rd(L::kLvtTimer), 0x40u | L::kMasked);
    EXPECT_EQ(rd(L::kLvtLint1), 0x400u | L::kMasked);
    wr(L::kLvtTimer, 0x41); // the mask cannot be cleared
    EXPECT_EQ(rd(L::kLvtTimer), 0x41u | L::kMasked);

    EXPECT_FALSE(apic.accepts(fixed(0x40)));
    apic.receive(fixed(0x40));
    EXPECT_FALSE(apic.irr_bit(0x40));
    EXPECT_FALSE(cpu.intr);

    ApicMessage nmi;
    nmi.mode = DeliveryMode::Nmi;
    nmi.destination = 3;
    EXPECT_TRUE(apic.accepts(nmi));
    apic.receive(nmi);
    EXPECT_EQ(cpu.nmis, 1);
    ApicMessage sipi;
    sipi.mode = DeliveryMode::StartUp;
    sipi.vector = 0x9A;
    sipi.destination = 3;
    EXPECT_TRUE(apic.accepts(sipi));
    apic.receive(sipi);
    EXPECT_EQ(cpu.sipis, std::vector<u8>{0x9A});
}

// ---------------------------------------------------------------------------------------------------
// IPIs through the APIC bus router

class ApicSystemTest : public ::testing::Test {
  protected:
    static constexpr int kCpus = 4;
    ApicSystemTest() {
        for (int i = 0; i < kCpus; ++i) {
            apics.push_back(std::make_unique<LocalApic>(u8(i)));
            apics[i]->set_sink(&cpus[i]);
            router.add_local_apic(*apics[i]);
            apics[i]->write(L::kSvr, kEnabled, 0);
        }
    }
    void send_ipi(int from, u32 icr_low, u8 dest = 0) {
        apics[from]->write(L::kIcrHigh, u32(dest) << 24, 0);
        apics[from]->write(L::kIcrLow, icr_low, 0);
    }
    std::vector<int> with_irr(u8 vector) const {
        std::vector<int> out;
        for (int i = 0; i < kCpus; ++i)
            if (apics[i]->irr_bit(vector)) out.push_back(i);
        return out;
    }

    FakeCpu cpus[kCpus];
    std::vector<std::unique_ptr<LocalApic>> apics;
    ApicBusRouter router;
};

// SDM 10.6.1: a fixed IPI in physical mode reaches the APIC whose ID matches ICR[63:56].
TEST_F(ApicSystemTest, FixedIpiReachesPhysicalDestination) {
    send_ipi(0, 0x000000F1, 2);
    EXPECT_EQ(with_irr(0xF1), std::vector<int>{2});
    EXPECT_TRUE(cpus[2].intr);
    EXPECT_FALSE(cpus[0].intr);
    EXPECT_EQ(apics[2]->acknowledge(), 0xF1);
    // Physical destination 0xFF is a broadcast.
    send_ipi(1, 0x000000F2, 0xFF);
    EXPECT_EQ(with_irr(0xF2), (std::vector<int>{0, 1, 2, 3}));
}

// SDM 10.6.1 (destination shorthand, ICR bits 19:18): self, all including self, all excluding self.
TEST_F(ApicSystemTest, DestinationShorthands) {
    send_ipi(1, 0x00040000 | 0x31, 3); // self: the destination field is ignored
    EXPECT_EQ(with_irr(0x31), std::vector<int>{1});
    send_ipi(1, 0x00080000 | 0x32);
    EXPECT_EQ(with_irr(0x32), (std::vector<int>{0, 1, 2, 3}));
    send_ipi(1, 0x000C0000 | 0x33);
    EXPECT_EQ(with_irr(0x33), (std::vector<int>{0, 2, 3}));
}

// SDM 10.6.2.2: flat model, a destination bit set in the LDR selects the APIC.
TEST_F(ApicSystemTest, LogicalFlatDestination) {
    for (int i = 0; i < kCpus; ++i)
        apics[i]->write(L::kLdr, (1u << i) << 24, 0);
    send_ipi(0, L::kIcrLogical | 0x40, 0b1010);
    EXPECT_EQ(with_irr(0x40), (std::vector<int>{1, 3}));
}

// SDM 10.6.2.2: cluster model, bits 7:4 pick the cluster (15 = all), bits 3:0 APICs within it.
TEST_F(ApicSystemTest, LogicalClusterDestination) {
    // APIC 0,1 in cluster 1 (members 1, 2); APIC 2,3 in cluster 2 (members 1, 2).
    const u32 ldr[kCpus] = {0x11, 0x12, 0x21, 0x22};
    for (int i = 0; i < kCpus; ++i) {
        apics[i]->write(L::kDfr, 0x0FFFFFFF, 0);
        apics[i]->write(L::kLdr, ldr[i] << 24, 0);
    }
    send_ipi(0, L::kIcrLogical | 0x41, 0x23);
    EXPECT_EQ(with_irr(0x41), (std::vector<int>{2, 3}));
    send_ipi(0, L::kIcrLogical | 0x42, 0x12);
    EXPECT_EQ(with_irr(0x42), std::vector<int>{1});
    send_ipi(0, L::kIcrLogical | 0x43, 0xF1);
    EXPECT_EQ(with_irr(0x43), (std::vector<int>{0, 2}));
}

// SDM 10.6.2.4: lowest-priority delivery goes to the selected APIC with the lowest arbitration
// priority; this router breaks ties by the lowest APIC ID.
TEST_F(ApicSystemTest, LowestPriorityArbitration) {
    for (int i = 0; i < kCpus; ++i)
        apics[i]->write(L::kLdr, 0x01000000, 0); // all in logical group 1
    const u32 tpr[kCpus] = {0x40, 0x20, 0x30, 0x20};
    for (int i = 0; i < kCpus; ++i)
        apics[i]->write(L::kTpr, tpr[i], 0);
    EXPECT_EQ(apics[1]->arbitration_priority(), 0x20);
    send_ipi(0, L::kIcrLogical | 0x100 | 0x51, 0x01);
    EXPECT_EQ(with_irr(0x51), std::vector<int>{1}); // APIC 1 and 3 tie at 0x20: lowest ID
    // APIC 1 now has 0x51 pending, which raises its arbitration priority to class 5.
    EXPECT_EQ(apics[1]->arbitration_priority(), 0x50);
    send_ipi(0, L::kIcrLogical | 0x100 | 0x52, 0x01);
    EXPECT_EQ(with_irr(0x52), std::vector<int>{3});
}

// SDM 10.6.1: NMI, INIT and start-up IPIs reach the CPU; INIT resets the APIC but its ID (10.4.7.3).
TEST_F(ApicSystemTest, NmiInitSipiReachTheCpu) {
    apics[2]->write(L::kLdr, 0x04000000, 0);
    apics[2]->write(L::kTpr, 0x20, 0);
    send_ipi(0, 0x400, 2); // NMI
    EXPECT_EQ(cpus[2].nmis, 1);
    send_ipi(0, 0x4500, 2); // INIT, level assert
    EXPECT_EQ(cpus[2].inits, 1);
    EXPECT_EQ(apics[2]->read(L::kLdr, 0), 0u);
    EXPECT_EQ(apics[2]->read(L::kTpr, 0), 0u);
    EXPECT_EQ(apics[2]->read(L::kSvr, 0), 0xFFu);
    EXPECT_EQ(apics[2]->id(), 2);
    send_ipi(0, 0x8500, 2); // INIT level de-assert: no effect on the CPU
    EXPECT_EQ(cpus[2].inits, 1);
    EXPECT_EQ(cpus[0].inits + cpus[1].inits + cpus[3].inits, 0);
    send_ipi(0, 0x4600 | 0x08, 2); // SIPI, start at 0x8000
    EXPECT_EQ(cpus[2].sipis, std::vector<u8>{0x08});
    // All excluding self, as Linux wakes every AP.
    send_ipi(0, 0x000C4600 | 0x09);
    EXPECT_EQ(cpus[1].sipis, std::vector<u8>{0x09});
    EXPECT_TRUE(cpus[0].sipis.empty());
}

// SDM 10.6.1: the delivery-status bit (12) is read-only; delivery here is immediate, so it reads idle.
TEST_F(ApicSystemTest, DeliveryStatusBitReadsIdle) {
    send_ipi(0, 0x1000 | 0x4000 | 0x60, 1);
    EXPECT_EQ(apics[0]->read(L::kIcrLow, 0), 0x4060u);
    EXPECT_EQ(apics[0]->read(L::kIcrHigh, 0), 0x01000000u);
    EXPECT_TRUE(apics[1]->irr_bit(0x60));
}

// ---------------------------------------------------------------------------------------------------
// LINT0 / LINT1

// SDM 10.5.1 (ExtINT) and MP spec virtual wire: the 8259A's INTR on LINT0 is passed through and the
// vector comes from the 8259A, bypassing IRR/ISR.
TEST_F(LocalApicTest, Lint0ExtIntTakesVectorFromExtintSource) {
    FakeExtInt pic;
    apic.set_extint(&pic);
    wr(L::kLvtLint0, 0x700);
    pic.vectors.push_back(0x20);
    apic.lint0().set_level(true);
    EXPECT_TRUE(cpu.intr);
    ASSERT_TRUE(apic.has_pending());
    EXPECT_EQ(apic.acknowledge(), 0x20);
    EXPECT_EQ(pic.acks, 1);
    for (u32 off = L::kIsr; off < L::kIsr + 0x80; off += 0x10)
        EXPECT_EQ(rd(off), 0u);
    apic.lint0().set_level(false);
    EXPECT_FALSE(cpu.intr);
    // Masked LINT0: nothing passes.
    wr(L::kLvtLint0, 0x700 | L::kMasked);
    apic.lint0().set_level(true);
    EXPECT_FALSE(cpu.intr);
}

// Firmware leaves the BSP in virtual-wire mode: 8259A interrupts work before the kernel enables the APIC.
TEST(LocalApicLint, VirtualWireModeWorksWhileSoftwareDisabled) {
    LocalApic apic(0);
    FakeCpu cpu;
    FakeExtInt pic;
    apic.set_sink(&cpu);
    apic.set_extint(&pic);
    apic.set_virtual_wire_mode();
    EXPECT_EQ(apic.read(L::kLvtLint0, 0), 0x700u);
    EXPECT_EQ(apic.read(L::kLvtLint1, 0), 0x400u);
    pic.vectors.push_back(0x08);
    apic.lint0().set_level(true);
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.acknowledge(), 0x08);
    apic.lint1().set_level(true);
    EXPECT_EQ(cpu.nmis, 1);
}

// SDM 10.6.1: an ExtINT message (e.g. from an I/O APIC entry) also asks the 8259A for the vector.
TEST_F(LocalApicTest, ExtIntMessageAsksExtintSource) {
    FakeExtInt pic;
    apic.set_extint(&pic);
    pic.vectors.push_back(0x21);
    ApicMessage m;
    m.mode = DeliveryMode::ExtInt;
    m.destination = 3;
    ASSERT_TRUE(apic.accepts(m));
    apic.receive(m);
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.acknowledge(), 0x21);
    EXPECT_FALSE(cpu.intr);
}

// SDM 10.5.1: LINT1 in NMI mode raises an NMI per asserted edge.
TEST_F(LocalApicTest, Lint1NmiOnRisingEdge) {
    wr(L::kLvtLint1, 0x400);
    apic.lint1().set_level(true);
    apic.lint1().set_level(true);
    EXPECT_EQ(cpu.nmis, 1);
    apic.lint1().set_level(false);
    apic.lint1().set_level(true);
    EXPECT_EQ(cpu.nmis, 2);
    // Active-low polarity: the falling electrical edge is the assertion.
    wr(L::kLvtLint1, 0x400 | L::kPolarityLow);
    apic.lint1().set_level(false);
    EXPECT_EQ(cpu.nmis, 3);
}

// SDM 10.5.1: a level-triggered fixed LINT0 sets remote IRR when accepted and clears it on EOI; still
// asserted, it is delivered again.
TEST_F(LocalApicTest, Lint0LevelFixedUsesRemoteIrr) {
    wr(L::kLvtLint0, L::kLevelTrigger | 0x55);
    apic.lint0().set_level(true);
    EXPECT_TRUE(rd(L::kLvtLint0) & L::kRemoteIrr);
    EXPECT_TRUE(apic.tmr_bit(0x55));
    EXPECT_EQ(apic.acknowledge(), 0x55);
    EXPECT_FALSE(apic.has_pending());
    wr(L::kEoi, 0);
    EXPECT_EQ(bus.eois, std::vector<u8>{0x55});
    EXPECT_TRUE(rd(L::kLvtLint0) & L::kRemoteIrr); // re-delivered: still asserted
    EXPECT_TRUE(apic.irr_bit(0x55));
    EXPECT_EQ(apic.acknowledge(), 0x55);
    apic.lint0().set_level(false);
    wr(L::kEoi, 0);
    EXPECT_FALSE(rd(L::kLvtLint0) & L::kRemoteIrr);
    EXPECT_FALSE(apic.has_pending());
    // Remote IRR is read-only.
    wr(L::kLvtLint0, L::kLevelTrigger | L::kRemoteIrr | L::kMasked | 0x55);
    EXPECT_FALSE(rd(L::kLvtLint0) & L::kRemoteIrr);
}

// SDM 10.5.1: a masked level-triggered LINT0 is delivered once unmasked if still asserted.
TEST_F(LocalApicTest, Lint0MaskedLevelDeliveredWhenUnmasked) {
    wr(L::kLvtLint0, L::kMasked | L::kLevelTrigger | 0x56);
    apic.lint0().set_level(true);
    EXPECT_FALSE(apic.irr_bit(0x56));
    wr(L::kLvtLint0, L::kLevelTrigger | 0x56);
    EXPECT_TRUE(apic.irr_bit(0x56));
}

// ---------------------------------------------------------------------------------------------------
// Timer (SDM 10.5.4)

// The divide configuration register codes 0000..1011 select 2, 4, 8, 16, 32, 64, 128, 1.
TEST_F(LocalApicTest, TimerDivideConfiguration) {
    const u32 codes[] = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB};
    const u64 divisors[] = {2, 4, 8, 16, 32, 64, 128, 1};
    for (int i = 0; i < 8; ++i) {
        LocalApic a(0);
        a.write(L::kTimerDivide, codes[i], 0);
        EXPECT_EQ(a.read(L::kTimerDivide, 0), codes[i]);
        a.write(L::kTimerInitial, 1000, 0);
        EXPECT_EQ(a.next_timer_event(0), std::optional<u64>(1000 * divisors[i])) << i;
        EXPECT_EQ(a.read(L::kTimerCurrent, 10 * divisors[i]), 990u) << i;
    }
}

// One-shot: the current count falls at bus clock / divisor, the vector is raised once at zero.
TEST_F(LocalApicTest, TimerOneShot) {
    wr(L::kLvtTimer, 0xEC);
    wr(L::kTimerDivide, 0x3); // divide by 16
    wr(L::kTimerInitial, 100);
    EXPECT_EQ(rd(L::kTimerCurrent), 100u);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 160), 90u);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 1599), 1u);
    EXPECT_EQ(apic.next_timer_event(1599), std::optional<u64>(1600));
    EXPECT_FALSE(apic.irr_bit(0xEC));
    apic.advance(1600);
    EXPECT_TRUE(apic.irr_bit(0xEC));
    EXPECT_TRUE(cpu.intr);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 1700), 0u);
    EXPECT_EQ(apic.next_timer_event(1700), std::nullopt);
    EXPECT_EQ(rd(L::kTimerInitial), 100u);
    // Time going backwards (a caller behind another) changes nothing.
    EXPECT_EQ(apic.read(L::kTimerCurrent, 5), 0u);
}

// Periodic: the count reloads from the initial count at each expiry.
TEST_F(LocalApicTest, TimerPeriodic) {
    wr(L::kLvtTimer, L::kTimerPeriodic | 0xED);
    wr(L::kTimerDivide, 0xB); // divide by 1
    wr(L::kTimerInitial, 50);
    apic.advance(50);
    EXPECT_TRUE(apic.irr_bit(0xED));
    EXPECT_EQ(apic.acknowledge(), 0xED);
    wr(L::kEoi, 0);
    EXPECT_EQ(apic.next_timer_event(50), std::optional<u64>(100));
    EXPECT_EQ(apic.read(L::kTimerCurrent, 60), 40u);
    apic.advance(100);
    EXPECT_TRUE(apic.irr_bit(0xED));
    // Missed periods merge into one pending interrupt; the schedule stays on the period grid.
    apic.advance(333);
    EXPECT_EQ(apic.next_timer_event(333), std::optional<u64>(350));
    EXPECT_EQ(apic.read(L::kTimerCurrent, 333), 17u);
    // Writing 0 to the initial count stops it.
    wr(L::kTimerInitial, 0);
    EXPECT_EQ(apic.next_timer_event(333), std::nullopt);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 400), 0u);
}

// A masked timer still counts and reloads but raises nothing.
TEST_F(LocalApicTest, TimerMaskedCountsButRaisesNothing) {
    wr(L::kLvtTimer, L::kMasked | L::kTimerPeriodic | 0xEE);
    wr(L::kTimerDivide, 0xB);
    wr(L::kTimerInitial, 10);
    apic.advance(25);
    EXPECT_FALSE(apic.irr_bit(0xEE));
    EXPECT_FALSE(cpu.intr);
    EXPECT_EQ(apic.read(L::kTimerCurrent, 25), 5u);
    EXPECT_EQ(apic.next_timer_event(25), std::optional<u64>(30));
}

// Changing the divisor mid-count keeps the current count and continues at the new rate.
TEST_F(LocalApicTest, TimerDivideChangeKeepsCount) {
    wr(L::kTimerDivide, 0xB);
    wr(L::kTimerInitial, 100);
    apic.write(L::kTimerDivide, 0x0, 40); // count 60 left, now at /2
    EXPECT_EQ(apic.read(L::kTimerCurrent, 60), 50u);
    EXPECT_EQ(apic.next_timer_event(60), std::optional<u64>(160));
}

// The timer is measured in ticks of the constructor's clock.
TEST(LocalApicTimer, ClockRateIsAParameter) {
    LocalApic apic(0, 100'000'000);
    EXPECT_EQ(apic.timer_hz(), 100'000'000u);
}

} // namespace
} // namespace smpsim::apic
