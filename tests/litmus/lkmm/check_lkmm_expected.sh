#!/bin/sh
# Runs our own LKMM C tests on the guest's primitives and checks each observation against
# EXPECTED.tsv (check_expected.sh); then checks that the deliberately broken guest builds are caught on
# --model weak (smp_rmb as a compiler barrier lets MP+wmb+rmb through, and MP+wmb+addr, whose READ_ONCE
# then has no barrier; smp_store_release as a plain store lets MP+rel+acq through).
#
#   check_lkmm_expected.sh SMPSIM RUNS CACHE_DIR
set -eu
smpsim=$1
runs=${2:-5000}
cache=${3:-${TMPDIR:-/tmp}/smpsim-lkmm-cache}
dir=$(cd "$(dirname "$0")" && pwd)
fail=0
sh "$dir/../check_expected.sh" "$smpsim" "$runs" "$dir" --cache-dir "$cache" || fail=1
checked=0
for case in rmb-compiler-barrier:MP+wmb+rmb rmb-compiler-barrier:MP+wmb+addr release-plain-store:MP+rel+acq; do
	debug=${case%%:*} test=${case#*:}.litmus
	line=$("$smpsim" litmus "$dir/$test" --model weak --runs $((runs * 4)) --cache-dir "$cache" --summary \
		--guest-debug "$debug" 2>&1 >/dev/null | head -1)
	seen=$(echo "$line" | cut -d' ' -f3)
	checked=$((checked + 1))
	if [ "$seen" = "Sometimes" ]; then
		echo "ok: broken build $debug caught by $test on weak: $line"
	else
		echo "FAIL: broken build $debug not caught by $test on weak: $line"
		fail=1
	fi
done
echo "$checked broken builds checked"
[ "$checked" = 3 ] && [ "$fail" = 0 ]
