// Receive: descriptor write-back field by field, RSS queue choice, FCS, VLAN strip, filters, drops and the
// statistics they count.
#include "core_test_support.h"

#include "sim/igb/rss.h"

namespace smpsim::igb::test {
namespace {

u32 load_key_word(unsigned i) {
    const u8* k = kMicrosoftRssKey.data() + 4 * i;
    return u32(k[0]) | u32(k[1]) << 8 | u32(k[2]) << 16 | u32(k[3]) << 24;
}

// Programs RSS as igb_setup_mrqc does: key, RETA entry i -> queue i % queues, IPv4/TCP/UDP fields, PCSD.
void setup_rss(Bench& b, unsigned queues) {
    for (unsigned i = 0; i < 10; ++i)
        b.core.write(RSSRK0 + 4 * i, load_key_word(i));
    for (unsigned i = 0; i < 32; ++i) {
        u32 word = 0;
        for (unsigned j = 0; j < 4; ++j)
            word |= ((4 * i + j) % queues) << (8 * j);
        b.core.write(RETA0 + 4 * i, word);
    }
    b.core.write(MRQC, kMrqcMrqeRss | kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp | kMrqcRssFieldIpv4Udp);
    b.core.write(RXCSUM, b.core.read(RXCSUM) | kRxcsumPacketChecksumDisable);
}

TEST(IgbRx, WritesThePacketAndTheAdvancedWriteBackDescriptor) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    const std::vector<u8> frame = make_frame({.protocol = kIpProtoUdp, .payload = 100});
    const RxOutcome out = b.core.receive(frame, 1000);
    ASSERT_EQ(out.drop, RxDrop::None);
    EXPECT_EQ(out.queue, 0u);
    EXPECT_EQ(b.host.bytes(b.rx_buffer(0, 0), frame.size()), frame);
    EXPECT_EQ(b.wb_length(0, 0), frame.size());
    const u32 status = b.wb_status(0, 0);
    EXPECT_TRUE(status & kRxdStatusDone);
    EXPECT_TRUE(status & kRxdStatusEndOfPacket);
    EXPECT_TRUE(status & kRxdStatusIpChecksum);
    EXPECT_TRUE(status & kRxdStatusL4Checksum);
    EXPECT_TRUE(status & kRxdStatusUdpChecksum);
    EXPECT_FALSE(status & (kRxdErrorIp | kRxdErrorL4));
    EXPECT_FALSE(status & kRxdStatusVlan);
    // Packet type IPv4 + UDP; no RSS: type 0; PCSD clear: dword 1 holds the IP identification.
    EXPECT_EQ(b.wb_dword0(0, 0), (kRxdPacketIpv4 | kRxdPacketUdp) << kRxdPacketTypeShift);
    EXPECT_EQ(b.wb_rss_hash(0, 0), 0x1234u);
    EXPECT_EQ(b.core.read(rxq(0, kQHead)), 1u);
    // Statistics: one good packet, the octets as on the wire (with FCS).
    EXPECT_EQ(b.core.read(GPRC), 1u);
    EXPECT_EQ(b.core.read(GORCL), frame.size() + 4);
    EXPECT_EQ(b.core.read(GORCH), 0u);
    EXPECT_EQ(b.core.read(TPR), 1u);
    EXPECT_EQ(b.core.read(PQGPRC0), 1u);
    EXPECT_EQ(b.core.read(GPRC), 0u); // cleared on read
    EXPECT_EQ(b.core.rx_packets(0), 1u);
    EXPECT_EQ(b.core.rx_packets(0), 1u); // not clear on read
}

TEST(IgbRx, RssHashTypeAndQueueFollowToeplitzAndReta) {
    Bench b;
    for (unsigned q = 0; q < 4; ++q)
        b.setup_rx_queue(q);
    setup_rss(b, 4);
    b.enable_rx(kRctlStripCrc);
    const FrameSpec spec{.protocol = kIpProtoTcp,
                         .src_ip = 0x420995BB,
                         .dst_ip = 0xA18E6450,
                         .src_port = 2794,
                         .dst_port = 1766};
    const std::vector<u8> frame = make_frame(spec);
    // The Microsoft RSS specification's IPv4/TCP example (66.9.149.187:2794 -> 161.142.100.80:1766).
    const u8 input[12] = {0x42, 0x09, 0x95, 0xBB, 0xA1, 0x8E, 0x64, 0x50, 0x0A, 0xEA, 0x06, 0xE6};
    const u32 expected_hash = toeplitz_hash(kMicrosoftRssKey, input);
    EXPECT_EQ(expected_hash, 0x51CCC178u);
    const unsigned expected_queue = (expected_hash & 0x7F) % 4;
    EXPECT_EQ(b.core.rx_queue_for(frame), expected_queue);
    const RxOutcome out = b.core.receive(frame, 0);
    ASSERT_EQ(out.drop, RxDrop::None);
    EXPECT_EQ(out.queue, expected_queue);
    EXPECT_EQ(out.rss_hash, expected_hash);
    EXPECT_EQ(b.wb_rss_hash(expected_queue, 0), expected_hash);
    EXPECT_EQ(b.wb_dword0(expected_queue, 0), kRssTypeIpv4Tcp | (kRxdPacketIpv4 | kRxdPacketTcp)
                                                                    << kRxdPacketTypeShift);
    EXPECT_TRUE(b.wb_status(expected_queue, 0) & kRxdStatusL4Checksum);
    EXPECT_FALSE(b.wb_status(expected_queue, 0) & kRxdStatusUdpChecksum);
    EXPECT_EQ(b.core.rx_packets(expected_queue), 1u);
    EXPECT_EQ(b.core.rss_key(), kMicrosoftRssKey);
    EXPECT_EQ(b.core.reta()[5], 1u);
}

TEST(IgbRx, RetaEntryLowBitsNameTheQueue) {
    Bench b;
    b.setup_rx_queue(0);
    b.setup_rx_queue(9);
    setup_rss(b, 1);
    for (unsigned i = 0; i < 32; ++i)
        b.core.write(RETA0 + 4 * i, 0x09090909); // every entry: queue 9
    b.enable_rx();
    const RxOutcome out = b.core.receive(make_frame({}), 0);
    EXPECT_EQ(out.drop, RxDrop::None);
    EXPECT_EQ(out.queue, 9u);
    // ARP is not hashed: queue 0, RSS type 0.
    std::vector<u8> arp(42, 0);
    std::fill(arp.begin(), arp.begin() + 6, 0xFF);
    arp[12] = 0x08;
    arp[13] = 0x06;
    const RxOutcome arp_out = b.core.receive(arp, 0);
    EXPECT_EQ(arp_out.drop, RxDrop::None);
    EXPECT_EQ(arp_out.queue, 0u);
    EXPECT_EQ(b.wb_dword0(0, 0) & 0xF, 0u);
    EXPECT_EQ(b.wb_length(0, 0), 60 + 4); // padded to 60 bytes, plus FCS
}

TEST(IgbRx, AppendsTheRealFcsUnlessSecrc) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx();
    const std::vector<u8> frame = make_frame({.payload = 40});
    ASSERT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
    ASSERT_EQ(b.wb_length(0, 0), frame.size() + 4);
    const u32 crc = ethernet_crc32(frame);
    EXPECT_EQ(b.host.load32(b.rx_buffer(0, 0) + frame.size()), crc);
    // With the FCS appended, the CRC over frame + FCS gives the CRC-32 residue.
    EXPECT_EQ(ethernet_crc32(b.host.bytes(b.rx_buffer(0, 0), frame.size() + 4)), 0x2144DF1Cu);

