// Package migration sends the same telemetry through contrib's redactionprocessor with an
// operator's configuration (testdata/redaction.yaml) and through authobs with its translation
// (testdata/authobs.yaml, the example of README.md "Migrating from redactionprocessor"), and
// compares what each lets through, case by case.
package migration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authobs/authobsprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"
)

// hmacKey stands for ${env:REDACTION_SECRET_KEY} in both configurations.
const hmacKey = "migration-test-hmac-key-0123456789abcdef0123456789"

// A case is one attribute (on a span and on a log record) or the log body. watch is the part
// that must not pass if it is a secret; a case passes a processor when watch is still in the
// output. The expectations were read from the two processors' documented behaviour and then
// checked against this run.
type migrationCase struct {
	name, key string
	value     any // string or int64
	watch     string
	secret    bool
	// passes through redactionprocessor / through authobs
	redaction, authobs bool
}

var cases = []migrationCase{
	// Secrets both stop.
	{"bearer header", "http.request.header.authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtaWdyYXRpb24ifQ.c2lnbmF0dXJlLW1pZ3JhdGlvbg",
		"eyJzdWIiOiJtaWdyYXRpb24ifQ", true, false, false},
	{"api key under its name", "api_key", "sk-proj-Mi9rAt1onK3yAbCdEfGhIjKlMnOpQrStUvWxYz012345", "Mi9rAt1onK3y", true, false, false},
	{"password under its name", "db.password", "hunter2hunter2", "hunter2hunter2", true, false, false},
	{"card number in text", "payment.note", "paid with 4111111111111111 today", "4111111111111111", true, false, false},
	// Secrets only authobs stops: no pattern of the operator's list knows them.
	{"credentials in a URL", "url.full", "https://svc:Sup3rS3cretPw@db.example.com/orders", "Sup3rS3cretPw", true, true, false},
	{"GitHub token in text", "note", "deploy with ghp_Zq8sL2vN4xW6yB1cD3eF5gH7jK9mP0rT2uV4", "ghp_Zq8sL2vN4xW6yB1cD3eF5gH7jK9mP0rT2uV4", true, true, false},
	{"AWS access key id", "message", "key AKIAZ3MSJV4WXYPL7QHD rotated", "AKIAZ3MSJV4WXYPL7QHD", true, true, false},
	{"secret query parameter", "http.url", "https://api.example.com/v1/items?page=2&access_token=Zm9vYmFyYmF6cXV4MTIzNDU2", "Zm9vYmFyYmF6cXV4MTIzNDU2", true, true, false},
	// A secret only redactionprocessor stops: redact_all_types inspects numbers, authobs does not.
	{"card number as an int", "payment.card", int64(4111111111111111), "4111111111111111", true, false, true},
	// A clean value only authobs keeps: `.*token.*` also matches a key that describes tokens.
	{"token count", "input_token_count", int64(1234), "1234", false, false, true},
	// Clean values both keep.
	{"route", "http.route", "/v1/orders/{id}", "/v1/orders/{id}", false, true, true},
	{"request id", "request.id", "req_7f3a9c2e41b8", "req_7f3a9c2e41b8", false, true, true},
	{"email on a trusted route", "user.email", "jane@example.com", "jane@example.com", false, true, true},
	{"statement", "db.query.text", "SELECT id FROM orders WHERE status = 'open'", "SELECT id FROM orders WHERE status = 'open'", false, true, true},
}

// bodyCase is the log record body: a leaky error message.
var bodyCase = struct {
	value string
	watch []string // secrets in it
	// which of watch pass through redactionprocessor / authobs
	redaction, authobs []bool
}{
	"login failed: Authorization: Bearer abc123.def456.ghi789 password=hunter22 for jane@example.com",
	[]string{"abc123.def456.ghi789", "hunter22"},
	[]bool{false, true},
	[]bool{false, false},
}

