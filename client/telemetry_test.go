package client

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// stableEnv pins the environment the presence flags and terminal.type read.
func stableEnv(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", testAPIKey)
	t.Setenv("CODEX_API_KEY", "")
	t.Setenv(TokenURLOverrideEnv, "")
	t.Setenv("TERM", "xterm")
}

var timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// normalize checks the types of the volatile values and replaces them by markers.
func normalize(t *testing.T, sets []map[string]any) []map[string]any {
	t.Helper()
	for _, m := range sets {
		if d, ok := m["duration_ms"]; ok {
			require.IsType(t, int64(0), d)
			require.GreaterOrEqual(t, d.(int64), int64(0))
			m["duration_ms"] = "<duration>"
		}
		require.Regexp(t, timestampPattern, m["event.timestamp"])
		m["event.timestamp"] = "<timestamp>"
	}
	return sets
}

// Reviewed expected sets, written from docs/contract.md §3 (not dumped from output).
func common(authMode string) map[string]any {
	return map[string]any{
		"event.timestamp": "<timestamp>",
		"conversation.id": "conv-1",
		"app.version":     Version,
		"originator":      "authobs_client",
		"terminal.type":   "xterm",
		"model":           "gpt-5.1",
		"slug":            "gpt-5.1",
		"auth_mode":       authMode,
	}
}

func envFlagsFromKey() map[string]any {
	return map[string]any{
		"auth.env_openai_api_key_present":             true,
		"auth.env_codex_api_key_present":              false,
		"auth.env_codex_api_key_enabled":              false,
		"auth.env_provider_key_present":               true,
		"auth.env_provider_key_name":                  "configured",
		"auth.env_refresh_token_url_override_present": false,
	}
}

func envFlagsAuthFile() map[string]any {
	return map[string]any{
		"auth.env_openai_api_key_present":             true,
		"auth.env_codex_api_key_present":              false,
		"auth.env_codex_api_key_enabled":              false,
		"auth.env_provider_key_present":               false,
		"auth.env_refresh_token_url_override_present": false,
	}
}

func merge[V any](ms ...map[string]V) map[string]V {
	out := map[string]V{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func evidence401(n string) map[string]any {
	return map[string]any{
		"auth.request_id": "req-401-" + n,
		"auth.cf_ray":     "ray-401-" + n,
		"auth.error":      "invalid_api_key",
		"auth.error_code": "token_expired",
	}
}

func TestAttributeSetsHTTPAPIKey401(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	api := newScripted(t, always401)
	key, err := APIKeyFromEnv()
	require.NoError(t, err)
	c := h.newClient(t, api.base(), WithAuth(key))
	_, err = prompt(c)
	require.Error(t, err)

	wantRequest := merge(common("ApiKey"), envFlagsFromKey(), evidence401("0"), map[string]any{
		"event.name":                    "api_request",
		"duration_ms":                   "<duration>",
		"http.response.status_code":     int64(401),
		"error.message":                 "http 401",
		"error.type":                    "401",
		"attempt":                       int64(0),
		"endpoint":                      "/responses",
		"auth.header_attached":          true,
		"auth.header_name":              "authorization",
		"auth.retry_after_unauthorized": false,
		"http.request.method":           "POST",
		"url.full":                      api.srv.URL + "/v1/responses",
		"server.address":                "127.0.0.1",
	})
	wantRecovery := merge(common("ApiKey"), evidence401("0"), map[string]any{
		"event.name":           "auth_recovery",
		"auth.mode":            "managed",
		"auth.step":            "reload",
		"auth.outcome":         "recovery_not_run",
		"auth.recovery_reason": "not_chatgpt_auth",
	})
	assert.Equal(t, []map[string]any{wantRequest}, normalize(t, h.spanAttrs(OpAPIRequest)))
	assert.Equal(t, []map[string]any{wantRecovery}, normalize(t, h.spanAttrs(OpAuthRecovery)))
	// API-key auth has no identity: the log copies equal the spans.
	assert.Equal(t, []map[string]any{wantRequest}, normalize(t, h.logAttrs(OpAPIRequest)))
	assert.Equal(t, []map[string]any{wantRecovery}, normalize(t, h.logAttrs(OpAuthRecovery)))

	for _, s := range h.spans.GetSpans() {
		assert.Equal(t, codes.Error, s.Status.Code, s.Name)
	}
}

func TestAttributeSetsHTTPManagedRefresh(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	api := newScripted(t, okAfter(2))
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) })
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
	require.NoError(t, err)
	c := h.newClient(t, api.base(), WithAuth(auth))
	_, err = prompt(c)
	require.NoError(t, err)

	request := func(extra map[string]any) map[string]any {
		return merge(common("Chatgpt"), envFlagsAuthFile(), map[string]any{
			"event.name":           "api_request",
			"duration_ms":          "<duration>",
			"attempt":              int64(0),
			"endpoint":             "/responses",
			"auth.header_attached": true,
			"auth.header_name":     "authorization",
			"http.request.method":  "POST",
			"url.full":             api.srv.URL + "/v1/responses",
			"server.address":       "127.0.0.1",
		}, extra)
	}
	wantRequests := []map[string]any{
		request(merge(evidence401("0"), map[string]any{
			"http.response.status_code": int64(401), "error.message": "http 401", "error.type": "401",
			"auth.retry_after_unauthorized": false,
		})),
		request(merge(evidence401("1"), map[string]any{
			"http.response.status_code": int64(401), "error.message": "http 401", "error.type": "401",
			"auth.retry_after_unauthorized": true, "auth.recovery_mode": "managed", "auth.recovery_phase": "reload",
		})),
		request(map[string]any{
			"http.response.status_code":     int64(200),
			"auth.request_id":               "req-ok-2",
			"auth.retry_after_unauthorized": true, "auth.recovery_mode": "managed", "auth.recovery_phase": "refresh_token",
		}),
	}
	wantRecoveries := []map[string]any{
		merge(common("Chatgpt"), evidence401("0"), map[string]any{
			"event.name": "auth_recovery", "auth.mode": "managed", "auth.step": "reload",
			"auth.outcome": "recovery_succeeded", "auth.state_changed": false,
		}),
		merge(common("Chatgpt"), evidence401("1"), map[string]any{
			"event.name": "auth_recovery", "auth.mode": "managed", "auth.step": "refresh_token",
			"auth.outcome": "recovery_succeeded", "auth.state_changed": true,
		}),
	}
	assert.Equal(t, wantRequests, normalize(t, h.spanAttrs(OpAPIRequest)))
	assert.Equal(t, wantRecoveries, normalize(t, h.spanAttrs(OpAuthRecovery)))

	// The log route adds the identity from the id_token and auth file.
	identity := map[string]any{"user.email": testEmail, "user.account_id": testAccountID}
	for i := range wantRequests {
		wantRequests[i] = merge(wantRequests[i], identity)
	}
	for i := range wantRecoveries {
		wantRecoveries[i] = merge(wantRecoveries[i], identity)
	}
	assert.Equal(t, wantRequests, normalize(t, h.logAttrs(OpAPIRequest)))
	assert.Equal(t, wantRecoveries, normalize(t, h.logAttrs(OpAuthRecovery)))

	var statuses []codes.Code
	for _, s := range h.spans.GetSpans() {
		statuses = append(statuses, s.Status.Code)
	}
	assert.Equal(t, []codes.Code{codes.Error, codes.Unset, codes.Error, codes.Unset, codes.Unset}, statuses)
}

