#!/usr/bin/env python3
"""Compares the final states smpsim observed with every final state herd7 allows under x86-TSO.

    herd_states.py HERD_STATES_TSV LOG SUMMARY [--coverage-out FILE]

LOG is `smpsim litmus DIR` standard output (litmus7's log, one Histogram per test), SUMMARY its
standard error with --summary (one `NAME Ok|No OBSERVATION POS NEG FILE` line per test, in the same
order), HERD_STATES_TSV the suite's HERD-STATES.tsv (test_name, file, n_states, states separated by
" | "). A state herd7 does not allow is a failure (exit 1) naming the test and the state: the model
must only produce what x86-TSO allows. How many of the allowed states appeared is printed per test
with missing states and in total (coverage: more runs, or a better scheduler, find more).
"""
import argparse
import re
import sys


def normalise(state):
    """'[x]=1; 0:rax=0;' and 'x=1; 0:RAX=0;' name the same state: a sorted tuple of loc=value."""
    parts = [p.strip() for p in state.split(";") if p.strip()]
    out = []
    for p in parts:
        loc, _, value = p.partition("=")
        loc = loc.strip()
        if loc.startswith("[") and loc.endswith("]"):
            loc = loc[1:-1]
        if re.match(r"^\d+:", loc):
            loc = loc.lower()  # registers: herd7 writes the test's case or lower case (0:rax, 0:EAX)
        out.append(f"{loc}={value.strip()}")
    return tuple(sorted(out))


def read_herd(path):
    allowed = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 4:
                continue
            states = {normalise(s) for s in fields[3].split(" | ") if s.strip()}
            allowed[fields[1]] = states
    return allowed


def read_log(path):
    """The observed states of each test, in log order: [(name, {state: count})]."""
    tests = []
    histogram_left = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^Test (\S+) ", line)
            if m:
                tests.append((m.group(1), {}))
                continue
            m = re.match(r"^Histogram \((\d+) states?\)", line)
            if m:
                histogram_left = int(m.group(1))
                continue
            if histogram_left > 0:
                m = re.match(r"^(\d+)\s*[*:]>(.*)$", line)
                if not m:
                    sys.exit(f"herd_states: cannot read histogram line: {line!r}")
                tests[-1][1][normalise(m.group(2))] = int(m.group(1))
                histogram_left -= 1
    return tests


def read_summary(path, root):
    files = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 6 and fields[1] in ("Ok", "No"):
                file = fields[5]
                files.append(file[len(root):].lstrip("/") if file.startswith(root) else file)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("herd_states")
    ap.add_argument("log")
    ap.add_argument("summary")
    ap.add_argument("--root", required=True, help="the suite directory the summary's file names start with")
    ap.add_argument("--show-missing", type=int, default=3, help="missing states printed per test")
    ap.add_argument("--min-coverage", type=float, default=0.0,
                    help="fail when fewer than this percentage of the allowed states were seen")
    args = ap.parse_args()

    allowed = read_herd(args.herd_states)
    tests = read_log(args.log)
    files = read_summary(args.summary, args.root)
    if len(tests) != len(files) or not tests:
        sys.exit(f"herd_states: {len(tests)} tests in the log but {len(files)} in the summary")

    unsound = 0
    total_allowed = total_seen = 0
    incomplete = []
    for (name, observed), file in zip(tests, files):
        if file not in allowed:
            print(f"NO HERD STATES for {file}")
            unsound += 1
            continue
        herd = allowed[file]
        for state in sorted(observed):
            if state not in herd:
                print(f"FORBIDDEN {file} ({name}): {'; '.join(state)}; seen {observed[state]} times, "
                      "herd7 does not allow it under x86-TSO")
                unsound += 1
        seen = len(herd & set(observed))
        total_allowed += len(herd)
        total_seen += seen
        if seen < len(herd):
            incomplete.append((len(herd) - seen, file, name, seen, len(herd), sorted(herd - set(observed))))
    for missing, file, name, seen, n, states in sorted(incomplete, key=lambda t: (-t[0], t[1])):
        shown = "; ".join(" ".join(s) for s in states[: args.show_missing])
        more = f" (+{len(states) - args.show_missing} more)" if len(states) > args.show_missing else ""
        print(f"coverage {file}: {seen}/{n} allowed states seen; missing: {shown}{more}")
    pct = 100.0 * total_seen / total_allowed if total_allowed else 0.0
    print(f"{len(tests)} tests: {total_seen} of the {total_allowed} final states herd7 allows were seen "
          f"({pct:.1f}%), {len(tests) - len(incomplete)} tests complete; {unsound} states herd7 forbids")
    if pct < args.min_coverage:
        print(f"COVERAGE {pct:.1f}% is below the {args.min_coverage}% this suite reached when the floor was set")
        return 1
    return 1 if unsound else 0


if __name__ == "__main__":
    sys.exit(main())
