// Unit tests of the 8259A core (Pic8259) and the PC pair (PicPair). Comments cite the behaviour from the
// Intel 8259A datasheet (231468) and the PIIX ELCR description.
#include "sim/core/log.h"
#include "sim/pic8259/pic8259.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace smpsim::pic8259 {
namespace {

constexpr u16 M0 = 0x20, M1 = 0x21, S0 = 0xa0, S1 = 0xa1;

class PicPairTest : public ::testing::Test {
  protected:
    PicPair pic;
    std::vector<bool> intr_changes;

    void SetUp() override {
        pic.set_intr_callback([this](bool level) { intr_changes.push_back(level); });
        intr_changes.clear();
    }

    // The sequence of Linux's init_8259A(): mask all, ICW1 0x11 (edge, cascade, ICW4), ICW2 vector base,
    // ICW3 (master: slave on IR2 = 0x04; slave: ID 2), ICW4 0x01 (8086) or 0x03 with auto-EOI, then the
    // masks.
    void init(u8 master_base = 0x20, u8 slave_base = 0x28, bool auto_eoi = false, u8 master_mask = 0x00,
              u8 slave_mask = 0x00) {
        pic.io_write(M1, 0xff);
        pic.io_write(S1, 0xff);
        pic.io_write(M0, 0x11);
        pic.io_write(M1, master_base);
        pic.io_write(M1, 0x04);
        pic.io_write(M1, auto_eoi ? 0x03 : 0x01);
        pic.io_write(S0, 0x11);
        pic.io_write(S1, slave_base);
        pic.io_write(S1, 0x02);
        pic.io_write(S1, 0x01);
        pic.io_write(M1, master_mask);
        pic.io_write(S1, slave_mask);
    }
    void raise(unsigned irq) { pic.irq(irq).set_level(true); }
    void lower(unsigned irq) { pic.irq(irq).set_level(false); }
    void eoi_master() { pic.io_write(M0, 0x20); }
    void eoi_slave() { pic.io_write(S0, 0x20); }
    u8 read_isr(u16 cmd) {
        pic.io_write(cmd, 0x0b);
        return pic.io_read(cmd);
    }
    u8 read_irr(u16 cmd) {
        pic.io_write(cmd, 0x0a);
        return pic.io_read(cmd);
    }
};

// ICW1 (D4=1) starts the sequence; ICW2 is the vector base (T7-T3 in 8086 mode); ICW3 follows when
// SNGL=0; ICW4 when IC4=1. After it, writes to A0=1 are OCW1 (the mask).
TEST_F(PicPairTest, InitSequenceAsLinuxProgramsItSetsVectorBasesCascadeAndMode) {
    init(0x30, 0x38, false, 0xfa, 0xff);
    EXPECT_FALSE(pic.master().initializing());
    EXPECT_FALSE(pic.slave().initializing());
    EXPECT_EQ(pic.master().vector_base(), 0x30);
    EXPECT_EQ(pic.slave().vector_base(), 0x38);
    EXPECT_EQ(pic.master().icw3(), 0x04);
    EXPECT_EQ(pic.slave().icw3(), 0x02);
    EXPECT_FALSE(pic.master().mcs80_mode());
    EXPECT_FALSE(pic.master().auto_eoi());
    EXPECT_EQ(pic.io_read(M1), 0xfa);
    EXPECT_EQ(pic.io_read(S1), 0xff);
    raise(0);
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x30);
}

// ICW1 clears the IMR, assigns IR7 the lowest priority and selects the IRR for status reads.
TEST_F(PicPairTest, Icw1ClearsMaskAndResetsPriorityAndStatusSelection) {
    init();
    pic.io_write(M1, 0x55);
    pic.io_write(M0, 0xc4); // set priority: IR4 lowest
    pic.io_write(M0, 0x0b); // read ISR
    pic.io_write(M0, 0x11);
    EXPECT_TRUE(pic.master().initializing());
    EXPECT_EQ(pic.master().imr(), 0x00);
    EXPECT_EQ(pic.master().lowest_priority(), 7u);
    pic.io_write(M1, 0x20);
    pic.io_write(M1, 0x04);
    pic.io_write(M1, 0x01);
    raise(3);
    EXPECT_EQ(pic.io_read(M0), 0x08); // IRR, not ISR
}

