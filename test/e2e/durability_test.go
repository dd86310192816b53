package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the gateway's exporters compress
	"google.golang.org/grpc/status"

	"github.com/authobs/authobsprocessor/test/internal/proc"
	"github.com/authobs/authobsprocessor/test/internal/procstat"
)

// Bounds of the durability test: short enough for `make test`; the soak's memory bound.
const (
	queueFillTimeout = 15 * time.Second
	redeliverTimeout = 30 * time.Second
	maxGatewayRSSMiB = 400
)

// TestDurableGatewaySIGKILL is the short version of the soak's restart run (test/soak, make
// soak) on config/gateway.yaml itself: both destinations are down, so everything the gateway
// acknowledges waits in its persistent sending queues; the queue size is read from the
// collector's own metrics; the process is killed with SIGKILL; the storage directory is
// searched for the planted secrets; a new process on the same directory delivers every
// acknowledged item once the destinations are back. Duplicates are allowed (at-least-once)
// and counted; a missing item or a planted secret anywhere fails.
func TestDurableGatewaySIGKILL(t *testing.T) {
	root := repoRoot(t)
	cfg := filepath.Join(root, "config", "gateway.yaml")
	queueDir := filepath.Join(t.TempDir(), "queue")
	backend := startDurabilitySink(t)
	backend.down.Store(true)

	first, ep := startGateway(t, cfg, queueDir, backend)

	// n items of each signal in requests of perRequest; every one acknowledged (the sender
	// fails the test otherwise).
	const requests, perRequest = 10, 50
	const n = requests * perRequest
	for r := range requests {
		tr := OverHTTP
		if r%2 == 1 {
			tr = OverGRPC
		}
		s := newSender(t, ep, tr)
		s.traces("spans", scaleoutTraces(r*perRequest, perRequest))
		s.logs("logs", scaleoutLogs(r*perRequest, perRequest))
		s.metrics("metrics", scaleoutMetrics(r*perRequest, perRequest))
		s.close()
	}

	// Everything acknowledged is on disk: the queues (traces twice, logs, metrics) hold it.
	want := float64(4 * n)
	var queued float64
	deadline := time.Now().Add(queueFillTimeout)
	for ; time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if m, err := proc.Scrape(context.Background(), ep.Metrics); err == nil {
			if queued = m.Sum("otelcol_exporter_queue_size"); queued >= want {
				break
			}
		}
	}
	if queued < want {
		t.Fatalf("otelcol_exporter_queue_size = %.0f before the kill, want %.0f (every acknowledged item queued)", queued, want)
	}
	if got := backend.deliveredTotal(); got != 0 {
		t.Fatalf("%d items delivered while the destinations were down", got)
	}

	if mib, ok := procstat.ResidentMiB(first.Pid()); ok {
		t.Logf("gateway RSS before the kill: %.1f MiB", mib)
		if mib > maxGatewayRSSMiB {
			t.Errorf("gateway RSS %.1f MiB over %d MiB", mib, maxGatewayRSSMiB)
		}
	}
	first.Kill()
	found := grepTree(t, queueDir, append(plantedInScaleout(), "scaleout.id", "REDACTED")...)
	for _, p := range plantedInScaleout() {
		if len(found[p]) != 0 {
			t.Fatalf("planted secret in the queue's storage: %v", found[p])
		}
	}
	// The search is not blind: the items are in the files, redacted.
	if len(found["scaleout.id"]) == 0 || len(found["REDACTED"]) == 0 {
		t.Fatalf("the storage under %s holds no readable item: %v", queueDir, found)
	}
	t.Logf("killed with %.0f items queued; the storage holds them redacted, no planted secret", queued)

	backend.down.Store(false)
	second, _ := startGateway(t, cfg, queueDir, backend)
	deadline = time.Now().Add(redeliverTimeout)
	for time.Now().Before(deadline) && !backend.complete(n) {
		time.Sleep(100 * time.Millisecond)
	}
	missing, dups := backend.account(n)
	t.Logf("after the restart: %d delivered, %d missing, %d duplicates", backend.deliveredTotal(), missing, dups)
	if missing != 0 {
		t.Errorf("%d acknowledged items missing after the restart", missing)
	}
	if leaks := backend.leaks.Load(); leaks != 0 {
		t.Errorf("%d items with a planted secret delivered", leaks)
	}
	if err := second.Stop(); err != nil {
		t.Errorf("restarted gateway did not stop cleanly: %v\n%s", err, second.Logs())
	}
	if bad := second.ErrorLogLines(); len(bad) != 0 {
		t.Errorf("restarted gateway logged errors:\n%s", strings.Join(bad, "\n"))
	}
}

