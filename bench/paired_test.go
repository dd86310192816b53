package bench

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkPaired measures authobs trace_safe against the floor in pairs: every iteration
// copies one batch twice and runs the floor on one copy and authobs on the other, back to
// back, the order alternating, each timed on its own. Both then meet the machine in the
// same state, and x-floor (authobs' time over the floor's, summed over all iterations) is
// the ratio the ≤ 2× target speaks of. On this project's shared VM the clock speed moves
// from minute to minute: the contender benchmarks run the floor and authobs seconds apart
// and their ratio moved 2.2–4.3× between consecutive runs of one binary, where the paired
// ratio stayed within a few percent (bench/README.md, "Reading the clock").
//
// ns/<item> is authobs' time, floor-ns/<item> the floor's. Copies are made outside the
// timed pair.
func BenchmarkPaired(b *testing.B) {
	var traces []ptrace.Traces
	var logs []plog.Logs
	for _, w := range workload() {
		traces = append(traces, w.Traces)
		logs = append(logs, w.Logs)
	}
	pairedTraces(b, "Traces", traces)
	pairedLogs(b, "Logs", logs)
	pairedMetrics(b, "Metrics", metricsWorkload())
	pairedTraces(b, "Semconv", semconvWorkload(b, false))
	pairedTraces(b, "SemconvFresh", semconvWorkload(b, true))
	pairedTraces(b, "Codex", codexWorkload(b))
	pairedLogs(b, "CodexLogs", codexLogsWorkload(b))
	pairedLogs(b, "SemconvLogs", semconvLogsWorkload(b, false))
	pairedLogs(b, "SemconvLogsFresh", semconvLogsWorkload(b, true))
}

const pairedProc = "authobs_trace_safe"

func pairedTraces(b *testing.B, name string, batches []ptrace.Traces) {
	ctx := context.Background()
	b.Run("w="+name+"/proc="+pairedProc, func(b *testing.B) {
		floor, proc := newContender(b, "floor"), newContender(b, pairedProc)
		paired(b, batches[0].SpanCount(), "span", func(i int) (func() error, func() error) {
			x, y := ptrace.NewTraces(), ptrace.NewTraces()
			batches[i%len(batches)].CopyTo(x)
			batches[i%len(batches)].CopyTo(y)
			return func() error { return floor.Traces(ctx, x) }, func() error { return proc.Traces(ctx, y) }
		})
	})
}

func pairedLogs(b *testing.B, name string, batches []plog.Logs) {
	ctx := context.Background()
	b.Run("w="+name+"/proc="+pairedProc, func(b *testing.B) {
		floor, proc := newContender(b, "floor"), newContender(b, pairedProc)
		paired(b, batches[0].LogRecordCount(), "record", func(i int) (func() error, func() error) {
			x, y := plog.NewLogs(), plog.NewLogs()
			batches[i%len(batches)].CopyTo(x)
			batches[i%len(batches)].CopyTo(y)
			return func() error { return floor.Logs(ctx, x) }, func() error { return proc.Logs(ctx, y) }
		})
	})
}

func pairedMetrics(b *testing.B, name string, batches []pmetric.Metrics) {
	ctx := context.Background()
	b.Run("w="+name+"/proc="+pairedProc, func(b *testing.B) {
		floor, proc := newContender(b, "floor"), newContender(b, pairedProc)
		paired(b, batches[0].DataPointCount(), "point", func(i int) (func() error, func() error) {
			x, y := pmetric.NewMetrics(), pmetric.NewMetrics()
			batches[i%len(batches)].CopyTo(x)
			batches[i%len(batches)].CopyTo(y)
			return func() error { return floor.Metrics(ctx, x) }, func() error { return proc.Metrics(ctx, y) }
		})
	})
}

// paired runs twins(i)'s floor and contender once each per iteration, alternating which goes
// first, and reports both times per item and their ratio.
func paired(b *testing.B, items int, unit string, twins func(i int) (floor, proc func() error)) {
	var tFloor, tProc time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		floor, proc := twins(i)
		first, second, tFirst, tSecond := floor, proc, &tFloor, &tProc
		if i%2 == 1 {
			first, second, tFirst, tSecond = proc, floor, &tProc, &tFloor
		}
		i++
		b.StartTimer() // b.Loop wants it running; b.N is sized by the pairs' time
		t0 := time.Now()
		if err := first(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := second(); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		*tFirst += t1.Sub(t0)
		*tSecond += t2.Sub(t1)
	}
	n := float64(b.N) * float64(items)
	b.ReportMetric(float64(tProc.Nanoseconds())/n, "ns/"+unit)
	b.ReportMetric(float64(tFloor.Nanoseconds())/n, "floor-ns/"+unit)
	b.ReportMetric(float64(tProc)/float64(tFloor), "x-floor")
}
