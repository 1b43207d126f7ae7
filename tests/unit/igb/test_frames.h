// Hand-built Ethernet frames for the net-layer tests: IPv4/IPv6 with TCP/UDP/ICMP, correct checksums
// unless a test breaks them on purpose.
#pragma once
#include "sim/core/types.h"
#include "sim/igb/packet.h"

#include <array>
#include <vector>

namespace smpsim::igb::test {

constexpr u32 ipv4(u8 a, u8 b, u8 c, u8 d) {
    return (u32{a} << 24) | (u32{b} << 16) | (u32{c} << 8) | d;
}

inline void put16(std::vector<u8>& f, size_t at, u16 v) {
    f[at] = static_cast<u8>(v >> 8);
    f[at + 1] = static_cast<u8>(v);
}
inline void put32(std::vector<u8>& f, size_t at, u32 v) {
    put16(f, at, static_cast<u16>(v >> 16));
    put16(f, at + 2, static_cast<u16>(v));
}

struct Ipv4Spec {
    u32 src = ipv4(192, 168, 1, 1), dst = ipv4(10, 0, 0, 2);
    u8 protocol = kIpProtoUdp;
    u16 src_port = 1234, dst_port = 80;
    size_t payload = 18;  // bytes after the L4 header
    unsigned options = 0; // IPv4 option bytes (multiple of 4)
    bool vlan = false;
    u16 vlan_tci = 0;
    u16 flags_fragment = 0; // MF = 0x2000, offset in 8-byte units
    bool pad_to_60 = false; // Ethernet minimum (without FCS)
};

// Ethernet (+ optional 802.1Q) + IPv4 (+ options) + TCP(20)/UDP(8)/ICMP(8) header + payload.
inline std::vector<u8> build_ipv4(const Ipv4Spec& s) {
    const unsigned l3 = s.vlan ? 18 : 14;
    const unsigned ihl = 20 + s.options;
    const unsigned l4_header = s.protocol == kIpProtoTcp ? 20 : 8;
    const unsigned total = ihl + l4_header + static_cast<unsigned>(s.payload);
    std::vector<u8> f(l3 + total, 0);
    for (unsigned i = 0; i < 6; ++i)
        f[i] = 0x02, f[6 + i] = static_cast<u8>(0x10 + i);
    if (s.vlan) {
        put16(f, 12, kEthertypeVlan);
        put16(f, 14, s.vlan_tci);
        put16(f, 16, kEthertypeIpv4);
    } else {
        put16(f, 12, kEthertypeIpv4);
    }
    f[l3] = static_cast<u8>(0x40 | (ihl / 4));
    put16(f, l3 + 2, static_cast<u16>(total));
    put16(f, l3 + 4, 0x1234);
    put16(f, l3 + 6, s.flags_fragment);
    f[l3 + 8] = 64;
    f[l3 + 9] = s.protocol;
    put32(f, l3 + 12, s.src);
    put32(f, l3 + 16, s.dst);
    for (unsigned i = 0; i < s.options; ++i)
        f[l3 + 20 + i] = 1; // NOP options
    put16(f, l3 + 10, static_cast<u16>(~ones_complement_sum(std::span<const u8>(f).subspan(l3, ihl))));
    const unsigned l4 = l3 + ihl;
    for (size_t i = 0; i < s.payload; ++i)
        f[l4 + l4_header + i] = static_cast<u8>(i * 7 + 3);
    const unsigned l4_len = l4_header + static_cast<unsigned>(s.payload);
    std::array<u8, 12> pseudo{};
    std::copy(f.begin() + l3 + 12, f.begin() + l3 + 20, pseudo.begin());
    pseudo[9] = s.protocol;
    pseudo[10] = static_cast<u8>(l4_len >> 8);
    pseudo[11] = static_cast<u8>(l4_len);
    if (s.protocol == kIpProtoTcp || s.protocol == kIpProtoUdp) {
        put16(f, l4, s.src_port);
        put16(f, l4 + 2, s.dst_port);
        size_t checksum_at = l4 + 6;
        if (s.protocol == kIpProtoTcp) {
            f[l4 + 12] = 0x50; // data offset 5
            f[l4 + 13] = 0x18;
            checksum_at = l4 + 16;
        } else {
            put16(f, l4 + 4, static_cast<u16>(l4_len));
        }
        if (s.flags_fragment == 0) {
            u16 sum =
                ~ones_complement_sum(std::span<const u8>(f).subspan(l4, l4_len), ones_complement_sum(pseudo));
            if (s.protocol == kIpProtoUdp && sum == 0) sum = 0xFFFF;
            put16(f, checksum_at, sum);
        }
    } else if (s.protocol == kIpProtoIcmp) {
        f[l4] = 8; // echo request
        put16(f, l4 + 2, static_cast<u16>(~ones_complement_sum(std::span<const u8>(f).subspan(l4, l4_len))));
    }
    if (s.pad_to_60 && f.size() < 60) f.resize(60, 0);
    return f;
}

// Ethernet + IPv6 fixed header + TCP/UDP (next header = protocol) + payload.
inline std::vector<u8> build_ipv6(const std::array<u8, 16>& src, const std::array<u8, 16>& dst, u8 protocol,
                                  u16 src_port, u16 dst_port, size_t payload = 10) {
    const unsigned l4_header = protocol == kIpProtoTcp ? 20 : 8;
    const unsigned l4_len = l4_header + static_cast<unsigned>(payload);
    std::vector<u8> f(14 + 40 + l4_len, 0);
    put16(f, 12, kEthertypeIpv6);
    f[14] = 0x60;
    put16(f, 18, static_cast<u16>(l4_len));
    f[20] = protocol;
    f[21] = 64;
    std::copy(src.begin(), src.end(), f.begin() + 22);
    std::copy(dst.begin(), dst.end(), f.begin() + 38);
    const unsigned l4 = 54;
    put16(f, l4, src_port);
    put16(f, l4 + 2, dst_port);
    if (protocol == kIpProtoTcp)
        f[l4 + 12] = 0x50;
    else
        put16(f, l4 + 4, static_cast<u16>(l4_len));
    std::vector<u8> pseudo(f.begin() + 22, f.begin() + 54);
    pseudo.insert(pseudo.end(),
                  {0, 0, static_cast<u8>(l4_len >> 8), static_cast<u8>(l4_len), 0, 0, 0, protocol});
    u16 sum = ~ones_complement_sum(std::span<const u8>(f).subspan(l4, l4_len), ones_complement_sum(pseudo));
    if (protocol == kIpProtoUdp && sum == 0) sum = 0xFFFF;
    put16(f, protocol == kIpProtoTcp ? l4 + 16 : l4 + 6, sum);
    return f;
}

} // namespace smpsim::igb::test
