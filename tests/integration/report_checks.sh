#!/bin/sh
# Report checks: report_checks.sh SMPSIM GUEST CASE [SOURCE_DIR BINARY_DIR]
set -eu
smpsim=$1
guest=$2
case_name=$3
src=${4:-}
bin=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check_lib.sh"
cd "$tmp"

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
# the code behind the misses, as perf c2c names it: the spinlock torture line's HITMs come from
# spinlock_worker, on every CPU (its source line may be the inlined spinlock code's)
assert c2c["code_addresses"] is True
code = [l for l in top[:3] if "torture_counter+0x0" in fields(l)][0]["code"]
assert code and code[0]["symbol"].startswith("spinlock_worker+0x"), code[:3]
assert code[0]["source"].startswith("guest/"), code[0]
assert code[0]["cpus"] == [0, 1, 2, 3] and code[0]["hitm"] > 0, code[0]
PY
	grep -q '^  *[0-9]* *[0-9]* *[0-9]* *[0-9]* *[0-9]*  [0-9,]*  *spinlock_worker+0x[0-9a-f]* (guest/[a-z/_]*\.[ch]:[0-9]*)$' c2c.txt
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
reorder_weak_mp)
	# The message-passing self-test on the weak model: the x86 build (smp_rmb() a compiler barrier) fails it,
	# and its report shows the stale reads at the self-test's check of the data, in mp_worker, with the
	# smp_rmb() advice; the weak build (LFENCE) passes and shows none there.
	weak_guest=$(dirname "$guest")/guest-weak.elf
	check_line=$(grep -n 'if (READ_ONCE(mp_data) != i)' "$src/guest/kernel/test_mp.c" | cut -d: -f1)
	[ -n "$check_line" ]
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 4 --model weak --append selftest --report x86 \
		>x86.txt 2>/dev/null
	grep -q '^selftest mp: FAIL' x86.txt
	status_is 1 "$smpsim" boot --kernel "$weak_guest" --cpus 4 --model weak --append selftest --report weak \
		>weak.txt 2>/dev/null
	grep -q '^selftest mp: PASS' weak.txt
	python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" x86 weak
	status_is 0 "$smpsim" report x86 reorder >reorder.txt
	grep -q "load: *mp_worker+0x[0-9a-f]* (guest/kernel/test_mp.c:$check_line)" reorder.txt
	grep -q 'Stale reads (queued invalidation): [1-9][0-9]* (smp_rmb() would order these)' reorder.txt
	python3 - x86/report.json weak/report.json "guest/kernel/test_mp.c:$check_line" <<'PY'
import json, sys
where = sys.argv[3]
def at_check(path):
    weak = json.load(open(path))["reorder"]["weak"]
    rows = [r for r in weak["stale_reads"]["rows"] if r["load"]["source"] == where]
    for r in rows:
        assert r["load"]["symbol"].startswith("mp_worker+"), r
        assert r["load_data"]["symbol"].startswith("mp_data_line+"), r
        assert r["advice"] == "smp_rmb() would order these", r
    return sum(r["count"] for r in rows)
x86, weak = at_check(sys.argv[1]), at_check(sys.argv[2])
assert x86 > 0, "no stale reads at the mp check in the x86 build"
assert weak == 0, "stale reads at the mp check in the weak build: %d" % weak
PY
	;;
reorder_tso)
	# On tso the report has the store->load table (with the smp_mb() advice), every listed pair names
	# guest code, the spinlock torture's pair (load of torture_counter passing the store to
	# torture_holder: other CPUs write the counter) is among them with its fields, and the weak model's
	# tables are empty.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 4 --model tso --append selftest --report r >/dev/null 2>&1
	python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" r
	status_is 0 "$smpsim" report r reorder >reorder.txt
	grep -q 'Store->load reorderings other CPUs could observe (tso): [0-9]* (smp_mb() would order these)' \
		reorder.txt
	python3 - r/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["reorder"]
