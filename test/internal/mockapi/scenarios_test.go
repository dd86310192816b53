package mockapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestScenarioListIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	names := make([]string, 0, len(Scenarios()))
	for _, sc := range Scenarios() {
		names = append(names, sc.Name)
		assert.Contains(t, string(doc), "//   - "+sc.Name+":", "scenario %s missing from the package doc", sc.Name)
		assert.NotEmpty(t, sc.Summary)
	}
	assert.Equal(t, []string{"success", "401_then_refresh", "expired_token", "refresh_permanent", "refresh_transient",
		"account_changed", "api_key_401", "ws_401", "ws_in_stream_401", "ws_426", "5xx_then_success"}, names)
}

func TestSuccess(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tok := range []string{testAPIKey, testOldAccess} {
		res := e.responses("success", tok)
		assert.Equal(t, http.StatusOK, res.status)
		assertEvidence(t, res.header)
	}
	assert.Equal(t, http.StatusOK, e.do(http.MethodPost, "/success/v1/responses/compact", testAPIKey, map[string]any{"input": []any{}}, nil).status)
	models := e.do(http.MethodGet, "/success/v1/models", testAPIKey, nil, nil)
	assert.Equal(t, http.StatusOK, models.status)
	assert.JSONEq(t, `{"object":"list","data":[{"id":"gpt-5.1","object":"model","created":1762905600,"owned_by":"openai"}]}`, string(models.body))
	c, resp := e.dial("success", testAPIKey)
	require.NotNil(t, c)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	assertEvidence(t, resp.Header)
	status, _ := e.refresh("success")
	assert.Equal(t, http.StatusOK, status)
}

func TestMissingAndMalformedAuthorization(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.do(http.MethodPost, "/success/v1/responses", "", map[string]any{"input": "x"}, nil)
	assertUnauthorized(t, res.status, res.header, res.body, "missing_authorization_header", "missing_authorization_header", "")

	basic := "Basic dXNlcjpodW50ZXIyLXN1cGVyLXNlY3JldC1wYXNzd29yZA=="
	res = e.do(http.MethodGet, "/success/v1/models", "", nil, map[string]string{"Authorization": basic})
	assertUnauthorized(t, res.status, res.header, res.body, "invalid_authorization_header", "invalid_authorization_header", basic)

	res = e.do(http.MethodGet, "/success/v1/models", "", nil, map[string]string{"Authorization": "Bearer "})
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "invalid_authorization_header", res.header.Get("x-openai-authorization-error"))

	_, resp := e.dial("success", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "missing_authorization_header", resp.Header.Get("x-openai-authorization-error"))
}

// The refresh scenarios differ only in the 401 classification and the token
// endpoint's answer; each runs 401 → refresh → retry on every endpoint.
func TestRefreshScenarios(t *testing.T) {
	tests := []struct {
		scenario      string
		authErr, code string
		refreshStatus int
		refreshError  string
	}{
		{"401_then_refresh", "invalid_token", "token_invalidated", http.StatusOK, ""},
		{"expired_token", "token_expired", "token_expired", http.StatusOK, ""},
		{"refresh_permanent", "token_expired", "token_expired", http.StatusUnauthorized, "refresh_token_expired"},
		{"refresh_transient", "token_expired", "token_expired", http.StatusServiceUnavailable, "temporarily_unavailable"},
		{"ws_401", "invalid_token", "token_invalidated", http.StatusOK, ""},
		{"account_changed", "invalid_token", "token_invalidated", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			e := newEnv(t, Options{})
			res := e.responses(tt.scenario, testOldAccess)
			assertUnauthorized(t, res.status, res.header, res.body, tt.authErr, tt.code, testOldAccess)
			res = e.do(http.MethodGet, "/"+tt.scenario+"/v1/models", testOldAccess, nil, nil)
			assertUnauthorized(t, res.status, res.header, res.body, tt.authErr, tt.code, testOldAccess)
			_, resp := e.dial(tt.scenario, testOldAccess)
			assertUnauthorized(t, resp.StatusCode, resp.Header, resp.Body, tt.authErr, tt.code, testOldAccess)

			status, tr := e.refresh(tt.scenario)
			require.Equal(t, tt.refreshStatus, status)
			if tt.refreshError != "" {
				assert.Equal(t, tt.refreshError, tr.Error)
				assert.Empty(t, tr.AccessToken)
				assert.Equal(t, http.StatusUnauthorized, e.responses(tt.scenario, testOldAccess).status)
				return
			}
			assertFreshTokens(t, tr)
			assert.Equal(t, http.StatusOK, e.responses(tt.scenario, tr.AccessToken).status)
			assert.Equal(t, http.StatusOK, e.do(http.MethodPost, "/"+tt.scenario+"/v1/responses/compact", tr.AccessToken, map[string]any{"input": []any{}}, nil).status)
			assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/"+tt.scenario+"/v1/models", tr.AccessToken, nil, nil).status)
			c, resp := e.dial(tt.scenario, tr.AccessToken)
			require.NotNil(t, c)
			assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
			assert.Equal(t, http.StatusUnauthorized, e.responses(tt.scenario, testOldAccess).status, "the old token stays rejected")

			other := "401_then_refresh"
			if tt.scenario == other {
				other = "expired_token"
			}
			assert.Equal(t, http.StatusUnauthorized, e.responses(other, tr.AccessToken).status, "issued tokens are per scenario")
		})
	}
}

