#!/bin/sh
# A longer device-fuzzing campaign than ctest's: campaign.sh FIRST_SEED COUNT [OPS [BUILD_DIR]]
#
# Runs COUNT sequences from FIRST_SEED in batches of 1000 (each batch one device_fuzz process, so that
# a failure names a small seed range), in functional and timing mode alternately. A batch that fails
# (a device threw, a sanitizer report, a crash, or no end within 10 minutes) is reported with the
# command that reproduces it, and the campaign goes on; the exit status is 1 if any batch failed.
# For ASan/UBSan: BUILD_DIR=build-asan scripts/build -DSMPSIM_SANITIZE=ON, then pass build-asan.
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 FIRST_SEED COUNT [OPS [BUILD_DIR]]" >&2
	exit 2
fi
first=$1
count=$2
ops=${3:-200}
build=${4:-build}
fuzz=$build/tests/fuzz/device_fuzz
[ -x "$fuzz" ] || { echo "$0: $fuzz not found (build first)" >&2; exit 2; }
batch=1000
failed=0
seed=$first
end=$((first + count))
n=0
while [ "$seed" -lt "$end" ]; do
	todo=$((end - seed))
	[ "$todo" -gt "$batch" ] && todo=$batch
	mode=""
	[ $((n % 2)) = 1 ] && mode=--timing
	status=0
	timeout 600 "$fuzz" --seed "$seed" --sequences "$todo" --ops "$ops" $mode >/tmp/campaign.$$.out 2>&1 || status=$?
	if [ "$status" != 0 ] || grep -q 'runtime error\|ERROR: AddressSanitizer' /tmp/campaign.$$.out; then
		echo "FAILED (status $status): $fuzz --seed $seed --sequences $todo --ops $ops $mode"
		tail -n 20 /tmp/campaign.$$.out
		failed=1
	else
		grep '^device_fuzz: [0-9]* sequences' /tmp/campaign.$$.out
	fi
	seed=$((seed + todo))
	n=$((n + 1))
done
rm -f /tmp/campaign.$$.out
exit $failed
