#!/usr/bin/env bash
# What the GDB stub costs (issue 13): CPU time of smpsim running the CPU-bound guest workload without
# --gdb, with --gdb and nobody attached, with GDB attached and continuing (no breakpoints), and with one
# breakpoint or one watchpoint that is never hit (a check before every instruction; every data access
# checked). Prints a Markdown table for docs/BENCHMARKS.md.
#
#   bench/gdb_overhead.sh [BUILD_DIR] [RUNS] [WORKLOAD_KIB]
#
# The figure is smpsim's user + system CPU seconds (bash's `time`), not wall time: a machine paused for
# GDB uses no CPU, GDB's own start-up is another process, and CPU time suffers less from other load on
# the host. Medians of RUNS runs.
set -eu
build=${1:-build}
runs=${2:-3}
kib=${3:-2048}
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT='%U %S'

. "$(dirname "$0")/lib.sh" # median
cpu_seconds() { awk '{print $1 + $2}' "$1"; }

plain() { # extra smpsim options...
	: >"$tmp/t"
	for _ in $(seq "$runs"); do
		{ time "$smpsim" boot --kernel "$guest" --append "workload=$kib" "$@" >/dev/null 2>&1; } 2>"$tmp/cpu" || true
		cpu_seconds "$tmp/cpu" >>"$tmp/t"
	done
	median <"$tmp/t"
}

attached() { # gdb commands before `continue`
	: >"$tmp/t"
	for _ in $(seq "$runs"); do
		{ time "$smpsim" boot --kernel "$guest" --append "workload=$kib" --gdb 0 --gdb-wait >/dev/null 2>"$tmp/err"; } \
			2>"$tmp/cpu" &
		pid=$!
		port=
		while [ -z "$port" ]; do
			sleep 0.1
			port=$(sed -n 's/^smpsim: gdb: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/err")
		done
		{
			echo "target remote :$port"
			printf '%s\n' "$@"
			echo "continue"
		} >"$tmp/session.gdb"
		gdb -nx -batch -x "$tmp/session.gdb" "$guest" >"$tmp/gdb.out" 2>&1 || true
		wait "$pid" || true
		grep -q "exited with code 01" "$tmp/gdb.out" || { echo "gdb did not see the guest exit:" >&2; cat "$tmp/gdb.out" >&2; }
		cpu_seconds "$tmp/cpu" >>"$tmp/t"
	done
	median <"$tmp/t"
}

base=$(plain)
row() { printf '| %s | %.2f s | %+.1f%% |\n' "$1" "$2" "$(echo "($2 / $base - 1) * 100" | bc -l)"; }
printf '%s\n' "Workload: \`smpsim boot --append workload=$kib\`, functional mode, smpsim's CPU seconds, median of $runs runs."
printf '\n| configuration | CPU time | vs. no --gdb |\n|---|---|---|\n'
row "no --gdb" "$base"
row "--gdb, no debugger attached" "$(plain --gdb 0)"
row "GDB attached, continue, no breakpoints" "$(attached)"
row "GDB attached, one breakpoint never hit" "$(attached 'break panic')"
row "GDB attached, one watchpoint never hit" "$(attached 'watch torture_counter')"
