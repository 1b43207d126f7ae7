#!/bin/sh
# Replay checks: replay_checks.sh SMPSIM GUEST RSS_REFERENCE CASE [ARGS...]
#   accounting PCAP [SMPSIM-OPTIONS...]  offered = delivered + dropped, every frame accounted for by
#                                        reason, the guest consumed every delivered frame, and per
#                                        queue, delivered + dropped for a full ring equals an
#                                        independent RSS computation
#   shared DIR                           accounting over every capture in DIR (skips when DIR is absent)
#   no_drops_at_max PCAP                 --pace max never drops a frame for want of a descriptor
#   slow_guest PCAP                      a slow guest at a high fixed rate drops frames, counted in the
#                                        summary and in the NIC's own MPC/RNBC registers
#   loop PCAP                            --loop 3 offers every frame three times
#   deterministic PCAP                   same seed: byte-identical console and summary
#   tx_pcap PCAP                         --tx-pcap writes what the guest sent as a readable capture
#   bad_captures                         malformed captures: one-line error, status 2
#   edge_frames                          a capture of odd records (empty, 1 and 13 bytes, a bare
#                                        Ethernet header, 70000 bytes, caplen < len): each is delivered
#                                        or dropped for its reason, and the run survives
#   dma_fault PCAP [SMPSIM-OPTIONS...]   a guest that points RX queue 0's ring at no memory (igb.baddma):
#                                        the DMA completes as an unsupported request, the run goes on and
#                                        ends with the guest's own status, the summary counts the faults
#                                        with their addresses, the NIC's PCI Status has Received Master
#                                        Abort, and the other queues still deliver
#   rewrite                              --rewrite: by default (dmac,strip-vlan) tagged frames reach the
#                                        guest untagged and addressed to the NIC (PACKET_HOST: its ICMP
#                                        echo is answered); with none they arrive as captured (the tag
#                                        seen, OTHERHOST, no answer); a bad spec is a one-line error, 2
#   vlan_strip                           802.1Q-tagged echo requests, VID 0 (priority tag) and VID 5, to the
#                                        guest with --rewrite none: as Linux with no VLAN device, VID 0 is
#                                        answered and VID 5 dropped (OTHERHOST), whether the guest's stack
#                                        untags them (igb.rxvlan=0) or the NIC strips the tag into the
#                                        descriptor (igb.rxvlan=1, CTRL.VME)
#   guest_capacity PCAP                  on a 100 Gb/s wire at --pace max one CPU takes over 500000
#                                        frames per simulated second through the default router with
#                                        conntrack (~1900 instructions a frame: about 1 million); a guest
#                                        that sleeps over pending softirqs or loses interrupts manages a
#                                        few ten thousand
set -eu
smpsim=$1
guest=$2
rss_reference=$3
case_name=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPATH="$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}" # packets.py

