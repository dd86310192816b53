package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestCodexFixturesLoad checks that pdata reads the Codex captures losslessly: the records,
// spans and attributes a plain JSON walk finds are all in the pdata result. Codex writes
// `"body": null`, `"entityRefs": []` and zero-valued fields; pdata accepts them as is.
func TestCodexFixturesLoad(t *testing.T) {
	for _, name := range codexScenarios(t) {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			if len(f.Logs) == 0 || len(f.Traces) == 0 {
				t.Fatalf("want logs and traces, have %d log and %d trace requests", len(f.Logs), len(f.Traces))
			}

			var wantRecords, wantRecordAttrs, wantNullBodies int
			for _, line := range readLines(t, filepath.Join(repoRoot(t), "testdata", "codex", name, "otlp_logs.jsonl")) {
				var req struct {
					ResourceLogs []struct {
						ScopeLogs []struct {
							LogRecords []struct {
								Body       json.RawMessage   `json:"body"`
								Attributes []json.RawMessage `json:"attributes"`
							} `json:"logRecords"`
						} `json:"scopeLogs"`
					} `json:"resourceLogs"`
				}
				if err := json.Unmarshal(line, &req); err != nil {
					t.Fatal(err)
				}
				for _, rl := range req.ResourceLogs {
					for _, sl := range rl.ScopeLogs {
						for _, lr := range sl.LogRecords {
							wantRecords++
							wantRecordAttrs += len(lr.Attributes)
							if string(lr.Body) == "null" {
								wantNullBodies++
							}
						}
					}
				}
			}
			var gotRecordAttrs, gotEmptyBodies int
			for _, ld := range f.Logs {
				for _, rl := range ld.ResourceLogs().All() {
					for _, sl := range rl.ScopeLogs().All() {
						for _, lr := range sl.LogRecords().All() {
							gotRecordAttrs += lr.Attributes().Len()
							if lr.Body().Type() == pcommon.ValueTypeEmpty {
								gotEmptyBodies++
							}
						}
					}
				}
			}
			if got := fixtureCounts(f).LogRecords; got != wantRecords {
				t.Errorf("log records: pdata %d, JSON %d", got, wantRecords)
			}
			if gotRecordAttrs != wantRecordAttrs {
				t.Errorf("log record attributes: pdata %d, JSON %d", gotRecordAttrs, wantRecordAttrs)
			}
			if gotEmptyBodies != wantNullBodies {
				t.Errorf(`"body": null: %d in JSON, %d empty bodies in pdata`, wantNullBodies, gotEmptyBodies)
			}

			var wantSpans, wantSpanAttrs, wantEvents, wantEventAttrs int
			for _, line := range readLines(t, filepath.Join(repoRoot(t), "testdata", "codex", name, "otlp_traces.jsonl.gz")) {
				var req struct {
					ResourceSpans []struct {
						ScopeSpans []struct {
							Spans []struct {
								Attributes []json.RawMessage `json:"attributes"`
								Events     []struct {
									Attributes []json.RawMessage `json:"attributes"`
								} `json:"events"`
							} `json:"spans"`
						} `json:"scopeSpans"`
					} `json:"resourceSpans"`
				}
				if err := json.Unmarshal(line, &req); err != nil {
					t.Fatal(err)
				}
				for _, rs := range req.ResourceSpans {
					for _, ss := range rs.ScopeSpans {
						for _, sp := range ss.Spans {
							wantSpans++
							wantSpanAttrs += len(sp.Attributes)
							wantEvents += len(sp.Events)
							for _, ev := range sp.Events {
								wantEventAttrs += len(ev.Attributes)
							}
						}
					}
				}
			}
			var gotSpanAttrs, gotEvents, gotEventAttrs int
			for _, td := range f.Traces {
				for _, rs := range td.ResourceSpans().All() {
					for _, ss := range rs.ScopeSpans().All() {
						for _, sp := range ss.Spans().All() {
							gotSpanAttrs += sp.Attributes().Len()
							gotEvents += sp.Events().Len()
							for _, ev := range sp.Events().All() {
								gotEventAttrs += ev.Attributes().Len()
							}
						}
					}
				}
			}
			if got := fixtureCounts(f).Spans; got != wantSpans {
				t.Errorf("spans: pdata %d, JSON %d", got, wantSpans)
			}
			if gotSpanAttrs != wantSpanAttrs || gotEvents != wantEvents || gotEventAttrs != wantEventAttrs {
				t.Errorf("span attributes/events/event attributes: pdata %d/%d/%d, JSON %d/%d/%d",
					gotSpanAttrs, gotEvents, gotEventAttrs, wantSpanAttrs, wantEvents, wantEventAttrs)
			}
			t.Logf("%d log records (%d null bodies), %d spans, %d span events", wantRecords, wantNullBodies, wantSpans, wantEvents)
		})
	}
}