func TestAttributeSetsWebSocket(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	srv := newWSServer(t, upgrade, replyOK)
	key, err := APIKeyFromEnv()
	require.NoError(t, err)
	c := h.newClient(t, srv.base(), WithAuth(key), WithTransport(TransportWebSocket))
	for range 2 {
		_, err = prompt(c)
		require.NoError(t, err)
	}
	wsURL := "ws" + strings.TrimPrefix(srv.srv.URL, "http") + "/v1/responses"
	wantConnect := merge(common("ApiKey"), envFlagsFromKey(), map[string]any{
		"event.name":                    "websocket_connect",
		"duration_ms":                   "<duration>",
		"http.response.status_code":     int64(101),
		"success":                       true,
		"endpoint":                      "/responses",
		"auth.header_attached":          true,
		"auth.header_name":              "authorization",
		"auth.retry_after_unauthorized": false,
		"auth.connection_reused":        false,
		"auth.reauth":                   false,
		"http.request.method":           "GET",
		"url.full":                      wsURL,
		"server.address":                "127.0.0.1",
	})
	wsRequest := func(reused bool) map[string]any {
		return merge(common("ApiKey"), envFlagsFromKey(), map[string]any{
			"event.name":             "websocket_request",
			"duration_ms":            "<duration>",
			"success":                true,
			"auth.connection_reused": reused,
			"url.full":               wsURL,
			"server.address":         "127.0.0.1",
		})
	}
	assert.Equal(t, []map[string]any{wantConnect}, normalize(t, h.spanAttrs(OpWebSocketConnect)))
	assert.Equal(t, []map[string]any{wsRequest(false), wsRequest(true)}, normalize(t, h.spanAttrs(OpWebSocketRequest)))
	assert.Equal(t, []map[string]any{wantConnect}, normalize(t, h.logAttrs(OpWebSocketConnect)))
}

func TestLogRecordShape(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, okAfter(0))
	c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
	_, err := prompt(c)
	require.NoError(t, err)
	recs := h.logs.all()
	require.Len(t, recs, 1)
	assert.Equal(t, "api_request", recs[0].EventName())
	assert.Equal(t, "INFO", recs[0].SeverityText())
	assert.Equal(t, attribute.EMPTY, recs[0].Body().Type(), "log bodies stay empty")
	assert.Equal(t, instrumentationName, recs[0].InstrumentationScope().Name)
	spans := h.spans.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, spans[0].SpanContext.TraceID(), recs[0].TraceID(), "the log record belongs to its operation's span")
	assert.Equal(t, spans[0].SpanContext.SpanID(), recs[0].SpanID())
}

