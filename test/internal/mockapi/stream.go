package mockapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const defaultModel = "gpt-5.1"

// createRequest is the part of a Responses create body the mock looks at;
// over WebSocket the same object carries "type":"response.create".
type createRequest struct {
	Type   string          `json:"type"`
	Model  string          `json:"model"`
	Input  json.RawMessage `json:"input"`
	Stream *bool           `json:"stream"`
	// ClientMetadata carries a frame's trace context (ws_request_header_traceparent).
	ClientMetadata map[string]any `json:"client_metadata"`
}

type event struct {
	typ  string
	data map[string]any
}

// responseEvents is one streamed model answer, in the order the real API sends it.
func responseEvents(model, text string, inputTokens int) []event {
	if model == "" {
		model = defaultModel
	}
	respID := "resp_" + randomHex(24)
	itemID := "msg_" + randomHex(24)
	created := time.Now().Unix()
	response := func(status string, output []any, usage any) map[string]any {
		return map[string]any{
			"id": respID, "object": "response", "created_at": created, "status": status,
			"model": model, "output": output, "usage": usage,
		}
	}
	words := strings.SplitAfter(text, " ")
	outputTokens := len(words)
	doneItem := map[string]any{
		"id": itemID, "type": "message", "status": "completed", "role": "assistant",
		"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}},
	}

	events := []event{
		{"response.created", map[string]any{"response": response("in_progress", []any{}, nil)}},
		{"response.in_progress", map[string]any{"response": response("in_progress", []any{}, nil)}},
		{"response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{
			"id": itemID, "type": "message", "status": "in_progress", "role": "assistant", "content": []any{},
		}}},
	}
	for _, w := range words {
		events = append(events, event{"response.output_text.delta", map[string]any{
			"item_id": itemID, "output_index": 0, "content_index": 0, "delta": w,
		}})
	}
	events = append(events,
		event{"response.output_text.done", map[string]any{"item_id": itemID, "output_index": 0, "content_index": 0, "text": text}},
		event{"response.output_item.done", map[string]any{"output_index": 0, "item": doneItem}},
		event{"response.completed", map[string]any{"response": response("completed", []any{doneItem}, map[string]any{
			"input_tokens": inputTokens, "output_tokens": outputTokens, "total_tokens": inputTokens + outputTokens,
		})}},
	)
	for i := range events {
		events[i].data["type"] = events[i].typ
		events[i].data["sequence_number"] = i
	}
	return events
}

func replyText(scenarioName, transport string) string {
	return fmt.Sprintf("Hello from the authobs mock API: scenario %s answered over %s.", scenarioName, transport)
}

// estimateTokens is the rough four-bytes-per-token rule, enough for plausible usage numbers.
func estimateTokens(body []byte) int { return len(body)/4 + 1 }

func (s *Server) serveResponses(w http.ResponseWriter, r *http.Request, sc *scenario) {
	if !s.authorize(w, r, sc) {
		return
	}
	if sc.first5xx && s.firstTime(sc, func(st *scenarioState) *bool { return &st.httpFailed }) {
		writeAPIError(w, http.StatusServiceUnavailable, "server_error", "", "The server is overloaded or not ready yet.")
		return
	}
	var raw json.RawMessage
	if !s.readJSONBody(w, r, &raw) {
		return
	}
	var req createRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "The request body must be a JSON object.")
		return
	}
	events := responseEvents(req.Model, replyText(sc.name, "http"), estimateTokens(raw))
	w.Header().Set("openai-version", "2020-10-01")
	if !wantsStream(req.Stream, r.Header.Get("Accept")) {
		writeJSON(w, http.StatusOK, events[len(events)-1].data["response"])
		return
	}
	s.writeSSE(w, r, events)
}

// wantsStream follows the body's "stream" flag; without one, SSE unless the
// client asked for JSON only (the official SDK's non-streaming call does).
func wantsStream(stream *bool, accept string) bool {
	if stream != nil {
		return *stream
	}
	return !strings.Contains(accept, "application/json") || strings.Contains(accept, "text/event-stream")
}

// writeSSE streams events with the irregularities a parser must survive: a
// keep-alive comment, a data field spread over several lines, and an event
// split across two flushed writes.
func (s *Server) writeSSE(w http.ResponseWriter, r *http.Request, events []event) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	flush := func() bool { return rc.Flush() == nil && r.Context().Err() == nil }

	splitDone := false
	for i, ev := range events {
		frame := sseFrame(ev.typ, ev.data, ev.typ == "response.in_progress")
		if !splitDone && ev.typ == "response.output_text.delta" {
			splitDone = true
			half := len(frame) / 2
			if _, err := w.Write(frame[:half]); err != nil || !flush() {
				return
			}
			if s.opts.StreamDelay > 0 {
				time.Sleep(s.opts.StreamDelay)
			}
			frame = frame[half:]
		}
		if _, err := w.Write(frame); err != nil {
			return
		}
		if i == 0 {
			_, _ = w.Write([]byte(": keep-alive\n\n"))
		}
		if !flush() {
			return
		}
	}
}

// sseFrame renders one event; multiline spreads the JSON over several data
// lines, which SSE joins back with newlines.
func sseFrame(typ string, data map[string]any, multiline bool) []byte {
	var body []byte
	if multiline {
		body, _ = json.MarshalIndent(data, "", "  ")
	} else {
		body, _ = json.Marshal(data)
	}
	var b bytes.Buffer
	b.WriteString("event: " + typ + "\n")
	for _, line := range bytes.Split(body, []byte("\n")) {
		b.WriteString("data: ")
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func (s *Server) serveCompact(w http.ResponseWriter, r *http.Request, sc *scenario) {
	if !s.authorize(w, r, sc) {
		return
	}
	var raw json.RawMessage
	if !s.readJSONBody(w, r, &raw) {
		return
	}
	inputTokens := estimateTokens(raw)
	writeJSON(w, http.StatusOK, map[string]any{
		"id":         "resp_" + randomHex(24),
		"object":     "response.compaction",
		"created_at": time.Now().Unix(),
		"output": []any{
			map[string]any{"type": "compaction", "id": "cmp_" + randomHex(24), "encrypted_content": "gAAAAA" + randomBase64URL(96)},
		},
		"usage": map[string]any{"input_tokens": inputTokens, "output_tokens": 64, "total_tokens": inputTokens + 64},
	})
}