    b.enable_rx(kRctlStripCrc);
    ASSERT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
    EXPECT_EQ(b.wb_length(0, 1), frame.size());
}

TEST(IgbRx, PadsShortFramesToSixtyBytes) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    std::vector<u8> runt(20, 0xEE);
    std::copy(kOurMac.begin(), kOurMac.end(), runt.begin());
    ASSERT_EQ(b.core.receive(runt, 0).drop, RxDrop::None);
    EXPECT_EQ(b.wb_length(0, 0), 60);
    EXPECT_EQ(b.host.bytes(b.rx_buffer(0, 0) + 20, 40), std::vector<u8>(40, 0));
    // Not even an Ethernet header: a runt the MAC counts and drops.
    EXPECT_EQ(b.core.receive(std::vector<u8>(10, 0), 0).drop, RxDrop::Undersize);
    EXPECT_EQ(b.core.read(RUC), 1u);
}

TEST(IgbRx, StripsTheVlanTagIntoTheDescriptorWhenVme) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    const std::vector<u8> tagged = make_frame({.vlan = true, .vlan_tci = 0x2064});
    const std::vector<u8> untagged = make_frame({});
    // VME clear: the tag stays in the data.
    ASSERT_EQ(b.core.receive(tagged, 0).drop, RxDrop::None);
    EXPECT_EQ(b.wb_length(0, 0), tagged.size());
    EXPECT_FALSE(b.wb_status(0, 0) & kRxdStatusVlan);
    EXPECT_EQ(b.wb_vlan(0, 0), 0);
    // VME set: stripped, VP and the TCI in the descriptor; checksums still parsed behind the tag.
    b.core.write(CTRL, b.core.read(CTRL) | kCtrlVlanModeEnable);
    ASSERT_EQ(b.core.receive(tagged, 0).drop, RxDrop::None);
    EXPECT_EQ(b.wb_length(0, 1), untagged.size());
    EXPECT_EQ(b.host.bytes(b.rx_buffer(0, 1), untagged.size()), untagged);
    EXPECT_TRUE(b.wb_status(0, 1) & kRxdStatusVlan);
    EXPECT_TRUE(b.wb_status(0, 1) & kRxdStatusIpChecksum);
    EXPECT_EQ(b.wb_vlan(0, 1), 0x2064);
}

