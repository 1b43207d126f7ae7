// What the 82576's receive parser finds in an Ethernet frame: one optional 802.1Q tag, IPv4 (header
// checksum, fragments) or IPv6 (fixed header only), and the TCP/UDP ports and checksum. Pure logic: it
// reads only inside `frame`, whatever the bytes say, so a malformed packet yields flags, never a fault.
#pragma once
#include "sim/core/types.h"

#include <span>

namespace smpsim::igb {

inline constexpr u16 kEthertypeIpv4 = 0x0800;
inline constexpr u16 kEthertypeArp = 0x0806;
inline constexpr u16 kEthertypeVlan = 0x8100; // 802.1Q
inline constexpr u16 kEthertypeIpv6 = 0x86DD;
inline constexpr u8 kIpProtoIcmp = 1;
inline constexpr u8 kIpProtoTcp = 6;
inline constexpr u8 kIpProtoUdp = 17;
inline constexpr unsigned kEthernetHeaderLen = 14;
inline constexpr unsigned kVlanTagLen = 4;

// What the NIC's parser finds in an Ethernet frame (no FCS). Offsets are from the frame start.
struct PacketInfo {
    bool vlan = false;
    u16 vlan_tci = 0;  // one 802.1Q (0x8100) tag after the MAC addresses (only if the whole tag is present)
    u16 ethertype = 0; // after any VLAN tag; 0 if the frame is shorter than an Ethernet header
    unsigned l3_offset = 0;

    bool ipv4 = false;           // ethertype 0x0800
    bool ipv4_header_ok = false; // version 4, IHL >= 5, header inside the frame
    bool ipv4_checksum_ok = false;
    bool ipv4_fragment = false; // MF set or fragment offset != 0
    unsigned ipv4_header_len = 0;
    u32 ipv4_src = 0, ipv4_dst = 0; // host byte order
    u8 ip_protocol = 0;             // IPv4 protocol, or the IPv6 next header
    // Added: the IPv4 total length and whether it is consistent (header_len <= total <= bytes present
    // after l3_offset). Frames padded to 60 bytes have total < bytes present, which is fine.
    u16 ipv4_total_length = 0;
    bool ipv4_length_ok = false;

    // TCP/UDP: set for unfragmented IPv4 with a consistent total length, and for IPv6 whose next header
    // is TCP/UDP directly (extension headers are not walked), when the L4 header (TCP 20, UDP 8 bytes)
    // lies inside the IP payload.
    bool tcp = false, udp = false;
    unsigned l4_offset = 0;
    u16 src_port = 0, dst_port = 0;
    bool l4_checksum_ok = false; // TCP/UDP checksum over the pseudo header (IPv4 UDP checksum 0 = ok)

    bool ipv6 = false;           // ethertype 0x86DD
    bool ipv6_header_ok = false; // version 6 and the 40-byte fixed header inside the frame
    bool icmp = false;           // IPv4 protocol 1, unfragmented, with at least the 8-byte ICMP header
};

PacketInfo parse_packet(std::span<const u8> frame);

// The Internet checksum (RFC 1071) of `data`, folded, not complemented, starting from `initial`.
u16 ones_complement_sum(std::span<const u8> data, u32 initial = 0);

} // namespace smpsim::igb
