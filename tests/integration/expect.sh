#!/bin/sh
# Runs a command and checks its exit status and output.
#
#   expect.sh STATUS [--out REGEX]... [--err REGEX]... [--err-lines N] -- COMMAND [ARGS...]
#
# --out/--err: an extended regex that must match a line of stdout/stderr.
# --err-lines N: stderr must have exactly N lines (one-line errors).
set -u
want_status=$1
shift
out_patterns=""
err_patterns=""
err_lines=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--out) out_patterns="$out_patterns
$2"; shift 2 ;;
	--err) err_patterns="$err_patterns
$2"; shift 2 ;;
	--err-lines) err_lines=$2; shift 2 ;;
	*) echo "expect.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
fail=0
if [ "$status" != "$want_status" ]; then
	echo "FAIL: exit status $status, expected $want_status"
	fail=1
fi
check() { # file patterns
	file=$1
	echo "$2" | while IFS= read -r pattern; do
		[ -n "$pattern" ] || continue
		if ! tr -d '\r' <"$file" | grep -Eq -- "$pattern"; then
			echo "FAIL: no line of $(basename "$file") matches: $pattern"
			echo 1 >"$tmp/failed"
		fi
	done
}
check "$tmp/out" "$out_patterns"
check "$tmp/err" "$err_patterns"
[ -f "$tmp/failed" ] && fail=1
if [ -n "$err_lines" ] && [ "$(wc -l <"$tmp/err")" != "$err_lines" ]; then
	echo "FAIL: stderr has $(wc -l <"$tmp/err") lines, expected $err_lines"
	fail=1
fi
if [ "$fail" != 0 ]; then
	echo "--- command: $*"
	echo "--- stdout:"; head -c 4000 "$tmp/out"
	echo "--- stderr:"; head -c 4000 "$tmp/err"
	exit 1
fi
echo "ok: $*"
