#!/bin/sh
# Live progress on stderr (--progress auto|always|never): progress_checks.sh SMPSIM GUEST CASE SOURCE_DIR
set -eu
smpsim=$1
guest=$2
case_name=$3
src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check_lib.sh"
cd "$tmp"

# without_host_times FILE: the summary without the figures that depend on the host.
without_host_times() {
	sed 's/[0-9.]* s host.*//' "$1"
}

# progress_shown FILE PATTERN: FILE has a progress line (after a \r) matching PATTERN, and the line is
# cleared (\r, erase to the end of the line) before the summary's first line.
progress_shown() {
	python3 - "$1" "$2" <<'PY'
import re, sys
err = open(sys.argv[1], encoding="utf-8", newline="").read()
lines = [l for l in err.split("\r") if l]
shown = [l for l in lines if re.match(sys.argv[2], l)]
assert shown, "no progress line matching %r in %r" % (sys.argv[2], err[:300])
assert "\r\x1b[K" in err, "the progress line is never cleared"
# After the last clearing the summary follows with no progress text in front of it.
tail = err.rsplit("\r\x1b[K", 1)[1]
assert tail.startswith("smpsim: ") and "\r" not in tail, tail[:200]
PY
}

case $case_name in
progress_always)
	# --progress always: progress lines on stderr for boot, replay and litmus; stdout and the summary are
	# those of a run without progress.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --progress always >a.out 2>a.err
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 >b.out 2>b.err
	progress_shown a.err 'smpsim: [0-9.]+( [kMG])? instructions, [0-9.]+ ms simulated\x1b\[K$'
	cmp a.out b.out
	without_host_times b.err >b.cmp
	python3 -c 'import sys; print(open(sys.argv[1], newline="").read().rsplit("\r\x1b[K", 1)[1], end="")' a.err | without_host_times /dev/stdin >a.cmp
	cmp a.cmp b.cmp
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 --progress always >r.out 2>r.err
	progress_shown r.err 'smpsim: replay: [0-9]+/1995 frames offered, [0-9]+ delivered, [0-9]+ dropped; [0-9.]+ ms simulated of the capture.s [0-9.]+ ms'
	status_is 0 "$smpsim" litmus "$src/tests/litmus/SB.litmus" "$src/tests/litmus/MP.litmus" --runs 100 --progress always >l.out 2>l.err
	progress_shown l.err 'smpsim: litmus: [12]/2 tests, about [0-9]+:[0-9][0-9] left'
	status_is 0 "$smpsim" litmus "$src/tests/litmus/SB.litmus" "$src/tests/litmus/MP.litmus" --runs 100 >m.out 2>m.err
	# The litmus7 log's Time lines are host times.
	grep -v '^Time ' l.out >l.cmp
	grep -v '^Time ' m.out >m.cmp
	cmp l.cmp m.cmp
	;;
progress_auto)
	# auto: nothing extra when stderr is a file; progress when it is a terminal (a pty).
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 >a.out 2>a.err
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --progress never >b.out 2>b.err
	if grep -q "$(printf '\r')" a.err; then echo "progress written into a file" >&2; exit 1; fi
	without_host_times a.err >a.cmp
	without_host_times b.err >b.cmp
	cmp a.cmp b.cmp
	python3 - "$smpsim" "$guest" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen([sys.argv[1], "boot", "--kernel", sys.argv[2], "--cpus", "2"],
                     stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
err = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    err += chunk
assert p.wait() == 1, p.returncode
assert b"\rsmpsim: " in err and b" instructions, " in err, err[:300]
assert b"\r\x1b[K" in err, "not cleared"
# never on a terminal either
master, slave = pty.openpty()
p = subprocess.Popen([sys.argv[1], "boot", "--kernel", sys.argv[2], "--cpus", "2", "--progress", "never"],
                     stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
err = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    err += chunk
assert p.wait() == 1
assert b"\x1b[K" not in err, err[:300]
PY
	;;
progress_bad)
	status_is 2 "$smpsim" boot --kernel "$guest" --progress sometimes >/dev/null 2>err.txt
	[ "$(wc -l <err.txt)" = 1 ] && grep -q '^smpsim: error: --progress' err.txt
	;;
*)
	echo "unknown case $case_name" >&2
	exit 1
	;;
esac
