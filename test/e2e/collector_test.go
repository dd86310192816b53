package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/proc"
)

// Bounds for everything that waits on the collector process.
const (
	buildTimeout    = 8 * time.Minute // a cold ocb build is ~90 s on 2 cores
	commandTimeout  = 30 * time.Second
	startTimeout    = 20 * time.Second
	stopTimeout     = 15 * time.Second
	startAttempts   = 3 // a free port can be taken between probing and binding it
	readyLogMessage = "Everything is ready"
)

// repoRoot is the repository root: this package lives in test/e2e.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "builder-config.yaml")); err != nil {
		tb.Fatalf("repository root not found from %s: %v", root, err)
	}
	return root
}

var (
	collectorOnce sync.Once
	collectorPath string
	collectorErr  error
)

// collectorBinary returns the otelcol-authobs binary: $AUTHOBS_COLLECTOR when set, else
// _build/otelcol-authobs after `make collector` (a no-op when the binary is up to date). The
// build runs once per test process.
func collectorBinary(tb testing.TB) string {
	tb.Helper()
	collectorOnce.Do(func() { collectorPath, collectorErr = findOrBuildCollector(repoRoot(tb)) })
	if collectorErr != nil {
		tb.Fatal(collectorErr)
	}
	return collectorPath
}

func findOrBuildCollector(root string) (string, error) {
	if p := os.Getenv("AUTHOBS_COLLECTOR"); p != "" {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("AUTHOBS_COLLECTOR=%s is not an executable file (%w)", p, err)
		}
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "collector")
	cmd.Dir = root
	var out bytes.Buffer
	if testing.Verbose() {
		// Stream the progress lines of a cold build; a file, so Wait copies nothing.
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	} else {
		cmd.Stdout, cmd.Stderr = &out, &out
	}
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make collector: %w\n%s", err, out.String())
	}
	return filepath.Join(root, "_build", "otelcol-authobs"), nil
}

// runCollectorCommand runs the binary with args to completion and returns its combined output.
func runCollectorCommand(tb testing.TB, env map[string]string, args ...string) (string, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, collectorBinary(tb), args...)
	cmd.Env = collectorEnv(env)
	cmd.Dir = tb.TempDir() // a relative path in a config must not land in the repository
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// collectorEnv is the process environment without any AUTHOBS_* variable of the caller's
// shell, plus env: a test sees only the settings it chose.
func collectorEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTHOBS_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// Endpoints are the addresses of a collector started by startCollector.
type Endpoints struct {
	GRPC    string // OTLP/gRPC host:port
	HTTP    string // OTLP/HTTP host:port (POST /v1/traces, /v1/logs, /v1/metrics)
	Metrics string // the collector's own Prometheus metrics, host:port (GET /metrics)
	Dir     string // AUTHOBS_DEMO_DIR: where config/demo.yaml's file exporters write
}

// TraceSafeFile and LogOnlyFile are the outputs of config/demo.yaml in ep.Dir.
func (ep Endpoints) TraceSafeFile() string { return filepath.Join(ep.Dir, "trace_safe.jsonl") }
func (ep Endpoints) LogOnlyFile() string   { return filepath.Join(ep.Dir, "log_only.jsonl") }

// Collector is a running otelcol-authobs process: Stop, Kill, Logs, ErrorLogLines, Pid.
type Collector = proc.Process

// startCollector starts the binary with configPath and returns once the collector logs that it
// is ready. The addresses come from environment variables, the ones config/demo.yaml reads:
// AUTHOBS_OTLP_GRPC, AUTHOBS_OTLP_HTTP, AUTHOBS_METRICS_PORT (free 127.0.0.1 ports) and
// AUTHOBS_DEMO_DIR (a fresh temporary directory); logs are JSON (AUTHOBS_LOG_ENCODING). env
// adds variables or overrides these. The process is stopped at test cleanup.
func startCollector(tb testing.TB, configPath string, env map[string]string) (*Collector, Endpoints) {
	tb.Helper()
	return startBinary(tb, collectorBinary(tb), configPath, env)
}

// startBinary is startCollector for another collector binary (an operator's own build).
func startBinary(tb testing.TB, bin, configPath string, env map[string]string) (*Collector, Endpoints) {
	tb.Helper()
	dir := tb.TempDir()
	var lastLogs string
	for attempt := 1; attempt <= startAttempts; attempt++ {
		ports := freePorts(tb, 3)
		full := map[string]string{
			"AUTHOBS_OTLP_GRPC":    proc.Loopback(ports[0]),
			"AUTHOBS_OTLP_HTTP":    proc.Loopback(ports[1]),
			"AUTHOBS_METRICS_PORT": strconv.Itoa(ports[2]),
			"AUTHOBS_DEMO_DIR":     dir,
			"AUTHOBS_LOG_ENCODING": "json",
			"AUTHOBS_LOG_LEVEL":    "info",
		}
		for k, v := range env {
			full[k] = v
		}
		ep := Endpoints{
			GRPC:    full["AUTHOBS_OTLP_GRPC"],
			HTTP:    full["AUTHOBS_OTLP_HTTP"],
			Metrics: "127.0.0.1:" + full["AUTHOBS_METRICS_PORT"],
			Dir:     full["AUTHOBS_DEMO_DIR"],
		}

		c, err := proc.Start(context.Background(), proc.Spec{
			Path: bin, Args: []string{"--config", configPath}, Env: collectorEnv(full), Dir: dir, Grace: stopTimeout,
		})
		if err != nil {
			tb.Fatal(err)
		}
		err = c.WaitLog(context.Background(), readyLogMessage, startTimeout)
		if err == nil {
			tb.Cleanup(func() {
				if err := c.Stop(); err != nil {
					tb.Errorf("collector did not stop cleanly: %v\n%s", err, c.Logs())
				}
			})
			return c, ep
		}
		_ = c.Stop() // already failed; only make sure it is gone
		if !strings.Contains(c.Logs(), "address already in use") {
			tb.Fatalf("collector with %s: %v\n%s", configPath, err, c.Logs())
		}
		lastLogs = c.Logs()
	}
	tb.Fatalf("collector with %s: address in use on all %d attempts\n%s", configPath, startAttempts, lastLogs)
	return nil, Endpoints{}
}

// freePorts returns n distinct ports that were free on 127.0.0.1 a moment ago.
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	ports, err := proc.FreePorts(n)
	if err != nil {
		tb.Fatal(err)
	}
	return ports
}
