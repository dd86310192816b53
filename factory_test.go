package authobsprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestOneInstancePerComponentConfig: the signals (and pipelines) of one component config
// share one instance, which logs its policy once; another config gets its own; the last
// shutdown of a config's processors ends its instance, a repeated shutdown changes nothing.
func TestOneInstancePerComponentConfig(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	set := processortest.NewNopSettings(NewFactory().Type())
	set.Logger = zap.New(core)
	f := &factory{}
	pf := f.processorFactory()
	ctx := context.Background()
	shared, other := routeConfig(RouteTraceSafe), routeConfig(RouteLogOnly)

	tp, err := pf.CreateTraces(ctx, set, shared, consumertest.NewNop())
	require.NoError(t, err)
	lp, err := pf.CreateLogs(ctx, set, shared, consumertest.NewNop())
	require.NoError(t, err)
	mp, err := pf.CreateMetrics(ctx, set, shared, consumertest.NewNop())
	require.NoError(t, err)
	op, err := pf.CreateTraces(ctx, set, other, consumertest.NewNop())
	require.NoError(t, err)
	all := []component.Component{tp, lp, mp, op}
	for _, c := range all {
		require.NoError(t, c.Start(ctx, componenttest.NewNopHost()))
	}

	assert.Equal(t, 2, logs.FilterMessage("authobs policy active").Len(), "one start-up line per component config")
	require.Len(t, f.instances, 2)
	assert.Equal(t, 3, f.instances[shared].users)
	assert.Equal(t, 1, f.instances[other].users)

	require.NoError(t, tp.Shutdown(ctx))
	require.NoError(t, tp.Shutdown(ctx))
	assert.Equal(t, 2, f.instances[shared].users, "a repeated shutdown releases once")
	for _, c := range all[1:] {
		require.NoError(t, c.Shutdown(ctx))
	}
	assert.Empty(t, f.instances, "the last shutdown ends the instance")
}

// TestEveryOperationKeyNamesAnOperation: the policy maps the config's operation keys to
// operations by name; a renamed key must not silently make an operation "other".
func TestEveryOperationKeyNamesAnOperation(t *testing.T) {
	seen := map[operation]bool{}
	for _, m := range defaultOperations.matchers() {
		op := operationNamed(m.key)
		assert.NotEqual(t, opOther, op, m.key)
		seen[op] = true
	}
	assert.Len(t, seen, int(numOperations)-1, "each operation has its key")
}
