#!/usr/bin/env bash
# Soak test of the otelcol-authobs binary (make soak): a steady run, then a run in which the
# collector is stopped (SIGTERM, then SIGKILL with the sink down and the persistent queue
# holding items) and restarted on the same storage while the senders retry.
# Loopback only; every process started is stopped by the Go driver; reports land in
# test/soak/results/.
#
#   SOAK_DURATION          send time of the steady run   (default 3m)
#   SOAK_RESTART_DURATION  send time of the restart run  (default 90s)
#   SOAK_RATE      target items per second (default 30000)
#   SOAK_WORKERS   senders, HTTP and gRPC alternating (default 8)
#   SOAK_QUEUE     file (persistent queue, the default) or memory (the former setup)
#   SOAK_FSYNC     set (to anything) for fsync after every queue write
set -euo pipefail
cd "$(dirname "$0")/../.."
make --no-print-directory collector
# private copies: a concurrent `make collector` must not swap the binary under a running soak
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp _build/otelcol-authobs "$bin/otelcol-authobs"
(cd test && go build -o "$bin/soak" ./soak)
status=0
"$bin/soak" -collector "$bin/otelcol-authobs" -duration "${SOAK_DURATION:-3m}" -rate "${SOAK_RATE:-30000}" -workers "${SOAK_WORKERS:-8}" -queue "${SOAK_QUEUE:-file}" ${SOAK_FSYNC:+-fsync} \
	-out test/soak/results -name steady || status=1
"$bin/soak" -collector "$bin/otelcol-authobs" -duration "${SOAK_RESTART_DURATION:-90s}" -rate "${SOAK_RATE:-30000}" -workers "${SOAK_WORKERS:-8}" -queue "${SOAK_QUEUE:-file}" ${SOAK_FSYNC:+-fsync} \
	-out test/soak/results -name restart -restart || status=1
exit $status
