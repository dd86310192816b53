package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// FileExport is what a fileexporter (format: json) has written: one OTLP/JSON export request
// per line, of any signal.
type FileExport struct {
	Traces  []ptrace.Traces
	Logs    []plog.Logs
	Metrics []pmetric.Metrics
}

// Counts returns the items in the export.
func (e FileExport) Counts() Counts {
	var c Counts
	for _, td := range e.Traces {
		c.Spans += td.SpanCount()
	}
	for _, ld := range e.Logs {
		c.LogRecords += ld.LogRecordCount()
	}
	for _, md := range e.Metrics {
		c.DataPoints += md.DataPointCount()
	}
	return c
}

// readFileExport parses the complete lines of a fileexporter output; a missing file is an
// empty export, and a last line still being written is left for the next read.
func readFileExport(tb testing.TB, path string) FileExport {
	tb.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return FileExport{}
	}
	if err != nil {
		tb.Fatal(err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	var e FileExport
	var (
		tu ptrace.JSONUnmarshaler
		lu plog.JSONUnmarshaler
		mu pmetric.JSONUnmarshaler
	)
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(line, &top); err != nil {
			tb.Fatalf("%s line %d: %v", path, n+1, err)
		}
		switch {
		case top["resourceSpans"] != nil:
			td, err := tu.UnmarshalTraces(line)
			if err != nil {
				tb.Fatalf("%s line %d: %v", path, n+1, err)
			}
			e.Traces = append(e.Traces, td)
		case top["resourceLogs"] != nil:
			ld, err := lu.UnmarshalLogs(line)
			if err != nil {
				tb.Fatalf("%s line %d: %v", path, n+1, err)
			}
			e.Logs = append(e.Logs, ld)
		case top["resourceMetrics"] != nil:
			md, err := mu.UnmarshalMetrics(line)
			if err != nil {
				tb.Fatalf("%s line %d: %v", path, n+1, err)
			}
			e.Metrics = append(e.Metrics, md)
		default:
			tb.Fatalf("%s line %d: not an OTLP export request", path, n+1)
		}
	}
	return e
}

// waitFileExport polls path until it holds at least want, and fails after timeout.
func waitFileExport(tb testing.TB, path string, want Counts, timeout time.Duration) FileExport {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		e := readFileExport(tb, path)
		if e.Counts().covers(want) {
			return e
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s after %s: have %+v, want %+v", path, timeout, e.Counts(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
