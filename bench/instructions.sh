#!/usr/bin/env bash
# Instructions per batch of authobs trace_safe against the floor on the same batches, counted
# by callgrind: the ratio that the build's code layout does not move (the clock ratio of
# `make bench` does; bench/README.md). Run it on a quiet machine: under heavy load (load
# average ~8) some counts came out up to 40% high, for a reason not found. For each workload it runs
# the bench test binary twice under callgrind, collecting inside the processor's
# process<Signal> and inside the floor's function, and sums the self cost of every function
# but the Go runtime's GC and scheduler (their work lands wherever a collection happens to
# run; map access, memequal and hashing count). The collector is off (GOGC=off): with it on,
# its write barriers and assists moved the counts of identical code by up to 4%; off, two runs
# agree to a few instructions per item. The batches are received ones (bench_test.go's
# workload: a protobuf round trip). Needs valgrind (Debian: apt-get install valgrind); not
# part of `make test`.
#
#   bench/instructions.sh            # N=24 batches per workload, about 5 minutes
#   WORKLOADS=Semconv:processTraces:Floor bench/instructions.sh   # one workload
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind not found (Debian: apt-get install valgrind)" >&2; exit 1; }
N=${N:-24}
export GOWORK=off
mkdir -p _build results
go test -c -o _build/bench.test .
out=results/instructions-$(date -u +%Y%m%dT%H%M%SZ).txt

# count BENCH TOGGLE: the self cost inside TOGGLE, runtime GC and scheduler left out
count() {
	local cg=_build/callgrind.out
	GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --toggle-collect="$2" \
		--callgrind-out-file="$cg" ./_build/bench.test -test.run '^$' -test.bench "$1" \
		-test.benchtime "${N}x" >/dev/null 2>&1
	callgrind_annotate --inclusive=no --auto=no --threshold=100 "$cg" | awk '
		/^ *[0-9,]+ +\(/ && !/PROGRAM TOTALS/ {
			n = $1; gsub(",", "", n)
			f = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", f); sub(/ \[.*$/, "", f); sub(/^[^:]*:/, "", f)
			if (f ~ /^runtime\./ && f !~ /^runtime\.(mapaccess|memequal|memhash|strhash)/) next
			sum += n
		}
		END { printf "%d\n", sum }'
	rm -f "$cg"
}

{
	echo "# bench/instructions.sh $(date -u +%FT%TZ): N=$N batches per workload, $(go env GOVERSION)"
	printf '%-16s %16s %16s %8s\n' workload authobs floor ratio
	for w in ${WORKLOADS:-Traces:processTraces:Floor Logs:processLogs:FloorLogs Metrics:processMetrics:FloorMetrics Semconv:processTraces:Floor SemconvFresh:processTraces:Floor Codex:processTraces:Floor CodexLogs:processLogs:FloorLogs SemconvLogs:processLogs:FloorLogs SemconvLogsFresh:processLogs:FloorLogs}; do
		IFS=: read -r name proc floor <<<"$w"
		a=$(count "^Benchmark$name\$/^proc=authobs_trace_safe\$" "*authobsProcessor*.$proc")
		f=$(count "^Benchmark$name\$/^proc=floor\$" "*bench.$floor")
		printf '%-16s %16d %16d %8.2f\n' "$name" "$a" "$f" "$(echo "$a $f" | awk '{print $1 / $2}')"
	done
} | tee "$out"
echo "==> bench/$out"
