package authobsprocessor

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/authobs/authobsprocessor/internal/cleancache"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
)

// TestRecentHoldsOnlyCleanValues: the batch's memo of clean values (counters.recent)
// takes only values the clean cache vouches for, so a secret that recurs within a batch
// is redacted on every sighting, and a clean value that recurs is served from it.
func TestRecentHoldsOnlyCleanValues(t *testing.T) {
	p, err := newAuthobsProcessor(processortest.NewNopSettings(NewFactory().Type()), routeConfig(RouteTraceSafe))
	require.NoError(t, err)
	const secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz" // a GitHub token's shape
	const clean = "api.shop.example.com"
	c := getCounters()
	defer putCounters(c)
	for i := range 8 {
		// fresh strings, as every span of a received batch brings its own
		out, changed := p.redactString(strings.Clone(secret), c)
		require.True(t, changed, "sighting %d", i)
		require.NotContains(t, out, secret[4:])
		out, changed = p.redactString(strings.Clone(clean), c)
		require.False(t, changed)
		require.Equal(t, clean, out)
	}
	assert.False(t, c.recent.Has(secret))
	assert.Equal(t, cleancache.RecentHolds, c.recent.Has(clean), "a clean value that recurs is held")
	total := 0
	for _, n := range c.hits {
		total += n
	}
	assert.Equal(t, 8, total, "every sighting of the secret counted")
}

// TestCountersReturnedEmpty: the memo points into a batch's strings; counters go back to
// the pool without them, so a finished batch is not kept alive by the pool.
func TestCountersReturnedEmpty(t *testing.T) {
	c := getCounters()
	c.recent.Put(strings.Clone("api.shop.example.com"))
	putCounters(c)
	assert.Equal(t, counters{}.recent, c.recent)
}

// TestConcurrentBatches: batches processed at once by one processor (each with its own
// counters and memo) come out as they do one at a time. (A memo shared by the batches is
// not caught here, even under -race: the clean cache's atomics order most of their
// accesses. Each batch owning its memo is by construction: it lives in the counters that
// batch takes from the pool.)
func TestConcurrentBatches(t *testing.T) {
	batch := func(g int) ptrace.Traces {
		td := ptrace.NewTraces()
		spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
		for i := range 300 {
			a := spans.AppendEmpty().Attributes()
			a.PutStr("server.address", "api"+strconv.Itoa(i%3)+".shop.example.com")
			a.PutStr("user_agent.original", "okhttp/4.12.0 worker-"+strconv.Itoa(g))
			if i%7 == g {
				a.PutStr("url.full", "https://api.shop.example.com/x?access_token=ghp_0123456789abcdefghijklmnopqrstuvwxyz")
			}
		}
		return td
	}
	const workers = 4
	want := make([][]byte, workers)
	for g := range workers {
		p, err := newAuthobsProcessor(processortest.NewNopSettings(NewFactory().Type()), routeConfig(RouteTraceSafe))
		require.NoError(t, err)
		td, err := p.processTraces(context.Background(), batch(g))
		require.NoError(t, err)
		want[g], err = (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
	}
	p, err := newAuthobsProcessor(processortest.NewNopSettings(NewFactory().Type()), routeConfig(RouteTraceSafe))
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][][]byte, workers)
	for g := range workers {
		wg.Go(func() {
			for range 10 {
				td, err := p.processTraces(context.Background(), batch(g))
				if err != nil {
					panic(err)
				}
				b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
				if err != nil {
					panic(err)
				}
				got[g] = append(got[g], b)
			}
		})
	}
	wg.Wait()
	for g := range workers {
		for i, b := range got[g] {
			require.Equal(t, want[g], b, "worker %d, batch %d", g, i)
		}
	}
}
