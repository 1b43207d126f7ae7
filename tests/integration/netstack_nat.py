#!/usr/bin/env python3
"""NAT through the guest router (netstack_checks.sh nat).

    netstack_nat.py craft MODE IN.pcap
    netstack_nat.py check MODE IN.pcap TX.pcap SUMMARY.json CONSOLE.txt

MODE masq: nf.nat=POSTROUTING,src=192.0.2.0/24,MASQUERADE. MODE snat: a UDP SNAT to
198.51.100.1:20000-20010 and a TCP DNAT of 198.51.100.1:8080 to 203.0.113.20:80. The crafted frames come
from the gateway's MAC; every IPv4 packet has its own IP ID, which NAT leaves alone, so each forwarded
packet is matched with what was sent. Expectations are Linux 6.18's: only the flows a rule binds are
translated, the replies addressed to the mapped tuple are translated back, and a server's reply
addressed to the original client (a new entry whose reply tuple is the masqueraded flow's original
one) keeps its addresses but has its source port moved into 1-511 by the source null binding
(nf_nat_used_tuple_new() counts the clash as taken because the other entry is NATed).
"""
import json
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packets import addr as ip, csum, ones_sum as ones  # noqa: E402

NIC = bytes.fromhex("525400123456")
GW = bytes.fromhex("020000000002")
ROUTER = "198.51.100.1"


def pseudo(src, dst, proto, length):
    return ip(src) + ip(dst) + struct.pack("!BBH", 0, proto, length)


