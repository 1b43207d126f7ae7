#!/bin/sh
# Conntrack cost per packet: bench/conntrack_cost.sh [BUILD_DIR] [PACKETS]
# Replays bench/conntrack_captures.py's hit capture (one established UDP flow: every lookup finds the
# entry) and miss capture (a new flow per packet: lookup, allocation, confirmation) through the default
# router at --pace max, on 1 and 4 CPUs, functional and --model tso, and prints a Markdown table of guest
# instructions and CPU cycles per packet (simulated: deterministic, one run each). In tso mode it adds
# the cache-line traffic per packet on conntrack's shared lines, from the per-line statistics through
# `smpsim report c2c`: HITM and RFOs+upgrades on the lines holding nf_conntrack_locks, the entry count and
# the nf_conn cache. Then the replay throughput (packets per host second over the replay window, the
# median of 3 runs) on 4 CPUs, functional, hit capture.
set -eu
build=${1:-build}
packets=${2:-20000}
smpsim=$build/apps/smpsim/smpsim
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/conntrack_captures.py" "$tmp" "$packets"
echo "| path | CPUs | mode | instructions / packet | cycles / packet | conntrack-line HITM / packet | conntrack-line RFO+upgrade / packet |"
echo "|---|---|---|---|---|---|---|"
for path in hit miss; do
	for cpus in 1 4; do
		for mode in functional tso; do
			set -- --append nf_conntrack_max=65536 --summary-json "$tmp/s.json"
			[ "$mode" = tso ] && set -- "$@" --model tso --stats "$tmp/lines.json"
			"$smpsim" replay "$tmp/$path.pcap" --cpus "$cpus" --pace max "$@" >/dev/null 2>&1 || true
			lines=-
			if [ "$mode" = tso ]; then
				"$smpsim" report c2c --stats "$tmp/lines.json" --top 1000 --json "$tmp/c2c.json" >/dev/null 2>&1
				lines=$tmp/c2c.json
			fi
			python3 - "$tmp/s.json" "$lines" "$path" "$cpus" "$mode" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["replay"]
n = r["delivered"] or 1
hitm = rfo = "-"
if sys.argv[2] != "-":
    c2c = json.load(open(sys.argv[2]))["c2c"]
    names = ("nf_conntrack_locks", "nf_conntrack_entries", "nf_conntrack_cachep")
    mine = [l for l in c2c["by_hitm"] if any(f["symbol"].split("+")[0] in names for f in l["fields"])]
    hitm = f"{sum(l['hitm'] for l in mine) / n:.2f}"
    rfo = f"{sum(l['rfos'] + l['upgrades'] for l in mine) / n:.2f}"
print(f"| {sys.argv[3]} | {sys.argv[4]} | {sys.argv[5]} | {r['instructions_per_packet']:.1f} | "
      f"{r['cycles_per_packet']:.1f} | {hitm} | {rfo} |")
PY
		done
	done
done
echo
for run in 1 2 3; do
	"$smpsim" replay "$tmp/hit.pcap" --cpus 4 --pace max --summary-json "$tmp/s.json" >/dev/null 2>&1 || true
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["replay"]["window_packets_per_host_s"])' "$tmp/s.json"
done | sort -n | sed -n 2p | xargs printf "replay throughput, 4 CPUs, hit path, functional: %.0f packets per host second (median of 3)\n"
