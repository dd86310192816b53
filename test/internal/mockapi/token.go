package mockapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

const tokenLifetime = time.Hour

type tokenRequest struct {
	ClientID     string `json:"client_id"`
	GrantType    string `json:"grant_type"`
	RefreshToken string `json:"refresh_token"`
}

// serveToken is the OAuth refresh_token grant. Requests are validated the same
// way in every scenario; only a well-formed grant reaches the scenario's outcome.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, sc *scenario) {
	var req tokenRequest
	if !s.readJSONBody(w, r, &req) {
		return
	}
	switch {
	case req.GrantType != "refresh_token":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Only the refresh_token grant is supported.")
		return
	case req.RefreshToken == "" || req.ClientID == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "client_id and refresh_token are required.")
		return
	}
	switch sc.refresh {
	case refreshPermanentFailure:
		writeOAuthError(w, http.StatusUnauthorized, "refresh_token_expired", "Your refresh token has expired. Please try signing in again.")
		return
	case refreshTransientFailure:
		writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "The authorization server is temporarily unavailable. Please retry.")
		return
	}

	s.mu.Lock()
	st := s.state(sc.name)
	accountID := st.lastAccountID
	now := time.Now()
	access := fakeJWT(accessClaims(req.ClientID, accountID, now))
	st.issued[access] = true
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"refresh_token": "rt_" + randomBase64URL(36),
		"id_token":      fakeJWT(idClaims(req.ClientID, accountID, now)),
		"expires_in":    int(tokenLifetime.Seconds()),
		"token_type":    "Bearer",
		"scope":         "openid profile email offline_access",
	})
}

// writeOAuthError uses the RFC 6749 body shape, which auth servers answer with.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func authClaim(accountID string) map[string]any {
	c := map[string]any{"chatgpt_plan_type": "plus", "chatgpt_user_id": "user-mock0000000000000000"}
	if accountID != "" {
		c["chatgpt_account_id"] = accountID
	}
	return c
}

func accessClaims(clientID, accountID string, now time.Time) map[string]any {
	return map[string]any{
		"iss":                         "https://auth.openai.com",
		"aud":                         []string{"https://api.openai.com/v1"},
		"sub":                         "auth0|mock0000000000000000",
		"client_id":                   clientID,
		"iat":                         now.Unix(),
		"exp":                         now.Add(tokenLifetime).Unix(),
		"jti":                         newUUID(),
		"scp":                         []string{"openid", "profile", "email", "offline_access"},
		"https://api.openai.com/auth": authClaim(accountID),
	}
}

func idClaims(clientID, accountID string, now time.Time) map[string]any {
	return map[string]any{
		"iss":                         "https://auth.openai.com",
		"aud":                         []string{clientID},
		"sub":                         "auth0|mock0000000000000000",
		"email":                       "dev@example.com",
		"email_verified":              true,
		"iat":                         now.Unix(),
		"exp":                         now.Add(tokenLifetime).Unix(),
		"auth_time":                   now.Unix(),
		"https://api.openai.com/auth": authClaim(accountID),
	}
}

// fakeJWT returns a JWT-shaped token (header.payload.signature, base64url)
// with a random signature: realistic enough for secret scanners and for
// clients that decode claims, never verifiable.
func fakeJWT(claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "mock-" + randomHex(4)})
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + randomBase64URL(256)
}

func randomBase64URL(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// rewriteAccountID emulates another login in a Codex-layout auth.json: a new
// tokens.account_id and last_refresh, written atomically like Codex does.
func rewriteAccountID(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, DefaultMaxBodyBytes))
	info, statErr := f.Stat()
	_ = f.Close()
	if err != nil {
		return err
	}
	if statErr != nil {
		return statErr
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tokens, ok := doc["tokens"].(map[string]any)
	if !ok {
		return errors.New(path + ": no tokens object")
	}
	old, _ := tokens["account_id"].(string)
	next := newUUID()
	for next == old {
		next = newUUID()
	}
	tokens["account_id"] = next
	doc["last_refresh"] = time.Now().UTC().Format(time.RFC3339Nano)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), ".auth.json.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(out, '\n')); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
