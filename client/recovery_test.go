package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recoveries summarises the auth_recovery spans as step/outcome[/reason].
func (h *harness) recoveries() []string {
	var out []string
	for _, a := range h.spanAttrs(OpAuthRecovery) {
		s := fmt.Sprintf("%s/%s/%s", a["auth.mode"], a["auth.step"], a["auth.outcome"])
		if r, ok := a["auth.recovery_reason"]; ok {
			s += "/" + r.(string)
		}
		if c, ok := a["auth.state_changed"]; ok {
			s += fmt.Sprintf("/changed=%v", c)
		}
		out = append(out, s)
	}
	return out
}

func prompt(c *Client) (*Response, error) {
	return c.CreateResponse(context.Background(), &ResponseRequest{Input: "hi"})
}

// always401 answers every request with a 401.
func always401(n int, w http.ResponseWriter, r *http.Request) { write401(w, r, n) }

// okAfter answers the first k requests with 401 and then streams "ok".
func okAfter(k int) func(int, http.ResponseWriter, *http.Request) {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		if n < k {
			write401(w, r, n)
			return
		}
		writeSSE(w, n, "ok")
	}
}

func TestRecoveryAPIKeyNotRun(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, always401)
	c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))

	_, err := prompt(c)
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	assert.Equal(t, 401, cerr.Status)
	assert.Equal(t, OutcomeNotRun, cerr.Recovery.Outcome)
	assert.Equal(t, ReasonNotChatGPTAuth, cerr.Recovery.Reason)
	assert.Equal(t, "POST /responses: http 401 (request_id=req-401-0 cf_ray=ray-401-0 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_not_run at managed/reload (not_chatgpt_auth)", err.Error())
	assert.Len(t, api.requests(), 1, "an API key 401 is neither retried nor recovered")
	assert.Equal(t, []string{OpAPIRequest, OpAuthRecovery}, h.spanNames())
	assert.Equal(t, []string{"managed/reload/recovery_not_run/not_chatgpt_auth"}, h.recoveries())
	assert.Equal(t, []string{"Bearer " + testAPIKey}, api.requests())
}