// TestNoSecretInTelemetry drives every auth path with servers that echo the
// credential in their bodies and checks that no token, key or body text reaches any
// exported span, span status, log record or the bug-report view.
func TestNoSecretInTelemetry(t *testing.T) {
	h := newHarness(t)
	var reports []map[string]string

	// API key, HTTP and WebSocket 401.
	for _, tr := range []Transport{TransportHTTP, TransportWebSocket} {
		api := newScripted(t, always401)
		ws := newWSServer(t, func(int) int { return http.StatusUnauthorized }, replyOK)
		base := api.base()
		if tr == TransportWebSocket {
			base = ws.base()
		}
		c := h.newClient(t, base, WithAuth(NewAPIKey(testAPIKey)), WithTransport(tr))
		_, err := prompt(c)
		require.Error(t, err)
		assertNoSecret(t, err.Error())
		reports = append(reports, c.BugReport())
	}
	// Managed: refresh succeeds, then a later refresh is refused with a body quoting it.
	refusals := 0
	tok := tokenServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			tokenOK(w)
			return
		}
		refusals++
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"` + bodyMarker + testRefresh2 + `"}`))
	})
	for _, tr := range []Transport{TransportHTTP, TransportWebSocket} {
		api := newScripted(t, always401)
		ws := newWSServer(t, func(int) int { return http.StatusUnauthorized }, replyOK)
		base := api.base()
		if tr == TransportWebSocket {
			base = ws.base()
		}
		path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
		auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
		require.NoError(t, err)
		c := h.newClient(t, base, WithAuth(auth), WithTransport(tr))
		_, err = prompt(c)
		require.Error(t, err)
		assertNoSecret(t, err.Error())
		reports = append(reports, c.BugReport())
	}
	assert.Equal(t, 1, refusals)

	var texts []string
	for _, s := range h.spans.GetSpans() {
		texts = append(texts, s.Name, s.Status.Description)
		for _, kv := range s.Attributes {
			texts = append(texts, string(kv.Key), kv.Value.String())
		}
		for _, e := range s.Events {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, kv.Value.String())
			}
		}
	}
	for _, r := range h.logs.all() {
		texts = append(texts, r.Body().String())
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			texts = append(texts, string(kv.Key), kv.Value.String())
			return true
		})
	}
	for _, rep := range reports {
		for k, v := range rep {
			texts = append(texts, k, v)
		}
	}
	require.NotEmpty(t, texts)
	assertNoSecret(t, strings.Join(texts, "\n"))
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testAPIKey, testAccessToken, testAccessToken2, testRefreshToken, testRefresh2,
		bodyMarker, "Bearer", "sk-proj", "ACCESS-", "rt_REFRESH", idToken(testEmail, testAccountID)} {
		assert.NotContains(t, s, secret)
	}
}

func TestBugReportPreservation(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	api := newScripted(t, okAfter(2))
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) })
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
	require.NoError(t, err)
	c := h.newClient(t, api.base(), WithAuth(auth))

	_, err = prompt(c)
	require.NoError(t, err)
	env := map[string]string{
		"auth_env_openai_api_key_present":             "true",
		"auth_env_codex_api_key_present":              "false",
		"auth_env_codex_api_key_enabled":              "false",
		"auth_env_provider_key_present":               "false",
		"auth_env_refresh_token_url_override_present": "false",
	}
	latest401 := map[string]string{
		"auth_401_request_id": "req-401-1", "auth_401_cf_ray": "ray-401-1",
		"auth_401_error": "invalid_api_key", "auth_401_error_code": "token_expired",
		"auth_recovery_outcome": "recovery_succeeded",
	}
	assert.Equal(t, merge(env, latest401, map[string]string{
		"auth_endpoint":                  "/responses",
		"auth_mode":                      "Chatgpt",
		"auth_status":                    "200",
		"auth_header_attached":           "true",
		"auth_header_name":               "authorization",
		"auth_request_id":                "req-ok-2",
		"auth_retry_after_unauthorized":  "true",
		"auth_recovery_mode":             "managed",
		"auth_recovery_phase":            "refresh_token",
		"auth_recovery_followup_success": "true",
		"auth_recovery_followup_status":  "200",
	}), c.BugReport())

	// A later plain success overwrites the latest-attempt tags only.
	_, err = prompt(c)
	require.NoError(t, err)
	assert.Equal(t, merge(env, latest401, map[string]string{
		"auth_endpoint":                  "/responses",
		"auth_mode":                      "Chatgpt",
		"auth_status":                    "200",
		"auth_header_attached":           "true",
		"auth_header_name":               "authorization",
		"auth_request_id":                "req-ok-3",
		"auth_retry_after_unauthorized":  "false",
		"auth_recovery_mode":             "managed",
		"auth_recovery_phase":            "refresh_token",
		"auth_recovery_followup_success": "true",
		"auth_recovery_followup_status":  "200",
	}), c.BugReport())
}

func TestSafeURL(t *testing.T) {
	c, err := New("https://user:pass@api.example/v1?api_key=sk-secret#frag", WithAuth(NewAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, "https://api.example/v1/responses", safeURL(c.endpointURL("/responses")))
}
