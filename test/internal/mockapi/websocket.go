package mockapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

const wsWriteTimeout = 10 * time.Second

// serveWebSocket is the handshake at GET {base}/responses. Every refusal is a
// plain HTTP answer before the upgrade, as real servers give it.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, sc *scenario) {
	if !isUpgrade(r) {
		w.Header().Set("Allow", http.MethodPost)
		writeAPIError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", "GET /responses is a WebSocket endpoint; use POST for HTTP.")
		return
	}
	if !s.authorize(w, r, sc) {
		return
	}
	if sc.ws426 {
		writeAPIError(w, http.StatusUpgradeRequired, "invalid_request_error", "websocket_not_supported", "WebSocket transport is not available for this endpoint. Use HTTP.")
		return
	}
	if sc.first5xx && s.firstTime(sc, func(st *scenarioState) *bool { return &st.wsFailed }) {
		writeAPIError(w, http.StatusServiceUnavailable, "server_error", "", "The server is overloaded or not ready yet.")
		return
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		writeAPIError(w, http.StatusServiceUnavailable, "server_error", "", "The server is shutting down.")
		return
	}
	s.wsWG.Add(1)
	s.mu.Unlock()
	defer s.wsWG.Done()

	var frameRec RequestRecord
	if rw, ok := w.(*recordingWriter); ok {
		frameRec = rw.rec
	}
	frameRec.Kind, frameRec.Method, frameRec.RequestID, frameRec.AuthError, frameRec.TraceParent = "websocket_request", "", "", "", ""

	// The connection stays authenticated with the handshake's token.
	_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)

	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client itself
	}
	defer func() { _ = c.CloseNow() }() // serveFrames has ended the conversation; a broken connection has nothing left to report
	c.SetReadLimit(s.opts.MaxBodyBytes)
	s.serveFrames(c, sc, frameRec, token)
}

// frameUnauthorized reports whether a frame on a connection opened with token gets an
// in-stream 401 in this scenario.
func (s *Server) frameUnauthorized(sc *scenario, token string) bool {
	if !sc.frame401 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.state(sc.name).issued[token]
}

// inStream401 is the error event of an in-stream 401: status 401 and the server's
// text, which quotes the masked credential as the HTTP body of a 401 does.
func inStream401(d denial, token string) []byte {
	msg, _ := json.Marshal(map[string]any{
		"type": "error", "status": http.StatusUnauthorized,
		"error": apiError("invalid_request_error", d.code,
			"Incorrect API key provided: "+maskCredential(token)+". You can find your API key at https://platform.openai.com/account/api-keys."),
	})
	return msg
}

// serveFrames answers response.create frames until the client leaves, the
// connection idles out, or the Server closes.
func (s *Server) serveFrames(c *websocket.Conn, sc *scenario, rec RequestRecord, token string) {
	for {
		readCtx, cancel := context.WithTimeout(s.baseCtx, wsIdleTimeout)
		typ, data, err := c.Read(readCtx)
		cancel()
		if err != nil {
			return
		}
		var req createRequest
		valid := typ == websocket.MessageText && json.Unmarshal(data, &req) == nil && req.Type == "response.create"
		rec.TraceParent = traceParent(req.ClientMetadata["ws_request_header_traceparent"])
		if !valid {
			rec.Status = http.StatusBadRequest
			s.appendRecord(rec)
			msg, _ := json.Marshal(map[string]any{
				"type": "error", "status": http.StatusBadRequest,
				"error": apiError("invalid_request_error", "invalid_message", `Expected a JSON text frame with "type":"response.create".`),
			})
			if s.writeFrame(c, msg) != nil {
				return
			}
			continue
		}
		if s.frameUnauthorized(sc, token) {
			// The connection stays open, as the server leaves it; the client drops it.
			r401 := rec
			r401.Status, r401.AuthError = http.StatusUnauthorized, sc.denial.header
			s.appendRecord(r401)
			if s.writeFrame(c, inStream401(sc.denial, token)) != nil {
				return
			}
			continue
		}
		rec.Status = http.StatusOK
		s.appendRecord(rec)
		for _, ev := range responseEvents(req.Model, replyText(sc.name, "websocket"), estimateTokens(data)) {
			msg, _ := json.Marshal(ev.data)
			if s.writeFrame(c, msg) != nil {
				return
			}
		}
	}
}

func (s *Server) writeFrame(c *websocket.Conn, msg []byte) error {
	ctx, cancel := context.WithTimeout(s.baseCtx, wsWriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, msg)
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