assert r["tso"]["advice"] == "smp_mb() would order these"
assert r["tso"]["rows"], r["tso"]
for row in r["tso"]["rows"]:
    for key in ("load", "store"):
        assert not row[key]["symbol"].startswith("0x"), row
    assert row["load"]["source"] and row["store"]["source"], row
assert any(row["load"]["symbol"].startswith("spinlock_worker+") and
           row["load_data"]["symbol"] == "torture_counter+0x0" and
           row["store_data"]["symbol"] == "torture_holder+0x0" for row in r["tso"]["rows"][:5]), r["tso"]
assert r["weak"]["stale_reads"]["total"] == 0 and r["weak"]["reordered_commits"]["total"] == 0, r["weak"]
PY
	;;
boot_report)
	# --report DIR --trace on a timing-mode boot: the four files, valid against docs/report.schema.json
	# and the trace-event rules; the same seed gives the same bytes; `smpsim report DIR [SECTION]` prints
	# the saved report as the run wrote it. Without --trace: the same report, no trace.json.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --model tso --seed 3 --report r1 --trace >console1.txt 2>err.txt
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --model tso --seed 3 --report r2 --trace >/dev/null 2>&1
	mkdir r3 && echo '{}' >r3/trace.json # an earlier run's: removed
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --model tso --seed 3 --report r3 >/dev/null 2>&1
	cmp r1/report.json r3/report.json
	[ ! -e r3/trace.json ]
	status_is 2 "$smpsim" boot --kernel "$guest" --trace >/dev/null 2>trace-err.txt
	one_line_error trace-err.txt
	grep -q -- '--trace needs --report DIR$' trace-err.txt
	# Recording a report does not change the run: the same console and summary as without it.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --model tso --seed 3 >console0.txt 2>err0.txt
	cmp console0.txt console1.txt
	grep -v ' s host' err.txt >err1-nohost.txt
	grep -v ' s host' err0.txt | cmp - err1-nohost.txt
	for f in report.json report.txt report.html trace.json; do
		[ -s "r1/$f" ] || { echo "r1/$f missing or empty" >&2; exit 1; }
		cmp "r1/$f" "r2/$f"
	done
	python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" r1
	status_is 0 "$smpsim" report r1 >all.txt
	cmp all.txt r1/report.txt
	for section in run timing c2c reorder network litmus; do
		status_is 0 "$smpsim" report r1 "$section" >"$section.txt"
		[ -s "$section.txt" ]
	done
	status_is 0 "$smpsim" report r1 c2c >c2c-again.txt
	cmp c2c.txt c2c-again.txt
	cat run.txt timing.txt c2c.txt reorder.txt network.txt litmus.txt | cmp - r1/report.txt
	grep -q 'Timing: where the cycles went' timing.txt
	grep -q '^  Interrupts per vector and CPU (count' timing.txt
	grep -q 'Shared Data Cache Line Table (by HITM)' c2c.txt
	grep -q 'smp_wmb() would order these' reorder.txt
	python3 - r1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/report.json"))
assert d["run"]["command"] == "boot" and d["run"]["mode"] == "tso" and d["run"]["seed"] == 3
cpus = d["timing"]["cpus"]
assert [c["cpu"] for c in cpus] == [0, 1]
for c in cpus:
    assert c["busy_cycles"] + c["idle_cycles"] == c["cycles"], c
    assert c["interrupt_cycles"] <= c["busy_cycles"], c
assert d["timing"]["interrupts_recorded"]
irqs = d["timing"]["interrupts"]
# every CPU took its local APIC timer; the counts agree with the CPUs' own interrupt counters
for c in cpus:
    mine = sum(i["count"] for i in irqs if i["cpu"] == c["cpu"])
    assert mine == c["interrupts"], (c["cpu"], mine, c["interrupts"])
    assert mine > 0
