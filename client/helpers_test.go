package client

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Fake secrets of the tests: none of them may appear in exported telemetry.
const (
	testAPIKey       = "sk-proj-TESTKEY0123456789abcdefSECRET"
	testAccessToken  = "eyJhbGciOiJub25lIn0.ACCESS-OLD.sig"
	testAccessToken2 = "eyJhbGciOiJub25lIn0.ACCESS-NEW.sig"
	testRefreshToken = "rt_REFRESH_OLD_0123456789"
	testRefresh2     = "rt_REFRESH_NEW_0123456789"
	testAccountID    = "acct-1234"
	testEmail        = "dev@example.com"
	// bodyMarker is in every error body the test servers send.
	bodyMarker = "BODY-ECHO-incorrect-api-key"
)

// memLogs is an in-memory log exporter for the SDK's simple processor.
type memLogs struct {
	mu      sync.Mutex
	records []sdklog.Record
}

func (m *memLogs) Export(_ context.Context, recs []sdklog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.records = append(m.records, r.Clone())
	}
	return nil
}
func (m *memLogs) Shutdown(context.Context) error   { return nil }
func (m *memLogs) ForceFlush(context.Context) error { return nil }

func (m *memLogs) all() []sdklog.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sdklog.Record(nil), m.records...)
}

// harness collects the spans and log records of one client.
type harness struct {
	spans *tracetest.InMemoryExporter
	logs  *memLogs
	opts  []Option
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	logs := &memLogs{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(logs)))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = lp.Shutdown(context.Background())
	})
	return &harness{spans: spans, logs: logs, opts: []Option{
		WithTracerProvider(tp), WithLoggerProvider(lp),
		WithConversationID("conv-1"), WithModel("gpt-5.1"),
		WithBackoff(func(int) time.Duration { return time.Millisecond }),
		WithPropagator(propagation.TraceContext{}),
	}}
}

func (h *harness) newClient(t *testing.T, base string, opts ...Option) *Client {
	t.Helper()
	c, err := New(base, append(append([]Option(nil), h.opts...), opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// spanNames lists exported span names in order.
func (h *harness) spanNames() []string {
	var names []string
	for _, s := range h.spans.GetSpans() {
		names = append(names, s.Name)
	}
	return names
}

// spanAttrs returns the attributes of every span named name, as typed Go values.
func (h *harness) spanAttrs(name string) []map[string]any {
	var out []map[string]any
	for _, s := range h.spans.GetSpans() {
		if s.Name == name {
			out = append(out, attrMap(s.Attributes))
		}
	}
	return out
}

// logAttrs returns the attributes of every log record whose event name is name.
func (h *harness) logAttrs(name string) []map[string]any {
	var out []map[string]any
	for _, r := range h.logs.all() {
		if r.EventName() != name {
			continue
		}
		var kvs []attribute.KeyValue
		r.WalkAttributes(func(kv attribute.KeyValue) bool { kvs = append(kvs, kv); return true })
		out = append(out, attrMap(kvs))
	}
	return out
}

func attrMap(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// evidenceHeaders sets the headers a real 401 carries.
func evidenceHeaders(w http.ResponseWriter, n int) {
	w.Header().Set("x-request-id", fmt.Sprintf("req-401-%d", n))
	w.Header().Set("cf-ray", fmt.Sprintf("ray-401-%d", n))
	w.Header().Set("x-openai-authorization-error", "invalid_api_key")
	w.Header().Set("x-error-json", base64.StdEncoding.EncodeToString([]byte(`{"error":{"code":"token_expired","message":"x"}}`)))
}

// write401 answers like a real server: evidence headers and a body echoing the key.
func write401(w http.ResponseWriter, r *http.Request, n int) {
	evidenceHeaders(w, n)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error":{"message":"%s: %s","code":"invalid_api_key"}}`, bodyMarker, r.Header.Get("Authorization"))
}

// writeSSE streams a successful response.
func writeSSE(w http.ResponseWriter, n int, text string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("x-request-id", fmt.Sprintf("req-ok-%d", n))
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\n")
	fmt.Fprintf(w, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":%q}\n\n", text)
	fmt.Fprintf(w, "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":%q}]}],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n", text)
}

// scripted is a test API whose n-th request to /v1/responses (0-based) is answered
// by script(n, w, r); it records the Authorization header of each.
type scripted struct {
	mu      sync.Mutex
	auths   []string
	account []string
	parents []trace.SpanContext // the trace context each request carried
	srv     *httptest.Server
}

func newScripted(t *testing.T, script func(n int, w http.ResponseWriter, r *http.Request)) *scripted {
	t.Helper()
	s := &scripted{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := len(s.auths)
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.account = append(s.account, r.Header.Get("ChatGPT-Account-ID"))
		s.parents = append(s.parents, remoteParent(r.Header))
		s.mu.Unlock()
		script(n, w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) base() string { return s.srv.URL + "/v1" }

// remoteParent is the span context a server extracting W3C trace context from h would
// make the parent of its own span.
func remoteParent(h http.Header) trace.SpanContext {
	return trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(h)))
}

func (s *scripted) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// idToken builds an unsigned JWT with the identity claims Codex stores.
func idToken(email, account string) string {
	enc := base64.RawURLEncoding
	payload := fmt.Sprintf(`{"email":%q,"https://api.openai.com/auth":{"chatgpt_account_id":%q}}`, email, account)
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".sig"
}

// writeAuthFile writes a Codex-style auth.json and returns its path.
func writeAuthFile(t *testing.T, dir, access, refresh, account string) string {
	t.Helper()
	path := filepath.Join(dir, "auth.json")
	doc := fmt.Sprintf(`{"OPENAI_API_KEY":null,"tokens":{"id_token":%q,"access_token":%q,"refresh_token":%q,"account_id":%q},"last_refresh":"2026-01-01T00:00:00Z","extra_field":{"kept":true}}`,
		idToken(testEmail, account), access, refresh, account)
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	return path
}

// tokenServer is an OAuth token endpoint answering with answer(n, w, r).
func tokenServer(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		answer(i, w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func tokenOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"id_token":%q,"expires_in":3600}`,
		testAccessToken2, testRefresh2, idToken(testEmail, testAccountID))
}

// refreshingAuthFile is ChatGPT auth from an auth file whose token endpoint always issues
// testAccessToken2: the managed recovery (reload, then refresh_token) can succeed.
func refreshingAuthFile(t *testing.T) *AuthFile {
	t.Helper()
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) })
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
	require.NoError(t, err)
	return auth
}
