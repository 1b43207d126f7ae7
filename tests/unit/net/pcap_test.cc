// PcapSource on µs/ns pcap and pcapng, its one-line errors, and PcapSink round trips.
#include "sim/core/error.h"
#include "sim/net/pcap_sink.h"
#include "sim/net/pcap_source.h"
#include "test_captures.h"
#include "tests/unit/igb/test_frames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace smpsim::net {
namespace test {
using namespace igb::test; // frame builders
}
using namespace igb; // the 82576's parser and RSS, applied to what the captures hold
namespace {

using test::Record;
using test::TempDir;
using ::testing::HasSubstr;

std::vector<Record> sample_records() {
    return {
        {1'700'000'000'123'456'000ull, test::build_ipv4({.pad_to_60 = true})},
        {1'700'000'000'123'506'000ull, test::build_ipv4({.protocol = kIpProtoTcp})},
        {1'700'000'001'000'000'000ull, std::vector<u8>(42, 0xAB)},
        {1'700'000'001'000'050'000ull, std::vector<u8>(100, 0x11), 1514}, // snaplen-truncated
        {1'700'000'001'000'100'000ull, {}},                               // zero-length record
    };
}

void expect_same(const PcapSource& source, const std::vector<Record>& records) {
    ASSERT_EQ(source.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        const CapturedFrame& f = source.frame(i);
        EXPECT_EQ(f.timestamp_ns, records[i].timestamp_ns) << i;
        EXPECT_EQ(f.wire_len, records[i].wire_len ? records[i].wire_len : records[i].data.size()) << i;
        EXPECT_EQ(std::vector<u8>(f.data.begin(), f.data.end()), records[i].data) << i;
    }
    EXPECT_EQ(source.link_type(), 1);
    EXPECT_EQ(source.first_timestamp_ns(), records.front().timestamp_ns);
}

TEST(PcapSource, ReadsMicrosecondPcap) {
    TempDir dir;
    const auto records = sample_records();
    expect_same(PcapSource(dir.write("us.pcap", test::make_pcap(records, false))), records);
}

TEST(PcapSource, ReadsNanosecondPcap) {
    TempDir dir;
    auto records = sample_records();
    records[1].timestamp_ns += 789; // below a microsecond
    expect_same(PcapSource(dir.write("ns.pcap", test::make_pcap(records, true))), records);
}

TEST(PcapSource, ReadsPcapngNanosecondAndDefaultMicrosecond) {
    TempDir dir;
    auto records = sample_records();
    records[1].timestamp_ns += 7;
    expect_same(PcapSource(dir.write("ns.pcapng", test::make_pcapng(records, 9))), records);
    expect_same(PcapSource(dir.write("us.pcapng", test::make_pcapng(sample_records(), 6))), sample_records());
}

TEST(PcapSource, EmptyCaptureHasNoFrames) {
    TempDir dir;
    const PcapSource source(dir.write("empty.pcap", test::make_pcap({}, false)));
    EXPECT_EQ(source.size(), 0u);
    EXPECT_EQ(source.first_timestamp_ns(), 0u);
}

std::string error_of(const std::string& path) {
    try {
        PcapSource source(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(PcapSource, Errors) {
    TempDir dir;
    EXPECT_THAT(error_of(dir.file("missing.pcap")), HasSubstr("cannot open"));
    EXPECT_THAT(
        error_of(dir.write("text.pcap", {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!',
                                         ' ', 'n', 'o', 't', ' ', 'a', ' ', 'p', 'c', 'a', 'p', '\n'})),
        HasSubstr("not a pcap or pcapng capture"));
    EXPECT_THAT(error_of(dir.write("empty", {})), HasSubstr("not a pcap or pcapng capture"));
    EXPECT_THAT(error_of(dir.write("sll.pcap", test::make_pcap(sample_records(), false, 113))),
                HasSubstr("link type LINUX_SLL (113) is not Ethernet"));
    // Cut in the middle of the third record's data.
    auto bytes = test::make_pcap(sample_records(), false);
    const size_t third_data = 24 + (16 + 60) + (16 + sample_records()[1].data.size()) + 16;
    bytes.resize(third_data + 10);
    const std::string truncated = error_of(dir.write("cut.pcap", bytes));
    EXPECT_THAT(truncated, HasSubstr("packet 3"));
    EXPECT_THAT(truncated, HasSubstr("truncated"));
    // caplen 300000 declared in the first record header.
    auto huge = test::make_pcap({{1000, std::vector<u8>(60, 0)}}, false);
    huge[24 + 8] = 0xE0, huge[24 + 9] = 0x93, huge[24 + 10] = 0x04; // 300000 = 0x493E0
    EXPECT_THAT(error_of(dir.write("huge.pcap", huge)), HasSubstr("packet 1"));
    // Every message is one line and names the file.
    for (const std::string& message : {truncated, error_of(dir.file("missing.pcap"))}) {
        EXPECT_EQ(message.find('\n'), std::string::npos);
        EXPECT_THAT(message, HasSubstr(dir.file("")));
    }
}

TEST(PcapSink, RoundTripsFramesWithNanosecondStamps) {
    TempDir dir;
    const std::string path = dir.file("out.pcap");
    const std::vector<std::vector<u8>> frames = {test::build_ipv4({}), std::vector<u8>(1514, 0x5A), {}};
    {
        PcapSink sink(path);
        for (size_t i = 0; i < frames.size(); ++i)
            sink.write(5'000'000'123 + i * 1001, frames[i]);
        EXPECT_EQ(sink.frames(), 3u);
    }
    const auto bytes = test::read_file(path);
    ASSERT_GE(bytes.size(), 24u);
    EXPECT_EQ(bytes[0], 0x4d); // nanosecond magic a1b23c4d, little-endian host
    EXPECT_EQ(bytes[1], 0x3c);
    const PcapSource source(path);
    ASSERT_EQ(source.size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(source.frame(i).timestamp_ns, 5'000'000'123 + i * 1001);
        EXPECT_EQ(std::vector<u8>(source.frame(i).data.begin(), source.frame(i).data.end()), frames[i]);
        EXPECT_EQ(source.frame(i).wire_len, frames[i].size());
    }
}

TEST(PcapSink, UncreatableFileIsInputError) {
    TempDir dir;
    EXPECT_THROW(PcapSink(dir.file("no/such/dir/out.pcap")), InputError);
}

} // namespace
} // namespace smpsim::net
