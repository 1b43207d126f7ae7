// Whatever a guest writes and whatever arrives on the wire, the core neither crashes nor touches memory
// outside what the host allows: random register writes and frames, from a fixed seed.
#include "core_test_support.h"

#include <random>

namespace smpsim::igb::test {
namespace {

TEST(IgbRobustness, RandomRegisterWritesAndFramesNeverBreakTheModel) {
    std::mt19937 rng(12345);
    std::vector<u32> offsets;
    for (const RegisterSpec& spec : IgbCore::register_table())
        for (unsigned i = 0; i < spec.count; ++i)
            offsets.push_back(spec.offset + i * spec.stride);
    for (int round = 0; round < 20; ++round) {
        Bench b;
        b.setup_rx_queue(0);
        b.setup_rx_queue(1);
        b.enable_rx();
        u64 now = 0;
        for (int step = 0; step < 2000; ++step) {
            now += rng() % 5000;
            b.core.advance(now);
            switch (rng() % 4) {
            case 0: {
                const u32 offset = offsets[rng() % offsets.size()];
                if (offset == CTRL && (rng() % 8) != 0) break; // resets are fine, but not all the time
                // Values near real ones matter most: small numbers for indices, any bits elsewhere.
                const u32 value = (rng() % 2) ? u32(rng()) : u32(rng() % 64);
                b.core.write(offset, value);
                break;
            }
            case 1: b.core.read(offsets[rng() % offsets.size()]); break;
            case 2: {
                std::vector<u8> frame(rng() % 2000);
                for (u8& byte : frame)
                    byte = u8(rng());
                if (frame.size() >= 6 && (rng() % 2))
                    std::copy(kOurMac.begin(), kOurMac.end(), frame.begin());
                b.core.receive(frame, now);
                break;
            }
            case 3: b.core.receive(make_frame({.payload = rng() % 1400}), now); break;
            }
            const u64 deadline = b.core.next_deadline_ns();
            if (deadline != UINT64_MAX) {
                EXPECT_GE(deadline, now); // anything due by now went out in advance()
            }
        }
        for (const std::vector<u8>& sent : b.host.sent)
            EXPECT_LE(sent.size(), 16u * 1024 + 4);
    }
}

} // namespace
} // namespace smpsim::igb::test
