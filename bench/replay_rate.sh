#!/bin/sh
# NIC replay throughput: N minimum-size UDP frames over 256 flows (smpsim_make_traces --udp-flood),
# replayed at --pace max into the guest on 1, 2 and 4 CPUs. Reports host seconds per 100k frames (the
# simulator's speed, boot excluded by subtracting a boot without traffic) and the simulated packet rate
# (the guest's speed: frames per simulated second while the replay ran). Medians of RUNS runs.
# Prints a Markdown table for docs/BENCHMARKS.md.
#
#   bench/replay_rate.sh [BUILD_DIR] [RUNS] [FRAMES] [SMPSIM-REPLAY-OPTIONS...]
# e.g. `bench/replay_rate.sh build 3 100000 --link-gbps 100 --model tso`.
set -eu
build=${1:-build}
runs=${2:-3}
frames=${3:-100000}
shift $(($# < 3 ? $# : 3))
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh" # median
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["replay"][sys.argv[2]])' "$2" "$1"; }

"$build/traces/smpsim_make_traces" --udp-flood "$frames" "$tmp/flood.pcap"
"$build/traces/smpsim_make_traces" --udp-flood 1 "$tmp/one.pcap"

printf '| CPUs | frames | delivered | dropped | host s (whole run) | host s per 100k frames | packets per host second | simulated packet rate |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for n in 1 2 4; do
	: >"$tmp/host"
	: >"$tmp/base"
	: >"$tmp/rate"
	for i in $(seq "$runs"); do
		"$smpsim" replay --kernel "$guest" --cpus "$n" --pace max "$@" "$tmp/one.pcap" --summary-json "$tmp/b.json" \
			>/dev/null 2>&1 || true
		field host_s "$tmp/b.json" >>"$tmp/base"
		"$smpsim" replay --kernel "$guest" --cpus "$n" --pace max "$@" "$tmp/flood.pcap" --summary-json "$tmp/s.json" \
			>/dev/null 2>&1 || true
		field host_s "$tmp/s.json" >>"$tmp/host"
		field sim_packet_rate "$tmp/s.json" >>"$tmp/rate"
	done
	host=$(median <"$tmp/host")
	base=$(median <"$tmp/base")
	rate=$(median <"$tmp/rate")
	delivered=$(field delivered "$tmp/s.json")
	dropped=$(python3 -c 'import json,sys; print(sum(json.load(open(sys.argv[1]))["replay"]["dropped"].values()))' "$tmp/s.json")
	per100k=$(echo "($host - $base) / $frames * 100000" | bc -l)
	pps=$(echo "$frames / ($host - $base)" | bc -l)
	printf '| %s | %s | %s | %s | %.2f s | %.2f s | %.0f | %.0f |\n' "$n" "$frames" "$delivered" "$dropped" \
		"$host" "$per100k" "$pps" "$rate"
done
