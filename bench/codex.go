package bench

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

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
