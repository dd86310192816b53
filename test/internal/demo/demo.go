// Package demo runs the whole authobs loop on one machine: the otelcol-authobs collector
// with the gateway fan-out of config/demo.yaml, the mock Responses API, and the reference
// client CLI through every mock scenario over HTTP and WebSocket; then it reads what each
// route's file received and searches both for every secret the run used.
//
// It drives the real binaries as separate processes, on 127.0.0.1 only, and stops
// everything it started.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/proc"
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
	ports, err := proc.FreePorts(3)
	if err != nil {
		return nil, err
	}
	addrs := endpoints{grpc: proc.Loopback(ports[0]), http: proc.Loopback(ports[1]), metrics: proc.Loopback(ports[2])}

	progress("starting the collector (%s) on %s (gRPC) and %s (HTTP)", filepath.Base(opts.Collector), addrs.grpc, addrs.http)
	col, err := startCollector(ctx, opts, addrs, ports[2])
	if err != nil {
		return nil, err
	}
	defer func() { _ = col.Stop() }() // on an early return; the run stops it itself and checks
	accountFile := filepath.Join(opts.Dir, "auth-account_changed.json")
	progress("starting the mock API")
	mock, err := startMock(ctx, opts, accountFile)
	if err != nil {
		return nil, err
	}
	defer func() { _ = mock.Stop() }()
	addrs.mock, err = mock.WaitFile(ctx, filepath.Join(opts.Dir, "mock.addr"), 20*time.Second)
	if err != nil {
		return nil, fmt.Errorf("mock API: %w (see %s)", err, filepath.Join(opts.Dir, "mockapi.log"))
	}

	secrets := newSecrets()
	report := &Report{}
	for i, sc := range Scenarios() {
		progress("client %2d/%d: %-18s over %-9s", i+1, len(Scenarios()), sc.Name, sc.Transport)
		run, err := runClient(ctx, opts, sc, addrs, accountFile, secrets)
		if err != nil {
			return nil, err
		}
		report.Runs = append(report.Runs, run)
	}
	progress("sending what a leaky client would export (tokens in URLs, headers, error text, bodies)")
	if err := sendLeakyClient(ctx, addrs.http, secrets); err != nil {
		return nil, fmt.Errorf("leaky client: %w", err)
	}
	// tokens the mock issued and the client wrote back are secrets too
	if err := secrets.collectAuthFiles(opts.Dir); err != nil {
		return nil, err
	}

	progress("waiting for the collector to flush both routes")
	waitStable(ctx, []string{filepath.Join(opts.Dir, "trace_safe.jsonl"), filepath.Join(opts.Dir, "log_only.jsonl")})
	report.Counters, err = scrapeCounters(ctx, addrs.metrics)
	if err != nil {
		return nil, err
	}
	progress("stopping the mock API and the collector")
	if err := mock.Stop(); err != nil {
		return nil, fmt.Errorf("mock API did not stop cleanly: %w", err)
	}
	if err := col.Stop(); err != nil {
		return nil, fmt.Errorf("collector did not stop cleanly: %w", err)
	}
	if err := report.readRoutes(opts.Dir, secrets); err != nil {
		return nil, err
	}
	return report, nil
}

// endpoints are the loopback addresses of one run (host:port).
type endpoints struct {
	grpc, http, metrics string // the collector's OTLP receivers and its own metrics
	mock                string // the mock API, once it has written its ready file
}

// startCollector starts the collector with the demo config on the run's addresses, its log
// in collector.log, and waits until both OTLP receivers accept connections.
func startCollector(ctx context.Context, opts Options, addrs endpoints, metricsPort int) (*proc.Process, error) {
	logFile := filepath.Join(opts.Dir, "collector.log")
	col, err := proc.Start(ctx, proc.Spec{
		Path: opts.Collector, Args: []string{"--config", opts.Config}, LogFile: logFile,
		Env: append(os.Environ(), "AUTHOBS_OTLP_GRPC="+addrs.grpc, "AUTHOBS_OTLP_HTTP="+addrs.http,
			"AUTHOBS_METRICS_PORT="+strconv.Itoa(metricsPort), "AUTHOBS_DEMO_DIR="+opts.Dir, "AUTHOBS_LOG_LEVEL=warn"),
	})
	if err != nil {
		return nil, err
	}
	if err := col.WaitTCP(ctx, addrs.http, 30*time.Second); err != nil {
		_ = col.Stop()
		return nil, fmt.Errorf("collector: %w (see %s)", err, logFile)
	}
	if err := col.WaitTCP(ctx, addrs.grpc, 10*time.Second); err != nil {
		_ = col.Stop()
		return nil, fmt.Errorf("collector: %w (see %s)", err, logFile)
	}
	return col, nil
}

// startMock starts the mock Responses API on a port of its choosing; it writes the address to
// mock.addr when it listens, and rewrites accountFile on account_changed's first 401.
func startMock(ctx context.Context, opts Options, accountFile string) (*proc.Process, error) {
	return proc.Start(ctx, proc.Spec{
		Path: opts.MockAPI, LogFile: filepath.Join(opts.Dir, "mockapi.log"),
		Args: []string{"--listen", "127.0.0.1:0", "--ready-file", filepath.Join(opts.Dir, "mock.addr"), "--account-change-file", accountFile},
	})
}

// readRoutes reads what each route's file received: its statistics, the secrets found in it,
// and for trace_safe whether each mock request joins its operation's span.
func (r *Report) readRoutes(dir string, secrets *secrets) error {
	for _, route := range []string{"trace_safe", "log_only"} {
		raw, err := os.ReadFile(filepath.Join(dir, route+".jsonl"))
		if err != nil {
			return fmt.Errorf("route %s produced no output: %w", route, err)
		}
		stats, err := readRoute(route, raw)
		if err != nil {
			return err
		}
		r.Routes = append(r.Routes, stats)
		r.Leaks = append(r.Leaks, secrets.search(route, raw)...)
		if route == "trace_safe" {
			if r.TraceContext, err = joinTraces(raw, r.Runs); err != nil {
				return err
			}
		}
	}
	r.Secrets = len(secrets.values)
	return nil
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
