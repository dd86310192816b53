package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// operatorBuildTimeout bounds the operator's ocb build: about 45 s warm, 4 min from cold caches.
const operatorBuildTimeout = 8 * time.Minute

// operatorManifest is what README.md ("Add authobs to your own collector") tells an operator to
// write: their own distribution, core v0.165.0 and contrib v0.165.1 components, and authobs by
// gomod with a replaces line to a local checkout. %[1]s is the output directory, %[2]s the
// checkout.
const operatorManifest = `dist:
  name: otelcol-operator
  description: An operator's own collector with authobs
  version: 1.0.0
  output_path: %[1]s

receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v0.165.0
processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor v0.165.0
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor v0.165.1
  - gomod: github.com/authobs/authobsprocessor v0.0.0
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/otlphttpexporter v0.165.0
extensions:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage v0.165.1

replaces:
  - github.com/authobs/authobsprocessor => %[2]s
`

// operatorConfig runs the operator's build: traces through authobs (trace_safe), logs through
// contrib redaction (masking card numbers) then authobs/log_only, both to an OTLP/HTTP backend
// through a durable queue. %[1]s is the backend's base URL.
const operatorConfig = `extensions:
  file_storage:
    directory: ${env:AUTHOBS_DEMO_DIR}/queue
    create_directory: true
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${env:AUTHOBS_OTLP_GRPC}
      http:
        endpoint: ${env:AUTHOBS_OTLP_HTTP}
processors:
  redaction:
    allow_all_keys: true
    blocked_values: ["4[0-9]{12}(?:[0-9]{3})?"]
    summary: silent
  authobs: {}
  authobs/log_only:
    route: log_only
  batch:
    timeout: 200ms
exporters:
  otlp_http:
    endpoint: %[1]s
    compression: none
    sending_queue:
      enabled: true
      storage: file_storage
service:
  extensions: [file_storage]
  telemetry:
    logs:
      encoding: json
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${env:AUTHOBS_METRICS_PORT}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [authobs, batch]
      exporters: [otlp_http]
    logs:
      receivers: [otlp]
      processors: [redaction, authobs/log_only, batch]
      exporters: [otlp_http]
`

// TestOperatorManifest follows the README recipe end to end: build an operator's own ocb
// manifest with authobs next to contrib components, validate a configuration, send OTLP through
// it and check at a backend that authobs acted. The build takes minutes, so it runs when
// AUTHOBS_OPERATOR_BUILD=1 (make test sets it); everything ocb writes stays in the test's
// temporary directory.
func TestOperatorManifest(t *testing.T) {
	if os.Getenv("AUTHOBS_OPERATOR_BUILD") != "1" {
		t.Skip("AUTHOBS_OPERATOR_BUILD is not 1: the operator's ocb build (~45 s warm, ~4 min cold) is not run")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	ocb := operatorOCB(t, root)

	manifest := filepath.Join(dir, "manifest.yaml")
	dist := filepath.Join(dir, "dist")
	writeFile(t, manifest, fmt.Sprintf(operatorManifest, dist, root))
	ctx, cancel := context.WithTimeout(context.Background(), operatorBuildTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, ocb, "--config", manifest)
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off")
	build.WaitDelay = time.Second
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("ocb build of the operator's manifest: %v\n%s", err, out)
	}
	bin := filepath.Join(dist, "otelcol-operator")

	backend := newOTLPBackend(t)
	config := filepath.Join(dir, "config.yaml")
	writeFile(t, config, fmt.Sprintf(operatorConfig, backend.URL()))

	out, err := exec.Command(bin, "components").CombinedOutput()
	if err != nil {
		t.Fatalf("components: %v\n%s", err, out)
	}
	for _, want := range []string{"name: authobs", "name: redaction", "name: file_storage"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("components lacks %q:\n%s", want, out)
		}
	}
	env := collectorEnv(map[string]string{"AUTHOBS_DEMO_DIR": dir, "AUTHOBS_OTLP_GRPC": "127.0.0.1:0",
		"AUTHOBS_OTLP_HTTP": "127.0.0.1:0", "AUTHOBS_METRICS_PORT": "0"})
	validate := exec.Command(bin, "validate", "--config", config)
	validate.Env = env
	if out, err := validate.CombinedOutput(); err != nil {
		t.Fatalf("validate: %v\n%s", err, out)
	}

	col, ep := startBinary(t, bin, config, nil)
	const (
		apiKey = "sk-proj-Op3ratorK3yAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
		card   = "4111111111111111"
		email  = "operator.user@example.com"
	)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("api_request")
	span.SetTraceID(pcommon.TraceID{1})
	span.SetSpanID(pcommon.SpanID{1})
	span.Attributes().PutStr("http.request.header.authorization", "Bearer "+apiKey)
	span.Attributes().PutStr("user.email", email)
	span.Attributes().PutInt("http.response.status_code", 401)
	span.Attributes().PutStr("auth.error", "missing_authorization_header")
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr("payment by " + card + " with key " + apiKey)
	lr.Attributes().PutStr("user.email", email)

	s := newSender(t, ep, OverHTTP)
	s.traces("planted span", td)
	s.logs("planted log record", ld)
	sent := Counts{Spans: 1, LogRecords: 1}
	for _, name := range codexScenarios(t) {
		sent = sent.add(sendFixture(t, ep, OverHTTP, loadFixture(t, name)))
	}
	s.close()
	got := backend.wait(t, sent, exportTimeout)
	if err := col.Stop(); err != nil {
		t.Errorf("collector exit: %v\n%s", err, col.Logs())
	}
	if bad := col.ErrorLogLines(); len(bad) > 0 {
		t.Errorf("the operator's collector logged errors:\n%s", strings.Join(bad, "\n"))
	}

	traces, logs := got.traces.String(), got.logs.String()
	if strings.Contains(traces+logs, apiKey) || strings.Contains(traces+logs, "Op3ratorK3y") {
		t.Error("the API key reached the backend")
	}
	if strings.Contains(logs, card) {
		t.Error("the card number reached the backend: redactionprocessor did not act")
	}
	if strings.Contains(traces, email) {
		t.Error("user.email reached the trace backend: authobs trace_safe did not act")
	}
	if !strings.Contains(logs, email) {
		t.Error("user.email is missing from the logs: log_only keeps identity")
	}
	for _, want := range []string{`{"key":"http.request.header.authorization","value":{"stringValue":"[REDACTED]"}}`, "missing_authorization_header"} {
		if !strings.Contains(traces, want) {
			t.Errorf("the trace backend did not get %q", want)
		}
	}
	if !strings.Contains(logs, "****") || !strings.Contains(logs, "[REDACTED]") {
		t.Errorf("log record not masked by both processors:\n%.2000s", logs)
	}
}

