#!/bin/sh
# Guest network stack checks: netstack_checks.sh SMPSIM GUEST CASE [ARGS...]
#   snmp PCAP        the replay ends normally and prints /proc/net/snmp in Linux's format (a header line
#                    and a value line per protocol, as many values as names, Linux's Ip: fields), and the
#                    sums are the same on 1 and 4 CPUs
#   shared DIR       every capture in DIR replays to the guest's normal end with the view printed
#                    (skips when DIR is absent)
#   forward          the guest as a router (ip=...:gw:netmask, ip_forward=1, neigh=, nf.filter=): a
#                    crafted capture addressed to the NIC's MAC comes out of --tx-pcap with TTL - 1
#                    and correct checksums to the gateway's MAC, a TTL 1 packet as an ICMP time
#                    exceeded, filtered and other-host frames not at all; the counters and the
#                    filter listing agree
#   nat              the default router with nf.nat= rules (MASQUERADE; SNAT to a port range and DNAT):
#                    crafted flows come out of --tx-pcap translated as Linux translates them, with
#                    correct checksums, one mapped port per flow, and the conntrack table (summary JSON)
#                    shows the reply tuples (netstack_nat.py says what is checked)
#   afs_forward PCAP the AFS capture through the default router: its 51 datagrams are reassembled by
#                    conntrack's defrag hook, forwarded, and cut again into the 200 fragments they
#                    came in (FragOKs 51, FragCreates 200, no FragFails), each identical to the one
#                    received but for TTL - 1, the header checksum, the MACs and DF, which Linux's
#                    ip_do_fragment() clears (the capture's fragments carry it) (skips when absent)
#   afs_defrag PCAP  the AFS capture's 200 fragments (51 datagrams) readdressed to the guest (its MAC,
#                    ip= their destination) are all reassembled and their UDP checksums hold, on 1
#                    and 4 CPUs (skips when PCAP is absent)
set -eu
smpsim=$1
guest=$2
case_name=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPATH="$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}" # packets.py

# replay PCAP OUT [OPTIONS...]: the guest must end with its normal exit status.
replay() {
	pcap=$1
	out=$2
	shift 2
	status=0
	"$smpsim" replay --kernel "$guest" "$pcap" --pace max "$@" >"$tmp/raw" 2>"$tmp/err" || status=$?
	tr -d '\r' <"$tmp/raw" >"$out" # the console's CRLF line ends
	if [ "$status" != 1 ] || ! grep -q "^Kernel finished, exit status 0$" "$out"; then
		echo "FAIL: $(basename "$pcap"): the guest did not end normally" >&2
		tail -n 5 "$out" "$tmp/err" >&2
		exit 1
	fi
}

# snmp_of OUT: the /proc/net/snmp lines, checked for Linux's format.
snmp_of() {
	python3 - "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
try:
    start = lines.index("/proc/net/snmp:") + 1
except ValueError:
    sys.exit("no /proc/net/snmp view")
ip = ("Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos "
      "InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs "
      "ReasmFails FragOKs FragFails FragCreates OutTransmits")
view, i, seen = [], start, []
while i + 1 < len(lines) and lines[i].split(":")[0] in ("Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"):
    names, values = lines[i].split(), lines[i + 1].split()
    if names[0] != values[0] or len(names) != len(values):
        sys.exit(f"not a header/value pair: {lines[i]!r} / {lines[i + 1]!r}")
    if not all(v.lstrip("-").isdigit() for v in values[1:]):
        sys.exit(f"non-numeric values: {lines[i + 1]!r}")
    seen.append(names[0])
    view += [lines[i], lines[i + 1]]
    i += 2
if lines[start] != ip:
    sys.exit(f"Ip: fields differ from Linux's: {lines[start]!r}")
if [s for s in seen if s != "IcmpMsg:"] != ["Ip:", "Icmp:", "Tcp:", "Udp:", "UdpLite:"]:
    sys.exit(f"protocols {seen}")
print("\n".join(view))
PY
}

