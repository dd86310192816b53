#!/usr/bin/env bash
# End-to-end load: the same ocb collector (otlpreceiver, authobs, redactionprocessor, nop
# exporter) run three ways (no processor, authobs trace_safe, redactionprocessor) under
# OTLP/gRPC load from cmd/loadgen on 127.0.0.1. Reports spans/s at saturation and the
# collector's CPU-seconds per 10k spans. Every collector run is bounded (warm-up plus
# measured window <= 30 s) and killed by its pid. Output: bench/results/e2e-<time>.txt.
#
#   bench/e2e-load.sh            # ROUNDS=2 WARMUP=3s DURATION=15s WORKERS=4
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-3s}
DURATION=${DURATION:-15s}
WORKERS=${WORKERS:-4}
VARIANTS=${VARIANTS:-"none authobs redaction"}
BUILD=_build
COL=$BUILD/otelcol-bench/otelcol-bench
GEN=$BUILD/loadgen
export GOWORK=off

# ocb: the root's copy if `make collector` installed it, else our own
OCB=../_build/bin/builder
if [[ ! -x $OCB ]]; then
	OCB=$BUILD/bin/builder
	[[ -x $OCB ]] || GOBIN=$PWD/$BUILD/bin go install go.opentelemetry.io/collector/cmd/builder@v0.165.0
fi
mkdir -p "$BUILD" results
# rebuilt when any source of the processor module (root and internal/, not the tests) is
# newer than the binary
if [[ ! -x $COL || -n $(find .. \( -path ../bench -o -path ../client -o -path ../_build -o -path '../.*' \) -prune -o \
	\( -name '*.go' -o -name go.mod \) ! -name '*_test.go' -newer "$COL" -print -quit) ]]; then
	echo "==> building $COL with ocb"
	"$OCB" --config e2e/builder-config.yaml >"$BUILD/ocb.log" 2>&1 || { tail -20 "$BUILD/ocb.log"; exit 1; }
	# generated sources are not ours to lint: keep gofmt quiet on them
	gofmt -w "$BUILD"/otelcol-bench/*.go
fi
go build -o "$GEN" ./cmd/loadgen

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

out=results/e2e-$(date -u +%Y%m%dT%H%M%SZ).txt
{
	echo "# bench/e2e-load.sh $(date -u +%FT%TZ): rounds=$ROUNDS warmup=$WARMUP duration=$DURATION workers=$WORKERS"
	echo "# nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) go=$(go env GOVERSION)"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
for round in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		export BENCH_OTLP_PORT=$(free_port) BENCH_METRICS_PORT=$(free_port)
		"$COL" --config "e2e/collector-$v.yaml" >"$BUILD/collector-$v.log" 2>&1 &
		pid=$!
		if ! timeout 60 "$GEN" -endpoint "127.0.0.1:$BENCH_OTLP_PORT" -pid "$pid" -label "$v" \
			-warmup "$WARMUP" -duration "$DURATION" -workers "$WORKERS" | sed "s/^/round $round  /" | tee -a "$out"; then
			echo "loadgen failed for $v; collector log:" >&2
			tail -20 "$BUILD/collector-$v.log" >&2
			exit 1
		fi
		cleanup
		pid=
	done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "==> $out"