// operatorOCB returns the ocb binary that `make collector` installs (installing it if missing).
func operatorOCB(t *testing.T, root string) string {
	t.Helper()
	ocb := filepath.Join(root, "_build", "bin", "builder")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "_build/bin/builder")
	cmd.Dir = root
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make _build/bin/builder: %v\n%s", err, out)
	}
	return ocb
}

// otlpBackend is an OTLP/HTTP backend on 127.0.0.1 that keeps what it receives as OTLP/JSON.
type otlpBackend struct {
	srv   *http.Server
	ln    net.Listener
	mu    sync.Mutex
	got   Counts
	trace bytes.Buffer
	log   bytes.Buffer
}

type backendView struct{ traces, logs *bytes.Buffer }

func newOTLPBackend(t *testing.T) *otlpBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &otlpBackend{ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		req := ptraceotlp.NewExportRequest()
		b.receive(w, r, req, &b.trace, func() { b.got.Spans += req.Traces().SpanCount() }, ptraceotlp.NewExportResponse().MarshalProto)
	})
	mux.HandleFunc("POST /v1/logs", func(w http.ResponseWriter, r *http.Request) {
		req := plogotlp.NewExportRequest()
		b.receive(w, r, req, &b.log, func() { b.got.LogRecords += req.Logs().LogRecordCount() }, plogotlp.NewExportResponse().MarshalProto)
	})
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: sendTimeout}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		_ = b.srv.Shutdown(ctx)
		<-done
	})
	return b
}

func (b *otlpBackend) URL() string { return "http://" + b.ln.Addr().String() }

// otlpRequest is an OTLP export request of any signal.
type otlpRequest interface {
	UnmarshalProto([]byte) error
	MarshalJSON() ([]byte, error)
}

// receive decodes one protobuf export request into req, keeps it as JSON in into, counts its
// items (count runs under the lock) and answers with the empty response.
func (b *otlpBackend) receive(w http.ResponseWriter, r *http.Request, req otlpRequest, into *bytes.Buffer, count func(), response func() ([]byte, error)) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err == nil {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	js, err := req.MarshalJSON()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b.mu.Lock()
	count()
	into.Write(append(js, '\n'))
	b.mu.Unlock()
	resp, _ := response()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// wait polls until the backend holds at least want items and returns what it received.
func (b *otlpBackend) wait(t *testing.T, want Counts, timeout time.Duration) backendView {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		got := b.got
		view := backendView{bytes.NewBuffer(bytes.Clone(b.trace.Bytes())), bytes.NewBuffer(bytes.Clone(b.log.Bytes()))}
		b.mu.Unlock()
		if got.covers(want) {
			return view
		}
		if time.Now().After(deadline) {
			t.Fatalf("the backend has %+v after %s, want %+v", got, timeout, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
