package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

// wsServer upgrades GET /v1/responses unless handshake(n) returns a status to answer
// with instead; POST /v1/responses streams SSE. Each response.create frame is
// answered with one frame per event.
type wsServer struct {
	mu         sync.Mutex
	hsParents  []trace.SpanContext // the trace context of each handshake
	handshakes int
	frames     []map[string]any
	posts      int
	auths      []string
	srv        *httptest.Server
}

func newWSServer(t *testing.T, handshake func(n int) int, frameReply func(n int, c *websocket.Conn)) *wsServer {
	t.Helper()
	s := &wsServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if r.Method == http.MethodPost {
			s.mu.Lock()
			s.posts++
			s.mu.Unlock()
			writeSSE(w, 99, "via http")
			return
		}
		s.mu.Lock()
		n := s.handshakes
		s.handshakes++
		s.hsParents = append(s.hsParents, remoteParent(r.Header))
		s.mu.Unlock()
		switch status := handshake(n); status {
		case http.StatusUnauthorized:
			write401(w, r, n)
			return
		case 0:
		default:
			w.Header().Set("x-request-id", fmt.Sprintf("req-hs-%d", n))
			w.WriteHeader(status)
			return
		}
		if r.Header.Get("OpenAI-Beta") != betaHeader {
			t.Errorf("handshake without OpenAI-Beta %s", betaHeader)
		}
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = conn.CloseNow() }() // the test server drops the connection; how it ends is not under test
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var frame map[string]any
			if json.Unmarshal(data, &frame) != nil {
				return
			}
			s.mu.Lock()
			i := len(s.frames)
			s.frames = append(s.frames, frame)
			s.mu.Unlock()
			frameReply(i, conn)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *wsServer) base() string { return s.srv.URL + "/v1" }

