package mockapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// authorize applies the scenario's bearer rule. On rejection it has written
// the 401 and returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, sc *scenario) bool {
	raw := r.Header.Get("Authorization")
	if raw == "" {
		annotate(w, func(rec *RequestRecord) { rec.TokenKind = "none" })
		writeUnauthorized(w, denyMissing, "")
		return false
	}
	scheme, token, _ := strings.Cut(raw, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		annotate(w, func(rec *RequestRecord) { rec.TokenKind = "other" })
		writeUnauthorized(w, denyMalformed, raw)
		return false
	}

	s.mu.Lock()
	st := s.state(sc.name)
	if acct := r.Header.Get("ChatGPT-Account-ID"); acct != "" {
		st.lastAccountID = acct
	}
	issued := st.issued[token]
	accepted := sc.acceptAny || (sc.acceptIssued && issued)
	if !accepted && sc.changeAccount && !st.accountChanged && s.opts.AccountChangeFile != "" {
		// Rewritten before the 401 leaves, so the client's reload already sees the other login.
		st.accountChanged = true
		if err := rewriteAccountID(s.opts.AccountChangeFile); err != nil {
			s.log.Error("account_changed: rewriting auth file failed", "error", err)
		}
	}
	s.mu.Unlock()

	kind := "other"
	if issued {
		kind = "issued"
	}
	annotate(w, func(rec *RequestRecord) { rec.TokenKind = kind })
	if accepted {
		return true
	}
	writeUnauthorized(w, sc.denial, token)
	return false
}

// annotate adds details to the pending request-log entry, if w is logged.
func annotate(w http.ResponseWriter, fn func(*RequestRecord)) {
	if rw, ok := w.(*recordingWriter); ok && !rw.logged {
		fn(&rw.rec)
	}
}

// writeUnauthorized answers 401 the way the real API does: evidence headers,
// and a body that quotes part of the presented credential so that any client
// exporting bodies leaks visibly.
func writeUnauthorized(w http.ResponseWriter, d denial, presented string) {
	shown := maskCredential(presented)
	var headerMsg, bodyMsg, bodyCode string
	switch d {
	case denyMissing:
		headerMsg = "Missing bearer or basic authentication in header."
		bodyMsg = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys."
	case denyMalformed:
		headerMsg = "Malformed authorization header."
		bodyMsg = "Invalid authorization header format (received: " + shown + "). Expected: Bearer <token>."
		bodyCode = d.code
	case denyExpiredToken:
		headerMsg = "Provided authentication token is expired."
		bodyMsg = "Provided authentication token is expired. Please try signing in again. Token provided: " + shown + "."
		bodyCode = d.code
	case denyInvalidAPIKey:
		headerMsg = "Incorrect API key provided."
		bodyMsg = "Incorrect API key provided: " + shown + ". You can find your API key at https://platform.openai.com/account/api-keys."
		bodyCode = d.code
	default:
		headerMsg = "Your authentication token has been invalidated."
		bodyMsg = "Your authentication token has been invalidated. Please try signing in again. Token provided: " + shown + "."
		bodyCode = d.code
	}
	h := w.Header()
	h.Set("x-openai-authorization-error", d.header)
	h.Set("x-error-json", encodeErrorJSON(d.code, headerMsg))
	h.Set("www-authenticate", `Bearer realm="OpenAI API"`)
	annotate(w, func(rec *RequestRecord) { rec.AuthError = d.header })
	writeAPIError(w, http.StatusUnauthorized, "invalid_request_error", bodyCode, bodyMsg)
}

// encodeErrorJSON builds the x-error-json header value: base64 of {"error":{"code","message"}}.
func encodeErrorJSON(code, message string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	return base64.StdEncoding.EncodeToString(b)
}

// maskCredential keeps a prefix and the last characters of a credential, as
// api.openai.com does in "Incorrect API key provided: sk-proj-****abcd".
func maskCredential(k string) string {
	n := len(k)
	switch {
	case n >= 24:
		return k[:8] + "****" + k[n-4:]
	case n >= 12:
		return k[:3] + "****" + k[n-2:]
	default:
		return "****"
	}
}

func newRequestID() string { return "req_" + randomHex(16) }

// newCFRay mimics Cloudflare's ray id: 16 hex digits and a colo code.
func newCFRay() string { return randomHex(8) + "-SJC" }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
