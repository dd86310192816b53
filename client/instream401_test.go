package client

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// inStreamText is what the server says in its in-stream 401: it quotes the credential,
// as api.openai.com does. None of it may reach telemetry.
const inStreamText = "Incorrect API key provided: " + bodyMarker

// reply401 answers a response.create frame on the open connection with an error event
// carrying status 401, as observed with Codex 0.171.0 and an API key.
func reply401(_ int, c *websocket.Conn) {
	_ = c.Write(context.Background(), websocket.MessageText, []byte(fmt.Sprintf(
		`{"type":"error","status":401,"error":{"type":"invalid_request_error","code":"invalid_api_key","message":%q}}`, inStreamText)))
}

// frames401Then answers the first k frames with an in-stream 401, the others as replyOK.
func frames401Then(k int) func(int, *websocket.Conn) {
	return func(n int, c *websocket.Conn) {
		if n < k {
			reply401(n, c)
			return
		}
		replyOK(n, c)
	}
}

// assertNoFrameText checks every exported attribute, log attribute and span status.
func assertNoFrameText(t *testing.T, h *harness) {
	t.Helper()
	check := func(where, v string) {
		for _, bad := range []string{"Incorrect API key", bodyMarker, testAPIKey, testAccessToken} {
			assert.NotContains(t, v, bad, where)
		}
	}
	for _, s := range h.spans.GetSpans() {
		check(s.Name+" status", s.Status.Description)
		for _, kv := range s.Attributes {
			check(s.Name+" "+string(kv.Key), kv.Value.String())
		}
	}
	for _, r := range h.logs.all() {
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			check(r.EventName()+" "+string(kv.Key), kv.Value.String())
			return true
		})
	}
}

// TestInStream401APIKey: handshake 101, the frame answered by a 401 error event; a
// fresh connection and the frame again; a second 401; then HTTP, which succeeds. No
// auth_recovery (an API key has no recovery step), as Codex 0.171.0 does.
func TestInStream401APIKey(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	srv := newWSServer(t, upgrade, frames401Then(99))
	key, err := APIKeyFromEnv()
	require.NoError(t, err)
	c := h.newClient(t, srv.base(), WithAuth(key), WithTransport(TransportWebSocket))

	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "via http", resp.Text)
	assert.Equal(t, []string{OpWebSocketConnect, OpWebSocketRequest, OpWebSocketConnect, OpWebSocketRequest, OpAPIRequest}, h.spanNames())
	assert.Empty(t, h.recoveries())
	assert.Equal(t, 2, srv.handshakes)
	assert.Len(t, srv.frames, 2)
	assert.Equal(t, 1, srv.posts)
	assert.True(t, resp.Report.FellBackToHTTP)
	assert.Equal(t, "http", resp.Report.Transport)

	// The frames' failure: success=false, http 401, an error status; never the text.
	wantFrame := merge(common("ApiKey"), envFlagsFromKey(), map[string]any{
		"event.name":                "websocket_request",
		"duration_ms":               "<duration>",
		"http.response.status_code": int64(401),
		"success":                   false,
		"error.message":             "http 401",
		"error.type":                "401",
		"auth.connection_reused":    false,
		"url.full":                  "ws" + strings.TrimPrefix(srv.srv.URL, "http") + "/v1/responses",
		"server.address":            "127.0.0.1",
	})
	assert.Equal(t, []map[string]any{wantFrame, wantFrame}, normalize(t, h.spanAttrs(OpWebSocketRequest)))
	for _, s := range h.spans.GetSpans() {
		if s.Name == OpWebSocketRequest {
			assert.Equal(t, codes.Error, s.Status.Code)
			assert.Equal(t, "http 401", s.Status.Description)
		}
	}
	conns := h.spanAttrs(OpWebSocketConnect)
	for _, a := range conns {
		assert.Equal(t, false, a["auth.connection_reused"])
		assert.Equal(t, false, a["auth.retry_after_unauthorized"])
		assert.Equal(t, true, a["success"])
	}
	req := h.spanAttrs(OpAPIRequest)[0]
	assert.Equal(t, int64(200), req["http.response.status_code"])
	assert.Equal(t, false, req["auth.retry_after_unauthorized"])
	assertNoFrameText(t, h)

	// The client stays on HTTP: the next call makes no handshake.
	_, err = prompt(c)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.handshakes)
	assert.Equal(t, 2, srv.posts)
}

// TestInStream401Managed: for ChatGPT auth the recovery steps of the HTTP path run before
// each fresh connection (reload, then refresh_token), within the same limits.
func TestInStream401Managed(t *testing.T) {
	stableEnv(t)
	h := newHarness(t)
	srv := newWSServer(t, upgrade, frames401Then(2))
	auth := refreshingAuthFile(t)
	c := h.newClient(t, srv.base(), WithAuth(auth), WithTransport(TransportWebSocket))

	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "ws-2", resp.Text)
	assert.Equal(t, []string{
		OpWebSocketConnect, OpWebSocketRequest, OpAuthRecovery,
		OpWebSocketConnect, OpWebSocketRequest, OpAuthRecovery,
		OpWebSocketConnect, OpWebSocketRequest,
	}, h.spanNames())
	assert.Equal(t, []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_succeeded/changed=true"}, h.recoveries())
	assert.Equal(t, []string{"Bearer " + testAccessToken, "Bearer " + testAccessToken, "Bearer " + testAccessToken2}, srv.auths)
	assert.False(t, resp.Report.FellBackToHTTP)
	assert.Equal(t, 0, srv.posts)

	frames := h.spanAttrs(OpWebSocketRequest)
	for i, want := range []bool{false, false, true} {
		assert.Equal(t, want, frames[i]["success"], "frame %d", i)
		assert.Equal(t, false, frames[i]["auth.connection_reused"], "frame %d went out on a fresh connection", i)
	}
	assert.Equal(t, "http 401", frames[0]["error.message"])
	conns := h.spanAttrs(OpWebSocketConnect)
	for i, phase := range []RecoveryStep{StepReload, StepRefreshToken} {
		a := conns[i+1]
		assert.Equal(t, true, a["auth.retry_after_unauthorized"])
		assert.Equal(t, true, a["auth.reauth"])
		assert.Equal(t, string(phase), a["auth.recovery_phase"])
	}
	// auth_recovery spans carry no evidence: an error frame has no headers.
	for _, a := range h.spanAttrs(OpAuthRecovery) {
		assert.NotContains(t, a, "auth.request_id")
	}
	assertNoFrameText(t, h)
}

// TestInStream401ManagedExhausted: three sends, two steps, then the recovery is done.
func TestInStream401ManagedExhausted(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, upgrade, frames401Then(99))
	auth := refreshingAuthFile(t)
	c := h.newClient(t, srv.base(), WithAuth(auth), WithTransport(TransportWebSocket))

	_, err := prompt(c)
	require.EqualError(t, err, "websocket response.create: http 401; auth recovery recovery_not_run at managed/done (recovery_exhausted)")
	assert.Len(t, srv.frames, 3)
	assert.Equal(t, 3, srv.handshakes)
	assert.Equal(t, 0, srv.posts)
	assert.Equal(t, []string{
		"managed/reload/recovery_succeeded/changed=false",
		"managed/refresh_token/recovery_succeeded/changed=true",
		"managed/done/recovery_not_run/recovery_exhausted",
	}, h.recoveries())
	assertNoFrameText(t, h)
}
