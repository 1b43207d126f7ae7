// Reading the guest's conntrack views back from a console transcript.
#include "apps/smpsim/guest_views.h"

#include <gtest/gtest.h>

namespace smpsim::app {
namespace {

constexpr const char* kTranscript =
    "Kernel command line: replay\r\n"
    "[NEW] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=999 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 "
    "sport=999 dport=53\r\n"
    "[UPDATE] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=999 src=10.0.0.2 dst=10.0.0.1 sport=999 "
    "dport=53\r\n"
    "/proc/net/snmp:\r\n"
    "Ip: Forwarding DefaultTTL InReceives ForwDatagrams\r\n"
    "Ip: 1 64 12 7\r\n"
    "Icmp: InMsgs\r\n"
    "Icmp: 0\r\n"
    "prerouting ct state packets: new=1 established=2 related=0 invalid=3 untracked=0\r\n"
    "/proc/net/nf_conntrack:\r\n"
    "tcp      6 117 SYN_SENT src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 "
    "sport=2 dport=1 mark=0 use=1\r\n"
    "udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=999 src=10.0.0.2 dst=10.0.0.1 sport=999 dport=53 "
    "mark=0 use=1\r\n"
    "\r\n"
    "/proc/net/stat/nf_conntrack:\r\n"
    "~ entries  clashres found new invalid\r\n"
    "~ 00000002  00000000 0000000a 00000000 00000003\r\n"
    "~ 00000002  00000000 00000001 00000000 00000000\r\n"
    "Kernel finished, exit status 0\r\n";

TEST(GuestViews, ReadsEveryConntrackView) {
    const nlohmann::json ct = conntrack_json_from_console(kTranscript);
    ASSERT_TRUE(ct.is_object());
    ASSERT_EQ(ct["table"].size(), 2u);
    EXPECT_EQ(ct["entries"], 2);
    EXPECT_TRUE(ct["table"][0].get<std::string>().starts_with("tcp      6 117 SYN_SENT"));
    ASSERT_EQ(ct["events"].size(), 2u);
    EXPECT_TRUE(ct["events"][1].get<std::string>().starts_with("[UPDATE] udp"));
    EXPECT_EQ(ct["prerouting"]["new"], 1);
    EXPECT_EQ(ct["prerouting"]["established"], 2);
    EXPECT_EQ(ct["prerouting"]["invalid"], 3);
    EXPECT_EQ(ct["forwarded"], 7);
    ASSERT_EQ(ct["stat_per_cpu"].size(), 2u);
    EXPECT_EQ(ct["stat_per_cpu"][0]["found"], 10);
    EXPECT_EQ(ct["stat_per_cpu"][1]["found"], 1);
    EXPECT_EQ(ct["stat_per_cpu"][0]["invalid"], 3);
}

TEST(GuestViews, NoConntrackViewIsNull) {
    EXPECT_TRUE(conntrack_json_from_console("Kernel finished, exit status 0\n").is_null());
    EXPECT_TRUE(conntrack_json_from_console("").is_null());
    // Events alone (a guest cut short) are not a conntrack view.
    EXPECT_TRUE(conntrack_json_from_console("[NEW] udp      17 30 src=1.1.1.1\n").is_null());
}

TEST(GuestViews, AnEmptyTableAndMalformedStatistics) {
    const nlohmann::json ct = conntrack_json_from_console("/proc/net/nf_conntrack:\n"
                                                          "/proc/net/stat/nf_conntrack:\n"
                                                          "entries found\n"
                                                          "0000000z 00000001\n");
    ASSERT_TRUE(ct.is_object());
    EXPECT_TRUE(ct["table"].empty());
    EXPECT_TRUE(ct["stat_per_cpu"].empty());
    EXPECT_FALSE(ct.contains("prerouting"));
}

} // namespace
} // namespace smpsim::app
