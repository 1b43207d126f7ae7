#include "sim/igb/packet.h"

#include <algorithm>
#include <array>

namespace smpsim::igb {
namespace {

u16 load_be16(std::span<const u8> bytes, size_t offset) {
    return static_cast<u16>((bytes[offset] << 8) | bytes[offset + 1]);
}
u32 load_be32(std::span<const u8> bytes, size_t offset) {
    return (u32{bytes[offset]} << 24) | (u32{bytes[offset + 1]} << 16) | (u32{bytes[offset + 2]} << 8) |
           bytes[offset + 3];
}

// Sums the pseudo header + segment and checks that the complemented result is zero.
bool l4_checksum_valid(std::span<const u8> pseudo_header, std::span<const u8> segment) {
    const u16 partial = ones_complement_sum(pseudo_header);
    return ones_complement_sum(segment, partial) == 0xFFFF;
}

// Fills tcp/udp/ports/l4_checksum_ok for an L4 segment `segment` that starts at `offset` in the frame.
void parse_l4(PacketInfo& info, std::span<const u8> segment, unsigned offset,
              std::span<const u8> pseudo_header_prefix, bool zero_udp_checksum_ok) {
    // The pseudo header ends with the protocol and the L4 length; the caller gives the addresses.
    std::array<u8, 40> pseudo{};
    std::copy(pseudo_header_prefix.begin(), pseudo_header_prefix.end(), pseudo.begin());
    size_t pseudo_len = pseudo_header_prefix.size();
    auto finish_pseudo = [&](u32 length) {
        // IPv4: zero, protocol, 16-bit length. IPv6: 32-bit length, 3 zero bytes, next header. Both sum
        // to the same value, so one layout (32-bit length, then protocol) serves both.
        pseudo[pseudo_len + 0] = static_cast<u8>(length >> 24);
        pseudo[pseudo_len + 1] = static_cast<u8>(length >> 16);
        pseudo[pseudo_len + 2] = static_cast<u8>(length >> 8);
        pseudo[pseudo_len + 3] = static_cast<u8>(length);
        pseudo[pseudo_len + 4] = 0;
        pseudo[pseudo_len + 5] = 0;
        pseudo[pseudo_len + 6] = 0;
        pseudo[pseudo_len + 7] = info.ip_protocol;
        return std::span<const u8>(pseudo.data(), pseudo_len + 8);
    };
    if (info.ip_protocol == kIpProtoTcp && segment.size() >= 20) {
        info.tcp = true;
        info.l4_offset = offset;
        info.src_port = load_be16(segment, 0);
        info.dst_port = load_be16(segment, 2);
        info.l4_checksum_ok = l4_checksum_valid(finish_pseudo(static_cast<u32>(segment.size())), segment);
    } else if (info.ip_protocol == kIpProtoUdp && segment.size() >= 8) {
        info.udp = true;
        info.l4_offset = offset;
        info.src_port = load_be16(segment, 0);
        info.dst_port = load_be16(segment, 2);
        const u16 udp_length = load_be16(segment, 4);
        const u16 checksum = load_be16(segment, 6);
        if (checksum == 0) {
            info.l4_checksum_ok = zero_udp_checksum_ok;
        } else if (udp_length >= 8 && udp_length <= segment.size()) {
            const auto datagram = segment.first(udp_length);
            info.l4_checksum_ok = l4_checksum_valid(finish_pseudo(udp_length), datagram);
        }
    }
}

void parse_ipv4(PacketInfo& info, std::span<const u8> frame) {
    const unsigned l3 = info.l3_offset;
    if (frame.size() < l3 + 20) return;
    const auto header_start = frame.subspan(l3);
    const unsigned version = header_start[0] >> 4;
    const unsigned header_len = (header_start[0] & 0xF) * 4u;
    if (version != 4 || header_len < 20 || header_start.size() < header_len) return;
    info.ipv4_header_ok = true;
    info.ipv4_header_len = header_len;
    const auto header = header_start.first(header_len);
    info.ipv4_checksum_ok = ones_complement_sum(header) == 0xFFFF;
    info.ipv4_total_length = load_be16(header, 2);
    const u16 flags_fragment = load_be16(header, 6);
    info.ipv4_fragment = (flags_fragment & 0x2000) != 0 || (flags_fragment & 0x1FFF) != 0;
    info.ip_protocol = header[9];
    info.ipv4_src = load_be32(header, 12);
    info.ipv4_dst = load_be32(header, 16);
    info.ipv4_length_ok =
        info.ipv4_total_length >= header_len && info.ipv4_total_length <= header_start.size();
    if (!info.ipv4_length_ok || info.ipv4_fragment) return;

    const auto payload = header_start.subspan(header_len, info.ipv4_total_length - header_len);
    if (info.ip_protocol == kIpProtoIcmp) {
        info.icmp = payload.size() >= 8;
        return;
    }
    // Source, destination; parse_l4 appends the length and protocol.
    const std::span<const u8> addresses = header.subspan(12, 8);
    parse_l4(info, payload, l3 + header_len, addresses, /*zero_udp_checksum_ok=*/true);
}

void parse_ipv6(PacketInfo& info, std::span<const u8> frame) {
    const unsigned l3 = info.l3_offset;
    if (frame.size() < l3 + 40) return;
    const auto header = frame.subspan(l3, 40);
    if ((header[0] >> 4) != 6) return;
    info.ipv6_header_ok = true;
    info.ip_protocol = header[6];
    const u16 payload_length = load_be16(header, 4);
    const auto after_header = frame.subspan(l3 + 40);
    if (payload_length > after_header.size()) return;
    // UDP over IPv6 must carry a checksum (RFC 8200 8.1): zero is not "ok".
    parse_l4(info, after_header.first(payload_length), l3 + 40, header.subspan(8, 32),
             /*zero_udp_checksum_ok=*/false);
}

} // namespace

u16 ones_complement_sum(std::span<const u8> data, u32 initial) {
    u64 sum = initial;
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2)
        sum += (u32{data[i]} << 8) | data[i + 1];
    if (i < data.size()) sum += u32{data[i]} << 8; // odd length: pad with a zero byte
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<u16>(sum);
}

PacketInfo parse_packet(std::span<const u8> frame) {
    PacketInfo info;
    if (frame.size() < kEthernetHeaderLen) return info;
    info.ethertype = load_be16(frame, 12);
    info.l3_offset = kEthernetHeaderLen;
    if (info.ethertype == kEthertypeVlan && frame.size() >= kEthernetHeaderLen + kVlanTagLen) {
        info.vlan = true;
        info.vlan_tci = load_be16(frame, 14);
        info.ethertype = load_be16(frame, 16);
        info.l3_offset = kEthernetHeaderLen + kVlanTagLen;
    }
    if (info.ethertype == kEthertypeIpv4) {
        info.ipv4 = true;
        parse_ipv4(info, frame);
    } else if (info.ethertype == kEthertypeIpv6) {
        info.ipv6 = true;
        parse_ipv6(info, frame);
    }
    return info;
}

} // namespace smpsim::igb
