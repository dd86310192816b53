package collector_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/codexcapture"
	"github.com/authobs/authobsprocessor/test/internal/proc"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/authobs/authobsprocessor"
)

// sinkExporter is the test exporter: a real exporter component that keeps what it gets.
type sinkExporter struct {
	component.StartFunc
	component.ShutdownFunc
	traces *consumertest.TracesSink
	logs   *consumertest.LogsSink
}

func (s *sinkExporter) factory() exporter.Factory {
	typ := component.MustNewType("sink")
	return exporter.NewFactory(typ, func() component.Config { return &struct{}{} },
		exporter.WithTraces(func(context.Context, exporter.Settings, component.Config) (exporter.Traces, error) {
			return struct {
				component.StartFunc
				component.ShutdownFunc
				*consumertest.TracesSink
			}{TracesSink: s.traces}, nil
		}, component.StabilityLevelDevelopment),
		exporter.WithLogs(func(context.Context, exporter.Settings, component.Config) (exporter.Logs, error) {
			return struct {
				component.StartFunc
				component.ShutdownFunc
				*consumertest.LogsSink
			}{LogsSink: s.logs}, nil
		}, component.StabilityLevelDevelopment),
	)
}

// TestInProcessCollector runs a real collector: otlpreceiver over OTLP/HTTP and gRPC on
// 127.0.0.1, authobs on a trace_safe traces pipeline and a log_only logs pipeline, and a
// sink exporter; Codex captures go in over both protocols.
func TestInProcessCollector(t *testing.T) {
	ports, err := proc.FreePorts(2)
	require.NoError(t, err)
	grpcAddr, httpAddr := proc.Loopback(ports[0]), proc.Loopback(ports[1])
	cfgYAML := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: %q}
      http: {endpoint: %q}
processors:
  authobs/trace_safe: {}
  authobs/log_only: {route: log_only}
exporters:
  sink: {}
service:
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [authobs/trace_safe]
      exporters: [sink]
    logs:
      receivers: [otlp]
      processors: [authobs/log_only]
      exporters: [sink]
`, grpcAddr, httpAddr)

	sink := &sinkExporter{traces: new(consumertest.TracesSink), logs: new(consumertest.LogsSink)}
	col, err := otelcol.NewCollector(otelcol.CollectorSettings{
		BuildInfo: component.NewDefaultBuildInfo(),
		Factories: func() (otelcol.Factories, error) {
			f := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
			var err error
			if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
				return f, err
			}
			if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](authobsprocessor.NewFactory()); err != nil {
				return f, err
			}
			f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](sink.factory())
			return f, err
		},
		ConfigProviderSettings: otelcol.ConfigProviderSettings{ResolverSettings: confmap.ResolverSettings{
			URIs:              []string{"yaml:" + cfgYAML},
			ProviderFactories: []confmap.ProviderFactory{yamlprovider.NewFactory()},
		}},
		DisableGracefulShutdown: true,
		SkipSettingGRPCLogger:   true,
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- col.Run(context.Background()) }()
	t.Cleanup(func() {
		col.Shutdown()
		require.NoError(t, <-done)
	})
	require.Eventually(t, func() bool { return col.GetState() == otelcol.StateRunning }, 20*time.Second, 20*time.Millisecond)

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()

	var wantSpans, wantLogs int
	captures := filepath.Join("..", "..", "testdata", "codex")
	scenarios, err := codexcapture.Scenarios(captures)
	require.NoError(t, err)
	for i, scenario := range scenarios {
		c, err := codexcapture.Load(captures, scenario)
		require.NoError(t, err)
		td, ld := c.MergedTraces(), c.MergedLogs()
		wantSpans += td.SpanCount()
		wantLogs += ld.LogRecordCount()
		if i%2 == 0 { // alternate the protocols per signal
			postOTLP(t, "http://"+httpAddr+"/v1/traces", must(ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()))
			_, err = plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(ld))
			require.NoError(t, err)
		} else {
			_, err = ptraceotlp.NewGRPCClient(conn).Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(td))
			require.NoError(t, err)
			postOTLP(t, "http://"+httpAddr+"/v1/logs", must(plogotlp.NewExportRequestFromLogs(ld).MarshalProto()))
		}
	}
	require.Eventually(t, func() bool {
		return sink.traces.SpanCount() == wantSpans && sink.logs.LogRecordCount() == wantLogs
	}, 10*time.Second, 20*time.Millisecond, "nothing is lost")

	// trace_safe: evidence intact, personal data gone
	var evidence, hosts int
	for _, td := range sink.traces.AllTraces() {
		forEachSpanEvent(td, func(attrs pcommon.Map) {
			if v, ok := attrs.Get("auth.request_id"); ok {
				evidence++
				assert.True(t, strings.HasPrefix(v.Str(), "req-mock-"), v.Str())
			}
			_, hasCwd := attrs.Get("cwd")
			assert.False(t, hasCwd)
		})
	}
	assert.Positive(t, evidence)
	// log_only: identity and host kept
	for _, ld := range sink.logs.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			if _, ok := ld.ResourceLogs().At(i).Resource().Attributes().Get("host.name"); ok {
				hosts++
			}
		}
	}
	assert.Positive(t, hosts, "log_only keeps host.name")
}

func forEachSpanEvent(td ptrace.Traces, fn func(pcommon.Map)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(spans.At(k).Attributes())
				evs := spans.At(k).Events()
				for e := 0; e < evs.Len(); e++ {
					fn(evs.At(e).Attributes())
				}
			}
		}
	}
}

func postOTLP(t *testing.T, url string, body []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