c2c = d["c2c"]
assert c2c["cpus"] == 2 and c2c["by_hitm"], "no HITM lines"
assert any(not l["symbol"].startswith("0x") for l in c2c["by_hitm"]), "no line named by a symbol"
assert d["network"] is None and d["litmus"] is None
trace = json.load(open(sys.argv[1] + "/trace.json"))
x = [e for e in trace["traceEvents"] if e["ph"] == "X"]
assert x and {e["tid"] for e in x if e["cat"] == "interrupt"} == {0, 1}, "interrupts missing on a CPU track"
# one complete event per interrupt that returned: at most the interrupts taken, at most a few fewer (a
# handler still running when the guest stopped)
taken = sum(i["count"] for i in irqs)
irq_x = [e for e in x if e["cat"] == "interrupt"]
assert taken - 2 * len(cpus) <= len(irq_x) <= taken, (len(irq_x), taken)
# the guest's regions: softirqs (__do_softirq and each softirq's action) on the CPUs' guest tracks, and
# RCU grace periods on their own track
names = {t["tid"]: t["args"]["name"] for t in trace["traceEvents"] if t["ph"] == "M" and t["name"] == "thread_name"}
soft = [e for e in x if e["cat"] == "softirq"]
assert {e["name"] for e in soft} >= {"__do_softirq", "softirq RCU"}, {e["name"] for e in soft}
assert {names[e["tid"]] for e in soft} == {"cpu0 guest", "cpu1 guest"}, {names[e["tid"]] for e in soft}
gps = [e for e in x if e["cat"] == "rcu"]
assert gps and all(names[e["tid"]] == "rcu" and e["name"].startswith("rcu gp ") for e in gps), gps[:3]
PY
	;;
replay_report)
	# A replay's report: the NIC's counters, the conntrack view and the trace's NAPI markers.
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 --report r --trace >/dev/null 2>&1
	python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" r
	status_is 0 "$smpsim" report r network >net.txt
	grep -q '^  Frames *: [0-9]* offered, [0-9]* delivered' net.txt
	grep -q '^  Conntrack table *: [0-9]* entries' net.txt
	python3 - r <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/report.json"))
nic = d["network"]["nic"]
assert nic["delivered"] > 0 and nic["offered"] >= nic["delivered"]
assert d["timing"]["replay"]["delivered"] == nic["delivered"]
assert d["network"]["conntrack"]["entries"] > 0
assert d["c2c"] is None  # functional mode
trace = json.load(open(sys.argv[1] + "/trace.json"))
napi = [e for e in trace["traceEvents"] if e["name"] == "NAPI poll done"]
assert napi and sum(e["args"]["frames"] for e in napi) == sum(nic["per_cpu"]), "NAPI markers do not add up"
assert {e["tid"] for e in napi} == {0, 1}
# counter tracks: the RX rings' free descriptors, sampled, for the queues the guest enabled
rx = [e for e in trace["traceEvents"] if e["ph"] == "C" and e["name"].startswith("rx descriptors free q")]
assert {e["name"] for e in rx} == {"rx descriptors free q0", "rx descriptors free q1"}, {e["name"] for e in rx}
assert all(isinstance(e["args"]["value"], int) for e in rx)
# per-packet latency: every frame the guest consumed followed from the wire to the end of its processing
p = d["timing"]["packets"]
assert p["count"] == nic["consumed"] == sum(nic["per_cpu"]), (p["count"], nic["consumed"])
assert p["written_back"] == nic["delivered"] and p["incomplete"] == 0 and p["unmatched_markers"] == 0, p
phases = p["phases"]
for name, s in phases.items():
    assert s["p50_ns"] <= s["p90_ns"] <= s["p99_ns"] <= s["max_ns"], (name, s)
    assert sum(b["count"] for b in s["histogram"]) == p["count"], name
    assert all(b["lo_ns"] < b["hi_ns"] for b in s["histogram"])