// Single mode (SNGL=1) skips ICW3; IC4=0 skips ICW4 and clears its functions (MCS-80 mode).
TEST(Pic8259Test, SingleModeWithoutIcw4SkipsIcw3AndIcw4) {
    Pic8259 pic;
    pic.write(false, 0x12); // ICW1: SNGL, no IC4
    EXPECT_TRUE(pic.initializing());
    pic.write(true, 0x40); // ICW2
    EXPECT_FALSE(pic.initializing());
    EXPECT_TRUE(pic.mcs80_mode());
    pic.write(true, 0xfe); // now OCW1
    EXPECT_EQ(pic.imr(), 0xfe);
    EXPECT_EQ(pic.vector_base(), 0x40);
}

// Fully nested mode: IR0 has the highest priority and IR7 the lowest.
TEST_F(PicPairTest, PriorityResolutionDeliversLowestNumberedRequestFirst) {
    init();
    raise(5);
    raise(3);
    raise(1);
    EXPECT_EQ(pic.acknowledge(), 0x21);
    eoi_master();
    EXPECT_EQ(pic.acknowledge(), 0x23);
    eoi_master();
    EXPECT_EQ(pic.acknowledge(), 0x25);
    eoi_master();
    EXPECT_FALSE(pic.has_pending());
}

// Fully nested mode: while a level is in service, only higher priority levels interrupt; equal or lower
// ones wait for the EOI.
TEST_F(PicPairTest, InServiceLevelBlocksLowerAndAllowsHigherPriority) {
    init();
    raise(4);
    EXPECT_EQ(pic.acknowledge(), 0x24);
    raise(6);
    EXPECT_FALSE(pic.has_pending());
    raise(1);
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x21);
    EXPECT_EQ(pic.master().isr(), 0x12);
    eoi_master(); // clears IR1
    EXPECT_FALSE(pic.has_pending());
    eoi_master(); // clears IR4
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x26);
}

// OCW1: a set mask bit inhibits the request; the request stays in the IRR and is delivered on unmask.
TEST_F(PicPairTest, MaskedRequestStaysInIrrAndIsDeliveredWhenUnmasked) {
    init(0x20, 0x28, false, 0x08);
    raise(3);
    EXPECT_FALSE(pic.has_pending());
    EXPECT_EQ(pic.master().irr(), 0x08);
    EXPECT_TRUE(intr_changes.empty());
    pic.io_write(M1, 0x00);
    EXPECT_TRUE(pic.has_pending());
    EXPECT_EQ(intr_changes, std::vector<bool>{true});
    EXPECT_EQ(pic.acknowledge(), 0x23);
    EXPECT_EQ(intr_changes, (std::vector<bool>{true, false}));
}

// OCW2 001: non-specific EOI resets the highest priority ISR bit.
TEST_F(PicPairTest, NonSpecificEoiClearsHighestPriorityInServiceBit) {
    init();
    raise(5);
    pic.acknowledge();
    raise(3);
    pic.acknowledge();
    EXPECT_EQ(pic.master().isr(), 0x28);
    eoi_master();
    EXPECT_EQ(pic.master().isr(), 0x20);
    eoi_master();
    EXPECT_EQ(pic.master().isr(), 0x00);
}

// OCW2 011: specific EOI resets the ISR bit named by L2-L0, whatever its priority.
TEST_F(PicPairTest, SpecificEoiClearsTheNamedLevel) {
    init();
    raise(5);
    pic.acknowledge();
    raise(3);
    pic.acknowledge();
    pic.io_write(M0, 0x65); // specific EOI, level 5
    EXPECT_EQ(pic.master().isr(), 0x08);
    pic.io_write(M0, 0x63);
    EXPECT_EQ(pic.master().isr(), 0x00);
}

