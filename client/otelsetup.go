package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	lognoop "go.opentelemetry.io/otel/log/noop"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// Telemetry holds the providers built by SetupTelemetry.
type Telemetry struct {
	TracerProvider trace.TracerProvider
	LoggerProvider otellog.LoggerProvider
	// Propagator is the one OTEL_PROPAGATORS names; SetupTelemetry also makes it the
	// global propagator, which the client uses unless WithPropagator says otherwise.
	Propagator propagation.TextMapPropagator
	// Shutdown flushes and stops the exporters; call it before the process exits.
	Shutdown func(context.Context) error
}

// SetupTelemetry builds OTLP trace and log export from the standard variables:
// OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT, _PROTOCOL (grpc or http/protobuf,
// default http/protobuf), _HEADERS, _TIMEOUT, _INSECURE, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER (otlp or none)
// OTEL_PROPAGATORS (tracecontext, baggage or none, comma-separated; default
// tracecontext,baggage) and OTEL_SDK_DISABLED. A signal with no endpoint configured is
// not exported, so a CLI run without a collector does not stall on exit.
// defaultService is the service.name when OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES name none.
//
// The OpenTelemetry Go default propagator does nothing; SetupTelemetry sets the global
// one, so every request, handshake and WebSocket frame of the client carries W3C trace
// context.
func SetupTelemetry(ctx context.Context, defaultService string) (*Telemetry, error) {
	prop, err := propagatorFromEnv()
	if err != nil {
		return nil, err
	}
	otel.SetTextMapPropagator(prop)
	t := &Telemetry{
		TracerProvider: tracenoop.NewTracerProvider(),
		LoggerProvider: lognoop.NewLoggerProvider(),
		Propagator:     prop,
		Shutdown:       func(context.Context) error { return nil },
	}
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return t, nil
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", defaultService)),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("telemetry resource from OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	var shutdowns []func(context.Context) error

	if exportEnabled("TRACES") {
		var exp sdktrace.SpanExporter
		switch p := protocol("TRACES"); p {
		case "grpc":
			exp, err = otlptracegrpc.New(ctx)
		case "http/protobuf":
			exp, err = otlptracehttp.New(ctx)
		default:
			err = fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL %q is not supported (grpc or http/protobuf)", p)
		}
		if err != nil {
			return nil, fmt.Errorf("trace exporter: %w", err)
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
		t.TracerProvider = tp
		shutdowns = append(shutdowns, tp.Shutdown)
	}
	if exportEnabled("LOGS") {
		var exp sdklog.Exporter
		switch p := protocol("LOGS"); p {
		case "grpc":
			exp, err = otlploggrpc.New(ctx)
		case "http/protobuf":
			exp, err = otlploghttp.New(ctx)
		default:
			err = fmt.Errorf("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL %q is not supported (grpc or http/protobuf)", p)
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("log exporter: %w", err), shutdownAll(ctx, shutdowns))
		}
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)), sdklog.WithResource(res))
		t.LoggerProvider = lp
		shutdowns = append(shutdowns, lp.Shutdown)
	}
	t.Shutdown = func(ctx context.Context) error { return shutdownAll(ctx, shutdowns) }
	return t, nil
}

// propagatorFromEnv builds the propagator OTEL_PROPAGATORS names. Only the W3C ones are
// built in; another name (b3, jaeger, xray, ...) is an error rather than silently
// sending no context.
func propagatorFromEnv() (propagation.TextMapPropagator, error) {
	v := strings.TrimSpace(os.Getenv("OTEL_PROPAGATORS"))
	if v == "" {
		v = "tracecontext,baggage"
	}
	var props []propagation.TextMapPropagator
	for _, name := range strings.Split(v, ",") {
		switch n := strings.ToLower(strings.TrimSpace(name)); n {
		case "tracecontext":
			props = append(props, propagation.TraceContext{})
		case "baggage":
			props = append(props, propagation.Baggage{})
		case "none":
			return propagation.NewCompositeTextMapPropagator(), nil
		default:
			return nil, fmt.Errorf("OTEL_PROPAGATORS: %q is not supported (tracecontext, baggage or none)", n)
		}
	}
	return propagation.NewCompositeTextMapPropagator(props...), nil
}

func shutdownAll(ctx context.Context, fns []func(context.Context) error) error {
	var errs []error
	for _, f := range fns {
		if err := f(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// exportEnabled: OTEL_<SIGNAL>_EXPORTER=none disables; otherwise an endpoint must be
// configured (generic or per signal), or the exporter explicitly set to otlp.
func exportEnabled(signal string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_" + signal + "_EXPORTER"))) {
	case "none":
		return false
	case "otlp":
		return true
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

func protocol(signal string) string {
	if p := strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL")); p != "" {
		return p
	}
	if p := strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")); p != "" {
		return p
	}
	return "http/protobuf"
}
