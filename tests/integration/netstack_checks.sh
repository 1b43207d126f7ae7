#!/bin/sh
# Guest network stack checks: netstack_checks.sh SMPSIM GUEST CASE [ARGS...]
#   snmp PCAP        the replay ends normally and prints /proc/net/snmp in Linux's format (a header line
#                    and a value line per protocol, as many values as names, Linux's Ip: fields), and the
#                    sums are the same on 1 and 4 CPUs
#   shared DIR       every capture in DIR replays to the guest's normal end with the view printed
#                    (skips when DIR is absent)
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
	replay "$1" "$tmp/one.txt" --cpus 1
	replay "$1" "$tmp/four.txt" --cpus 4
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
		replay "$tmp/afs.pcap" "$tmp/afs$cpus.txt" --cpus $cpus --append "ip=131.151.32.21"
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
