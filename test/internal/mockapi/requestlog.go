package mockapi

import (
	"regexp"
	"time"
)

// RequestRecord is one entry of the request log served at GET /_admin/requests.
// It holds presence flags and identifiers only, never a token, key or body.
type RequestRecord struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Scenario  string    `json:"scenario,omitempty"`
	Transport string    `json:"transport"`
	// Kind is responses, responses_compact, models, oauth_token,
	// websocket_handshake, websocket_request or unknown.
	Kind   string `json:"kind"`
	Method string `json:"method,omitempty"`
	// Path is the URL path without the query, which could carry secrets.
	Path   string `json:"path"`
	Status int    `json:"status"`
	// AuthorizationPresent says whether an Authorization header came with the request.
	AuthorizationPresent bool `json:"authorization_present"`
	// TokenKind classifies the bearer without revealing it: none, issued (by
	// this scenario's token endpoint) or other.
	TokenKind        string `json:"token_kind,omitempty"`
	ChatGPTAccountID string `json:"chatgpt_account_id,omitempty"`
	RequestID        string `json:"request_id,omitempty"`
	// AuthError is the x-openai-authorization-error value sent with a 401.
	AuthError string `json:"auth_error,omitempty"`
	// TraceParent is the W3C trace context the request carried (the traceparent header;
	// for a WebSocket frame client_metadata.ws_request_header_traceparent), kept only
	// when it has the traceparent shape: what a server would make the parent of its span.
	TraceParent string `json:"traceparent,omitempty"`
}

var traceParentShape = regexp.MustCompile(`^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)

// traceParent returns v when it is a well-formed traceparent, else "".
func traceParent(v any) string {
	s, _ := v.(string)
	if !traceParentShape.MatchString(s) {
		return ""
	}
	return s
}

func (s *Server) appendRecord(rec RequestRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	rec.Seq = s.seq
	rec.Time = time.Now().UTC()
	if len(s.requests) >= maxLoggedRequests {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, rec)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RequestRecord, len(s.requests))
	copy(out, s.requests)
	return out
}
