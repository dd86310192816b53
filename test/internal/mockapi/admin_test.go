package mockapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenEndpointValidation(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		name   string
		body   map[string]string
		status int
		err    string
	}{
		{"wrong grant", map[string]string{"client_id": "app_x", "grant_type": "authorization_code", "refresh_token": testRefresh}, http.StatusBadRequest, "unsupported_grant_type"},
		{"no refresh token", map[string]string{"client_id": "app_x", "grant_type": "refresh_token"}, http.StatusBadRequest, "invalid_request"},
		{"no client id", map[string]string{"grant_type": "refresh_token", "refresh_token": testRefresh}, http.StatusBadRequest, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Validation comes before the scenario's outcome, even where refresh would fail.
			for _, sc := range []string{"success", "refresh_permanent", "refresh_transient"} {
				res := e.do(http.MethodPost, "/"+sc+"/oauth/token", "", tc.body, nil)
				assert.Equal(t, tc.status, res.status)
				assert.Contains(t, string(res.body), `"error":"`+tc.err+`"`)
				assertEvidence(t, res.header)
			}
		})
	}
}

func TestIssuedIDTokenCarriesAccount(t *testing.T) {
	e := newEnv(t, Options{})
	assert.Equal(t, http.StatusUnauthorized, e.responses("401_then_refresh", testOldAccess).status)
	status, tr := e.refresh("401_then_refresh")
	require.Equal(t, http.StatusOK, status)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tr.IDToken, ".")[1])
	require.NoError(t, err)
	var claims struct {
		Email string `json:"email"`
		Auth  struct {
			AccountID string `json:"chatgpt_account_id"`
		} `json:"https://api.openai.com/auth"`
	}
	require.NoError(t, json.Unmarshal(payload, &claims))
	assert.Equal(t, testAccountID, claims.Auth.AccountID, "the id token names the account the client presented")
	assert.Equal(t, "dev@example.com", claims.Email)

	_, again := e.refresh("401_then_refresh")
	assert.NotEqual(t, tr.AccessToken, again.AccessToken, "every refresh issues fresh tokens")
	assert.NotEqual(t, tr.RefreshToken, again.RefreshToken)
}

func TestAdminReset(t *testing.T) {
	e := newEnv(t, Options{})
	_, tr := e.refresh("401_then_refresh")
	require.Equal(t, http.StatusOK, e.responses("401_then_refresh", tr.AccessToken).status)
	require.NotEmpty(t, e.s.Requests())

	res := e.do(http.MethodPost, "/_admin/reset", "", nil, nil)
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Empty(t, e.s.Requests(), "reset clears the request log")
	assert.Equal(t, http.StatusUnauthorized, e.responses("401_then_refresh", tr.AccessToken).status, "reset forgets issued tokens")
}

func TestRequestLogNeverHoldsSecrets(t *testing.T) {
	e := newEnv(t, Options{})
	e.responses("success", testAPIKey)
	e.responses("api_key_401", testAPIKey)
	e.responses("expired_token", testOldAccess)
	_, tr := e.refresh("expired_token")
	e.responses("expired_token", tr.AccessToken)
	e.do(http.MethodGet, "/success/v1/models?api_key="+testAPIKey, "", nil, map[string]string{"Authorization": "Basic " + testAPIKey})
	c, _ := e.dial("ws_401", testOldAccess)
	require.Nil(t, c)
	c, _ = e.dial("success", testAPIKey)
	require.NotNil(t, c)
	e.roundTrip(c)

	res := e.do(http.MethodGet, "/_admin/requests", "", nil, nil)
	require.Equal(t, http.StatusOK, res.status)
	log := string(res.body)
	for _, secret := range []string{testAPIKey, testOldAccess, testRefresh, tr.AccessToken, tr.RefreshToken, tr.IDToken, "Bearer", "sk-proj", "eyJ", "rt_"} {
		assert.NotContains(t, log, secret)
	}

	var body struct {
		Requests []RequestRecord `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(res.body, &body))
	type row struct {
		Scenario, Kind, Path, TokenKind, AuthError string
		Status                                     int
		Auth                                       bool
	}
	var rows []row
	for _, r := range body.Requests {
		rows = append(rows, row{r.Scenario, r.Kind, r.Path, r.TokenKind, r.AuthError, r.Status, r.AuthorizationPresent})
		assert.Regexp(t, `^req_[0-9a-f]{32}$|^$`, r.RequestID)
	}
	assert.Equal(t, []row{
		{"success", "responses", "/success/v1/responses", "other", "", 200, true},
		{"api_key_401", "responses", "/api_key_401/v1/responses", "other", "invalid_api_key", 401, true},
		{"expired_token", "responses", "/expired_token/v1/responses", "other", "token_expired", 401, true},
		{"expired_token", "oauth_token", "/expired_token/oauth/token", "", "", 200, false},
		{"expired_token", "responses", "/expired_token/v1/responses", "issued", "", 200, true},
		{"success", "models", "/success/v1/models", "other", "invalid_authorization_header", 401, true},
		{"ws_401", "websocket_handshake", "/ws_401/v1/responses", "other", "invalid_token", 401, true},
		{"success", "websocket_handshake", "/success/v1/responses", "other", "", 101, true},
		{"success", "websocket_request", "/success/v1/responses", "other", "", 200, true},
	}, rows)
	assert.Equal(t, testAccountID, body.Requests[0].ChatGPTAccountID)
	assert.Equal(t, "websocket", body.Requests[len(body.Requests)-1].Transport)
}
