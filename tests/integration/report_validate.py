#!/usr/bin/env python3
"""Checks the files of a report directory (smpsim --report DIR).

report_validate.py SCHEMA DIR...: every DIR's report.json against the JSON Schema (Debian's
python3-jsonschema), and its trace.json, when there is one, against the rules of the Chrome trace-event
format that ui.perfetto.dev and chrome://tracing rely on: every event has ph, ts, pid and tid; complete
events ("X") have a non-negative dur; B/E pairs match; flow events (s/t/f) connect by id (in time order:
one s first, one f last, steps between); timestamps never go back on a track; and on each track the
complete events nest (an event that starts inside another ends inside it; one that starts where another
ends is its sibling). Prints one line per problem and exits 1 if there was any.
"""
import json
import os
import sys

import jsonschema


def check_trace(path, problems):
    with open(path) as f:
        doc = json.load(f)
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list) or not events:
        problems.append(f"{path}: no traceEvents")
        return
    last_ts = {}
    open_x = {}
    stacks = {}
    flows = {}
    for i, e in enumerate(events):
        where = f"{path}: event {i}"
        for key in ("ph", "ts", "pid", "tid"):
            if key not in e:
                problems.append(f"{where}: no {key}: {e}")
                return
        ph, ts, track = e["ph"], e["ts"], (e["pid"], e["tid"])
        if not isinstance(ts, (int, float)) or ts < 0:
            problems.append(f"{where}: bad ts {ts}")
        if ph == "M":
            continue
        if "name" not in e:
            problems.append(f"{where}: no name")
        if ts < last_ts.get(track, 0):
            problems.append(f"{where}: ts {ts} before {last_ts[track]} on track {track}")
        last_ts[track] = ts
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                problems.append(f"{where}: X event without a non-negative dur")
                continue
            ends = open_x.setdefault(track, [])
            while ends and ends[-1] <= ts + 1e-6:
                ends.pop()
            if ends and ts + dur > ends[-1] + 1e-6:
                problems.append(f"{where}: X event [{ts}, {ts + dur}] overlaps its parent ending at {ends[-1]}")
            ends.append(ts + dur)
        elif ph == "B":
            stacks.setdefault(track, []).append(e["name"])
        elif ph == "E":
            if not stacks.get(track):
                problems.append(f"{where}: E without B")
            else:
                stacks[track].pop()
        elif ph in ("s", "t", "f"):
            flows.setdefault(e.get("id"), []).append((ts, "stf".index(ph), ph))
        elif ph in ("i", "I", "C"):
            if ph == "C" and not isinstance(e.get("args"), dict):
                problems.append(f"{where}: counter event without args")
        else:
            problems.append(f"{where}: unexpected phase {ph}")
    for track, stack in stacks.items():
        if stack:
            problems.append(f"{path}: track {track}: B events without E: {stack}")
    for flow_id, points in flows.items():
        phases = "".join(p[2] for p in sorted(points))
        if phases.count("s") != 1 or phases.count("f") != 1 or phases[0] != "s" or phases[-1] != "f":
            problems.append(f"{path}: flow {flow_id} does not start with one s and end with one f: {phases}")


def main():
    if len(sys.argv) < 3:
        print("usage: report_validate.py SCHEMA DIR...", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for d in sys.argv[2:]:
        path = os.path.join(d, "report.json")
        with open(path) as f:
            doc = json.load(f)
        for e in validator.iter_errors(doc):
            problems.append(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
        trace = os.path.join(d, "trace.json")
        if os.path.exists(trace):
            check_trace(trace, problems)
    for p in problems[:50]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
