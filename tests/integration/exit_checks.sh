#!/bin/sh
# Exit statuses (docs/EXITS.md) and bad input found by trying: exit_checks.sh SMPSIM GUEST PCAP CASE
#
#   internal_error   SMPSIM_INJECT_INTERNAL_ERROR of every kind: status 70, one line naming the
#                    subcommand, the simulated time and the process
#   guest_reset      reboot=cf9 and reboot=kbd: status 12
#   no_progress      fault=init (every CPU waits for a start-up IPI): status 8
#   bad_files        directories, devices and FIFOs as kernel, config and capture: status 2, one line
#   bad_numbers      NaN, out-of-range and wrapping numbers: status 2, one line, no hang
#   bad_outputs      output paths that cannot be opened (found before the run) or written (/dev/full)
#   help             smpsim --help names the program and lists the exit statuses
set -eu
smpsim=$1
guest=$2
pcap=$3
case_name=$4
litmus_sb=$(cd "$(dirname "$0")/../litmus" && pwd)/SB.litmus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() {
	echo "FAIL: $*"
	echo "--- stderr:"
	cat err.txt
	exit 1
}

# run STATUS ARGS...: runs smpsim (stdout to out.txt, stderr to err.txt) and checks its status.
run() {
	want=$1
	shift
	status=0
	timeout 120 "$smpsim" "$@" >out.txt 2>err.txt </dev/null || status=$?
	[ "$status" = "$want" ] || fail "smpsim $*: status $status, expected $want"
}

# one_line REGEX: stderr is exactly one line, matching REGEX.
one_line() {
	[ "$(wc -l <err.txt)" = 1 ] || fail "expected one line on stderr"
	grep -Eq "$1" err.txt || fail "stderr does not match $1"
}

case $case_name in
internal_error)
	for kind in invariant exception systemc memory; do
		SMPSIM_INJECT_INTERNAL_ERROR=$kind run 70 boot --kernel "$guest"
		one_line '^smpsim: internal error: .*\(boot, at 1 us simulated, in machine\.inject_internal_error\)$'
	done
	SMPSIM_INJECT_INTERNAL_ERROR=memory run 70 boot --kernel "$guest"
	one_line '^smpsim: internal error: out of host memory \(boot, '
	SMPSIM_INJECT_INTERNAL_ERROR=invariant run 70 boot --kernel "$guest"
	one_line '^smpsim: internal error: injected broken invariant'
	SMPSIM_INJECT_INTERNAL_ERROR=exception run 70 boot --kernel "$guest"
	one_line '^smpsim: internal error: unexpected exception: injected exception'
	SMPSIM_INJECT_INTERNAL_ERROR=systemc run 70 boot --kernel "$guest"
	one_line '^smpsim: internal error: SystemC: smpsim/inject: injected SystemC error'
	SMPSIM_INJECT_INTERNAL_ERROR=invariant run 70 replay --kernel "$guest" "$pcap"
	one_line '^smpsim: internal error: .*\(replay, at 1 us simulated, '
	# An unknown kind is the user's mistake.
	SMPSIM_INJECT_INTERNAL_ERROR=nonsense run 2 boot --kernel "$guest"
	one_line '^smpsim: error: SMPSIM_INJECT_INTERNAL_ERROR must be'
	;;
internal_error_litmus)
	for kind in invariant exception systemc memory; do
		SMPSIM_INJECT_INTERNAL_ERROR=$kind run 70 litmus "$litmus_sb"
		one_line '^smpsim: internal error: .*\(litmus\)$'
	done
	;;
guest_reset)
	run 12 boot --kernel "$guest" --append reboot=cf9
	grep -q '^Kernel finished, restarting system' out.txt || fail "no restart message"
	grep -q '^smpsim: guest requested a reset: 0x06 to port 0xcf9$' err.txt || fail "no reset reason"
	run 12 boot --kernel "$guest" --append reboot=kbd --cpus 2
	grep -q '^smpsim: guest requested a reset: 0xfe to the keyboard controller (port 0x64)$' err.txt ||
		fail "no reset reason"
	# In timing mode too (port I/O takes the same path).
	run 12 boot --kernel "$guest" --append reboot=cf9 --model tso
	;;
no_progress)
	for cpus in 1 4; do
		run 8 boot --kernel "$guest" --append fault=init --cpus $cpus
		grep -q '^smpsim: every CPU waits for a start-up IPI$' err.txt || fail "no reason"
	done
	;;
bad_files)
	mkdir dir
	mkfifo fifo
	printf '[boot]\nkernel="%s"\n' "$tmp/dir" >kernel_dir.toml
	for args in "boot --kernel dir" "boot --kernel /dev/zero" "boot --kernel /dev/urandom" "boot --kernel fifo" \
		"boot --config dir" "boot --config /dev/zero" "--config /dev/zero boot" "--config=/dev/zero boot" \
		"boot --config fifo" "boot --config kernel_dir.toml" "replay dir --kernel $guest" \
		"replay /dev/zero --kernel $guest" "replay fifo --kernel $guest"; do
		# shellcheck disable=SC2086 # word splitting wanted
		run 2 $args
		one_line '^smpsim: error: .*(is a directory|is a character device|is a FIFO), not a regular file$'
	done
	run 2 replay "" --kernel "$guest"
	one_line '^smpsim: error: replay needs a capture file'
	# A config file over the 1 MiB limit.
	head -c 1048577 /dev/zero | tr '\0' '#' >big.toml
	run 2 boot --config big.toml --kernel "$guest"
	one_line '^smpsim: error: big.toml: config file of 1048577 bytes exceeds the limit of 1048576 bytes$'
	;;
