#!/bin/sh
# Runs every test of ../shared/litmus/x86 on --model tso and compares each observation with herd7's in
# VERDICTS.tsv: a state herd7 calls Never must never be seen; one it calls Sometimes must be seen within
# the runs; for forall tests every final state must satisfy the condition (Always). Then every final
# state seen must be among those herd7 lists as allowed in HERD-STATES.tsv (herd_states.py).
#
#   check_shared_suite.sh SMPSIM SHARED_LITMUS_DIR [RUNS [MIN_COVERAGE_PERCENT]]
# Exit status 77 (skipped) when the shared folder is absent.
set -eu
smpsim=$1
shared=$2
runs=${3:-5000}
min_coverage=${4:-0}
if [ ! -f "$shared/x86/VERDICTS.tsv" ]; then
	echo "SKIP: $shared/x86/VERDICTS.tsv not found (the shared litmus suites are not beside this checkout)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$smpsim" litmus "$shared/x86" --model tso --runs "$runs" --summary >"$tmp/log" 2>"$tmp/summary"
tail -1 "$tmp/summary"
# Every final state seen must be one herd7 allows under x86-TSO (HERD-STATES.tsv); how many of those
# appeared is printed (coverage), and must not fall below MIN_COVERAGE_PERCENT (the runs are seeded, so
# the figure only moves when the scheduler does).
states=ok
python3 "$(dirname "$0")/herd_states.py" "$shared/x86/HERD-STATES.tsv" "$tmp/log" "$tmp/summary" \
	--root "$shared/x86" --min-coverage "$min_coverage" || states=failed
# summary lines: NAME Ok|No OBSERVATION POSITIVE NEGATIVE FILE
awk -F'\t' -v prefix="$shared/x86/" '
	FNR == NR { if (FNR > 1) { quant[$2] = $6; obs[$2] = $7 } next }
	NF == 0 { next }
	{
		split($0, f, " ")
		if (length(f) != 6) next
		file = f[6]; sub("^" prefix, "", file)
		seen = f[3]; n++
		if (!(file in obs)) { print "no verdict for " file; bad++; next }
		want = obs[file]
		if (quant[file] == "forall") ok = (seen == "Always")
		else if (want == "Never") ok = (seen == "Never")
		else ok = (seen != "Never")
		if (!ok) { print "MISMATCH " file ": herd7 " want ", smpsim " seen " (" f[4] " positive, " f[5] " negative)"; bad++ }
		delete obs[file]
	}
	END {
		for (k in obs) { print "NOT RUN " k; bad++ }
		printf "%d tests compared with herd7, %d mismatches\n", n, bad
		exit bad > 0
	}' "$shared/x86/VERDICTS.tsv" "$tmp/summary"
[ "$states" = ok ]