case $case_name in
snmp)
	replay "$1" "$tmp/one.txt" --cpus 1 --net host
	replay "$1" "$tmp/four.txt" --cpus 4 --net host
	snmp_of "$tmp/one.txt" >"$tmp/one.snmp"
	snmp_of "$tmp/four.txt" >"$tmp/four.snmp"
	if ! diff "$tmp/one.snmp" "$tmp/four.snmp" >&2; then
		echo "FAIL: /proc/net/snmp differs between 1 and 4 CPUs" >&2
		exit 1
	fi
	# The capture reaches the guest's own address: something must have been received and delivered.
	python3 - "$tmp/one.snmp" <<'PY'
import sys
ip = dict(zip(*[l.split()[1:] for l in open(sys.argv[1]).read().splitlines()[:2]]))
if int(ip["InReceives"]) == 0 or int(ip["InDelivers"]) == 0:
    sys.exit(f"nothing received or delivered: {ip}")
PY
	;;
shared)
	if [ ! -d "$1" ]; then
		echo "skipped: $1 is absent"
		exit 0
	fi
	for pcap in "$1"/*.pcap "$1"/*.pcapng; do
		[ -e "$pcap" ] || continue
		replay "$pcap" "$tmp/out.txt" --cpus 2
		snmp_of "$tmp/out.txt" >/dev/null
		echo "ok: $(basename "$pcap")"
	done
	;;
forward)
	# The NIC's MAC is the 82576 model's default (sim/igb/igb_core.h); the gateway is 02:00:00:00:00:02.
	python3 - "$tmp/in.pcap" <<'PY'
import struct, sys
from packets import addr as ip, csum
nic, gw = bytes.fromhex("525400123456"), bytes.fromhex("020000000002")
def frame(dst, src_ip, dst_ip, ttl, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x1000 + sport, 0, ttl, 17, 0,
                      ip(src_ip), ip(dst_ip))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    f = dst + gw + b"\x08\x00" + hdr + udp
    return f + bytes(max(0, 60 - len(f)))
frames = [frame(nic, "192.0.2.10", f"203.0.113.{i + 1}", 64, 1000 + i, 53, bytes(range(i, i + 40)))
          for i in range(8)]
frames.append(frame(nic, "192.0.2.11", "203.0.113.9", 1, 2000, 53, b"ttl one"))        # time exceeded
frames.append(frame(nic, "192.0.2.12", "203.0.113.9", 64, 2001, 9999, b"filtered"))    # nf.filter DROP
frames.append(frame(bytes.fromhex("020000000099"), "192.0.2.13", "203.0.113.9", 64, 2002, 53, b"other"))
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, f in enumerate(frames):
        out.write(struct.pack("<IIII", 1700000000, i * 100, len(f), len(f)) + f)
PY
	# --rewrite none: the frame for another MAC must arrive as such (OTHERHOST) and not be forwarded.
	replay "$tmp/in.pcap" "$tmp/out.txt" --cpus 2 --rewrite none --tx-pcap "$tmp/tx.pcap" --append \
		"ip=198.51.100.1::198.51.100.2:255.255.255.252::eth0:off ip_forward=1 neigh=198.51.100.2,02:00:00:00:00:02 nf.filter=FORWARD,proto=udp,dport=9999,DROP nf.filter=FORWARD,bogus=1,DROP"
	grep -q 'nf.filter=FORWARD,bogus=1,DROP: bad match' "$tmp/out.txt" ||
		{ echo "FAIL: the bad rule was not reported" >&2; exit 1; }
	snmp_of "$tmp/out.txt" >"$tmp/snmp.txt"
	python3 - "$tmp/in.pcap" "$tmp/tx.pcap" "$tmp/snmp.txt" "$tmp/out.txt" <<'PY'
import struct, sys
from packets import ones_sum as ones, read_pcap as frames
def fail(msg):
    sys.exit("FAIL: " + msg)
nic, gw = bytes.fromhex("525400123456"), bytes.fromhex("020000000002")
sent = [f for f in frames(sys.argv[1])]
tx = [f for f in frames(sys.argv[2]) if f[12:14] == b"\x08\x00"]
def ip_packet(f):
    return f[14:14 + struct.unpack("!H", f[16:18])[0]]
forwarded = [f for f in tx if f[23] == 17]
icmp = [f for f in tx if f[23] == 1]
if len(forwarded) != 8 or len(icmp) != 1 or len(tx) != 9:
    fail(f"{len(forwarded)} forwarded UDP and {len(icmp)} ICMP frames of {len(tx)} IPv4 frames sent; want 8, 1, 9")
want = {ip_packet(f)[12:20]: ip_packet(f) for f in sent[:8]}
for f in forwarded:
    if f[0:6] != gw or f[6:12] != nic:
        fail(f"forwarded frame to {f[0:6].hex()} from {f[6:12].hex()}")
    got = ip_packet(f)
    orig = want.pop(got[12:20], None)
    if orig is None:
        fail("a forwarded packet that was not sent, or twice")
    if got[8] != orig[8] - 1 or ones(got[:20]) != 0xFFFF:
        fail(f"TTL {got[8]} (sent {orig[8]}) or a bad header checksum")
    if got[:8] != orig[:8] or got[9:10] != orig[9:10] or got[12:] != orig[12:]:
        fail("a forwarded packet changed beyond TTL and checksum")
e = ip_packet(icmp[0])
if icmp[0][0:6] != gw or e[12:16] != bytes([198, 51, 100, 1]) or e[16:20] != bytes([192, 0, 2, 11]):
    fail("the time exceeded is not from 198.51.100.1 to 192.0.2.11 by the gateway")
if e[20] != 11 or e[21] != 0 or ones(e[:20]) != 0xFFFF or ones(e[20:]) != 0xFFFF:
    fail("not a well-formed ICMP time exceeded")
if e[28:] != ip_packet(sent[8]):
    fail("the time exceeded does not quote the packet as received")
lines = open(sys.argv[3]).read().splitlines()
ipf = dict(zip(lines[0].split()[1:], map(int, lines[1].split()[1:])))
for name, value in (("Forwarding", 1), ("ForwDatagrams", 8), ("OutTransmits", 9), ("OutRequests", 1),
                    ("InHdrErrors", 1), ("InReceives", 10)):
    if ipf[name] != value:
        fail(f"{name} {ipf[name]}, want {value}")
console = open(sys.argv[4]).read().splitlines()
rules = [l for l in console if l.endswith("udp dpt:9999")]
if len(rules) != 1 or rules[0].split()[:3] != ["1", "36", "DROP"]:
    fail(f"filter listing: {rules}")
if "Chain FORWARD (policy ACCEPT 8 packets, 544 bytes)" not in console:
    fail("the FORWARD chain's policy counters")
PY
	;;
nat)
	nat_py=$(dirname "$0")/netstack_nat.py
	for mode in masq snat; do
		case $mode in
		masq) rules="nf.nat=POSTROUTING,src=192.0.2.0/24,MASQUERADE" ;;
		snat) rules="nf.nat=POSTROUTING,src=192.0.2.0/24,proto=udp,SNAT,to=198.51.100.1:20000-20010 \
nf.nat=PREROUTING,dst=198.51.100.1,proto=tcp,dport=8080,DNAT,to=203.0.113.20:80" ;;
		esac
		python3 "$nat_py" craft $mode "$tmp/$mode.pcap"
		status=0
		"$smpsim" replay --kernel "$guest" "$tmp/$mode.pcap" --pace pps=5000 --cpus 2 \
			--tx-pcap "$tmp/$mode-tx.pcap" --summary-json "$tmp/$mode.json" --append "ct.events $rules" \
			>"$tmp/$mode.txt" 2>"$tmp/err" || status=$?
		if [ "$status" != 1 ] || ! grep -q "^Kernel finished, exit status 0" "$tmp/$mode.txt"; then
			echo "FAIL: $mode: the guest did not end normally" >&2
			tail -n 5 "$tmp/$mode.txt" "$tmp/err" >&2
			exit 1
		fi
		python3 "$nat_py" check $mode "$tmp/$mode.pcap" "$tmp/$mode-tx.pcap" "$tmp/$mode.json" "$tmp/$mode.txt"
		echo "ok: $mode"
	done
	;;
afs_forward)
	if [ ! -f "$1" ]; then
		echo "skipped: $1 is absent"
		exit 0
	fi
	replay "$1" "$tmp/out.txt" --cpus 2 --tx-pcap "$tmp/tx.pcap"
	snmp_of "$tmp/out.txt" >"$tmp/snmp.txt"
	python3 - "$1" "$tmp/tx.pcap" "$tmp/snmp.txt" <<'PY'
import sys
from packets import read_pcap
lines = open(sys.argv[3]).read().splitlines()
ip = dict(zip(lines[0].split()[1:], map(int, lines[1].split()[1:])))
if (ip["FragOKs"], ip["FragCreates"], ip["FragFails"]) != (51, 200, 0):
    sys.exit(f"FragOKs {ip['FragOKs']} FragCreates {ip['FragCreates']} FragFails {ip['FragFails']}")
def fragments(path):
    out = {}
    for f in read_pcap(path):
        if f[12:14] == b"\x08\x00" and int.from_bytes(f[20:22], "big") & 0x3FFF:
            p = f[14:14 + int.from_bytes(f[16:18], "big")]
            out[(p[4:6], int.from_bytes(p[6:8], "big") & 0x3FFF, p[12:20])] = p  # id, MF|offset, addresses
    return out
sent, got = fragments(sys.argv[1]), fragments(sys.argv[2])
if len(sent) != 200 or sorted(sent) != sorted(got):
    sys.exit(f"{len(got)} fragments out for {len(sent)} in, or not the same ones")
for key, p in sent.items():
    q = got[key]
    if q[6] & 0x40 or q[8] != p[8] - 1 or q[:6] != p[:6] or q[7] != p[7] or q[9:10] != p[9:10] \
            or q[12:] != p[12:]:
        sys.exit(f"fragment {key[0].hex()}/{key[1]:#x} changed beyond TTL, checksum and DF")
PY
	;;
afs_defrag)
	if [ ! -f "$1" ]; then
		echo "skipped: $1 is absent"
		exit 0
	fi
	# The fragments are for 131.151.32.21 at 00:60:08:9f:b1:f3: give them the guest's MAC.
	python3 - "$1" "$tmp/afs.pcap" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
assert struct.unpack("<I", d[:4])[0] == 0xa1b2c3d4, "not a microsecond pcap"
off = 24
while off < len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    off += 16
    if d[off:off + 6] == bytes.fromhex("0060089fb1f3"):
        d[off:off + 6] = bytes.fromhex("525400123456")
    off += incl
open(sys.argv[2], "wb").write(d)
PY
	for cpus in 1 4; do
		replay "$tmp/afs.pcap" "$tmp/afs$cpus.txt" --cpus $cpus --net host --append "ip=131.151.32.21"
		snmp_of "$tmp/afs$cpus.txt" >"$tmp/afs$cpus.snmp"
		python3 - "$tmp/afs$cpus.snmp" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
ip = dict(zip(lines[0].split()[1:], lines[1].split()[1:]))
udp = dict(zip(*[l.split()[1:] for l in lines if l.startswith("Udp:")][:2]))
want = {"ReasmReqds": "200", "ReasmOKs": "51", "ReasmFails": "0", "ReasmTimeout": "0"}
got = {k: ip[k] for k in want}
if got != want or udp["InCsumErrors"] != "0" or udp["InErrors"] != "0":
    sys.exit(f"reassembly: {got}, Udp {udp}")
PY
	done
	;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac
