// Package codexcapture reads the real Codex CLI captures kept in testdata/codex: each line of a
// scenario's otlp_logs.jsonl and otlp_traces.jsonl.gz is one OTLP/JSON export request exactly as
// Codex sent it, and pdata's JSON unmarshalers take it as is.
package codexcapture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Capture is one scenario: every export request Codex sent, in order.
type Capture struct {
	Name   string
	Logs   []plog.Logs
	Traces []ptrace.Traces
}

// Scenarios lists the scenario directories below dir (testdata/codex), sorted.
func Scenarios(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no scenarios in %s", dir)
	}
	return names, nil
}

// Load reads dir/<scenario>/otlp_logs.jsonl and otlp_traces.jsonl.gz.
func Load(dir, scenario string) (Capture, error) {
	c := Capture{Name: scenario}
	var err error
	if c.Logs, err = readRequests(dir, scenario, "otlp_logs.jsonl", (&plog.JSONUnmarshaler{}).UnmarshalLogs); err != nil {
		return c, err
	}
	c.Traces, err = readRequests(dir, scenario, "otlp_traces.jsonl.gz", (&ptrace.JSONUnmarshaler{}).UnmarshalTraces)
	return c, err
}

// readRequests unmarshals every line of one capture file, an export request each.
func readRequests[T any](dir, scenario, file string, unmarshal func([]byte) (T, error)) ([]T, error) {
	lines, err := ReadLines(filepath.Join(dir, scenario, file))
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(lines))
	for i, line := range lines {
		v, err := unmarshal(line)
		if err != nil {
			return nil, fmt.Errorf("%s/%s line %d: %w", scenario, file, i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// MergedLogs returns every log export request of the capture as one batch.
func (c Capture) MergedLogs() plog.Logs {
	out := plog.NewLogs()
	for _, ld := range c.Logs {
		cp := plog.NewLogs()
		ld.CopyTo(cp)
		cp.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	return out
}

// MergedTraces returns every trace export request of the capture as one batch.
func (c Capture) MergedTraces() ptrace.Traces {
	out := ptrace.NewTraces()
	for _, td := range c.Traces {
		cp := ptrace.NewTraces()
		td.CopyTo(cp)
		cp.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	return out
}

// ReadLines returns the non-empty lines of a file, gunzipped when its name ends in .gz.
func ReadLines(path string) ([][]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var r io.Reader = file
	if filepath.Ext(path) == ".gz" {
		gz, err := gzip.NewReader(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var lines [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20) // one export request per line; they can be large
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			lines = append(lines, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}
