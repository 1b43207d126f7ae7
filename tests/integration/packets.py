"""Ethernet/IPv4 packets and pcap files for the integration tests and benchmarks.

The tests craft their captures at run time (nothing third-party is committed) and read what the guest
sent (--tx-pcap). Checksums are computed here from RFC 791/768/793/792, independently of the guest.
Import it with tests/integration on sys.path (the shell scripts set PYTHONPATH).
"""
import struct

NIC_MAC = bytes.fromhex("525400123456")  # the 82576 model's default (sim/igb/igb_core.h)
PEER_MAC = bytes.fromhex("020000000001")


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ones_sum(data):
    """The folded one's-complement sum: 0xffff when data holds its own correct checksum."""
    return ~csum(data) & 0xFFFF


def addr(text):
    return bytes(int(x) for x in text.split("."))


def ipv4(src, dst, proto, payload, ident=0, ttl=64, frag=0, ihl=5, total=None, good_csum=True):
    """An IPv4 header (options of ihl > 5 zero-filled, ihl < 5 allowed for bad packets) and payload."""
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(payload) if total is None else total,
                    ident & 0xFFFF, frag, ttl, proto, 0, addr(src), addr(dst))
    h += bytes(max(0, ihl * 4 - 20))
    c = csum(h) if good_csum else csum(h) ^ 0x5555
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def with_l4_checksum(src, dst, proto, segment, at):
    """segment with the TCP/UDP checksum over the pseudo-header written at offset at."""
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, proto, len(segment))
    return segment[:at] + struct.pack("!H", csum(pseudo + segment)) + segment[at + 2:]


def udp(src, dst, sport, dport, data, ident=0, ttl=64):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return ipv4(src, dst, 17, with_l4_checksum(src, dst, 17, seg, 6), ident, ttl)


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0, window=8192, ident=0):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0)
    return ipv4(src, dst, 6, with_l4_checksum(src, dst, 6, seg, 16), ident)


def icmp_echo(src, dst, ident, seq, data=b"smpsim", reply=False, ip_ident=0):
    m = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, seq) + data
    return ipv4(src, dst, 1, m[:2] + struct.pack("!H", csum(m)) + m[4:], ip_ident)


def ether(packet, dst=NIC_MAC, src=PEER_MAC, vlan=None, ethertype=0x0800):
    """An Ethernet frame (padded to 60 bytes); vlan=(priority, vid) adds an 802.1Q tag."""
    f = dst + src
    if vlan is not None:
        f += struct.pack("!HH", 0x8100, (vlan[0] << 13) | vlan[1])
    f += struct.pack("!H", ethertype) + packet
    return f + bytes(max(0, 60 - len(f)))


def write_pcap(path, frames, gap_us=1000):
    """A classic microsecond pcap (Ethernet), one frame every gap_us."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            t = i * gap_us
            out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(frame), len(frame)))
            out.write(frame)


def read_pcap(path):
    """The frames of a classic pcap (either timestamp precision), in order."""
    data, off, frames = open(path, "rb").read(), 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames
