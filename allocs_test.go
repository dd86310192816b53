package authobsprocessor

import (
	"context"
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

// TestZeroAllocsPerCleanItem: a batch of n clean spans and logs costs the same allocations
// as a batch of one, so a clean item costs none (asserted, not only benchmarked).
func TestZeroAllocsPerCleanItem(t *testing.T) {
	for _, route := range routes {
		t.Run(string(route), func(t *testing.T) {
			ctx := context.Background()
			set := processortest.NewNopSettings(NewFactory().Type())
			tp, err := NewFactory().CreateTraces(ctx, set, routeConfig(route), consumertest.NewNop())
			require.NoError(t, err)
			lp, err := NewFactory().CreateLogs(ctx, set, routeConfig(route), consumertest.NewNop())
			require.NoError(t, err)
			batch := func(n int) (ptrace.Traces, plog.Logs) {
				td := ptrace.NewTraces()
				spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
				ld := plog.NewLogs()
				logs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
				for i := range n {
					v := cleanItemValues[i%len(cleanItemValues)]
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
				td, ld := batch(n)
				// warm the processor's caches and pools once
				require.NoError(t, tp.ConsumeTraces(ctx, td))
				require.NoError(t, lp.ConsumeLogs(ctx, ld))
				return testing.AllocsPerRun(20, func() {
					_ = tp.ConsumeTraces(ctx, td)
					_ = lp.ConsumeLogs(ctx, ld)
				})
			}
			one, many := allocs(1), allocs(101)
			t.Logf("%s: %.1f allocs for 1 item, %.1f for 101", route, one, many)
			require.LessOrEqual(t, (many-one)/100, 0.0, "allocations per clean item")
		})
	}
}
