// RSS: the Toeplitz hash against Microsoft's published "Verifying the RSS Hash Calculation" vectors, and
// the 82576's choice of hash input and RSS type from MRQC's field-enable bits.
#include "sim/core/error.h"
#include "sim/igb/rss.h"
#include "test_frames.h"

#include <gtest/gtest.h>
#include <random>

namespace smpsim::igb {
namespace {

using test::build_ipv4;
using test::build_ipv6;
using test::ipv4;
using test::Ipv4Spec;

std::vector<u8> be_bytes(std::initializer_list<u32> words32, std::initializer_list<u16> words16 = {}) {
    std::vector<u8> out;
    for (u32 w : words32)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<u8>(w >> shift));
    for (u16 w : words16)
        out.insert(out.end(), {static_cast<u8>(w >> 8), static_cast<u8>(w)});
    return out;
}

// Microsoft "Verifying the RSS Hash Calculation", IPv4 table: destination, source, IPv4-only hash,
// IPv4-with-TCP hash. Input order is source address, destination address, source port, destination port.
struct Ipv4Vector {
    u32 dst;
    u16 dst_port;
    u32 src;
    u16 src_port;
    u32 hash_ipv4, hash_ipv4_tcp;
};
const Ipv4Vector kIpv4Vectors[] = {
    {ipv4(161, 142, 100, 80), 1766, ipv4(66, 9, 149, 187), 2794, 0x323e8fc2, 0x51ccc178},
    {ipv4(65, 69, 140, 83), 4739, ipv4(199, 92, 111, 2), 14230, 0xd718262a, 0xc626b0ea},
    {ipv4(12, 22, 207, 184), 38024, ipv4(24, 19, 198, 95), 12898, 0xd2d0a5de, 0x5c2b394a},
    {ipv4(209, 142, 163, 6), 2217, ipv4(38, 27, 205, 30), 48228, 0x82989176, 0xafc7327f},
    {ipv4(202, 188, 127, 2), 1303, ipv4(153, 39, 163, 191), 44251, 0x5d1809c5, 0x10e828a2},
};

TEST(ToeplitzHash, MicrosoftIpv4VectorsBitByBit) {
    for (const auto& v : kIpv4Vectors) {
        EXPECT_EQ(toeplitz_hash(kMicrosoftRssKey, be_bytes({v.src, v.dst})), v.hash_ipv4);
        EXPECT_EQ(toeplitz_hash(kMicrosoftRssKey, be_bytes({v.src, v.dst}, {v.src_port, v.dst_port})),
                  v.hash_ipv4_tcp);
    }
}

TEST(ToeplitzHash, MicrosoftIpv4VectorsTable) {
    const ToeplitzTable table(kMicrosoftRssKey);
    for (const auto& v : kIpv4Vectors) {
        EXPECT_EQ(table.hash(be_bytes({v.src, v.dst})), v.hash_ipv4);
        EXPECT_EQ(table.hash(be_bytes({v.src, v.dst}, {v.src_port, v.dst_port})), v.hash_ipv4_tcp);
    }
}

TEST(RssHash, MicrosoftIpv4VectorsFromFrames) {
    const u32 mrqc = kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp;
    for (const auto& v : kIpv4Vectors) {
        Ipv4Spec spec{.src = v.src,
                      .dst = v.dst,
                      .protocol = kIpProtoTcp,
                      .src_port = v.src_port,
                      .dst_port = v.dst_port};
        const auto tcp = build_ipv4(spec);
        const RssResult tcp_hash = rss_hash(parse_packet(tcp), tcp, mrqc, kMicrosoftRssKey);
        EXPECT_EQ(tcp_hash.hash, v.hash_ipv4_tcp);
        EXPECT_EQ(tcp_hash.type, kRssTypeIpv4Tcp);
        spec.protocol = kIpProtoIcmp;
        const auto icmp = build_ipv4(spec);
        const RssResult ip_hash = rss_hash(parse_packet(icmp), icmp, mrqc, kMicrosoftRssKey);
        EXPECT_EQ(ip_hash.hash, v.hash_ipv4);
        EXPECT_EQ(ip_hash.type, kRssTypeIpv4);
    }
}

// The IPv6 table of the same page (addresses and ports as published).
TEST(RssHash, MicrosoftIpv6Vectors) {
    struct V {
        std::array<u8, 16> src, dst;
        u16 src_port, dst_port;
        u32 hash_ipv6, hash_ipv6_tcp;
    };
    const V vectors[] = {
        {{0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x07},
         {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x01},
         2794,
         1766,
         0x2cc18cd5,
         0x40207d3d},
        {{0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab},
         {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01},
         14230,
         4739,
         0x0f0c461c,
         0xdde51bbf},
        {{0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf},
         {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf},
         44251,
         38024,
         0x4b61e985,
         0x02d1feef},
    };
    const u32 mrqc = kMrqcRssFieldIpv6 | kMrqcRssFieldIpv6Tcp;
    for (const auto& v : vectors) {
        const auto tcp = build_ipv6(v.src, v.dst, kIpProtoTcp, v.src_port, v.dst_port);
        const RssResult with_ports = rss_hash(parse_packet(tcp), tcp, mrqc, kMicrosoftRssKey);
        EXPECT_EQ(with_ports.hash, v.hash_ipv6_tcp);
        EXPECT_EQ(with_ports.type, kRssTypeIpv6Tcp);
        const RssResult addresses = rss_hash(parse_packet(tcp), tcp, kMrqcRssFieldIpv6, kMicrosoftRssKey);
        EXPECT_EQ(addresses.hash, v.hash_ipv6);
        EXPECT_EQ(addresses.type, kRssTypeIpv6);
    }
}

TEST(ToeplitzHash, TableMatchesBitByBitOnRandomInputsAndKeys) {
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
        std::array<u8, kRssKeyLen> key{};
        for (auto& b : key)
            b = static_cast<u8>(rng());
        const ToeplitzTable table(key);
        std::vector<u8> input(rng() % (ToeplitzTable::kMaxInput + 1));
        for (auto& b : input)
            b = static_cast<u8>(rng());
        ASSERT_EQ(table.hash(input), toeplitz_hash(key, input)) << "round " << round;
    }
}