// TestDurableGatewayReplicaDirectories runs two replicas of config/gateway.yaml: each with
// its own storage directory both start; a replica given a directory another one holds does
// not start (the file lock times out), so two replicas can never share a queue.
func TestDurableGatewayReplicaDirectories(t *testing.T) {
	cfg := filepath.Join(repoRoot(t), "config", "gateway.yaml")
	backend := startDurabilitySink(t)
	base := t.TempDir()
	startGateway(t, cfg, filepath.Join(base, "replica-0"), backend)
	startGateway(t, cfg, filepath.Join(base, "replica-1"), backend)

	ports := freePorts(t, 4)
	out, err := runCollectorCommand(t, gatewayEnv(filepath.Join(base, "replica-0"), backend, ports), "--config", cfg)
	if err == nil {
		t.Fatalf("a third gateway on replica-0's directory ran:\n%s", out)
	}
	if !strings.Contains(out, "timeout") {
		t.Errorf("a gateway on a directory in use failed for another reason:\n%s", out)
	}
}

// startGateway starts config/gateway.yaml on free loopback ports with its queues in queueDir,
// exporting to sink (OTLP/HTTP for the trace backend, OTLP/gRPC for the trusted store).
func startGateway(tb testing.TB, cfg, queueDir string, sink *durabilitySink) (*Collector, Endpoints) {
	tb.Helper()
	ports := freePorts(tb, 4)
	env := gatewayEnv(queueDir, sink, ports)
	// startCollector reads the demo's variable names for the endpoints it reports.
	env["AUTHOBS_OTLP_GRPC"], env["AUTHOBS_OTLP_HTTP"] = env["AUTHOBS_OTLP_GRPC_ENDPOINT"], env["AUTHOBS_OTLP_HTTP_ENDPOINT"]
	return startCollector(tb, cfg, env)
}

func gatewayEnv(queueDir string, sink *durabilitySink, ports []int) map[string]string {
	return map[string]string{
		"AUTHOBS_OTLP_GRPC_ENDPOINT":  "127.0.0.1:" + strconv.Itoa(ports[0]),
		"AUTHOBS_OTLP_HTTP_ENDPOINT":  "127.0.0.1:" + strconv.Itoa(ports[1]),
		"AUTHOBS_METRICS_HOST":        "127.0.0.1",
		"AUTHOBS_METRICS_PORT":        strconv.Itoa(ports[2]),
		"AUTHOBS_HEALTH_ENDPOINT":     "127.0.0.1:" + strconv.Itoa(ports[3]),
		"AUTHOBS_QUEUE_DIR":           queueDir,
		"AUTHOBS_TRACE_BACKEND_URL":   "http://" + sink.httpAddr,
		"AUTHOBS_TRACE_BACKEND_TOKEN": "e2e-backend-token",
		"AUTHOBS_TRUSTED_ENDPOINT":    sink.grpcAddr,
		"AUTHOBS_TRUSTED_INSECURE":    "true",
		"AUTHOBS_FINGERPRINT_KEY":     "e2e-fingerprint-key-0123456789abcdef",
	}
}

// plantedInScaleout is what the scaleout items carry that must never be stored or delivered:
// the key, and a 16-character piece of it.
func plantedInScaleout() []string {
	return []string{scaleoutKey, scaleoutKey[8:24]}
}