func assertFreshTokens(t *testing.T, tr tokenResponse) {
	t.Helper()
	for _, jwt := range []string{tr.AccessToken, tr.IDToken} {
		parts := strings.Split(jwt, ".")
		require.Len(t, parts, 3, jwt)
		assert.True(t, strings.HasPrefix(jwt, "eyJ"))
		for _, p := range parts {
			_, err := base64.RawURLEncoding.DecodeString(p)
			assert.NoError(t, err)
		}
	}
	assert.Regexp(t, `^rt_[A-Za-z0-9_-]{40,}$`, tr.RefreshToken)
	assert.Equal(t, 3600, tr.ExpiresIn)
	assert.NotEqual(t, testRefresh, tr.RefreshToken)
}

func TestAPIKey401(t *testing.T) {
	e := newEnv(t, Options{})
	for range 2 {
		res := e.responses("api_key_401", testAPIKey)
		assertUnauthorized(t, res.status, res.header, res.body, "invalid_api_key", "invalid_api_key", testAPIKey)
		assert.Contains(t, string(res.body), "Incorrect API key provided: sk-proj-****Wy2C.")
	}
	_, tr := e.refresh("api_key_401")
	assert.Equal(t, http.StatusUnauthorized, e.responses("api_key_401", tr.AccessToken).status, "nothing is ever accepted")
	_, resp := e.dial("api_key_401", testAPIKey)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestWS426(t *testing.T) {
	e := newEnv(t, Options{})
	_, resp := e.dial("ws_426", testAPIKey)
	assert.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
	assertEvidence(t, resp.Header)
	assert.Equal(t, http.StatusOK, e.responses("ws_426", testAPIKey).status, "HTTP is the fallback")
	_, resp = e.dial("ws_426", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "auth is checked before the 426")
}

func Test5xxThenSuccess(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.responses("5xx_then_success", testAPIKey)
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assertEvidence(t, res.header)
	assert.Empty(t, res.header.Get("x-openai-authorization-error"))
	assert.Equal(t, http.StatusOK, e.responses("5xx_then_success", testAPIKey).status)
	assert.Equal(t, http.StatusOK, e.responses("5xx_then_success", testAPIKey).status)

	_, resp := e.dial("5xx_then_success", testAPIKey)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	c, resp := e.dial("5xx_then_success", testAPIKey)
	require.NotNil(t, c)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)

	e.do(http.MethodPost, "/_admin/reset", "", nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, e.responses("5xx_then_success", testAPIKey).status, "reset re-arms the failure")
}

func TestAccountChangedRewritesAuthFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	orig := map[string]any{
		"OPENAI_API_KEY": nil,
		"tokens": map[string]any{
			"id_token": testOldAccess, "access_token": testOldAccess, "refresh_token": testRefresh, "account_id": testAccountID,
		},
		"last_refresh": "2026-11-01T00:00:00Z",
	}
	b, err := json.Marshal(orig)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))

	e := newEnv(t, Options{AccountChangeFile: path})
	assert.Equal(t, http.StatusOK, e.responses("success", testOldAccess).status)
	assert.Equal(t, testAccountID, readAccountID(t, path), "other scenarios leave the file alone")

	res := e.responses("account_changed", testOldAccess)
	assertUnauthorized(t, res.status, res.header, res.body, "invalid_token", "token_invalidated", testOldAccess)
	changed := readAccountID(t, path)
	assert.NotEqual(t, testAccountID, changed)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, changed)

	var doc map[string]any
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &doc))
	tokens := doc["tokens"].(map[string]any)
	assert.Equal(t, testOldAccess, tokens["access_token"], "only the account changes")
	assert.Equal(t, testRefresh, tokens["refresh_token"])
	assert.NotEqual(t, "2026-11-01T00:00:00Z", doc["last_refresh"])
	assert.Contains(t, doc, "OPENAI_API_KEY")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	assert.Equal(t, http.StatusUnauthorized, e.responses("account_changed", testOldAccess).status)
	assert.Equal(t, changed, readAccountID(t, path), "only the first 401 rewrites")

	e.do(http.MethodPost, "/_admin/reset", "", nil, nil)
	_, resp := e.dial("account_changed", testOldAccess)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.NotEqual(t, changed, readAccountID(t, path), "a reset re-arms the rewrite, WebSocket handshakes included")
}

func TestAccountChangedWithBadFileStillAnswers401(t *testing.T) {
	e := newEnv(t, Options{AccountChangeFile: filepath.Join(t.TempDir(), "missing.json")})
	assert.Equal(t, http.StatusUnauthorized, e.responses("account_changed", testOldAccess).status)
}

func readAccountID(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Tokens struct {
			AccountID string `json:"account_id"`
		} `json:"tokens"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	return doc.Tokens.AccountID
}
