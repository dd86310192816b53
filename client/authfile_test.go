package client

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadAuthFileChatGPT(t *testing.T) {
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	a, err := LoadAuthFile(path)
	require.NoError(t, err)
	creds, err := a.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Credentials{Mode: AuthModeChatGPT, Token: testAccessToken, AccountID: testAccountID, Email: testEmail}, creds)
	assert.NotContains(t, creds.String(), testAccessToken)
}

func TestLoadAuthFileAccountFromIDToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	doc := `{"tokens":{"id_token":"` + idToken(testEmail, "acct-from-jwt") + `","access_token":"at","refresh_token":"rt"}}`
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	a, err := LoadAuthFile(path)
	require.NoError(t, err)
	creds, err := a.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "acct-from-jwt", creds.AccountID)
}

func TestLoadAuthFileAPIKeyIsNotRecoverable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"OPENAI_API_KEY":"`+testAPIKey+`","tokens":null}`), 0o600))
	a, err := LoadAuthFile(path)
	require.NoError(t, err)
	creds, err := a.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, AuthModeAPIKey, creds.Mode)

	h := newHarness(t)
	api := newScripted(t, always401)
	c := h.newClient(t, api.base(), WithAuth(a))
	_, err = prompt(c)
	require.Error(t, err)
	assert.Equal(t, []string{"managed/reload/recovery_not_run/not_chatgpt_auth"}, h.recoveries())
}

func TestLoadAuthFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadAuthFile(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`not json `+testRefreshToken), 0o600))
	_, err = LoadAuthFile(bad)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testRefreshToken)

	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte(`{}`), 0o600))
	a, err := LoadAuthFile(empty)
	require.NoError(t, err)
	_, err = a.Credentials(context.Background())
	require.Error(t, err)
}

func TestTokenURLPrecedence(t *testing.T) {
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	var hits []string
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		hits = append(hits, r.URL.Path)
		tokenOK(w)
	})
	t.Setenv(TokenURLOverrideEnv, tok.URL+"/from-env")
	a, err := LoadAuthFile(path)
	require.NoError(t, err)
	require.NoError(t, a.RefreshToken(context.Background()))
	b, err := LoadAuthFile(path, WithTokenURL(tok.URL+"/from-option"))
	require.NoError(t, err)
	require.NoError(t, b.RefreshToken(context.Background()))
	assert.Equal(t, []string{"/from-env", "/from-option"}, hits)

	creds, err := b.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAccessToken2, creds.Token)
}

func TestRefreshTokenFailures(t *testing.T) {
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	tests := []struct {
		status    int
		body      string
		permanent bool
		code      string
	}{
		{http.StatusBadRequest, `{"error":"invalid_grant"}`, true, "invalid_grant"},
		{http.StatusUnauthorized, `{"error":{"code":"refresh_token_expired"}}`, true, "refresh_token_expired"},
		{http.StatusBadRequest, `{"error":"refresh_token_invalidated"}`, true, "refresh_token_invalidated"},
		{http.StatusBadGateway, `{"error":"upstream"}`, false, "upstream"},
		{http.StatusOK, `{"no_access_token":true}`, false, ""},
	}
	for _, tt := range tests {
		tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		})
		a, err := LoadAuthFile(path, WithTokenURL(tok.URL))
		require.NoError(t, err)
		err = a.RefreshToken(context.Background())
		var re *RefreshError
		require.ErrorAs(t, err, &re, tt.body)
		assert.Equal(t, tt.permanent, re.Permanent, tt.body)
		assert.Equal(t, tt.code, re.Code, tt.body)
	}
	// Network failure is transient.
	a, err := LoadAuthFile(path, WithTokenURL("http://127.0.0.1:1/oauth/token"))
	require.NoError(t, err)
	var re *RefreshError
	require.ErrorAs(t, a.RefreshToken(context.Background()), &re)
	assert.False(t, re.Permanent)
	// The file is untouched by failed refreshes.
	b, err := LoadAuthFile(path)
	require.NoError(t, err)
	creds, err := b.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAccessToken, creds.Token)
}
