package openaimw

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/authobs/authobsprocessor/client"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "sk-proj-OPENAIMW-SECRET-0123456789"

// TestMiddlewareRecordsSDKCalls runs the official SDK against a small API: /models
// fails once with a 500 (the SDK retries), then /responses answers 401 with evidence
// headers and a body echoing the key.
func TestMiddlewareRecordsSDKCalls(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	var parents []trace.SpanContext // what the server would join, per request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
		mu.Lock()
		calls++
		n := calls
		parents = append(parents, remote)
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/models":
			if n == 1 {
				w.Header().Set("Retry-After-Ms", "1")
				w.Header().Set("x-request-id", "req-500")
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-5.1","object":"model","created":1,"owned_by":"x"}]}`)
		case "/v1/responses":
			w.Header().Set("x-oai-request-id", "req-oai-401")
			w.Header().Set("cf-ray", "ray-401")
			w.Header().Set("x-openai-authorization-error", "invalid_api_key")
			w.Header().Set("x-error-json", base64.StdEncoding.EncodeToString([]byte(`{"error":{"code":"token_expired"}}`)))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","code":"invalid_api_key"}}`, r.Header.Get("Authorization"))
		}
	}))
	defer srv.Close()

	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	mw, err := New(client.WithTracerProvider(tp), client.WithPropagator(propagation.TraceContext{}),
		client.WithModel("gpt-5.1"), client.WithConversationID("conv-mw"))
	require.NoError(t, err)
	sdk := openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey(testKey),
		option.WithMaxRetries(1), mw.Option())

	_, err = sdk.Models.List(context.Background())
	require.NoError(t, err)
	_, err = sdk.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "gpt-5.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	}, option.WithMaxRetries(0))
	require.Error(t, err)

	got := spans.GetSpans()
	require.Len(t, got, 3)
	attrs := func(i int) map[string]any {
		m := map[string]any{}
		for _, kv := range got[i].Attributes {
			m[string(kv.Key)] = kv.Value.AsInterface()
		}
		return m
	}
	require.Len(t, parents, 3)
	for i := range got {
		assert.Equal(t, client.OpAPIRequest, got[i].Name)
		// The request carried the trace context of its own api_request span.
		require.True(t, parents[i].IsValid(), "request %d without traceparent", i)
		assert.Equal(t, got[i].SpanContext.TraceID(), parents[i].TraceID())
		assert.Equal(t, got[i].SpanContext.SpanID(), parents[i].SpanID())
	}
	first, second, third := attrs(0), attrs(1), attrs(2)
	assert.Equal(t, "/models", first["endpoint"])
	assert.Equal(t, int64(0), first["attempt"])
	assert.Equal(t, int64(500), first["http.response.status_code"])
	assert.Equal(t, "http 500", first["error.message"])
	assert.Equal(t, false, first["success"])
	assert.Equal(t, "req-500", first["auth.request_id"])
	assert.Equal(t, int64(1), second["attempt"])
	assert.Equal(t, true, second["success"])

	assert.Equal(t, "/responses", third["endpoint"])
	assert.Equal(t, int64(401), third["http.response.status_code"])
	assert.Equal(t, "http 401", third["error.message"])
	assert.Equal(t, true, third["auth.header_attached"])
	assert.Equal(t, "authorization", third["auth.header_name"])
	assert.Equal(t, "req-oai-401", third["auth.request_id"])
	assert.Equal(t, "ray-401", third["auth.cf_ray"])
	assert.Equal(t, "invalid_api_key", third["auth.error"])
	assert.Equal(t, "token_expired", third["auth.error_code"])
	assert.Equal(t, "ApiKey", third["auth_mode"])
	assert.Equal(t, "POST", third["http.request.method"])
	assert.Equal(t, srv.URL+"/v1/responses", third["url.full"])

	for _, s := range got {
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.String(), testKey)
			assert.NotContains(t, kv.Value.String(), "Incorrect API key")
		}
		assert.NotContains(t, s.Status.Description, testKey)
	}
	assert.Equal(t, "req-oai-401", mw.BugReport()["auth_request_id"])
}

// TestNewRejectsClientOptions: an option the middleware cannot apply is an error, never
// silently dropped.
func TestNewRejectsClientOptions(t *testing.T) {
	_, err := New(client.WithModel("gpt-5.1"), client.WithMaxRetries(3))
	require.ErrorContains(t, err, "WithMaxRetries: not an option of an Observer")
}