// grepTree searches every file under dir for the needles; it returns the files holding each.
func grepTree(tb testing.TB, dir string, needles ...string) map[string][]string {
	tb.Helper()
	found := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range needles {
			if bytes.Contains(data, []byte(s)) {
				found[s] = append(found[s], path)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return found
}

// durabilitySink stands for both destinations of the gateway. It counts each item by
// destination, kind and scaleout.id; while down it refuses every export with a retryable
// error (503, Unavailable), as a destination in an outage does.
type durabilitySink struct {
	httpAddr, grpcAddr string
	down               atomic.Bool
	leaks              atomic.Int64

	mu   sync.Mutex
	seen map[string][]int // "<destination>/<kind>" -> arrivals per id
}

// Destinations and kinds (as forEachItem names them) config/gateway.yaml delivers: the trace
// backend gets trace_safe spans and metrics, the trusted store log records and
// full-fidelity spans.
var durabilityStreams = []string{"backend/span", "backend/point", "trusted/log", "trusted/span"}

func startDurabilitySink(tb testing.TB) *durabilitySink {
	tb.Helper()
	s := &durabilitySink{seen: map[string][]int{}}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(hl) }()
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	gs := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(gs, &sinkTraces{s: s})
	plogotlp.RegisterGRPCServer(gs, &sinkLogs{s: s})
	go func() { _ = gs.Serve(gl) }()
	tb.Cleanup(func() {
		gs.Stop()
		_ = hs.Close()
	})
	s.httpAddr, s.grpcAddr = hl.Addr().String(), gl.Addr().String()
	return s
}

func (s *durabilitySink) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		http.Error(w, "destination down", http.StatusServiceUnavailable)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, "bad gzip", http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var e FileExport
	switch r.URL.Path {
	case "/v1/traces":
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(data); err != nil {
			http.Error(w, "bad traces", http.StatusBadRequest)
			return
		}
		e.Traces = append(e.Traces, req.Traces())
	case "/v1/metrics":
		req := pmetricotlp.NewExportRequest()
		if err := req.UnmarshalProto(data); err != nil {
			http.Error(w, "bad metrics", http.StatusBadRequest)
			return
		}
		e.Metrics = append(e.Metrics, req.Metrics())
	default:
		http.NotFound(w, r)
		return
	}
	s.receive("backend", data, e)
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// receive counts one export: a planted secret anywhere in its bytes, and each item by
// destination, kind and scaleout.id.
func (s *durabilitySink) receive(dest string, raw []byte, e FileExport) {
	for _, p := range plantedInScaleout() {
		if bytes.Contains(raw, []byte(p)) {
			s.leaks.Add(1)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	forEachItem(e, func(kind string, attrs pcommon.Map) {
		id, ok := attrs.Get("scaleout.id")
		if !ok || id.Int() < 0 || id.Int() > 1<<20 {
			return // an item without its id leaves its id missing in account
		}
		stream := dest + "/" + kind
		arr := s.seen[stream]
		for int(id.Int()) >= len(arr) {
			arr = append(arr, 0)
		}
		arr[id.Int()]++
		s.seen[stream] = arr
	})
}

func (s *durabilitySink) deliveredTotal() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	for _, arr := range s.seen {
		for _, c := range arr {
			total += c
		}
	}
	return total
}

// complete reports whether every stream has ids 0..n-1.
func (s *durabilitySink) complete(n int) bool {
	missing, _ := s.account(n)
	return missing == 0
}

// account counts, over every stream, the ids 0..n-1 never delivered and the extra arrivals.
func (s *durabilitySink) account(n int) (missing, duplicates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, stream := range durabilityStreams {
		arr := s.seen[stream]
		for id := range n {
			switch {
			case id >= len(arr) || arr[id] == 0:
				missing++
			case arr[id] > 1:
				duplicates += arr[id] - 1
			}
		}
	}
	return missing, duplicates
}

// grpcExport is the trusted store's side of an export: refused while the sink is down,
// else received.
func (s *durabilitySink) grpcExport(marshal func() ([]byte, error), e FileExport) error {
	if s.down.Load() {
		return status.Error(codes.Unavailable, "destination down")
	}
	raw, err := marshal()
	if err != nil {
		return err
	}
	s.receive("trusted", raw, e)
	return nil
}

type sinkTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	s *durabilitySink
}

func (t *sinkTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), t.s.grpcExport(req.MarshalProto, FileExport{Traces: []ptrace.Traces{req.Traces()}})
}

type sinkLogs struct {
	plogotlp.UnimplementedGRPCServer
	s *durabilitySink
}

func (l *sinkLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), l.s.grpcExport(req.MarshalProto, FileExport{Logs: []plog.Logs{req.Logs()}})
}
