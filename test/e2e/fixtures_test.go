package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/codexcapture"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

const sendTimeout = 10 * time.Second

// Fixture is one captured Codex scenario of testdata/codex: every export request Codex sent,
// in order, one element per line of the capture.
type Fixture = codexcapture.Capture

// Counts are telemetry items: spans, log records, metric data points.
type Counts struct {
	Spans, LogRecords, DataPoints int
}

func (c Counts) add(o Counts) Counts {
	return Counts{c.Spans + o.Spans, c.LogRecords + o.LogRecords, c.DataPoints + o.DataPoints}
}

// covers reports whether c has at least the items of want.
func (c Counts) covers(want Counts) bool {
	return c.Spans >= want.Spans && c.LogRecords >= want.LogRecords && c.DataPoints >= want.DataPoints
}

// fixtureCounts returns the items of the fixture.
func fixtureCounts(f Fixture) Counts {
	var c Counts
	for _, ld := range f.Logs {
		c.LogRecords += ld.LogRecordCount()
	}
	for _, td := range f.Traces {
		c.Spans += td.SpanCount()
	}
	return c
}

// codexScenarios lists the scenario directories of testdata/codex.
func codexScenarios(tb testing.TB) []string {
	tb.Helper()
	names, err := codexcapture.Scenarios(filepath.Join(repoRoot(tb), "testdata", "codex"))
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

// loadFixture reads testdata/codex/<scenario>.
func loadFixture(tb testing.TB, scenario string) Fixture {
	tb.Helper()
	f, err := codexcapture.Load(filepath.Join(repoRoot(tb), "testdata", "codex"), scenario)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// readLines returns the non-empty lines of a file, gunzipped when its name ends in .gz.
func readLines(tb testing.TB, path string) [][]byte {
	tb.Helper()
	lines, err := codexcapture.ReadLines(path)
	if err != nil {
		tb.Fatal(err)
	}
	return lines
}

// Transport is how sendFixture delivers OTLP to the collector.
type Transport string

const (
	OverHTTP Transport = "http" // protobuf POST to /v1/traces and /v1/logs
	OverGRPC Transport = "grpc" // the OTLP gRPC services
)

// sendFixture sends every export request of f, logs first, one request per captured line, and
// returns the items sent. The collector must accept every item (no partial success).
func sendFixture(tb testing.TB, ep Endpoints, tr Transport, f Fixture) Counts {
	tb.Helper()
	s := newSender(tb, ep, tr)
	defer s.close()
	for i, ld := range f.Logs {
		s.logs(fmt.Sprintf("%s logs[%d]", f.Name, i), ld)
	}
	for i, td := range f.Traces {
		s.traces(fmt.Sprintf("%s traces[%d]", f.Name, i), td)
	}
	return fixtureCounts(f)
}

// sendMetrics sends one metrics export request and returns its data points.
func sendMetrics(tb testing.TB, ep Endpoints, tr Transport, md pmetric.Metrics) Counts {
	tb.Helper()
	s := newSender(tb, ep, tr)
	defer s.close()
	s.metrics("metrics", md)
	return Counts{DataPoints: md.DataPointCount()}
}

type sender struct {
	tb   testing.TB
	ep   Endpoints
	tr   Transport
	http *http.Client
	conn *grpc.ClientConn
}

func newSender(tb testing.TB, ep Endpoints, tr Transport) *sender {
	tb.Helper()
	s := &sender{tb: tb, ep: ep, tr: tr}
	switch tr {
	case OverHTTP:
		s.http = &http.Client{Timeout: sendTimeout, Transport: &http.Transport{}}
	case OverGRPC:
		conn, err := grpc.NewClient(ep.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			tb.Fatal(err)
		}
		s.conn = conn
	default:
		tb.Fatalf("unknown transport %q", tr)
	}
	return s
}

func (s *sender) close() {
	if s.http != nil {
		s.http.CloseIdleConnections()
	}
	if s.conn != nil {
		s.conn.Close()
	}
}

func (s *sender) logs(what string, ld plog.Logs) {
	s.tb.Helper()
	req := plogotlp.NewExportRequestFromLogs(ld)
	var rejected int64
	if s.tr == OverHTTP {
		resp := plogotlp.NewExportResponse()
		s.post(what, "/v1/logs", req.MarshalProto, resp.UnmarshalProto)
		rejected = resp.PartialSuccess().RejectedLogRecords()
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		resp, err := plogotlp.NewGRPCClient(s.conn).Export(ctx, req)
		if err != nil {
			s.tb.Fatalf("%s over gRPC: %v", what, err)
		}
		rejected = resp.PartialSuccess().RejectedLogRecords()
	}
	if rejected != 0 {
		s.tb.Fatalf("%s over %s: %d log records rejected", what, s.tr, rejected)
	}
}

func (s *sender) traces(what string, td ptrace.Traces) {
	s.tb.Helper()
	req := ptraceotlp.NewExportRequestFromTraces(td)
	var rejected int64
	if s.tr == OverHTTP {
		resp := ptraceotlp.NewExportResponse()
		s.post(what, "/v1/traces", req.MarshalProto, resp.UnmarshalProto)
		rejected = resp.PartialSuccess().RejectedSpans()
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		resp, err := ptraceotlp.NewGRPCClient(s.conn).Export(ctx, req)
		if err != nil {
			s.tb.Fatalf("%s over gRPC: %v", what, err)
		}
		rejected = resp.PartialSuccess().RejectedSpans()
	}
	if rejected != 0 {
		s.tb.Fatalf("%s over %s: %d spans rejected", what, s.tr, rejected)
	}
}

func (s *sender) metrics(what string, md pmetric.Metrics) {
	s.tb.Helper()
	req := pmetricotlp.NewExportRequestFromMetrics(md)
	var rejected int64
	if s.tr == OverHTTP {
		resp := pmetricotlp.NewExportResponse()
		s.post(what, "/v1/metrics", req.MarshalProto, resp.UnmarshalProto)
		rejected = resp.PartialSuccess().RejectedDataPoints()
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		resp, err := pmetricotlp.NewGRPCClient(s.conn).Export(ctx, req)
		if err != nil {
			s.tb.Fatalf("%s over gRPC: %v", what, err)
		}
		rejected = resp.PartialSuccess().RejectedDataPoints()
	}
	if rejected != 0 {
		s.tb.Fatalf("%s over %s: %d data points rejected", what, s.tr, rejected)
	}
}

// post sends one OTLP/HTTP protobuf request and decodes the response into unmarshal.
func (s *sender) post(what, path string, marshal func() ([]byte, error), unmarshal func([]byte) error) {
	s.tb.Helper()
	body, err := marshal()
	if err != nil {
		s.tb.Fatalf("%s: marshal: %v", what, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.ep.HTTP+path, bytes.NewReader(body))
	if err != nil {
		s.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := s.http.Do(req)
	if err != nil {
		s.tb.Fatalf("%s: POST %s: %v", what, path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		s.tb.Fatalf("%s: POST %s: reading response: %v", what, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		s.tb.Fatalf("%s: POST %s: %s: %s", what, path, resp.Status, respBody)
	}
	if err := unmarshal(respBody); err != nil {
		s.tb.Fatalf("%s: POST %s: decoding response: %v", what, path, err)
	}
}
