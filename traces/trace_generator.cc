#include "traces/trace_generator.h"

#include "sim/core/error.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <pcap/pcap.h>
#include <random>

namespace smpsim::traces {
namespace {

constexpr u32 kGuestIp = 0x0A000002;   // 10.0.0.2
constexpr u32 kGatewayIp = 0x0A000001; // 10.0.0.1
constexpr std::array<u8, 6> kGuestMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr std::array<u8, 6> kPeerMac{0x02, 0x00, 0x00, 0xAA, 0xBB, 0x01};

using Bytes = std::vector<u8>;

void put16(Bytes& b, size_t at, u32 v) {
    b[at] = static_cast<u8>(v >> 8);
    b[at + 1] = static_cast<u8>(v);
}
void put32(Bytes& b, size_t at, u32 v) {
    put16(b, at, v >> 16);
    put16(b, at + 2, v & 0xFFFF);
}

u32 sum16(const u8* data, size_t length, u32 sum = 0) {
    for (size_t i = 0; i + 1 < length; i += 2)
        sum += (u32{data[i]} << 8) | data[i + 1];
    if (length & 1) sum += u32{data[length - 1]} << 8;
    return sum;
}
u16 fold_complement(u32 sum) {
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<u16>(~sum);
}

Bytes ethernet(u16 ethertype, const std::array<u8, 6>& dst, const std::array<u8, 6>& src, int vlan_id) {
    Bytes b(vlan_id >= 0 ? 18 : 14, 0);
    std::copy(dst.begin(), dst.end(), b.begin());
    std::copy(src.begin(), src.end(), b.begin() + 6);
    if (vlan_id >= 0) {
        put16(b, 12, 0x8100);
        put16(b, 14, static_cast<u32>(vlan_id));
        put16(b, 16, ethertype);
    } else {
        put16(b, 12, ethertype);
    }
    return b;
}

struct Ipv4Packet {
    u32 src = 0, dst = kGuestIp;
    u8 protocol = 17;
    u16 id = 0;
    u16 flags_fragment = 0x4000; // DF
    Bytes l4;                    // L4 header + payload, checksum already filled
    int vlan_id = -1;
    bool corrupt_ip_checksum = false;
};

Bytes ipv4_frame(const Ipv4Packet& p) {
    Bytes f = ethernet(0x0800, kGuestMac, kPeerMac, p.vlan_id);
    const size_t l3 = f.size();
    f.resize(l3 + 20 + p.l4.size(), 0);
    f[l3] = 0x45;
    put16(f, l3 + 2, static_cast<u32>(20 + p.l4.size()));
    put16(f, l3 + 4, p.id);
    put16(f, l3 + 6, p.flags_fragment);
    f[l3 + 8] = 64;
    f[l3 + 9] = p.protocol;
    put32(f, l3 + 12, p.src);
    put32(f, l3 + 16, p.dst);
    u16 checksum = fold_complement(sum16(f.data() + l3, 20));
    if (p.corrupt_ip_checksum) checksum ^= 0x5A5A;
    put16(f, l3 + 10, checksum);
    std::copy(p.l4.begin(), p.l4.end(), f.begin() + static_cast<long>(l3 + 20));
    if (f.size() < 60) f.resize(60, 0); // Ethernet padding (frames are captured as sent, without FCS)
    return f;
}

u32 pseudo_sum(u32 src, u32 dst, u8 protocol, size_t length) {
    return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + protocol + static_cast<u32>(length);
}

Bytes payload_bytes(size_t length, u32 salt) {
    Bytes b(length);
    for (size_t i = 0; i < length; ++i)
        b[i] = static_cast<u8>('a' + (i + salt) % 26);
    return b;
}

Bytes udp_segment(u32 src, u32 dst, u16 sport, u16 dport, const Bytes& payload, bool corrupt = false) {
    Bytes s(8 + payload.size(), 0);
    put16(s, 0, sport);
    put16(s, 2, dport);
    put16(s, 4, static_cast<u32>(s.size()));
    std::copy(payload.begin(), payload.end(), s.begin() + 8);
    u16 checksum = fold_complement(sum16(s.data(), s.size(), pseudo_sum(src, dst, 17, s.size())));
    if (checksum == 0) checksum = 0xFFFF;
    if (corrupt) checksum ^= 0x0F0F;
    put16(s, 6, checksum);
    return s;
}

Bytes tcp_segment(u32 src, u32 dst, u16 sport, u16 dport, u32 seq, u32 ack, u8 flags, const Bytes& payload,
                  bool corrupt = false) {
    Bytes s(20 + payload.size(), 0);
    put16(s, 0, sport);
    put16(s, 2, dport);
    put32(s, 4, seq);
    put32(s, 8, ack);
    s[12] = 0x50;
    s[13] = flags;
    put16(s, 14, 65535);
    std::copy(payload.begin(), payload.end(), s.begin() + 20);
    u16 checksum = fold_complement(sum16(s.data(), s.size(), pseudo_sum(src, dst, 6, s.size())));
    if (corrupt) checksum ^= 0x0F0F;
    put16(s, 16, checksum);
    return s;
}

Bytes icmp_echo(bool request, u16 id, u16 sequence, size_t data_len) {
    Bytes s(8, 0);
    s[0] = request ? 8 : 0;
    put16(s, 4, id);
    put16(s, 6, sequence);
    const Bytes data = payload_bytes(data_len, sequence);
    s.insert(s.end(), data.begin(), data.end());
    put16(s, 2, fold_complement(sum16(s.data(), s.size())));
    return s;
}

Bytes arp_who_has(u32 sender_ip, u32 target_ip, bool pad) {
    Bytes f = ethernet(0x0806, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, kPeerMac, -1);
    const size_t a = f.size();
    f.resize(a + 28, 0);
    put16(f, a, 1);          // Ethernet
    put16(f, a + 2, 0x0800); // IPv4
    f[a + 4] = 6;
    f[a + 5] = 4;
    put16(f, a + 6, 1); // request
    std::copy(kPeerMac.begin(), kPeerMac.end(), f.begin() + static_cast<long>(a + 8));
    put32(f, a + 14, sender_ip);
    put32(f, a + 24, target_ip);
    if (pad) f.resize(60, 0);
    return f;
}

Bytes ipv6_udp_frame() {
    Bytes f = ethernet(0x86DD, kGuestMac, kPeerMac, -1); // unicast, so MAC filters pass it
    const size_t l3 = f.size();
    const Bytes payload = payload_bytes(24, 6);
    f.resize(l3 + 40 + 8 + payload.size(), 0);
    f[l3] = 0x60;
    put16(f, l3 + 4, static_cast<u32>(8 + payload.size()));
    f[l3 + 6] = 17;
    f[l3 + 7] = 1;
    const std::array<u8, 16> src{0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                                 0x00, 0x00, 0x00, 0xff, 0xfe, 0xaa, 0xbb, 0x01};
    // The guest's link-local address (EUI-64 of 52:54:00:12:34:56).
    const std::array<u8, 16> dst{0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                                 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56};
    std::copy(src.begin(), src.end(), f.begin() + static_cast<long>(l3 + 8));
    std::copy(dst.begin(), dst.end(), f.begin() + static_cast<long>(l3 + 24));
    const size_t l4 = l3 + 40;
    put16(f, l4, 546);
    put16(f, l4 + 2, 547);
    put16(f, l4 + 4, static_cast<u32>(8 + payload.size()));
    std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(l4 + 8));
    u32 sum = sum16(f.data() + l3 + 8, 32) + static_cast<u32>(8 + payload.size()) + 17;
    put16(f, l4 + 6, fold_complement(sum16(f.data() + l4, 8 + payload.size(), sum)));
    return f;
}

// The flows of the mix: endpoints chosen once from the seeded generator.
struct Flow {
    bool tcp;
    u32 src, dst;
    u16 sport, dport;
    u32 seq = 1000;
    unsigned sent = 0;
};

class Mixer {
  public:
    explicit Mixer(u64 seed) : rng_(static_cast<std::mt19937::result_type>(seed)) {
        for (unsigned i = 0; i < 96; ++i) {
            Flow f;
            f.tcp = i % 3 != 2;
            f.src = 0xC0A80000u | (next(250) + 1) << 8 | (next(250) + 2); // 192.168.x.y
            // Mostly to the guest; some to other hosts behind it.
            f.dst = i % 5 == 4 ? 0x0A000100u | (next(200) + 10) : kGuestIp;
            f.sport = static_cast<u16>(1024 + next(60000));
            static constexpr u16 kTcpPorts[] = {80, 443, 22, 8080, 5201};
            static constexpr u16 kUdpPorts[] = {53, 123, 5001, 4789, 161};
            f.dport = f.tcp ? kTcpPorts[next(5)] : kUdpPorts[next(5)];
            flows_.push_back(f);
        }
    }
    u32 next(u32 bound) { return static_cast<u32>(rng_() % bound); }

