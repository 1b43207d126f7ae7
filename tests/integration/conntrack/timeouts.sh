#!/bin/sh
# Conntrack timeouts against simulated time: timeouts.sh SMPSIM GUEST
# A crafted capture starts five flows (UDP unreplied, UDP answered, ICMP echo, TCP SYN, IP protocol 253); the replay
# then leaves the link up and quiet for --idle-ms, and the table printed at the end must hold exactly the
# entries whose Linux default timeout has not run out (UDP 30 s, ICMP 30 s, TCP SYN_SENT 120 s, generic
# 600 s), with one [DESTROY] event for each entry that expired.
set -eu
smpsim=$1
guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp/flows.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
def addr(a):
    return bytes(int(x) for x in a.split("."))
def ipv4(src, dst, proto, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0, addr(src), addr(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
def l4_csum(src, dst, proto, seg, at):
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, proto, len(seg))
    c = csum(pseudo + seg)
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]
def udp(src, dst, sport, dport, data, ident):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return ipv4(src, dst, 17, l4_csum(src, dst, 17, seg, 6), ident)
def tcp_syn(src, dst, sport, dport, ident):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
    return ipv4(src, dst, 6, l4_csum(src, dst, 6, seg, 16), ident)
def echo(src, dst, ident):
    m = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"timeouts"
    return ipv4(src, dst, 1, m[:2] + struct.pack("!H", csum(m)) + m[4:], ident)
def experimental(src, dst, ident):
    return ipv4(src, dst, 253, b"experimental protocol", ident)  # RFC 3692: nothing tracks it but generic
packets = [udp("10.1.0.1", "10.2.0.1", 1000, 53, b"unreplied", 1),
           udp("10.1.0.2", "10.2.0.2", 1001, 53, b"question", 2),
           udp("10.2.0.2", "10.1.0.2", 53, 1001, b"answer", 3),
           echo("10.1.0.3", "10.2.0.3", 4),
           tcp_syn("10.1.0.4", "10.2.0.4", 2000, 80, 5),
           experimental("10.1.0.5", "10.2.0.5", 6)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        frame = bytes.fromhex("525400123456") + bytes.fromhex("020000000001") + b"\x08\x00" + p
        frame += bytes(max(0, 60 - len(frame)))
        f.write(struct.pack("<IIII", 1700000000, i * 1000, len(frame), len(frame)) + frame)
PY

# check IDLE_S PROTOS...: after IDLE_S seconds of quiet, the table holds exactly these flows (by the
# protocol name and source address conntrack -L shows), and the others were destroyed.
check() {
	idle=$1
	shift
	status=0
	"$smpsim" replay --kernel "$guest" "$tmp/flows.pcap" --cpus 2 --pace pps=5000 --idle-ms "${idle}000" \
		--append ct.events --summary-json "$tmp/s.json" >"$tmp/console.txt" 2>"$tmp/err.txt" || status=$?
	if [ "$status" != 1 ]; then
		echo "FAIL: replay with --idle-ms ${idle}000 exited with $status" >&2
		tail -n 20 "$tmp/console.txt" "$tmp/err.txt" >&2
		exit 1
	fi
	python3 - "$tmp/s.json" "$idle" "$@" <<'PY'
import json, sys
ct = json.load(open(sys.argv[1]))["conntrack"]
idle, want = sys.argv[2], sorted(sys.argv[3:])
flows = {"udp-unreplied": "udp src=10.1.0.1", "udp-answered": "udp src=10.1.0.2",
         "icmp": "icmp src=10.1.0.3", "tcp-syn": "tcp src=10.1.0.4", "generic": "unknown src=10.1.0.5"}
def key(line):
    f = line.split()
    return f[0] + " " + next(x for x in f if x.startswith("src="))
present = sorted(n for n, k in flows.items() if any(key(l) == k for l in ct["table"]))
destroyed = sorted(n for n, k in flows.items() if any(l.startswith("[DESTROY]") and key(l[10:]) == k
                                                       for l in ct["events"]))
gone = sorted(set(flows) - set(want))
if present != want or destroyed != gone:
    sys.exit(f"after {idle} s idle: table holds {present} (want {want}), destroyed {destroyed} (want {gone})\n"
             + "\n".join(ct["table"]))
print(f"ok: after {idle} s: {present}")
PY
}

check 28 udp-unreplied udp-answered icmp tcp-syn generic
check 32 tcp-syn generic
check 118 tcp-syn generic
check 122 generic
check 598 generic
check 602
