// Package demo runs the whole authobs loop on one machine: the otelcol-authobs collector
// with the gateway fan-out of config/demo.yaml, the mock Responses API, and the reference
// client CLI through every mock scenario over HTTP and WebSocket; then it reads what each
// route's file received and searches both for every secret the run used.
//
// It drives the real binaries as separate processes, on 127.0.0.1 only, and stops
// everything it started.
package demo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options name the binaries and where the run writes.
type Options struct {
	Collector string // otelcol-authobs
	MockAPI   string // authobs-mockapi
	Client    string // authobs-client
	Config    string // config/demo.yaml
	Dir       string // work and output directory (e.g. _demo)
	Progress  io.Writer
}

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

// Report is everything the demo found.
type Report struct {
	Runs    []Run
	Routes  []*RouteStats
	Secrets int
	Leaks   []Leak
	// TraceContext says whether each request the mock received joins its operation's span.
	TraceContext TraceJoin
	// Counters are the authobs counters the collector exported, by processor and metric.
	Counters map[string]map[string]float64
}

// Leak is a secret found in a route's output.
type Leak struct {
	Route, What string
}

// RunDemo executes the demo.
func RunDemo(ctx context.Context, opts Options) (*Report, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	progress := func(format string, args ...any) { fmt.Fprintf(opts.Progress, "==> "+format+"\n", args...) }
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range []string{"trace_safe.jsonl", "log_only.jsonl", "mock.addr"} {
		_ = os.Remove(filepath.Join(opts.Dir, f))
	}
	grpcAddr, httpAddr, metricsAddr, err := freeAddrs()
	if err != nil {
		return nil, err
	}
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)

	progress("starting the collector (%s) on %s (gRPC) and %s (HTTP)", filepath.Base(opts.Collector), grpcAddr, httpAddr)
	col, err := startProcess(ctx, filepath.Join(opts.Dir, "collector.log"), opts.Collector, []string{"--config", opts.Config},
		"AUTHOBS_OTLP_GRPC="+grpcAddr, "AUTHOBS_OTLP_HTTP="+httpAddr, "AUTHOBS_METRICS_PORT="+metricsPort,
		"AUTHOBS_DEMO_DIR="+opts.Dir, "AUTHOBS_LOG_LEVEL=warn")
	if err != nil {
		return nil, err
	}
	defer col.stop()
	if err := waitTCP(ctx, col, httpAddr, 30*time.Second); err != nil {
		return nil, fmt.Errorf("collector: %w (see %s)", err, filepath.Join(opts.Dir, "collector.log"))
	}
	if err := waitTCP(ctx, col, grpcAddr, 10*time.Second); err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}

	accountFile := filepath.Join(opts.Dir, "auth-account_changed.json")
	readyFile := filepath.Join(opts.Dir, "mock.addr")
	progress("starting the mock API")
	mock, err := startProcess(ctx, filepath.Join(opts.Dir, "mockapi.log"), opts.MockAPI,
		[]string{"--listen", "127.0.0.1:0", "--ready-file", readyFile, "--account-change-file", accountFile})
	if err != nil {
		return nil, err
	}
	defer mock.stop()
	mockAddr, err := waitFile(ctx, mock, readyFile, 20*time.Second)
	if err != nil {
		return nil, fmt.Errorf("mock API: %w", err)
	}

	secrets := newSecrets()
	report := &Report{}
	for i, sc := range Scenarios() {
		progress("client %2d/%d: %-18s over %-9s", i+1, len(Scenarios()), sc.Name, sc.Transport)
		run, err := runClient(ctx, opts, sc, mockAddr, grpcAddr, httpAddr, accountFile, secrets)
		if err != nil {
			return nil, err
		}
		report.Runs = append(report.Runs, run)
	}
	progress("sending what a leaky client would export (tokens in URLs, headers, error text, bodies)")
	if err := sendLeakyClient(ctx, httpAddr, secrets); err != nil {
		return nil, fmt.Errorf("leaky client: %w", err)
	}
	// tokens the mock issued and the client wrote back are secrets too
	if err := secrets.collectAuthFiles(opts.Dir); err != nil {
		return nil, err
	}

	progress("waiting for the collector to flush both routes")
	waitStable(ctx, []string{filepath.Join(opts.Dir, "trace_safe.jsonl"), filepath.Join(opts.Dir, "log_only.jsonl")})
	report.Counters, err = scrapeCounters(ctx, metricsAddr)
	if err != nil {
		return nil, err
	}
	progress("stopping the mock API and the collector")
	mock.stop()
	if err := col.stop(); err != nil {
		return nil, fmt.Errorf("collector did not stop cleanly: %w", err)
	}

	for _, route := range []string{"trace_safe", "log_only"} {
		path := filepath.Join(opts.Dir, route+".jsonl")
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("route %s produced no output: %w", route, err)
		}
		stats, err := readRoute(route, raw)
		if err != nil {
			return nil, err
		}
		report.Routes = append(report.Routes, stats)
		report.Leaks = append(report.Leaks, secrets.search(route, raw)...)
		if route == "trace_safe" {
			if report.TraceContext, err = joinTraces(raw, report.Runs); err != nil {
				return nil, err
			}
		}
	}
	report.Secrets = len(secrets.values)
	return report, nil
}

