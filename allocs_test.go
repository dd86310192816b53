package authobsprocessor

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
)

// cleanItemValues are everyday clean strings, several holding catalogue keywords (`key`,
// `token`, `api`, `auth`) that must not cost an allocation either.
var cleanItemValues = []string{
	"GET /api/v1/namespaces/default/pods/frontend-7d9f8b6c5-x2x9k/log?container=app",
	"token usage recorded for the turn",
	"cache key products:page:4 missed",
	"auth flow completed with status ok",
	"/var/lib/kubelet/pods/3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c/volumes/kubernetes.io~projected/kube-api-access-x7k2p",
	"arn:aws:iam::123456789012:role/service-role/MyLambdaExecutionRole-3kq8x2zp",
}

// TestZeroAllocsPerCleanItem: a batch of 101 clean spans and logs costs the same
// allocations as a batch of one, so a clean item costs none (asserted, not only
// benchmarked), keywords of the catalogue included.
func TestZeroAllocsPerCleanItem(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); make test runs this test again without it")
	}
	for _, route := range routes {
		t.Run(string(route), func(t *testing.T) {
			ctx := context.Background()
			set := processortest.NewNopSettings(NewFactory().Type())
			tp, err := NewFactory().CreateTraces(ctx, set, routeConfig(route), consumertest.NewNop())
			require.NoError(t, err)
			lp, err := NewFactory().CreateLogs(ctx, set, routeConfig(route), consumertest.NewNop())
			require.NoError(t, err)
			// every run gets a batch of values never seen before, so the processor's cache of
			// clean values cannot answer for the engine
			const runs = 20
			serial := 0
			batch := func(n int) (ptrace.Traces, plog.Logs) {
				td := ptrace.NewTraces()
				spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
				ld := plog.NewLogs()
				logs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
				for i := range n {
					serial++
					v := fmt.Sprintf("%s (item %d)", cleanItemValues[i%len(cleanItemValues)], serial)
					sp := spans.AppendEmpty()
					sp.SetName("app.work")
					sp.Attributes().PutStr("message", v)
					lr := logs.AppendEmpty()
					lr.Body().SetStr(v)
					lr.Attributes().PutStr("note", v)
				}
				return td, ld
			}
			allocs := func(n int) float64 {
				var tds []ptrace.Traces
				var lds []plog.Logs
				for range runs + 2 {
					td, ld := batch(n)
					tds, lds = append(tds, td), append(lds, ld)
				}
				// warm the processor's pools once
				require.NoError(t, tp.ConsumeTraces(ctx, tds[0]))
				require.NoError(t, lp.ConsumeLogs(ctx, lds[0]))
				k := 1
				return testing.AllocsPerRun(runs, func() {
					_ = tp.ConsumeTraces(ctx, tds[k])
					_ = lp.ConsumeLogs(ctx, lds[k])
					k++
				})
			}
			one, many := allocs(1), allocs(101)
			t.Logf("%s: %.1f allocs for 1 item, %.1f for 101", route, one, many)
			require.LessOrEqual(t, (many-one)/100, 0.0, "allocations per clean item")
		})
	}
}
