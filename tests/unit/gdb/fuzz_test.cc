// Random and mutated packets through the packet reader and the protocol handler: nothing may crash, hang
// or grow without bound (the sanitizer tree runs this under ASan/UBSan), and the reader must stay in step
// with the stream: a valid packet sent after any garbage still arrives.
#include "fake_target.h"
#include "sim/gdb/packet.h"
#include "sim/gdb/protocol.h"

#include <gtest/gtest.h>

#include <random>

namespace smpsim::gdb {
namespace {

// Packets a real session sends, as the seeds of mutation.
const std::vector<std::string> kSeeds = {
    "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+",
    "qXfer:features:read:target.xml:0,ffb",
    "qXfer:threads:read::0,1000",
    "g",
    "G" + std::string(1216, '0'),
    "p10",
    "P10=0010000000000000",
    "m1000,40",
    "M1000,4:01020304",
    "X1000,4:abcd",
    "Z0,1000,1",
    "z0,1000,1",
    "Z2,2000,8",
    "vCont;s:1;c",
    "vCont;c",
    "Hg1",
    "Hc-1",
    "qRcmd,6361636865203130",
    "qThreadExtraInfo,1",
    "T1",
    "?",
    "c",
    "s",
    "D",
    "k",
    "qfThreadInfo",
};

std::string mutate(std::string s, std::mt19937_64& rng) {
    const int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
        const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
        switch (rng() % 5) {
        case 0:
            if (!s.empty() && at < s.size()) s[at] = char(rng());
            break;
        case 1: s.insert(at, 1, char(rng())); break;
        case 2:
            if (!s.empty() && at < s.size()) s.erase(at, 1 + rng() % 8);
            break;
        case 3: s.insert(at, std::string(rng() % 64, "0123456789abcdef,:;-"[rng() % 20])); break;
        default:
            if (at < s.size()) s = s.substr(0, at) + std::string(1, ",:;=#$}*"[rng() % 8]) + s.substr(at);
            break;
        }
    }
    return s;
}

TEST(GdbFuzz, RandomAndMutatedPackets) {
    std::mt19937_64 rng(20261207);
    FakeTarget target(4);
    GdbProtocol proto(target);
    PacketReader reader;
    std::vector<PacketEvent> events;
    size_t packets = 0, bad = 0;
    constexpr int kRounds = 100000;
    for (int i = 0; i < kRounds; ++i) {
        std::string wire;
        switch (rng() % 4) {
        case 0: { // random bytes, sometimes a long run
            const size_t n = rng() % 3 == 0 ? rng() % 40000 : rng() % 64;
            for (size_t k = 0; k < n; ++k)
                wire.push_back(char(rng()));
            break;
        }
        case 1: // a mutated payload, framed correctly: reaches the protocol handler
            wire = frame_packet(mutate(kSeeds[rng() % kSeeds.size()], rng), rng() % 2);
            break;
        case 2: { // a correct frame with its bytes mutated (bad checksums, broken framing)
            wire = mutate(frame_packet(kSeeds[rng() % kSeeds.size()]), rng);
            break;
        }
        default: // random payload bytes, framed
            for (size_t k = 0, n = rng() % 200; k < n; ++k)
                wire.push_back(char(rng()));
            wire = frame_packet(wire, rng() % 2);
            break;
        }
        events.clear();
        // Delivered in random pieces, as a socket would.
        for (size_t at = 0; at < wire.size();) {
            const size_t n = std::min<size_t>(wire.size() - at, 1 + rng() % 512);
            reader.feed(std::string_view(wire).substr(at, n), events);
            at += n;
        }
        for (const PacketEvent& e : events) {
            if (e.kind == PacketEvent::Kind::Bad) ++bad;
            if (e.kind != PacketEvent::Kind::Packet) continue;
            ++packets;
            ASSERT_LE(e.payload.size(), kMaxPacketSize);
            const Outcome o = proto.handle(e.payload);
            ASSERT_LE(o.reply.size(), 2 * kMaxPacketSize + 64);
            // A reply must survive framing and parsing unchanged.
            if (i % 97 == 0) {
                PacketReader check;
                std::vector<PacketEvent> back;
                check.feed(frame_packet(o.reply, true), back);
                ASSERT_EQ(back.size(), 1u);
                ASSERT_EQ(back[0].payload, o.reply);
            }
        }
        if (i % 1000 == 999) {
            // Whatever came before, a '#'-terminated junk tail and a fresh packet resynchronise the reader.
            events.clear();
            reader.feed("#00", events);
            events.clear();
            reader.feed(frame_packet("qC"), events);
            ASSERT_FALSE(events.empty());
            ASSERT_EQ(events.back().kind, PacketEvent::Kind::Packet);
            ASSERT_EQ(events.back().payload, "qC");
        }
        ASSERT_LE(target.points.size(), 100000u);
    }
    // The mix reached the handler often and produced bad packets too: the fuzzer exercised both paths.
    EXPECT_GT(packets, size_t(kRounds / 3));
    EXPECT_GT(bad, size_t(kRounds / 10));
}

} // namespace
} // namespace smpsim::gdb
