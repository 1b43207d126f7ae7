// Malformed captures give a PcapSource or an InputError, never a crash (CI runs this under ASan/UBSan):
// every truncation of small valid pcap and pcapng files, bad magic, huge caplen, zero-length records and
// seeded random byte flips.
#include "sim/core/error.h"
#include "sim/igb/packet.h"
#include "sim/igb/rss.h"
#include "sim/net/pcap_source.h"
#include "test_captures.h"
#include "tests/unit/igb/test_frames.h"

#include <gtest/gtest.h>
#include <random>

namespace smpsim::net {
namespace test {
using namespace igb::test; // frame builders
}
using namespace igb; // the 82576's parser and RSS, applied to what the captures hold
namespace {

struct Outcome {
    u64 opened = 0, rejected = 0;
};

// Opens the file, touches every frame (and parses it, as the replay would), counts the outcome.
void try_open(const std::string& path, Outcome& outcome) {
    try {
        const PcapSource source(path);
        for (size_t i = 0; i < source.size(); ++i) {
            const CapturedFrame& f = source.frame(i);
            ASSERT_LE(f.data.size(), kMaxCaptureLength);
            const PacketInfo info = parse_packet(f.data);
            (void)rss_hash(info, f.data, 0x01FF0000, kMicrosoftRssKey);
        }
        ++outcome.opened;
    } catch (const InputError& e) {
        const std::string message = e.what();
        ASSERT_FALSE(message.empty());
        ASSERT_EQ(message.find('\n'), std::string::npos) << message;
        ++outcome.rejected;
    }
}

std::vector<test::Record> small_records() {
    return {{1'000'000'000, test::build_ipv4({.protocol = kIpProtoTcp})},
            {1'000'050'000, test::build_ipv4({.vlan = true})},
            {1'000'100'000, {}},
            {1'000'150'000, std::vector<u8>(30, 0xEE), 64}};
}

TEST(PcapFuzz, EveryTruncation) {
    test::TempDir dir;
    Outcome outcome;
    for (const auto& original :
         {test::make_pcap(small_records(), false), test::make_pcap(small_records(), true),
          test::make_pcapng(small_records(), 9), test::make_pcapng(small_records(), 6)}) {
        for (size_t len = 0; len <= original.size(); ++len) {
            const std::vector<u8> cut(original.begin(), original.begin() + static_cast<long>(len));
            try_open(dir.write("cut", cut), outcome);
        }
    }
    EXPECT_GT(outcome.rejected, 100u);
    EXPECT_GE(outcome.opened, 4u); // at least the complete files (and cuts at record boundaries)
}

TEST(PcapFuzz, HeaderFieldsAndZeroLengthRecords) {
    test::TempDir dir;
    Outcome outcome;
    const auto good = test::make_pcap(small_records(), false);
    // Bad magic, every byte of the file header set to extreme values, caplen/len extremes.
    for (size_t at = 0; at < 24 + 16; ++at) {
        for (u8 value : {u8{0}, u8{0xFF}, u8{0x7F}, u8{0x80}}) {
            auto bytes = good;
            bytes[at] = value;
            try_open(dir.write("hdr", bytes), outcome);
        }
    }
    // A file of nothing but zero-length records.
    std::vector<test::Record> zeros(50, test::Record{5, {}});
    try_open(dir.write("zeros", test::make_pcap(zeros, true)), outcome);
    try_open(dir.write("zeros_ng", test::make_pcapng(zeros)), outcome);
    EXPECT_GT(outcome.rejected, 0u);
    EXPECT_GT(outcome.opened, 0u);
}

TEST(PcapFuzz, SeededRandomByteFlips) {
    test::TempDir dir;
    Outcome outcome;
    std::mt19937 rng(0x5eed);
    const std::vector<std::vector<u8>> originals = {test::make_pcap(small_records(), false),
                                                    test::make_pcapng(small_records(), 9)};
    for (int round = 0; round < 3000; ++round) {
        auto bytes = originals[round % 2];
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i)
            bytes[rng() % bytes.size()] ^= static_cast<u8>(1u << (rng() % 8));
        if (round % 10 == 0) bytes.resize(rng() % bytes.size()); // sometimes also truncated
        try_open(dir.write("flip", bytes), outcome);
    }
    EXPECT_EQ(outcome.opened + outcome.rejected, 3000u);
    EXPECT_GT(outcome.opened, 0u);
    EXPECT_GT(outcome.rejected, 0u);
}

} // namespace
} // namespace smpsim::net