func replyOK(n int, c *websocket.Conn) {
	ctx := context.Background()
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"response.created","response":{"id":"resp_ws"}}`))
	_ = c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"type":"response.output_text.delta","delta":"ws-%d"}`, n)))
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"response.completed","response":{"id":"resp_ws","status":"completed","output":[]}}`))
}

func upgrade(int) int { return 0 }

func TestWebSocketReusesOneConnection(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, upgrade, replyOK)
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))

	for i := range 3 {
		// A per-call context that ends with the call must not end the cached connection.
		ctx, cancel := context.WithCancel(context.Background())
		resp, err := c.CreateResponse(ctx, &ResponseRequest{Input: "hi", Instructions: "be brief"})
		cancel()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("ws-%d", i), resp.Text)
		assert.Equal(t, "websocket", resp.Report.Transport)
	}
	assert.Equal(t, 1, srv.handshakes)
	require.Len(t, srv.frames, 3)
	assert.Equal(t, []string{OpWebSocketConnect, OpWebSocketRequest, OpWebSocketRequest, OpWebSocketRequest}, h.spanNames())
	// Every frame carries the trace context of its own websocket_request span in
	// client_metadata, as Codex does; the handshake carries its websocket_connect span's.
	spans := h.spans.GetSpans()
	require.Len(t, srv.hsParents, 1)
	assertParent(t, spans[0], srv.hsParents[0])
	for i, frame := range srv.frames {
		md, ok := frame["client_metadata"].(map[string]any)
		require.True(t, ok, "frame %d without client_metadata: %v", i, frame)
		assert.Len(t, md, 1)
		tp, _ := md["ws_request_header_traceparent"].(string)
		assertParent(t, spans[i+1], remoteParent(http.Header{"Traceparent": {tp}}))
	}
	delete(srv.frames[0], "client_metadata")
	assert.Equal(t, map[string]any{"type": "response.create", "model": "gpt-5.1", "input": "hi", "instructions": "be brief"}, srv.frames[0])
	var reused []any
	for _, a := range h.spanAttrs(OpWebSocketRequest) {
		reused = append(reused, a["auth.connection_reused"])
	}
	assert.Equal(t, []any{false, true, true}, reused)
	assert.Equal(t, false, h.spanAttrs(OpWebSocketConnect)[0]["auth.connection_reused"])
	assert.Equal(t, []string{"Bearer " + testAPIKey}, srv.auths)
}

func TestWebSocketHandshake401Recovers(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, func(n int) int {
		if n < 2 {
			return http.StatusUnauthorized
		}
		return 0
	}, replyOK)
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) })
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
	require.NoError(t, err)
	c := h.newClient(t, srv.base(), WithAuth(auth), WithTransport(TransportWebSocket))

	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "ws-0", resp.Text)
	assert.Equal(t, []string{OpWebSocketConnect, OpAuthRecovery, OpWebSocketConnect, OpAuthRecovery, OpWebSocketConnect, OpWebSocketRequest}, h.spanNames())
	assert.Equal(t, []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_succeeded/changed=true"}, h.recoveries())
	conns := h.spanAttrs(OpWebSocketConnect)
	assert.Equal(t, int64(401), conns[0]["http.response.status_code"])
	assert.Equal(t, "req-401-0", conns[0]["auth.request_id"])
	assert.Equal(t, false, conns[0]["success"])
	assert.Equal(t, true, conns[2]["auth.retry_after_unauthorized"])
	assert.Equal(t, string(StepRefreshToken), conns[2]["auth.recovery_phase"])
	assert.Equal(t, true, conns[2]["auth.reauth"])
	assert.Equal(t, true, conns[2]["success"])
	assert.Equal(t, []string{"Bearer " + testAccessToken, "Bearer " + testAccessToken, "Bearer " + testAccessToken2}, srv.auths)
}

func TestWebSocketHandshake401APIKey(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, func(int) int { return http.StatusUnauthorized }, replyOK)
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))
	_, err := prompt(c)
	require.EqualError(t, err, "GET /responses (websocket): http 401 (request_id=req-401-0 cf_ray=ray-401-0 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_not_run at managed/reload (not_chatgpt_auth)")
	assert.Equal(t, []string{OpWebSocketConnect, OpAuthRecovery}, h.spanNames())
	assert.Zero(t, srv.posts, "a 401 does not fall back to HTTP")
}

func TestWebSocket426FallsBackToHTTP(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, func(int) int { return http.StatusUpgradeRequired }, replyOK)
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))

	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "via http", resp.Text)
	assert.True(t, resp.Report.FellBackToHTTP)
	assert.Equal(t, "http", resp.Report.Transport)
	_, err = prompt(c)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.handshakes, "after a 426 the client stays on HTTP")
	assert.Equal(t, 2, srv.posts)
	assert.Equal(t, []string{OpWebSocketConnect, OpAPIRequest, OpAPIRequest}, h.spanNames())
	assert.Equal(t, int64(426), h.spanAttrs(OpWebSocketConnect)[0]["http.response.status_code"])
	assert.Empty(t, h.spanAttrs(OpAuthRecovery))
}

func TestWebSocketResponseFailedKeepsConnection(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, upgrade, func(n int, c *websocket.Conn) {
		if n == 0 {
			_ = c.Write(context.Background(), websocket.MessageText,
				[]byte(`{"type":"response.failed","response":{"error":{"code":"server_error","message":"`+bodyMarker+`"}}}`))
			return
		}
		replyOK(n, c)
	})
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))
	_, err := prompt(c)
	require.EqualError(t, err, "websocket response.create: response failed: server_error")
	_, err = prompt(c)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.handshakes)
	reqs := h.spanAttrs(OpWebSocketRequest)
	require.Len(t, reqs, 2)
	assert.Equal(t, false, reqs[0]["success"])
	assert.Equal(t, "response failed", reqs[0]["error.message"])
	assert.Equal(t, true, reqs[1]["success"])
}

func TestWebSocketRedialsWhenCachedConnectionDied(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, upgrade, func(n int, c *websocket.Conn) {
		if n == 1 {
			// The server drops the connection instead of answering the second frame.
			_ = c.CloseNow()
			return
		}
		replyOK(n, c)
	})
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))
	_, err := prompt(c)
	require.NoError(t, err)
	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "ws-2", resp.Text)
	assert.Equal(t, 2, srv.handshakes)
	assert.Equal(t, []string{OpWebSocketConnect, OpWebSocketRequest, OpWebSocketRequest, OpWebSocketConnect, OpWebSocketRequest}, h.spanNames())
}

func TestWebSocketURL(t *testing.T) {
	for base, want := range map[string]string{
		"http://127.0.0.1:1/s/v1": "ws://127.0.0.1:1/s/v1/responses",
		"https://api.example/v1/": "wss://api.example/v1/responses",
	} {
		c, err := New(base, WithAuth(NewAPIKey("k")))
		require.NoError(t, err)
		assert.Equal(t, want, c.wsURL().String())
		assert.True(t, strings.HasSuffix(c.endpointURL("/models").String(), "/v1/models"))
	}
}

func TestWebSocketCancelDuringRequest(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv := newWSServer(t, upgrade, func(n int, c *websocket.Conn) {
		if n == 0 {
			cancel() // the caller gives up while the server is still thinking
			return
		}
		replyOK(n, c)
	})
	c := h.newClient(t, srv.base(), WithAuth(NewAPIKey(testAPIKey)), WithTransport(TransportWebSocket))
	_, err := c.CreateResponse(ctx, &ResponseRequest{Input: "hi"})
	require.ErrorIs(t, err, context.Canceled)
	reqs := h.spanAttrs(OpWebSocketRequest)
	require.Len(t, reqs, 1)
	assert.Equal(t, "request canceled", reqs[0]["error.message"])

	// The canceled read broke the cached connection; the next call dials afresh.
	resp, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, "ws-1", resp.Text)
	assert.Equal(t, 2, srv.handshakes)
}
