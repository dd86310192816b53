package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func clearOTELEnv(t *testing.T) {
	restoreGlobalPropagator(t)
	for _, k := range []string{"OTEL_SDK_DISABLED", "OTEL_PROPAGATORS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
		"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_TRACES_EXPORTER", "OTEL_LOGS_EXPORTER", "OTEL_SERVICE_NAME",
		"OTEL_RESOURCE_ATTRIBUTES"} {
		t.Setenv(k, "")
	}
}

func TestSetupTelemetryWithoutEndpointIsNoop(t *testing.T) {
	clearOTELEnv(t)
	tel, err := SetupTelemetry(context.Background(), "svc")
	require.NoError(t, err)
	require.NoError(t, tel.Shutdown(context.Background()))
}

func TestSetupTelemetryRejectsUnknownProtocol(t *testing.T) {
	clearOTELEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	_, err := SetupTelemetry(context.Background(), "svc")
	require.ErrorContains(t, err, `"http/json" is not supported`)
}

// TestSetupTelemetryExportsOTLPHTTP sends one call's telemetry to a fake OTLP/HTTP
// receiver and checks that both signals arrive, with the service name from the env.
func TestSetupTelemetryExportsOTLPHTTP(t *testing.T) {
	clearOTELEnv(t)
	var mu sync.Mutex
	got := map[string][]byte{}
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], b...)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer otlp.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_SERVICE_NAME", "authobs-test-svc")

	tel, err := SetupTelemetry(context.Background(), "svc")
	require.NoError(t, err)
	api := newScripted(t, okAfter(0))
	c, err := New(api.base(), WithAuth(NewAPIKey(testAPIKey)),
		WithTracerProvider(tel.TracerProvider), WithLoggerProvider(tel.LoggerProvider))
	require.NoError(t, err)
	_, err = prompt(c)
	require.NoError(t, err)
	require.NoError(t, tel.Shutdown(context.Background()))

	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, got, "/v1/traces")
	require.Contains(t, got, "/v1/logs")
	for _, p := range []string{"/v1/traces", "/v1/logs"} {
		assert.Contains(t, string(got[p]), "authobs-test-svc")
		assert.Contains(t, string(got[p]), "api_request")
		assert.NotContains(t, string(got[p]), testAPIKey)
	}
}
