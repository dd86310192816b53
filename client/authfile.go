package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultTokenURL is the Codex CLI's OAuth token endpoint, so an existing Codex login
	// refreshes the same way.
	DefaultTokenURL = "https://auth.openai.com/oauth/token" //nolint:gosec // G101: a public endpoint URL, no credential
	// DefaultClientID is the Codex CLI's public OAuth client id.
	DefaultClientID = "app_EMoamEEZ73f0CkXaXp7hrann"
	// TokenURLOverrideEnv overrides the token URL, as in the Codex CLI.
	TokenURLOverrideEnv = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
)

// AuthFile is a managed provider over a Codex-style auth.json:
//
//	{"OPENAI_API_KEY": null, "tokens": {"id_token", "access_token", "refresh_token",
//	 "account_id"}, "last_refresh": "..."}
//
// With tokens it authenticates as ChatGPT (Bearer access token plus
// ChatGPT-Account-ID); with only OPENAI_API_KEY it is API-key auth, which cannot be
// recovered. Refreshed tokens are written back atomically with mode 0600; fields
// it does not know are preserved.
type AuthFile struct {
	path       string
	tokenURL   string
	clientID   string
	httpClient *http.Client
	now        func() time.Time

	mu    sync.Mutex
	raw   map[string]json.RawMessage
	creds Credentials
	// refreshToken is kept beside creds because it is never sent to the API.
	refreshToken string
}

// AuthFileOption configures an AuthFile; one that cannot apply makes LoadAuthFile fail.
type AuthFileOption func(*AuthFile) error

// WithTokenURL sets the OAuth token endpoint (an absolute http(s) URL); it wins over the
// environment override.
func WithTokenURL(u string) AuthFileOption {
	return func(a *AuthFile) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return errors.New("WithTokenURL: want an absolute http(s) URL")
		}
		a.tokenURL = u
		return nil
	}
}

// WithClientID sets the OAuth client id sent with refresh grants.
func WithClientID(id string) AuthFileOption {
	return func(a *AuthFile) error {
		if id == "" {
			return errors.New("WithClientID: empty client id")
		}
		a.clientID = id
		return nil
	}
}

// WithTokenHTTPClient sets the HTTP client used for the token endpoint.
func WithTokenHTTPClient(c *http.Client) AuthFileOption {
	return func(a *AuthFile) error {
		if c == nil {
			return errors.New("WithTokenHTTPClient: must not be nil")
		}
		a.httpClient = c
		return nil
	}
}

type authTokens struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	AccountID    string `json:"account_id,omitempty"`
}

// LoadAuthFile reads path. The token URL is, in order: WithTokenURL,
// $CODEX_REFRESH_TOKEN_URL_OVERRIDE, DefaultTokenURL.
func LoadAuthFile(path string, opts ...AuthFileOption) (*AuthFile, error) {
	a := &AuthFile{
		path:       path,
		tokenURL:   DefaultTokenURL,
		clientID:   DefaultClientID,
		httpClient: &http.Client{Timeout: 30 * time.Second},
		now:        time.Now,
	}
	if v := strings.TrimSpace(os.Getenv(TokenURLOverrideEnv)); v != "" {
		a.tokenURL = v
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("LoadAuthFile: nil option")
		}
		if err := o(a); err != nil {
			return nil, err
		}
	}
	raw, creds, refresh, err := readAuthFile(path)
	if err != nil {
		return nil, err
	}
	a.raw, a.creds, a.refreshToken = raw, creds, refresh
	return a, nil
}

// Path is the auth file's location.
func (a *AuthFile) Path() string { return a.path }

// Credentials implements AuthProvider.
func (a *AuthFile) Credentials(context.Context) (Credentials, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.creds.Token == "" {
		return Credentials{}, fmt.Errorf("auth file %s holds neither tokens nor OPENAI_API_KEY", a.path)
	}
	return a.creds, nil
}

// Reload implements ManagedAuth: another process (a Codex login, a second client)
// may have refreshed the file since it was read.
func (a *AuthFile) Reload(context.Context) (bool, error) {
	raw, creds, refresh, err := readAuthFile(a.path)
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.creds.AccountID != "" && creds.AccountID != a.creds.AccountID {
		return false, ErrAccountMismatch
	}
	changed := creds.Token != a.creds.Token || refresh != a.refreshToken
	a.raw, a.creds, a.refreshToken = raw, creds, refresh
	return changed, nil
}

