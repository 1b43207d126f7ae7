#!/bin/sh
# Guest MIPS of the CPU-bound guest workload (fill, CRC-32 and heapsort of a buffer) on smpsim and on
# QEMU TCG, the same ELF on both. Prints a Markdown table for docs/BENCHMARKS.md.
#
#   bench/guest_mips.sh [BUILD_DIR] [RUNS] [WORKLOAD_KIB]
#
# smpsim's figure is guest instructions / host seconds of the whole run, from --summary-json.
# QEMU does not count instructions: its MIPS is smpsim's instruction count of the workload run
# (the same code runs on both) divided by QEMU's wall time for it, less QEMU's wall time for a boot
# without the workload (firmware and start-up). Medians of RUNS runs.
set -eu
build=${1:-build}
runs=${2:-5}
kib=${3:-4096}
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
guest32=$build/guest/guest32.elf
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib.sh" # median
json_field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2"; }
now() { date +%s.%N; }

: >"$tmp/smpsim_s"
: >"$tmp/smpsim_mips"
for i in $(seq "$runs"); do
	"$smpsim" boot --kernel "$guest" --append "workload=$kib" --summary-json "$tmp/s.json" >/dev/null 2>&1 || true
	json_field host_seconds "$tmp/s.json" >>"$tmp/smpsim_s"
	json_field mips "$tmp/s.json" >>"$tmp/smpsim_mips"
done
insns=$(json_field instructions "$tmp/s.json")
smpsim_s=$(median <"$tmp/smpsim_s")
smpsim_mips=$(median <"$tmp/smpsim_mips")

qemu_line="| QEMU 7.2 TCG (-cpu Nehalem) | not installed | | |"
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	: >"$tmp/q_work"
	: >"$tmp/q_base"
	for i in $(seq "$runs"); do
		t0=$(now)
		GUEST_APPEND="workload=$kib" "$here/../tests/integration/qemu/run_qemu.sh" "$guest32" -cpu Nehalem >/dev/null 2>&1 || true
		t1=$(now)
		"$here/../tests/integration/qemu/run_qemu.sh" "$guest32" -cpu Nehalem >/dev/null 2>&1 || true
		t2=$(now)
		echo "$t1 - $t0" | bc -l >>"$tmp/q_work"
		echo "$t2 - $t1" | bc -l >>"$tmp/q_base"
	done
	q_work=$(median <"$tmp/q_work")
	q_base=$(median <"$tmp/q_base")
	q_net=$(echo "$q_work - $q_base" | bc -l)
	q_mips=$(echo "$insns / $q_net / 1000000" | bc -l)
	ratio=$(echo "$q_mips / $smpsim_mips" | bc -l)
	qemu_line=$(printf '| QEMU 7.2 TCG (-cpu Nehalem) | %.3f s (%.3f s boot alone) | %.0f | QEMU is %.1fx faster |' \
		"$q_work" "$q_base" "$q_mips" "$ratio")
fi

printf '%s\n' "Workload: \`smpsim boot --append workload=$kib\` ($insns guest instructions), median of $runs runs."
printf '\n| simulator | host time | guest MIPS | note |\n|---|---|---|---|\n'
printf '| smpsim functional (interpreter) | %.3f s | %.1f | |\n' "$smpsim_s" "$smpsim_mips"
printf '%s\n' "$qemu_line"
