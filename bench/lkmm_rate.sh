#!/bin/sh
# LKMM C litmus iterations per host second (issue 12): SB (2 threads, tests/litmus/lkmm/SB.litmus),
# IRIW (4 threads, bench/lkmm/IRIW.litmus) and RCU-grace-period (2 threads with synchronize_rcu()), both
# models, with the guest image cached (the first, compiling run is not timed); and the compile time of
# one image. Prints Markdown tables for docs/BENCHMARKS.md. Medians of INVOCATIONS runs.
#
#   bench/lkmm_rate.sh [BUILD_DIR] [INVOCATIONS] [RUNS_PER_TEST]
set -eu
build=${1:-build}
invocations=${2:-3}
runs=${3:-100000}
smpsim=$build/apps/smpsim/smpsim
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh" # median
field() { sed -n "s/^ *\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | tail -1; }

printf '| test | threads | model | iterations/s | guest instructions per iteration |\n|---|---|---|---|---|\n'
for spec in "$here/../tests/litmus/lkmm/SB.litmus 2" "$here/lkmm/IRIW.litmus 4" \
	"$here/../tests/litmus/lkmm/RCU-grace-period.litmus 2"; do
	set -- $spec
	name=$(basename "$1" .litmus)
	for model in tso weak; do
		"$smpsim" litmus "$1" --model "$model" --runs 1 --cache-dir "$tmp/cache" >/dev/null 2>&1
		: >"$tmp/rates"
		for i in $(seq "$invocations"); do
			"$smpsim" litmus "$1" --model "$model" --runs "$runs" --seed "$i" --cache-dir "$tmp/cache" \
				--summary-json "$tmp/s.json" >/dev/null 2>&1
			echo "$runs / $(field seconds "$tmp/s.json")" | bc -l >>"$tmp/rates"
		done
		insns=$(echo "$(field instructions "$tmp/s.json") / $runs" | bc)
		printf '| %s | %s | %s | %.0f | %s |\n' "$name" "$2" "$model" "$(median <"$tmp/rates")" "$insns"
	done
done

printf '\n| compile (gcc) | model | seconds |\n|---|---|---|\n'
for model in tso weak; do
	: >"$tmp/cold"
	: >"$tmp/one"
	for i in $(seq "$invocations"); do
		# An empty cache: the harness's objects and the test; then only the test (a copy that differs in a
		# comment, so its image is new while the harness's objects are cached).
		rm -rf "$tmp/c$i"
		"$smpsim" litmus "$here/../tests/litmus/lkmm/SB.litmus" --model "$model" --runs 1 \
			--cache-dir "$tmp/c$i" --summary-json "$tmp/c.json" >/dev/null 2>&1
		field compile_seconds "$tmp/c.json" >>"$tmp/cold"
		{ cat "$here/../tests/litmus/lkmm/SB.litmus"; echo "(* variant $i *)"; } >"$tmp/SB-$i.litmus"
		"$smpsim" litmus "$tmp/SB-$i.litmus" --model "$model" --runs 1 --cache-dir "$tmp/c$i" \
			--summary-json "$tmp/c.json" >/dev/null 2>&1
		field compile_seconds "$tmp/c.json" >>"$tmp/one"
	done
	printf '| SB, empty cache | %s | %.2f |\n' "$model" "$(median <"$tmp/cold")"
	printf '| SB, harness cached | %s | %.2f |\n' "$model" "$(median <"$tmp/one")"
done
