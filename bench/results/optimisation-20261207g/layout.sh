#!/usr/bin/env bash
# layout.sh: the layout experiment of issue 12's sixth pass. Builds the bench test binary of
# HEAD once per variant, each variant one edit to where data lies, and runs BenchmarkPaired
# on every binary, ROUNDS rounds, the binaries interleaved within each round. Prints the
# paired ratio (x-floor) per workload, variant and round. The pads change no instruction;
# sets=N also changes how many values the clean cache holds (N a power of two).
#
#   bench/results/optimisation-20261207g/layout.sh
#   VARIANTS="base kwpad=64 sets=256" ROUNDS=3 WORKLOADS='Traces|Logs' bench/results/optimisation-20261207g/layout.sh
#
# Variants:
#   base        HEAD as it is
#   kwpad=N     N bytes of padding at the start of keyword.Set (the catalogue's keyword tables)
#   rpad=N      N bytes of padding at the start of ruleTable (the key table)
#   cpad=N      N bytes of padding at the start of cleancache.Cache
#   tpad=N      N bytes of padding at the start of the clean cache's table
#   sets=N      N sets instead of 1024 in the clean cache's table
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
VARIANTS=${VARIANTS:-base kwpad=64 kwpad=128 kwpad=4096 rpad=64 cpad=64 tpad=1024 sets=256 sets=128}
ROUNDS=${ROUNDS:-3}
WORKLOADS=${WORKLOADS:-Traces|Logs|Semconv}
BENCH_TIME=${BENCH_TIME:-60x}
tmp=$(mktemp -d)
top=$PWD
trap 'cd "$top"; git worktree remove --force "$tmp/wt" >/dev/null 2>&1 || true; rm -rf "$tmp"; git worktree prune' EXIT
git worktree add --quiet --detach "$tmp/wt" HEAD
echo "# layout.sh $(date -u +%FT%TZ): $(git rev-parse --short HEAD), ROUNDS=$ROUNDS BENCH_TIME=$BENCH_TIME"
echo "# variants: $VARIANTS"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
pad() { # pad FILE TYPE N: N bytes of padding as the first field of TYPE
	sed -i "s/^type $2 struct {\$/type $2 struct {\n\t_ [$3]byte/" "$1"
	grep -q "^	_ \[$3\]byte" "$1" || { echo "layout.sh: no struct $2 in $1" >&2; exit 1; }
}
for v in $VARIANTS; do
	git -C "$tmp/wt" checkout -q -- .
	case $v in
	base) ;;
	kwpad=*) pad "$tmp/wt/internal/redact/keyword/keyword.go" Set "${v#*=}" ;;
	rpad=*) pad "$tmp/wt/policy.go" ruleTable "${v#*=}" ;;
	cpad=*) pad "$tmp/wt/internal/cleancache/cache.go" Cache "${v#*=}" ;;
	tpad=*) pad "$tmp/wt/internal/cleancache/cache.go" table "${v#*=}" ;;
	sets=*)
		sed -i "s/^\tsets = 1024\$/\tsets = ${v#*=}/" "$tmp/wt/internal/cleancache/cache.go"
		grep -q "^	sets = ${v#*=}\$" "$tmp/wt/internal/cleancache/cache.go" || { echo "layout.sh: no sets constant" >&2; exit 1; }
		;;
	*) echo "layout.sh: unknown variant $v" >&2; exit 2 ;;
	esac
	(cd "$tmp/wt/bench" && GOWORK=off go test -c -o "$tmp/$v.test" .)
done
cd "$tmp/wt/bench" # the workloads read their corpora by relative path: the worktree's own
for r in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		"$tmp/$v.test" -test.run '^$' -test.bench "^BenchmarkPaired\$/^w=($WORKLOADS)\$" -test.benchtime "$BENCH_TIME" 2>&1 |
			awk -v v="$v" -v r="$r" '/^BenchmarkPaired/ { w = $1; sub(/^BenchmarkPaired\/w=/, "", w); sub(/\/.*/, "", w)
				for (i = 1; i <= NF; i++) if ($i == "x-floor") printf "%-10s %-14s round %d  x-floor %s\n", v, w, r, $(i-1) }'
	done
done
