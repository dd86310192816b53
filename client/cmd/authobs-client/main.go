// Command authobs-client sends one prompt to a Responses-style API with the
// authobs reference client and prints the model's text and a one-line auth summary.
//
//	authobs-client --base-url URL [--transport http|websocket] [--auth-file F]
//	               [--token-url URL] [--model M] [--json-summary] PROMPT
//
// Without --auth-file the key comes from OPENAI_API_KEY. Telemetry is configured by
// the standard OTEL_* variables and flushed before exit.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/authobs/authobsprocessor/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes: 1 the call failed, 2 usage or setup error.
const (
	exitFailed = 1
	exitUsage  = 2
)

type config struct {
	baseURL, transport, authFile, tokenURL, model string
	jsonSummary                                   bool
	timeout                                       time.Duration
	prompt                                        string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("authobs-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.baseURL, "base-url", "", "API base URL, e.g. http://127.0.0.1:8080/success/v1 (required)")
	fs.StringVar(&cfg.transport, "transport", "http", "http or websocket")
	fs.StringVar(&cfg.authFile, "auth-file", "", "Codex-style auth.json (default: key from OPENAI_API_KEY)")
	fs.StringVar(&cfg.tokenURL, "token-url", "", "OAuth token endpoint for refresh (default: $"+client.TokenURLOverrideEnv+" or the OpenAI one)")
	fs.StringVar(&cfg.model, "model", "gpt-5.1", "model name")
	fs.BoolVar(&cfg.jsonSummary, "json-summary", false, "print one JSON line (text, operations, recovery) instead of the text and summary")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "overall deadline of the call")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: authobs-client --base-url URL [--transport http|websocket] [--auth-file F] [--token-url URL] PROMPT")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.prompt = strings.TrimSpace(strings.Join(fs.Args(), " "))
	switch {
	case cfg.baseURL == "":
		return cfg, errors.New("--base-url is required")
	case cfg.prompt == "":
		return cfg, errors.New("a PROMPT argument is required")
	case cfg.transport != "http" && cfg.transport != "websocket":
		return cfg, fmt.Errorf("--transport must be http or websocket, got %q", cfg.transport)
	case cfg.tokenURL != "" && cfg.authFile == "":
		return cfg, errors.New("--token-url needs --auth-file")
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "authobs-client:", err)
		}
		return exitUsage
	}
	tel, err := client.SetupTelemetry(ctx, "authobs-client")
	if err != nil {
		fmt.Fprintln(stderr, "authobs-client: telemetry:", err)
		return exitUsage
	}
	defer func() {
		// Flush even when the call was interrupted: the evidence matters most then.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := tel.Shutdown(sctx); err != nil {
			fmt.Fprintln(stderr, "authobs-client: flushing telemetry:", err)
		}
	}()

	var auth client.AuthProvider
	if cfg.authFile != "" {
		var opts []client.AuthFileOption
		if cfg.tokenURL != "" {
			opts = append(opts, client.WithTokenURL(cfg.tokenURL))
		}
		if auth, err = client.LoadAuthFile(cfg.authFile, opts...); err != nil {
			fmt.Fprintln(stderr, "authobs-client:", err)
			return exitUsage
		}
	} else if auth, err = client.APIKeyFromEnv(); err != nil {
		fmt.Fprintln(stderr, "authobs-client: no --auth-file given and", err)
		return exitUsage
	}
	c, err := client.New(cfg.baseURL,
		client.WithAuth(auth),
		client.WithTransport(client.Transport(cfg.transport)),
		client.WithModel(cfg.model),
		client.WithTracerProvider(tel.TracerProvider),
		client.WithLoggerProvider(tel.LoggerProvider))
	if err != nil {
		fmt.Fprintln(stderr, "authobs-client:", err)
		return exitUsage
	}
	defer c.Close()

	cctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	resp, err := c.CreateResponse(cctx, &client.ResponseRequest{Input: cfg.prompt})

	var report client.CallReport
	var text string
	if err != nil {
		var cerr *client.Error
		if errors.As(err, &cerr) {
			report = cerr.Report
		}
	} else {
		report, text = resp.Report, resp.Text
	}
	if cfg.jsonSummary {
		writeJSONSummary(stdout, report, text, err)
	} else if err == nil {
		fmt.Fprintln(stdout, text)
		fmt.Fprintln(stdout, authSummary(report))
	}
	if err != nil {
		if !cfg.jsonSummary {
			fmt.Fprintln(stderr, authSummary(report))
		}
		fmt.Fprintln(stderr, "authobs-client: request failed:", err)
		return exitFailed
	}
	return 0
}

// authSummary is the one-line human summary, e.g.
// auth: mode=managed steps=reload,refresh_token outcome=recovery_succeeded status=200 request_id=req-1 auth_mode=Chatgpt transport=http
func authSummary(r client.CallReport) string {
	orNone := func(s string) string {
		if s == "" {
			return "none"
		}
		return s
	}
	steps := make([]string, len(r.RecoverySteps))
	for i, s := range r.RecoverySteps {
		steps[i] = string(s)
	}
	parts := []string{
		"mode=" + orNone(string(r.RecoveryMode)),
		"steps=" + orNone(strings.Join(steps, ",")),
		"outcome=" + orNone(string(r.RecoveryOutcome)),
	}
	if r.RecoveryReason != "" {
		parts = append(parts, "reason="+string(r.RecoveryReason))
	}
	status := "none"
	if r.Status != 0 {
		status = strconv.Itoa(r.Status)
	}
	parts = append(parts, "status="+status, "request_id="+orNone(r.RequestID),
		"auth_mode="+orNone(r.AuthMode), "transport="+orNone(r.Transport))
	if r.FellBackToHTTP {
		parts = append(parts, "fell_back_to_http=true")
	}
	return "auth: " + strings.Join(parts, " ")
}

// jsonSummary is the machine-readable line of --json-summary.
type jsonSummary struct {
	OK    bool   `json:"ok"`
	Text  string `json:"text,omitempty"`
	Error string `json:"error,omitempty"`
	client.CallReport
}

func writeJSONSummary(w io.Writer, r client.CallReport, text string, err error) {
	s := jsonSummary{OK: err == nil, Text: text, CallReport: r}
	if err != nil {
		s.Error = err.Error()
	}
	if s.Operations == nil {
		s.Operations = []client.OperationSummary{}
	}
	b, merr := json.Marshal(s)
	if merr != nil {
		fmt.Fprintf(w, "{\"ok\":false,\"error\":%q}\n", "encoding summary: "+merr.Error())
		return
	}
	fmt.Fprintln(w, string(b))
}
