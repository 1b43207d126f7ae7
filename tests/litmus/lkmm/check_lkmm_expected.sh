#!/bin/sh
# Runs our own LKMM C tests on the guest's primitives and checks each observation against
# EXPECTED.tsv; then checks that the deliberately broken guest builds are caught on --model weak
# (smp_rmb as a compiler barrier lets MP+wmb+rmb through; smp_store_release as a plain store lets
# MP+rel+acq through).
#
#   check_lkmm_expected.sh SMPSIM RUNS CACHE_DIR
set -eu
smpsim=$1
runs=${2:-5000}
cache=${3:-${TMPDIR:-/tmp}/smpsim-lkmm-cache}
dir=$(cd "$(dirname "$0")" && pwd)
fail=0
checked=0
observe() { # file model runs [options]: the summary line
	f=$1 m=$2 n=$3
	shift 3
	"$smpsim" litmus "$dir/$f" --model "$m" --runs "$n" --cache-dir "$cache" --summary "$@" 2>&1 >/dev/null | head -1
}
while IFS='	' read -r file model expected why; do
	case $file in '#'* | '') continue ;; esac
	line=$(observe "$file" "$model" "$runs")
	seen=$(echo "$line" | cut -d' ' -f3)
	checked=$((checked + 1))
	if [ "$seen" = "$expected" ]; then
		echo "ok: $file ($model): $seen"
	else
		echo "FAIL: $file ($model): expected $expected ($why), got: $line"
		fail=1
	fi
done <"$dir/EXPECTED.tsv"
for case in rmb-compiler-barrier:MP+wmb+rmb release-plain-store:MP+rel+acq; do
	debug=${case%%:*} test=${case#*:}.litmus
	line=$(observe "$test" weak $((runs * 4)) --guest-debug "$debug")
	seen=$(echo "$line" | cut -d' ' -f3)
	checked=$((checked + 1))
	if [ "$seen" = "Sometimes" ]; then
		echo "ok: broken build $debug caught by $test on weak: $line"
	else
		echo "FAIL: broken build $debug not caught by $test on weak: $line"
		fail=1
	fi
done
echo "$checked expectations checked"
[ "$checked" -gt 0 ] && [ "$fail" = 0 ]
