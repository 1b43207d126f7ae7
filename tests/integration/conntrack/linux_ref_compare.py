#!/usr/bin/env python3
"""Compare a replay's conntrack results with Linux's own for the same capture.

linux_ref_compare.py SUMMARY_JSON LINUX_REF_DIR TRACE_NAME

SUMMARY_JSON is `smpsim replay --summary-json` of TRACE_NAME replayed as ../shared/traces/SOURCES.md's
"Linux reference" did (--rewrite dmac,strip-vlan, --net router, --append ct.events). LINUX_REF_DIR holds
<trace>.table.txt (conntrack -L, sorted, timeout column removed), <trace>.events.txt (conntrack -E) and
<trace>.summary.txt. Checks, and prints every difference before failing:
  - the final table, timeouts removed, equals Linux's line for line;
  - the events equal Linux's in kind, state and order per flow (full lines; timeouts only on DESTROY
    lines are ignored, as they depend on when the entry died);
  - the packets per ct state at PRE_ROUTING (new, established, related, invalid, untracked) and the
    forwarded packets equal the summary's.
Exit status 0 when everything is equal, 1 otherwise, 2 on bad input.
"""
import json
import re
import sys
from collections import OrderedDict

ENTRY_TIMEOUT = re.compile(r"^(\S+ +\d+ )\d+ ")
EVENT = re.compile(r"^\[(NEW|UPDATE|DESTROY)\] (\S+ +\d+ )(\d+ )?(.*)$")


def table_without_timeouts(lines):
    return sorted(ENTRY_TIMEOUT.sub(r"\1", line) for line in lines)


def flow_key(event_rest, proto):
    """The original direction's tuple: the fields up to the second src=."""
    fields = [f for f in event_rest.split() if not f.startswith("[")]
    src = [i for i, f in enumerate(fields) if f.startswith("src=")]
    end = src[1] if len(src) > 1 else len(fields)
    start = src[0] if src else 0
    return proto.split()[0] + " " + " ".join(fields[start:end])


def events_per_flow(lines):
    flows = OrderedDict()
    for line in lines:
        m = EVENT.match(line)
        if not m:
            raise ValueError(f"not an event line: {line!r}")
        kind, proto, timeout, rest = m.groups()
        shown = f"[{kind}] {proto}{'' if kind == 'DESTROY' or timeout is None else timeout}{rest}"
        flows.setdefault(flow_key(rest, proto), []).append(shown)
    return flows


def read_summary(path):
    text = open(path).read()
    counts = re.search(r"prerouting ct state packets: new=(\d+) established=(\d+) related=(\d+) "
                       r"invalid=(\d+) untracked=(\d+)", text)
    forwarded = re.search(r"forwarded packets (\d+)", text)
    if not counts or not forwarded:
        raise ValueError(f"{path}: no prerouting counts or forwarded packets")
    names = ["new", "established", "related", "invalid", "untracked"]
    return dict(zip(names, map(int, counts.groups()))), int(forwarded.group(1))


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    summary_path, ref_dir, trace = sys.argv[1:]
    try:
        summary = json.load(open(summary_path))
        ref_table = [l for l in open(f"{ref_dir}/{trace}.table.txt").read().splitlines() if l]
        ref_events = [l for l in open(f"{ref_dir}/{trace}.events.txt").read().splitlines() if l]
        ref_counts, ref_forwarded = read_summary(f"{ref_dir}/{trace}.summary.txt")
    except (OSError, ValueError) as e:
        print(f"linux_ref_compare: {e}", file=sys.stderr)
        return 2
    ct = summary.get("conntrack")
    if not isinstance(ct, dict):
        print(f"{trace}: the summary has no conntrack object (was conntrack on?)", file=sys.stderr)
        return 1
    failures = []

    got_table = table_without_timeouts(ct.get("table", []))
    want_table = sorted(ref_table)
    if got_table != want_table:
        missing = [l for l in want_table if l not in got_table]
        extra = [l for l in got_table if l not in want_table]
        failures.append(f"table: {len(got_table)} entries, Linux {len(want_table)}")
        failures += [f"  only in Linux's: {l}" for l in missing]
        failures += [f"  only in smpsim's: {l}" for l in extra]

    try:
        got_flows, want_flows = events_per_flow(ct.get("events", [])), events_per_flow(ref_events)
    except ValueError as e:
        failures.append(f"events: {e}")
        got_flows, want_flows = {}, {}
    for key in sorted(set(got_flows) | set(want_flows)):
        got, want = got_flows.get(key, []), want_flows.get(key, [])
        if got != want:
            failures.append(f"events of flow {key}:")
            failures += [f"  Linux:  {l}" for l in want] or ["  Linux:  (none)"]
            failures += [f"  smpsim: {l}" for l in got] or ["  smpsim: (none)"]

    got_counts = ct.get("prerouting", {})
    for name, want in ref_counts.items():
        if got_counts.get(name) != want:
            failures.append(f"prerouting {name}: smpsim {got_counts.get(name)}, Linux {want}")
    if ct.get("forwarded") != ref_forwarded:
        failures.append(f"forwarded packets: smpsim {ct.get('forwarded')}, Linux {ref_forwarded}")

    if failures:
        print(f"{trace}: differs from Linux's conntrack:", file=sys.stderr)
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"ok: {trace}: {len(got_table)} entries, {sum(len(v) for v in got_flows.values())} events, "
          f"prerouting {got_counts}, {ct.get('forwarded')} forwarded: equal to Linux's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
