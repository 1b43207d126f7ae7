// Transmit: advanced context and data descriptors, gathering, write-back, head write-back, statistics.
#include "core_test_support.h"

namespace smpsim::igb::test {
namespace {

struct TxBench : Bench {
    unsigned next = 0;
    u64 next_buffer = kTxBuffers;

    void setup_tx_queue(unsigned q, unsigned descriptors = 16) {
        core.write(txq(q, kQBaseLow), u32(kTxRing + 0x1000 * q));
        core.write(txq(q, kQBaseHigh), 0);
        core.write(txq(q, kQLength), descriptors * kDescriptorSize);
        core.write(txq(q, kQHead), 0);
        core.write(txq(q, kQTail), 0);
        core.write(txq(q, kQDescCtl), kQueueEnable);
        core.write(TCTL, core.read(TCTL) | kTctlEnable);
    }
    u64 desc(unsigned q, unsigned i) const { return kTxRing + 0x1000 * q + 16 * i; }
    // Writes a descriptor at the software tail (no TDT write).
    void put(unsigned q, u64 addr, u32 cmd_type_len, u32 olinfo) {
        host.store64(desc(q, next), addr);
        host.store32(desc(q, next) + 8, cmd_type_len);
        host.store32(desc(q, next) + 12, olinfo);
        ++next;
    }
    void put_context(unsigned q, u16 vlan) {
        host.store32(desc(q, next), u32(vlan) << 16 | 14 << 9 | 20); // VLAN, MACLEN, IPLEN
        host.store32(desc(q, next) + 4, 0);
        host.store32(desc(q, next) + 8, kTxdCmdExtension | kTxdTypeContext << kTxdTypeShift);
        host.store32(desc(q, next) + 12, 0);
        ++next;
    }
    u64 buffer(const std::vector<u8>& bytes) {
        const u64 addr = next_buffer;
        std::copy(bytes.begin(), bytes.end(), host.ram.begin() + long(addr));
        next_buffer += 0x1000;
        return addr;
    }
    static u32 data_cmd(u32 length, u32 extra) {
        return kTxdCmdExtension | kTxdTypeData << kTxdTypeShift | kTxdCmdInsertFcs | length | extra;
    }
};

TEST(IgbTx, GathersATwoBufferFrameAndWritesBackDd) {
    TxBench b;
    b.setup_tx_queue(0);
    const std::vector<u8> frame = make_frame({.dst = kPeerMac, .src = kOurMac, .payload = 300});
    const std::vector<u8> first(frame.begin(), frame.begin() + 42), second(frame.begin() + 42, frame.end());
    const u32 paylen = u32(frame.size()) << 14;
    b.put_context(0, 0);
    b.put(0, b.buffer(first), TxBench::data_cmd(u32(first.size()), 0), paylen);
    b.put(0, b.buffer(second),
          TxBench::data_cmd(u32(second.size()), kTxdCmdEndOfPacket | kTxdCmdReportStatus), paylen);
    b.core.write(txq(0, kQTail), 3);

    ASSERT_EQ(b.host.sent.size(), 1u);
    EXPECT_EQ(b.host.sent[0], frame);
    EXPECT_EQ(b.core.read(txq(0, kQHead)), 3u);
    EXPECT_EQ(b.host.load32(b.desc(0, 2) + 12) & kTxdStatusDone, kTxdStatusDone); // RS: DD written back
    EXPECT_EQ(b.host.load32(b.desc(0, 1) + 12), paylen);                          // no RS: untouched
    EXPECT_EQ(b.core.read(GPTC), 1u);
    EXPECT_EQ(b.core.read(GOTCL), frame.size() + 4);
    EXPECT_EQ(b.core.read(TPT), 1u);
    EXPECT_EQ(b.core.read(PQGPTC0), 1u);
    EXPECT_EQ(b.core.tx_packets(0), 1u);
    EXPECT_TRUE(b.core.read(ICR) & kIcrTxDescWritten);
}

TEST(IgbTx, NothingMovesUntilTheQueueAndTransmitterAreEnabled) {
    TxBench b;
    b.setup_tx_queue(1);
    b.core.write(TCTL, b.core.read(TCTL) & ~kTctlEnable);
    const std::vector<u8> frame = make_frame({.dst = kPeerMac});
    b.put(1, b.buffer(frame), TxBench::data_cmd(u32(frame.size()), kTxdCmdEndOfPacket | kTxdCmdReportStatus),
          0);
    b.core.write(txq(1, kQTail), 1);
    EXPECT_TRUE(b.host.sent.empty());
    EXPECT_EQ(b.core.read(txq(1, kQHead)), 0u);
    b.core.set_bus_master(false);
    b.core.write(TCTL, b.core.read(TCTL) | kTctlEnable); // no bus master: still nothing
    EXPECT_TRUE(b.host.sent.empty());
    b.core.set_bus_master(true); // posted descriptors go now
    ASSERT_EQ(b.host.sent.size(), 1u);
    EXPECT_EQ(b.core.tx_packets(1), 1u);
}

TEST(IgbTx, HeadWriteBackReplacesDescriptorWriteBack) {
    TxBench b;
    b.setup_tx_queue(0);
    const u64 head_addr = 0x8000;
    b.host.store32(head_addr, 0xFFFFFFFF);
    b.core.write(txq(0, kQTxHeadWbLow), u32(head_addr) | kTxHeadWriteBackEnable);
    const std::vector<u8> frame = make_frame({.dst = kPeerMac});
    for (int i = 0; i < 2; ++i)
        b.put(0, b.buffer(frame),
              TxBench::data_cmd(u32(frame.size()), kTxdCmdEndOfPacket | kTxdCmdReportStatus), 0);
    b.core.write(txq(0, kQTail), 2);
    EXPECT_EQ(b.host.sent.size(), 2u);
    EXPECT_EQ(b.host.load32(head_addr), 2u);
    EXPECT_EQ(b.host.load32(b.desc(0, 1) + 12), 0u); // descriptors are not written
}

TEST(IgbTx, InsertsTheContextVlanTagWhenAsked) {
    TxBench b;
    b.setup_tx_queue(0);
    const std::vector<u8> frame = make_frame({.dst = kPeerMac});
    b.put_context(0, 0x0123);
    b.put(0, b.buffer(frame),
          TxBench::data_cmd(u32(frame.size()), kTxdCmdEndOfPacket | kTxdCmdReportStatus | kTxdCmdVlanInsert),
          0);
    b.core.write(txq(0, kQTail), 2);
    ASSERT_EQ(b.host.sent.size(), 1u);
    EXPECT_EQ(b.host.sent[0], make_frame({.dst = kPeerMac, .vlan = true, .vlan_tci = 0x0123}));
}

TEST(IgbTx, WrapsAroundTheRingAndPadsShortFrames) {
    TxBench b;
    b.setup_tx_queue(0, 8);
    b.core.write(txq(0, kQHead), 6);
    b.core.write(txq(0, kQTail), 6);
    b.next = 6;
    const std::vector<u8> tiny(30, 0x11);
    for (int i = 0; i < 3; ++i)
        b.put(0, b.buffer(tiny), TxBench::data_cmd(30, kTxdCmdEndOfPacket | kTxdCmdReportStatus), 0);
    // Descriptors 6, 7, then 0 (the test's "next" went to 8: move the third one to slot 0).
    b.host.store64(b.desc(0, 0), b.host.load64(b.desc(0, 8)));
    b.host.store64(b.desc(0, 0) + 8, b.host.load64(b.desc(0, 8) + 8));
    b.core.write(txq(0, kQTail), 1);
    ASSERT_EQ(b.host.sent.size(), 3u);
    EXPECT_EQ(b.host.sent[2].size(), 60u); // TCTL.PSP pads to the minimum frame
    EXPECT_EQ(b.core.read(txq(0, kQHead)), 1u);
}

TEST(IgbTx, DmaFaultStopsTheRingUntilReEnabled) {
    TxBench b;
    b.setup_tx_queue(0);
    b.put(0, 0x7FFFFFFF000, TxBench::data_cmd(100, kTxdCmdEndOfPacket | kTxdCmdReportStatus), 0);
    b.core.write(txq(0, kQTail), 1);
    ASSERT_EQ(b.host.faults.size(), 1u);
    EXPECT_EQ(b.host.faults[0].first, 0x7FFFFFFF000u);
    b.core.write(txq(0, kQTail), 1);
    EXPECT_EQ(b.host.faults.size(), 1u);
    EXPECT_TRUE(b.host.sent.empty());
}

} // namespace
} // namespace smpsim::igb::test
