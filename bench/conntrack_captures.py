#!/usr/bin/env python3
"""Writes the conntrack benchmark's captures: conntrack_captures.py DIR [PACKETS]

DIR/hit.pcap   64 UDP flows, each answered once, then datagrams of them in turn up to PACKETS: after
               the first 128 packets every lookup finds a confirmed entry (the conntrack hit path);
               RSS spreads the flows over the queues
DIR/miss.pcap  PACKETS datagrams of PACKETS different flows (source ports): every packet misses,
               allocates an entry and confirms it (the miss path); PACKETS stays under the table limit
All frames are addressed to the NIC (52:54:00:12:34:56), 64 bytes on the wire, valid checksums.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from packets import ether, udp, write_pcap  # noqa: E402


def udp_frame(src, dst, sport, dport, ident):
    return ether(udp(src, dst, sport, dport, b"benchmark!", ident))


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
    write_pcap(f"{out}/hit.pcap", hit, gap_us=1)
    write_pcap(f"{out}/miss.pcap", miss, gap_us=1)


if __name__ == "__main__":
    main()