func TestMigrationFromRedactionProcessor(t *testing.T) {
	redaction := loadConfig(t, "redaction.yaml", "redaction", redactionprocessor.NewFactory())
	authobs := loadConfig(t, "authobs.yaml", "authobs/log_only", authobsprocessor.NewFactory())

	outcomes := map[string][2]bool{} // case name -> passes through redaction, authobs
	for i, p := range []struct {
		factory processor.Factory
		cfg     component.Config
	}{{redactionprocessor.NewFactory(), redaction}, {authobsprocessor.NewFactory(), authobs}} {
		td, ld := runProcessor(t, p.factory, p.cfg)
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
		for _, c := range cases {
			inSpan, inLog := passes(span.Attributes(), c), passes(lr.Attributes(), c)
			if inSpan != inLog {
				t.Errorf("%s: %s treats span (%v) and log record (%v) differently", c.name, p.factory.Type(), inSpan, inLog)
			}
			o := outcomes[c.name]
			o[i] = inSpan
			outcomes[c.name] = o
		}
		body := lr.Body().AsString()
		for j, w := range bodyCase.watch {
			want := bodyCase.redaction[j]
			if i == 1 {
				want = bodyCase.authobs[j]
			}
			if got := strings.Contains(body, w); got != want {
				t.Errorf("log body secret %q passes %s: %v, want %v (body %q)", w, p.factory.Type(), got, want, body)
			}
		}
	}

	for _, c := range cases {
		got := outcomes[c.name]
		if got[0] != c.redaction || got[1] != c.authobs {
			t.Errorf("%s (%s): passes redaction=%v authobs=%v, want redaction=%v authobs=%v",
				c.name, c.key, got[0], got[1], c.redaction, c.authobs)
		}
		if c.secret && got[1] && !got[0] {
			t.Logf("known gap: %s passes authobs but not redactionprocessor", c.name)
		}
	}
}

// passes reports whether the watched part of case c is still in m under its key.
func passes(m pcommon.Map, c migrationCase) bool {
	v, ok := m.Get(c.key)
	return ok && strings.Contains(v.AsString(), c.watch)
}

// loadConfig reads the processor's block id of testdata/file into the factory's default
// configuration (with the HMAC key in place of its ${env:...}) and validates it.
func loadConfig(t *testing.T, file, id string, f processor.Factory) component.Config {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := yaml.Unmarshal([]byte(strings.ReplaceAll(string(raw), "${env:REDACTION_SECRET_KEY}", hmacKey)), &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	block, ok := doc[id]
	if !ok {
		t.Fatalf("%s has no %s", file, id)
	}
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(block).Unmarshal(cfg); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return cfg
}

// runProcessor sends one span and one log record carrying every case through a processor.
func runProcessor(t *testing.T, f processor.Factory, cfg component.Config) (ptrace.Traces, plog.Logs) {
	t.Helper()
	ctx := context.Background()
	set := processortest.NewNopSettings(f.Type())
	traces, logs := new(consumertest.TracesSink), new(consumertest.LogsSink)
	tp, err := f.CreateTraces(ctx, set, cfg, traces)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := f.CreateLogs(ctx, set, cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []component.Component{tp, lp} {
		if err := c.Start(ctx, componenttest.NewNopHost()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Shutdown(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}

	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("GET /v1/orders")
	span.SetTraceID(pcommon.TraceID{1})
	span.SetSpanID(pcommon.SpanID{1})
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(bodyCase.value)
	for _, m := range []pcommon.Map{span.Attributes(), lr.Attributes()} {
		for _, c := range cases {
			switch v := c.value.(type) {
			case string:
				m.PutStr(c.key, v)
			case int64:
				m.PutInt(c.key, v)
			}
		}
	}
	if err := tp.ConsumeTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	if err := lp.ConsumeLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	if len(traces.AllTraces()) != 1 || len(logs.AllLogs()) != 1 {
		t.Fatalf("%s passed on %d traces and %d logs batches, want 1 and 1", f.Type(), len(traces.AllTraces()), len(logs.AllLogs()))
	}
	return traces.AllTraces()[0], logs.AllLogs()[0]
}
