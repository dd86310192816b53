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
	frameRec.Kind, frameRec.Method, frameRec.RequestID, frameRec.AuthError = "websocket_request", "", "", ""

	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client itself
	}
	defer c.CloseNow()
	c.SetReadLimit(s.opts.MaxBodyBytes)
	s.serveFrames(c, sc, frameRec)
}

// serveFrames answers response.create frames until the client leaves, the
// connection idles out, or the Server closes.
func (s *Server) serveFrames(c *websocket.Conn, sc *scenario, rec RequestRecord) {
	for {
		readCtx, cancel := context.WithTimeout(s.baseCtx, wsIdleTimeout)
		typ, data, err := c.Read(readCtx)
		cancel()
		if err != nil {
			return
		}
		var req createRequest
		if typ != websocket.MessageText || json.Unmarshal(data, &req) != nil || req.Type != "response.create" {
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
