package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"
)

// Batches is how many distinct batches the shared workload rotates through: enough that
// an id comes back only after ~80k other values, as in a live stream, so no contender
// (authobs caches recurring clean values) gains from a batch repeating verbatim.
const Batches = 16

var (
	workloadOnce sync.Once
	shared       []*Workload
)

// workload is built once per process and only ever cloned.
//
// Every batch a benchmark feeds is encoded to OTLP protobuf and decoded again (received),
// as a receiver hands it over: each value is then a string of its own. Generated batches
// share one string between all the spans that draw the same constant, so a processor that
// compares values finds them equal by their pointers (memequal's first test), which it never
// does on received telemetry. AUTHOBS_BENCH_WIRE=0 feeds the generated batches as they are.
func workload() []*Workload {
	workloadOnce.Do(func() {
		for i := range Batches {
			w := NewWorkloadSeed(Seed+uint64(i), true)
			w.Traces, w.Logs = receivedTraces(w.Traces), receivedLogs(w.Logs)
			shared = append(shared, w)
		}
	})
	return shared
}

// onWire reports whether batches go through a protobuf round trip (workload).
var onWire = os.Getenv("AUTHOBS_BENCH_WIRE") != "0"

// received is v after a protobuf round trip through marshal and unmarshal (see workload),
// or v itself with AUTHOBS_BENCH_WIRE=0.
func received[T any](v T, marshal func(T) ([]byte, error), unmarshal func([]byte) (T, error)) T {
	if !onWire {
		return v
	}
	b, err := marshal(v)
	if err == nil {
		v, err = unmarshal(b)
	}
	if err != nil {
		panic(err)
	}
	return v
}

