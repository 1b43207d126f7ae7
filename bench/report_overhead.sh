#!/bin/sh
# What --report (and --report --trace) costs a replay: traces/mixed.pcap looped to about 100k frames
# (--loop 50: 99,750) at --pace max on 4 CPUs; runs without, with --report and with --report --trace
# alternate, RUNS of each. Prints host CPU seconds (user + sys, which the load of a shared machine
# moves less than wall time), each median's extra over the plain run, and what the report wrote.
# Prints a Markdown table for docs/BENCHMARKS.md.
#
#   bench/report_overhead.sh [BUILD_DIR] [RUNS] [SMPSIM-REPLAY-OPTIONS...]
# e.g. `bench/report_overhead.sh build 5 --model tso`.
set -eu
build=${1:-build}
runs=${2:-3}
shift $(($# < 2 ? $# : 2))
smpsim=$build/apps/smpsim/smpsim
guest=$build/guest/guest.elf
capture=$(dirname "$0")/../traces/mixed.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh" # median

# run NAME [OPTIONS...]: one replay, its host CPU seconds appended to $tmp/NAME (time's last line: the
# first may be an exit status; the guest's own exit makes smpsim's status 1).
run() {
	name=$1
	shift
	rm -rf "$tmp/r"
	/usr/bin/time -f '%U %S' -o "$tmp/t" "$smpsim" replay "$capture" --kernel "$guest" --cpus 4 --pace max \
		--loop 50 "$@" >/dev/null 2>&1 || [ $? = 1 ]
	tail -n 1 "$tmp/t" | awk '{print $1 + $2}' >>"$tmp/$name"
}

: >"$tmp/plain"
: >"$tmp/report"
: >"$tmp/trace"
for i in $(seq "$runs"); do
	run plain "$@"
	run report --report "$tmp/r" "$@"
	report_kib=$(($(wc -c <"$tmp/r/report.json") / 1024))
	run trace --report "$tmp/r" --trace "$@"
done
plain=$(median <"$tmp/plain")
events=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["traceEvents"]))' "$tmp/r/trace.json")
extra() { awk -v a="$plain" -v b="$1" 'BEGIN {printf "%+.1f%%", (b / a - 1) * 100}'; }
printf '| | host CPU s, median of %s | extra | all runs | written |\n|---|---|---|---|---|\n' "$runs"
printf '| no report | %s | | %s | |\n' "$plain" "$(sort -g "$tmp/plain" | tr '\n' ' ')"
m=$(median <"$tmp/report")
printf '| `--report` | %s | %s | %s | report.json %s KiB |\n' "$m" "$(extra "$m")" \
	"$(sort -g "$tmp/report" | tr '\n' ' ')" "$report_kib"
m=$(median <"$tmp/trace")
printf '| `--report --trace` | %s | %s | %s | trace.json %s events, %s KiB |\n' "$m" "$(extra "$m")" \
	"$(sort -g "$tmp/trace" | tr '\n' ' ')" "$events" "$(($(wc -c <"$tmp/r/trace.json") / 1024))"
