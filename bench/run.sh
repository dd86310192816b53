#!/usr/bin/env bash
# The side-by-side benchmark behind `make bench`: compiles the bench/ test binary once,
# checks the leak table and the clean workload, then runs every benchmark in ROUNDS
# interleaved rounds (all contenders per round, so a change in machine load hits them
# alike), and summarises with cmd/benchreport. Raw output, which benchstat reads, and
# the summary go to bench/results/.
#
#   bench/run.sh                # ROUNDS=3 BENCH_TIME=0.5s BENCH=.
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-3}
BENCH_TIME=${BENCH_TIME:-0.5s}
BENCH=${BENCH:-.}
export GOWORK=off

mkdir -p _build results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=results/bench-$stamp.txt
sum=results/bench-$stamp.summary.txt
go test -c -o _build/bench.test .
{
	echo "# bench/run.sh $(date -u +%FT%TZ): rounds=$ROUNDS benchtime=$BENCH_TIME"
	echo "# nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) $(go env GOVERSION)"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$raw"
echo "==> leak table and clean-workload check (raw output: bench/$raw)"
./_build/bench.test -test.run '^(TestLeaks|TestCleanWorkloadUnchanged|TestE2EConfigs)$' -test.v >>"$raw" 2>&1 ||
	{ tail -40 "$raw"; exit 1; }
for r in $(seq "$ROUNDS"); do
	echo "==> benchmarks, round $r of $ROUNDS"
	./_build/bench.test -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCH_TIME" -test.count 1 >>"$raw" 2>&1 ||
		{ tail -40 "$raw"; exit 1; }
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
go run ./cmd/benchreport "$raw" | tee "$sum"
echo "==> bench/$raw, bench/$sum"
