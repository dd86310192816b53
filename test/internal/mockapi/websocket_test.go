package mockapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebSocketReusesOneConnection(t *testing.T) {
	e := newEnv(t, Options{})
	c, resp := e.dial("success", testAPIKey)
	require.NotNil(t, c)
	assertEvidence(t, resp.Header)

	var ids []any
	for range 2 {
		events := e.roundTrip(c)
		assert.Equal(t, "response.created", events[0]["type"])
		last := events[len(events)-1]
		require.Equal(t, "response.completed", last["type"])
		var text strings.Builder
		for _, ev := range events {
			if ev["type"] == "response.output_text.delta" {
				text.WriteString(ev["delta"].(string))
			}
		}
		assert.Equal(t, replyText("success", "websocket"), text.String())
		ids = append(ids, last["response"].(map[string]any)["id"])
	}
	assert.NotEqual(t, ids[0], ids[1], "each request is its own response")

	// A frame that is not a response.create gets an error event; the connection survives it.
	require.NoError(t, c.Write(e.ctx, websocket.MessageText, []byte(`{"type":"session.update"}`)))
	_, data, err := c.Read(e.ctx)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"type":"error"`)
	assert.Contains(t, string(data), `"status":400`)
	events := e.roundTrip(c)
	assert.Equal(t, "response.completed", events[len(events)-1]["type"])

	var kinds []string
	for _, r := range e.s.Requests() {
		kinds = append(kinds, r.Kind+":"+strconv.Itoa(r.Status))
	}
	assert.Equal(t, []string{
		"websocket_handshake:101", "websocket_request:200", "websocket_request:200",
		"websocket_request:400", "websocket_request:200",
	}, kinds)
}

func TestCloseEndsOpenWebSockets(t *testing.T) {
	e := newEnv(t, Options{})
	c, _ := e.dial("success", testAPIKey)
	require.NotNil(t, c)
	e.roundTrip(c)

	done := make(chan struct{})
	go func() {
		e.s.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the open WebSocket")
	}
	_, _, err := c.Read(e.ctx)
	assert.Error(t, err, "the client sees the connection end")

	_, resp := e.dial("success", testAPIKey)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no new WebSockets after Close")
}

// TestWebSocketInStream401: the handshake succeeds with any bearer, but the frame is
// answered by an error event with status 401 on the open connection; a connection
// opened with a token from the token endpoint is served. HTTP answers 200.
func TestWebSocketInStream401(t *testing.T) {
	e := newEnv(t, Options{})
	c, resp := e.dial("ws_in_stream_401", testAPIKey)
	require.NotNil(t, c, "handshake refused: %d", resp.StatusCode)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	for range 2 { // the connection stays open; every frame on it is refused
		events := e.roundTrip(c)
		require.Len(t, events, 1)
		ev := events[0]
		assert.Equal(t, "error", ev["type"])
		assert.Equal(t, float64(401), ev["status"])
		apiErr := ev["error"].(map[string]any)
		assert.Equal(t, "invalid_api_key", apiErr["code"])
		assert.Contains(t, apiErr["message"], "Incorrect API key provided: "+maskCredential(testAPIKey)+".")
		assert.NotContains(t, apiErr["message"], testAPIKey)
	}
	assert.Equal(t, http.StatusOK, e.responses("ws_in_stream_401", testAPIKey).status)

	status, tr := e.refresh("ws_in_stream_401")
	require.Equal(t, http.StatusOK, status)
	c2, _ := e.dial("ws_in_stream_401", tr.AccessToken)
	require.NotNil(t, c2)
	events := e.roundTrip(c2)
	assert.Equal(t, "response.completed", events[len(events)-1]["type"])

	var kinds []string
	for _, r := range e.s.Requests() {
		if r.Transport == "websocket" {
			kinds = append(kinds, r.Kind+":"+strconv.Itoa(r.Status)+":"+r.AuthError)
		}
	}
	assert.Equal(t, []string{
		"websocket_handshake:101:", "websocket_request:401:invalid_api_key", "websocket_request:401:invalid_api_key",
		"websocket_handshake:101:", "websocket_request:200:",
	}, kinds)
}

// TestRequestLogTraceParent: the request log keeps the trace context a request carried
// (header, or a frame's client_metadata), and nothing that is not shaped like one.
func TestRequestLogTraceParent(t *testing.T) {
	e := newEnv(t, Options{})
	const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	e.do(http.MethodGet, "/success/v1/models", testAPIKey, nil, map[string]string{"traceparent": tp})
	e.do(http.MethodGet, "/success/v1/models", testAPIKey, nil, map[string]string{"traceparent": "00-" + testAPIKey})
	c, _ := e.dial("success", testAPIKey)
	require.NotNil(t, c)
	require.NoError(t, c.Write(e.ctx, websocket.MessageText, []byte(`{"type":"response.create","model":"gpt-5.1","input":"hi","client_metadata":{"ws_request_header_traceparent":"`+tp+`"}}`)))
	for {
		_, data, err := c.Read(e.ctx)
		require.NoError(t, err)
		if strings.Contains(string(data), "response.completed") {
			break
		}
	}
	var got []string
	for _, r := range e.s.Requests() {
		got = append(got, r.Kind+"="+r.TraceParent)
	}
	assert.Equal(t, []string{"models=" + tp, "models=", "websocket_handshake=", "websocket_request=" + tp}, got)
}
