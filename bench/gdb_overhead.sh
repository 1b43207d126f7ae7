#!/bin/sh
# What the GDB stub costs (issue 13): host seconds of the CPU-bound guest workload without --gdb, with
# --gdb and nobody attached, with GDB attached and continuing (no breakpoints), and with one breakpoint
# that is never hit (a check before every instruction) or one watchpoint (every data access checked).
# Prints a Markdown table for docs/BENCHMARKS.md.
#
#   bench/gdb_overhead.sh [BUILD_DIR] [RUNS] [WORKLOAD_KIB]
#
# Without a debugger the figure is the run's host_seconds (--summary-json). With one, it is the wall
# time from GDB's `continue` to the exit reply (GDB's own start-up excluded). Medians of RUNS runs.
set -eu
build=${1:-build}
runs=${2:-3}
kib=${3:-2048}
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
json_field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2"; }

plain() { # extra smpsim options...
	: >"$tmp/t"
	for i in $(seq "$runs"); do
		"$smpsim" boot --kernel "$guest" --append "workload=$kib" --summary-json "$tmp/s.json" "$@" >/dev/null 2>&1 || true
		json_field host_seconds "$tmp/s.json" >>"$tmp/t"
	done
	median <"$tmp/t"
}

attached() { # gdb commands before `continue`
	: >"$tmp/t"
	for i in $(seq "$runs"); do
		"$smpsim" boot --kernel "$guest" --append "workload=$kib" --gdb 0 --gdb-wait >/dev/null 2>"$tmp/err" &
		pid=$!
		port=
		while [ -z "$port" ]; do
			sleep 0.1
			port=$(sed -n 's/^smpsim: gdb: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/err")
		done
		{
			echo "target remote :$port"
			printf '%s\n' "$@"
			echo "shell date +%s.%N >$tmp/t0"
			echo "continue"
			echo "shell date +%s.%N >$tmp/t1"
		} >"$tmp/session.gdb"
		gdb -nx -batch -x "$tmp/session.gdb" "$guest" >/dev/null 2>&1 || true
		wait "$pid" || true
		echo "$(cat "$tmp/t1") - $(cat "$tmp/t0")" | bc -l >>"$tmp/t"
	done
	median <"$tmp/t"
}

base=$(plain)
row() { printf '| %s | %.3f s | %+.1f%% |\n' "$1" "$2" "$(echo "($2 / $base - 1) * 100" | bc -l)"; }
printf '%s\n' "Workload: \`smpsim boot --append workload=$kib\`, functional mode, median of $runs runs."
printf '\n| configuration | host time | vs. no --gdb |\n|---|---|---|\n'
row "no --gdb" "$base"
row "--gdb, no debugger attached" "$(plain --gdb 0)"
row "GDB attached, continue, no breakpoints" "$(attached)"
row "GDB attached, one breakpoint never hit" "$(attached 'break panic')"
row "GDB attached, one watchpoint never hit" "$(attached 'watch torture_counter')"
