#!/usr/bin/env bash
# One fuzz campaign: scripts/fuzz-one.sh <package dir> <target> <duration>.
# Fails only when the fuzzer wrote a reproducer (a new file under <dir>/testdata/fuzz/<target>):
# that input is a finding, to be committed as a regression input once fixed. A non-zero exit with
# no new input is the Go fuzzer's own boundary trouble ("context deadline exceeded" as -fuzztime
# ends, a spurious "process hung"): reported, not failed, so a campaign's verdict is its findings.
# FUZZMINIMIZE (10s) bounds the minimisation of each new input: at Go's default of 60 s, FuzzBatch
# (a batch of three signals per input) spent most of a campaign minimising, at 0 execs/s.
set -uo pipefail
dir=$1 target=$2 fuzztime=$3
minimize=${FUZZMINIMIZE:-10s}
corpus="$dir/testdata/fuzz/$target"
before=$(ls "$corpus" 2>/dev/null | sort)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> fuzzing $target in ./$dir for $fuzztime"
go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime="$minimize" "./$dir" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
after=$(ls "$corpus" 2>/dev/null | sort)
new=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$' || true)
if [[ -n $new ]]; then
	echo "FINDING: $target wrote a reproducer: $corpus/$new" >&2
	exit 1
fi
if [[ $status -ne 0 ]]; then
	echo "note: $target exited $status without a reproducer (fuzzer boundary trouble), not a finding"
fi
exit 0