def packet(ident, src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0, 64, proto, 0, ip(src), ip(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + l4


def udp(ident, src, sport, dst, dport, payload, zero_csum=False):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if not zero_csum:
        c = csum(pseudo(src, dst, 17, len(h)) + h) or 0xFFFF
        h = h[:6] + struct.pack("!H", c) + h[8:]
    return packet(ident, src, dst, 17, h)


def tcp(ident, src, sport, dst, dport, seq, ack, flags, payload=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    h = h[:16] + struct.pack("!H", csum(pseudo(src, dst, 6, len(h)) + h)) + h[18:]
    return packet(ident, src, dst, 6, h)


def icmp(ident, src, dst, typ, icmp_id):
    h = struct.pack("!BBHHH", typ, 0, 0, icmp_id, 1) + bytes(range(32))
    h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
    return packet(ident, src, dst, 1, h)


SYN, ACK, PSH_ACK, SYN_ACK = 0x02, 0x10, 0x18, 0x12


def crafted(mode):
    """The packets of MODE, each with a unique IP ID (0x100 + index)."""
    server = "203.0.113.10"
    p = []
    ident = lambda: 0x100 + len(p)
    # Eight clients' DNS queries, all from source port 5000: each needs its own mapped port.
    for i in range(8):
        p.append(udp(ident(), f"192.0.2.{10 + i}", 5000, server, 53, b"query %d" % i))
    if mode == "masq":
        # The server's answer addressed to the original client, as a capture taken inside has it.
        p.append(udp(ident(), server, 53, "192.0.2.10", 5000, b"answer"))
    p.append(udp(ident(), "192.0.2.10", 5000, server, 53, b"query again"))
    if mode == "masq":
        p.append(udp(ident(), "192.0.2.20", 6000, server, 53, b"no checksum", zero_csum=True))
        # A TCP handshake whose server side answers the masqueraded address, then data.
        c, s = "192.0.2.10", server
        p.append(tcp(ident(), c, 40000, s, 80, 1000, 0, SYN))
        p.append(tcp(ident(), s, 80, ROUTER, 40000, 5000, 1001, SYN_ACK))
        p.append(tcp(ident(), c, 40000, s, 80, 1001, 5001, ACK))
        p.append(tcp(ident(), c, 40000, s, 80, 1001, 5001, PSH_ACK, b"GET / HTTP/1.0\r\n\r\n"))
        p.append(icmp(ident(), c, s, 8, 0x1234))
        p.append(icmp(ident(), s, ROUTER, 0, 0x1234))
    else:
        # DNAT: a client outside 192.0.2.0/24 connects to our port 8080, served by 203.0.113.20:80.
        c = "198.18.0.5"
        p.append(tcp(ident(), c, 40001, ROUTER, 8080, 7000, 0, SYN))
        p.append(tcp(ident(), "203.0.113.20", 80, c, 40001, 9000, 7001, SYN_ACK))
        p.append(tcp(ident(), c, 40001, ROUTER, 8080, 7001, 9001, ACK))
    return p


def write_pcap(path, packets):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, pkt in enumerate(packets):
            f = NIC + GW + b"\x08\x00" + pkt
            f += bytes(max(0, 60 - len(f)))
            out.write(struct.pack("<IIII", 1700000000, i * 100, len(f), len(f)) + f)


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit(f"FAIL: {path}: not a little-endian pcap")
    off, out = 24, []
    while off < len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


class Pkt:
    def __init__(self, raw):
        raw = raw[:struct.unpack("!H", raw[2:4])[0]]  # without the Ethernet padding
        self.raw = raw
        ihl = (raw[0] & 15) * 4
        self.ihl = ihl
        self.ident = struct.unpack("!H", raw[4:6])[0]
        self.proto = raw[9]
        self.src = ".".join(map(str, raw[12:16]))
        self.dst = ".".join(map(str, raw[16:20]))
        self.l4 = raw[ihl:]
        if self.proto in (6, 17):
            self.sport, self.dport = struct.unpack("!HH", self.l4[:4])
        elif self.proto == 1:
            self.sport = self.dport = struct.unpack("!H", self.l4[4:6])[0]  # the echo id

    def sums_ok(self):
        """Header and transport checksums recomputed from scratch (a UDP checksum may be absent)."""
        if ones(self.raw[:self.ihl]) != 0xFFFF:
            return "IPv4 header checksum"
        if self.proto == 1:
            return None if ones(self.l4) == 0xFFFF else "ICMP checksum"
        if self.proto == 17 and self.l4[6:8] == b"\0\0":
            return None
        ph = ip(self.src) + ip(self.dst) + struct.pack("!BBH", 0, self.proto, len(self.l4))
        return None if ones(ph + self.l4) == 0xFFFF else f"{'TCP' if self.proto == 6 else 'UDP'} checksum"

    def __str__(self):
        return f"id {self.ident:#x} proto {self.proto} {self.src}:{self.sport} > {self.dst}:{self.dport}"


def fail(msg):
    sys.exit("FAIL: " + msg)


def check(mode, in_path, tx_path, summary_path, console_path):
    sent = {Pkt(f[14:]).ident: Pkt(f[14:]) for f in read_pcap(in_path)}
    got = {}
    for f in read_pcap(tx_path):
        if f[12:14] != b"\x08\x00":
            continue
        pkt = Pkt(f[14:])
        if pkt.ident not in sent:
            continue  # the guest's own packets (an ICMP error would say what went wrong below)
        if pkt.ident in got:
            fail(f"forwarded twice: {pkt}")
        if f[0:6] != GW or f[6:12] != NIC:
            fail(f"{pkt} sent to {f[0:6].hex()} from {f[6:12].hex()}")
        why = pkt.sums_ok()
        if why:
            fail(f"{pkt}: bad {why}")
        got[pkt.ident] = pkt
    missing = [str(sent[i]) for i in sorted(sent) if i not in got]
    if missing:
        fail(f"not forwarded: {missing}")
    pairs = [(sent[i], got[i]) for i in sorted(sent)]

    def expect(i, src, sport, dst, dport):
        s, g = pairs[i]
        if (g.src, g.sport, g.dst, g.dport) != (src, sport, dst, dport):
            fail(f"sent {s}, forwarded {g}; want {src}:{sport} > {dst}:{dport}")

    # The eight queries from port 5000: one mapped port each, all different (port clash resolution
    # through the conntrack table), the same one for a flow's second packet.
    queries = [g for s, g in pairs if s.proto == 17 and s.sport == 5000 and s.dport == 53]
    ports = [g.sport for g in queries[:8]]
    if any(g.src != ROUTER or g.dst != "203.0.113.10" or g.dport != 53 for g in queries):
        fail(f"queries not translated to {ROUTER}: {[str(g) for g in queries]}")
    if len(set(ports)) != 8:
        fail(f"two flows share a mapped port: {ports}")
    if queries[8].sport != ports[0]:
        fail(f"the first flow's second packet mapped to {queries[8].sport}, its first to {ports[0]}")

    console = open(console_path).read().replace("\r", "")
    ct = json.load(open(summary_path)).get("conntrack") or {}
    table, events = ct.get("table", []), ct.get("events", [])

    def entry(proto, orig, reply):
        pat = re.compile(rf"^{proto} .*{re.escape(orig)} .*{re.escape(reply)} ")
        lines = [line for line in table if pat.search(line)]
        if len(lines) != 1:
            fail(f"conntrack table: want one {proto} entry {orig} ... {reply}, got {lines} of {table}")

    if mode == "masq":
        # MASQUERADE keeps a free port (the first flow's 5000) and moves clashing ones to 1024-65535.
        if ports[0] != 5000 or not all(1024 <= p <= 65535 for p in ports):
            fail(f"masqueraded ports {ports}: want 5000 first, all in 1024-65535")
        s, g = pairs[8]  # the answer to the original client: not translated back, source port moved
        if (g.src, g.dst, g.dport) != ("203.0.113.10", "192.0.2.10", 5000) or not 1 <= g.sport <= 511:
            fail(f"the answer to the original client: sent {s}, forwarded {g}")
        if g.l4[8:] != s.l4[8:]:
            fail("the answer's payload changed")
        expect(10, ROUTER, 6000, "203.0.113.10", 53)
        if pairs[10][1].l4[6:8] != b"\0\0":
            fail("a UDP datagram without checksum was given one")
        for i in (11, 13, 14):
            expect(i, ROUTER, 40000, "203.0.113.10", 80)
        expect(12, "203.0.113.10", 80, "192.0.2.10", 40000)  # the SYN-ACK, translated back
        if pairs[14][1].l4[20:] != b"GET / HTTP/1.0\r\n\r\n":
            fail("the TCP payload changed")
        expect(15, ROUTER, 0x1234, "203.0.113.10", 0x1234)
        expect(16, "203.0.113.10", 0x1234, "192.0.2.10", 0x1234)  # the echo reply, translated back
        # conntrack -L: the reply tuple of a masqueraded entry goes to our address.
        entry("udp", "src=192.0.2.10 dst=203.0.113.10 sport=5000 dport=53",
              "src=203.0.113.10 dst=198.51.100.1 sport=53 dport=5000")
        entry("udp", "src=203.0.113.10 dst=192.0.2.10 sport=53 dport=5000",
              f"src=192.0.2.10 dst=203.0.113.10 sport=5000 dport={g.sport}")
        entry("tcp", "src=192.0.2.10 dst=203.0.113.10 sport=40000 dport=80",
              "src=203.0.113.10 dst=198.51.100.1 sport=80 dport=40000")
        entry("icmp", "src=192.0.2.10 dst=203.0.113.10 type=8 code=0 id=4660",
              "src=203.0.113.10 dst=198.51.100.1 type=0 code=0 id=4660")
        new = ("[NEW] udp      17 30 src=192.0.2.10 dst=203.0.113.10 sport=5000 dport=53 [UNREPLIED] "
               "src=203.0.113.10 dst=198.51.100.1 sport=53 dport=5000")
        if new not in events:
            fail(f"no event {new!r}")
        # The rule saw the first packet of each of the 11 flows from 192.0.2.0/24.
        rule = [line for line in console.splitlines() if " MASQUERADE " in line]
        if len(rule) != 1 or rule[0].split()[0] != "11" or "192.0.2.0/24" not in rule[0]:
            fail(f"the nat table's MASQUERADE line: {rule}")
    else:
        if not all(20000 <= p <= 20010 for p in ports):
            fail(f"SNAT ports {ports}: want all in 20000-20010")
        for i in (9, 11):
            expect(i, "198.18.0.5", 40001, "203.0.113.20", 80)
        expect(10, ROUTER, 8080, "198.18.0.5", 40001)  # the server's SYN-ACK, translated back
        entry("udp", "src=192.0.2.10 dst=203.0.113.10 sport=5000 dport=53",
              f"src=203.0.113.10 dst=198.51.100.1 sport=53 dport={ports[0]}")
        entry("tcp", "src=198.18.0.5 dst=198.51.100.1 sport=40001 dport=8080",
              "src=203.0.113.20 dst=198.18.0.5 sport=80 dport=40001")
        lines = console.splitlines()
        for target, count in (("SNAT", "8"), ("DNAT", "1")):
            rule = [line for line in lines if f" {target} " in line]
            if len(rule) != 1 or rule[0].split()[0] != count:
                fail(f"the nat table's {target} line: {rule}, want {count} packets")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "craft":
        write_pcap(sys.argv[3], crafted(sys.argv[2]))
    elif len(sys.argv) == 7 and sys.argv[1] == "check":
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
