package e2e

import (
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// evidenceKeys are the docs/contract.md §3 keys whose values must come out of either route as
// they went in (the Codex captures hold only valid evidence).
var evidenceKeys = []string{
	"http.response.status_code", "success", "error.message", "attempt", "endpoint", "duration_ms",
	"auth.header_attached", "auth.header_name", "auth.retry_after_unauthorized", "auth.connection_reused",
	"auth.reauth", "auth.request_id", "auth.cf_ray", "auth.error", "auth.error_code", "auth.mode",
	"auth.step", "auth.outcome", "auth.recovery_reason", "auth.env_provider_key_name",
}

var codexAuthEvents = map[string]bool{
	"codex.api_request": true, "codex.websocket_connect": true, "codex.websocket_request": true, "codex.auth_recovery": true,
}

// evidenceOf lists "event key=value" for every evidence value on Codex auth events.
func evidenceOf(attrs pcommon.Map, into *[]string) {
	name, ok := attrs.Get("event.name")
	if !ok || !codexAuthEvents[name.Str()] {
		return
	}
	for _, k := range evidenceKeys {
		if v, ok := attrs.Get(k); ok {
			*into = append(*into, name.Str()+" "+k+"="+v.Type().String()+":"+v.AsString())
		}
	}
}

func spanEventEvidence(tds []ptrace.Traces) []string {
	var out []string
	for _, td := range tds {
		forEachSpan(td, func(_ pcommon.Map, span ptrace.Span) {
			for i := 0; i < span.Events().Len(); i++ {
				evidenceOf(span.Events().At(i).Attributes(), &out)
			}
		})
	}
	sort.Strings(out)
	return out
}

func logEvidence(lds []plog.Logs) []string {
	var out []string
	for _, ld := range lds {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					evidenceOf(lrs.At(k).Attributes(), &out)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func forEachSpan(td ptrace.Traces, fn func(resource pcommon.Map, span ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(rs.Resource().Attributes(), spans.At(k))
			}
		}
	}
}

// TestCodexPolicyThroughBinary replays the real Codex captures into the built collector
// (OTLP/HTTP) and checks the route policy on what the file exporters wrote: evidence
// identical on both routes, personal data and host gone from trace_safe only.
func TestCodexPolicyThroughBinary(t *testing.T) {
	col, ep := startCollector(t, repoRoot(t)+"/config/demo.yaml", nil)
	var sent Counts
	var inSpanEvidence, inLogEvidence []string
	for _, name := range codexScenarios(t) {
		f := loadFixture(t, name)
		sent = sent.add(sendFixture(t, ep, OverHTTP, f))
		inSpanEvidence = append(inSpanEvidence, spanEventEvidence(f.Traces)...)
		inLogEvidence = append(inLogEvidence, logEvidence(f.Logs)...)
	}
	waitFileExport(t, ep.TraceSafeFile(), Counts{Spans: sent.Spans}, exportTimeout)
	waitFileExport(t, ep.LogOnlyFile(), Counts{Spans: sent.Spans, LogRecords: sent.LogRecords}, exportTimeout)
	if err := col.Stop(); err != nil {
		t.Fatalf("collector exit: %v", err)
	}
	safe, trusted := readFileExport(t, ep.TraceSafeFile()), readFileExport(t, ep.LogOnlyFile())
	sort.Strings(inSpanEvidence)
	sort.Strings(inLogEvidence)
	if len(inSpanEvidence) == 0 || len(inLogEvidence) == 0 {
		t.Fatal("the captures hold no evidence")
	}
	if got := spanEventEvidence(safe.Traces); strings.Join(got, "\n") != strings.Join(inSpanEvidence, "\n") {
		t.Errorf("trace_safe changed evidence:\nwant %d values, have %d\n%s", len(inSpanEvidence), len(got), strings.Join(got, "\n"))
	}
	if got := spanEventEvidence(trusted.Traces); strings.Join(got, "\n") != strings.Join(inSpanEvidence, "\n") {
		t.Errorf("log_only (trusted traces) changed evidence")
	}
	if got := logEvidence(trusted.Logs); strings.Join(got, "\n") != strings.Join(inLogEvidence, "\n") {
		t.Errorf("log_only changed evidence in log records")
	}

	banned := map[string]bool{"host.name": true, "cwd": true, "prompt": true, "user.email": true, "user.account_id": true, "mcp_servers": true}
	for _, td := range safe.Traces {
		forEachSpan(td, func(res pcommon.Map, span ptrace.Span) {
			check := func(where string, m pcommon.Map) {
				m.Range(func(k string, _ pcommon.Value) bool {
					if banned[k] {
						t.Errorf("trace_safe %s %q carries %s", where, span.Name(), k)
					}
					return true
				})
			}
			check("resource of", res)
			check("span", span.Attributes())
			for i := 0; i < span.Events().Len(); i++ {
				check("event on", span.Events().At(i).Attributes())
			}
		})
	}
	hosts := 0
	for _, ld := range trusted.Logs {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			if _, ok := ld.ResourceLogs().At(i).Resource().Attributes().Get("host.name"); ok {
				hosts++
			}
		}
	}
	if hosts == 0 {
		t.Error("log_only dropped host.name")
	}
}