parts = ["wire_to_writeback", "writeback_to_interrupt", "interrupt_to_poll", "poll_to_done"]
total = sum(phases[k]["mean_ns"] for k in parts)
assert abs(total - phases["wire_to_done"]["mean_ns"]) <= 0.5, (total, phases["wire_to_done"]["mean_ns"])
assert phases["wire_to_done"]["max_ns"] >= max(phases[k]["max_ns"] for k in parts)
assert phases["poll_to_done"]["p50_ns"] > 0, "the stack's processing took no time"
tp = p["throughput"]
assert sum(tp["packets"]) == p["count"] and len(tp["packets"]) == len(tp["packets_per_ms"]) >= 20, tp["window_ns"]
# trace flows: one per followed packet, wire (the NIC's track) -> ... -> done (a CPU's guest track)
names = {t["tid"]: t["args"]["name"] for t in trace["traceEvents"] if t["ph"] == "M" and t["name"] == "thread_name"}
flows = {}
for e in trace["traceEvents"]:
    if e["ph"] in ("s", "t", "f"):
        flows.setdefault(e["id"], []).append(e)
assert len(flows) == p["flows_in_trace"] == min(p["count"], 1000 + max(0, p["count"] - 1000) // 100), len(flows)
for events in flows.values():
    events.sort(key=lambda e: (e["ts"], "stf".index(e["ph"])))
    assert names[events[0]["tid"]] == "nic rx" and events[0]["ph"] == "s"
    assert names[events[-1]["tid"]].endswith(" guest") and events[-1]["ph"] == "f"
soft = {e["name"] for e in trace["traceEvents"] if e.get("cat") == "softirq"}
assert "softirq NET_RX" in soft and "__do_softirq" in soft, soft
# NAPI polls are complete events inside softirq NET_RX on the same track, and softirq time per CPU
polls = [e for e in trace["traceEvents"] if e.get("cat") == "napi" and e["ph"] == "X"]
assert polls and all(e["name"] == "napi_poll" for e in polls), len(polls)
net_rx = [e for e in trace["traceEvents"] if e.get("name") == "softirq NET_RX" and e["ph"] == "X"]
for e in polls[:50]:
    assert any(n["tid"] == e["tid"] and n["ts"] <= e["ts"] and e["ts"] + e["dur"] <= n["ts"] + n["dur"]
               for n in net_rx), e
cpus = d["timing"]["cpus"]
assert any(c["softirq_cycles"] > 0 for c in cpus), cpus
assert all(c["softirq_cycles"] <= c["busy_cycles"] for c in cpus), cpus
PY
	status_is 0 "$smpsim" report r timing >timing.txt
	grep -q '^  Per-packet latency ([0-9]* packets' timing.txt
	grep -q '^    wire_to_done  *[0-9]* *[0-9]* *[0-9]* *[0-9]*' timing.txt
	grep -q '^    Throughput: [0-9]* windows of' timing.txt
	;;
golden_reports)
	# A fixed-seed timing-mode boot and a replay, their report.json against checked-in files. The kernel
	# and the capture are copied here and named relatively: the guest reads its kernel's path from the
	# multiboot command line, so another path would change the run. When a change of the guest or the
	# models changes the files on purpose, regenerate them (docs/REPORTS.md, "Tests").
	cp "$guest" guest.elf
	cp "$src/traces/mixed.pcap" mixed.pcap
	status_is 1 "$smpsim" boot --kernel guest.elf --cpus 2 --model tso --seed 1 --report boot_tso >/dev/null 2>&1
	status_is 1 "$smpsim" replay mixed.pcap --kernel guest.elf --cpus 2 --seed 1 --report replay >/dev/null 2>&1
	for name in boot_tso replay; do
		diff -u "$src/tests/integration/report/$name.json" "$name/report.json" | head -40
		cmp -s "$src/tests/integration/report/$name.json" "$name/report.json"
	done
	;;