# check_summary SUMMARY PCAP [max]: the accounting identities, and RSS against the reference (at every
# pace; with max, also no drop for want of descriptors).
check_summary() {
	"$rss_reference" "$2" "$1" >"$tmp/reference.json"
	python3 - "$1" "$tmp/reference.json" "${3:-}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["replay"]
ref = json.load(open(sys.argv[2]))
mode = sys.argv[3]
def fail(msg):
    print("replay check failed:", msg, file=sys.stderr)
    print(json.dumps({k: s[k] for k in ("offered", "delivered", "dropped", "per_queue", "per_cpu", "consumed")}),
          file=sys.stderr)
    sys.exit(1)
dropped = sum(s["dropped"].values())
if s["offered"] != s["capture_frames"] * s["loops"]:
    fail(f"offered {s['offered']} != {s['capture_frames']} frames x {s['loops']} loops")
if s["offered"] != s["delivered"] + dropped:
    fail(f"offered {s['offered']} != delivered {s['delivered']} + dropped {dropped}")
if sum(s["per_queue"]) != s["delivered"]:
    fail("per-queue counts do not add up to delivered")
if not s["drained"] or sum(s["per_cpu"]) != s["delivered"]:
    fail("the guest did not consume every delivered frame")
if s["delivered"] and not (0 < s["instructions_per_packet"] < 1e9 and s["cycles_per_packet"] > 0):
    fail(f"implausible cost per frame: {s['instructions_per_packet']} instructions, {s['cycles_per_packet']} cycles")
if mode == "max" and s["dropped"]["ring_full"] != 0:
    fail("drops for want of descriptors at --pace max")
# Every frame the reference accepts reached its queue: delivered, or (at a pace faster than the guest)
# dropped there for want of a descriptor. RSS chose the queue either way, so per queue the sum is exact.
loops = s["loops"]
want = [n * loops for n in ref["per_queue"]]
width = max(len(want), len(s["per_queue"]), len(s["ring_full_per_queue"]))
def padded(v):
    return v + [0] * (width - len(v))
got = [d + r for d, r in zip(padded(s["per_queue"]), padded(s["ring_full_per_queue"]))]
if sum(s["ring_full_per_queue"]) != s["dropped"]["ring_full"]:
    fail("per-queue ring_full drops do not add up to ring_full")
if got != padded(want):
    fail(f"per-queue delivered + ring_full {got} != reference {want}")
if ref["accepted"] * loops != s["delivered"] + s["dropped"]["ring_full"]:
    fail(f"reference accepts {ref['accepted']} x {loops} frames, the NIC delivered {s['delivered']} "
         f"and dropped {s['dropped']['ring_full']} for want of descriptors")
PY
}

replay() {
	status=0
	"$smpsim" replay --kernel "$guest" "$@" >"$tmp/console.txt" 2>"$tmp/stderr.txt" || status=$?
	if [ "$status" != 1 ]; then
		echo "smpsim replay $* exited with $status" >&2
		tail -n 30 "$tmp/console.txt" "$tmp/stderr.txt" >&2
		exit 1
	fi
}

case $case_name in
accounting)
	pcap=$1
	shift
	replay "$pcap" --summary-json "$tmp/s.json" "$@"
	mode=
	case " $* " in *" --pace max "*) mode=max ;; esac
	check_summary "$tmp/s.json" "$pcap" "$mode"
	;;
