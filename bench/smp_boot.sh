#!/bin/sh
# Boot of the guest on 1, 2, 4, 8 and 16 CPUs: simulated time and cycles of the whole boot (bring-up,
# timer calibration, shutdown), host seconds, and host seconds per billion guest instructions.
# Prints a Markdown table for docs/BENCHMARKS.md. Medians of RUNS runs.
#
#   bench/smp_boot.sh [BUILD_DIR] [RUNS]
set -eu
build=${1:-build}
runs=${2:-3}
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh" # median
json_field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2"; }

printf '| CPUs | guest instructions | simulated time | cycles (max over CPUs) | host time | host s per 10^9 guest instructions |\n'
printf '|---|---|---|---|---|---|\n'
for n in 1 2 4 8 16; do
	: >"$tmp/host"
	for i in $(seq "$runs"); do
		"$smpsim" boot --kernel "$guest" --cpus "$n" --summary-json "$tmp/s.json" >/dev/null 2>&1 || true
		json_field host_seconds "$tmp/s.json" >>"$tmp/host"
	done
	insns=$(json_field instructions "$tmp/s.json")
	sim=$(json_field sim_seconds "$tmp/s.json")
	cycles=$(json_field cycles "$tmp/s.json")
	host=$(median <"$tmp/host")
	per_g=$(echo "$host / $insns * 1000000000" | bc -l)
	printf '| %s | %s | %.3f ms | %s | %.3f s | %.2f |\n' "$n" "$insns" "$(echo "$sim * 1000" | bc -l)" "$cycles" "$host" "$per_g"
done
