#!/usr/bin/env python3
"""Writes the conntrack benchmark's captures: conntrack_captures.py DIR [PACKETS]

DIR/hit.pcap   64 UDP flows, each answered once, then datagrams of them in turn up to PACKETS: after
               the first 128 packets every lookup finds a confirmed entry (the conntrack hit path);
               RSS spreads the flows over the queues
DIR/miss.pcap  PACKETS datagrams of PACKETS different flows (source ports): every packet misses,
               allocates an entry and confirms it (the miss path); PACKETS stays under the table limit
All frames are addressed to the NIC (52:54:00:12:34:56), 64 bytes on the wire, valid checksums.
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return bytes(int(x) for x in a.split("."))


def udp_frame(src, dst, sport, dport, ident):
    data = b"benchmark!"
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, 17, len(seg))
    seg = seg[:6] + struct.pack("!H", csum(pseudo + seg)) + seg[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ident & 0xFFFF, 0, 64, 17, 0, addr(src), addr(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    f = bytes.fromhex("525400123456") + bytes.fromhex("020000000001") + b"\x08\x00" + h + seg
    return f + bytes(max(0, 60 - len(f)))


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(fr), len(fr)) + fr)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    flows = 64
    hit = []
    for f in range(flows):
        hit += [udp_frame("10.1.0.%d" % (f + 1), "10.2.0.1", 4000 + f, 53, 2 * f),
                udp_frame("10.2.0.1", "10.1.0.%d" % (f + 1), 53, 4000 + f, 2 * f + 1)]
    hit += [udp_frame("10.1.0.%d" % (i % flows + 1), "10.2.0.1", 4000 + i % flows, 53, i)
            for i in range(len(hit), n)]
    miss = [udp_frame("10.1.%d.%d" % (i // 60000, 1 + i % 250), "10.2.0.1", 1024 + i % 60000, 53, i)
            for i in range(n)]
    write(f"{out}/hit.pcap", hit)
    write(f"{out}/miss.pcap", miss)


if __name__ == "__main__":
    main()
