package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
)

type operation uint8

const (
	opOther operation = iota
	opAPIRequest
	opWebsocketConnect
	opWebsocketRequest
	opAuthRecovery
	numOperations
)

var operationNames = [numOperations]string{"other", "api_request", "websocket_connect", "websocket_request", "auth_recovery"}

func (o operation) String() string { return operationNames[o] }

type authobsProcessor struct{}

func newAuthobsProcessor(_ processor.Settings, _ *Config) (*authobsProcessor, error) {
	return &authobsProcessor{}, nil
}

func (p *authobsProcessor) start(context.Context, component.Host) error { return nil }
func (p *authobsProcessor) shutdown(context.Context) error              { return nil }

func (p *authobsProcessor) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	return td, nil
}

func (p *authobsProcessor) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	return ld, nil
}

func (p *authobsProcessor) processMetrics(_ context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	return md, nil
}