// OCW2 101: rotate on non-specific EOI — the serviced level becomes the lowest priority.
TEST_F(PicPairTest, RotateOnNonSpecificEoiMakesServicedLevelLowest) {
    init();
    raise(4);
    EXPECT_EQ(pic.acknowledge(), 0x24);
    pic.io_write(M0, 0xa0);
    EXPECT_EQ(pic.master().isr(), 0x00);
    EXPECT_EQ(pic.master().lowest_priority(), 4u);
    // Now IR5 is the highest priority, IR4 the lowest: IR6 beats IR1.
    raise(1);
    raise(6);
    EXPECT_EQ(pic.acknowledge(), 0x26);
}

// OCW2 110: set priority — L2-L0 becomes the lowest priority level.
TEST_F(PicPairTest, SetPriorityCommandRotatesPriorities) {
    init();
    pic.io_write(M0, 0xc5); // IR5 lowest, IR6 highest
    raise(5);
    raise(7);
    raise(0);
    EXPECT_EQ(pic.acknowledge(), 0x27);
    pic.io_write(M0, 0x67);
    EXPECT_EQ(pic.acknowledge(), 0x20);
    pic.io_write(M0, 0x60);
    EXPECT_EQ(pic.acknowledge(), 0x25);
}

// OCW2 111: rotate on specific EOI — resets ISR bit L and makes L the lowest priority.
TEST_F(PicPairTest, RotateOnSpecificEoiClearsAndRotatesToNamedLevel) {
    init();
    raise(3);
    pic.acknowledge();
    pic.io_write(M0, 0xe3);
    EXPECT_EQ(pic.master().isr(), 0x00);
    EXPECT_EQ(pic.master().lowest_priority(), 3u);
}

// OCW2 100 / 000: rotate in automatic EOI mode set / clear. With AEOI (ICW4 bit 1) and rotation,
// each acknowledged level becomes the lowest priority.
TEST_F(PicPairTest, RotateInAutoEoiModeRotatesOnEachAcknowledge) {
    init(0x20, 0x28, true);
    pic.io_write(M0, 0x80);
    EXPECT_TRUE(pic.master().rotate_in_aeoi());
    raise(1);
    raise(3);
    EXPECT_EQ(pic.acknowledge(), 0x21);
    EXPECT_EQ(pic.master().lowest_priority(), 1u);
    lower(1);
    raise(1); // IR1 again, but it is now the lowest priority: IR3 first
    EXPECT_EQ(pic.acknowledge(), 0x23);
    EXPECT_EQ(pic.acknowledge(), 0x21);
    pic.io_write(M0, 0x00);
    EXPECT_FALSE(pic.master().rotate_in_aeoi());
}

// ICW4 AEOI: the ISR bit is reset at the end of the INTA sequence; no EOI is needed.
TEST_F(PicPairTest, AutoEoiLeavesNoInServiceBit) {
    init(0x20, 0x28, true);
    raise(4);
    EXPECT_EQ(pic.acknowledge(), 0x24);
    EXPECT_EQ(pic.master().isr(), 0x00);
    raise(6); // a lower priority level is not blocked
    EXPECT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x26);
}

// OCW3 ESMM/SMM = 11: special mask mode — a masked level does not inhibit lower priority levels even
// while it is in service (the routine can enable lower levels by masking itself).
TEST_F(PicPairTest, SpecialMaskModeLetsLowerPrioritiesThroughAMaskedInServiceLevel) {
    init();
    raise(3);
    EXPECT_EQ(pic.acknowledge(), 0x23);
    raise(5);
    EXPECT_FALSE(pic.has_pending()); // blocked by IR3 in service
    pic.io_write(M1, 0x08);          // mask IR3
    EXPECT_FALSE(pic.has_pending()); // still blocked: normal mask mode
    pic.io_write(M0, 0x68);          // set special mask mode
    EXPECT_TRUE(pic.master().special_mask_mode());
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x25);
    pic.io_write(M0, 0x48); // reset special mask mode
    EXPECT_FALSE(pic.master().special_mask_mode());
}

