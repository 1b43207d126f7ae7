#!/bin/sh
# Runs a suite of our own litmus tests and checks each observation against its EXPECTED.tsv (file,
# model, expected observation, why).
#
#   check_expected.sh SMPSIM [RUNS] [DIR] [SMPSIM LITMUS OPTIONS...]
# DIR defaults to this script's directory (the x86 suite); tests/litmus/lkmm passes its own and
# --cache-dir.
set -eu
smpsim=$1
runs=${2:-20000}
dir=${3:-$(cd "$(dirname "$0")" && pwd)}
# What follows DIR goes to every smpsim litmus call.
if [ $# -gt 3 ]; then shift 3; else set --; fi
fail=0
checked=0
while IFS='	' read -r file model expected why; do
	case $file in '#'* | '') continue ;; esac
	line=$("$smpsim" litmus "$dir/$file" --model "$model" --runs "$runs" --summary "$@" 2>&1 >/dev/null | head -1)
	seen=$(echo "$line" | cut -d' ' -f3)
	checked=$((checked + 1))
	if [ "$seen" = "$expected" ]; then
		echo "ok: $file ($model): $seen"
	else
		echo "FAIL: $file ($model): expected $expected ($why), got: $line"
		fail=1
	fi
done <"$dir/EXPECTED.tsv"
echo "$checked expectations checked"
[ "$checked" -gt 0 ] && [ "$fail" = 0 ]
