package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

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

// NewFactory returns the authobs processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
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

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newAuthobsProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newAuthobsProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := newAuthobsProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics,
		processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}
