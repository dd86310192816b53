package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// recallSample is one line of the corpus internal/tools/gitleaks/cmd/corpus writes: a secret
// drawn from a gitleaks rule the way gitleaks draws its own test samples, confirmed by
// gitleaks' detector, planted in an assignment style.
type recallSample struct {
	Rule   string `json:"rule"`
	Style  string `json:"style"`
	Text   string `json:"text"`
	Random string `json:"random"`
}

// corpusSeed is the seed make test uses, so CI is deterministic; AUTHOBS_CORPUS_SEED picks
// another (`make recall` passes a fresh one and prints it).
const corpusSeed = "20261207"

// TestRecallCorpusThroughCollector sends a recall corpus generated from the whole gitleaks
// rule set through the built collector (config/demo.yaml: trace_safe and log_only), each
// secret planted in every place of docs/contract.md §4 — span name, span attribute, nested map
// leaf, status message, span event, log body and attribute, metric label — and checks both
// routes' files: nothing lost, and no secret's random part nor any 12-byte piece of it comes
// out.
func TestRecallCorpusThroughCollector(t *testing.T) {
	samples := generateCorpus(t)
	col, ep := startCollector(t, filepath.Join(repoRoot(t), "config", "demo.yaml"), nil)

	var sent Counts
	s := newSender(t, ep, OverGRPC)
	defer s.close()
	const perRequest = 100
	for start := 0; start < len(samples); start += perRequest {
		batch := samples[start:min(start+perRequest, len(samples))]
		td, ld, md := plantRecall(batch)
		what := fmt.Sprintf("corpus[%d:%d]", start, start+len(batch))
		s.traces(what, td)
		s.logs(what, ld)
		s.metrics(what, md)
		sent = sent.add(Counts{Spans: td.SpanCount(), LogRecords: ld.LogRecordCount(), DataPoints: md.DataPointCount()})
	}
	wantTraceSafe := Counts{Spans: sent.Spans, DataPoints: sent.DataPoints}
	wantLogOnly := Counts{Spans: sent.Spans, LogRecords: sent.LogRecords}
	waitFileExport(t, ep.TraceSafeFile(), wantTraceSafe, exportTimeout)
	waitFileExport(t, ep.LogOnlyFile(), wantLogOnly, exportTimeout)
	if err := col.Stop(); err != nil {
		t.Fatalf("collector exit after SIGTERM: %v", err)
	}

	for _, route := range []struct{ name, path string }{{"trace_safe", ep.TraceSafeFile()}, {"log_only", ep.LogOnlyFile()}} {
		out := exportedStrings(t, route.path)
		leaks := map[string]int{}
		for _, smp := range samples {
			if piece := leakedPiece(out, smp.Random); piece != "" {
				if leaks[smp.Rule] == 0 {
					t.Errorf("%s: %s/%s leaks %q", route.name, smp.Rule, smp.Style, piece)
				}
				leaks[smp.Rule]++
			}
		}
		t.Logf("%s: %d samples, %d rules leak", route.name, len(samples), len(leaks))
	}
}

// generateCorpus runs the corpus generator of the gitleaks tool module (gitleaks never enters
// this module either).
func generateCorpus(t *testing.T) []recallSample {
	t.Helper()
	seed := os.Getenv("AUTHOBS_CORPUS_SEED")
	if seed == "" {
		seed = corpusSeed
	}
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	cmd := exec.Command("go", "run", "./cmd/corpus", "-seed", seed, "-o", path)
	cmd.Dir = filepath.Join(repoRoot(t), "internal", "tools", "gitleaks")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("corpus generator: %v\n%s", err, stderr.String())
	}
	t.Log(strings.TrimSpace(stderr.String()))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var samples []recallSample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for sc.Scan() {
		var smp recallSample
		if err := json.Unmarshal(sc.Bytes(), &smp); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, smp)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(samples) < 1000 {
		t.Fatalf("only %d samples in the corpus", len(samples))
	}
	return samples
}

// plantRecall puts each sample's text in every place of the contract: one span (name,
// attribute, nested leaf, status message, event attribute), one log record (body and
// attribute), one data point (label).
func plantRecall(batch []recallSample) (ptrace.Traces, plog.Logs, pmetric.Metrics) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("app.requests")
	points := m.SetEmptySum().DataPoints()
	for _, smp := range batch {
		sp := spans.AppendEmpty()
		sp.SetName(smp.Text)
		sp.Attributes().PutStr("deployment.note", smp.Text)
		sp.Attributes().PutEmptyMap("nested").PutEmptyMap("deeper").PutStr("leaf", smp.Text)
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(smp.Text)
		sp.Events().AppendEmpty().Attributes().PutStr("note", smp.Text)
		lr := records.AppendEmpty()
		lr.Body().SetStr(smp.Text)
		lr.Attributes().PutStr("msg", smp.Text)
		dp := points.AppendEmpty()
		dp.SetIntValue(1)
		dp.Attributes().PutStr("note", smp.Text)
	}
	return td, ld, md
}

// exportedStrings is every string of a file export (names, values, bodies, messages), joined:
// the JSON is decoded, so an escape in the file cannot hide a piece.
func exportedStrings(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatal(err)
		}
		collectStrings(&b, v)
	}
	return b.String()
}

func collectStrings(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
		b.WriteByte('\n')
	case []any:
		for _, e := range x {
			collectStrings(b, e)
		}
	case map[string]any:
		for k, e := range x {
			b.WriteString(k)
			b.WriteByte('\n')
			collectStrings(b, e)
		}
	}
}

// leakedPiece returns random itself when it is at most 12 bytes and found in out, else the
// first 12-byte piece of it found in out, else "".
func leakedPiece(out, random string) string {
	if random == "" {
		return ""
	}
	if len(random) <= 12 {
		if strings.Contains(out, random) {
			return random
		}
		return ""
	}
	for i := 0; i+12 <= len(random); i++ {
		if p := random[i : i+12]; strings.Contains(out, p) {
			return p
		}
	}
	return ""
}
