#!/usr/bin/env bash
# Runs one GDB session against smpsim's stub: run_session.sh SMPSIM GUEST SESSION.gdb
# SESSION.gdb is a GDB command file with its expectations in comments (GDB ignores them):
#   # command: litmus          run `smpsim litmus` instead of `smpsim boot --kernel GUEST` (GDB then gets
#                              no executable: a session loads the C test's image with `file @IMAGE@`)
#   # smpsim: ARGS...          options for the command (--gdb 0 --gdb-wait are added); @SRC@ is the
#                              source tree, @TMP@ a directory of this run's own
#   # status: N                smpsim's exit status
#   # expect: REGEX            a line of GDB's output, in this order (grep -E)
#   # expect-count N: REGEX    exactly N lines of GDB's output match
#   # same-console             the guest console (litmus: the log, but its Time lines) equals that of a
#                              run without a debugger
# The stub binds port 0 (a free port, printed on stderr), so parallel runs never collide; @PORT@ in the
# session becomes that port, and @IMAGE@ the C litmus test's image smpsim names on stderr. gdb is
# required (scripts/setup installs it): without it the test fails.
set -u
smpsim=$1 guest=$2 session=$3
if ! command -v gdb >/dev/null; then
    echo "FAIL: gdb is not installed (scripts/setup installs Debian's gdb)"
    exit 1
fi
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    echo "--- gdb output"; cat "$tmp/gdb.out" 2>/dev/null
    echo "--- smpsim stderr"; cat "$tmp/stderr"
    exit 1
}

src=$(cd "$(dirname "$0")/../../.." && pwd)
args=$(sed -n 's/^# smpsim: //p' "$session" | sed "s|@SRC@|$src|g; s|@TMP@|$tmp|g")
want_status=$(sed -n 's/^# status: //p' "$session")
command=(boot --kernel "$guest")
gdb_file=("$guest")
if grep -q '^# command: litmus$' "$session"; then
    command=(litmus)
    gdb_file=()
fi
# shellcheck disable=SC2086 # the options are words
"$smpsim" "${command[@]}" $args --gdb 0 --gdb-wait >"$tmp/console" 2>"$tmp/stderr" &
pid=$!
port=
while [ -z "$port" ]; do
    port=$(sed -n 's/^smpsim: gdb: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/stderr")
    if [ -z "$port" ]; then
        kill -0 "$pid" 2>/dev/null || fail "smpsim ended before it listened"
        sleep 0.1
    fi
done
image=
if grep -q '@IMAGE@' "$session"; then
    while [ -z "$image" ]; do
        image=$(sed -n 's/^smpsim: gdb: test .*; image \(.*\) (`file` it in GDB for symbols)$/\1/p' "$tmp/stderr")
        if [ -z "$image" ]; then
            kill -0 "$pid" 2>/dev/null || fail "smpsim ended before it named the test's image"
            sleep 0.1
        fi
    done
fi
sed "s/@PORT@/$port/g; s|@IMAGE@|$image|g" "$session" >"$tmp/session.gdb"
timeout 600 gdb -nx -batch -x "$tmp/session.gdb" "${gdb_file[@]}" >"$tmp/gdb.out" 2>&1
wait "$pid"
status=$?
pid=
[ "$status" = "$want_status" ] || fail "smpsim exit status $status, expected $want_status"

# The expectations, in order.
line=0
while IFS= read -r pattern; do
    next=$(tail -n +"$((line + 1))" "$tmp/gdb.out" | grep -n -E -m1 -- "$pattern" | cut -d: -f1)
    [ -n "$next" ] || fail "no line matching '$pattern' (after line $line of gdb's output)"
    line=$((line + next))
done < <(sed -n 's/^# expect: //p' "$session")
while IFS= read -r spec; do
    n=${spec%%:*}
    pattern=${spec#*: }
    got=$(grep -c -E -- "$pattern" "$tmp/gdb.out")
    [ "$got" = "$n" ] || fail "$got lines match '$pattern', expected $n"
done < <(sed -n 's/^# expect-count //p' "$session")

if grep -q '^# same-console' "$session"; then
    # shellcheck disable=SC2086
    "$smpsim" "${command[@]}" $args >"$tmp/plain" 2>/dev/null
    if [ "${command[0]}" = litmus ]; then # a litmus log's Time lines are the host's time
        for f in console plain; do
            grep -v '^Time ' "$tmp/$f" >"$tmp/$f.untimed"
            mv "$tmp/$f.untimed" "$tmp/$f"
        done
        grep -q '^Observation ' "$tmp/plain" || fail "no litmus log in the run without a debugger"
    fi
    cmp -s "$tmp/console" "$tmp/plain" || fail "the console differs from a run without a debugger: $(diff "$tmp/plain" "$tmp/console" | head -5)"
fi
echo "PASS: $(grep -c '^# expect' "$session") expectations"
