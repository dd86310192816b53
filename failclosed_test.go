package authobsprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/authobs/authobsprocessor/internal/metadatatest"
)

// TestRecoveredPanicLoggedOncePerCause: every guarded item of five batches panics, at two
// places in turn; the log shows each cause once, with the component id and a stack that
// names the place, and nothing of the data — neither the items' secrets nor the panic
// message that quotes one. Every failure is still counted.
func TestRecoveredPanicLoggedOncePerCause(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)

	calls := 0
	var missing map[string]int
	panicEverywhere := func() {
		calls++
		if calls%2 == 0 {
			panic("impossible state near " + testKey)
		}
		missing["x"]++ // a runtime error, at a second place
	}
	sink := new(consumertest.LogsSink)
	lp, err := hookedFactory(panicEverywhere).CreateLogs(context.Background(), set, routeConfig(RouteLogOnly), sink)
	require.NoError(t, err)
	for range 5 {
		ld := plog.NewLogs()
		records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for range 3 {
			records.AppendEmpty().Body().SetStr("secret " + testKey)
		}
		require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	}

	entries := logs.FilterMessageSnippet("internal error").All()
	require.Len(t, entries, 2, "one line per cause, not one per item")
	kinds := map[string]bool{}
	for _, e := range entries {
		fields := e.ContextMap()
		kinds[fields["panic"].(string)] = true
		assert.Equal(t, "authobs", fields["processor"])
		assert.Contains(t, fields["stack"], "TestRecoveredPanicLoggedOncePerCause.func", "the stack names the panicking function")
		assert.Contains(t, fields["stack"], "failclosed_test.go:")
		for k, v := range fields {
			assert.NotContains(t, v, testKey[8:], "field %s holds data", k)
		}
	}
	assert.Equal(t, map[string]bool{"string": true, "assignment to entry in nil map": true}, kinds)
	metadatatest.AssertEqualProcessorAuthobsItemsFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, attribute.String("signal", "logs"), attribute.String("reason", "internal_error")), Value: 5 * 5},
	}, metricdatatest.IgnoreTimestamp())
}
