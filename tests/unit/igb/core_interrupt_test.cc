// Interrupts: IVAR routing to MSI-X vectors, EIAC auto-clear, EIAM auto-mask, EITR moderation, ICR read
// rules, IAM, legacy INTx level and MSI edges.
#include "core_test_support.h"

#include "sim/igb/rss.h"

namespace smpsim::igb::test {
namespace {

constexpr u64 kUs = 1000;

struct IntrBench : Bench {
    const std::vector<u8> frame = make_frame({});
    RxOutcome rx(unsigned queue_hint_unused, u64 now) { return core.receive(frame, now); }
    void send_one(unsigned q) {
        // A one-descriptor frame on TX queue q with RS.
        const u64 ring = kTxRing + 0x1000 * q;
        if (core.read(txq(q, kQLength)) == 0) {
            core.write(txq(q, kQBaseLow), u32(ring));
            core.write(txq(q, kQLength), 8 * kDescriptorSize);
            core.write(txq(q, kQDescCtl), kQueueEnable);
            core.write(TCTL, core.read(TCTL) | kTctlEnable);
        }
        const u32 tail = core.read(txq(q, kQTail));
        host.store64(ring + 16 * tail, kTxBuffers);
        host.store32(ring + 16 * tail + 8, kTxdCmdExtension | kTxdTypeData << kTxdTypeShift |
                                               kTxdCmdEndOfPacket | kTxdCmdReportStatus | 60);
        host.store32(ring + 16 * tail + 12, 0);
        core.write(txq(q, kQTail), (tail + 1) % 8);
    }
};

TEST(IgbInterrupts, IvarRoutesQueuesAndOtherCausesToMsixVectors) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.setup_msix(0x1F);
    b.map_rx_queue(0, 3);
    b.map_tx_queue(10, 1); // queue 10: IVAR[2] byte 3
    b.core.write(IVAR_MISC, (4 | kIvarValid) << 8);
    b.core.write(IMS, kIcrLinkStatusChange);
    EXPECT_EQ(b.core.read(IVAR0 + 8), (1u | kIvarValid) << 24);

    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{3});
    b.send_one(10);
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{3, 1}));
    b.core.set_link(false);
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{3, 1, 4}));
    EXPECT_TRUE(b.core.read(ICR) & kIcrLinkStatusChange);
    // The RX/TX causes in ICR are masked in IMS: they raised no "other" interrupt.
    EXPECT_EQ(b.host.msi, 0u);
    EXPECT_FALSE(b.host.intx);
}

TEST(IgbInterrupts, UpperQueuesUseTheSecondIvarColumn) {
    IntrBench b;
    b.setup_rx_queue(9);
    b.enable_rx();
    b.setup_msix(0x1FFFFFF);
    b.map_rx_queue(9, 24); // queue 9: IVAR[1] byte 2
    EXPECT_EQ(b.core.read(IVAR0 + 4), (24u | kIvarValid) << 16);
    b.core.write(MRQC, kMrqcMrqeRss | kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Udp);
    for (unsigned i = 0; i < 32; ++i)
        b.core.write(RETA0 + 4 * i, 0x09090909);
    ASSERT_EQ(b.rx(0, 0).queue, 9u);
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{24});
}

TEST(IgbInterrupts, WithoutMultipleMsixIvarNamesAnEicrBitOfTheSingleInterrupt) {
    IntrBench b;
    b.setup_rx_queue(0);
    b.enable_rx();
    b.map_rx_queue(0, 2);
    b.core.write(EIMS, 0x4); // extended causes on INTx: the RxTxQ bit alone asserts the line
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_TRUE(b.host.intx);
    EXPECT_EQ(b.core.read(EICR), 0x4u); // read-to-clear in this mode
    EXPECT_FALSE(b.host.intx);
    EXPECT_EQ(b.core.read(EICR), 0u);
}

TEST(IgbInterrupts, InvalidIvarEntryRaisesNoVector) {
    IntrBench b;
    b.setup_rx_queue(0);
    b.enable_rx();
    b.setup_msix(0x1F);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None); // IVAR still all zero: no valid entry
    EXPECT_TRUE(b.host.msix.empty());
    EXPECT_EQ(b.core.read(EICR), 0u);
}

TEST(IgbInterrupts, EiacAutoClearsTheCauseWhenTheMessageIsSent) {
    IntrBench b;
    b.setup_rx_queue(0);
    b.enable_rx();
    b.setup_msix(0x3);
    b.core.write(EIAM, 0); // no auto-mask in this test
    b.map_rx_queue(0, 1);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{1});
    EXPECT_EQ(b.core.read(EICR) & 0x2, 0u); // auto-cleared
    EXPECT_EQ(b.core.read(EIMS) & 0x2, 0x2u);
    // Without EIAC the bit stays until software writes it to clear, and no new edge means no new message.
    b.core.write(EIAC, 0x1);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.read(EICR) & 0x2, 0x2u);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{1, 1}));
    b.core.write(EICR, 0x2);
    EXPECT_EQ(b.core.read(EICR) & 0x2, 0u);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{1, 1, 1}));
}

