// Command authobs-demo runs the whole authobs loop on 127.0.0.1 and prints a report:
// the otelcol-authobs collector with config/demo.yaml (the gateway fan-out writing the
// trace_safe and log_only routes to files), the mock Responses API, and the reference
// client through every mock scenario over HTTP and WebSocket. It stops everything it
// started and exits non-zero if a secret leaked or a scenario ended unexpectedly.
//
//	authobs-demo [--collector _build/otelcol-authobs] [--mockapi _build/bin/authobs-mockapi]
//	             [--client _build/bin/authobs-client] [--config config/demo.yaml] [--dir _demo]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/authobs/authobsprocessor/test/internal/demo"
)

func main() {
	var opts demo.Options
	flag.StringVar(&opts.Collector, "collector", "_build/otelcol-authobs", "the otelcol-authobs binary")
	flag.StringVar(&opts.MockAPI, "mockapi", "_build/bin/authobs-mockapi", "the authobs-mockapi binary")
	flag.StringVar(&opts.Client, "client", "_build/bin/authobs-client", "the authobs-client binary")
	flag.StringVar(&opts.Config, "config", "config/demo.yaml", "collector configuration")
	flag.StringVar(&opts.Dir, "dir", "_demo", "work and output directory")
	flag.Parse()
	for _, p := range []*string{&opts.Collector, &opts.MockAPI, &opts.Client, &opts.Config, &opts.Dir} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "authobs-demo:", err)
			os.Exit(2)
		}
		*p = abs
	}
	opts.Progress = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := demo.RunDemo(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "authobs-demo:", err)
		os.Exit(1)
	}
	report.Print(os.Stdout)
	fmt.Printf("\nOutputs: %s/trace_safe.jsonl and %s/log_only.jsonl (collector log: %s/collector.log)\n", opts.Dir, opts.Dir, opts.Dir)
	if len(report.Leaks) > 0 || report.Expected() != len(report.Runs) || !report.TraceContext.OK() {
		os.Exit(1)
	}
}
