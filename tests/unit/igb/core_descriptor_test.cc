// The advanced RX descriptor structs (igb_descriptors.h) against the datasheet's byte layout.
#include "sim/igb/igb_descriptors.h"

#include <gtest/gtest.h>

namespace smpsim::igb {
namespace {

TEST(IgbDescriptors, ReadFormatIsTwoLittleEndianAddresses) {
    RawDescriptor raw{};
    for (unsigned i = 0; i < raw.size(); ++i)
        raw[i] = u8(i + 1);
    const AdvRxDescRead d = AdvRxDescRead::decode(raw);
    EXPECT_EQ(d.packet_buffer_addr, 0x0807060504030201u);
    EXPECT_EQ(d.header_buffer_addr, 0x100F0E0D0C0B0A09u);
}

TEST(IgbDescriptors, WriteBackFieldsLandInTheirDatasheetBits) {
    AdvRxDescWriteBack wb;
    wb.rss_type = 0x1;                                                                     // dword 0 bits 3:0
    wb.packet_type = reg::kRxdPacketIpv4 | reg::kRxdPacketUdp;                             // bits 16:4
    wb.rss_hash_or_ip_id = 0xA1B2C3D4;                                                     // dword 1
    wb.status_error = reg::kRxdStatusDone | reg::kRxdStatusEndOfPacket | reg::kRxdErrorL4; // dword 2
    wb.packet_length = 1514; // dword 3 bits 15:0
    wb.vlan_tag = 0x0123;    // bits 31:16
    const RawDescriptor raw = wb.encode();
    auto dword = [&](unsigned n) {
        return u32(raw[4 * n]) | u32(raw[4 * n + 1]) << 8 | u32(raw[4 * n + 2]) << 16 |
               u32(raw[4 * n + 3]) << 24;
    };
    EXPECT_EQ(dword(0), 0x1u | (reg::kRxdPacketIpv4 | reg::kRxdPacketUdp) << reg::kRxdPacketTypeShift);
    EXPECT_EQ(dword(1), 0xA1B2C3D4u);
    EXPECT_EQ(dword(2), reg::kRxdStatusDone | reg::kRxdStatusEndOfPacket | reg::kRxdErrorL4);
    EXPECT_EQ(dword(3), 1514u | 0x0123u << 16);
    const AdvRxDescWriteBack back = AdvRxDescWriteBack::decode(raw);
    EXPECT_EQ(back.packet_length, 1514u);
    EXPECT_EQ(back.vlan_tag, 0x0123u);
    EXPECT_EQ(back.packet_type, reg::kRxdPacketIpv4 | reg::kRxdPacketUdp);
}

} // namespace
} // namespace smpsim::igb