TEST(IgbInterrupts, EiamAutoMasksUntilTheDriverReEnables) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.setup_msix(0x3); // EIAC, EIAM and GPIE.EIAME as Linux's igb sets them
    b.map_rx_queue(0, 0);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{0});
    EXPECT_EQ(b.core.read(EIMS) & 0x1, 0u); // masked by the message (NAPI polls now)
    ASSERT_EQ(b.rx(0, 1 * kUs).drop, RxDrop::None);
    ASSERT_EQ(b.rx(0, 2 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix.size(), 1u); // causes collect in EICR
    EXPECT_EQ(b.core.read(EICR) & 0x1, 0x1u);
    b.core.advance(3 * kUs);
    b.core.write(EIMS, 0x1); // napi_complete: re-enable; the pending cause interrupts at once
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{0, 0}));
    // Without EIAME the mask stays.
    b.core.write(GPIE, b.core.read(GPIE) & ~kGpieAutoMaskEnable);
    b.core.write(EIMS, 0x1);
    ASSERT_EQ(b.rx(0, 4 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.core.read(EIMS) & 0x1, 0x1u);
}

TEST(IgbInterrupts, EitrHoldsASecondCauseUntilTheIntervalExpires) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.setup_msix(0x1);
    b.core.write(EIAM, 0); // keep the vector unmasked: only EITR limits the rate
    b.map_rx_queue(0, 0);
    b.core.write(eitr(0), 100 << kEitrIntervalShift | kEitrCounterIgnore); // 100 us
    EXPECT_EQ(b.core.next_deadline_ns(), UINT64_MAX);

    ASSERT_EQ(b.rx(0, 1000 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix.size(), 1u); // the first cause fires at once
    ASSERT_EQ(b.rx(0, 1010 * kUs).drop, RxDrop::None);
    ASSERT_EQ(b.rx(0, 1020 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix.size(), 1u); // held
    EXPECT_EQ(b.core.next_deadline_ns(), 1100 * kUs);
    b.core.advance(1099 * kUs);
    EXPECT_EQ(b.host.msix.size(), 1u);
    b.core.advance(1100 * kUs);
    EXPECT_EQ(b.host.msix, (std::vector<unsigned>{0, 0}));
    EXPECT_EQ(b.core.next_deadline_ns(), UINT64_MAX);
    // The interval restarts at that message: a cause at 1150 us waits for 1200 us.
    ASSERT_EQ(b.rx(0, 1150 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.core.next_deadline_ns(), 1200 * kUs);
    // A cause well after the interval fires at once.
    b.core.advance(1200 * kUs);
    EXPECT_EQ(b.host.msix.size(), 3u);
    ASSERT_EQ(b.rx(0, 2000 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix.size(), 4u);
}

TEST(IgbInterrupts, AHeldCauseClearedBeforeTheDeadlineIsNotSignalled) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.setup_msix(0x1);
    b.core.write(EIAM, 0);
    b.core.write(EIAC, 0); // software clears EICR itself
    b.map_rx_queue(0, 0);
    b.core.write(eitr(0), 50 << kEitrIntervalShift);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    b.core.write(EICR, 0x1);
    ASSERT_EQ(b.rx(0, 10 * kUs).drop, RxDrop::None);
    EXPECT_EQ(b.core.next_deadline_ns(), 50 * kUs);
    b.core.advance(20 * kUs);
    b.core.write(EICR, 0x1); // handled by polling before the deadline
    b.core.advance(50 * kUs);
    EXPECT_EQ(b.host.msix.size(), 1u);
    EXPECT_EQ(b.core.next_deadline_ns(), UINT64_MAX);
}

TEST(IgbInterrupts, LegacyIntxFollowsIcrAndIms) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.core.write(IMS, kIcrRxDescWritten | kIcrLinkStatusChange);
    EXPECT_FALSE(b.host.intx);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_TRUE(b.host.intx);
    // The interrupt handler reads ICR: asserted, so the read clears it and the line drops.
    const u32 icr = b.core.read(ICR);
    EXPECT_EQ(icr, kIcrRxDescWritten | kIcrInterruptAsserted);
    EXPECT_FALSE(b.host.intx);
    EXPECT_EQ(b.core.read(ICR), 0u);
    // Masking drops the line with the cause still set; unmasking raises it again.
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_TRUE(b.host.intx);
    b.core.write(IMC, kIcrRxDescWritten);
    EXPECT_FALSE(b.host.intx);
    EXPECT_EQ(b.core.read(ICR), kIcrRxDescWritten); // not asserted, IMS != 0: the read does not clear
    b.core.write(IMS, kIcrRxDescWritten);
    EXPECT_TRUE(b.host.intx);
    b.core.write(ICR, kIcrRxDescWritten); // write-1-to-clear
    EXPECT_FALSE(b.host.intx);
    // ICS raises causes by software.
    b.core.write(ICS, kIcrLinkStatusChange);
    EXPECT_TRUE(b.host.intx);
    EXPECT_EQ(b.host.intx_changes, (std::vector<bool>{true, false, true, false, true, false, true}));
}

TEST(IgbInterrupts, IcrReadWithZeroImsOrNsicrClears) {
    IntrBench b;
    b.core.write(ICS, kIcrLinkStatusChange);
    EXPECT_FALSE(b.host.intx);
    EXPECT_EQ(b.core.read(ICR), kIcrLinkStatusChange); // IMS == 0: read clears
    EXPECT_EQ(b.core.read(ICR), 0u);
    b.core.write(IMS, kIcrRxDescWritten);
    b.core.write(ICS, kIcrLinkStatusChange);
    EXPECT_EQ(b.core.read(ICR), kIcrLinkStatusChange); // not asserted: kept
    EXPECT_EQ(b.core.read(ICR), kIcrLinkStatusChange);
    b.core.write(GPIE, kGpieNonSelectiveClearOnRead);
    EXPECT_EQ(b.core.read(ICR), kIcrLinkStatusChange); // NSICR: every read clears
    EXPECT_EQ(b.core.read(ICR), 0u);
}

TEST(IgbInterrupts, IamMasksOnTheAssertedIcrRead) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    const u32 enable = kIcrRxDescWritten | kIcrTxDescWritten | kIcrLinkStatusChange;
    b.core.write(IMS, enable);
    b.core.write(IAM, enable);
    b.core.read(ICR); // not asserted: IMS stays
    EXPECT_EQ(b.core.read(IMS), enable);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_TRUE(b.core.read(ICR) & kIcrInterruptAsserted);
    EXPECT_EQ(b.core.read(IMS), 0u); // auto-masked for the NAPI poll
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_FALSE(b.host.intx);
    b.core.write(IMS, enable); // poll done: the pending cause asserts again
    EXPECT_TRUE(b.host.intx);
}

