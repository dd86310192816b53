package corpus_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	authobs "github.com/authobs/authobsprocessor"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/corpus"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/gitleakscfg"
)

// seed is fresh on every run and printed; CORPUS_SEED replays a run.
func seed(t *testing.T) uint64 {
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("CORPUS_SEED"); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("CORPUS_SEED: %v", err)
		}
	}
	t.Logf("corpus seed %d (replay with CORPUS_SEED=%d)", s, s)
	return s
}

// TestRecallThroughProcessor: a fresh corpus over every rule, each sample planted in every
// place of the contract, through the real processor on both routes: no random part of any
// secret nor a 12-byte piece of it comes out, and no item is lost.
func TestRecallThroughProcessor(t *testing.T) {
	cfg, err := gitleakscfg.Load()
	if err != nil {
		t.Fatal(err)
	}
	samples, missed := corpus.New(cfg).Generate(seed(t))
	rules := map[string]bool{}
	for _, s := range samples {
		rules[s.Rule] = true
	}
	t.Logf("%d samples over %d rules; %d rules without a sample gitleaks reports: %v", len(samples), len(rules), len(missed), missed)
	if len(rules) < 200 {
		t.Fatalf("only %d rules have samples", len(rules))
	}
	for _, route := range []authobs.Route{authobs.RouteLogOnly, authobs.RouteTraceSafe} {
		t.Run(string(route), func(t *testing.T) {
			pcfg := authobs.NewFactory().CreateDefaultConfig().(*authobs.Config)
			pcfg.Route = route
			p := newPipeline(t, pcfg)
			leaks := map[string]int{}
			leakedSamples := 0
			for _, s := range samples {
				if leak(s.Text, s.Random) == "" {
					t.Fatalf("%s/%s: the leak check cannot see %q in its own input", s.Rule, s.Style, s.Random)
				}
				out, lost := p.run(t, s.Text)
				if lost != "" {
					t.Errorf("%s/%s: %s", s.Rule, s.Style, lost)
				}
				if p := leak(out, s.Random); p != "" {
					leaks[s.Rule]++
					leakedSamples++
					if leaks[s.Rule] == 1 {
						t.Errorf("%s/%s leaks %q\n in: %q\nout: %q", s.Rule, s.Style, p, s.Text, out)
					}
				}
			}
			ids := make([]string, 0, len(leaks))
			for id := range leaks {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			t.Logf("%s: %d of %d samples leak, %d of %d rules leak: %v", route, leakedSamples, len(samples), len(leaks), len(rules), ids)
		})
	}
}

// leak returns a piece of random found in out: random itself when short, else any 12-byte
// window of it.
func leak(out, random string) string {
	if len(random) <= 12 {
		if strings.Contains(out, random) {
			return random
		}
		return ""
	}
	for i := 0; i+12 <= len(random); i++ {
		if p := random[i : i+12]; strings.Contains(out, p) {
			return p
		}
	}
	return ""
}

// pipeline is one processor per signal, reused for every sample.
type pipeline struct {
	tp processor.Traces
	lp processor.Logs
	mp processor.Metrics
	ts *consumertest.TracesSink
	ls *consumertest.LogsSink
	ms *consumertest.MetricsSink
}

func newPipeline(t *testing.T, cfg *authobs.Config) *pipeline {
	ctx := context.Background()
	f := authobs.NewFactory()
	set := processortest.NewNopSettings(f.Type())
	p := &pipeline{ts: new(consumertest.TracesSink), ls: new(consumertest.LogsSink), ms: new(consumertest.MetricsSink)}
	var err error
	if p.tp, err = f.CreateTraces(ctx, set, cfg, p.ts); err != nil {
		t.Fatal(err)
	}
	if p.lp, err = f.CreateLogs(ctx, set, cfg, p.ls); err != nil {
		t.Fatal(err)
	}
	if p.mp, err = f.CreateMetrics(ctx, set, cfg, p.ms); err != nil {
		t.Fatal(err)
	}
	return p
}

// run plants v in every place of the contract on all three signals and returns every
// string that came out, and a description of any item lost.
func (p *pipeline) run(t *testing.T, v string) (string, string) {
	ctx := context.Background()
	p.ts.Reset()
	p.ls.Reset()
	p.ms.Reset()
	td, ld, md := batches(v)
	want := [3]int{td.SpanCount(), ld.LogRecordCount(), md.DataPointCount()}
	if err := p.tp.ConsumeTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	if err := p.lp.ConsumeLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	if err := p.mp.ConsumeMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var got [3]int
	for _, x := range p.ts.AllTraces() {
		got[0] += x.SpanCount()
		dumpTraces(&b, x)
	}
	for _, x := range p.ls.AllLogs() {
		got[1] += x.LogRecordCount()
		dumpLogs(&b, x)
	}
	for _, x := range p.ms.AllMetrics() {
		got[2] += x.DataPointCount()
		dumpMetrics(&b, x)
	}
	lost := ""
	if got != want {
		lost = "items lost: want " + itoa3(want) + ", got " + itoa3(got)
	}
	return b.String(), lost
}

func itoa3(c [3]int) string {
	return strconv.Itoa(c[0]) + "/" + strconv.Itoa(c[1]) + "/" + strconv.Itoa(c[2])
}

// batches puts v in attributes, nested map leaves, span names, status messages, events,
// log bodies, metric labels and the resource.
func batches(v string) (ptrace.Traces, plog.Logs, pmetric.Metrics) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("deployment.note", v)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName(v)
	span.Attributes().PutStr("note", v)
	span.Attributes().PutEmptyMap("nested").PutEmptyMap("deeper").PutStr("leaf", v)
	span.Status().SetMessage(v)
	ev := span.Events().AppendEmpty()
	ev.SetName("log")
	ev.Attributes().PutStr("message", v)

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("deployment.note", v)
	sl := rl.ScopeLogs().AppendEmpty()
	lr := sl.LogRecords().AppendEmpty()
	lr.Body().SetStr(v)
	lr.Attributes().PutStr("note", v)
	lr2 := sl.LogRecords().AppendEmpty()
	lr2.Body().SetEmptyMap().PutStr("msg", v)

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("deployment.note", v)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("app.requests")
	m.SetEmptySum().DataPoints().AppendEmpty().Attributes().PutStr("note", v)
	return td, ld, md
}

