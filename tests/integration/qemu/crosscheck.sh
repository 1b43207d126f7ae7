#!/bin/sh
# QEMU cross-check: the same guest boots on smpsim and on QEMU (TCG) and must print the same console
# transcript. Lines the guest marks as machine-dependent (they start with "~ ") are dropped, as are
# carriage returns; the exit statuses must match too. A guest reset (reboot=cf9|kbd) ends QEMU with status
# 0 (run_qemu.sh passes -no-reboot) and smpsim with its "guest requested reset" status 12.
#
#   crosscheck.sh [--cpus N] SMPSIM GUEST_ELF GUEST32_ELF [APPEND...]
#
# Each APPEND argument is one kernel command line to try (default: the empty one). --cpus N boots
# N CPUs on both (smpsim --cpus N, QEMU -smp N).
# Exit status 77 (skipped) when QEMU is not installed.
set -eu

cpus=1
if [ "${1:-}" = --cpus ]; then
	cpus=$2
	shift 2
fi
[ $# -ge 3 ] || { echo "usage: $0 [--cpus N] SMPSIM GUEST_ELF GUEST32_ELF [APPEND...]" >&2; exit 2; }
smpsim=$1
guest=$2
guest32=$3
shift 3
[ $# -gt 0 ] || set -- ""

if ! command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1; then
	echo "SKIP: qemu-system-x86_64 is not installed (scripts/setup installs it)"
	exit 77
fi

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The multiboot command line starts with the kernel path as given: boot both from the same relative
# name so that the guest sees identical bytes.
mkdir "$tmp/s" "$tmp/q"
cp "$guest" "$tmp/s/kernel.elf"
cp "$guest32" "$tmp/q/kernel.elf"
smpsim=$(cd "$(dirname "$smpsim")" && pwd)/$(basename "$smpsim")
filter() {
	tr -d '\r' | grep -v '^~ ' || true
}
# QEMU's TSC follows the host clock, so on a loaded host a vCPU thread that the host does not schedule
# for a second trips the guest's 1 s watchdogs (csd_lock_wait, wait_cpu_work, the self-test rendezvous),
# which then print a report and an NMI backtrace of the late CPU and go on waiting. On QEMU that is host
# load, not a guest bug (a real hang would still time the test out), so those lines are dropped from
# QEMU's transcript only; smpsim's time is simulated, and a watchdog report there is a difference.
drop_host_load_watchdogs() {
	sed -E '/^(smp|selftest): CPU[0-9]+ waits for CPU[0-9]+ .* for [0-9]+ s/d; /^NMI backtrace for CPU[0-9]+:/d; /^  APIC TPR /d; /^  (IRR|ISR) [0-9a-f]{64}$/d'
}

failures=0
for append in "$@"; do
	s_status=0
	(cd "$tmp/s" && "$smpsim" boot --cpus "$cpus" --kernel kernel.elf --append "$append") >"$tmp/smpsim.raw" 2>"$tmp/smpsim.err" || s_status=$?
	q_status=0
	# smpsim's CPU reports itself as a Nehalem-class Intel CPU; QEMU's matching model gives the same
	# e820 map (its default AMD model adds a HyperTransport hole).
	(cd "$tmp/q" && GUEST_APPEND=$append "$here/run_qemu.sh" kernel.elf -cpu Nehalem -smp "$cpus") >"$tmp/qemu.raw" 2>"$tmp/qemu.err" || q_status=$?
	[ "$s_status" != 12 ] || [ "$q_status" != 0 ] || q_status=12
	filter <"$tmp/smpsim.raw" >"$tmp/smpsim.txt"
	filter <"$tmp/qemu.raw" >"$tmp/qemu.all"
	drop_host_load_watchdogs <"$tmp/qemu.all" >"$tmp/qemu.txt"
	dropped=$(($(wc -l <"$tmp/qemu.all") - $(wc -l <"$tmp/qemu.txt")))
	[ "$dropped" = 0 ] || echo "note [$append]: dropped $dropped watchdog lines from QEMU's transcript (host load starved a vCPU thread)"
	if ! [ -s "$tmp/qemu.txt" ]; then
		echo "FAIL [$append]: QEMU printed nothing (status $q_status)"; cat "$tmp/qemu.err"
		failures=$((failures + 1))
		continue
	fi
	if ! diff -u "$tmp/qemu.txt" "$tmp/smpsim.txt" >"$tmp/diff"; then
		echo "FAIL [$append]: transcripts differ (--- qemu, +++ smpsim):"
		cat "$tmp/diff"
		failures=$((failures + 1))
	elif [ "$s_status" != "$q_status" ]; then
		echo "FAIL [$append]: exit status smpsim $s_status, qemu $q_status"
		failures=$((failures + 1))
	else
		echo "ok [$append] ($cpus CPUs): $(wc -l <"$tmp/smpsim.txt") lines identical, exit status $s_status"
	fi
done
[ "$failures" = 0 ]
