#include "sim/igb/rss.h"

#include "sim/core/error.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace smpsim::igb {

const std::array<u8, kRssKeyLen> kMicrosoftRssKey = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

namespace {

// The 32 key bits starting at bit `bit` (MSB of key[0] is bit 0); bits past the key's end are zero.
u32 key_window(std::span<const u8> key, size_t bit) {
    u64 bits = 0;
    const size_t first_byte = bit / 8;
    for (size_t i = 0; i < 5; ++i) {
        const size_t index = first_byte + i;
        bits = (bits << 8) | (index < key.size() ? key[index] : 0);
    }
    // `bits` holds 40 key bits starting at first_byte*8; drop the (bit % 8) leading ones.
    return static_cast<u32>(bits >> (8 - bit % 8));
}

} // namespace

u32 toeplitz_hash(std::span<const u8> key, std::span<const u8> input) {
    u32 result = 0;
    for (size_t byte = 0; byte < input.size(); ++byte)
        for (unsigned b = 0; b < 8; ++b)
            if (input[byte] & (0x80u >> b)) result ^= key_window(key, byte * 8 + b);
    return result;
}

ToeplitzTable::ToeplitzTable(std::span<const u8, kRssKeyLen> key) {
    std::copy(key.begin(), key.end(), key_.begin());
    for (unsigned position = 0; position < kMaxInput; ++position) {
        std::array<u32, 8> bit_windows{};
        for (unsigned b = 0; b < 8; ++b)
            bit_windows[b] = key_window(key_, position * 8 + b);
        for (unsigned value = 0; value < 256; ++value) {
            u32 acc = 0;
            for (unsigned b = 0; b < 8; ++b)
                if (value & (0x80u >> b)) acc ^= bit_windows[b];
            table_[position][value] = acc;
        }
    }
}

u32 ToeplitzTable::hash(std::span<const u8> input) const {
    if (input.size() > kMaxInput)
        throw InternalError("Toeplitz hash input of " + std::to_string(input.size()) + " bytes exceeds " +
                            std::to_string(kMaxInput));
    u32 result = 0;
    for (size_t i = 0; i < input.size(); ++i)
        result ^= table_[i][input[i]];
    return result;
}

namespace {

struct HashInput {
    std::array<u8, ToeplitzTable::kMaxInput> bytes{};
    size_t length = 0;
    u8 type = kRssTypeNone;
};

// Picks the fields per the 82576 datasheet's RSS hash-function rules.
HashInput select_input(const PacketInfo& info, std::span<const u8> frame, u32 mrqc) {
    HashInput in;
    if (info.ipv4 && info.ipv4_header_ok) {
        const bool tcp = info.tcp && (mrqc & kMrqcRssFieldIpv4Tcp);
        const bool udp = info.udp && (mrqc & kMrqcRssFieldIpv4Udp);
        if (tcp || udp) {
            in.type = tcp ? kRssTypeIpv4Tcp : kRssTypeIpv4Udp;
            in.length = 12;
        } else if (mrqc & kMrqcRssFieldIpv4) {
            in.type = kRssTypeIpv4;
            in.length = 8;
        } else {
            return in;
        }
        // Addresses straight from the header (bytes 12..19), ports from the L4 header.
        std::memcpy(in.bytes.data(), frame.data() + info.l3_offset + 12, 8);
        if (in.length == 12) std::memcpy(in.bytes.data() + 8, frame.data() + info.l4_offset, 4);
        return in;
    }
    if (info.ipv6 && info.ipv6_header_ok) {
        // Extension headers are not parsed, so the *_EX enables act like their plain counterparts.
        const auto pick = [&](u32 plain_bit, u8 plain_type, u32 ex_bit, u8 ex_type) -> u8 {
            if (mrqc & plain_bit) return plain_type;
            if (mrqc & ex_bit) return ex_type;
            return kRssTypeNone;
        };
        u8 type = kRssTypeNone;
        if (info.tcp)
            type = pick(kMrqcRssFieldIpv6Tcp, kRssTypeIpv6Tcp, kMrqcRssFieldIpv6TcpEx, kRssTypeIpv6TcpEx);
        if (info.udp)
            type = pick(kMrqcRssFieldIpv6Udp, kRssTypeIpv6Udp, kMrqcRssFieldIpv6UdpEx, kRssTypeIpv6UdpEx);
        if (type != kRssTypeNone) {
            in.length = 36;
        } else {
            type = pick(kMrqcRssFieldIpv6, kRssTypeIpv6, kMrqcRssFieldIpv6Ex, kRssTypeIpv6Ex);
            if (type == kRssTypeNone) return in;
            in.length = 32;
        }
        in.type = type;
        std::memcpy(in.bytes.data(), frame.data() + info.l3_offset + 8, 32);
        if (in.length == 36) std::memcpy(in.bytes.data() + 32, frame.data() + info.l4_offset, 4);
    }
    return in;
}

} // namespace

RssResult rss_hash(const PacketInfo& info, std::span<const u8> frame, u32 mrqc, const ToeplitzTable& table) {
    const HashInput in = select_input(info, frame, mrqc);
    if (in.type == kRssTypeNone) return {};
    return {table.hash(std::span<const u8>(in.bytes.data(), in.length)), in.type};
}

RssResult rss_hash(const PacketInfo& info, std::span<const u8> frame, u32 mrqc, std::span<const u8, 40> key) {
    // One table per thread for the last key seen: the driver writes RSSRK once and then every packet
    // hashes with it.
    thread_local std::unique_ptr<ToeplitzTable> cached;
    if (!cached || !std::equal(key.begin(), key.end(), cached->key().begin()))
        cached = std::make_unique<ToeplitzTable>(key);
    return rss_hash(info, frame, mrqc, *cached);
}

} // namespace smpsim::igb
