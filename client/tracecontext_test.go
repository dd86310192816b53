package client

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// assertParent checks that remote, what a server extracted from a request, is the span
// context of the exported span: the server's span would be its child, in its trace.
func assertParent(t *testing.T, span tracetest.SpanStub, remote trace.SpanContext) {
	t.Helper()
	require.True(t, remote.IsValid(), "no trace context for %s", span.Name)
	assert.True(t, remote.IsRemote())
	assert.Equal(t, span.SpanContext.TraceID(), remote.TraceID(), "trace of %s", span.Name)
	assert.Equal(t, span.SpanContext.SpanID(), remote.SpanID(), "parent of the server span is not %s", span.Name)
	assert.True(t, remote.IsSampled())
}

// TestTraceContextOnHTTPRequests: a 401, two recovery steps and the successful send. Each
// POST carries the context of its own api_request span, which was live during the
// exchange (it starts before and ends after it); the auth_recovery spans are siblings
// under the caller's span, and every log record carries its operation's span ids.
func TestTraceContextOnHTTPRequests(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	api := newScripted(t, okAfter(2))
	auth := refreshingAuthFile(t)
	c := h.newClient(t, api.base(), WithAuth(auth))

	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, parent := tp.Tracer("caller").Start(context.Background(), "caller")
	_, err := c.CreateResponse(ctx, &ResponseRequest{Input: "hi"})
	parent.End()
	require.NoError(t, err)

	spans := h.spans.GetSpans()
	var requests []tracetest.SpanStub
	for _, s := range spans {
		assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext.TraceID())
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "%s is a child of the caller's span", s.Name)
		if s.Name == OpAPIRequest {
			requests = append(requests, s)
		}
	}
	require.Len(t, requests, 3)
	require.Len(t, api.parents, 3)
	for i, s := range requests {
		assertParent(t, s, api.parents[i])
	}

	logs := h.logs.all()
	require.Len(t, logs, len(spans))
	for i, r := range logs {
		assert.Equal(t, spans[i].SpanContext.TraceID(), r.TraceID(), "log %d", i)
		assert.Equal(t, spans[i].SpanContext.SpanID(), r.SpanID(), "log %d carries its span's id", i)
	}
}

// TestSetupTelemetryPropagators: SetupTelemetry sets the global propagator from
// OTEL_PROPAGATORS, and a client without WithPropagator uses it.
func TestSetupTelemetryPropagators(t *testing.T) {
	for _, tc := range []struct {
		env        string
		wantHeader bool
		wantErr    string
	}{
		{env: "", wantHeader: true},
		{env: "tracecontext", wantHeader: true},
		{env: "baggage,tracecontext", wantHeader: true},
		{env: "none", wantHeader: false},
		{env: "b3", wantErr: `OTEL_PROPAGATORS: "b3" is not supported`},
	} {
		t.Run("OTEL_PROPAGATORS="+tc.env, func(t *testing.T) {
			clearOTELEnv(t)
			t.Setenv("OTEL_PROPAGATORS", tc.env)
			_, err := SetupTelemetry(context.Background(), "svc")
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var header string
			api := newScripted(t, func(n int, w http.ResponseWriter, r *http.Request) {
				header = r.Header.Get("traceparent")
				writeSSE(w, n, "ok")
			})
			spans := sdktrace.NewTracerProvider()
			defer func() { _ = spans.Shutdown(context.Background()) }()
			c, err := New(api.base(), WithAuth(NewAPIKey(testAPIKey)), WithTracerProvider(spans))
			require.NoError(t, err)
			_, err = prompt(c)
			require.NoError(t, err)
			assert.Equal(t, tc.wantHeader, header != "", "traceparent %q", header)
		})
	}
}

// restoreGlobalPropagator undoes what SetupTelemetry sets, for the rest of the tests:
// back to a propagator that does nothing, like the OpenTelemetry Go default.
func restoreGlobalPropagator(t *testing.T) {
	t.Cleanup(func() { otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator()) })
}
