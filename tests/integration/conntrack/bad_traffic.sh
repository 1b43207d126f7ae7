#!/bin/sh
# Bad traffic through the router with conntrack: bad_traffic.sh SMPSIM GUEST
# A crafted capture of malformed and hostile packets: IPv4 headers cut short, IHL below 5, a total length
# beyond the frame, a bad header checksum, overlapping fragments, a flood of first fragments past
# ipfrag_high_thresh (4 MiB), and 256 TCP segments, one per value of the flags byte, each the first of
# its own flow. The run must end normally on 1 and 4 CPUs with each packet counted where Linux counts
# it: InHdrErrors in ip_rcv; ReasmFails (overlap, memory) and, after
# 31 s of quiet, ReasmTimeout for the queued flood; and per Linux's tcp_valid_flags table (which ignores
# PSH, ECE and CWR) and its state table for a first packet, 32 flag values start a flow (SYN, SYN|URG,
# ACK, ACK|URG, each with PSH, ECE and CWR in any combination: nf_conntrack_tcp_loose picks up an ACK)
# and the other 224 are INVALID (bad combinations, and SYN|ACK, FIN, RST with no connection).
set -eu
smpsim=$1
guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" # packets.py

python3 - "$tmp/bad.pcap" <<'PY'
import sys
from packets import ether, ipv4, tcp, write_pcap
frames = [ether(ipv4("10.9.0.1", "10.8.0.1", 17, bytes(8), 1)[:12]),            # header cut short
          ether(ipv4("10.9.0.1", "10.8.0.1", 17, bytes(8), 2, ihl=4)),          # IHL 4
          ether(ipv4("10.9.0.1", "10.8.0.1", 17, bytes(8), 3, total=1400)),     # total length > frame
          ether(ipv4("10.9.0.1", "10.8.0.1", 17, bytes(8), 4, good_csum=False)),  # bad header checksum
          # Overlapping fragments: bytes 0-15 and 8-23 of one datagram (RFC 5722: the queue is dropped).
          ether(ipv4("10.9.0.2", "10.8.0.2", 17, bytes(16), 5, frag=0x2000)),
          ether(ipv4("10.9.0.2", "10.8.0.2", 17, bytes(16), 5, frag=0x2001))]
# A flood of first fragments of distinct datagrams, 1400 bytes each: about 2500 would fit 4 MiB of
# packet bytes, but each holds a whole 2 KiB buffer; past the limit they are refused.
frames += [ether(ipv4("10.9.1.%d" % (i % 200 + 1), "10.8.1.1", 17, bytes(1400), 10000 + i, frag=0x2000))
           for i in range(2600)]
frames += [ether(tcp("10.9.2.1", "10.8.2.1", 20000 + flags, 80, flags, seq=7000,
                     ack=9000 if flags & 0x10 else 0, ident=20000 + flags)) for flags in range(256)]
write_pcap(sys.argv[1], frames, gap_us=10)
PY

for cpus in 1 4; do
	status=0
	"$smpsim" replay --kernel "$guest" "$tmp/bad.pcap" --cpus "$cpus" --pace pps=20000 --idle-ms 31000 \
		--summary-json "$tmp/s.json" >"$tmp/console.txt" 2>"$tmp/err.txt" || status=$?
	if [ "$status" != 1 ] || ! grep -q "Kernel finished, exit status 0" "$tmp/console.txt"; then
		echo "FAIL: $cpus CPUs: the run did not end normally (status $status)" >&2
		tail -n 20 "$tmp/console.txt" "$tmp/err.txt" >&2
		exit 1
	fi
	python3 - "$tmp/s.json" "$tmp/console.txt" "$cpus" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().replace("\r", "").splitlines()
ip_rows = [l.split()[1:] for l in lines if l.startswith("Ip: ")][-2:]
ip = dict(zip(ip_rows[0], map(int, ip_rows[1])))
pre = s["conntrack"]["prerouting"]
flood = 2600
def fail(msg):
    sys.exit(f"{sys.argv[3]} CPUs: {msg}\nIp: {ip}\nprerouting: {pre}\nreplay dropped: {s['replay']['dropped']}")
if s["replay"]["dropped_total"]:
    fail("the NIC dropped frames: the guest fell behind or ran out of buffers")
# ip_rcv: header cut short, IHL 4 and a bad checksum are InHdrErrors; a total length beyond the frame
# is InTruncatedPkts (IpExt, in /proc/net/netstat, which the guest does not print), not InHdrErrors.
if ip["InHdrErrors"] != 3 or ip["InReceives"] != 4 + 2 + flood + 256:
    fail(f"InHdrErrors {ip['InHdrErrors']} (want 3), InReceives {ip['InReceives']}")
# Fragments: 2 overlapping + the flood are reassembly requests; the overlap fails once, the flood
# fails at the memory limit for each refused fragment and times out for each queued one.
if ip["ReasmReqds"] != 2 + flood or ip["ReasmOKs"] != 0:
    fail(f"ReasmReqds {ip['ReasmReqds']} ReasmOKs {ip['ReasmOKs']}")
queued = ip["ReasmTimeout"]
if not (1000 < queued < flood) or ip["ReasmFails"] != 1 + (flood - queued) + queued:
    fail(f"ReasmFails {ip['ReasmFails']}, ReasmTimeout {queued}: want the limit to refuse part of the "
         f"flood and every queued datagram to time out")
if pre["new"] != 32 or pre["invalid"] != 224 or pre["established"] or pre["related"]:
    fail("TCP flags: want 32 new and 224 invalid first packets")
print(f"ok: {sys.argv[3]} CPUs: InHdrErrors 3, {queued} flood datagrams queued until their timeout, "
      f"{flood - queued} refused at the memory limit, TCP flags 32 new / 224 invalid")
PY
done
