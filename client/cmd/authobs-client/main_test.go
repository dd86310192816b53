package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testKey     = "sk-proj-CLI-SECRET-0123456789"
	accessOld   = "at-CLI-OLD-secret"
	accessNew   = "at-CLI-NEW-secret"
	refreshOld  = "rt-CLI-OLD-secret"
	bodyEchoTag = "BODY-ECHO"
)

func noOTEL(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_LOGS_EXPORTER", "CODEX_REFRESH_TOKEN_URL_OVERRIDE"} {
		t.Setenv(k, "")
	}
}

// api answers /v1/responses with 401 until a request carries okToken (any token
// when okToken is ""), counting from the first request; /oauth/token refreshes.
func api(t *testing.T, unauthorizedFirst int, okToken string) *httptest.Server {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			fmt.Fprintf(w, `{"access_token":%q,"refresh_token":"rt-new","id_token":"","expires_in":60}`, accessNew)
			return
		}
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		auth := r.Header.Get("Authorization")
		if i < unauthorizedFirst || (okToken != "" && auth != "Bearer "+okToken) {
			w.Header().Set("x-request-id", fmt.Sprintf("req-401-%d", i))
			w.Header().Set("cf-ray", "ray-1")
			w.Header().Set("x-error-json", base64.StdEncoding.EncodeToString([]byte(`{"error":{"code":"token_expired"}}`)))
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"%s %s"}}`, bodyEchoTag, auth)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("x-request-id", "req-ok")
		fmt.Fprint(w, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hello from the model\"}\n\n")
		fmt.Fprint(w, "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r1\",\"status\":\"completed\",\"output\":[]}}\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIAPIKeySuccess(t *testing.T) {
	noOTEL(t)
	t.Setenv("OPENAI_API_KEY", testKey)
	srv := api(t, 0, "")
	code, out, errOut := runCLI("--base-url", srv.URL+"/v1", "say", "hello")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Hello from the model\nauth: mode=none steps=none outcome=none status=200 request_id=req-ok auth_mode=ApiKey transport=http\n", out)
}

func TestCLIAPIKey401Fails(t *testing.T) {
	noOTEL(t)
	t.Setenv("OPENAI_API_KEY", testKey)
	srv := api(t, 100, "")
	code, out, errOut := runCLI("--base-url", srv.URL+"/v1", "hi")
	assert.Equal(t, exitFailed, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "auth: mode=managed steps=none outcome=recovery_not_run reason=not_chatgpt_auth status=401 request_id=req-401-0")
	assert.Contains(t, errOut, "authobs-client: request failed: POST /responses: http 401 (request_id=req-401-0 cf_ray=ray-1 error_code=token_expired); auth recovery recovery_not_run at managed/reload (not_chatgpt_auth)")
	assert.NotContains(t, errOut, testKey)
	assert.NotContains(t, errOut, bodyEchoTag)
}

func TestCLIAuthFileRefreshJSONSummary(t *testing.T) {
	noOTEL(t)
	t.Setenv("OPENAI_API_KEY", "")
	srv := api(t, 0, accessNew)
	path := filepath.Join(t.TempDir(), "auth.json")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`{"OPENAI_API_KEY":null,"tokens":{"id_token":"","access_token":%q,"refresh_token":%q,"account_id":"acct-1"},"last_refresh":"2026-01-01T00:00:00Z"}`, accessOld, refreshOld)), 0o600))

	code, out, errOut := runCLI("--base-url", srv.URL+"/v1", "--auth-file", path, "--token-url", srv.URL+"/oauth/token", "--json-summary", "hi")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, "--json-summary prints exactly one line")
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &s))
	assert.Equal(t, true, s["ok"])
	assert.Equal(t, "Hello from the model", s["text"])
	assert.Equal(t, "Chatgpt", s["auth_mode"])
	assert.Equal(t, "managed", s["recovery_mode"])
	assert.Equal(t, []any{"reload", "refresh_token"}, s["recovery_steps"])
	assert.Equal(t, "recovery_succeeded", s["recovery_outcome"])
	assert.Equal(t, float64(200), s["status"])
	ops := s["operations"].([]any)
	var names []string
	for _, o := range ops {
		names = append(names, o.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"api_request", "auth_recovery", "api_request", "auth_recovery", "api_request"}, names)
	for _, secret := range []string{accessOld, accessNew, refreshOld, bodyEchoTag} {
		assert.NotContains(t, out, secret)
	}
}

func TestCLIUsage(t *testing.T) {
	noOTEL(t)
	for _, args := range [][]string{
		{},
		{"--base-url", "http://127.0.0.1:1/v1"},
		{"--base-url", "http://127.0.0.1:1/v1", "--transport", "carrier-pigeon", "hi"},
		{"--base-url", "http://127.0.0.1:1/v1", "--token-url", "http://x", "hi"},
	} {
		code, _, errOut := runCLI(args...)
		assert.Equal(t, exitUsage, code, args)
		assert.NotEmpty(t, errOut)
	}
	t.Setenv("OPENAI_API_KEY", "")
	code, _, errOut := runCLI("--base-url", "http://127.0.0.1:1/v1", "hi")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "OPENAI_API_KEY is not set")
}
