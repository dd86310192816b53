package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ResponseRequest is the body of POST /responses (and of a response.create frame).
type ResponseRequest struct {
	Model        string `json:"model"`
	Input        any    `json:"input"` // a string or a list of input items
	Instructions string `json:"instructions,omitempty"`
	// Extra holds further top-level fields (tools, reasoning, ...) sent as given.
	Extra map[string]any `json:"-"`
	// OnEvent, when set, sees every stream event as it arrives.
	OnEvent func(StreamEvent) `json:"-"`
}

// body renders the request with the given extra fields (stream, type) and, over
// WebSocket, the client's entries of client_metadata (merged into a caller's
// Extra["client_metadata"] object; the client's entries win).
func (r *ResponseRequest) body(fields map[string]any, metadata map[string]string) ([]byte, error) {
	m := make(map[string]any, len(r.Extra)+len(fields)+3)
	for k, v := range r.Extra {
		m[k] = v
	}
	if len(metadata) > 0 {
		md := map[string]any{}
		switch given := r.Extra["client_metadata"].(type) {
		case nil:
		case map[string]any:
			for k, v := range given {
				md[k] = v
			}
		case map[string]string:
			for k, v := range given {
				md[k] = v
			}
		default:
			return nil, fmt.Errorf("encoding response request: Extra[\"client_metadata\"] is a %T, want a map", given)
		}
		for k, v := range metadata {
			md[k] = v
		}
		m["client_metadata"] = md
	}
	m["model"] = r.Model
	m["input"] = r.Input
	if r.Instructions != "" {
		m["instructions"] = r.Instructions
	}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding response request: %w", err)
	}
	return b, nil
}

// StreamEvent is one event of a response stream (SSE event or WebSocket frame).
type StreamEvent struct {
	Type  string          // e.g. response.output_text.delta
	Delta string          // text of output_text deltas
	Raw   json.RawMessage // the event's JSON
}

// Response is a completed response.
type Response struct {
	ID     string
	Status string
	// Text is the concatenated output text.
	Text   string
	Output []json.RawMessage
	Usage  json.RawMessage
	// Report describes the operations the call made.
	Report CallReport
}

// ErrStreamIncomplete means the stream ended before response.completed or
// response.failed.
var ErrStreamIncomplete = errors.New("response stream ended before a terminal event")

// ResponseFailedError is a response.failed (or error) event. Only the server's error
// code is kept: the message may quote the request.
type ResponseFailedError struct {
	Code string
	// Status is the HTTP status an error event carries, 0 when it names none.
	Status int
}

func (e *ResponseFailedError) Error() string {
	if e.Code == "" {
		return "response failed"
	}
	return "response failed: " + e.Code
}

// streamState accumulates one response from its events.
type streamState struct {
	onEvent func(StreamEvent)
	text    strings.Builder
	done    *Response
}

// handle consumes one event payload; it returns true when the event was terminal.
func (s *streamState) handle(sseName string, data []byte) (bool, error) {
	var head struct {
		Type     string `json:"type"`
		Delta    string `json:"delta"`
		Response *struct {
			ID     string            `json:"id"`
			Status string            `json:"status"`
			Output []json.RawMessage `json:"output"`
			Usage  json.RawMessage   `json:"usage"`
			Error  *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"response"`
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		name := sseName
		if name == "" {
			name = "unnamed"
		}
		return false, fmt.Errorf("malformed data in %s event: %w", name, err)
	}
	typ := head.Type
	if typ == "" {
		typ = sseName
	}
	// An in-stream 401 is the client's to handle (recovery, a fresh connection), not an
	// event of the response the caller is reading.
	if s.onEvent != nil && (typ != "error" || head.Status != http.StatusUnauthorized) {
		s.onEvent(StreamEvent{Type: typ, Delta: head.Delta, Raw: json.RawMessage(data)})
	}
	switch typ {
	case "response.output_text.delta":
		s.text.WriteString(head.Delta)
	case "response.completed":
		if head.Response == nil {
			return true, errors.New("response.completed event without a response")
		}
		text := s.text.String()
		if text == "" {
			text = outputText(head.Response.Output)
		}
		s.done = &Response{ID: head.Response.ID, Status: head.Response.Status, Text: text,
			Output: head.Response.Output, Usage: head.Response.Usage}
		return true, nil
	case "response.failed", "response.incomplete", "error":
		code := head.Code
		if head.Error != nil {
			code = head.Error.Code
		}
		if head.Response != nil && head.Response.Error != nil {
			code = head.Response.Error.Code
		}
		failed := &ResponseFailedError{Code: classification(code)}
		if typ == "error" && head.Status >= 400 && head.Status <= 599 {
			failed.Status = head.Status
		}
		return true, failed
	}
	return false, nil
}

// outputText collects output_text parts of message items.
func outputText(items []json.RawMessage) string {
	var b strings.Builder
	for _, raw := range items {
		var item struct {
			Type    string `json:"type"`
			Content []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
		}
		if json.Unmarshal(raw, &item) != nil || item.Type != "message" {
			continue
		}
		for _, c := range item.Content {
			if c.Type == "output_text" {
				b.WriteString(c.Text)
			}
		}
	}
	return b.String()
}

// readSSEResponse consumes an event stream until its terminal event.
func readSSEResponse(body io.Reader, onEvent func(StreamEvent)) (*Response, error) {
	st := &streamState{onEvent: onEvent}
	rd := NewSSEReader(body)
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil, ErrStreamIncomplete
		}
		if err != nil {
			return nil, fmt.Errorf("reading event stream: %w", err)
		}
		if ev.Data == "[DONE]" {
			return nil, ErrStreamIncomplete
		}
		terminal, err := st.handle(ev.Event, []byte(ev.Data))
		if err != nil {
			return nil, err
		}
		if terminal {
			return st.done, nil
		}
	}
}