func TestRecoveryManaged(t *testing.T) {
	tests := []struct {
		name       string
		script     func(int, http.ResponseWriter, *http.Request)
		token      func(int, http.ResponseWriter, *http.Request)
		beforeSend func(t *testing.T, path string) // changes the file before the first send
		wantSends  []string
		wantRecov  []string
		wantSpans  []string
		wantErr    string // "" means success
	}{
		{
			name:      "reload unchanged then success",
			script:    okAfter(1),
			wantSends: []string{testAccessToken, testAccessToken},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest},
		},
		{
			name:   "reload picks up credentials changed on disk",
			script: okAfter(1),
			beforeSend: func(t *testing.T, path string) {
				writeAuthFile(t, dirOf(path), testAccessToken2, testRefreshToken, testAccountID)
			},
			wantSends: []string{testAccessToken, testAccessToken2},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=true"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest},
		},
		{
			name:      "reload then refresh_token then success",
			script:    okAfter(2),
			token:     func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) },
			wantSends: []string{testAccessToken, testAccessToken, testAccessToken2},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_succeeded/changed=true"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery, OpAPIRequest},
		},
		{
			name:      "exhausted after two steps and three sends",
			script:    always401,
			token:     func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) },
			wantSends: []string{testAccessToken, testAccessToken, testAccessToken2},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_succeeded/changed=true", "managed/done/recovery_not_run/recovery_exhausted"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery},
			wantErr:   "POST /responses: http 401 (request_id=req-401-2 cf_ray=ray-401-2 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_not_run at managed/done (recovery_exhausted)",
		},
		{
			name:   "refresh fails permanently",
			script: always401,
			token: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_grant","error_description":"`+bodyMarker+`"}`)
			},
			wantSends: []string{testAccessToken, testAccessToken},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_failed_permanent"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery},
			wantErr:   "POST /responses: http 401 (request_id=req-401-1 cf_ray=ray-401-1 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_failed_permanent at managed/refresh_token: token refresh failed (permanent): http 400 invalid_grant",
		},
		{
			name:   "refresh token reused is permanent",
			script: always401,
			token: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":{"code":"refresh_token_reused","message":"`+bodyMarker+`"}}`)
			},
			wantSends: []string{testAccessToken, testAccessToken},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_failed_permanent"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery},
			wantErr:   "POST /responses: http 401 (request_id=req-401-1 cf_ray=ray-401-1 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_failed_permanent at managed/refresh_token: token refresh failed (permanent): http 401 refresh_token_reused",
		},
		{
			name:   "refresh fails transiently",
			script: always401,
			token: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			wantSends: []string{testAccessToken, testAccessToken},
			wantRecov: []string{"managed/reload/recovery_succeeded/changed=false", "managed/refresh_token/recovery_failed_transient"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery, OpAPIRequest, OpAuthRecovery},
			wantErr:   "POST /responses: http 401 (request_id=req-401-1 cf_ray=ray-401-1 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_failed_transient at managed/refresh_token: token refresh failed (transient): http 503",
		},
		{
			name:   "account changed during reload is permanent",
			script: always401,
			beforeSend: func(t *testing.T, path string) {
				writeAuthFile(t, dirOf(path), testAccessToken2, testRefreshToken, "acct-OTHER")
			},
			wantSends: []string{testAccessToken},
			wantRecov: []string{"managed/reload/recovery_failed_permanent"},
			wantSpans: []string{OpAPIRequest, OpAuthRecovery},
			wantErr:   "POST /responses: http 401 (request_id=req-401-0 cf_ray=ray-401-0 auth_error=invalid_api_key error_code=token_expired); auth recovery recovery_failed_permanent at managed/reload: stored credentials belong to a different account",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			api := newScripted(t, tt.script)
			tokenAnswer := tt.token
			if tokenAnswer == nil {
				tokenAnswer = func(int, http.ResponseWriter, *http.Request) { t.Error("unexpected refresh") }
			}
			var grants []map[string]string
			tok := tokenServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				var g map[string]string
				assert.NoError(t, json.NewDecoder(r.Body).Decode(&g))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				grants = append(grants, g)
				tokenAnswer(n, w, r)
			})
			path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
			auth, err := LoadAuthFile(path, WithTokenURL(tok.URL+"/oauth/token"))
			require.NoError(t, err)
			if tt.beforeSend != nil {
				tt.beforeSend(t, path)
			}
			c := h.newClient(t, api.base(), WithAuth(auth))

			resp, err := prompt(c)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "ok", resp.Text)
			} else {
				require.EqualError(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), bodyMarker)
			}
			var sent []string
			for _, a := range api.requests() {
				sent = append(sent, a[len("Bearer "):])
			}
			assert.Equal(t, tt.wantSends, sent)
			assert.Equal(t, tt.wantRecov, h.recoveries())
			assert.Equal(t, tt.wantSpans, h.spanNames())
			for _, g := range grants {
				assert.Equal(t, map[string]string{"client_id": DefaultClientID, "grant_type": "refresh_token", "refresh_token": testRefreshToken}, g)
			}
			for _, acct := range api.account {
				assert.NotEmpty(t, acct, "ChatGPT auth sends ChatGPT-Account-ID")
			}
		})
	}
}

func dirOf(path string) string { return path[:len(path)-len("/auth.json")] }

