#!/bin/sh
# The mechanism attribution of C tests: SB's relaxed state (both loads 0) comes from the store buffer
# (a load passing an older store another CPU then saw): on tso every such run must count the store
# buffer and none the invalidate queue (tso has none); on weak every such run must count at least one of
# the two mechanisms. Then the harness's wait hints: a CPU waiting at a barrier or for the start is not
# stepped, so an iteration of SB runs few harness instructions (595 when waiting CPUs spun), and one of
# RCU-grace-period, whose waiting CPUs wake when a grace period starts, few too (a hint that never woke
# them would end the run with "did not finish").
#
#   check_lkmm_mechanisms.sh SMPSIM RUNS CACHE_DIR
set -eu
smpsim=$1
runs=${2:-2000}
cache=${3:-${TMPDIR:-/tmp}/smpsim-lkmm-cache}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for model in tso weak; do
	"$smpsim" litmus "$dir/SB.litmus" --model "$model" --runs "$runs" --cache-dir "$cache" \
		--summary-json "$tmp/$model.json" >/dev/null
	python3 - "$tmp/$model.json" "$model" <<'PY' || fail=1
import json, sys
path, model = sys.argv[1], sys.argv[2]
test = json.load(open(path))["tests"][0]
rows = [m for m in test["mechanisms"] if m["state"] == "0:r0=0; 1:r0=0;"]
if not rows or rows[0]["runs"] == 0:
    sys.exit(f"FAIL: {model}: SB's relaxed state did not appear in {test['negative'] + test['positive']} runs")
m = rows[0]
if model == "tso":
    ok = m["store_buffer"] == m["runs"] and m["invalidate_queue"] == 0
else:
    ok = m["store_buffer"] > 0 and m["store_buffer"] + m["invalidate_queue"] >= m["runs"]
print(("ok" if ok else "FAIL") + f": {model}: {m['runs']} runs, store-buffer {m['store_buffer']}, "
      f"invalidate-queue {m['invalidate_queue']}")
sys.exit(0 if ok else 1)
PY
done
for case in SB:tso:400 SB:weak:420 RCU-grace-period:tso:2000 RCU-grace-period:weak:2000; do
	test=${case%%:*} rest=${case#*:} model=${rest%%:*} limit=${rest#*:}
	"$smpsim" litmus "$dir/$test.litmus" --model "$model" --runs "$runs" --cache-dir "$cache" \
		--summary-json "$tmp/steps.json" >/dev/null || { echo "FAIL: $test on $model did not run"; fail=1; continue; }
	python3 - "$tmp/steps.json" "$test" "$model" "$limit" <<'PY' || fail=1
import json, sys
path, name, model, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = json.load(open(path))["tests"][0]
per = t["instructions"] / (t["positive"] + t["negative"])
ok = per <= limit
print(("ok" if ok else "FAIL") + f": {name} on {model}: {per:.0f} guest instructions per iteration (at most {limit})")
sys.exit(0 if ok else 1)
PY
done
exit $fail