TEST(IgbRx, VlanFilterPassesOnlyListedIds) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlVlanFilter);
    b.core.write(VFTA0 + 4 * (100 >> 5), 1u << (100 & 31));
    EXPECT_EQ(b.core.receive(make_frame({.vlan = true, .vlan_tci = 100}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(make_frame({.vlan = true, .vlan_tci = 101}), 0).drop, RxDrop::Filtered);
    EXPECT_EQ(b.core.receive(make_frame({}), 0).drop, RxDrop::None); // untagged frames are not filtered
}

TEST(IgbRx, AddressFilters) {
    Bench b;
    b.setup_rx_queue(0, 64, 63);
    b.core.write(RCTL, kRctlEnable);
    const std::array<u8, 6> other{0x02, 0x99, 0x99, 0x99, 0x99, 0x99};
    const std::array<u8, 6> broadcast{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    const std::array<u8, 6> multicast{0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
    EXPECT_EQ(b.core.receive(make_frame({.dst = kOurMac}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(make_frame({.dst = other}), 0).drop, RxDrop::Filtered);
    EXPECT_EQ(b.core.receive(make_frame({.dst = broadcast}), 0).drop, RxDrop::Filtered); // BAM clear
    EXPECT_EQ(b.core.receive(make_frame({.dst = multicast}), 0).drop, RxDrop::Filtered);
    // MTA with MO = 0: hash = address bits 47:36 = 0xFB0 -> MTA[0x7D] bit 0x10.
    b.core.write(MTA0 + 4 * 0x7D, 1u << 0x10);
    EXPECT_EQ(b.core.receive(make_frame({.dst = multicast}), 0).drop, RxDrop::None);
    // A second receive address, then promiscuous modes.
    b.core.write(RAL0 + 8 * 3, 0x99999902);
    b.core.write(RAH0 + 8 * 3, 0x9999 | kRahAddressValid);
    EXPECT_EQ(b.core.receive(make_frame({.dst = other}), 0).drop, RxDrop::None);
    b.core.write(RAH0 + 8 * 3, 0x9999); // not valid any more
    EXPECT_EQ(b.core.receive(make_frame({.dst = other}), 0).drop, RxDrop::Filtered);
    b.core.write(RCTL, kRctlEnable | kRctlUnicastPromisc | kRctlBroadcastAccept);
    EXPECT_EQ(b.core.receive(make_frame({.dst = other}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(make_frame({.dst = broadcast}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.read(BPRC), 1u);
    EXPECT_EQ(b.core.read(MPRC), 1u);
    EXPECT_EQ(b.core.read(GPRC), 5u);
    EXPECT_EQ(b.core.read(TPR), 9u); // every frame the MAC saw, filtered or not
}

TEST(IgbRx, RingFullCountsRnbcMpcAndTheQueueDropCounter) {
    Bench b;
    b.setup_rx_queue(2, 8, 2); // two descriptors posted (RDLEN is a multiple of 128 bytes: 8 at least)
    b.core.write(MRQC, 0);
    b.enable_rx();
    // Queue 2 only receives through RSS; point every RETA entry at it.
    setup_rss(b, 1);
    for (unsigned i = 0; i < 32; ++i)
        b.core.write(RETA0 + 4 * i, 0x02020202);
    const std::vector<u8> frame = make_frame({});
    EXPECT_TRUE(b.core.rx_queue_has_room(2));
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
    EXPECT_FALSE(b.core.rx_queue_has_room(2));
    const RxOutcome full = b.core.receive(frame, 0);
    EXPECT_EQ(full.drop, RxDrop::RingFull);
    EXPECT_EQ(full.queue, 2u);
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::RingFull);
    EXPECT_EQ(b.core.read(RNBC), 2u);
    EXPECT_EQ(b.core.read(MPC), 2u);
    EXPECT_EQ(b.core.read(rxq(2, kQRxDropCount)), 2u);
    EXPECT_EQ(b.core.read(rxq(2, kQRxDropCount)), 0u);
    EXPECT_EQ(b.core.read(GPRC), 2u);
    // The driver returns two buffers: reception resumes.
    b.post_rx_descriptor(2, 2);
    b.post_rx_descriptor(2, 3);
    b.core.write(rxq(2, kQTail), 4);
    EXPECT_TRUE(b.core.rx_queue_has_room(2));
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.read(rxq(2, kQHead)), 3u);
}

TEST(IgbRx, OversizeFramesCountRoc) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    // 1514 bytes + FCS = 1518: the largest standard frame.
    EXPECT_EQ(b.core.receive(make_frame({.payload = 1514 - 42}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(make_frame({.payload = 1515 - 42}), 0).drop, RxDrop::Oversize);
    // A VLAN tag may add 4 bytes.
    EXPECT_EQ(b.core.receive(make_frame({.vlan = true, .payload = 1514 - 42}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.read(ROC), 1u);
    // LPE: RLPML decides; but a 2 KB buffer still cannot hold 3000 bytes (no descriptor chaining).
    b.enable_rx(kRctlStripCrc | kRctlLongPacket);
    b.core.write(RLPML, 9018);
    EXPECT_EQ(b.core.receive(make_frame({.payload = 2000 - 42}), 0).drop, RxDrop::None);
    EXPECT_EQ(b.core.receive(make_frame({.payload = 3000}), 0).drop, RxDrop::Oversize);
    b.core.write(RLPML, 1522);
    EXPECT_EQ(b.core.receive(make_frame({.payload = 2000 - 42}), 0).drop, RxDrop::Oversize);
    EXPECT_EQ(b.core.read(ROC), 2u);
}

TEST(IgbRx, ChecksumErrorsAreReportedWhenOffloadIsOn) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    std::vector<u8> bad_l4 = make_frame({.protocol = kIpProtoTcp});
    bad_l4.back() ^= 0xFF;
    ASSERT_EQ(b.core.receive(make_frame({.corrupt_ip_checksum = true}), 0).drop, RxDrop::None);
    ASSERT_EQ(b.core.receive(bad_l4, 0).drop, RxDrop::None);
    EXPECT_TRUE(b.wb_status(0, 0) & kRxdErrorIp);
    EXPECT_FALSE(b.wb_status(0, 1) & kRxdErrorIp);
    EXPECT_TRUE(b.wb_status(0, 1) & kRxdErrorL4);
    // Offload off: no checksum status and no errors.
    b.core.write(RXCSUM, 0);
    ASSERT_EQ(b.core.receive(bad_l4, 0).drop, RxDrop::None);
    EXPECT_EQ(b.wb_status(0, 2), kRxdStatusDone | kRxdStatusEndOfPacket);
}

TEST(IgbRx, DisabledReceiverQueueOrBusMasterDropsWithoutDma) {
    Bench b;
    const std::vector<u8> frame = make_frame({});
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::RxDisabled); // RCTL.EN clear
    b.enable_rx();
    EXPECT_FALSE(b.core.rx_enabled());
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::RxDisabled); // no queue has a ring
    b.setup_rx_queue(0);
    EXPECT_TRUE(b.core.rx_enabled());
    b.core.set_bus_master(false);
    const unsigned writes = b.host.dma_writes;
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::NoBusMaster);
    EXPECT_EQ(b.host.dma_writes, writes);
    b.core.set_bus_master(true);
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::None);
}

TEST(IgbRx, DmaToNowhereFaultsOnceAndStopsTheRing) {
    Bench b;
    b.setup_rx_queue(0);
    b.host.store64(b.rx_ring(0), 0x7FFFFFFF0000); // buffer address outside RAM
    b.enable_rx();
    const std::vector<u8> frame = make_frame({});
    EXPECT_NE(b.core.receive(frame, 0).drop, RxDrop::None);
    ASSERT_EQ(b.host.faults.size(), 1u);
    EXPECT_EQ(b.host.faults[0].first, 0x7FFFFFFF0000u);
    EXPECT_EQ(b.core.receive(frame, 0).drop, RxDrop::RxDisabled);
    EXPECT_EQ(b.host.faults.size(), 1u);
    EXPECT_FALSE(b.core.rx_enabled());
}

TEST(IgbRx, RingPointersOutsideTheRingAreRefusedSafely) {
    Bench b;
    b.setup_rx_queue(0, 8, 7);
    b.core.write(rxq(0, kQHead), 500); // past the 8-descriptor ring
    b.enable_rx();
    EXPECT_EQ(b.core.receive(make_frame({}), 0).drop, RxDrop::RingFull);
    EXPECT_TRUE(b.host.faults.empty());
}

TEST(IgbRx, SizeBucketCountersCountEachFrameOnceByItsLengthWithFcs) {
    Bench b;
    b.setup_rx_queue(0);
    b.enable_rx(kRctlStripCrc);
    // UDP frames of 60, 142 and 1514 bytes: 64, 146 and 1518 with the FCS.
    for (size_t payload : {18, 100, 1472})
        ASSERT_EQ(b.core.receive(make_frame({.protocol = kIpProtoUdp, .payload = payload}), 1000).drop,
                  RxDrop::None);
    EXPECT_EQ(b.core.read(PRC64), 1u);
    EXPECT_EQ(b.core.read(PRC127), 0u);
    EXPECT_EQ(b.core.read(PRC255), 1u);
    EXPECT_EQ(b.core.read(PRC511), 0u);
    EXPECT_EQ(b.core.read(PRC1023), 0u);
    EXPECT_EQ(b.core.read(PRC1522), 1u);
    EXPECT_EQ(b.core.read(PRC64), 0u); // cleared on read
}

} // namespace
} // namespace smpsim::igb::test
