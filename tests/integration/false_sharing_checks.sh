#!/bin/sh
# The guest's false-sharing scenario in the c2c report (docs/REPORTS.md, "False sharing"):
# false_sharing_checks.sh SMPSIM GUEST
set -eu
smpsim=$1
guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# CPU0 and CPU1 increment adjacent fields of fs_packed (one line), then the fields of fs_padded (a line
# each). The guest resets the line statistics after initialising fs_packed.
status=0
"$smpsim" boot --kernel "$guest" --cpus 2 --model tso --append selftest=only,falseshare --report r \
	>console.txt 2>/dev/null || status=$?
[ "$status" = 1 ] || { echo "exit status $status" >&2; exit 1; }
grep -q '^selftest false-sharing: PASS' console.txt
grep -q '^selftest false-sharing-padded: PASS' console.txt
[ "$(grep -c '^selftest ' console.txt)" = 2 ] # selftest=only: these two tests alone
python3 - r/report.json <<'PY'
import json, sys
c2c = json.load(open(sys.argv[1]))["c2c"]
lines = {l["paddr"]: l for table in ("by_hitm", "by_invalidations") for l in c2c[table]}
def fields(line):
    return {f["symbol"]: f for f in line["fields"]}
packed = [l for l in lines.values() if l["symbol"].startswith("fs_packed+")]
assert len(packed) == 1, [l["symbol"] for l in lines.values()]
line = packed[0]
assert line["false_sharing"], line
assert line["hitm"] > 10, line["hitm"]
f = fields(line)
# Both fields, each written by its own CPU only.
assert set(f) == {"fs_packed+0x0", "fs_packed+0x8"}, list(f)
assert f["fs_packed+0x0"]["writers"] == [0] and f["fs_packed+0x0"]["readers"] == [0], f["fs_packed+0x0"]
assert f["fs_packed+0x8"]["writers"] == [1] and f["fs_packed+0x8"]["readers"] == [1], f["fs_packed+0x8"]
assert f["fs_packed+0x0"]["source"].startswith("guest/kernel/test_false_sharing.c:"), f["fs_packed+0x0"]
# The padded struct: no line of it is flagged.
padded = [l for l in lines.values() if l["symbol"].startswith("fs_padded+")]
assert not [l for l in padded if l["false_sharing"]], padded
assert c2c["totals"]["false_sharing_lines"] >= 1
PY
grep -q 'HITM #[0-9]* 0x[0-9a-f]*  fs_packed+0x0 .*\[false sharing\]' r/report.txt
grep -q 'bytes 8-15     fs_packed+0x8 (guest/kernel/test_false_sharing.c:[0-9]*) readers 1  *writers 1$' r/report.txt
