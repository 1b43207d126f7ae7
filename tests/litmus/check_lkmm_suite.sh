#!/bin/sh
# Runs the LKMM C litmus tests of ../shared/litmus/lkmm on the guest's own primitives, on both models
# (each with its matching barrier build), and checks them against the LKMM's verdicts (VERDICTS.tsv):
#  - a state the LKMM forbids (a `Never` test's condition) must never appear: a test that shows one
#    fails, naming the test, the state and the model;
#  - coverage of the `Sometimes` tests (did the allowed state appear?) is reported per model and in
#    total, and a few outcomes the models must show are required: SB on both, MP without barriers
#    on weak only.
#
#   check_lkmm_suite.sh SMPSIM SHARED_LITMUS_DIR RUNS CACHE_DIR [MODELS]   (MODELS: "tso weak" by default)
set -eu
smpsim=$1
shared=$2/lkmm
runs=${3:-2000}
cache=${4:-${TMPDIR:-/tmp}/smpsim-lkmm-cache}
models=${5:-tso weak}
if [ ! -f "$shared/VERDICTS.tsv" ]; then
	echo "SKIP: $shared is absent (third-party LKMM tests)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for model in $models; do
	"$smpsim" litmus "$shared/tests" --model "$model" --runs "$runs" --cache-dir "$cache" \
		--summary-json "$tmp/$model.json" >"$tmp/$model.log" 2>"$tmp/$model.err" || {
		echo "FAIL: smpsim litmus on $model: $(tail -1 "$tmp/$model.err")"
		fail=1
		continue
	}
	tail -1 "$tmp/$model.err"
done
[ "$fail" = 0 ] || exit 1
python3 - "$shared/VERDICTS.tsv" "$tmp" $models <<'PY'
import csv, json, os, re, sys
verdicts, tmp, models = sys.argv[1], sys.argv[2], sys.argv[3:]
expected = {}
with open(verdicts) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        expected[os.path.basename(row["file"])] = row["expected"]
bad = 0
cover = {}
seen = {}
for model in models:
    results = json.load(open(os.path.join(tmp, model + ".json")))["tests"]
    # The witnessed states, from the log: lines "COUNT *>STATE" under "Test NAME".
    states, name = {}, None
    for line in open(os.path.join(tmp, model + ".log")):
        m = re.match(r"Test (\S+) ", line)
        if m:
            name = m.group(1)
        m = re.match(r"\d+\s+\*>(.*)", line)
        if m and name:
            states.setdefault(name, []).append(m.group(1).strip())
    hit = total = 0
    for r in results:
        base = os.path.basename(r["file"])
        if base not in expected:
            continue
        exp, obs = expected[base], r["observation"]
        seen[(base, model)] = obs
        if exp == "Never" and r["positive"] > 0:
            for s in states.get(r["name"], ["?"]):
                print(f"FAIL: {r['name']} ({base}) on {model} (barriers {r.get('guest_barriers')}): "
                      f"the LKMM forbids the state {s}, seen in {r['positive']} of {r['positive'] + r['negative']} runs")
            bad += 1
        if exp == "Sometimes":
            total += 1
            hit += r["positive"] > 0
            print(f"coverage {model}: {r['name']}: {'seen' if r['positive'] else 'not seen'} ({r['positive']} runs)")
    cover[model] = (hit, total)
    print(f"{model}: {len(results)} tests, {sum(1 for r in results if os.path.basename(r['file']) in expected and expected[os.path.basename(r['file'])] == 'Never')} Never tests without a forbidden state: {'yes' if not bad else 'NO'}; Sometimes states seen: {hit} of {total}")
def need(base, model, want):
    global bad
    got = seen.get((base, model))
    if got is None:
        return
    if (got != "Never") != want:
        print(f"FAIL: {base} on {model}: expected the relaxed outcome to {'appear' if want else 'never appear'}, got {got}")
        bad += 1
    else:
        print(f"ok: {base} on {model}: {got}")
need("C-3.SB+o-o+o-mb-o+o-mb-o.litmus", "tso", True)
need("C-3.SB+o-o+o-mb-o+o-mb-o.litmus", "weak", True)
need("C-mp+o-mb-o+o-wmb-o.litmus", "tso", False)
print("total coverage: " + ", ".join(f"{m} {cover[m][0]}/{cover[m][1]}" for m in models))
sys.exit(1 if bad else 0)
PY
