package bench

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkPaired measures authobs trace_safe against the floor in pairs. Every iteration
// copies one batch twice and runs the floor on one copy and authobs on the other, back to
// back, each timed on its own. Which runs first alternates, so that every batch is run in
// both orders, and the copy that runs first is always the one written last, whichever
// contender it is. x-floor is authobs' time over the floor's, summed over all iterations: the
// ratio the ≤ 2× target speaks of. The contender benchmarks run the floor and authobs
// seconds apart, and on this project's shared VM the clock moves from one second to the next
// (bench/README.md, "Reading the clock").
//
// ns/<item> is authobs' time per item, floor-ns/<item> the floor's; ns/op is the pair's
// time per batch, copies not included. Each workload is loaded in its own sub-benchmark, so
// -bench 'Paired/w=Traces' loads only that one.
func BenchmarkPaired(b *testing.B) {
	mixed := func() (t []ptrace.Traces, l []plog.Logs) {
		for _, w := range workload() {
			t, l = append(t, w.Traces), append(l, w.Logs)
		}
		return t, l
	}
	pairedTraces(b, "Traces", func(*testing.B) []ptrace.Traces { t, _ := mixed(); return t })
	pairedLogs(b, "Logs", func(*testing.B) []plog.Logs { _, l := mixed(); return l })
	paired(b, "Metrics", "point", func(*testing.B) []pmetric.Metrics { return metricsWorkload() },
		pmetric.NewMetrics, pmetric.Metrics.CopyTo, pmetric.Metrics.DataPointCount,
		func(c *Contender, md pmetric.Metrics) error { return c.Metrics(context.Background(), md) })
	pairedTraces(b, "Semconv", func(b *testing.B) []ptrace.Traces { return semconvWorkload(b, false) })
	pairedTraces(b, "SemconvFresh", func(b *testing.B) []ptrace.Traces { return semconvWorkload(b, true) })
	pairedTraces(b, "Codex", func(b *testing.B) []ptrace.Traces { return codexWorkload(b) })
	pairedLogs(b, "CodexLogs", func(b *testing.B) []plog.Logs { return codexLogsWorkload(b) })
	pairedLogs(b, "SemconvLogs", func(b *testing.B) []plog.Logs { return semconvLogsWorkload(b, false) })
	pairedLogs(b, "SemconvLogsFresh", func(b *testing.B) []plog.Logs { return semconvLogsWorkload(b, true) })
}

// pairedProc is the contender paired with the floor.
const pairedProc = "authobs_trace_safe"

func pairedTraces(b *testing.B, name string, load func(*testing.B) []ptrace.Traces) {
	paired(b, name, "span", load, ptrace.NewTraces, ptrace.Traces.CopyTo, ptrace.Traces.SpanCount,
		func(c *Contender, td ptrace.Traces) error { return c.Traces(context.Background(), td) })
}

func pairedLogs(b *testing.B, name string, load func(*testing.B) []plog.Logs) {
	paired(b, name, "record", load, plog.NewLogs, plog.Logs.CopyTo, plog.Logs.LogRecordCount,
		func(c *Contender, ld plog.Logs) error { return c.Logs(context.Background(), ld) })
}

// paired is BenchmarkPaired's sub-benchmark for one workload: load gives its batches, fresh,
// copyTo and count are the signal's, run feeds a batch to a contender.
func paired[T any](b *testing.B, name, unit string, load func(*testing.B) []T, fresh func() T,
	copyTo func(T, T), count func(T) int, run func(*Contender, T) error,
) {
	b.Run("w="+name+"/proc="+pairedProc, func(b *testing.B) {
		batches := load(b)
		floor, proc := newContender(b, "floor"), newContender(b, pairedProc)
		var tFloor, tProc time.Duration
		items, i := 0, 0
		for b.Loop() {
			b.StopTimer()
			// the order flips with the iteration and again with each pass over the batches,
			// so that every batch runs in both orders whatever their number
			j, pass := i%len(batches), i/len(batches)
			src, floorFirst := batches[j], (j+pass)%2 == 0
			i++
			first, second := fresh(), fresh()
			copyTo(src, second) // the copy written last runs first
			copyTo(src, first)
			items += count(src)
			a, z := floor, proc
			tA, tZ := &tFloor, &tProc
			if !floorFirst {
				a, z, tA, tZ = proc, floor, &tProc, &tFloor
			}
			b.StartTimer() // b.Loop wants it running; b.N is sized by the pairs' time
			t0 := time.Now()
			if err := run(a, first); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := run(z, second); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			*tA += t1.Sub(t0)
			*tZ += t2.Sub(t1)
		}
		b.ReportMetric(float64(tProc.Nanoseconds())/float64(items), "ns/"+unit)
		b.ReportMetric(float64(tFloor.Nanoseconds())/float64(items), "floor-ns/"+unit)
		b.ReportMetric(float64(tProc)/float64(tFloor), "x-floor")
	})
}