// OCW3 RR/RIS: 10 selects the IRR, 11 the ISR for reads of A0=0; the selection persists; A0=1 reads IMR.
TEST_F(PicPairTest, Ocw3SelectsIrrOrIsrForCommandPortReads) {
    init(0x20, 0x28, false, 0x40);
    raise(6); // masked: stays in IRR
    raise(1);
    pic.acknowledge();
    EXPECT_EQ(read_irr(M0), 0x40);
    EXPECT_EQ(read_isr(M0), 0x02);
    pic.io_write(M0, 0x08); // OCW3 with RR=0: no change of selection
    EXPECT_EQ(pic.io_read(M0), 0x02);
    EXPECT_EQ(pic.io_read(M1), 0x40);
}

// OCW3 P=1: the next read is an interrupt acknowledge and returns W7 = request, W2-W0 = the highest
// priority level requesting.
TEST_F(PicPairTest, PollCommandReturnsHighestLevelAndAcknowledgesIt) {
    init(0x20, 0x28, false, 0x00);
    pic.io_write(M0, 0x0c);
    EXPECT_EQ(pic.io_read(M0), 0x00); // no request
    raise(5);
    raise(7);
    pic.io_write(M0, 0x0c);
    EXPECT_EQ(pic.io_read(M0), 0x85);
    EXPECT_EQ(pic.master().isr(), 0x20);
    EXPECT_EQ(pic.master().irr(), 0x80);
    EXPECT_EQ(pic.io_read(M0), 0x80); // the poll was one-shot: back to the IRR
}

// Cascade: a slave request raises the slave INT onto master IR2; the master acknowledges IR2 and the
// slave whose ID matches (ICW3 = 2) supplies its vector. Both ISRs hold a bit until EOIs to both chips.
TEST_F(PicPairTest, CascadeDeliversSlaveInterruptsThroughIr2) {
    init();
    for (unsigned irq = 8; irq < 16; ++irq) {
        raise(irq);
        ASSERT_TRUE(pic.has_pending()) << irq;
        EXPECT_EQ(pic.acknowledge(), 0x28 + (irq - 8)) << irq;
        EXPECT_EQ(pic.master().isr(), 0x04) << irq;
        EXPECT_EQ(pic.slave().isr(), 1u << (irq - 8)) << irq;
        lower(irq);
        eoi_slave();
        eoi_master();
        EXPECT_EQ(pic.master().isr(), 0x00);
        EXPECT_EQ(pic.slave().isr(), 0x00);
    }
}

// Cascade priority: IRQ 8-15 sit at IR2's place in the master's order (between IRQ1 and IRQ3), and a
// second slave request waits while IR2 is in service on the master (fully nested mode).
TEST_F(PicPairTest, SlaveRequestsRankAtIr2OnTheMaster) {
    init();
    raise(3);
    raise(12);
    EXPECT_EQ(pic.acknowledge(), 0x2c);
    raise(9); // higher than IRQ12 on the slave, but the master's IR2 is in service
    EXPECT_FALSE(pic.has_pending());
    eoi_slave();
    EXPECT_FALSE(pic.has_pending());
    eoi_master();
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x29);
    eoi_slave();
    eoi_master();
    EXPECT_EQ(pic.acknowledge(), 0x23);
}

// Edge-triggered mode: a request is a low-to-high transition; a line held high does not request again.
TEST_F(PicPairTest, EdgeTriggeredLineHeldHighRequestsOnlyOnce) {
    init();
    raise(4);
    EXPECT_EQ(pic.acknowledge(), 0x24);
    eoi_master();
    EXPECT_FALSE(pic.has_pending());
    EXPECT_EQ(pic.master().irr(), 0x00);
    lower(4);
    raise(4);
    EXPECT_TRUE(pic.has_pending());
}

