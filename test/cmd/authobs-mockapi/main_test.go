package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/authobs/authobsprocessor/test/internal/mockapi"
	"github.com/authobs/authobsprocessor/test/internal/proc"
)

// runAsMain makes the test binary act as the real command, so the signal
// handling in main is tested in a child process.
const runAsMain = "AUTHOBS_MOCKAPI_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsMain) == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", path)
	return ""
}

// answer is what a test reads of a response: the body is drained and closed by get.
type answer struct {
	StatusCode int
	Header     http.Header
}

func get(t *testing.T, client *http.Client, url, token string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, resp.Body.Close()) }()
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	return answer{StatusCode: resp.StatusCode, Header: resp.Header}
}

func TestRunServesAndShutsDown(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--ready-file", ready}, &stdout, &stderr) }()

	addr := waitForFile(t, ready)
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, addr)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp := get(t, client, "http://"+addr+"/success/v1/models", "sk-proj-test")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("x-request-id"))

	// An open WebSocket must not keep the command from exiting.
	h := http.Header{"Authorization": {"Bearer sk-proj-test"}}
	//nolint:bodyclose // coder/websocket closes the handshake response body itself (its Dial documentation)
	c, _, err := websocket.Dial(context.Background(), "ws://"+addr+"/success/v1/responses", &websocket.DialOptions{HTTPHeader: h, HTTPClient: client})
	require.NoError(t, err)
	defer func() { _ = c.CloseNow() }() // the server is gone by then; the read below shows the connection ended

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	_, _, err = c.Read(context.Background())
	assert.Error(t, err)
	assert.NoFileExists(t, ready, "the ready file goes away with the server")
	assert.Equal(t, "authobs-mockapi listening on http://"+addr+"\n", stdout.String())
	assert.Empty(t, stderr.String())
}

func TestHelpDocumentsEveryScenarioAndFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--help"}, &stdout, &stderr)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, sc := range mockapi.Scenarios() {
		assert.Contains(t, stderr.String(), "  "+sc.Name+" ")
	}
	for _, f := range []string{"-listen", "-ready-file", "-account-change-file", "-verbose"} {
		assert.Contains(t, stderr.String(), f)
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"--no-such-flag"}} {
		var stdout, stderr bytes.Buffer
		assert.ErrorIs(t, run(context.Background(), args, &stdout, &stderr), errUsage)
	}
	var stdout, stderr bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"--listen", "127.0.0.1:notaport"}, &stdout, &stderr))
}

// TestSignalAndAccountChangeFile runs the real command: it rewrites the
// account file on account_changed's first 401 and exits 0 on SIGTERM.
func TestSignalAndAccountChangeFile(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "addr")
	authFile := filepath.Join(dir, "auth.json")
	require.NoError(t, os.WriteFile(authFile, []byte(`{"OPENAI_API_KEY":null,"tokens":{"id_token":"x","access_token":"y","refresh_token":"z","account_id":"acct-original"},"last_refresh":"2026-11-01T00:00:00Z"}`), 0o600))

	cmd, err := proc.Start(context.Background(), proc.Spec{
		Path: os.Args[0], Args: []string{"--listen", "127.0.0.1:0", "--ready-file", ready, "--account-change-file", authFile},
		Env: append(os.Environ(), runAsMain+"=1"), Grace: 10 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(cmd.Kill) // a no-op once stopped below

	addr, err := cmd.WaitFile(context.Background(), ready, 10*time.Second)
	require.NoError(t, err, "output: %s", cmd.Logs())
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp := get(t, client, "http://"+addr+"/account_changed/v1/models", "eyJold")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	var doc struct {
		Tokens struct {
			AccountID string `json:"account_id"`
		} `json:"tokens"`
	}
	b, err := os.ReadFile(authFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.NotEqual(t, "acct-original", doc.Tokens.AccountID)
	assert.NotEmpty(t, doc.Tokens.AccountID)

	require.NoError(t, cmd.Stop(), "exit after SIGTERM; output: %s", cmd.Logs())
	assert.NoFileExists(t, ready)
	assert.Contains(t, cmd.Logs(), "listening on http://"+addr)
}