TEST(IgbInterrupts, LegacyEitrDelaysTheAssertion) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.core.write(IMS, kIcrRxDescWritten);
    b.core.write(eitr(0), 20 << kEitrIntervalShift);
    ASSERT_EQ(b.rx(0, 100 * kUs).drop, RxDrop::None);
    EXPECT_TRUE(b.host.intx);
    b.core.read(ICR);
    EXPECT_FALSE(b.host.intx);
    ASSERT_EQ(b.rx(0, 105 * kUs).drop, RxDrop::None);
    EXPECT_FALSE(b.host.intx); // within 20 us of the last assertion
    EXPECT_EQ(b.core.next_deadline_ns(), 120 * kUs);
    b.core.advance(120 * kUs);
    EXPECT_TRUE(b.host.intx);
}

TEST(IgbInterrupts, MsiSendsOneMessagePerNewCause) {
    IntrBench b;
    b.setup_rx_queue(0, 16, 15);
    b.enable_rx();
    b.core.set_interrupt_mode(InterruptMode::Msi);
    b.core.write(IMS, kIcrRxDescWritten | kIcrTxDescWritten);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msi, 1u);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msi, 1u); // RXDW still set: no new cause
    b.send_one(0);
    EXPECT_EQ(b.host.msi, 2u); // TXDW is new
    b.core.read(ICR);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msi, 3u);
    EXPECT_FALSE(b.host.intx); // MSI never uses the pin
}

TEST(IgbInterrupts, NoMessagesWithoutBusMastering) {
    IntrBench b;
    b.setup_msix(0x1);
    b.core.set_bus_master(false);
    b.core.write(EICS, 0x1);
    EXPECT_TRUE(b.host.msix.empty());
    b.core.set_bus_master(true);
    b.core.write(EICR, 0x1);
    b.core.write(EIMS, 0x1);
    b.core.write(EICS, 0x1); // a software-triggered vector, as the igb watchdog does
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{0});
}

TEST(IgbInterrupts, SingleVectorMsixSendsVectorZero) {
    IntrBench b;
    b.setup_rx_queue(0);
    b.enable_rx();
    b.core.set_interrupt_mode(InterruptMode::Msix); // GPIE.Multiple_MSIX clear
    b.core.write(IMS, kIcrRxDescWritten);
    ASSERT_EQ(b.rx(0, 0).drop, RxDrop::None);
    EXPECT_EQ(b.host.msix, std::vector<unsigned>{0});
    EXPECT_TRUE(b.core.read(EICR) & kEicrOtherCause);
}

} // namespace
} // namespace smpsim::igb::test