// Level-triggered mode (ELCR bit): IRR follows the line; after EOI a still-high line requests again.
TEST_F(PicPairTest, LevelTriggeredIrrFollowsTheLine) {
    init();
    pic.io_write(0x4d1, 0x08); // IRQ11 level
    pic.io_write(0x4d0, 0x20); // IRQ5 level
    raise(5);
    EXPECT_EQ(pic.master().irr(), 0x20);
    lower(5);
    EXPECT_EQ(pic.master().irr(), 0x00);
    EXPECT_FALSE(intr_changes.empty());
    raise(5);
    EXPECT_EQ(pic.acknowledge(), 0x25);
    EXPECT_EQ(pic.master().irr(), 0x20); // still high
    EXPECT_FALSE(pic.has_pending());     // but in service
    eoi_master();
    EXPECT_EQ(pic.acknowledge(), 0x25);
    lower(5);
    eoi_master();
    EXPECT_FALSE(pic.has_pending());
    // The same through the cascade.
    raise(11);
    EXPECT_EQ(pic.acknowledge(), 0x2b);
    eoi_slave();
    eoi_master();
    EXPECT_EQ(pic.acknowledge(), 0x2b);
}

// A level-triggered line that is high when ICW1 arrives is requesting right after the init sequence,
// whereas an edge-triggered one must go low and high again ("edge sense circuit is reset").
TEST_F(PicPairTest, Icw1ResetsEdgeSenseButLevelInputsKeepRequesting) {
    pic.io_write(0x4d0, 0x80); // IRQ7 level
    raise(7);
    raise(6);
    init();
    EXPECT_EQ(pic.master().irr(), 0x80);
    EXPECT_EQ(pic.acknowledge(), 0x27);
}

// The INT line: a spurious interrupt when the request goes away before INTA — "If the IR input goes
// inactive before [the first INTA], a DEFAULT IR7 will occur": vector base+7, no ISR bit set.
TEST_F(PicPairTest, RequestWithdrawnBeforeAcknowledgeGivesSpuriousIrq7) {
    init();
    raise(5);
    EXPECT_TRUE(pic.intr());
    lower(5);
    EXPECT_TRUE(pic.has_pending()); // INT was raised; the CPU will run the INTA cycle
    EXPECT_EQ(pic.acknowledge(), 0x27);
    EXPECT_EQ(pic.master().isr(), 0x00);
    EXPECT_FALSE(pic.has_pending());
    EXPECT_EQ(intr_changes, (std::vector<bool>{true, false}));
}

// Spurious IRQ15: the slave's request vanishes; the master still acknowledges IR2 (its ISR bit 2 is set,
// which is why Linux sends the master an EOI for a spurious IRQ15) and the slave answers with its IR7
// vector without setting its own ISR bit.
TEST_F(PicPairTest, SlaveRequestWithdrawnGivesSpuriousIrq15WithMasterIr2InService) {
    init();
    raise(10);
    lower(10);
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x2f);
    EXPECT_EQ(pic.slave().isr(), 0x00);
    EXPECT_EQ(pic.master().isr(), 0x04);
    eoi_master();
    EXPECT_EQ(pic.master().isr(), 0x00);
    EXPECT_FALSE(pic.has_pending());
}

// Acknowledging when nothing was ever requested also gives the default IR7 vector.
TEST_F(PicPairTest, AcknowledgeWithoutRequestGivesSpuriousIrq7) {
    init();
    EXPECT_EQ(pic.acknowledge(), 0x27);
    EXPECT_EQ(pic.master().isr(), 0x00);
}

