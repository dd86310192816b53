package mockapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fake credentials shaped like the real ones, so the leak checks mean something.
const (
	testAPIKey    = "sk-proj-Zq3vN8xT2mLw9RfK4pHs7BdYc1GuJ6eAoX5iVnQt0bMzWy2C"
	testOldAccess = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvbGQifQ.c2lnbmF0dXJlLW9sZC10b2tlbi1mb3ItdGVzdHM"
	testRefresh   = "rt_Vb7Qm2Xc9Lp4Zr8Tn3Wd6Hk1Jf5Gs0Ya"
	testAccountID = "6f1d2c3b-4a59-4e87-9c10-a1b2c3d4e5f6"
)

type testEnv struct {
	t   *testing.T
	s   *Server
	ts  *httptest.Server
	ctx context.Context
}

func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	opts.StreamDelay = -1
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return &testEnv{t: t, s: s, ts: ts, ctx: ctx}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (e *testEnv) do(method, path, token string, body any, extra map[string]string) result {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.ts.URL+path, rd)
	require.NoError(e.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := e.ts.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *testEnv) responses(sc, token string) result {
	e.t.Helper()
	return e.do(http.MethodPost, "/"+sc+"/v1/responses", token,
		map[string]any{"model": "gpt-5.1", "input": "say hi", "stream": true},
		map[string]string{"Accept": "text/event-stream", "ChatGPT-Account-ID": testAccountID})
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
}

func (e *testEnv) refresh(sc string) (int, tokenResponse) {
	e.t.Helper()
	res := e.do(http.MethodPost, "/"+sc+"/oauth/token", "", map[string]string{
		"client_id": "app_EMoamEEZ73f0CkXaXp7hrann", "grant_type": "refresh_token", "refresh_token": testRefresh,
	}, nil)
	var tr tokenResponse
	require.NoError(e.t, json.Unmarshal(res.body, &tr), string(res.body))
	return res.status, tr
}

// handshake is the HTTP answer to a WebSocket handshake: status, headers and, on a refusal,
// the body.
type handshake struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// dial performs a WebSocket handshake; on refusal it returns the HTTP answer.
func (e *testEnv) dial(sc, token string) (*websocket.Conn, handshake) {
	e.t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	h.Set("ChatGPT-Account-ID", testAccountID)
	url := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/" + sc + "/v1/responses"
	//nolint:bodyclose // coder/websocket closes the handshake response body itself (its Dial documentation)
	c, resp, err := websocket.Dial(e.ctx, url, &websocket.DialOptions{HTTPHeader: h, HTTPClient: e.ts.Client()})
	if err != nil {
		require.NotNil(e.t, resp, "dial failed without an HTTP answer: %v", err)
		// On a refusal the body is the first KiB coder/websocket kept of it.
		b, rerr := io.ReadAll(resp.Body)
		require.NoError(e.t, rerr)
		return nil, handshake{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}
	}
	e.t.Cleanup(func() { _ = c.CloseNow() })
	return c, handshake{StatusCode: resp.StatusCode, Header: resp.Header}
}

// roundTrip sends one response.create and collects the events up to response.completed.
func (e *testEnv) roundTrip(c *websocket.Conn) []map[string]any {
	e.t.Helper()
	require.NoError(e.t, c.Write(e.ctx, websocket.MessageText, []byte(`{"type":"response.create","model":"gpt-5.1","input":[{"role":"user","content":"hi"}]}`)))
	var events []map[string]any
	for {
		typ, data, err := c.Read(e.ctx)
		require.NoError(e.t, err)
		require.Equal(e.t, websocket.MessageText, typ)
		var ev map[string]any
		require.NoError(e.t, json.Unmarshal(data, &ev))
		events = append(events, ev)
		if ev["type"] == "response.completed" || ev["type"] == "error" {
			return events
		}
	}
}

type sseEvent struct {
	name string
	data string
}

// parseSSE is a minimal spec-following parser: comments skipped, data lines joined by "\n".
func parseSSE(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) > 0 {
				cur.data = strings.Join(data, "\n")
				out = append(out, cur)
			}
			cur, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// assertUnauthorized checks a 401's evidence headers and that the body quotes
// only a masked part of the presented credential.
func assertUnauthorized(t *testing.T, status int, h http.Header, body []byte, authErr, code, presented string) {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, status, string(body))
	assert.Equal(t, authErr, h.Get("x-openai-authorization-error"))
	raw, err := base64.StdEncoding.DecodeString(h.Get("x-error-json"))
	require.NoError(t, err)
	var ej struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &ej))
	assert.Equal(t, code, ej.Error.Code)
	assert.NotEmpty(t, ej.Error.Message)
	assertEvidence(t, h)
	var b struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &b), string(body))
	assert.Equal(t, "invalid_request_error", b.Error.Type)
	if presented != "" {
		assert.Contains(t, b.Error.Message, maskCredential(presented))
		assert.Contains(t, b.Error.Message, presented[len(presented)-4:], "the body echoes the key's tail like real servers")
		assert.NotContains(t, string(body), presented)
	}
}

func assertEvidence(t *testing.T, h http.Header) {
	t.Helper()
	assert.Regexp(t, `^req_[0-9a-f]{32}$`, h.Get("x-request-id"))
	assert.Regexp(t, `^[0-9a-f]{16}-SJC$`, h.Get("cf-ray"))
}
