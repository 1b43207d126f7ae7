#include "sim/net/frame_rewrite.h"

#include "sim/core/error.h"

#include <fmt/format.h>

namespace smpsim::net {

namespace {

constexpr size_t kEthAddrBytes = 12, kEthHeaderBytes = 14, kTagBytes = 4;
constexpr u16 kEthP8021Q = 0x8100, kEthP8021AD = 0x88a8;

std::optional<MacAddress> parse_mac(std::string_view text) {
    MacAddress mac{};
    if (text.size() != 17) return std::nullopt;
    for (size_t i = 0; i < 6; ++i) {
        const auto hex = [&](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = hex(text[3 * i]), lo = hex(text[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':')) return std::nullopt;
        mac[i] = u8(hi << 4 | lo);
    }
    return mac;
}

} // namespace

std::string format_mac(const MacAddress& mac) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3], mac[4],
                       mac[5]);
}

FrameRewrite parse_frame_rewrite(std::string_view spec, const MacAddress& nic_mac) {
    FrameRewrite rewrite;
    if (spec == "none") return rewrite;
    const auto bad = [&](std::string_view why) {
        return InputError(fmt::format(
            "--rewrite '{}': {} (expected none, or a list of dmac, dmac=MAC, strip-vlan)", spec, why));
    };
    if (spec.empty()) throw bad("empty");
    size_t start = 0;
    while (start <= spec.size()) {
        const size_t comma = spec.find(',', start);
        const std::string_view item =
            spec.substr(start, comma == std::string_view::npos ? spec.npos : comma - start);
        if (item == "dmac") {
            rewrite.dmac = nic_mac;
        } else if (item.starts_with("dmac=")) {
            const auto mac = parse_mac(item.substr(5));
            if (!mac) throw bad(fmt::format("'{}' is not a MAC address aa:bb:cc:dd:ee:ff", item.substr(5)));
            rewrite.dmac = *mac;
        } else if (item == "strip-vlan") {
            rewrite.strip_vlan = true;
        } else {
            throw bad(item.empty() ? std::string("an empty item") : fmt::format("unknown item '{}'", item));
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return rewrite;
}

std::vector<u8> rewrite_frame(std::span<const u8> frame, const FrameRewrite& rewrite) {
    std::vector<u8> out(frame.begin(), frame.end());
    if (out.size() < kEthHeaderBytes) return out;
    if (rewrite.dmac) std::copy(rewrite.dmac->begin(), rewrite.dmac->end(), out.begin());
    if (rewrite.strip_vlan) {
        // The ethertype after the addresses; each tag is (TPID, TCI) in front of the real one.
        while (out.size() >= kEthHeaderBytes + kTagBytes) {
            const u16 type = u16(out[kEthAddrBytes] << 8 | out[kEthAddrBytes + 1]);
            if (type != kEthP8021Q && type != kEthP8021AD) break;
            out.erase(out.begin() + kEthAddrBytes, out.begin() + kEthAddrBytes + kTagBytes);
        }
    }
    return out;
}

} // namespace smpsim::net