// Power-on state of the pair (as after ICW1 with IC4 = 0, which clears IMR and ISR, reads select IRR):
// command ports read IRR 0, data ports IMR 0, ELCRs 0 (all edge). Other ports are not the pair's: reads
// give 0 and both directions are reported once in the unimp category.
TEST_F(PicPairTest, PowerOnPortValuesAndUnknownPorts) {
    std::ostringstream out;
    log::logger().reset();
    log::logger().configure(log::kDefaultCategories, false, &out);
    for (u16 port : {M0, M1, S0, S1, u16(0x4d0), u16(0x4d1)})
        EXPECT_EQ(pic.io_read(port), 0x00) << port;
    pic.io_write(M0, 0x0b); // OCW3: read ISR
    EXPECT_EQ(pic.io_read(M0), 0x00);
    EXPECT_EQ(pic.io_read(0x22), 0x00);
    pic.io_write(0x4d2, 1);
    EXPECT_EQ(out.str(), "smpsim: unimp: pic: unknown register read at 0x022\n"
                         "smpsim: unimp: pic: unknown register write at 0x4d2\n");
    log::logger().reset();
}

// ELCR (PIIX 0x4D0/0x4D1): IRQ0, 1, 2, 8 and 13 must stay edge-triggered; their bits read 0.
TEST_F(PicPairTest, ElcrReadsBackWithFixedEdgeBitsForIrq0128And13) {
    EXPECT_EQ(pic.io_read(0x4d0), 0x00);
    EXPECT_EQ(pic.io_read(0x4d1), 0x00);
    pic.io_write(0x4d0, 0xff);
    pic.io_write(0x4d1, 0xff);
    EXPECT_EQ(pic.io_read(0x4d0), 0xf8);
    EXPECT_EQ(pic.io_read(0x4d1), 0xde);
    EXPECT_EQ(pic.master().level_triggered_mask(), 0xf8);
    EXPECT_EQ(pic.slave().level_triggered_mask(), 0xde);
    pic.io_write(0x4d0, 0x20);
    EXPECT_EQ(pic.io_read(0x4d0), 0x20);
}

// The INTR output follows the master's INT and reaches both the callback and a connected line.
TEST_F(PicPairTest, IntrOutputDrivesConnectedLine) {
    struct Line : InterruptLine {
        std::vector<bool> levels;
        void set_level(bool level) override { levels.push_back(level); }
    } line;
    init();
    pic.connect_intr(&line);
    raise(0);
    pic.acknowledge();
    EXPECT_EQ(line.levels, (std::vector<bool>{false, true, false}));
}

// IRQ2 is the cascade input on a PC: the irq(2) line is not connected.
TEST_F(PicPairTest, Irq2LineIsNotConnected) {
    init();
    raise(2);
    EXPECT_FALSE(pic.has_pending());
    EXPECT_THROW(pic.irq(16), std::out_of_range);
}

// Special fully nested mode (ICW4 SFNM on the master): a higher priority slave request is accepted
// while the slave's IR2 is in service on the master.
TEST_F(PicPairTest, SpecialFullyNestedModeLetsHigherSlaveRequestsThrough) {
    init();
    pic.io_write(M0, 0x11);
    pic.io_write(M1, 0x20);
    pic.io_write(M1, 0x04);
    pic.io_write(M1, 0x11); // 8086 | SFNM
    raise(12);
    EXPECT_EQ(pic.acknowledge(), 0x2c);
    raise(13); // lower on the slave: blocked by the slave's own ISR
    EXPECT_FALSE(pic.has_pending());
    raise(9);
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x29);
}

// The BIOS-like default programming: vectors 0x08 / 0x70, everything masked except the cascade.
TEST_F(PicPairTest, BiosDefaultsProgramClassicVectors) {
    pic.program_bios_defaults();
    EXPECT_EQ(pic.master().vector_base(), 0x08);
    EXPECT_EQ(pic.slave().vector_base(), 0x70);
    EXPECT_EQ(pic.io_read(M1), 0xfb);
    pic.io_write(M1, 0xfa);
    pic.io_write(S1, 0xfe);
    raise(8);
    EXPECT_EQ(pic.acknowledge(), 0x70);
    raise(0); // higher priority than the cascade input in service
    ASSERT_TRUE(pic.has_pending());
    EXPECT_EQ(pic.acknowledge(), 0x08);
}

} // namespace
} // namespace smpsim::pic8259