    Bytes flow_frame() {
        Flow& f = flows_[next(static_cast<u32>(flows_.size()))];
        const unsigned n = f.sent++;
        if (!f.tcp)
            return ipv4_frame(
                {.src = f.src,
                 .dst = f.dst,
                 .protocol = 17,
                 .id = static_cast<u16>(n),
                 .l4 = udp_segment(f.src, f.dst, f.sport, f.dport, payload_bytes(16 + next(400), n))});
        u8 flags = 0x18; // PSH|ACK
        Bytes payload = payload_bytes(next(3) == 0 ? 0 : 1 + next(1200), n);
        if (n == 0) {
            flags = 0x02; // SYN
            payload.clear();
        }
        const Bytes segment =
            tcp_segment(f.src, f.dst, f.sport, f.dport, f.seq, n ? 5000 + n : 0, flags, payload);
        f.seq += static_cast<u32>(payload.size()) + (n == 0);
        return ipv4_frame(
            {.src = f.src, .dst = f.dst, .protocol = 6, .id = static_cast<u16>(n), .l4 = segment});
    }

    Bytes icmp_frame(u16 sequence) {
        const u32 src = 0xC0A80000u | (next(250) + 1) << 8 | (next(250) + 2);
        return ipv4_frame({.src = src,
                           .dst = 0x0A000100u | (next(200) + 10),
                           .protocol = 1,
                           .l4 = icmp_echo(true, 0x4242, sequence, 56)});
    }