func receivedTraces(td ptrace.Traces) ptrace.Traces {
	return received(td, (&ptrace.ProtoMarshaler{}).MarshalTraces, (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces)
}

func receivedLogs(ld plog.Logs) plog.Logs {
	return received(ld, (&plog.ProtoMarshaler{}).MarshalLogs, (&plog.ProtoUnmarshaler{}).UnmarshalLogs)
}

func receivedMetrics(md pmetric.Metrics) pmetric.Metrics {
	return received(md, (&pmetric.ProtoMarshaler{}).MarshalMetrics, (&pmetric.ProtoUnmarshaler{}).UnmarshalMetrics)
}

func newContender(tb testing.TB, name string) *Contender {
	tb.Helper()
	c, err := NewContender(name, consumertest.NewNop(), consumertest.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// measure runs process once per iteration on a fresh clone made by prepare (outside the
// timer) and reports time, bytes and allocations per item, counting only process.
// Without prepare the same input is processed every iteration (the clean workload,
// which the processor leaves unchanged).
func measure(b *testing.B, items int, unit string, prepare func(), process func() error) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	var mallocs, bytes uint64
	if prepare == nil {
		runtime.ReadMemStats(&before)
	}
	for b.Loop() {
		if prepare != nil {
			b.StopTimer()
			prepare()
			runtime.ReadMemStats(&before)
			b.StartTimer()
		}
		if err := process(); err != nil {
			b.Fatal(err)
		}
		if prepare != nil {
			b.StopTimer()
			runtime.ReadMemStats(&after)
			mallocs += after.Mallocs - before.Mallocs
			bytes += after.TotalAlloc - before.TotalAlloc
			b.StartTimer()
		}
	}
	if prepare == nil {
		runtime.ReadMemStats(&after)
		mallocs, bytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
	}
	n := float64(b.N) * float64(items)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/"+unit)
	b.ReportMetric(float64(bytes)/n, "B/"+unit)
	b.ReportMetric(float64(mallocs)/n, "allocs/"+unit)
}

// BenchmarkTraces: every contender on the shared 1000-span batch, cloned per iteration.
func BenchmarkTraces(b *testing.B) {
	var batches []ptrace.Traces
	for _, w := range workload() {
		batches = append(batches, w.Traces)
	}
	benchTraceBatches(b, ContenderNames, batches)
}

// benchTraceBatches runs each contender of names on batches in rotation, each iteration
// on a fresh copy.
func benchTraceBatches(b *testing.B, names []string, batches []ptrace.Traces) {
	ctx := context.Background()
	for _, name := range names {
		b.Run("proc="+name, func(b *testing.B) {
			c := newContender(b, name)
			var td ptrace.Traces
			i := 0
			measure(b, SpansPerBatch, "span",
				func() { td = ptrace.NewTraces(); batches[i%len(batches)].CopyTo(td); i++ },
				func() error { return c.Traces(ctx, td) })
		})
	}
}

// BenchmarkLogs: every contender on the shared 1000-record log batch.
func BenchmarkLogs(b *testing.B) {
	var batches []plog.Logs
	for _, w := range workload() {
		batches = append(batches, w.Logs)
	}
	benchLogBatches(b, ContenderNames, batches)
}

// benchLogBatches is benchTraceBatches for log records.
func benchLogBatches(b *testing.B, names []string, batches []plog.Logs) {
	ctx := context.Background()
	for _, name := range names {
		b.Run("proc="+name, func(b *testing.B) {
			c := newContender(b, name)
			var ld plog.Logs
			i := 0
			measure(b, LogsPerBatch, "record",
				func() { ld = plog.NewLogs(); batches[i%len(batches)].CopyTo(ld); i++ },
				func() error { return c.Logs(ctx, ld) })
		})
	}
}

var (
	metricsOnce   sync.Once
	sharedMetrics []pmetric.Metrics
)

// metricsWorkload: Batches metrics batches, built once.
func metricsWorkload() []pmetric.Metrics {
	metricsOnce.Do(func() {
		for i := range Batches {
			sharedMetrics = append(sharedMetrics, receivedMetrics(NewMetricsSeed(Seed+uint64(i))))
		}
	})
	return sharedMetrics
}

// BenchmarkMetrics: the floor and authobs (metrics are not routed: both routes do the
// same) on 1000-point metrics batches, rotating over Batches seeds like the spans.
func BenchmarkMetrics(b *testing.B) {
	batches := metricsWorkload()
	ctx := context.Background()
	for _, name := range []string{"floor", "authobs_trace_safe"} {
		b.Run("proc="+name, func(b *testing.B) {
			c := newContender(b, name)
			var md pmetric.Metrics
			i := 0
			measure(b, PointsPerBatch, "point",
				func() { md = pmetric.NewMetrics(); batches[i%Batches].CopyTo(md); i++ },
				func() error { return c.Metrics(ctx, md) })
		})
	}
}

// BenchmarkCleanSpan: authobs on spans it must leave unchanged (TestCleanWorkloadUnchanged
// proves they are), each iteration a freshly drawn batch: recurring values (methods,
// routes, hosts) recur, ids are new, as in a live stream. A few warm-up batches first:
// the target is 0 allocations per clean span in steady state.
func BenchmarkCleanSpan(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"floor", "authobs_trace_safe", "authobs_log_only"} {
		b.Run("proc="+name, func(b *testing.B) {
			c := newContender(b, name)
			seed := uint64(Seed)
			for range 4 {
				seed++
				if err := c.Traces(ctx, NewWorkloadSeed(seed, false).Traces); err != nil {
					b.Fatal(err)
				}
			}
			var td ptrace.Traces
			measure(b, SpansPerBatch, "span",
				func() { seed++; td = receivedTraces(NewWorkloadSeed(seed, false).Traces) },
				func() error { return c.Traces(ctx, td) })
		})
	}
}

// TestCleanWorkloadUnchanged: clean workloads come out of authobs byte for byte as they
// went in, on both routes, so BenchmarkCleanSpan measures a true no-op pass.
func TestCleanWorkloadUnchanged(t *testing.T) {
	for _, name := range []string{"authobs_trace_safe", "authobs_log_only"} {
		c := newContender(t, name)
		for seed := uint64(Seed); seed < Seed+3; seed++ {
			w := NewWorkloadSeed(seed, false)
			want, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(w.Traces)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Traces(context.Background(), w.Traces); err != nil {
				t.Fatal(err)
			}
			got, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(w.Traces)
			if string(got) != string(want) {
				t.Errorf("%s changed the clean workload (seed %d)", name, seed)
			}
		}
	}
}

// leakBatches of the workload go through each contender for the leak table.
const leakBatches = 4

// TestLeaks prints, per contender, how many planted secrets survived in each place.
// authobs must let none through on either route.
func TestLeaks(t *testing.T) {
	ws := workload()[:leakBatches]
	ctx := context.Background()
	var inSpans, inLogs int
	for _, w := range ws {
		inSpans, inLogs = inSpans+len(w.Secrets), inLogs+len(w.LogSecr)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nplanted secrets surviving (of %d in spans, %d in log bodies, %d batches):\n", inSpans, inLogs, len(ws))
	fmt.Fprintf(&sb, "%-22s", "contender")
	for p := range NumPlaces {
		fmt.Fprintf(&sb, " %13s", p)
	}
	fmt.Fprintf(&sb, " %12s\n", "total")
	for _, name := range ContenderNames {
		tsink, lsink := new(consumertest.TracesSink), new(consumertest.LogsSink)
		c, err := NewContender(name, tsink, lsink)
		if err != nil {
			t.Fatal(err)
		}
		var lc LeakCount
		for i, w := range ws {
			td := ptrace.NewTraces()
			w.Traces.CopyTo(td)
			ld := plog.NewLogs()
			w.Logs.CopyTo(ld)
			if err := c.Traces(ctx, td); err != nil {
				t.Fatal(err)
			}
			if err := c.Logs(ctx, ld); err != nil {
				t.Fatal(err)
			}
			CountLeaks(w.Secrets, TraceTexts(tsink.AllTraces()[i]), &lc)
			CountLeaks(w.LogSecr, LogTexts(lsink.AllLogs()[i]), &lc)
		}
		c.Close()
		fmt.Fprintf(&sb, "%-22s", name)
		for p := range NumPlaces {
			fmt.Fprintf(&sb, " %6d of %3d", lc.Leaked[p], lc.Planted[p])
		}
		leaked, planted := lc.Total()
		fmt.Fprintf(&sb, " %4d of %4d\n", leaked, planted)
		if strings.HasPrefix(name, "authobs") && leaked != 0 {
			t.Errorf("%s let %d planted secrets through", name, leaked)
		}
	}
	fmt.Fprint(os.Stdout, sb.String())
}

// TestE2EConfigs keeps the end-to-end redactionprocessor config in step with the
// in-process one: same patterns, same key pattern.
func TestE2EConfigs(t *testing.T) {
	raw, err := os.ReadFile("e2e/collector-redaction.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Processors struct {
			Redaction struct {
				BlockedValues      []string `yaml:"blocked_values"`
				BlockedKeyPatterns []string `yaml:"blocked_key_patterns"`
			} `yaml:"redaction"`
		} `yaml:"processors"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Processors.Redaction
	if !slices.Equal(r.BlockedValues, SecretPatterns) || !slices.Equal(r.BlockedKeyPatterns, []string{SensitiveKeyPattern}) {
		t.Errorf("e2e/collector-redaction.yaml differs from SecretPatterns/SensitiveKeyPattern:\n%q\n%q", r.BlockedValues, r.BlockedKeyPatterns)
	}
}
