package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/authobs/authobsprocessor/internal/metadata"
)

// Defaults, readable at a glance. The empty config is the safe one.
const (
	defaultRoute          = RouteTraceSafe
	defaultMode           = ModeEnforce
	defaultReplacement    = "[REDACTED]"
	defaultIDPolicy       = IDKeep
	defaultEvidenceMaxLen = 64
)

// Default operation names: the reference client names its spans after the operation,
// Codex keys its log records and span events by `event.name`.
var defaultOperations = OperationsConfig{
	APIRequest:       OperationMatcher{SpanNames: []string{"api_request"}, EventNames: []string{"api_request", "codex.api_request"}},
	WebsocketConnect: OperationMatcher{SpanNames: []string{"websocket_connect"}, EventNames: []string{"websocket_connect", "codex.websocket_connect"}},
	WebsocketRequest: OperationMatcher{SpanNames: []string{"websocket_request"}, EventNames: []string{"websocket_request", "codex.websocket_request"}},
	AuthRecovery:     OperationMatcher{SpanNames: []string{"auth_recovery"}, EventNames: []string{"auth_recovery", "codex.auth_recovery"}},
}

var processorCapabilities = consumer.Capabilities{MutatesData: true}

// factory shares one processor instance between every signal and pipeline that use the
// same component config, as memorylimiterprocessor does: one policy, one clean-value
// cache, one set of instruments, and one start-up log line per configured component.
type factory struct {
	mu        sync.Mutex
	instances map[component.Config]*sharedInstance
	// beforeItem, set only by tests, is handed to every instance this factory creates
	// (see authobsProcessor.beforeItem).
	beforeItem func()
}

// sharedInstance counts the signal processors built on one instance; the last to shut
// down shuts the instance down.
type sharedInstance struct {
	p     *authobsProcessor
	users int
}

// NewFactory returns the authobs processor factory.
func NewFactory() processor.Factory {
	return (&factory{}).processorFactory()
}

func (f *factory) processorFactory() processor.Factory {
	f.instances = map[component.Config]*sharedInstance{}
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(create(f, processorhelper.NewTraces, (*authobsProcessor).processTraces), metadata.TracesStability),
		processor.WithLogs(create(f, processorhelper.NewLogs, (*authobsProcessor).processLogs), metadata.LogsStability),
		processor.WithMetrics(create(f, processorhelper.NewMetrics, (*authobsProcessor).processMetrics), metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Route:      defaultRoute,
		Mode:       defaultMode,
		Operations: defaultOperations,
		Evidence: EvidenceConfig{
			RequestID: defaultIDPolicy,
			CFRay:     defaultIDPolicy,
			MaxLength: defaultEvidenceMaxLen,
		},
		Redaction: RedactionConfig{Replacement: defaultReplacement},
	}
}

// create returns the create function of one signal: newSignal is processorhelper's
// constructor of that signal, process the instance's method for its batches.
func create[T, Next, Proc any, ProcessFunc ~func(context.Context, T) (T, error)](
	f *factory,
	newSignal func(context.Context, processor.Settings, component.Config, Next, ProcessFunc, ...processorhelper.Option) (Proc, error),
	process func(*authobsProcessor, context.Context, T) (T, error),
) func(context.Context, processor.Settings, component.Config, Next) (Proc, error) {
	return func(ctx context.Context, set processor.Settings, cfg component.Config, next Next) (Proc, error) {
		p, err := f.acquire(set, cfg)
		if err != nil {
			var none Proc
			return none, err
		}
		processBatch := func(ctx context.Context, batch T) (T, error) { return process(p, ctx, batch) }
		var released sync.Once // a second Shutdown of this signal's processor releases nothing more
		shutdown := func(ctx context.Context) (err error) {
			released.Do(func() { err = f.release(ctx, cfg) })
			return err
		}
		return newSignal(ctx, set, cfg, next, ProcessFunc(processBatch), processorhelper.WithCapabilities(processorCapabilities),
			processorhelper.WithStart(p.start), processorhelper.WithShutdown(shutdown))
	}
}

// acquire returns the instance for cfg, creating it for its first user.
func (f *factory) acquire(set processor.Settings, cfg component.Config) (*authobsProcessor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.instances[cfg]; ok {
		s.users++
		return s.p, nil
	}
	set.TelemetrySettings = sharedTelemetry(set.TelemetrySettings)
	p, err := newAuthobsProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	p.beforeItem = f.beforeItem
	f.instances[cfg] = &sharedInstance{p: p, users: 1}
	return p, nil
}

// release ends one user of cfg's instance and shuts the instance down after the last.
func (f *factory) release(ctx context.Context, cfg component.Config) error {
	f.mu.Lock()
	s, ok := f.instances[cfg]
	if ok {
		s.users--
		if s.users == 0 {
			delete(f.instances, cfg)
		}
	}
	f.mu.Unlock()
	if !ok || s.users > 0 {
		return nil
	}
	return s.p.shutdown(ctx)
}

// injectedPerPipeline are the attributes the collector adds to a component's logger and
// meter for the signal and pipeline that created it. A shared instance serves them all,
// so it drops them (as memorylimiterprocessor does); the component id stays, and the
// processor's own metrics carry their signal.
var injectedPerPipeline = []string{"otelcol.signal", "otelcol.pipeline.id"}

// sharedTelemetry drops injectedPerPipeline from the logger and meter where the collector
// injected them (providers that did not inject anything are returned as they are).
func sharedTelemetry(ts component.TelemetrySettings) component.TelemetrySettings {
	ts.Logger = ts.Logger.WithOptions(zap.WrapCore(withoutInjected[zapcore.Core]))
	ts.MeterProvider = withoutInjected(ts.MeterProvider)
	return ts
}

func withoutInjected[T any](v T) T {
	if d, ok := any(v).(interface {
		DropInjectedAttributes(...string) T
	}); ok {
		return d.DropInjectedAttributes(injectedPerPipeline...)
	}
	return v
}
