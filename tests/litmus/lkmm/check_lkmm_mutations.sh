#!/bin/sh
# Malformed C litmus files: 200 seeded mutations of our LKMM tests (bytes deleted, inserted, replaced,
# lines swapped). Each must either run or end with status 2 and one line on stderr that names the file
# and a line (`smpsim: error: FILE:LINE: ...`; gcc's diagnostics summarised in that one line), or, for a
# test that compiles but deadlocks (two spin_lock() in a row), the file and the iteration that did not
# finish; never a crash, another status, several lines or a hang.
#
#   check_lkmm_mutations.sh SMPSIM CACHE_DIR [COUNT]
set -eu
smpsim=$1
cache=$2
count=${3:-200}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$dir" "$tmp" "$count" <<'PY'
import os, random, sys
src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(2026)
bases = sorted(f for f in os.listdir(src) if f.endswith(".litmus"))
alphabet = "{}()[];,*&=~/\\:01xyrP \n\t\"-+<>!"
for i in range(count):
    text = open(os.path.join(src, bases[i % len(bases)])).read()
    for _ in range(rng.randint(1, 3)):
        if not text:
            break
        at = rng.randrange(len(text))
        op = rng.randrange(4)
        if op == 0:
            text = text[:at] + text[at + rng.randint(1, 8):]
        elif op == 1:
            text = text[:at] + rng.choice(alphabet) + text[at:]
        elif op == 2:
            text = text[:at] + rng.choice(alphabet) + text[at + 1:]
        else:
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    open(os.path.join(out, f"m{i:03d}.litmus"), "w").write(text)
PY
fail=0 ran=0 errors=0
for f in "$tmp"/m*.litmus; do
	set +e
	timeout 120 "$smpsim" litmus "$f" --runs 3 --cache-dir "$cache" >/dev/null 2>"$tmp/err"
	rc=$?
	set -e
	lines=$(wc -l <"$tmp/err")
	case $rc in
	0) ran=$((ran + 1)) ;;
	2)
		errors=$((errors + 1))
		if [ "$lines" != 1 ] || ! grep -q -e "^smpsim: error: $f:[0-9]*:" \
			-e "^smpsim: error: $f: test .*: iteration [0-9]* did not finish within" "$tmp/err"; then
			echo "FAIL: $f: status 2 but not one line naming the file and line:"
			head -5 "$tmp/err"
			fail=1
		fi
		;;
	*)
		echo "FAIL: $f: status $rc"
		head -5 "$tmp/err"
		fail=1
		;;
	esac
done
echo "$count mutations: $ran ran, $errors one-line errors"
[ "$fail" = 0 ]