func dumpMap(b *strings.Builder, m pcommon.Map) {
	m.Range(func(k string, v pcommon.Value) bool {
		b.WriteString(k)
		b.WriteByte('\n')
		dumpValue(b, v)
		return true
	})
}

func dumpValue(b *strings.Builder, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeMap:
		dumpMap(b, v.Map())
	case pcommon.ValueTypeSlice:
		for i := 0; i < v.Slice().Len(); i++ {
			dumpValue(b, v.Slice().At(i))
		}
	case pcommon.ValueTypeBytes:
		b.Write(v.Bytes().AsRaw())
	default:
		b.WriteString(v.AsString())
	}
	b.WriteByte('\n')
}

func dumpTraces(b *strings.Builder, td ptrace.Traces) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		dumpMap(b, rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			b.WriteString(ss.Scope().Name() + "\n")
			for k := 0; k < ss.Spans().Len(); k++ {
				sp := ss.Spans().At(k)
				b.WriteString(sp.Name() + "\n" + sp.Status().Message() + "\n" + sp.TraceState().AsRaw() + "\n")
				dumpMap(b, sp.Attributes())
				for e := 0; e < sp.Events().Len(); e++ {
					b.WriteString(sp.Events().At(e).Name() + "\n")
					dumpMap(b, sp.Events().At(e).Attributes())
				}
			}
		}
	}
}

func dumpLogs(b *strings.Builder, ld plog.Logs) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		dumpMap(b, rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			sl := rl.ScopeLogs().At(j)
			for k := 0; k < sl.LogRecords().Len(); k++ {
				lr := sl.LogRecords().At(k)
				b.WriteString(lr.EventName() + "\n")
				dumpValue(b, lr.Body())
				dumpMap(b, lr.Attributes())
			}
		}
	}
}

func dumpMetrics(b *strings.Builder, md pmetric.Metrics) {
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		dumpMap(b, rm.Resource().Attributes())
		for j := 0; j < rm.ScopeMetrics().Len(); j++ {
			sm := rm.ScopeMetrics().At(j)
			for k := 0; k < sm.Metrics().Len(); k++ {
				m := sm.Metrics().At(k)
				b.WriteString(m.Name() + "\n")
				if m.Type() == pmetric.MetricTypeSum {
					for d := 0; d < m.Sum().DataPoints().Len(); d++ {
						dumpMap(b, m.Sum().DataPoints().At(d).Attributes())
					}
				}
			}
		}
	}
}
