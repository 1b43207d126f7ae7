#!/bin/sh
# Bad litmus input and unwritable outputs end with one line on stderr naming the problem, and status 2:
# never a crash, a hang or a silently truncated log.
#
#   check_robustness.sh SMPSIM
set -u
smpsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect REGEX COMMAND...: status 2 and exactly one line on stderr, matching REGEX.
expect() {
	regex=$1
	shift
	status=0
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$status" != 2 ] || [ "$lines" != 1 ] || ! grep -Eq -- "$regex" "$tmp/err"; then
		echo "FAIL: $*: status $status, $lines lines on stderr, expected status 2 and one line matching: $regex"
		head -c 2000 "$tmp/err"
		failures=$((failures + 1))
	else
		echo "ok: $(cat "$tmp/err")"
	fi
}

# repeat STRING N
repeat() { awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

test_with_condition() { # FILE CONDITION-FILE
	{
		printf 'X86 L\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nexists '
		cat "$2"
		printf '\n'
	} >"$1"
}

# 1. Parser limits: 20,000 nested parentheses, 10^6 `~`, a 40,000-term chain, a file over 1 MiB.
{ repeat '(' 20000; printf 'x=0'; repeat ')' 20000; } >"$tmp/c"
test_with_condition "$tmp/deep.litmus" "$tmp/c"
expect "^smpsim: error: .*/deep.litmus:5: condition nested deeper than 1000 levels$" "$smpsim" litmus "$tmp/deep.litmus"
{ printf '('; repeat '~' 1000000; printf 'x=0)'; } >"$tmp/c"
test_with_condition "$tmp/nots.litmus" "$tmp/c"
expect "^smpsim: error: .*/nots.litmus:5: condition nested deeper than 1000 levels$" "$smpsim" litmus "$tmp/nots.litmus"
awk 'BEGIN { printf "(x0=0"; for (i = 1; i < 40000; i++) printf " /\\ x%d=0", i; printf ")" }' >"$tmp/c"
test_with_condition "$tmp/chain.litmus" "$tmp/c"
expect "^smpsim: error: .*/chain.litmus:5: condition has more than 10000 terms$" "$smpsim" litmus "$tmp/chain.litmus"
{ cat "$tmp/chain.litmus"; repeat '(* padding *)' 100000; } >"$tmp/big.litmus"
expect "^smpsim: error: .*/big.litmus: file is larger than the limit of 1048576 bytes$" "$smpsim" litmus "$tmp/big.litmus"

# 2. Files that are not regular files.
expect "^smpsim: error: /dev/zero: not a regular file$" "$smpsim" litmus /dev/zero
expect "^smpsim: error: /dev/urandom: not a regular file$" "$smpsim" litmus /dev/urandom
mkfifo "$tmp/fifo.litmus"
expect "^smpsim: error: .*/fifo.litmus: not a regular file$" "$smpsim" litmus "$tmp/fifo.litmus"

# 3. A faulting thread: the test, the thread, the exception and the instruction, in one line.
printf 'X86 UD\n{ x=0; }\n P0         | P1  ;\n MOV [x],$1 | UD2 ;\nexists (x=1)\n' >"$tmp/ud.litmus"
expect "^smpsim: error: .*/ud.litmus:4: test UD: P1 raised #UD invalid opcode at 'UD2' \(run 1\)$" \
	"$smpsim" litmus "$tmp/ud.litmus" --runs 10
printf 'X86 FP\n{ x=0; }\n P0                ;\n FLD DWORD PTR [x] ;\nexists (x=1)\n' >"$tmp/fp.litmus"
expect "^smpsim: error: .*/fp.litmus:4: test FP: P0 raised #UD invalid opcode at 'FLD DWORD PTR \[x\]' \(run 1\)$" \
	"$smpsim" litmus "$tmp/fp.litmus" --runs 10
printf 'X86 DE\n{ x=0; }\n P0          ;\n MOV ECX,[x] ;\n DIV ECX     ;\nexists (x=1)\n' >"$tmp/de.litmus"
expect "^smpsim: error: .*/de.litmus:5: test DE: P0 raised #DE divide error at 'DIV ECX' \(run 1\)$" \
	"$smpsim" litmus "$tmp/de.litmus" --runs 10

# 4. Outputs that cannot be written: checked before the run (nothing on stdout), or reported when a
# write fails.
printf 'X86 SB\n{ x=0; y=0; }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n' >"$tmp/sb.litmus"
expect "^smpsim: error: $tmp/no/such/dir/s.json: cannot open the summary file for writing: No such file or directory$" \
	"$smpsim" litmus "$tmp/sb.litmus" --runs 10 --summary-json "$tmp/no/such/dir/s.json"
if [ -s "$tmp/out" ]; then echo "FAIL: the run started before the summary path was checked"; failures=$((failures + 1)); fi
expect "^smpsim: error: $tmp/no/such/dir/s.json: cannot open the statistics file for writing: No such file or directory$" \
	"$smpsim" litmus "$tmp/sb.litmus" --runs 10 --stats "$tmp/no/such/dir/s.json"
if [ -s "$tmp/out" ]; then echo "FAIL: the run started before the statistics path was checked"; failures=$((failures + 1)); fi
expect "^smpsim: error: /dev/full: cannot write the summary file$" \
	"$smpsim" litmus "$tmp/sb.litmus" --runs 10 --summary-json /dev/full
expect "^smpsim: error: /dev/full: cannot write the statistics file$" \
	"$smpsim" litmus "$tmp/sb.litmus" --runs 10 --stats /dev/full
status=0
"$smpsim" litmus "$tmp/sb.litmus" --runs 10 >/dev/full 2>"$tmp/err" || status=$?
if [ "$status" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ] ||
	! grep -Eq "^smpsim: error: standard output: write error$" "$tmp/err"; then
	echo "FAIL: stdout on /dev/full: status $status"; cat "$tmp/err"; failures=$((failures + 1))
else
	echo "ok: $(cat "$tmp/err")"
fi

if [ "$failures" != 0 ]; then
	echo "$failures checks failed"
	exit 1
fi
echo "all checks passed"
