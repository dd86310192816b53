package bench

import (
	"context"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var (
	semconvOnce    [2]sync.Once
	semconvBatches [2][]ptrace.Traces
	semconvErr     [2]error
)

// semconvWorkload: Batches batches of the semconv workload with planted secrets, built once
// per variant.
func semconvWorkload(tb testing.TB, fresh bool) []ptrace.Traces {
	tb.Helper()
	v := 0
	if fresh {
		v = 1
	}
	semconvOnce[v].Do(func() {
		for i := range Batches {
			td, _, err := NewSemconvWorkload(Seed+uint64(i), fresh, true)
			if err != nil {
				semconvErr[v] = err
				return
			}
			semconvBatches[v] = append(semconvBatches[v], receivedTraces(td))
		}
	})
	if semconvErr[v] != nil {
		tb.Fatal(semconvErr[v])
	}
	return semconvBatches[v]
}

// BenchmarkSemconv: the floor, authobs and redactionprocessor on the semconv workload
// (semconv.go), a held-out workload of OpenTelemetry's own keys and values, as they are.
func BenchmarkSemconv(b *testing.B) { benchSemconv(b, false) }

// BenchmarkSemconvFresh: BenchmarkSemconv with every digit of every value redrawn.
func BenchmarkSemconvFresh(b *testing.B) { benchSemconv(b, true) }

func benchSemconv(b *testing.B, fresh bool) {
	benchTraceBatches(b, []string{"floor", "authobs_trace_safe", "authobs_log_only", "redaction"}, semconvWorkload(b, fresh))
}

// TestSemconvClean: without planted secrets the semconv workload is benign telemetry.
// log_only must pass it byte for byte; trace_safe may drop attributes by their key (personal
// data), but every value it keeps must be the value that came in: a changed value is a
// false positive on OpenTelemetry's own examples.
func TestSemconvClean(t *testing.T) {
	for _, name := range []string{"authobs_log_only", "authobs_trace_safe"} {
		sink := new(consumertest.TracesSink)
		c, err := NewContender(name, sink, consumertest.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(Seed); seed < Seed+3; seed++ {
			in, _, err := NewSemconvWorkload(seed, seed%2 == 0, false)
			if err != nil {
				t.Fatal(err)
			}
			want := ptrace.NewTraces()
			in.CopyTo(want)
			if err := c.Traces(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			got := sink.AllTraces()[len(sink.AllTraces())-1]
			dropped := 0
			eachAttrMap(want, got, func(where string, w, g pcommon.Map) {
				for k, wv := range w.All() {
					gv, ok := g.Get(k)
					switch {
					case !ok && name == "authobs_log_only":
						t.Errorf("%s seed %d: %s attribute %q dropped", name, seed, where, k)
					case !ok:
						dropped++
					case gv.AsString() != wv.AsString():
						t.Errorf("%s seed %d: %s attribute %q changed: %q -> %q", name, seed, where, k, wv.AsString(), gv.AsString())
					}
				}
			})
			t.Logf("%s seed %d: %d attributes dropped by key", name, seed, dropped)
		}
		c.Close()
	}
}

// eachAttrMap calls f with the matching attribute maps of want and got (same shape: the
// processor drops attributes, never spans or events) and where they sit.
func eachAttrMap(want, got ptrace.Traces, f func(where string, w, g pcommon.Map)) {
	for i := range want.ResourceSpans().Len() {
		wr, gr := want.ResourceSpans().At(i), got.ResourceSpans().At(i)
		f("resource", wr.Resource().Attributes(), gr.Resource().Attributes())
		for j := range wr.ScopeSpans().Len() {
			wss, gss := wr.ScopeSpans().At(j).Spans(), gr.ScopeSpans().At(j).Spans()
			for k := range wss.Len() {
				ws, gs := wss.At(k), gss.At(k)
				f("span", ws.Attributes(), gs.Attributes())
				for e := range ws.Events().Len() {
					f("event", ws.Events().At(e).Attributes(), gs.Events().At(e).Attributes())
				}
			}
		}
	}
}

// TestSemconvLeaks: authobs lets no planted secret of the semconv workload through.
func TestSemconvLeaks(t *testing.T) {
	for _, name := range []string{"authobs_trace_safe", "authobs_log_only"} {
		sink := new(consumertest.TracesSink)
		c, err := NewContender(name, sink, consumertest.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		var lc LeakCount
		for i := range leakBatches {
			td, secrets, err := NewSemconvWorkload(Seed+uint64(i), i%2 == 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Traces(context.Background(), td); err != nil {
				t.Fatal(err)
			}
			CountLeaks(secrets, TraceTexts(sink.AllTraces()[i]), &lc)
		}
		c.Close()
		if leaked, planted := lc.Total(); leaked != 0 || planted == 0 {
			t.Errorf("%s: %d of %d planted secrets left", name, leaked, planted)
		}
	}
}

var (
	codexOnce    sync.Once
	codexBatches []ptrace.Traces
	codexErr     error
)

// BenchmarkCodex: the floor, authobs and redactionprocessor on the spans of the real Codex
// CLI captures (codex.go), replayed in 1000-span batches.
func BenchmarkCodex(b *testing.B) {
	benchTraceBatches(b, []string{"floor", "authobs_trace_safe", "authobs_log_only", "redaction"}, codexWorkload(b))
}

// codexWorkload: Batches batches of the Codex CLI's captured spans, built once.
func codexWorkload(tb testing.TB) []ptrace.Traces {
	tb.Helper()
	codexOnce.Do(func() {
		codexBatches, codexErr = NewCodexWorkload(Batches)
		for i, td := range codexBatches {
			codexBatches[i] = receivedTraces(td)
		}
	})
	if codexErr != nil {
		tb.Fatal(codexErr)
	}
	return codexBatches
}

// TestCodexWorkload: the batches hold SpansPerBatch spans each, and the real client's
// spans come out of authobs log_only as they went in (they hold no secret).
func TestCodexWorkload(t *testing.T) {
	ws, err := NewCodexWorkload(3)
	if err != nil {
		t.Fatal(err)
	}
	sink := new(consumertest.TracesSink)
	c, err := NewContender("authobs_log_only", sink, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, td := range ws {
		if td.SpanCount() != SpansPerBatch {
			t.Fatalf("batch %d: %d spans", i, td.SpanCount())
		}
		want, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		if err := c.Traces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
		got, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(sink.AllTraces()[i])
		if string(got) != string(want) {
			t.Errorf("batch %d: log_only changed the Codex CLI's spans", i)
		}
	}
}

var (
	codexLogsOnce    sync.Once
	codexLogsBatches []plog.Logs
	codexLogsErr     error
)

// BenchmarkCodexLogs: the floor, authobs and redactionprocessor on the log records of the
// real Codex CLI captures (codex.go), replayed in 1000-record batches: the auth events the
// product exists for, as the client sends them.
func BenchmarkCodexLogs(b *testing.B) {
	benchLogBatches(b, []string{"floor", "authobs_trace_safe", "authobs_log_only", "redaction"}, codexLogsWorkload(b))
}

// codexLogsWorkload: Batches batches of the Codex CLI's captured log records, built once.
func codexLogsWorkload(tb testing.TB) []plog.Logs {
	tb.Helper()
	codexLogsOnce.Do(func() {
		codexLogsBatches, codexLogsErr = NewCodexLogsWorkload(Batches)
		for i, ld := range codexLogsBatches {
			codexLogsBatches[i] = receivedLogs(ld)
		}
	})
	if codexLogsErr != nil {
		tb.Fatal(codexLogsErr)
	}
	return codexLogsBatches
}

// TestCodexLogsWorkload: the batches hold LogsPerBatch records each, every captured record
// is in them, and the real client's log events come out of authobs log_only as they went in.
func TestCodexLogsWorkload(t *testing.T) {
	recs, err := codexLogRecords()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 60 {
		t.Fatalf("%d captured log records, want the 63 of testdata/codex", len(recs))
	}
	ws, err := NewCodexLogsWorkload(2)
	if err != nil {
		t.Fatal(err)
	}
	sink := new(consumertest.LogsSink)
	c, err := NewContender("authobs_log_only", consumertest.NewNop(), sink)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, ld := range ws {
		if ld.LogRecordCount() != LogsPerBatch {
			t.Fatalf("batch %d: %d records", i, ld.LogRecordCount())
		}
		want, _ := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		if err := c.Logs(context.Background(), ld); err != nil {
			t.Fatal(err)
		}
		got, _ := (&plog.ProtoMarshaler{}).MarshalLogs(sink.AllLogs()[i])
		if string(got) != string(want) {
			t.Errorf("batch %d: log_only changed the Codex CLI's log records", i)
		}
	}
}

var (
	semconvLogsOnce    [2]sync.Once
	semconvLogsBatches [2][]plog.Logs
	semconvLogsErr     [2]error
)

// BenchmarkSemconvLogs: the floor, authobs and redactionprocessor on log records of the
// semconv corpus (semconv.go's NewSemconvLogs), bodies as they are.
func BenchmarkSemconvLogs(b *testing.B) { benchSemconvLogs(b, false) }

// BenchmarkSemconvLogsFresh: BenchmarkSemconvLogs with every digit redrawn, so that a body
// with a digit is first-seen text.
func BenchmarkSemconvLogsFresh(b *testing.B) { benchSemconvLogs(b, true) }

func benchSemconvLogs(b *testing.B, fresh bool) {
	benchLogBatches(b, []string{"floor", "authobs_trace_safe", "authobs_log_only", "redaction"}, semconvLogsWorkload(b, fresh))
}

// semconvLogsWorkload: Batches batches of semconv log records with planted secrets, built
// once per variant.
func semconvLogsWorkload(tb testing.TB, fresh bool) []plog.Logs {
	tb.Helper()
	v := 0
	if fresh {
		v = 1
	}
	semconvLogsOnce[v].Do(func() {
		for i := range Batches {
			ld, _, err := NewSemconvLogs(Seed+uint64(i), fresh, true)
			if err != nil {
				semconvLogsErr[v] = err
				return
			}
			semconvLogsBatches[v] = append(semconvLogsBatches[v], receivedLogs(ld))
		}
	})
	if semconvLogsErr[v] != nil {
		tb.Fatal(semconvLogsErr[v])
	}
	return semconvLogsBatches[v]
}

// TestSemconvLogsClean: without planted secrets the semconv log records are benign. log_only
// must pass them byte for byte; trace_safe may drop attributes by key or the body by route,
// but every value and body it keeps must be what came in.
func TestSemconvLogsClean(t *testing.T) {
	for _, name := range []string{"authobs_log_only", "authobs_trace_safe"} {
		sink := new(consumertest.LogsSink)
		c, err := NewContender(name, consumertest.NewNop(), sink)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(Seed); seed < Seed+3; seed++ {
			in, _, err := NewSemconvLogs(seed, seed%2 == 0, false)
			if err != nil {
				t.Fatal(err)
			}
			want := plog.NewLogs()
			in.CopyTo(want)
			if err := c.Logs(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			got := sink.AllLogs()[len(sink.AllLogs())-1]
			if name == "authobs_log_only" {
				wb, _ := (&plog.ProtoMarshaler{}).MarshalLogs(want)
				gb, _ := (&plog.ProtoMarshaler{}).MarshalLogs(got)
				if string(wb) != string(gb) {
					t.Errorf("%s seed %d: benign log records changed", name, seed)
				}
				continue
			}
			kept := 0
			for i := range want.ResourceLogs().Len() {
				wl, gl := want.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords(), got.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords()
				for k := range wl.Len() {
					w, g := wl.At(k), gl.At(k)
					if g.Body().Type() != pcommon.ValueTypeEmpty {
						kept++
						if g.Body().AsString() != w.Body().AsString() {
							t.Errorf("%s seed %d: body changed: %q -> %q", name, seed, w.Body().AsString(), g.Body().AsString())
						}
					}
					for key, wv := range w.Attributes().All() {
						if gv, ok := g.Attributes().Get(key); ok && gv.AsString() != wv.AsString() {
							t.Errorf("%s seed %d: attribute %q changed: %q -> %q", name, seed, key, wv.AsString(), gv.AsString())
						}
					}
				}
			}
			t.Logf("%s seed %d: %d bodies kept", name, seed, kept)
		}
		c.Close()
	}
}

// TestSemconvLogsLeaks: authobs lets no secret planted in a semconv log body through.
func TestSemconvLogsLeaks(t *testing.T) {
	for _, name := range []string{"authobs_trace_safe", "authobs_log_only"} {
		sink := new(consumertest.LogsSink)
		c, err := NewContender(name, consumertest.NewNop(), sink)
		if err != nil {
			t.Fatal(err)
		}
		var lc LeakCount
		for i := range leakBatches {
			ld, secrets, err := NewSemconvLogs(Seed+uint64(i), i%2 == 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Logs(context.Background(), ld); err != nil {
				t.Fatal(err)
			}
			CountLeaks(secrets, LogTexts(sink.AllLogs()[i]), &lc)
		}
		c.Close()
		if leaked, planted := lc.Total(); leaked != 0 || planted == 0 {
			t.Errorf("%s: %d of %d planted secrets left", name, leaked, planted)
		}
	}
}
