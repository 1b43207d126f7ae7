// The committed traces: regenerating them gives byte-identical files, and they contain what
// traces/README.md promises (checked through the net layer's own reader and parser).
#include "sim/igb/packet.h"
#include "sim/igb/rss.h"
#include "sim/net/pcap_source.h"
#include "test_captures.h"
#include "traces/trace_generator.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <set>

namespace smpsim::net {
using namespace igb; // the 82576's parser and RSS, applied to what the captures hold
namespace {

const std::string kTraces = std::string(SMPSIM_SOURCE_DIR) + "/traces";

TEST(Traces, RegeneratingGivesByteIdenticalFiles) {
    for (const char* name : {"mixed.pcap", "mixed.pcapng"}) // committed: required
        ASSERT_TRUE(std::filesystem::exists(kTraces + "/" + name)) << kTraces << "/" << name << " not found";
    test::TempDir dir;
    traces::write_committed_traces(dir.file(""));
    for (const char* name : {"mixed.pcap", "mixed.pcapng"})
        EXPECT_TRUE(test::read_file(dir.file(name)) == test::read_file(kTraces + "/" + name))
            << name << " differs from a fresh run of smpsim_make_traces";
}

struct Census {
    size_t frames = 0, arp_who_has_guest = 0, runts = 0, vlan = 0, fragments = 0, bad_ip_checksum = 0,
           bad_l4_checksum = 0, oversize = 0, truncated = 0, ipv6 = 0, icmp_to_guest = 0, tcp = 0, udp = 0;
    std::set<unsigned> queues;
    u64 duration_ns = 0;
};

Census census(const PcapSource& source) {
    Census c;
    c.frames = source.size();
    c.duration_ns = source.frame(source.size() - 1).timestamp_ns - source.first_timestamp_ns();
    for (const CapturedFrame& f : source.frames()) {
        if (f.data.size() < f.wire_len) {
            ++c.truncated;
            continue;
        }
        const PacketInfo info = parse_packet(f.data);
        if (f.data.size() + 4 > 1518u + (info.vlan ? 4 : 0)) ++c.oversize;
        if (f.data.size() < 60) ++c.runts;
        c.vlan += info.vlan;
        c.ipv6 += info.ipv6;
        if (info.ethertype == kEthertypeArp && f.data.size() >= 42 && f.data[20] == 0 && f.data[21] == 1 &&
            f.data[38] == 10 && f.data[39] == 0 && f.data[40] == 0 && f.data[41] == 2)
            ++c.arp_who_has_guest;
        if (info.ipv4_header_ok) {
            c.fragments += info.ipv4_fragment;
            c.bad_ip_checksum += !info.ipv4_checksum_ok;
            c.bad_l4_checksum += (info.tcp || info.udp) && !info.l4_checksum_ok;
            c.tcp += info.tcp;
            c.udp += info.udp;
            if (info.icmp && info.ipv4_dst == 0x0A000002 &&
                f.data[info.l3_offset + info.ipv4_header_len] == 8)
                ++c.icmp_to_guest;
        }
        const RssResult r = rss_hash(
            info, f.data, kMrqcRssFieldIpv4 | kMrqcRssFieldIpv4Tcp | kMrqcRssFieldIpv4Udp, kMicrosoftRssKey);
        c.queues.insert((r.hash & 127) % 8);
    }
    return c;
}

TEST(Traces, MixedPcapHasEveryPromisedCase) {
    const Census c = census(PcapSource(kTraces + "/mixed.pcap"));
    EXPECT_GE(c.frames, 1900u);
    EXPECT_LE(c.frames, 2100u);
    EXPECT_GE(c.arp_who_has_guest, 2u);
    EXPECT_EQ(c.runts, 1u); // the unpadded ARP
    EXPECT_GE(c.vlan, 4u);
    EXPECT_EQ(c.fragments, 6u);
    EXPECT_GE(c.bad_ip_checksum, 1u);
    EXPECT_GE(c.bad_l4_checksum, 2u);
    EXPECT_EQ(c.oversize, 2u);
    EXPECT_EQ(c.truncated, 2u);
    EXPECT_EQ(c.ipv6, 1u);
    EXPECT_GE(c.icmp_to_guest, 1u);
    EXPECT_GT(c.tcp, 500u);
    EXPECT_GT(c.udp, 300u);
    EXPECT_EQ(c.queues.size(), 8u); // RSS spreads the flows over all 8 queues
    EXPECT_LT(c.duration_ns, 1'000'000'000u);
}

TEST(Traces, MixedPcapngIsSmallerWithNanosecondStamps) {
    const PcapSource source(kTraces + "/mixed.pcapng");
    const Census c = census(source);
    EXPECT_GE(c.frames, 180u);
    EXPECT_LE(c.frames, 220u);
    size_t sub_microsecond = 0;
    for (const CapturedFrame& f : source.frames())
        sub_microsecond += f.timestamp_ns % 1000 != 0;
    EXPECT_GT(sub_microsecond, c.frames / 2);
}

TEST(Traces, UdpFloodIsMinimumSizeOverTheFlows) {
    const auto frames = traces::udp_flood_frames(600);
    ASSERT_EQ(frames.size(), 600u);
    std::set<u32> sources;
    for (const auto& f : frames) {
        ASSERT_EQ(f.data.size(), 60u);
        const PacketInfo info = parse_packet(f.data);
        ASSERT_TRUE(info.udp && info.l4_checksum_ok && info.ipv4_checksum_ok);
        sources.insert(info.ipv4_src);
    }
    EXPECT_EQ(sources.size(), 256u);
}

} // namespace
} // namespace smpsim::net