  private:
    std::mt19937 rng_;
    std::vector<Flow> flows_;
};

// One-off frames, each exercising one path of the NIC or the guest.
std::vector<TraceFrame> special_frames() {
    std::vector<TraceFrame> s;
    auto add = [&](Bytes data, u32 wire_len = 0) {
        const u32 len = wire_len ? wire_len : static_cast<u32>(data.size());
        s.push_back({0, std::move(data), len});
    };
    const u32 host = 0xC0A80A0A; // 192.168.10.10
    add(arp_who_has(kGatewayIp, kGuestIp, true));
    add(arp_who_has(kGatewayIp, kGuestIp, false));  // 42-byte runt, captured before padding
    add(arp_who_has(kGatewayIp, 0x0A000063, true)); // who-has 10.0.0.99: not the guest
    add(ipv4_frame(
        {.src = kGatewayIp, .dst = kGuestIp, .protocol = 1, .l4 = icmp_echo(true, 0x1111, 1, 56)}));
    add(ipv4_frame(
        {.src = kGuestIp, .dst = kGatewayIp, .protocol = 1, .l4 = icmp_echo(false, 0x2222, 1, 56)}));
    for (int i = 0; i < 3; ++i) {
        const u32 src = host + static_cast<u32>(i);
        add(ipv4_frame(
            {.src = src,
             .dst = kGuestIp,
             .protocol = 17,
             .l4 = udp_segment(src, kGuestIp, static_cast<u16>(7000 + i), 53, payload_bytes(40, i)),
             .vlan_id = 100}));
        add(ipv4_frame({.src = src,
                        .dst = kGuestIp,
                        .protocol = 6,
                        .l4 = tcp_segment(src, kGuestIp, static_cast<u16>(8000 + i), 80, 1, 0, 0x02, {}),
                        .vlan_id = 0x2000 | 200})); // priority 1, VLAN 200
    }
    // Two UDP datagrams of 3000 payload bytes in three fragments each (offsets in 8-byte units).
    for (u16 id : {u16{0x7001}, u16{0x7002}}) {
        const Bytes datagram = udp_segment(host, kGuestIp, 9999, 5001, payload_bytes(3000, id));
        for (size_t offset = 0; offset < datagram.size(); offset += 1480) {
            const size_t length = std::min<size_t>(1480, datagram.size() - offset);
            const bool more = offset + length < datagram.size();
            add(ipv4_frame({.src = host,
                            .dst = kGuestIp,
                            .protocol = 17,
                            .id = id,
                            .flags_fragment = static_cast<u16>((more ? 0x2000 : 0) | (offset / 8)),
                            .l4 = Bytes(datagram.begin() + static_cast<long>(offset),
                                        datagram.begin() + static_cast<long>(offset + length))}));
        }
    }
    // Bad checksums: IPv4 header, TCP, UDP.
    add(ipv4_frame({.src = host,
                    .dst = kGuestIp,
                    .protocol = 17,
                    .l4 = udp_segment(host, kGuestIp, 1111, 53, payload_bytes(20, 1)),
                    .corrupt_ip_checksum = true}));
    add(ipv4_frame({.src = host,
                    .dst = kGuestIp,
                    .protocol = 6,
                    .l4 = tcp_segment(host, kGuestIp, 2222, 80, 7, 0, 0x02, {}, true)}));
    add(ipv4_frame({.src = host,
                    .dst = kGuestIp,
                    .protocol = 17,
                    .l4 = udp_segment(host, kGuestIp, 3333, 53, payload_bytes(20, 2), true)}));
    // Oversize: 1600- and 2000-byte frames (> 1518 with FCS).
    for (size_t payload : {1600 - 42, 2000 - 42})
        add(ipv4_frame({.src = host,
                        .dst = kGuestIp,
                        .protocol = 17,
                        .l4 = udp_segment(host, kGuestIp, 4444, 5001, payload_bytes(payload, 3))}));
    // Snaplen-truncated: full-size TCP segments captured with snaplen 96 and 128.
    for (size_t snaplen : {96, 128}) {
        Bytes full =
            ipv4_frame({.src = host,
                        .dst = kGuestIp,
                        .protocol = 6,
                        .l4 = tcp_segment(host, kGuestIp, 5555, 80, 9, 0, 0x18, payload_bytes(1460, 4))});
        const u32 wire = static_cast<u32>(full.size());
        full.resize(snaplen);
        add(std::move(full), wire);
    }
    add(ipv6_udp_frame());
    return s;
}

struct PcapDeadCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};

} // namespace

