#!/bin/sh
# Boots the guest kernel on QEMU and prints its serial console on stdout.
#
#   run_qemu.sh GUEST32_ELF [extra qemu args...]
#
# GUEST32_ELF is the ELF32 copy of the guest (<build>/guest/guest32.elf); given the ELF64 guest.elf,
# the script makes the ELF32 copy itself with objcopy. Environment:
#   GUEST_APPEND   kernel command line (default: empty)
#   QEMU_MEMORY    guest RAM, as for -m (default: 128)
#   QEMU_TIMEOUT   seconds before QEMU is killed (default: 60)
#   QEMU           the QEMU binary (default: qemu-system-x86_64)
#
# Exit status: QEMU's, i.e. (guest status << 1) | 1 when the guest writes its status to the exit
# port (1 for status 0, 7 for a panic); 124 on timeout; 2 for usage errors.
# QEMU passes the multiboot command line as "<kernel path> <GUEST_APPEND>"; the guest prints the
# path only on its "~ " (machine-dependent) boot-loader line.
set -eu

usage() {
	echo "usage: $0 GUEST32_ELF [extra qemu args...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
kernel=$1
shift
[ -f "$kernel" ] || { echo "$0: $kernel: no such file" >&2; exit 2; }

qemu=${QEMU:-qemu-system-x86_64}
append=${GUEST_APPEND-}
memory=${QEMU_MEMORY:-128}
# A guard against a hung guest, not a speed check. QEMU's vCPUs are host threads: on a loaded 2-core
# machine (ctest -j2 beside a build) 4 vCPUs are descheduled often, and the ticket-spinlock torture
# then crawls (lock-holder preemption), so a self-test boot can take minutes there instead of seconds.
timeout_s=${QEMU_TIMEOUT:-240}

tmpdir=
# shellcheck disable=SC2317 # called through trap
cleanup() {
	[ -z "$tmpdir" ] || rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ELF class byte (offset 4): 1 = ELF32, 2 = ELF64.
class=$(od -An -tu1 -j4 -N1 "$kernel" | tr -d ' ')
if [ "$class" = 2 ]; then
	tmpdir=$(mktemp -d)
	objcopy -O elf32-i386 "$kernel" "$tmpdir/guest32.elf"
	kernel=$tmpdir/guest32.elf
fi

status=0
timeout -k 5 "$timeout_s" \
	"$qemu" -display none -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-m "$memory" -kernel "$kernel" -append "$append" -no-reboot "$@" \
	</dev/null || status=$?
if [ "$status" = 124 ]; then
	echo "$0: QEMU timed out after ${timeout_s}s" >&2
fi
exit "$status"
