package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.yaml.in/yaml/v3"
)

// exportTimeout bounds the wait for the file exporters (batch 200 ms + flush 100 ms in demo.yaml).
const exportTimeout = 20 * time.Second

// TestComponents checks that the binary is the distribution builder-config.yaml describes,
// with authobs on all three signals.
func TestComponents(t *testing.T) {
	out, err := runCollectorCommand(t, nil, "components")
	if err != nil {
		t.Fatalf("components: %v\n%s", err, out)
	}
	type component struct {
		Name      string            `yaml:"name"`
		Stability map[string]string `yaml:"stability"`
	}
	var got struct {
		Receivers  []component `yaml:"receivers"`
		Processors []component `yaml:"processors"`
		Exporters  []component `yaml:"exporters"`
	}
	if err := yaml.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("components output is not YAML: %v\n%s", err, out)
	}
	index := func(cs []component) map[string]component {
		m := map[string]component{}
		for _, c := range cs {
			m[c.Name] = c
		}
		return m
	}
	for kind, want := range map[string]struct {
		have  map[string]component
		names []string
	}{
		"receivers":  {index(got.Receivers), []string{"otlp"}},
		"processors": {index(got.Processors), []string{"authobs", "batch", "memory_limiter"}},
		"exporters":  {index(got.Exporters), []string{"otlp_grpc", "otlp_http", "debug", "file"}},
	} {
		for _, name := range want.names {
			if _, ok := want.have[name]; !ok {
				t.Errorf("%s: %s missing", kind, name)
			}
		}
	}
	authobs := index(got.Processors)["authobs"]
	for _, signal := range []string{"traces", "logs", "metrics"} {
		if authobs.Stability[signal] == "" {
			t.Errorf("authobs is not listed for %s: %v", signal, authobs.Stability)
		}
	}

	out, err = runCollectorCommand(t, nil, "--version")
	if err != nil || !strings.HasPrefix(out, "otelcol-authobs version ") {
		t.Errorf("--version: %v: %q", err, out)
	}
}

// validateEnv holds the variables the example configurations require; everything else has a
// default in the file.
func validateEnv(t *testing.T) map[string]string {
	return map[string]string{
		"AUTHOBS_FINGERPRINT_KEY":     "e2e-fingerprint-key-0123456789abcdef",
		"AUTHOBS_TRACE_BACKEND_TOKEN": "e2e-token",
		"AUTHOBS_DEMO_DIR":            t.TempDir(),
	}
}

// TestValidateConfigs runs `validate` on every example of config/: each must be accepted as
// shipped, so no example drifts from the components it names.
func TestValidateConfigs(t *testing.T) {
	configs, err := filepath.Glob(filepath.Join(repoRoot(t), "config", "*.yaml"))
	if err != nil || len(configs) == 0 {
		t.Fatalf("no config/*.yaml: %v", err)
	}
	for _, path := range configs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if out, err := runCollectorCommand(t, validateEnv(t), "validate", "--config", path); err != nil {
				t.Errorf("validate %s: %v\n%s", path, err, out)
			}
		})
	}
}

// TestValidateRejectsInvalidAuthobs checks that the binary refuses an invalid authobs block at
// start-up with an error naming the key.
func TestValidateRejectsInvalidAuthobs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		authobs string // the processor's YAML block, indented by four spaces
		want    string // the part of the error that names the key
	}{
		{"unknown route", "    route: nope\n", "route: "},
		{"unknown mode", "    mode: loud\n", "mode: "},
		{"unknown id policy", "    evidence:\n      request_id: maybe\n", "evidence.request_id: "},
		{"unknown key", "    rout: trace_safe\n", "invalid keys: rout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "invalid.yaml")
			cfg := "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n" +
				"processors:\n  authobs:\n" + tc.authobs +
				"exporters:\n  debug: {}\n" +
				"service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [authobs]\n      exporters: [debug]\n"
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runCollectorCommand(t, nil, "validate", "--config", path)
			if err == nil {
				t.Fatalf("validate accepted:\n%s", cfg)
			}
			if !strings.Contains(out, "authobs") || !strings.Contains(out, tc.want) {
				t.Errorf("error does not name authobs and %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestDemoFanOut runs config/demo.yaml and replays every Codex capture over OTLP/HTTP and again
// over gRPC: each route's file must receive every item (nothing lost, nothing duplicated), and
// the collector must shut down cleanly on SIGTERM without logging an error.
func TestDemoFanOut(t *testing.T) {
	col, ep := startCollector(t, filepath.Join(repoRoot(t), "config", "demo.yaml"), nil)

	var sent Counts
	for _, name := range codexScenarios(t) {
		f := loadFixture(t, name)
		sent = sent.add(sendFixture(t, ep, OverHTTP, f))
		sent = sent.add(sendFixture(t, ep, OverGRPC, f))
	}
	sent = sent.add(sendMetrics(t, ep, OverHTTP, sampleMetrics()))
	if sent.Spans == 0 || sent.LogRecords == 0 {
		t.Fatalf("nothing sent: %+v", sent)
	}

	// trace_safe gets traces and metrics; log_only gets logs and the trusted copy of the traces.
	wantTraceSafe := Counts{Spans: sent.Spans, DataPoints: sent.DataPoints}
	wantLogOnly := Counts{Spans: sent.Spans, LogRecords: sent.LogRecords}
	waitFileExport(t, ep.TraceSafeFile(), wantTraceSafe, exportTimeout)
	waitFileExport(t, ep.LogOnlyFile(), wantLogOnly, exportTimeout)

	if err := col.Stop(); err != nil {
		t.Fatalf("collector exit after SIGTERM: %v\n%s", err, col.Logs())
	}
	if bad := col.ErrorLogLines(); len(bad) > 0 {
		t.Errorf("error-level log lines:\n%s", strings.Join(bad, "\n"))
	}
	// After shutdown the files are final: exactly what was sent, no duplicates.
	if got := readFileExport(t, ep.TraceSafeFile()).Counts(); got != wantTraceSafe {
		t.Errorf("trace_safe.jsonl: have %+v, want %+v", got, wantTraceSafe)
	}
	if got := readFileExport(t, ep.LogOnlyFile()).Counts(); got != wantLogOnly {
		t.Errorf("log_only.jsonl: have %+v, want %+v", got, wantLogOnly)
	}
	t.Logf("sent %+v", sent)
}

// sampleMetrics is a small gauge for the metrics/trace_safe pipeline (the captures hold no
// metrics).
func sampleMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "authobs-e2e")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("authobs.e2e.gauge")
	g := m.SetEmptyGauge()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i, route := range []string{"trace_safe", "log_only"} {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetIntValue(int64(i))
		dp.Attributes().PutStr("route", route)
	}
	return md
}