shared)
	dir=$1
	if [ ! -d "$dir" ]; then
		echo "SKIP: $dir not found (the shared traces are optional)"
		exit 77
	fi
	found=0
	for pcap in "$dir"/*.pcap "$dir"/*.pcapng; do
		[ -f "$pcap" ] || continue
		found=1
		replay "$pcap" --pace max --summary-json "$tmp/s.json"
		check_summary "$tmp/s.json" "$pcap" max
		echo "ok: $(basename "$pcap")"
	done
	[ "$found" = 1 ] || { echo "SKIP: no captures in $dir"; exit 77; }
	;;
no_drops_at_max)
	replay "$1" --pace max --cpus 2 --summary-json "$tmp/s.json"
	check_summary "$tmp/s.json" "$1" max
	;;
slow_guest)
	# 2 million frames per second into a guest that spends a long while on each: the rings overflow.
	replay "$1" --pace pps=2000000 --cpus 2 --append rxwork=20000 --summary-json "$tmp/s.json"
	check_summary "$tmp/s.json" "$1"
	python3 - "$tmp/s.json" "$tmp/console.txt" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))["replay"]
ring_full = s["dropped"]["ring_full"]
if ring_full == 0:
    sys.exit("a slow guest at 2 Mpps dropped nothing")
console = open(sys.argv[2]).read()
m = re.search(r"^~ igb: hw stats .*\bmpc (\d+) rnbc (\d+)", console, re.M)
if not m:
    sys.exit("the guest did not print the NIC's MPC/RNBC")
mpc, rnbc = int(m.group(1)), int(m.group(2))
if mpc != ring_full or rnbc != ring_full:
    sys.exit(f"NIC counters MPC {mpc} RNBC {rnbc} != ring_full drops {ring_full}")
# /proc/net/softnet_stat (hex; column 1 processed, 3 time_squeeze): net_rx_action ran out of budget
# or time under this load, and every consumed frame was counted by the CPU that processed it.
lines = console.split("~ /proc/net/softnet_stat:\n", 1)[1].splitlines()
rows = [l[2:].split() for l in lines[:len(s["per_cpu"])]]
processed = [int(r[0], 16) for r in rows]
squeezed = sum(int(r[2], 16) for r in rows)
if processed != s["per_cpu"]:
    sys.exit(f"softnet_stat processed {processed} != per-CPU consumption {s['per_cpu']}")
if squeezed == 0:
    sys.exit("a slow guest under load never ran out of NAPI budget (time_squeeze 0)")
PY
	;;
loop)
	replay "$1" --pace max --loop 3 --summary-json "$tmp/s.json"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["replay"]; sys.exit(0 if s["offered"] == 3 * s["capture_frames"] and s["loops"] == 3 else "loop 3 did not offer every frame 3 times")' "$tmp/s.json"
	check_summary "$tmp/s.json" "$1"
	;;
deterministic)
	replay "$1" --seed 5 --summary-json "$tmp/a.json"
	cp "$tmp/console.txt" "$tmp/a.txt"
	replay "$1" --seed 5 --summary-json "$tmp/b.json"
	cmp "$tmp/a.txt" "$tmp/console.txt"
	grep -v -e host_s -e '"mips"' -e host_packets "$tmp/a.json" >"$tmp/a2"
	grep -v -e host_s -e '"mips"' -e host_packets "$tmp/b.json" >"$tmp/b2"
	cmp "$tmp/a2" "$tmp/b2"
	;;
tx_pcap)
	# As the host 10.0.0.2 the capture's pings are for (the router would forward them instead).
	replay "$1" --pace max --net host --tx-pcap "$tmp/tx.pcap" --summary-json "$tmp/s.json"
	# The capture is readable by libpcap (the reference tool) and holds every frame the NIC sent.
	printf '{"rss_key": "%080d", "reta": [%s], "mrqc": 0}\n' 0 "$(python3 -c 'print(",".join(["0"]*128))')" >"$tmp/zero.json"
	"$rss_reference" "$tmp/tx.pcap" "$tmp/zero.json" >"$tmp/tx.json"
	python3 - "$tmp/s.json" "$tmp/tx.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["replay"]
tx = json.load(open(sys.argv[2]))
if s["tx_frames"] < 1:
    sys.exit("the guest sent nothing (a gratuitous ARP at link-up was expected)")
if tx["accepted"] != s["tx_frames"]:
    sys.exit(f"tx.pcap holds {tx['accepted']} frames, the NIC sent {s['tx_frames']}")
PY
	# The capture holds one ICMP echo request to the guest (10.0.0.2): exactly one echo reply went out,
	# with correct IPv4 and ICMP checksums, and ARP frames (the gratuitous one and a reply).
	python3 - "$tmp/tx.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
def ones_sum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s
off, replies, arps = 24, 0, 0
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0806:
        arps += 1
    elif ethertype == 0x0800 and frame[23] == 1:
        ihl = (frame[14] & 15) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        if frame[14 + ihl] != 0 or ones_sum(frame[14:14 + ihl]) != 0xFFFF or ones_sum(frame[14 + ihl:14 + total]) != 0xFFFF:
            sys.exit("the guest sent an ICMP frame that is not a well-formed echo reply")
        replies += 1
if replies != 1 or arps < 1:
    sys.exit(f"{replies} ICMP echo replies and {arps} ARP frames sent; expected 1 and at least 1")
PY
	;;
edge_frames)
	python3 - "$tmp/edge.pcap" <<'PY'
import struct, sys
records = [b"", b"\x01", b"\xff" * 13, b"\xff" * 14, bytes(70000),
           b"\xff" * 6 + b"\x00" * 6 + b"\x81\x00",                     # a VLAN tag cut short
           b"\xff" * 6 + b"\x00" * 6 + b"\x08\x00" + b"\x45" + b"\x00" * 5]  # an IPv4 header cut short
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for i, r in enumerate(records):
        f.write(struct.pack("<IIII", i, 0, len(r), len(r)) + r)
    f.write(struct.pack("<IIII", 9, 0, 4, 100) + b"\xff" * 4)  # caplen 4 of 100
PY
	replay "$tmp/edge.pcap" --pace max --summary-json "$tmp/s.json"
	check_summary "$tmp/s.json" "$tmp/edge.pcap"
	python3 - "$tmp/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["replay"]
want = {"empty": 1, "truncated": 1, "oversize": 1, "undersize": 2}
got = {k: s["dropped"][k] for k in want}
if got != want or s["delivered"] != 3:
    sys.exit(f"dropped {got}, delivered {s['delivered']}; expected {want} and 3 delivered")
PY
	;;
guest_capacity)
	replay "$1" --pace max --link-gbps 100 --cpus 1 --summary-json "$tmp/s.json"
	check_summary "$tmp/s.json" "$1" max
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["replay"]["sim_packet_rate"]; sys.exit(0 if r > 5e5 else f"{r:.0f} frames per simulated second")' "$tmp/s.json"
	;;
dma_fault)
	pcap=$1
	shift
	replay "$pcap" --cpus 2 --queues 2 --append igb.baddma --summary-json "$tmp/s.json" "$@"
	python3 - "$tmp/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["replay"]
def fail(msg):
    sys.exit(f"dma_fault check failed: {msg}\n" + json.dumps({k: r[k] for k in
             ("offered", "delivered", "dropped", "per_queue", "dma_faults", "dma_fault_addresses", "pci_status")}))
if r["dma_faults"] < 1:
    fail("no DMA fault counted")
first = r["dma_fault_addresses"][0]
# igb.baddma adds 1 TiB (RDBAH + 0x100) to queue 0's ring address.
if not (first["what"] == "RX queue 0 descriptor read" and first["direction"] == "read"
        and int(first["address"], 16) >> 40 == 1):
    fail(f"first fault {first}")
if len(r["dma_fault_addresses"]) != min(r["dma_faults"], 8):
    fail("the summary lists the first faults, up to 8")
if not r["pci_status"] & (1 << 13):
    fail("Received Master Abort is not set in the NIC's PCI Status register")
if r["per_queue"][1] == 0 or r["dropped"]["rx_disabled"] == 0:
    fail("queue 1 should deliver and queue 0's frames be dropped as rx_disabled once it stopped")
if r["offered"] != r["delivered"] + sum(r["dropped"].values()):
    fail("accounting")
PY
	grep -Eq '^smpsim: replay: [0-9]+ DMA faults \(requests to no memory\), first at 0x10[0-9a-f]{9}$' "$tmp/stderr.txt" ||
		{ echo "no DMA fault line on stderr"; cat "$tmp/stderr.txt"; exit 1; }
	;;
rewrite)
	# Echo requests to the guest (10.0.0.2 with --net host) from a foreign MAC, two of them 802.1Q-tagged.
	python3 - "$tmp/tagged.pcap" <<'PY'
import sys
from packets import ether, icmp_echo, write_pcap
write_pcap(sys.argv[1], [ether(icmp_echo("10.0.0.1", "10.0.0.2", 0x1234, i + 1, bytes(range(32)), ip_ident=i + 1),
                               dst=bytes.fromhex("020000aabbcc"), vlan=(0, 5) if tag else None)
                         for i, tag in enumerate([False, True, False, True])])
PY
	# check_rewrite SPEC REPLIES VLAN: what the guest saw and answered after a replay with --rewrite SPEC.
	check_rewrite() {
		# The sender's MAC as a permanent neighbour: the capture has no ARP for the reply to learn it.
		replay "$tmp/tagged.pcap" --net host --rewrite "$1" --append neigh=10.0.0.1,02:00:00:00:00:01 \
			--tx-pcap "$tmp/tx.pcap" --summary-json "$tmp/s.json"
		python3 - "$tmp/s.json" "$tmp/console.txt" "$tmp/tx.pcap" "$@" <<'PY'
import json, re, sys
from packets import read_pcap
s = json.load(open(sys.argv[1]))["replay"]
console = open(sys.argv[2]).read().replace("\r", "")
rewrite, replies, vlan = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
echo_replies = sum(1 for f in read_pcap(sys.argv[3]) if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0)
m = re.search(r"net: per-protocol received: ipv4=(\d+) ipv6=\d+ arp=\d+ vlan=(\d+)", console)
if s["rewrite"] != rewrite or not m:
    sys.exit(f"rewrite {s['rewrite']!r}, per-protocol line found: {bool(m)}")
if int(m.group(2)) != vlan or echo_replies != replies:
    sys.exit(f"--rewrite {rewrite}: vlan={m.group(2)} (want {vlan}), {echo_replies} echo replies (want {replies})")
PY
	}
	check_rewrite dmac,strip-vlan 4 0
	check_rewrite none 0 2
	for bad in "" vlan "dmac=zz:00:00:00:00:00" "dmac,,strip-vlan"; do
		status=0
		"$smpsim" replay --kernel "$guest" "$tmp/tagged.pcap" --rewrite "$bad" >/dev/null 2>"$tmp/err.txt" || status=$?
		[ "$status" = 2 ] && [ "$(wc -l <"$tmp/err.txt")" = 1 ] && grep -q '^smpsim: error: .*--rewrite' "$tmp/err.txt" ||
			{ echo "--rewrite '$bad': status $status"; cat "$tmp/err.txt"; exit 1; }
	done
	;;
vlan_strip)
	python3 - "$tmp/tagged.pcap" <<'PY'
import sys
from packets import ether, icmp_echo, write_pcap
write_pcap(sys.argv[1], [ether(icmp_echo("10.0.0.1", "10.0.0.2", 0x77, i + 1, bytes(range(32)), ip_ident=i + 1),
                               vlan=(3, vid)) for i, vid in enumerate([0, 5, 0, 5, 0])])
PY
	for strip in 0 1; do
		replay "$tmp/tagged.pcap" --net host --rewrite none --tx-pcap "$tmp/tx.pcap" \
			--append "igb.rxvlan=$strip neigh=10.0.0.1,02:00:00:00:00:01"
		python3 - "$tmp/tx.pcap" "$tmp/console.txt" "$strip" <<'PY'
import re, sys
from packets import read_pcap
console = open(sys.argv[2]).read()
strip = sys.argv[3] == "1"
replies = sum(1 for f in read_pcap(sys.argv[1]) if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0)
vlan = int(re.search(r"net: per-protocol received: .* vlan=(\d+)", console).group(1))
# With the NIC stripping, the stack sees untagged IPv4 frames with the tag beside them.
if replies != 3 or vlan != (0 if strip else 5):
    sys.exit(f"igb.rxvlan={int(strip)}: {replies} echo replies (want 3: VID 0 only), vlan={vlan}")
PY
	done
	;;
bad_captures)
	printf 'this is not a capture at all, just text\n' >"$tmp/text.pcap"
	head -c 90 "$1" >"$tmp/truncated.pcap"
	# A classic pcap header with link type 101 (raw IP) and no packets.
	printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\145\000\000\000' >"$tmp/rawip.pcap"
	for f in "$tmp/text.pcap" "$tmp/truncated.pcap" "$tmp/rawip.pcap" "$tmp/missing.pcap"; do
		status=0
		"$smpsim" replay --kernel "$guest" "$f" >/dev/null 2>"$tmp/err.txt" || status=$?
		[ "$status" = 2 ] || { echo "$f: status $status"; cat "$tmp/err.txt"; exit 1; }
		[ "$(wc -l <"$tmp/err.txt")" = 1 ] || { echo "$f: stderr:"; cat "$tmp/err.txt"; exit 1; }
		grep -q '^smpsim: error: ' "$tmp/err.txt"
	done
	;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac
