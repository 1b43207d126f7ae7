#!/bin/sh
# Report checks: report_checks.sh SMPSIM GUEST CASE
set -eu
smpsim=$1
guest=$2
case_name=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# status_is N CMD...: the command must exit with status N.
status_is() {
	want=$1
	shift
	status=0
	"$@" || status=$?
	[ "$status" = "$want" ] || { echo "exit status $status, expected $want: $*" >&2; exit 1; }
}

# one_line_error FILE: stderr held exactly one "smpsim: error: " line.
one_line_error() {
	[ "$(wc -l <"$1")" = 1 ] || { echo "stderr is not one line:" >&2; cat "$1" >&2; exit 1; }
	grep -q '^smpsim: error: ' "$1"
}

case $case_name in
c2c_selftest)
	# The self-tests on 4 CPUs in the timing mode, then the c2c report of their line statistics: the
	# most contended lines are the spinlock torture test's lock and counter and the seqlock test's
	# lock, named by symbol with their source files.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 4 --model tso --append selftest --stats stats.json \
		>console.txt 2>/dev/null
	grep -q 'spinlock' console.txt
	status_is 0 "$smpsim" report c2c --kernel "$guest" --stats stats.json --json c2c.json >c2c.txt 2>err.txt
	grep -q '^smpsim: c2c: [0-9]* lines touched, [0-9]* with HITM' err.txt
	grep -q 'symbols and source lines' err.txt
	grep -q 'Shared Data Cache Line Table (by HITM)' c2c.txt
	grep -q 'torture_counter+0x0 (guest/kernel/test_spinlock.c:[0-9]*)' c2c.txt
	python3 - c2c.json <<'PY'
import json, sys
c2c = json.load(open(sys.argv[1]))["c2c"]
assert c2c["schema"] == "smpsim.report.c2c/1", c2c["schema"]
assert c2c["model"] == "tso" and c2c["cpus"] == 4
top = c2c["by_hitm"][:5]
assert len(top) == 5, "fewer than 5 lines with HITM"
for line in top:
    # every top line is guest data, named by symbol, declared in the guest's sources
    assert not line["symbol"].startswith("0x"), line["paddr_hex"]
    assert line["source"] and line["source"].startswith("guest/"), line
    assert line["hitm"] > 0
def fields(line):
    return {f["symbol"]: f for f in line["fields"]}
top3 = [fields(l) for l in top[:3]]
spin = [f for f in top3 if "torture_counter+0x0" in f and "torture_lock+0x0" in f]
assert spin, "the spinlock torture line is not among the top 3 by HITM: %s" % [l["symbol"] for l in top]
for name in ("torture_counter+0x0", "torture_lock+0x0"):
    f = spin[0][name]
    assert f["writers"] == [0, 1, 2, 3], (name, f["writers"])
    assert f["source"].startswith("guest/kernel/test_spinlock.c:"), f["source"]
assert any("seq_lock+0x0" in f for f in top3), "the seqlock line is not among the top 3 by HITM"
# the same lines lead the invalidation table
inval = [l["paddr"] for l in c2c["by_invalidations"][:3]]
assert any(l["paddr"] in inval for l in top[:2]), inval
assert c2c["code_addresses"] is None
PY
	# Same inputs, same report.
	status_is 0 "$smpsim" report c2c --kernel "$guest" --stats stats.json --json c2c2.json --top 10 >c2c2.txt \
		2>/dev/null
	cmp c2c.txt c2c2.txt
	cmp c2c.json c2c2.json
	# A stripped kernel: addresses only, still a report.
	objcopy --strip-all "$guest" stripped.elf
	status_is 0 "$smpsim" report c2c --kernel stripped.elf --stats stats.json --top 3 >stripped.txt 2>err.txt
	grep -q 'no symbols' err.txt
	grep -q '^  0  0x[0-9a-f]* .* 0x[0-9a-f]*$' stripped.txt
	;;
bad_inputs)
	# Each bad input: one line on stderr, status 2.
	printf 'not json\n' >bad.json
	printf '{"schema": "smpsim-summary/1"}\n' >summary.json
	printf '{"schema": "smpsim.cache_mesi.lines/1", "line_size": 64, "cpus": 1, "lines": []}\n' >empty.json
	head -c 1000 "$guest" >truncated.elf
	status_is 2 "$smpsim" report c2c --kernel "$guest" --stats bad.json >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'bad.json: not a JSON file' err.txt
	status_is 2 "$smpsim" report c2c --kernel "$guest" --stats summary.json >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'not a line statistics file' err.txt
	status_is 2 "$smpsim" report c2c --kernel "$guest" --stats missing.json >/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" report c2c --kernel truncated.elf --stats empty.json >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'truncated.elf: malformed ELF' err.txt
	status_is 2 "$smpsim" report c2c --kernel bad.json --stats empty.json >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'bad.json: not an ELF file' err.txt
	status_is 2 "$smpsim" report c2c --kernel "$guest" >/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" report c2c --kernel "$guest" --stats empty.json --json no-such-dir/c2c.json \
		>/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" report >/dev/null 2>err.txt
	one_line_error err.txt
	# An empty table is a report, not an error.
	status_is 0 "$smpsim" report c2c --kernel "$guest" --stats empty.json >out.txt 2>/dev/null
	grep -q 'Cache lines touched *: 0' out.txt
	;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac
