// Command authobs-mockapi serves the mock Responses-style API of package
// test/internal/mockapi on a loopback address, for demos and end-to-end tests.
//
//	authobs-mockapi --listen 127.0.0.1:0 --ready-file /tmp/mockapi.addr
//
// Once listening it prints "authobs-mockapi listening on http://ADDR" and
// writes ADDR (host:port and a newline) atomically to the ready file, so a
// script can start it on port 0 and wait for the file. SIGINT or SIGTERM
// shuts it down, closes open WebSockets and removes the ready file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/mockapi"
)

const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "authobs-mockapi:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("authobs-mockapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "`address` to listen on; port 0 picks a free port")
	readyFile := fs.String("ready-file", "", "write the actual listen address to this `file` once listening (removed on exit)")
	accountFile := fs.String("account-change-file", "", "Codex-layout auth.json `file` that scenario account_changed rewrites with another tokens.account_id on its first 401")
	verbose := fs.Bool("verbose", false, "log one line per request to stderr (never a token)")
	fs.Usage = func() { usage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "authobs-mockapi: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		logger.Warn("listening beyond loopback: the mock has no real authentication and an unauthenticated admin API", "address", addr.String())
	}

	mock := mockapi.New(mockapi.Options{AccountChangeFile: *accountFile, Logger: logger})
	srv := &http.Server{
		Handler:           mock,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(stderr, "authobs-mockapi: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "authobs-mockapi listening on http://%s\n", addr)
	if *readyFile != "" {
		if err := writeFileAtomic(*readyFile, addr.String()+"\n"); err != nil {
			_ = srv.Close()
			err = errors.Join(err, serveError(<-served))
			mock.Close()
			return fmt.Errorf("ready file: %w", err)
		}
		defer os.Remove(*readyFile)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		mock.Close()
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	err = serveError(<-served)
	mock.Close()
	return err
}

// writeFileAtomic makes the ready file appear complete or not at all, so a
// polling script never reads half an address.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `Usage: authobs-mockapi [--listen ADDR] [--ready-file FILE] [--account-change-file FILE] [--verbose]

A mock Responses-style model API (HTTP with server-sent events, and WebSocket)
plus an OAuth token endpoint, for exercising a client's 401 recovery and its
auth telemetry. Base URL of a scenario: http://ADDR/<scenario>/v1

  POST /<scenario>/v1/responses          SSE stream (JSON for "stream":false)
  GET  /<scenario>/v1/responses          WebSocket ("response.create" frames)
  POST /<scenario>/v1/responses/compact  JSON
  GET  /<scenario>/v1/models             JSON model list
  POST /<scenario>/oauth/token           {"client_id","grant_type":"refresh_token","refresh_token"}
  POST /_admin/reset                     forget issued tokens, one-shot failures and the request log
  GET  /_admin/requests                  request log as JSON (never a token value)

Every API route wants "Authorization: Bearer <token>". Every response carries
x-request-id and cf-ray; a 401 also carries x-openai-authorization-error and
x-error-json, and a body that quotes a masked part of the presented key.

Scenarios:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, sc := range mockapi.Scenarios() {
		fmt.Fprintf(tw, "  %s\t%s\n", sc.Name, sc.Summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nFlags:")
	fs.PrintDefaults()
}

// serveError is Serve's result after Close or Shutdown: ErrServerClosed is the expected end.
func serveError(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
