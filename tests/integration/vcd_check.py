#!/usr/bin/env python3
"""Checks a VCD file (IEEE 1364 value change dump) as GTKWave reads it.

vcd_check.py FILE [--signal NAME]... [--changes NAME]... [--rises NAME]... [--falls NAME]...

The header must have $timescale, $scope/$upscope pairs, $var declarations and $enddefinitions; the
body value changes of declared identifiers under non-decreasing #timestamps. NAME is a signal's full
name, scopes joined by dots ("SystemC.cpu0.intr"):
  --signal   it is declared
  --changes  its value changes after the initial dump
  --rises    it goes from 0 to 1 (or from 0 to a larger value) after time 0
  --falls    it goes from a non-zero value to 0 after time 0
"""
import argparse
import sys


def fail(message):
    print(f"vcd_check: {message}", file=sys.stderr)
    sys.exit(1)


def parse(text):
    tokens = text.split()
    i = 0
    scopes, signals, ids = [], {}, {}
    keywords = set()
    # Header: sections from $keyword to $end.
    while i < len(tokens):
        tok = tokens[i]
        if not tok.startswith("$"):
            fail(f"header: unexpected '{tok}'")
        try:
            end = tokens.index("$end", i + 1)
        except ValueError:
            fail(f"header: {tok} without $end")
        body = tokens[i + 1:end]
        keywords.add(tok)
        if tok == "$scope":
            if len(body) != 2:
                fail(f"$scope {body}")
            scopes.append(body[1])
        elif tok == "$upscope":
            if not scopes:
                fail("$upscope without $scope")
            scopes.pop()
        elif tok == "$var":
            if len(body) < 4:
                fail(f"$var {body}")
            kind, width, ident, name = body[0], int(body[1]), body[2], body[3]
            if kind not in ("wire", "reg", "integer", "real"):
                fail(f"$var of kind {kind}")
            full = ".".join(scopes + [name])
            if full in signals:
                fail(f"{full} declared twice")
            signals[full] = {"width": width, "id": ident}
            ids.setdefault(ident, []).append(full)
        i = end + 1
        if tok == "$enddefinitions":
            break
    else:
        fail("no $enddefinitions")
    for needed in ("$timescale", "$scope", "$var"):
        if needed not in keywords:
            fail(f"no {needed} in the header")
    if scopes:
        fail(f"unclosed scopes {scopes}")
    # Body: #time, $dumpvars ... $end, value changes.
    now = None
    values = {ident: None for ident in ids}
    history = {ident: [] for ident in ids}
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok in ("$dumpvars", "$end", "$dumpall", "$dumpon", "$dumpoff"):
            continue
        if tok == "$comment":
            i = tokens.index("$end", i) + 1
            continue
        if tok.startswith("#"):
            t = int(tok[1:])
            if now is not None and t < now:
                fail(f"time goes back from {now} to {t}")
            now = t
            continue
        if tok[0] in "bBrR":
            value, ident = tok[1:], tokens[i]
            i += 1
            if tok[0] in "bB" and any(c not in "01xzXZ" for c in value):
                fail(f"bad vector value {tok}")
        elif tok[0] in "01xzXZ":
            value, ident = tok[0], tok[1:]
        else:
            fail(f"bad value change '{tok}'")
        if ident not in ids:
            fail(f"value change of undeclared identifier {ident}")
        if now is None:
            now = 0
        history[ident].append((now, value))
        values[ident] = value
    return signals, history


def number(value):
    try:
        return int(value, 2)
    except ValueError:
        return None  # x or z


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--signal", action="append", default=[])
    ap.add_argument("--changes", action="append", default=[])
    ap.add_argument("--rises", action="append", default=[])
    ap.add_argument("--falls", action="append", default=[])
    args = ap.parse_args()
    text = open(args.file, encoding="ascii").read()
    signals, history = parse(text)

    def changes(name):
        if name not in signals:
            fail(f"{name} is not declared (declared: {', '.join(sorted(signals))})")
        return history[signals[name]["id"]]

    for name in args.signal:
        changes(name)
    for name in args.changes:
        h = changes(name)
        if len(h) < 2:
            fail(f"{name} never changes")
    for name in args.rises:
        h = [(t, number(v)) for t, v in changes(name)]
        if not any(t > 0 and a is not None and b is not None and b > a == 0 for (_, a), (t, b) in zip(h, h[1:])):
            fail(f"{name} never rises after time 0")
    for name in args.falls:
        h = [(t, number(v)) for t, v in changes(name)]
        if not any(t > 0 and a and b == 0 for (_, a), (t, b) in zip(h, h[1:])):
            fail(f"{name} never falls after time 0")


if __name__ == "__main__":
    main()
