#!/bin/sh
# Litmus iterations per host second for SB (2 CPUs) and IRIW (4 CPUs), both models. Prints a Markdown
# table for docs/BENCHMARKS.md. Medians of RUNS invocations of RUNS_PER_TEST iterations each.
#
#   bench/litmus_rate.sh [BUILD_DIR] [INVOCATIONS] [RUNS_PER_TEST]
set -eu
build=${1:-build}
invocations=${2:-3}
runs=${3:-100000}
smpsim=$build/apps/smpsim/smpsim
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh" # median

printf '| test | CPUs | model | iterations/s |\n|---|---|---|---|\n'
for spec in "SB 2" "IRIW 4"; do
	set -- $spec
	for model in tso weak; do
		: >"$tmp/rates"
		for i in $(seq "$invocations"); do
			"$smpsim" litmus "$here/../tests/litmus/$1.litmus" --model "$model" --runs "$runs" --seed "$i" \
				--summary-json "$tmp/s.json" >/dev/null 2>&1
			secs=$(sed -n 's/^  "seconds": \([0-9.e+-]*\).*/\1/p' "$tmp/s.json" | tail -1)
			echo "$runs / $secs" | bc -l >>"$tmp/rates"
		done
		printf '| %s | %s | %s | %.0f |\n' "$1" "$2" "$model" "$(median <"$tmp/rates")"
	done
done