litmus_report)
	# A litmus run's report against a checked-in expected report.json (the golden file), and the weak
	# model's mechanisms named in the reorder section. Paths are relative to the source tree, as given.
	(cd "$src" && "$smpsim" litmus tests/litmus/SB.litmus tests/litmus/MP.litmus tests/litmus/MP+sfence+lfence.litmus \
		--model weak --runs 300 --seed 5 --report "$tmp/r" >/dev/null 2>&1)
	python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" r
	[ ! -e r/trace.json ]
	diff -u "$src/tests/integration/report/litmus_weak.json" r/report.json
	status_is 0 "$smpsim" report r reorder >reorder.txt
	grep -q '^    MP: .*smp_[rw]mb() would order them' reorder.txt
	status_is 0 "$smpsim" report r litmus >litmus.txt
	grep -q '^  SB Allowed: Ok (Sometimes)' litmus.txt
	;;
html_chromium)
	# report.html opened offline in headless Chromium: the page's script builds every section's tables,
	# draws its charts with the inlined Chart.js, and reports no error; a screenshot is kept in the build
	# tree.
	# Chromium is required (scripts/setup installs it): without it the test fails.
	if command -v chromium >/dev/null; then
		browser=$(command -v chromium)
	elif command -v chromium-browser >/dev/null; then
		browser=$(command -v chromium-browser)
	else
		echo "FAIL: chromium is not installed (scripts/setup installs it)"
		exit 1
	fi
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --model tso --report r >/dev/null 2>&1
	grep -q 'Chart.js v' r/report.html
	# (`! grep` would not fail the script: set -e ignores a negated command.)
	if grep -q '<script[^>]*src=' r/report.html; then
		echo "report.html loads a script from elsewhere" >&2
		exit 1
	fi
	if grep -q 'https\?://[^"]*\.js' r/report.html; then
		echo "report.html names a script on the network" >&2
		exit 1
	fi
	run_browser() {
		# No network: the page must not need it. A fresh profile each time; no sandbox (tests may run as root).
		timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" \
			--proxy-server=127.0.0.1:9 --virtual-time-budget=10000 "$@" 2>>browser.log
	}
	run_browser --dump-dom "file://$tmp/r/report.html" >dom.html
	grep -o '<body[^>]*>' dom.html >body.txt
	grep -q 'data-rendered="1"' body.txt || { cat body.txt browser.log >&2; exit 1; }
	if grep -q 'data-error' body.txt; then cat body.txt >&2; exit 1; fi
	charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' body.txt)
	[ "$charts" -ge 3 ] || { echo "only $charts charts drawn" >&2; exit 1; }
	for id in section-run section-timing section-c2c section-reorder section-network section-litmus \
		timing-cpus c2c-by-hitm chart-cpu-time chart-c2c-hitm reorder-tso reorder-stale-reads reorder-commits; do
		grep -q "id=\"$id\"" dom.html || { echo "no #$id in the rendered page" >&2; exit 1; }
	done
	grep -q 'data-drawn="1"' dom.html
	# Every table sorts by its first column, both ways (the page checks itself under #check-sort).
	run_browser --dump-dom "file://$tmp/r/report.html#check-sort" >sorted.html
	grep -o '<body[^>]*>' sorted.html | grep -q 'data-sort-check="ok"' || { grep -o '<body[^>]*>' sorted.html >&2; exit 1; }
	# The litmus page draws a histogram per test.
	(cd "$src" && "$smpsim" litmus tests/litmus/SB.litmus --model weak --runs 100 --report "$tmp/l" >/dev/null 2>&1)
	run_browser --dump-dom "file://$tmp/l/report.html" >ldom.html
	grep -q 'data-rendered="1"' ldom.html
	grep -q 'id="chart-litmus-0"[^>]*data-drawn="1"\|data-drawn="1"[^>]*id="chart-litmus-0"' ldom.html
	# A replay's page draws the per-packet latency histogram and the throughput over simulated time.
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 --report "$tmp/p" >/dev/null 2>&1
	run_browser --dump-dom "file://$tmp/p/report.html" >pdom.html
	grep -o '<body[^>]*>' pdom.html | grep -q 'data-rendered="1"'
	if grep -o '<body[^>]*>' pdom.html | grep -q 'data-error'; then grep -o '<body[^>]*>' pdom.html >&2; exit 1; fi
	grep -q 'id="timing-packets"' pdom.html
	for id in chart-packet-latency chart-packet-throughput; do
		grep -q "id=\"$id\"[^>]*data-drawn=\"1\"\|data-drawn=\"1\"[^>]*id=\"$id\"" pdom.html ||
			{ echo "#$id not drawn" >&2; exit 1; }
	done
	if [ -n "$bin" ]; then
		run_browser --screenshot="$bin/report_html.png" --window-size=1280,2400 "file://$tmp/r/report.html" >/dev/null
		[ -s "$bin/report_html.png" ]
	fi
	;;