func TestRecoveryRetryCarriesStep(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, okAfter(2))
	tok := tokenServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tokenOK(w) })
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	auth, err := LoadAuthFile(path, WithTokenURL(tok.URL))
	require.NoError(t, err)
	c := h.newClient(t, api.base(), WithAuth(auth))

	resp, err := prompt(c)
	require.NoError(t, err)
	reqs := h.spanAttrs(OpAPIRequest)
	require.Len(t, reqs, 3)
	assert.Equal(t, false, reqs[0]["auth.retry_after_unauthorized"])
	assert.NotContains(t, reqs[0], "auth.recovery_mode")
	for i, phase := range []RecoveryStep{StepReload, StepRefreshToken} {
		a := reqs[i+1]
		assert.Equal(t, true, a["auth.retry_after_unauthorized"])
		assert.Equal(t, string(RecoveryModeManaged), a["auth.recovery_mode"])
		assert.Equal(t, string(phase), a["auth.recovery_phase"])
		assert.Equal(t, int64(0), a["attempt"], "401 is not a transport retry")
	}
	assert.Equal(t, CallReport{
		Endpoint: "/responses", Transport: "http", AuthMode: "Chatgpt", RecoveryMode: "managed",
		RecoverySteps: []RecoveryStep{"reload", "refresh_token"}, RecoveryOutcome: OutcomeSucceeded,
		Status: 200, RequestID: "req-ok-2", Operations: resp.Report.Operations,
	}, resp.Report)
	assert.Len(t, resp.Report.Operations, 5)

	// The refresh was written back atomically, 0600, keeping unknown fields.
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	var doc map[string]any
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	tokens := doc["tokens"].(map[string]any)
	assert.Equal(t, testAccessToken2, tokens["access_token"])
	assert.Equal(t, testRefresh2, tokens["refresh_token"])
	assert.Equal(t, testAccountID, tokens["account_id"])
	assert.Equal(t, map[string]any{"kept": true}, doc["extra_field"])
	assert.NotEqual(t, "2026-01-01T00:00:00Z", doc["last_refresh"])
	entries, err := os.ReadDir(dirOf(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestRecoveryExternal(t *testing.T) {
	initial := Credentials{Token: testAccessToken, AccountID: testAccountID}
	t.Run("refresher succeeds", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, okAfter(1))
		calls := 0
		auth := NewExternalAuth(initial, func(_ context.Context, prev Credentials) (Credentials, error) {
			calls++
			assert.Equal(t, testAccessToken, prev.Token)
			return Credentials{Token: testAccessToken2, AccountID: testAccountID}, nil
		})
		c := h.newClient(t, api.base(), WithAuth(auth))
		_, err := prompt(c)
		require.NoError(t, err)
		assert.Equal(t, 1, calls)
		assert.Equal(t, []string{"external/external_refresh/recovery_succeeded/changed=true"}, h.recoveries())
		reqs := h.spanAttrs(OpAPIRequest)
		require.Len(t, reqs, 2)
		assert.Equal(t, string(RecoveryModeExternal), reqs[1]["auth.recovery_mode"])
		assert.Equal(t, string(StepExternalRefresh), reqs[1]["auth.recovery_phase"])
		assert.Equal(t, []string{"Bearer " + testAccessToken, "Bearer " + testAccessToken2}, api.requests())
	})
	t.Run("one step only", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, always401)
		auth := NewExternalAuth(initial, func(context.Context, Credentials) (Credentials, error) {
			return Credentials{Token: testAccessToken2}, nil
		})
		c := h.newClient(t, api.base(), WithAuth(auth))
		_, err := prompt(c)
		require.Error(t, err)
		assert.Len(t, api.requests(), 2)
		assert.Equal(t, []string{"external/external_refresh/recovery_succeeded/changed=true", "external/done/recovery_not_run/recovery_exhausted"}, h.recoveries())
	})
	t.Run("no refresher", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, always401)
		c := h.newClient(t, api.base(), WithAuth(NewExternalAuth(initial, nil)))
		_, err := prompt(c)
		require.Error(t, err)
		assert.Equal(t, []string{"external/external_refresh/recovery_not_run/no_external_refresher"}, h.recoveries())
	})
	for name, tc := range map[string]struct {
		err  error
		want RecoveryOutcome
	}{
		"permanent": {&RefreshError{Permanent: true, Code: "revoked"}, OutcomeFailedPermanent},
		"transient": {errors.New("broker unavailable"), OutcomeFailedTransient},
	} {
		t.Run("refresher fails "+name, func(t *testing.T) {
			h := newHarness(t)
			api := newScripted(t, always401)
			auth := NewExternalAuth(initial, func(context.Context, Credentials) (Credentials, error) { return Credentials{}, tc.err })
			c := h.newClient(t, api.base(), WithAuth(auth))
			_, err := prompt(c)
			require.ErrorIs(t, err, tc.err)
			assert.Equal(t, []string{"external/external_refresh/" + string(tc.want)}, h.recoveries())
		})
	}
}

