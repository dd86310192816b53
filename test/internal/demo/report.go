package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Report is everything the demo found.
type Report struct {
	Runs    []Run
	Routes  []*RouteStats
	Secrets int
	Leaks   []Leak
	// TraceContext says whether each request the mock received joins its operation's span.
	TraceContext TraceJoin
	// Counters are the authobs counters the collector exported, by processor and metric.
	Counters map[string]map[string]float64
}

// RouteStats is what one route's output file holds.
type RouteStats struct {
	Route      string
	Spans      map[string]int // by operation (span name, or "other")
	LogRecords map[string]int // by event.name operation
	// AuthKeys are the attribute keys seen on auth operations, with how often.
	AuthKeys map[string]int
	// Identity counts items carrying user.email / user.account_id; Hosts resources with host.name.
	Identity, Hosts int
	// Redacted counts string values that contain a replacement.
	Redacted int
	// RequestIDs counts auth.request_id values that survived.
	RequestIDs int
}

var authOps = map[string]string{
	"api_request": "api_request", "websocket_connect": "websocket_connect",
	"websocket_request": "websocket_request", "auth_recovery": "auth_recovery",
}

func readRoute(route string, raw []byte) (*RouteStats, error) {
	st := &RouteStats{Route: route, Spans: map[string]int{}, LogRecords: map[string]int{}, AuthKeys: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte(`{"resourceSpans"`)):
			td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", route, n, err)
			}
			st.addTraces(td)
		case bytes.HasPrefix(line, []byte(`{"resourceLogs"`)):
			ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", route, n, err)
			}
			st.addLogs(ld)
		case bytes.HasPrefix(line, []byte(`{"resourceMetrics"`)):
			if _, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(line); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", route, n, err)
			}
		}
	}
	return st, sc.Err()
}

func (st *RouteStats) addResource(attrs pcommon.Map) {
	if _, ok := attrs.Get("host.name"); ok {
		st.Hosts++
	}
	st.countRedacted(attrs)
}

func (st *RouteStats) addItem(attrs pcommon.Map, op string) {
	if _, ok := attrs.Get("user.email"); ok {
		st.Identity++
	} else if _, ok := attrs.Get("user.account_id"); ok {
		st.Identity++
	}
	if _, ok := attrs.Get("auth.request_id"); ok {
		st.RequestIDs++
	}
	if op != "other" {
		attrs.Range(func(k string, _ pcommon.Value) bool {
			st.AuthKeys[k]++
			return true
		})
	}
	st.countRedacted(attrs)
}

func (st *RouteStats) countRedacted(attrs pcommon.Map) {
	attrs.Range(func(_ string, v pcommon.Value) bool {
		if s := v.AsString(); strings.Contains(s, "REDACTED") {
			st.Redacted++
		}
		return true
	})
}

func (st *RouteStats) addTraces(td ptrace.Traces) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		st.addResource(rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				op := authOps[spans.At(k).Name()]
				if op == "" {
					op = "other"
				}
				st.Spans[op]++
				st.addItem(spans.At(k).Attributes(), op)
			}
		}
	}
}

func (st *RouteStats) addLogs(ld plog.Logs) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		st.addResource(rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				op := "other"
				if v, ok := lrs.At(k).Attributes().Get("event.name"); ok && authOps[v.Str()] != "" {
					op = v.Str()
				}
				st.LogRecords[op]++
				st.addItem(lrs.At(k).Attributes(), op)
			}
		}
	}
}

// Print writes the readable report.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Scenarios: authobs-client -> mock API; telemetry -> otelcol-authobs")
	fmt.Fprintf(w, "  %-18s %-9s %-6s %-6s %-52s %s\n", "scenario", "transport", "result", "status", "recovery", "operations (status)")
	for _, run := range r.Runs {
		s := run.Summary
		result := "ok"
		if !s.OK {
			result = "failed"
		}
		if !run.AsExpected() {
			result += "!"
		}
		recovery := "-"
		if s.RecoveryOutcome != "" {
			recovery = fmt.Sprintf("%s %s -> %s", orDash(s.RecoveryMode), orDash(strings.Join(s.RecoverySteps, ",")), s.RecoveryOutcome)
			if s.RecoveryReason != "" {
				recovery += " (" + s.RecoveryReason + ")"
			}
		}
		status := "-"
		if s.Status != 0 {
			status = fmt.Sprint(s.Status)
		}
		var ops []string
		for _, op := range s.Operations {
			if op.Status != 0 {
				ops = append(ops, fmt.Sprintf("%s %d", op.Name, op.Status))
			} else if op.Outcome != "" {
				ops = append(ops, op.Name+" "+op.Step)
			} else {
				ops = append(ops, op.Name)
			}
		}
		if s.FellBackToHTTP {
			ops = append(ops, "(fell back to HTTP)")
		}
		fmt.Fprintf(w, "  %-18s %-9s %-6s %-6s %-52s %s\n", run.Scenario.Name, run.Scenario.Transport, result, status, recovery, strings.Join(ops, ", "))
	}
	fmt.Fprintf(w, "  %d of %d runs ended as their scenario expects (a ! marks the others)\n", r.Expected(), len(r.Runs))

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Routes: what each destination received")
	for _, st := range r.Routes {
		fmt.Fprintf(w, "  %s: spans %s; log records %s\n", st.Route, counts(st.Spans), counts(st.LogRecords))
		fmt.Fprintf(w, "    identity attributes (user.*): %d items; resources with host.name: %d; auth.request_id kept: %d; values with a redaction: %d\n",
			st.Identity, st.Hosts, st.RequestIDs, st.Redacted)
		fmt.Fprintf(w, "    keys on auth operations: %s\n", strings.Join(sortedKeys(st.AuthKeys), " "))
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "What authobs did (its own counters, scraped from the collector)")
	for _, proc := range sortedKeys(r.Counters) {
		fmt.Fprintf(w, "  %s\n", proc)
		for _, series := range sortedKeys(r.Counters[proc]) {
			fmt.Fprintf(w, "    %-60s %8.0f\n", series, r.Counters[proc][series])
		}
	}

	fmt.Fprintln(w)
	j := r.TraceContext
	fmt.Fprintf(w, "Trace context: %d of %d requests, handshakes and frames the mock API received carry a traceparent naming their own operation's span on trace_safe\n", j.Joined, j.Requests)
	for _, f := range j.Failures {
		fmt.Fprintf(w, "  NOT JOINED: %s\n", f)
	}

	fmt.Fprintln(w)
	fmt.Fprintf(w, "Leak check: searched both routes' output for %d secrets (API key, access/refresh/id tokens, tokens issued on refresh), whole and by their last 12 characters\n", r.Secrets)
	if len(r.Leaks) == 0 {
		fmt.Fprintln(w, "  leaks: 0")
		return
	}
	for _, l := range r.Leaks {
		fmt.Fprintf(w, "  LEAK on %s: %s\n", l.Route, l.What)
	}
	fmt.Fprintf(w, "  leaks: %d\n", len(r.Leaks))
}

// Expected counts the runs that ended as their scenario expects.
func (r *Report) Expected() int {
	n := 0
	for _, run := range r.Runs {
		if run.AsExpected() {
			n++
		}
	}
	return n
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
