package bench

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// scaleSpans is how many spans one iteration of BenchmarkScaleSpans processes, split into
// requests of the size under test, so every size does the same work per iteration.
const scaleSpans = 10_000

// BenchmarkScaleSpans: the floor and authobs on the shared workload's spans sent as
// requests of 1, 100, 1 000 and 10 000 spans (each request keeps its span's resource and
// scope). Per-span cost should not depend on the request size: no per-request overhead
// that dominates small requests, no cliff for large ones. Consecutive iterations take the
// next spans of the 16 rotating batches, so ids recur only after 16 000 spans, as in
// BenchmarkTraces.
func BenchmarkScaleSpans(b *testing.B) {
	refs := allSpans(workload())
	ctx := context.Background()
	for _, size := range []int{1, 100, 1000, 10_000} {
		for _, name := range []string{"floor", "authobs_trace_safe"} {
			b.Run("spans="+strconv.Itoa(size)+"/proc="+name, func(b *testing.B) {
				c := newContender(b, name)
				next := 0
				var reqs []ptrace.Traces
				measure(b, scaleSpans, "span",
					func() { reqs, next = requests(refs, next, size) },
					func() error {
						for _, td := range reqs {
							if err := c.Traces(ctx, td); err != nil {
								return err
							}
						}
						return nil
					})
			})
		}
	}
}

// spanRef is one span of the shared workload with the resource and scope it came under.
type spanRef struct {
	rs   ptrace.ResourceSpans
	ss   ptrace.ScopeSpans
	span ptrace.Span
}

// allSpans lists the spans of the rotating batches in order.
func allSpans(ws []*Workload) []spanRef {
	var refs []spanRef
	for _, w := range ws {
		rss := w.Traces.ResourceSpans()
		for i := range rss.Len() {
			sss := rss.At(i).ScopeSpans()
			for j := range sss.Len() {
				spans := sss.At(j).Spans()
				for k := range spans.Len() {
					refs = append(refs, spanRef{rss.At(i), sss.At(j), spans.At(k)})
				}
			}
		}
	}
	return refs
}

// requests cuts scaleSpans spans, starting at index from of refs, into requests of size
// spans, each span under a copy of its resource and scope (a new group whenever the
// source's scope changes, as an SDK exports); it returns them and the index to continue from.
func requests(refs []spanRef, from, size int) ([]ptrace.Traces, int) {
	var reqs []ptrace.Traces
	var cur ptrace.Traces
	var last ptrace.ScopeSpans
	var lastSrc ptrace.ScopeSpans
	left := 0
	for n := range scaleSpans {
		r := refs[(from+n)%len(refs)]
		fresh := left == 0
		if fresh {
			cur = ptrace.NewTraces()
			reqs = append(reqs, cur)
			left = size
		}
		if fresh || r.ss != lastSrc {
			nrs := cur.ResourceSpans().AppendEmpty()
			r.rs.Resource().CopyTo(nrs.Resource())
			last = nrs.ScopeSpans().AppendEmpty()
			r.ss.Scope().CopyTo(last.Scope())
			lastSrc = r.ss
		}
		r.span.CopyTo(last.Spans().AppendEmpty())
		left--
	}
	return reqs, (from + scaleSpans) % len(refs)
}

// scaleBytes is how many value bytes one iteration of BenchmarkScaleValue processes.
const scaleBytes = 1 << 20

// BenchmarkScaleValue: the floor and authobs on spans that each carry one long free-text
// value (`message`) of 1 KiB to 1 MiB, no secret in it; scaleBytes of values per iteration.
// Cost per byte should stay flat as values grow. Every value is new (a counter prefix that
// runs on across iterations), so none comes from the clean cache: this is the engine's scan
// rate through the processor.
func BenchmarkScaleValue(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{1 << 10, 16 << 10, 256 << 10, 1 << 20} {
		text := proseOf(size)
		for _, name := range []string{"floor", "authobs_trace_safe"} {
			b.Run("value="+strconv.Itoa(size>>10)+"KiB/proc="+name, func(b *testing.B) {
				c := newContender(b, name)
				n := scaleBytes / size
				var reqs []ptrace.Traces
				drawn := 0
				measure(b, scaleBytes, "byte",
					func() {
						reqs = reqs[:0]
						for range n {
							td := ptrace.NewTraces()
							span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
							span.SetName("render")
							// a distinct prefix per value, in every iteration: each value is
							// first-seen, so this measures the scan, not the clean cache
							drawn++
							span.Attributes().PutStr("message", strconv.Itoa(drawn)+" "+text)
							reqs = append(reqs, td)
						}
					},
					func() error {
						for _, td := range reqs {
							if err := c.Traces(ctx, td); err != nil {
								return err
							}
						}
						return nil
					})
			})
		}
	}
}

// proseOf returns n bytes of log-like text without secrets: words, numbers, paths and
// hosts, the kind of free text a long value holds.
func proseOf(n int) string {
	words := []string{"request", "served", "in", "ms", "GET", "/v1/items/1234", "cache", "miss", "upstream",
		"checkout.shop.internal:8080", "retry", "after", "status", "200", "user", "agent", "curl/8.11.1",
		"the", "order", "was", "placed", "and", "shipped", "to", "warehouse", "eu-west-1", "2026-11-29T07:00:00Z"}
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		sb.WriteString(words[(i*7+i/3)%len(words)])
		if i%13 == 12 {
			sb.WriteString(".\n")
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()[:n]
}