func TestTransportRetries(t *testing.T) {
	t.Run("5xx then success counts attempts from 0", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n < 2 {
				w.Header().Set("x-request-id", fmt.Sprintf("req-5xx-%d", n))
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			writeSSE(w, n, "ok")
		})
		var backoffs []int
		c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)),
			WithBackoff(func(a int) time.Duration { backoffs = append(backoffs, a); return 0 }))
		_, err := prompt(c)
		require.NoError(t, err)
		var got []string
		for _, a := range h.spanAttrs(OpAPIRequest) {
			got = append(got, fmt.Sprintf("%v:%v:%v", a["attempt"], a["http.response.status_code"], a["error.message"]))
		}
		assert.Equal(t, []string{"0:502:http 502", "1:502:http 502", "2:200:<nil>"}, got)
		assert.Equal(t, []int{0, 1}, backoffs)
		assert.Empty(t, h.spanAttrs(OpAuthRecovery))
	})
	t.Run("retries run out", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
		c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)), WithMaxRetries(1))
		_, err := prompt(c)
		require.EqualError(t, err, "POST /responses: http 500")
		assert.Len(t, api.requests(), 2)
	})
	t.Run("4xx other than 401 is final", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, bodyMarker)
		})
		c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
		_, err := prompt(c)
		require.EqualError(t, err, "POST /responses: http 400")
		assert.Len(t, api.requests(), 1)
	})
	t.Run("network error then success", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				conn, _, err := w.(http.Hijacker).Hijack()
				require.NoError(t, err)
				conn.Close()
				return
			}
			writeSSE(w, n, "ok")
		})
		c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
		_, err := prompt(c)
		require.NoError(t, err)
		reqs := h.spanAttrs(OpAPIRequest)
		require.Len(t, reqs, 2)
		assert.Equal(t, "network error", reqs[0]["error.message"])
		assert.NotContains(t, reqs[0], "http.response.status_code", "absent on network errors")
		assert.Equal(t, int64(1), reqs[1]["attempt"])
	})
	t.Run("context cancellation stops retrying", func(t *testing.T) {
		h := newHarness(t)
		api := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)), WithBackoff(func(int) time.Duration { return time.Hour }))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.CreateResponse(ctx, &ResponseRequest{Input: "hi"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Len(t, api.requests(), 1)
	})
}

func TestCompactAndModels(t *testing.T) {
	h := newHarness(t)
	var paths []string
	api := newScripted(t, func(n int, w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		switch r.URL.Path {
		case "/v1/responses/compact":
			body, _ := io.ReadAll(r.Body)
			assert.JSONEq(t, `{"model":"gpt-5.1","input":"long history"}`, string(body))
			fmt.Fprint(w, `{"output":[{"type":"compaction","encrypted_content":"x"}]}`)
		case "/v1/models":
			if n == 1 {
				write401(w, r, n)
				return
			}
			fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-5.1"},{"id":"gpt-5.1-mini"}]}`)
		}
	})
	c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
	out, err := c.Compact(context.Background(), &CompactRequest{Input: "long history"})
	require.NoError(t, err)
	assert.Len(t, out.Output, 1)

	_, err = c.ListModels(context.Background())
	require.Error(t, err, "an API-key 401 on /models is not recovered")
	models, err := c.ListModels(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []Model{{ID: "gpt-5.1"}, {ID: "gpt-5.1-mini"}}, models)
	assert.Equal(t, []string{"POST /v1/responses/compact", "GET /v1/models", "GET /v1/models"}, paths)

	reqs := h.spanAttrs(OpAPIRequest)
	require.Len(t, reqs, 3)
	assert.Equal(t, "/responses/compact", reqs[0]["endpoint"])
	assert.NotContains(t, reqs[0], "success", "success is exported on /models only")
	assert.Equal(t, "/models", reqs[1]["endpoint"])
	assert.Equal(t, false, reqs[1]["success"])
	assert.Equal(t, "managed", reqs[1]["auth.mode"])
	assert.Equal(t, true, reqs[2]["success"])
}

func TestStreamFailureOnHTTP(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("x-request-id", "req-stream")
		fmt.Fprint(w, "event: response.created\ndata: {\"type\":\"response.created\"}\n\n")
	})
	c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
	_, err := prompt(c)
	require.ErrorIs(t, err, ErrStreamIncomplete)
	assert.EqualError(t, err, "POST /responses (request_id=req-stream): response stream ended before a terminal event")
	reqs := h.spanAttrs(OpAPIRequest)
	require.Len(t, reqs, 1)
	assert.Equal(t, int64(200), reqs[0]["http.response.status_code"])
	assert.Equal(t, "stream ended early", reqs[0]["error.message"])
	assert.Len(t, api.requests(), 1, "a broken stream is not re-sent")
}
