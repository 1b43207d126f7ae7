#!/bin/sh
# Equality with Linux's nf_conntrack:
#   linux_ref.sh SMPSIM GUEST TRACES_DIR CPUS [GUEST-WORDS [SMPSIM-OPTIONS...]]
# GUEST-WORDS go on the guest's command line after ct.events (e.g. RPS: "rps_cpus=0:f rps_cpus=1:f").
# Replays every capture of TRACES_DIR that has a Linux reference (TRACES_DIR/linux-ref) into the guest
# set up as the reference's router, at the reference's 5000 packets per second, and compares the table,
# the events, the per-state PRE_ROUTING counts and the forwarded count (linux_ref_compare.py). Skips,
# with a message, when TRACES_DIR is absent.
set -eu
smpsim=$1
guest=$2
traces=$3
cpus=$4
shift 4
words=""
case ${1:-} in
--* | "") ;; # no guest words, smpsim options follow (CMake drops an empty argument)
*)
	words=$1
	shift
	;;
esac
here=$(dirname "$0")
if [ ! -d "$traces/linux-ref" ]; then
	echo "skipped: $traces/linux-ref is absent"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for ref in "$traces"/linux-ref/*.table.txt; do
	trace=$(basename "$ref" .table.txt)
	status=0
	"$smpsim" replay --kernel "$guest" "$traces/$trace" --cpus "$cpus" --pace pps=5000 --append "ct.events $words" \
		--summary-json "$tmp/s.json" "$@" >"$tmp/console.txt" 2>"$tmp/err.txt" || status=$?
	if [ "$status" != 1 ]; then
		echo "FAIL: $trace: smpsim replay exited with $status" >&2
		tail -n 20 "$tmp/console.txt" "$tmp/err.txt" >&2
		failed=1
		continue
	fi
	python3 "$here/linux_ref_compare.py" "$tmp/s.json" "$traces/linux-ref" "$trace" || failed=1
done
exit $failed
