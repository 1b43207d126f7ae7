#include "sim/gdb/packet.h"

#include <gtest/gtest.h>

namespace smpsim::gdb {
namespace {

std::vector<PacketEvent> feed(PacketReader& r, std::string_view bytes) {
    std::vector<PacketEvent> out;
    r.feed(bytes, out);
    return out;
}

TEST(Packet, FramesWithChecksum) {
    EXPECT_EQ(frame_packet("OK"), "$OK#9a");
    EXPECT_EQ(frame_packet(""), "$#00");
    EXPECT_EQ(checksum("qSupported"), 0x37);
}

TEST(Packet, EscapesSpecialBytes) {
    // '$', '#', '}' and '*' go out as '}' and the byte XOR 0x20.
    const std::string f = frame_packet("a$b#c}d*");
    EXPECT_EQ(f.substr(0, f.size() - 3), std::string("$a}\x04"
                                                     "b}\x03"
                                                     "c}]d}\x0a"));
    const std::string framed = frame_packet("$#}*");
    EXPECT_EQ(framed.substr(0, 9), "$}\x04}\x03}]}\x0a");
    PacketReader r;
    auto ev = feed(r, framed);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, PacketEvent::Kind::Packet);
    EXPECT_EQ(ev[0].payload, "$#}*");
}

TEST(Packet, RunLengthEncodingRoundTrips) {
    const std::string zeros(40, '0');
    const std::string framed = frame_packet(zeros, true);
    EXPECT_LT(framed.size(), 12u);
    EXPECT_EQ(framed.find('#'), framed.size() - 3); // no count was sent as '#' or '$'
    EXPECT_EQ(framed.find('$', 1), std::string::npos);
    PacketReader r;
    auto ev = feed(r, framed);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].payload, zeros);
    // Every run length from 1 to 200, including the counts 6 and 7 that must be avoided.
    for (size_t n = 1; n <= 200; ++n) {
        const std::string payload = "x" + std::string(n, 'a') + "y";
        const std::string f = frame_packet(payload, true);
        EXPECT_EQ(f.find('$', 1), std::string::npos) << n;
        EXPECT_EQ(f.find('#'), f.size() - 3) << n;
        auto e = feed(r, f);
        ASSERT_EQ(e.size(), 1u) << n;
        EXPECT_EQ(e[0].payload, payload) << n;
    }
}

TEST(Packet, DecodesRunLengthFromTheSpec) {
    // The protocol manual's example: "0* " is "0000".
    EXPECT_EQ(decode_body("0* "), "0000");
    EXPECT_FALSE(decode_body("*  "));    // nothing to repeat
    EXPECT_FALSE(decode_body("0*"));     // count missing
    EXPECT_FALSE(decode_body("0*\x01")); // count below 3
    EXPECT_FALSE(decode_body("ab}"));    // escape at the end
    EXPECT_FALSE(decode_body(std::string(10, 'a'), 9));
}

TEST(Packet, AcksInterruptsAndNoise) {
    PacketReader r;
    auto ev = feed(r, "+-\x03garbage$g#67");
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[0].kind, PacketEvent::Kind::Ack);
    EXPECT_EQ(ev[1].kind, PacketEvent::Kind::Nack);
    EXPECT_EQ(ev[2].kind, PacketEvent::Kind::Interrupt);
    EXPECT_EQ(ev[3].kind, PacketEvent::Kind::Packet);
    EXPECT_EQ(ev[3].payload, "g");
}

TEST(Packet, BadChecksumIsReported) {
    PacketReader r;
    auto ev = feed(r, "$g#68$g#6z$g#67");
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0].kind, PacketEvent::Kind::Bad);
    EXPECT_EQ(ev[1].kind, PacketEvent::Kind::Bad);
    EXPECT_EQ(ev[2].kind, PacketEvent::Kind::Packet);
    // Upper-case checksum digits are accepted.
    EXPECT_EQ(feed(r, "$OK#9A")[0].kind, PacketEvent::Kind::Packet);
}

TEST(Packet, SplitAcrossReadsAndRestarted) {
    PacketReader r;
    EXPECT_TRUE(feed(r, "$qSup").empty());
    EXPECT_TRUE(r.in_packet());
    EXPECT_TRUE(feed(r, "ported#3").empty());
    auto ev = feed(r, "7");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].payload, "qSupported");
    EXPECT_FALSE(r.in_packet());
    // A '$' inside a packet starts over; the lost packet is reported.
    ev = feed(r, "$abc$g#67");
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].kind, PacketEvent::Kind::Bad);
    EXPECT_EQ(ev[1].payload, "g");
}

TEST(Packet, OversizePacketIsRefusedAndMemoryBounded) {
    PacketReader r;
    std::string big(3 * kMaxPacketSize, 'a');
    std::string framed = "$" + big + "#";
    const u8 sum = checksum(big);
    framed += "0123456789abcdef"[sum >> 4];
    framed += "0123456789abcdef"[sum & 15];
    auto ev = feed(r, framed);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, PacketEvent::Kind::Bad);
    // Run-length codes cannot expand past the limit either.
    std::string bomb = "a";
    for (int i = 0; i < 1000; ++i)
        bomb += "*~";
    auto ev2 = feed(
        r, "$" + bomb + "#" + [&] {
            const u8 s = checksum(bomb);
            return std::string{"0123456789abcdef"[s >> 4], "0123456789abcdef"[s & 15]};
        }());
    ASSERT_EQ(ev2.size(), 1u);
    EXPECT_EQ(ev2[0].kind, PacketEvent::Kind::Bad);
}

TEST(Packet, HexHelpers) {
    EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
    EXPECT_EQ(from_hex("00FF10"), std::string("\x00\xff\x10", 3));
    EXPECT_FALSE(from_hex("0"));
    EXPECT_FALSE(from_hex("zz"));
    EXPECT_EQ(parse_hex_u64("ffffffff81000000"), 0xffffffff81000000ull);
    EXPECT_FALSE(parse_hex_u64("10000000000000000"));
    EXPECT_FALSE(parse_hex_u64(""));
    EXPECT_EQ(hex_u64(0), "0");
    EXPECT_EQ(hex_u64(0x1a), "1a");
}

} // namespace
} // namespace smpsim::gdb