bad_report_dirs)
	# --report DIR that cannot be a report directory, and `smpsim report DIR` on what is not a report:
	# one line on stderr, status 2, before any simulation.
	touch plain
	status_is 2 "$smpsim" boot --kernel "$guest" --report plain >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'plain: --report needs a directory' err.txt
	status_is 2 "$smpsim" boot --kernel "$guest" --report /dev/null >/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" boot --kernel "$guest" --report no-such-parent/dir >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'cannot create the report directory' err.txt
	status_is 2 "$smpsim" litmus "$src/tests/litmus/SB.litmus" --runs 10 --report plain >/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --report plain >/dev/null 2>err.txt
	one_line_error err.txt
	if [ "$(id -u)" != 0 ]; then
		mkdir locked && chmod 555 locked
		status_is 2 "$smpsim" boot --kernel "$guest" --report locked >/dev/null 2>err.txt
		one_line_error err.txt
		grep -q 'cannot write into the report directory' err.txt
	fi
	mkdir empty
	status_is 2 "$smpsim" report empty >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'no report.json' err.txt
	status_is 2 "$smpsim" report plain >/dev/null 2>err.txt
	one_line_error err.txt
	status_is 2 "$smpsim" report /dev/null >/dev/null 2>err.txt
	one_line_error err.txt
	mkdir bad && printf 'not json\n' >bad/report.json
	status_is 2 "$smpsim" report bad >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'not a JSON file' err.txt
	mkdir other && printf '{"schema": "smpsim-report/99"}\n' >other/report.json
	status_is 2 "$smpsim" report other >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'smpsim-report/99' err.txt
	mkdir broken && printf '{"schema": "smpsim-report/1", "run": {}, "timing": {}, "c2c": null, "reorder": {}, "network": null, "litmus": null}\n' >broken/report.json
	status_is 2 "$smpsim" report broken >/dev/null 2>err.txt
	one_line_error err.txt
	mkdir fifo && mkfifo fifo/report.json
	status_is 2 "$smpsim" report fifo >/dev/null 2>err.txt
	one_line_error err.txt
	# A good report, a section that does not exist.
	(cd "$src" && "$smpsim" litmus tests/litmus/SB.litmus --runs 10 --report "$tmp/good" >/dev/null 2>&1)
	status_is 2 "$smpsim" report good nonsense >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q "no report section 'nonsense'" err.txt
	status_is 2 "$smpsim" report good c2c --stats x.json >/dev/null 2>err.txt
	one_line_error err.txt
	# The validator fails on a report that breaks the schema or a trace that breaks the format rules.
	python3 - good/report.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["reorder"]
json.dump(d, open(sys.argv[1], "w"))
PY
	status_is 1 python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" good >/dev/null
	mkdir -p t && cp "$src/tests/integration/report/litmus_weak.json" t/report.json
	printf '{"traceEvents": [{"ph": "X", "name": "a", "ts": 5, "pid": 0, "tid": 0}, {"ph": "i", "name": "b", "ts": 1, "pid": 0, "tid": 0}]}\n' >t/trace.json
	status_is 1 python3 "$src/tests/integration/report_validate.py" "$src/docs/report.schema.json" t >out.txt
	grep -q 'without a non-negative dur' out.txt
	grep -q 'before 5 on track' out.txt
	;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac
