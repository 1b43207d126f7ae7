// The replay's frame rewriting: the destination MAC and 802.1Q/802.1ad tags, nothing else.
#include "sim/core/error.h"
#include "sim/net/frame_rewrite.h"

#include <gtest/gtest.h>

namespace smpsim::net {
namespace {

const MacAddress kNic{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

std::vector<u8> frame_with_tags(const std::vector<u16>& tpids, u16 ethertype, size_t payload) {
    std::vector<u8> f = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
    u16 vid = 1;
    for (u16 tpid : tpids) {
        f.insert(f.end(), {u8(tpid >> 8), u8(tpid), u8(vid >> 8), u8(vid)});
        ++vid;
    }
    f.insert(f.end(), {u8(ethertype >> 8), u8(ethertype)});
    for (size_t i = 0; i < payload; ++i)
        f.push_back(u8(i * 7 + 3));
    return f;
}

TEST(FrameRewrite, ParsesTheSpecs) {
    EXPECT_FALSE(parse_frame_rewrite("none", kNic).any());
    const FrameRewrite both = parse_frame_rewrite("dmac,strip-vlan", kNic);
    ASSERT_TRUE(both.dmac.has_value());
    EXPECT_EQ(*both.dmac, kNic);
    EXPECT_TRUE(both.strip_vlan);
    const FrameRewrite mac = parse_frame_rewrite("dmac=02:00:5E:00:53:0a", kNic);
    EXPECT_EQ(*mac.dmac, (MacAddress{0x02, 0x00, 0x5e, 0x00, 0x53, 0x0a}));
    EXPECT_FALSE(mac.strip_vlan);
    EXPECT_EQ(format_mac(*mac.dmac), "02:00:5e:00:53:0a");
    for (const char* bad : {"", "dmac,", ",dmac", "vlan", "dmac=1:2:3:4:5:6", "dmac=02:00:5e:00:53:0g",
                            "dmac=02-00-5e-00-53-0a", "none,dmac", "strip-vlan,,dmac"})
        EXPECT_THROW(parse_frame_rewrite(bad, kNic), InputError) << bad;
    try {
        parse_frame_rewrite("dmac,bogus", kNic);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown item 'bogus'"), std::string::npos) << e.what();
    }
}

TEST(FrameRewrite, DestinationMacOnly) {
    const std::vector<u8> in = frame_with_tags({0x8100}, 0x0800, 50);
    const std::vector<u8> out = rewrite_frame(in, parse_frame_rewrite("dmac", kNic));
    ASSERT_EQ(out.size(), in.size());
    EXPECT_TRUE(std::equal(kNic.begin(), kNic.end(), out.begin()));
    EXPECT_TRUE(std::equal(in.begin() + 6, in.end(), out.begin() + 6));
}

TEST(FrameRewrite, StripsEveryTagAndKeepsThePayload) {
    const std::vector<u8> plain = frame_with_tags({}, 0x0800, 60);
    for (auto tags : {std::vector<u16>{0x8100}, {0x88a8, 0x8100}, {0x8100, 0x8100, 0x8100}}) {
        const std::vector<u8> in = frame_with_tags(tags, 0x0800, 60);
        EXPECT_EQ(rewrite_frame(in, parse_frame_rewrite("strip-vlan", kNic)), plain);
    }
    // Other ethertypes (MPLS carrying a tagged frame inside) are not looked into.
    const std::vector<u8> mpls = frame_with_tags({}, 0x8847, 40);
    EXPECT_EQ(rewrite_frame(mpls, parse_frame_rewrite("strip-vlan", kNic)), mpls);
}

TEST(FrameRewrite, ShortFramesAreLeftAlone) {
    const std::vector<u8> runt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81};
    EXPECT_EQ(rewrite_frame(runt, parse_frame_rewrite("dmac,strip-vlan", kNic)), runt);
    // A tag with nothing after it: the header is too short to lose four bytes; only the MAC changes.
    std::vector<u8> cut = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x00, 0x01};
    std::vector<u8> out = rewrite_frame(cut, parse_frame_rewrite("dmac,strip-vlan", kNic));
    ASSERT_EQ(out.size(), cut.size());
    EXPECT_TRUE(std::equal(cut.begin() + 6, cut.end(), out.begin() + 6));
}

} // namespace
} // namespace smpsim::net