bad_numbers)
	for args in "--mhz nan" "--mhz inf" "--mhz -nan" "--max-insns -1" "--max-insns 18446744073709551616" \
		"--seed -1" "--seed 18446744073709551616" "--seed 1x" "--model="; do
		# shellcheck disable=SC2086
		run 2 boot --kernel "$guest" $args
		one_line '^smpsim: error: '
	done
	for args in "--drain-ms nan" "--drain-ms 60001" "--link-gbps 1e-300" "--link-gbps nan" "--link-gbps 1001" "--pace pps=1e-300" \
		"--pace scale=1e-300" "--pace pps=nan" "--pace scale=inf"; do
		# shellcheck disable=SC2086
		run 2 replay "$pcap" --kernel "$guest" $args
		one_line '^smpsim: error: '
	done
	run 2 litmus "$litmus_sb" --seed -1
	one_line '^smpsim: error: '
	# The largest seed is a seed.
	run 1 boot --kernel "$guest" --seed 18446744073709551615 --max-insns 18446744073709551615
	# A capture whose second frame comes a day after the first: refused when the replay gets there,
	# rather than simulating a day of an idle guest.
	python3 - "$pcap" gap.pcap <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
header, off, records = data[:24], 24, []
while off < len(data) and len(records) < 2:
    sec, frac, caplen, length = struct.unpack("<IIII", data[off:off + 16])
    records.append((sec + 86400 * len(records), frac, caplen, length, data[off + 16:off + 16 + caplen]))
    off += 16 + caplen
with open(sys.argv[2], "wb") as f:
    f.write(header)
    for sec, frac, caplen, length, frame in records:
        f.write(struct.pack("<IIII", sec, frac, caplen, length) + frame)
PY
	run 2 replay gap.pcap --kernel "$guest"
	grep -q '^smpsim: error: replay: frame 2 of the capture is due 86400 s after the previous one' err.txt ||
		fail "no gap error"
	;;
bad_outputs)
	# Paths that cannot be opened: found before the run (the guest prints nothing).
	for args in "--summary-json nodir/s.json" "--console nodir/c.txt" "--model tso --stats nodir/s.json"; do
		# shellcheck disable=SC2086
		run 2 boot --kernel "$guest" $args
		one_line '^smpsim: error: nodir/.*: cannot open .* for writing'
		[ ! -s out.txt ] || fail "$args: the guest ran"
	done
	run 2 replay "$pcap" --kernel "$guest" --tx-pcap nodir/tx.pcap
	one_line '^smpsim: error: nodir/tx.pcap: cannot create capture file'
	[ ! -s out.txt ] || fail "--tx-pcap: the guest ran"
	# Writes that fail (a full disk): status 2 and an error line after the run's summary.
	for args in "--summary-json /dev/full" "--console /dev/full" "--model tso --stats /dev/full"; do
		# shellcheck disable=SC2086
		run 2 boot --kernel "$guest" $args
		[ "$(grep -c '^smpsim: error: /dev/full: cannot write' err.txt)" = 1 ] || fail "$args: no write error"
		grep -q '^Kernel finished, exit status 0' out.txt || fail "$args: the console lost its output"
	done
	run 2 replay "$pcap" --kernel "$guest" --pace max --tx-pcap /dev/full
	[ "$(grep -c '^smpsim: error: /dev/full: cannot write the capture file' err.txt)" = 1 ] || fail "no tx error"
	# stdout on a full disk, for every subcommand.
	status=0
	"$smpsim" boot --kernel "$guest" >/dev/full 2>err.txt || status=$?
	[ "$status" = 2 ] || fail "boot >/dev/full: status $status"
	[ "$(grep -c '^smpsim: error: standard output: write error' err.txt)" = 1 ] || fail "boot: no stdout error"
	status=0
	"$smpsim" litmus "$litmus_sb" --runs 10 >/dev/full 2>err.txt || status=$?
	[ "$status" = 2 ] || fail "litmus >/dev/full: status $status"
	grep -q '^smpsim: error: standard output: write error' err.txt || fail "litmus: no stdout error"
	;;
help)
	run 0 --help
	grep -q '^Usage: smpsim \[OPTIONS\] SUBCOMMAND' out.txt || fail "usage without the program name"
	for status in odd 0 2 4 6 8 10 12 70; do
		grep -Eq "^  $status +[a-z-]" out.txt || fail "--help does not list exit status $status"
	done
	;;
*)
	echo "exit_checks.sh: unknown case $case_name" >&2
	exit 2
	;;
esac