TEST(ToeplitzHash, TableRejectsOverlongInput) {
    const ToeplitzTable table(kMicrosoftRssKey);
    std::vector<u8> input(ToeplitzTable::kMaxInput + 1, 0xFF);
    EXPECT_THROW(table.hash(input), InternalError);
}

TEST(ToeplitzHash, SingleBitsSelectKeyWindows) {
    // The first input bit XORs in key bits 0..31; the last bit of an 8-byte input key bits 63..94.
    EXPECT_EQ(toeplitz_hash(kMicrosoftRssKey, std::vector<u8>{0x80}), 0x6d5a56dau);
    EXPECT_EQ(toeplitz_hash(kMicrosoftRssKey, std::vector<u8>{0x01}),
              0xad2b6d12u); // bits 7..38: (0x6d5a56da25 >> 1) low 32
    EXPECT_EQ(toeplitz_hash(kMicrosoftRssKey, std::vector<u8>{}), 0u);
}

// Which input and type the NIC uses for each kind of packet and each MRQC field set.
class RssSelection : public ::testing::Test {
  protected:
    const u32 src = ipv4(66, 9, 149, 187), dst = ipv4(161, 142, 100, 80);
    // The specification's hashes for this flow (the first row of kIpv4Vectors), not recomputed here.
    u32 ip_hash() const { return 0x323e8fc2; }
    u32 port_hash() const { return 0x51ccc178; }
    RssResult hash(const std::vector<u8>& frame, u32 mrqc) const {
        return rss_hash(parse_packet(frame), frame, mrqc, kMicrosoftRssKey);
    }
    std::vector<u8> frame(u8 protocol, u16 flags_fragment = 0, bool vlan = false) const {
        return build_ipv4({.src = src,
                           .dst = dst,
                           .protocol = protocol,
                           .src_port = 2794,
                           .dst_port = 1766,
                           .vlan = vlan,
                           .flags_fragment = flags_fragment});
    }
};

TEST_F(RssSelection, TcpUsesPortsOnlyWhenTcpFieldEnabled) {
    const auto tcp = frame(kIpProtoTcp);
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4Tcp).hash, port_hash());
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4Tcp).type, kRssTypeIpv4Tcp);
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4).hash, ip_hash());
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4).type, kRssTypeIpv4);
    // UDP enable does not apply to TCP.
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4Udp).type, kRssTypeNone);
    EXPECT_EQ(hash(tcp, kMrqcRssFieldIpv4Udp).hash, 0u);
}

TEST_F(RssSelection, UdpUsesPortsOnlyWhenUdpFieldEnabled) {
    const auto udp = frame(kIpProtoUdp);
    const u32 all = kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp | kMrqcRssFieldIpv4Udp;
    EXPECT_EQ(hash(udp, all).hash, port_hash());
    EXPECT_EQ(hash(udp, all).type, kRssTypeIpv4Udp);
    // Linux igb's default (no UDP field): UDP hashes on addresses only.
    EXPECT_EQ(hash(udp, kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp).hash, ip_hash());
    EXPECT_EQ(hash(udp, kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp).type, kRssTypeIpv4);
    EXPECT_EQ(hash(udp, kMrqcRssFieldIpv4Tcp).type, kRssTypeNone);
}