// RefreshToken implements ManagedAuth with an OAuth refresh_token grant.
func (a *AuthFile) RefreshToken(ctx context.Context) error {
	a.mu.Lock()
	refresh, mode := a.refreshToken, a.creds.Mode
	a.mu.Unlock()
	if mode != AuthModeChatGPT || refresh == "" {
		return &RefreshError{Permanent: true, Err: errors.New("auth file has no refresh token")}
	}
	body, err := json.Marshal(map[string]string{
		"client_id":     a.clientID,
		"grant_type":    "refresh_token",
		"refresh_token": refresh,
	})
	if err != nil {
		return &RefreshError{Permanent: true, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL, bytes.NewReader(body))
	if err != nil {
		return &RefreshError{Permanent: true, Err: fmt.Errorf("token URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := a.httpClient.Do(req)
	if err != nil {
		return &RefreshError{Err: errors.New("token endpoint unreachable")}
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &RefreshError{Status: resp.StatusCode, Err: errors.New("reading token response")}
	}
	if resp.StatusCode != http.StatusOK {
		// 400/401 means the grant itself was refused: only a new login helps.
		permanent := resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized
		return &RefreshError{Permanent: permanent, Status: resp.StatusCode, Code: classification(refreshErrorCode(payload))}
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	if err := json.Unmarshal(payload, &tok); err != nil || tok.AccessToken == "" {
		return &RefreshError{Status: resp.StatusCode, Err: errors.New("token response without access_token")}
	}
	return a.store(tok.AccessToken, tok.RefreshToken, tok.IDToken)
}

// store merges new tokens into the file and replaces it atomically.
func (a *AuthFile) store(access, refresh, idToken string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var tokens authTokens
	if t, ok := a.raw["tokens"]; ok {
		_ = json.Unmarshal(t, &tokens)
	}
	tokens.AccessToken = access
	if refresh != "" {
		tokens.RefreshToken = refresh
	}
	if idToken != "" {
		tokens.IDToken = idToken
	}
	raw := make(map[string]json.RawMessage, len(a.raw)+2)
	for k, v := range a.raw {
		raw[k] = v
	}
	tb, err := json.Marshal(tokens) //nolint:gosec // G117: writing the tokens to the user's auth file is this function's job
	if err != nil {
		return &RefreshError{Err: err}
	}
	lr, _ := json.Marshal(a.now().UTC().Format(time.RFC3339Nano))
	raw["tokens"], raw["last_refresh"] = tb, lr
	out, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		return &RefreshError{Err: err}
	}
	if err := writeFileAtomic(a.path, out); err != nil {
		return &RefreshError{Err: err}
	}
	a.raw = raw
	a.creds = chatGPTCredentials(tokens)
	a.refreshToken = tokens.RefreshToken
	return nil
}

func readAuthFile(path string) (map[string]json.RawMessage, Credentials, string, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the path is the auth file the user configured
	if err != nil {
		return nil, Credentials{}, "", fmt.Errorf("reading auth file: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, Credentials{}, "", fmt.Errorf("auth file %s is not a JSON object", path)
	}
	var tokens authTokens
	if t, ok := raw["tokens"]; ok && string(t) != "null" {
		if err := json.Unmarshal(t, &tokens); err != nil {
			return nil, Credentials{}, "", fmt.Errorf("auth file %s: malformed tokens", path)
		}
	}
	if tokens.AccessToken != "" {
		return raw, chatGPTCredentials(tokens), tokens.RefreshToken, nil
	}
	var key string
	if k, ok := raw["OPENAI_API_KEY"]; ok {
		_ = json.Unmarshal(k, &key)
	}
	return raw, Credentials{Mode: AuthModeAPIKey, Token: strings.TrimSpace(key)}, "", nil
}

func chatGPTCredentials(t authTokens) Credentials {
	claims := idTokenClaims(t.IDToken)
	account := t.AccountID
	if account == "" {
		account = claims.Auth.AccountID
	}
	return Credentials{Mode: AuthModeChatGPT, Token: t.AccessToken, AccountID: account, Email: claims.Email}
}

type jwtClaims struct {
	Email string `json:"email"`
	Auth  struct {
		AccountID string `json:"chatgpt_account_id"`
	} `json:"https://api.openai.com/auth"`
}

// idTokenClaims reads identity from the id_token payload without verifying it: the
// values only label telemetry and choose the account header, they grant nothing.
func idTokenClaims(tok string) jwtClaims {
	var c jwtClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c
	}
	_ = json.Unmarshal(payload, &c)
	return c
}

// refreshErrorCode reads {"error":"code"} or {"error":{"code":"..."}} from a token
// endpoint failure; only the code is kept, never the description.
func refreshErrorCode(payload []byte) string {
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(payload, &doc) != nil || len(doc.Error) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(doc.Error, &s) == nil {
		return s
	}
	var obj struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(doc.Error, &obj) == nil {
		return obj.Code
	}
	return ""
}

// writeFileAtomic writes to a temporary file in the same directory and renames it,
// so a crash or a concurrent reader never sees a half-written credential file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing auth file: %w", err)
	}
	tmp := f.Name()
	// On a failed write the temporary file is abandoned: its Close and Remove are best
	// effort, the error that matters is the write's.
	cleanup := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("writing auth file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		return cleanup(err)
	}
	if _, err := f.Write(data); err != nil {
		return cleanup(err)
	}
	if err := f.Sync(); err != nil {
		return cleanup(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing auth file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing auth file: %w", err)
	}
	return nil
}
