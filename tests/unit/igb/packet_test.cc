// parse_packet on hand-built frames: VLAN, IPv4 options, checksums, fragments, IPv6, truncation at every
// length (never reading out of bounds: the sanitizer build checks that), and random byte strings.
#include "sim/igb/packet.h"
#include "sim/igb/rss.h"
#include "test_frames.h"

#include <gtest/gtest.h>
#include <random>

namespace smpsim::igb {
namespace {

using test::build_ipv4;
using test::ipv4;
using test::Ipv4Spec;

TEST(ParsePacket, PlainUdp) {
    const auto f =
        build_ipv4({.src = ipv4(1, 2, 3, 4), .dst = ipv4(5, 6, 7, 8), .src_port = 53, .dst_port = 999});
    const PacketInfo info = parse_packet(f);
    EXPECT_FALSE(info.vlan);
    EXPECT_EQ(info.ethertype, kEthertypeIpv4);
    EXPECT_EQ(info.l3_offset, 14u);
    EXPECT_TRUE(info.ipv4 && info.ipv4_header_ok && info.ipv4_checksum_ok && info.ipv4_length_ok);
    EXPECT_FALSE(info.ipv4_fragment);
    EXPECT_EQ(info.ipv4_header_len, 20u);
    EXPECT_EQ(info.ipv4_src, ipv4(1, 2, 3, 4));
    EXPECT_EQ(info.ipv4_dst, ipv4(5, 6, 7, 8));
    EXPECT_EQ(info.ip_protocol, kIpProtoUdp);
    EXPECT_TRUE(info.udp);
    EXPECT_FALSE(info.tcp);
    EXPECT_EQ(info.l4_offset, 34u);
    EXPECT_EQ(info.src_port, 53);
    EXPECT_EQ(info.dst_port, 999);
    EXPECT_TRUE(info.l4_checksum_ok);
    EXPECT_FALSE(info.ipv6);
}

TEST(ParsePacket, TcpWithVlanTagAndOptions) {
    const auto f = build_ipv4({.protocol = kIpProtoTcp,
                               .src_port = 40000,
                               .dst_port = 443,
                               .options = 12,
                               .vlan = true,
                               .vlan_tci = 0x2064});
    const PacketInfo info = parse_packet(f);
    EXPECT_TRUE(info.vlan);
    EXPECT_EQ(info.vlan_tci, 0x2064);
    EXPECT_EQ(info.ethertype, kEthertypeIpv4);
    EXPECT_EQ(info.l3_offset, 18u);
    EXPECT_EQ(info.ipv4_header_len, 32u);
    EXPECT_TRUE(info.ipv4_checksum_ok);
    EXPECT_TRUE(info.tcp);
    EXPECT_EQ(info.l4_offset, 18u + 32u);
    EXPECT_EQ(info.src_port, 40000);
    EXPECT_EQ(info.dst_port, 443);
    EXPECT_TRUE(info.l4_checksum_ok);
}

TEST(ParsePacket, PaddedMinimumFrameUsesTotalLength) {
    // A 1-byte UDP payload padded to 60 bytes: the checksum covers only the IP total length.
    const auto f = build_ipv4({.payload = 1, .pad_to_60 = true});
    ASSERT_EQ(f.size(), 60u);
    const PacketInfo info = parse_packet(f);
    EXPECT_TRUE(info.ipv4_length_ok);
    EXPECT_TRUE(info.udp);
    EXPECT_TRUE(info.l4_checksum_ok);
}

TEST(ParsePacket, BadIpv4HeaderChecksum) {
    auto f = build_ipv4({});
    f[14 + 10] ^= 0x01;
    const PacketInfo info = parse_packet(f);
    EXPECT_TRUE(info.ipv4_header_ok);
    EXPECT_FALSE(info.ipv4_checksum_ok);
    EXPECT_TRUE(info.udp); // still parsed: the checksum is reported, the packet is not dropped here
}

TEST(ParsePacket, BadL4Checksums) {
    auto tcp = build_ipv4({.protocol = kIpProtoTcp});
    tcp.back() ^= 0x40;
    EXPECT_FALSE(parse_packet(tcp).l4_checksum_ok);
    EXPECT_TRUE(parse_packet(tcp).ipv4_checksum_ok);
    auto udp = build_ipv4({});
    udp[34 + 6] ^= 0x10;
    EXPECT_FALSE(parse_packet(udp).l4_checksum_ok);
    // UDP checksum 0 means "none" over IPv4.
    udp[34 + 6] = udp[34 + 7] = 0;
    EXPECT_TRUE(parse_packet(udp).l4_checksum_ok);
    // A UDP length beyond the IP payload cannot verify.
    auto long_udp = build_ipv4({});
    test::put16(long_udp, 34 + 4, 200);
    EXPECT_FALSE(parse_packet(long_udp).l4_checksum_ok);
}

TEST(ParsePacket, FragmentsHaveNoL4) {
    for (u16 flags : {u16{0x2000}, u16{0x0001}, u16{0x3fff}}) {
        const PacketInfo info = parse_packet(build_ipv4({.protocol = kIpProtoTcp, .flags_fragment = flags}));
        EXPECT_TRUE(info.ipv4_fragment) << flags;
        EXPECT_FALSE(info.tcp);
        EXPECT_FALSE(info.udp);
        EXPECT_EQ(info.src_port, 0);
        EXPECT_EQ(info.ip_protocol, kIpProtoTcp);
    }
    // DF alone is not a fragment.
    const PacketInfo df = parse_packet(build_ipv4({.protocol = kIpProtoTcp, .flags_fragment = 0x4000}));
    EXPECT_FALSE(df.ipv4_fragment);
    EXPECT_TRUE(df.tcp);
}

TEST(ParsePacket, Icmp) {
    const PacketInfo info = parse_packet(build_ipv4({.protocol = kIpProtoIcmp, .payload = 56}));
    EXPECT_TRUE(info.icmp);
    EXPECT_FALSE(info.tcp || info.udp);
}

TEST(ParsePacket, BadVersionAndIhl) {
    auto f = build_ipv4({});
    f[14] = 0x65; // version 6 in an IPv4 ethertype
    EXPECT_TRUE(parse_packet(f).ipv4);
    EXPECT_FALSE(parse_packet(f).ipv4_header_ok);
    f[14] = 0x44; // IHL 4 < 5
    EXPECT_FALSE(parse_packet(f).ipv4_header_ok);
    f[14] = 0x4F; // IHL 15 = 60 bytes > what the frame holds after l3? (14 + 60 > 56)
    EXPECT_FALSE(parse_packet(f).ipv4_header_ok);
}

TEST(ParsePacket, TotalLengthLongerThanFrame) {
    auto f = build_ipv4({});
    test::put16(f, 16, 1000);
    const PacketInfo info = parse_packet(f);
    EXPECT_TRUE(info.ipv4_header_ok);
    EXPECT_FALSE(info.ipv4_length_ok);
    EXPECT_FALSE(info.udp);
}

TEST(ParsePacket, ArpAndShortFrames) {
    std::vector<u8> arp(42, 0);
    arp[12] = 0x08, arp[13] = 0x06;
    PacketInfo info = parse_packet(arp);
    EXPECT_EQ(info.ethertype, kEthertypeArp);
    EXPECT_FALSE(info.ipv4 || info.ipv6);
    EXPECT_EQ(parse_packet(std::vector<u8>(13, 0x08)).ethertype, 0);
    EXPECT_EQ(parse_packet(std::span<const u8>{}).ethertype, 0);
    // A VLAN ethertype without room for the tag: not parsed as tagged.
    std::vector<u8> tag_cut(16, 0);
    tag_cut[12] = 0x81;
    info = parse_packet(tag_cut);
    EXPECT_FALSE(info.vlan);
    EXPECT_EQ(info.ethertype, kEthertypeVlan);
}

TEST(ParsePacket, Ipv6TcpAndUdp) {
    const std::array<u8, 16> a{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const std::array<u8, 16> b{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    auto udp = test::build_ipv6(a, b, kIpProtoUdp, 546, 547);
    PacketInfo info = parse_packet(udp);
    EXPECT_TRUE(info.ipv6 && info.ipv6_header_ok && info.udp && info.l4_checksum_ok);
    EXPECT_EQ(info.l4_offset, 54u);
    EXPECT_EQ(info.src_port, 546);
    EXPECT_FALSE(info.ipv4);
    udp[54 + 6] = udp[54 + 7] = 0; // zero UDP checksum is invalid over IPv6
    EXPECT_FALSE(parse_packet(udp).l4_checksum_ok);
    const auto tcp = test::build_ipv6(a, b, kIpProtoTcp, 1, 2);
    info = parse_packet(tcp);
    EXPECT_TRUE(info.tcp && info.l4_checksum_ok);
}

// Every prefix of valid frames: flags only claim what lies inside the prefix.
TEST(ParsePacket, EveryTruncationStaysInBounds) {
    const std::vector<std::vector<u8>> frames = {
        build_ipv4({.protocol = kIpProtoTcp, .options = 8, .vlan = true}),
        build_ipv4({.protocol = kIpProtoUdp}),
        build_ipv4({.protocol = kIpProtoIcmp}),
        test::build_ipv6({}, {}, kIpProtoTcp, 1, 2),
    };
    for (const auto& full : frames) {
        for (size_t len = 0; len <= full.size(); ++len) {
            // A copy of exactly `len` bytes, so ASan flags any read past it.
            const std::vector<u8> cut(full.begin(), full.begin() + static_cast<long>(len));
            const PacketInfo info = parse_packet(cut);
            if (info.ipv4_header_ok) {
                EXPECT_LE(info.l3_offset + info.ipv4_header_len, len);
            }
            if (info.tcp) {
                EXPECT_LE(info.l4_offset + 20, len);
            }
            if (info.udp) {
                EXPECT_LE(info.l4_offset + 8, len);
            }
            (void)rss_hash(info, cut, 0x01FF0000, kMicrosoftRssKey);
        }
    }
}

TEST(ParsePacket, RandomBytesNeverMisbehave) {
    std::mt19937 rng(20240607);
    u64 ipv4_ok = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<u8> frame(rng() % 120);
        for (auto& b : frame)
            b = static_cast<u8>(rng());
        // Bias towards interesting headers so the deeper parsers run too.
        if (frame.size() >= 15 && round % 2 == 0) {
            const bool vlan = round % 4 == 0 && frame.size() >= 19;
            if (vlan) frame[12] = 0x81, frame[13] = 0x00;
            const size_t et = vlan ? 16 : 12;
            const bool v6 = round % 3 == 0;
            frame[et] = v6 ? 0x86 : 0x08;
            frame[et + 1] = v6 ? 0xDD : 0x00;
            if (frame.size() > et + 2)
                frame[et + 2] = static_cast<u8>((v6 ? 0x60 : 0x45) | (rng() % 2 ? 0 : rng() % 16));
        }
        const PacketInfo info = parse_packet(frame);
        ipv4_ok += info.ipv4_header_ok;
        if (info.tcp) {
            ASSERT_LE(info.l4_offset + 20, frame.size());
        }
        if (info.udp) {
            ASSERT_LE(info.l4_offset + 8, frame.size());
        }
        const RssResult r = rss_hash(info, frame, 0x01FF0000, kMicrosoftRssKey);
        if (r.type == kRssTypeNone) {
            ASSERT_EQ(r.hash, 0u);
        }
    }
    EXPECT_GT(ipv4_ok, 100u); // the bias did reach the IPv4 parser
}

} // namespace
} // namespace smpsim::igb