TEST_F(RssSelection, FragmentsHashAsIpv4Only) {
    const u32 all = kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp | kMrqcRssFieldIpv4Udp;
    for (u16 flags : {u16{0x2000}, u16{0x0010}, u16{0x2010}}) {
        for (u8 protocol : {kIpProtoTcp, kIpProtoUdp}) {
            const auto f = frame(protocol, flags);
            EXPECT_EQ(hash(f, all).hash, ip_hash());
            EXPECT_EQ(hash(f, all).type, kRssTypeIpv4);
            EXPECT_EQ(hash(f, kMrqcRssFieldIpv4Tcp | kMrqcRssFieldIpv4Udp).type, kRssTypeNone);
        }
    }
}

TEST_F(RssSelection, VlanTaggedFramesHashTheSame) {
    const u32 all = kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp;
    EXPECT_EQ(hash(frame(kIpProtoTcp, 0, true), all).hash, port_hash());
}

TEST_F(RssSelection, NonIpAndBrokenHeadersGetNoHash) {
    const u32 all = 0x01FF0000;
    std::vector<u8> arp(60, 0);
    arp[12] = 0x08, arp[13] = 0x06;
    EXPECT_EQ(hash(arp, all).type, kRssTypeNone);
    EXPECT_EQ(hash(arp, all).hash, 0u);
    auto bad_version = frame(kIpProtoTcp);
    bad_version[14] = 0x55; // version 5
    EXPECT_EQ(hash(bad_version, all).type, kRssTypeNone);
    EXPECT_EQ(hash(std::vector<u8>(10, 0xFF), all).type, kRssTypeNone);
    // Nothing enabled: nothing hashed.
    EXPECT_EQ(hash(frame(kIpProtoTcp), 0).type, kRssTypeNone);
}

TEST_F(RssSelection, Ipv6FieldsAreSeparateFromIpv4Fields) {
    const std::array<u8, 16> a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const std::array<u8, 16> b{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    const auto udp6 = build_ipv6(a, b, kIpProtoUdp, 5000, 53);
    EXPECT_EQ(hash(udp6, kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Udp).type, kRssTypeNone);
    EXPECT_EQ(hash(udp6, kMrqcRssFieldIpv6).type, kRssTypeIpv6);
    EXPECT_EQ(hash(udp6, kMrqcRssFieldIpv6 | kMrqcRssFieldIpv6Udp).type, kRssTypeIpv6Udp);
    EXPECT_EQ(hash(udp6, kMrqcRssFieldIpv6Ex).type, kRssTypeIpv6Ex);
    EXPECT_EQ(hash(build_ipv6(a, b, kIpProtoTcp, 1, 2), kMrqcRssFieldIpv6TcpEx).type, kRssTypeIpv6TcpEx);
}

TEST(RssHash, KeyChangeIsSeen) {
    const auto f = build_ipv4({.protocol = kIpProtoTcp});
    const PacketInfo info = parse_packet(f);
    std::array<u8, kRssKeyLen> other = kMicrosoftRssKey;
    other[0] ^= 0xFF;
    const u32 a = rss_hash(info, f, kMrqcRssFieldIpv4Tcp, kMicrosoftRssKey).hash;
    const u32 b = rss_hash(info, f, kMrqcRssFieldIpv4Tcp, other).hash;
    EXPECT_NE(a, b);
    EXPECT_EQ(b, rss_hash(info, f, kMrqcRssFieldIpv4Tcp, ToeplitzTable(other)).hash);
    EXPECT_EQ(a, rss_hash(info, f, kMrqcRssFieldIpv4Tcp, kMicrosoftRssKey).hash);
}

TEST(MrqcBits, MatchTheDatasheetValues) {
    // 82576 datasheet MRQC / Linux e1000_defines.h + e1000_82575.h.
    EXPECT_EQ(kMrqcRssFieldIpv4Tcp, 0x00010000u);
    EXPECT_EQ(kMrqcRssFieldIpv4, 0x00020000u);
    EXPECT_EQ(kMrqcRssFieldIpv6TcpEx, 0x00040000u);
    EXPECT_EQ(kMrqcRssFieldIpv6Ex, 0x00080000u);
    EXPECT_EQ(kMrqcRssFieldIpv6, 0x00100000u);
    EXPECT_EQ(kMrqcRssFieldIpv6Tcp, 0x00200000u);
    EXPECT_EQ(kMrqcRssFieldIpv4Udp, 0x00400000u);
    EXPECT_EQ(kMrqcRssFieldIpv6Udp, 0x00800000u);
    EXPECT_EQ(kMrqcRssFieldIpv6UdpEx, 0x01000000u);
    EXPECT_EQ(kMrqcMrqeRss, 0x2u);
}

} // namespace
} // namespace smpsim::igb