func freeAddrs() (string, string, string, error) {
	var addrs []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", "", "", err
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs[0], addrs[1], addrs[2], nil
}

// process is a child process whose output goes to a log file.
type process struct {
	cmd      *exec.Cmd
	log      *os.File
	waitDone chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

func startProcess(ctx context.Context, logPath, bin string, args []string, env ...string) (*process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	p := &process{cmd: cmd, log: logf, waitDone: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.waitDone)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.stop()
		case <-p.waitDone:
		}
	}()
	return p, nil
}

func (p *process) running() bool {
	select {
	case <-p.waitDone:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, waits up to 15 s, then kills the process group. It is idempotent
// and reports how the process ended.
func (p *process) stop() error {
	p.stopOnce.Do(func() {
		if p.running() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.waitDone:
			case <-time.After(15 * time.Second):
				_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.waitDone
				p.stopErr = errors.New("killed after 15 s")
			}
		}
		if p.stopErr == nil {
			p.stopErr = p.waitErr
		}
		p.log.Close()
	})
	return p.stopErr
}

func waitTCP(ctx context.Context, p *process, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !p.running() {
			return errors.New("exited during start-up")
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("not listening on %s after %s", addr, timeout)
}

func waitFile(ctx context.Context, p *process, path string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return strings.TrimSpace(string(b)), nil
		}
		if !p.running() {
			return "", errors.New("exited during start-up")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("no %s after %s", path, timeout)
}

// waitStable waits until the files exist and have not grown for a second (at most 15 s).
func waitStable(ctx context.Context, paths []string) {
	size := func() int64 {
		var n int64
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil {
				n += fi.Size()
			} else {
				return -1
			}
		}
		return n
	}
	deadline := time.Now().Add(15 * time.Second)
	last, since := int64(-2), time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if s := size(); s != last {
			last, since = s, time.Now()
		} else if s >= 0 && time.Since(since) > time.Second {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// secrets are every credential value the demo handed out or saw issued.
type secrets struct {
	apiKey              string
	access, refresh, id string
	values              map[string]string // value → what it is
}

func newSecrets() *secrets {
	s := &secrets{values: map[string]string{}}
	s.apiKey = "sk-proj-" + randomString(48)
	s.access = fakeJWT(map[string]any{"sub": "user-" + randomString(8), "scope": "openid profile email offline_access"})
	s.id = fakeJWT(map[string]any{"email": "dev@example.com", "https://api.openai.com/auth": map[string]any{"chatgpt_account_id": "acct-demo-0001"}})
	s.refresh = "rt_" + randomString(40)
	s.add(s.apiKey, "API key")
	s.add(s.access, "access token")
	s.add(s.id, "id token")
	s.add(s.refresh, "refresh token")
	return s
}

func (s *secrets) add(v, what string) {
	if v != "" {
		s.values[v] = what
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		b[i] = alnum[k.Int64()]
	}
	return string(b)
}

func fakeJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload, _ := json.Marshal(claims)
	return header + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(randomString(64)))
}