std::vector<TraceFrame> mixed_frames(unsigned flow_frames, u64 seed, u64 start_ns, bool sub_microsecond) {
    Mixer mixer(seed);
    std::vector<TraceFrame> frames;
    for (unsigned i = 0; i < flow_frames; ++i) {
        Bytes data = i % 97 == 13 ? mixer.icmp_frame(static_cast<u16>(i)) : mixer.flow_frame();
        const u32 len = static_cast<u32>(data.size());
        frames.push_back({0, std::move(data), len});
    }
    // Specials spread evenly through the flow traffic, in a fixed order.
    std::vector<TraceFrame> specials = special_frames();
    for (size_t k = 0; k < specials.size(); ++k) {
        const size_t at = (k + 1) * frames.size() / (specials.size() + 1) + k;
        frames.insert(frames.begin() + static_cast<long>(std::min(at, frames.size())),
                      std::move(specials[k]));
    }
    // 50 µs apart; every 128 frames a burst of 16 frames 2 µs apart.
    u64 t = start_ns;
    for (size_t i = 0; i < frames.size(); ++i) {
        frames[i].timestamp_ns = t + (sub_microsecond ? (i * 7919) % 1000 : 0);
        t += i % 128 < 16 ? 2'000 : 50'000;
    }
    return frames;
}

std::vector<TraceFrame> udp_flood_frames(u64 count) {
    std::vector<TraceFrame> frames;
    frames.reserve(count);
    for (u64 i = 0; i < count; ++i) {
        const u32 flow = static_cast<u32>(i % 256);
        const u32 src = 0xC0A86400u | flow; // 192.168.100.<flow>
        const u16 sport = static_cast<u16>(10000 + flow * 7);
        Bytes data = ipv4_frame({.src = src,
                                 .dst = kGuestIp,
                                 .protocol = 17,
                                 .id = static_cast<u16>(i),
                                 .l4 = udp_segment(src, kGuestIp, sport, 5001, payload_bytes(18, flow))});
        const u32 len = static_cast<u32>(data.size());
        frames.push_back({1'700'000'000'000'000'000ull + i * 672, std::move(data), len});
    }
    return frames;
}

