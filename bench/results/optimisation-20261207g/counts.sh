#!/usr/bin/env bash
# counts.sh: the instruction counts behind issue 12's sixth-pass README, with
# bench/instructions.sh (callgrind; needs valgrind), each in a worktree of HEAD with one edit:
#   main       HEAD as it is: the generated, semconv and Codex log workloads and mixed spans
#   kwpad=64   keyword.Set starting 64 bytes later (layout.sh's variant): same instructions
#   bound      bound-no-body-scan.diff applied: log bodies not scanned at all
#   main, sets=256 at N=150   the 256-set clean cache against main once the caches are full
# Output: one instructions.sh table per variant on stdout. About 15 minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(git -C "$here" rev-parse --show-toplevel)"
tmp=$(mktemp -d)
top=$PWD
trap 'cd "$top"; for w in "$tmp"/*/; do git worktree remove --force "$w" >/dev/null 2>&1 || true; done; rm -rf "$tmp"; git worktree prune' EXIT
echo "# counts.sh $(date -u +%FT%TZ): $(git rev-parse --short HEAD)"
logs="Logs:processLogs:FloorLogs SemconvLogs:processLogs:FloorLogs SemconvLogsFresh:processLogs:FloorLogs CodexLogs:processLogs:FloorLogs"
run() { # run NAME N WORKLOADS EDIT...
	local name=$1 n=$2 workloads=$3
	shift 3
	git worktree add --quiet --detach "$tmp/$name" HEAD
	for e in "$@"; do
		case $e in
		kwpad=*)
			sed -i "s/^type Set struct {\$/type Set struct {\n\t_ [${e#*=}]byte/" "$tmp/$name/internal/redact/keyword/keyword.go"
			grep -q "^	_ \[${e#*=}\]byte" "$tmp/$name/internal/redact/keyword/keyword.go" || { echo "counts.sh: no struct Set" >&2; exit 1; }
			;;
		sets=*)
			sed -i "s/^\tsets = 1024\$/\tsets = ${e#*=}/" "$tmp/$name/internal/cleancache/cache.go"
			grep -q "^	sets = ${e#*=}\$" "$tmp/$name/internal/cleancache/cache.go" || { echo "counts.sh: no sets constant" >&2; exit 1; }
			;;
		bound) git -C "$tmp/$name" apply "$here/bound-no-body-scan.diff" ;;
		esac
	done
	echo "## $name (N=$n): $* $(git -C "$tmp/$name" diff --stat | tail -1)"
	N=$n WORKLOADS=$workloads "$tmp/$name/bench/instructions.sh" | grep -v '^==>'
}
run main 24 "Traces:processTraces:Floor $logs"
run kwpad64 24 "Traces:processTraces:Floor Logs:processLogs:FloorLogs" kwpad=64
run bound 24 "$logs" bound
run main150 150 "Traces:processTraces:Floor"
run sets256 150 "Traces:processTraces:Floor" sets=256