type authFile struct {
	OpenAIAPIKey *string `json:"OPENAI_API_KEY"`
	Tokens       struct {
		IDToken      string `json:"id_token"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		AccountID    string `json:"account_id"`
	} `json:"tokens"`
	LastRefresh string `json:"last_refresh"`
}

func (s *secrets) writeAuthFile(path string) error {
	var f authFile
	f.Tokens.IDToken, f.Tokens.AccessToken, f.Tokens.RefreshToken = s.id, s.access, s.refresh
	f.Tokens.AccountID = "acct-demo-0001"
	f.LastRefresh = time.Now().UTC().Format(time.RFC3339)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// collectAuthFiles adds the tokens the client wrote back after refreshes.
func (s *secrets) collectAuthFiles(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "auth-*.json"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var f authFile
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		s.add(f.Tokens.AccessToken, "issued access token")
		s.add(f.Tokens.RefreshToken, "issued refresh token")
		s.add(f.Tokens.IDToken, "issued id token")
	}
	return nil
}

// search looks for each secret, and for its last 12 characters alone so that a partly
// masked copy would show too.
func (s *secrets) search(route string, raw []byte) []Leak {
	var leaks []Leak
	for v, what := range s.values {
		tail := v
		if len(tail) > 12 {
			tail = tail[len(tail)-12:]
		}
		if bytes.Contains(raw, []byte(v)) || bytes.Contains(raw, []byte(tail)) {
			leaks = append(leaks, Leak{Route: route, What: what})
		}
	}
	return leaks
}

func runClient(ctx context.Context, opts Options, sc Scenario, mockAddr, grpcAddr, httpAddr, accountFile string, sec *secrets) (Run, error) {
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
		env = append(env, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+httpAddr)
	} else {
		env = append(env, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+grpcAddr)
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

// scrapeCounters reads the authobs counters from the collector's Prometheus endpoint.
func scrapeCounters(ctx context.Context, addr string) (map[string]map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("collector metrics: %w", err)
	}
	defer resp.Body.Close()
	out := map[string]map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "otelcol_processor_authobs_") {
			continue
		}
		name, labels, value, ok := parsePromLine(line)
		if !ok {
			continue
		}
		proc := labels["processor"]
		series := strings.TrimSuffix(strings.TrimPrefix(name, "otelcol_processor_authobs_"), "_total")
		for _, k := range []string{"operation", "reason", "detector", "kind"} {
			if v := labels[k]; v != "" {
				series += "{" + k + "=" + v + "}"
			}
		}
		if out[proc] == nil {
			out[proc] = map[string]float64{}
		}
		out[proc][series] += value
	}
	return out, sc.Err()
}

func parsePromLine(line string) (string, map[string]string, float64, bool) {
	labels := map[string]string{}
	open := strings.IndexByte(line, '{')
	closeIdx := strings.LastIndexByte(line, '}')
	if open < 0 || closeIdx < open {
		return "", nil, 0, false
	}
	for _, pair := range splitLabels(line[open+1 : closeIdx]) {
		k, v, ok := strings.Cut(pair, "=")
		if ok {
			labels[k] = strings.Trim(v, `"`)
		}
	}
	var value float64
	if _, err := fmt.Sscan(strings.TrimSpace(line[closeIdx+1:]), &value); err != nil {
		return "", nil, 0, false
	}
	return line[:open], labels, value, true
}

func splitLabels(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
