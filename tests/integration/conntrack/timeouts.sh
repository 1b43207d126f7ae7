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
export PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" # packets.py

python3 - "$tmp/flows.pcap" <<'PY'
import sys
from packets import ether, icmp_echo, ipv4, tcp, udp, write_pcap
packets = [udp("10.1.0.1", "10.2.0.1", 1000, 53, b"unreplied", 1),
           udp("10.1.0.2", "10.2.0.2", 1001, 53, b"question", 2),
           udp("10.2.0.2", "10.1.0.2", 53, 1001, b"answer", 3),
           icmp_echo("10.1.0.3", "10.2.0.3", 0x4242, 1, b"timeouts", ip_ident=4),
           tcp("10.1.0.4", "10.2.0.4", 2000, 80, 0x02, window=64240, ident=5),
           # RFC 3692's experimental protocol 253: nothing tracks it but the generic tracker.
           ipv4("10.1.0.5", "10.2.0.5", 253, b"experimental protocol", 6)]
write_pcap(sys.argv[1], [ether(p) for p in packets])
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
