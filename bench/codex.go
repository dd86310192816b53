package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The codex workload is a third held-out workload: the spans the real Codex CLI 0.171.0
// exported in the repository's captures (testdata/codex: four runs against a mock API,
// 2 308 spans of the Rust tracing crate: file paths, module names, line numbers, thread
// names, busy and idle times, a few API and auth spans), replayed in capture order into
// 1000-span batches with their resources and scopes. Its values recur as one client's do.

// CodexCaptures is the capture directory, relative to the bench module.
const CodexCaptures = "../testdata/codex"

// codexSpans reads every captured span with its resource and scope, each alone in a
// ptrace.Traces, in capture order.
func codexSpans() ([]ptrace.Traces, error) {
	files, err := filepath.Glob(filepath.Join(CodexCaptures, "*", "otlp_traces.jsonl.gz"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no captures under %s", CodexCaptures)
	}
	var out []ptrace.Traces
	for _, f := range files {
		spans, err := readCapture(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, spans...)
	}
	return out, nil
}

func readCapture(path string) ([]ptrace.Traces, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 64<<20)
	var out []ptrace.Traces
	for sc.Scan() {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sc.Bytes())
		if err != nil {
			return nil, err
		}
		for i := range td.ResourceSpans().Len() {
			rs := td.ResourceSpans().At(i)
			for j := range rs.ScopeSpans().Len() {
				ss := rs.ScopeSpans().At(j)
				for k := range ss.Spans().Len() {
					one := ptrace.NewTraces()
					ors := one.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(ors.Resource())
					oss := ors.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(oss.Scope())
					ss.Spans().At(k).CopyTo(oss.Spans().AppendEmpty())
					out = append(out, one)
				}
			}
		}
	}
	return out, sc.Err()
}

// NewCodexWorkload builds n batches of SpansPerBatch captured spans, batch b starting at
// span b*SpansPerBatch of the captures (wrapping round); consecutive spans of one resource
// and scope share a ResourceSpans and ScopeSpans, as an SDK's export does.
func NewCodexWorkload(n int) ([]ptrace.Traces, error) {
	spans, err := codexSpans()
	if err != nil {
		return nil, err
	}
	out := make([]ptrace.Traces, 0, n)
	for b := range n {
		td := ptrace.NewTraces()
		var last ptrace.Traces
		var ss ptrace.ScopeSpans
		for i := range SpansPerBatch {
			one := spans[(b*SpansPerBatch+i)%len(spans)]
			src := one.ResourceSpans().At(0)
			if i == 0 || !sameOrigin(last, one) {
				rs := td.ResourceSpans().AppendEmpty()
				src.Resource().CopyTo(rs.Resource())
				ss = rs.ScopeSpans().AppendEmpty()
				src.ScopeSpans().At(0).Scope().CopyTo(ss.Scope())
			}
			src.ScopeSpans().At(0).Spans().At(0).CopyTo(ss.Spans().AppendEmpty())
			last = one
		}
		out = append(out, td)
	}
	return out, nil
}

// sameOrigin reports whether two one-span Traces come from the same resource and scope.
func sameOrigin(a, b ptrace.Traces) bool {
	ra, rb := a.ResourceSpans().At(0), b.ResourceSpans().At(0)
	return ra.Resource().Attributes().Equal(rb.Resource().Attributes()) &&
		ra.ScopeSpans().At(0).Scope().Name() == rb.ScopeSpans().At(0).Scope().Name()
}

// codexLogRecords reads every captured log record with its resource and scope, each alone in
// a plog.Logs, in capture order: the log events of the same four runs (testdata/codex:
// 63 records, the CLI's own events: conversation starts, API requests, WebSocket connects,
// auth recovery, startup phases; about 14 attributes each, few bodies).
func codexLogRecords() ([]plog.Logs, error) {
	files, err := filepath.Glob(filepath.Join(CodexCaptures, "*", "otlp_logs.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no log captures under %s", CodexCaptures)
	}
	var out []plog.Logs
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		for line := range bytes.SplitSeq(raw, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			for i := range ld.ResourceLogs().Len() {
				rl := ld.ResourceLogs().At(i)
				for j := range rl.ScopeLogs().Len() {
					sl := rl.ScopeLogs().At(j)
					for k := range sl.LogRecords().Len() {
						one := plog.NewLogs()
						orl := one.ResourceLogs().AppendEmpty()
						rl.Resource().CopyTo(orl.Resource())
						osl := orl.ScopeLogs().AppendEmpty()
						sl.Scope().CopyTo(osl.Scope())
						sl.LogRecords().At(k).CopyTo(osl.LogRecords().AppendEmpty())
						out = append(out, one)
					}
				}
			}
		}
	}
	return out, nil
}

// NewCodexLogsWorkload is NewCodexWorkload for the captured log records: n batches of
// LogsPerBatch records, batch b starting at record b*LogsPerBatch (wrapping round), records
// of one resource and scope in a row sharing a ResourceLogs and ScopeLogs. With 63 records
// captured, every value recurs many times in a batch: this is the steady state of one
// client's auth events, not first-seen text.
func NewCodexLogsWorkload(n int) ([]plog.Logs, error) {
	recs, err := codexLogRecords()
	if err != nil {
		return nil, err
	}
	out := make([]plog.Logs, 0, n)
	for b := range n {
		ld := plog.NewLogs()
		var last plog.Logs
		var sl plog.ScopeLogs
		for i := range LogsPerBatch {
			one := recs[(b*LogsPerBatch+i)%len(recs)]
			src := one.ResourceLogs().At(0)
			if i == 0 || !sameLogOrigin(last, one) {
				rl := ld.ResourceLogs().AppendEmpty()
				src.Resource().CopyTo(rl.Resource())
				sl = rl.ScopeLogs().AppendEmpty()
				src.ScopeLogs().At(0).Scope().CopyTo(sl.Scope())
			}
			src.ScopeLogs().At(0).LogRecords().At(0).CopyTo(sl.LogRecords().AppendEmpty())
			last = one
		}
		out = append(out, ld)
	}
	return out, nil
}

// sameLogOrigin is sameOrigin for one-record Logs.
func sameLogOrigin(a, b plog.Logs) bool {
	ra, rb := a.ResourceLogs().At(0), b.ResourceLogs().At(0)
	return ra.Resource().Attributes().Equal(rb.Resource().Attributes()) &&
		ra.ScopeLogs().At(0).Scope().Name() == rb.ScopeLogs().At(0).Scope().Name()
}