void write_pcap(const std::string& path, const std::vector<TraceFrame>& frames, bool nanosecond) {
    std::unique_ptr<pcap_t, PcapDeadCloser> dead(pcap_open_dead_with_tstamp_precision(
        DLT_EN10MB, 65535, nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO));
    pcap_dumper_t* dumper = pcap_dump_open(dead.get(), path.c_str());
    if (!dumper) throw InputError(path + ": cannot create: " + pcap_geterr(dead.get()));
    for (const TraceFrame& f : frames) {
        pcap_pkthdr header{};
        header.ts.tv_sec = static_cast<time_t>(f.timestamp_ns / 1'000'000'000);
        const u64 fraction = f.timestamp_ns % 1'000'000'000;
        header.ts.tv_usec = static_cast<suseconds_t>(nanosecond ? fraction : fraction / 1000);
        header.caplen = static_cast<bpf_u_int32>(f.data.size());
        header.len = f.wire_len;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &header, f.data.data());
    }
    pcap_dump_close(dumper);
}

namespace {
void le16(Bytes& out, u32 v) {
    out.insert(out.end(), {static_cast<u8>(v), static_cast<u8>(v >> 8)});
}
void le32(Bytes& out, u32 v) {
    le16(out, v & 0xFFFF);
    le16(out, v >> 16);
}
// Block type, total length, body padded to 32 bits, total length again (pcapng spec, section 3.1).
void block(Bytes& out, u32 type, const Bytes& body) {
    const u32 padded = static_cast<u32>((body.size() + 3) & ~size_t{3});
    le32(out, type);
    le32(out, padded + 12);
    out.insert(out.end(), body.begin(), body.end());
    out.resize(out.size() + (padded - body.size()), 0);
    le32(out, padded + 12);
}
void option(Bytes& body, u16 code, const Bytes& value) {
    le16(body, code);
    le16(body, static_cast<u32>(value.size()));
    body.insert(body.end(), value.begin(), value.end());
    body.resize((body.size() + 3) & ~size_t{3}, 0);
}
} // namespace

void write_pcapng(const std::string& path, const std::vector<TraceFrame>& frames) {
    Bytes out, body;
    // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
    le32(body, 0x1A2B3C4D);
    le16(body, 1);
    le16(body, 0);
    le32(body, 0xFFFFFFFF);
    le32(body, 0xFFFFFFFF);
    const std::string app = "smpsim_make_traces";
    option(body, 4, Bytes(app.begin(), app.end())); // shb_userappl
    le32(body, 0);                                  // opt_endofopt
    block(out, 0x0A0D0D0A, body);
    // Interface Description Block: Ethernet, snaplen 65535, if_tsresol = 9 (nanoseconds).
    body.clear();
    le16(body, 1);
    le16(body, 0);
    le32(body, 65535);
    option(body, 9, {9});
    le32(body, 0);
    block(out, 1, body);
    // Enhanced Packet Blocks.
    for (const TraceFrame& f : frames) {
        body.clear();
        le32(body, 0); // interface 0
        le32(body, static_cast<u32>(f.timestamp_ns >> 32));
        le32(body, static_cast<u32>(f.timestamp_ns));
        le32(body, static_cast<u32>(f.data.size()));
        le32(body, f.wire_len);
        body.insert(body.end(), f.data.begin(), f.data.end());
        block(out, 6, body);
    }
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) throw InputError(path + ": cannot create");
    const bool ok = std::fwrite(out.data(), 1, out.size(), file) == out.size();
    if (std::fclose(file) != 0 || !ok) throw InputError(path + ": write failed");
}

void write_committed_traces(const std::string& directory) {
    // 2023-11-14 22:13:20 UTC; any fixed instant would do.
    constexpr u64 kStart = 1'700'000'000'000'000'000ull;
    write_pcap(directory + "/mixed.pcap", mixed_frames(1970, 2024, kStart, false), false);
    write_pcapng(directory + "/mixed.pcapng", mixed_frames(170, 7, kStart, true));
}

} // namespace smpsim::traces
