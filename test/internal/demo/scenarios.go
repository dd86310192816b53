package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Scenario is one client run against one mock scenario.
type Scenario struct {
	Name      string
	Transport string // http or websocket
	APIKey    bool   // API-key auth instead of the ChatGPT-style auth file
	// expectations: whether the call succeeds and the recovery outcome it reports
	WantOK      bool
	WantOutcome string
	// WantFallback: the call ends on HTTP after starting on WebSocket.
	WantFallback bool
}

// Scenarios is every mock scenario over both transports.
func Scenarios() []Scenario {
	base := []Scenario{
		{Name: "success", WantOK: true},
		{Name: "401_then_refresh", WantOK: true, WantOutcome: "recovery_succeeded"},
		{Name: "expired_token", WantOK: true, WantOutcome: "recovery_succeeded"},
		{Name: "refresh_permanent", WantOutcome: "recovery_failed_permanent"},
		{Name: "refresh_transient", WantOutcome: "recovery_failed_transient"},
		{Name: "account_changed", WantOutcome: "recovery_failed_permanent"},
		{Name: "api_key_401", APIKey: true, WantOutcome: "recovery_not_run"},
		{Name: "ws_401", WantOK: true, WantOutcome: "recovery_succeeded"},
		{Name: "ws_426", WantOK: true},
		{Name: "5xx_then_success", WantOK: true},
	}
	var out []Scenario
	for _, tr := range []string{"http", "websocket"} {
		for _, s := range base {
			s.Transport = tr
			out = append(out, s)
		}
	}
	// The in-stream 401 exists on WebSocket only. With an API key the client sends the
	// frame twice (a fresh connection the second time) and falls back to HTTP, with no
	// recovery; with ChatGPT auth it runs reload, then refresh_token, before each fresh
	// connection.
	return append(out,
		Scenario{Name: "ws_in_stream_401", Transport: "websocket", APIKey: true, WantOK: true, WantFallback: true},
		Scenario{Name: "ws_in_stream_401", Transport: "websocket", WantOK: true, WantOutcome: "recovery_succeeded"})
}

// Operation is one operation of a client call, as the CLI's JSON summary reports it.
type Operation struct {
	Name    string `json:"name"`
	Status  int    `json:"status"`
	Success bool   `json:"success"`
	Step    string `json:"step"`
	Outcome string `json:"outcome"`
}

// Summary is the CLI's --json-summary line.
type Summary struct {
	OK              bool        `json:"ok"`
	Error           string      `json:"error"`
	Transport       string      `json:"transport"`
	FellBackToHTTP  bool        `json:"fell_back_to_http"`
	RecoveryMode    string      `json:"recovery_mode"`
	RecoverySteps   []string    `json:"recovery_steps"`
	RecoveryOutcome string      `json:"recovery_outcome"`
	RecoveryReason  string      `json:"recovery_reason"`
	Status          int         `json:"status"`
	Operations      []Operation `json:"operations"`
}

// Run is the result of one scenario.
type Run struct {
	Scenario Scenario
	Summary  Summary
	ExitCode int
	// Requests is what the mock API received during the run.
	Requests []MockRequest
}

// AsExpected reports whether the call ended as the scenario says it should.
func (r Run) AsExpected() bool {
	return r.Summary.OK == r.Scenario.WantOK && r.Summary.RecoveryOutcome == r.Scenario.WantOutcome &&
		(r.ExitCode == 0) == r.Scenario.WantOK && (!r.Scenario.WantFallback || r.Summary.FellBackToHTTP)
}

// runClient runs the client CLI once for sc against the mock, exporting to the collector,
// and reads its JSON summary and what the mock received.
func runClient(ctx context.Context, opts Options, sc Scenario, addrs endpoints, accountFile string, sec *secrets) (Run, error) {
	mockAddr := addrs.mock
	resp, err := http.Post("http://"+mockAddr+"/_admin/reset", "application/json", nil)
	if err != nil {
		return Run{}, fmt.Errorf("resetting the mock: %w", err)
	}
	resp.Body.Close()

	base := "http://" + mockAddr + "/" + sc.Name + "/v1"
	args := []string{"--base-url", base, "--transport", sc.Transport, "--json-summary", "--timeout", "30s"}
	env := []string{
		"OTEL_SERVICE_NAME=authobs-client",
		"OTEL_RESOURCE_ATTRIBUTES=host.name=demo-workstation,deployment.environment=demo",
		"OTEL_BSP_SCHEDULE_DELAY=100", "OTEL_BLRP_SCHEDULE_DELAY=100",
	}
	// both OTLP receivers: HTTP runs export over OTLP/HTTP, WebSocket runs over gRPC
	if sc.Transport == "http" {
		env = append(env, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+addrs.http)
	} else {
		env = append(env, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+addrs.grpc)
	}
	if sc.APIKey {
		env = append(env, "OPENAI_API_KEY="+sec.apiKey)
	} else {
		authPath := filepath.Join(opts.Dir, "auth-"+sc.Name+"-"+sc.Transport+".json")
		if sc.Name == "account_changed" {
			authPath = accountFile // the mock rewrites this one on the first 401
		}
		if err := sec.writeAuthFile(authPath); err != nil {
			return Run{}, err
		}
		args = append(args, "--auth-file", authPath, "--token-url", "http://"+mockAddr+"/"+sc.Name+"/oauth/token")
		env = append(env, "OPENAI_API_KEY=")
	}
	args = append(args, "Say hello to the auth observability demo")

	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, opts.Client, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	run := Run{Scenario: sc}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		run.ExitCode = exitErr.ExitCode()
	case err != nil:
		return run, fmt.Errorf("client %s/%s: %w", sc.Name, sc.Transport, err)
	}
	if run.Requests, err = fetchMockRequests(ctx, mockAddr); err != nil {
		return run, err
	}
	line := lastLine(stdout.Bytes())
	if err := json.Unmarshal(line, &run.Summary); err != nil {
		return run, fmt.Errorf("client %s/%s printed no JSON summary (exit %d): %s", sc.Name, sc.Transport, run.ExitCode, strings.TrimSpace(stderr.String()))
	}
	return run, nil
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}
