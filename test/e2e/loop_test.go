package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/authobs/authobsprocessor/test/internal/demo"
)

// TestClientLoop is the whole loop: the reference client (the real CLI) against the mock
// API in every scenario over HTTP and WebSocket, exporting over OTLP/HTTP and gRPC to the
// built collector, whose gateway fan-out writes each route to a file; plus the telemetry
// of a client that leaks. It checks what arrives on each route.
func TestClientLoop(t *testing.T) {
	root := repoRoot(t)
	bin := t.TempDir()
	// The mock API lives in the test module, the CLI in the client module: build each in its own.
	for _, b := range []struct{ dir, pkg string }{
		{filepath.Join(root, "test"), "./cmd/authobs-mockapi"},
		{filepath.Join(root, "client"), "./cmd/authobs-client"},
	} {
		build := exec.Command("go", "build", "-o", bin+"/", b.pkg)
		build.Dir = b.dir
		var out bytes.Buffer
		build.Stdout, build.Stderr = &out, &out
		require.NoError(t, build.Run(), out.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	report, err := demo.RunDemo(ctx, demo.Options{
		Collector: collectorBinary(t),
		MockAPI:   filepath.Join(bin, "authobs-mockapi"),
		Client:    filepath.Join(bin, "authobs-client"),
		Config:    filepath.Join(root, "config", "demo.yaml"),
		Dir:       dir,
	})
	require.NoError(t, err)

	// The server's own words (its 401 bodies and in-stream 401 frames end with this sentence
	// and quote the masked credential) reach no route: the client exports neither bodies nor
	// frame text. The leaky client's error text is not the server's and says neither.
	for _, route := range []string{"trace_safe.jsonl", "log_only.jsonl"} {
		raw, err := os.ReadFile(filepath.Join(dir, route))
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "You can find your API key at", route)
		assert.NotContains(t, string(raw), "sk-proj-****", route)
	}

	for _, run := range report.Runs {
		assert.True(t, run.AsExpected(), "%s over %s: ok=%v outcome=%q exit=%d", run.Scenario.Name, run.Scenario.Transport,
			run.Summary.OK, run.Summary.RecoveryOutcome, run.ExitCode)
	}
	assertInStream401(t, report.Runs)
	// The server side joins the client's trace: each request, handshake and frame carries
	// the context of its own exported span (through the real collector, on trace_safe).
	assert.Empty(t, report.TraceContext.Failures)
	assert.Equal(t, report.TraceContext.Requests, report.TraceContext.Joined)
	assert.Greater(t, report.TraceContext.Requests, 40)
	t.Logf("trace context: %d of %d requests joined their span", report.TraceContext.Joined, report.TraceContext.Requests)
	assert.Empty(t, report.Leaks, "no secret reaches either route")
	assert.GreaterOrEqual(t, report.Secrets, 20)

	require.Len(t, report.Routes, 2)
	safe, trusted := report.Routes[0], report.Routes[1]
	require.Equal(t, "trace_safe", safe.Route)
	// every auth operation span reached both routes
	assert.Equal(t, trusted.Spans, safe.Spans)
	for _, op := range []string{"api_request", "websocket_connect", "websocket_request", "auth_recovery"} {
		assert.Positive(t, safe.Spans[op], op)
		assert.Positive(t, trusted.LogRecords[op], op)
	}
	assert.Zero(t, safe.Identity, "no identity on trace_safe")
	assert.Zero(t, safe.Hosts, "no host.name on trace_safe")
	assert.Positive(t, trusted.Identity, "log_only keeps identity")
	assert.Positive(t, trusted.Hosts, "log_only keeps host.name")
	assert.Positive(t, safe.RequestIDs, "evidence survives trace_safe")
	for _, k := range []string{"auth.request_id", "auth.cf_ray", "auth.error", "auth.error_code", "auth.header_attached", "auth.outcome", "auth.step"} {
		assert.Contains(t, safe.AuthKeys, k)
	}
	for _, k := range []string{"user.email", "user.account_id", "debug.request_body"} {
		assert.NotContains(t, safe.AuthKeys, k)
	}
	assert.Positive(t, safe.Redacted)
	assert.Positive(t, report.Counters["authobs/trace_safe"]["attributes_dropped{reason=personal_data}"])
}

// assertInStream401 checks the two in-stream 401 runs operation by operation: the frames
// fail with 401 (success=false) on fresh connections; an API key falls back to HTTP with no
// recovery, ChatGPT auth recovers with reload then refresh_token.
func assertInStream401(t *testing.T, runs []demo.Run) {
	t.Helper()
	type op struct {
		Name    string
		Status  int
		Success bool
		Step    string
	}
	got := map[bool][]op{}
	for _, r := range runs {
		if r.Scenario.Name != "ws_in_stream_401" {
			continue
		}
		for _, o := range r.Summary.Operations {
			got[r.Scenario.APIKey] = append(got[r.Scenario.APIKey], op{o.Name, o.Status, o.Success, o.Step})
		}
	}
	assert.Equal(t, []op{
		{"websocket_connect", 101, true, ""}, {"websocket_request", 401, false, ""},
		{"websocket_connect", 101, true, ""}, {"websocket_request", 401, false, ""},
		{"api_request", 200, true, ""},
	}, got[true], "API key")
	assert.Equal(t, []op{
		{"websocket_connect", 101, true, ""}, {"websocket_request", 401, false, ""},
		{"auth_recovery", 0, true, "reload"},
		{"websocket_connect", 101, true, ""}, {"websocket_request", 401, false, ""},
		{"auth_recovery", 0, true, "refresh_token"},
		{"websocket_connect", 101, true, ""}, {"websocket_request", 0, true, ""},
	}, got[false], "ChatGPT auth")
}
