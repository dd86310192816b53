package authobsprocessor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/authobs/authobsprocessor/internal/metadatatest"
)

// proc is the processor attribute of the own metrics under metadatatest.NewSettings.
var proc = attribute.String("processor", "authobs")

// Fake credentials in real shapes, none live.
const (
	testKey     = "sk-proj-Q7wE9rT2yU4iO6pA8sD1fG3hJ5kL7zX9cV2bN4mQ"
	testJWT     = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTk5OTk5OTk5OX0.c2lnbmF0dXJlLWJ5dGVz"
	testRefresh = "rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
)

// runLogRecord sends one log record with the given attributes through a processor and
// returns the record that came out.
func runLogRecord(t *testing.T, cfg *Config, fill func(lr plog.LogRecord)) plog.LogRecord {
	t.Helper()
	_, lsink, _, consume := newTestProcessors(t, cfg)
	ld := plog.NewLogs()
	fill(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	consume(ld)
	require.Len(t, lsink.AllLogs(), 1)
	return lsink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

func apiRequestLog(extra map[string]any) func(plog.LogRecord) {
	return func(lr plog.LogRecord) {
		attrs := map[string]any{
			"event.name":                "codex.api_request",
			"http.response.status_code": int64(401),
			"auth.header_attached":      true,
			"auth.header_name":          "authorization",
			"auth.request_id":           "req_0a1b2c3d4e5f",
			"auth.cf_ray":               "8f1c2a3b4d5e6f70-SJC",
			"auth.error":                "missing_authorization_header",
			"auth.error_code":           "token_expired",
			"endpoint":                  "/responses",
			"attempt":                   int64(0),
		}
		for k, v := range extra {
			attrs[k] = v
		}
		require.NoError(nil, lr.Attributes().FromRaw(attrs))
	}
}

func attrsOf(m pcommon.Map) map[string]any { return m.AsRaw() }

func TestEvidenceNormalisation(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		in    any
		want  any // nil: dropped
		event string
	}{
		{"known enum kept", "auth.recovery_mode", "managed", "managed", ""},
		{"unknown enum becomes other", "auth.recovery_mode", "sideways", "other", ""},
		{"enum of wrong type becomes other", "auth.outcome", int64(3), "other", "codex.auth_recovery"},
		{"codex auth_mode kept", "auth_mode", "Chatgpt", "Chatgpt", ""},
		{"classification token kept", "auth.error", "token_invalidated", "token_invalidated", ""},
		{"classification with spaces becomes other", "auth.error", "Your token is bad, try again", "other", ""},
		{"over-long classification becomes other", "auth.error_code", strings.Repeat("a", 65), "other", ""},
		{"request id with spaces dropped", "auth.request_id", "req 123", nil, ""},
		{"over-long request id dropped", "auth.request_id", strings.Repeat("r", 65), nil, ""},
		{"cf-ray kept", "auth.cf_ray", "8f1c2a3b4d5e6f70-SJC", "8f1c2a3b4d5e6f70-SJC", ""},
		{"header name lower-cased", "auth.header_name", "Authorization", "authorization", ""},
		{"header value instead of name dropped", "auth.header_name", "Bearer abc", nil, ""},
		{"status as string accepted", "http.response.status_code", "401", "401", ""},
		{"status out of range dropped", "http.response.status_code", int64(42), nil, ""},
		{"bool as string accepted", "auth.header_attached", "true", "true", ""},
		{"bool as other string dropped", "auth.header_attached", "yes", nil, ""},
		{"negative attempt dropped", "attempt", int64(-1), nil, ""},
		{"provider key name forced to configured", "auth.env_provider_key_name", "OPENAI_API_KEY", "configured", ""},
		{"endpoint path kept", "endpoint", "/responses/compact", "/responses/compact", ""},
		{"endpoint URL becomes other", "endpoint", "https://api.example.com/v1/responses", "other", ""},
		{"bug-report tag validated like its twin", "auth_401_request_id", "bad id!", nil, ""},
		{"bug-report outcome enum", "auth_recovery_outcome", "weird", "other", ""},
		{"secret shaped like an id is not an id", "auth.request_id", testKey, nil, ""},
		{"classification holding a secret becomes other", "auth.error", testKey, "other", ""},
	}
	for _, route := range []Route{RouteTraceSafe, RouteLogOnly} {
		for _, tt := range tests {
			t.Run(string(route)+"/"+tt.name, func(t *testing.T) {
				event := tt.event
				if event == "" {
					event = "codex.api_request"
				}
				lr := runLogRecord(t, routeConfig(route), apiRequestLog(map[string]any{"event.name": event, tt.key: tt.in}))
				got, ok := lr.Attributes().Get(tt.key)
				if tt.want == nil {
					if ok {
						t.Errorf("%s should be dropped, got %v", tt.key, got.AsRaw())
					}
					return
				}
				require.True(t, ok)
				assert.Equal(t, tt.want, got.AsRaw())
			})
		}
	}
}

// TestTwinKeysKeepTheirOwnMeaning: auth_mode (Codex: ApiKey|Chatgpt) is not the
// underscore twin of auth.mode (managed|external|none); many instances, since the rule
// tables are built from maps.
func TestTwinKeysKeepTheirOwnMeaning(t *testing.T) {
	for range 20 {
		lr := runLogRecord(t, routeConfig(RouteTraceSafe), apiRequestLog(map[string]any{"auth_mode": "Chatgpt", "auth.mode": "managed", "auth_recovery_mode": "external"}))
		raw := attrsOf(lr.Attributes())
		require.Equal(t, "Chatgpt", raw["auth_mode"])
		require.Equal(t, "managed", raw["auth.mode"])
		require.Equal(t, "external", raw["auth_recovery_mode"])
	}
}

func TestEvidenceIsNotValidatedOnOtherTelemetry(t *testing.T) {
	lr := runLogRecord(t, routeConfig(RouteTraceSafe), func(lr plog.LogRecord) {
		lr.Attributes().PutStr("event.name", "deploy.finished")
		lr.Attributes().PutStr("endpoint", "https://deploy.example.com/hooks")
		lr.Attributes().PutStr("success", "partially")
	})
	assert.Equal(t, map[string]any{"event.name": "deploy.finished", "endpoint": "https://deploy.example.com/hooks", "success": "partially"}, attrsOf(lr.Attributes()))
}

func TestIDPolicies(t *testing.T) {
	cfg := routeConfig(RouteTraceSafe)
	cfg.Evidence.RequestID = IDHash
	cfg.Evidence.CFRay = IDDrop
	lr := runLogRecord(t, cfg, apiRequestLog(nil))
	rid, ok := lr.Attributes().Get("auth.request_id")
	require.True(t, ok)
	assert.Regexp(t, `^sha256:[0-9a-f]{16}$`, rid.Str())
	_, ok = lr.Attributes().Get("auth.cf_ray")
	assert.False(t, ok)

	cfg.Redaction.Fingerprint = &FingerprintConfig{Key: "k"}
	lr = runLogRecord(t, cfg, apiRequestLog(nil))
	rid, _ = lr.Attributes().Get("auth.request_id")
	assert.Regexp(t, `^hmac:[0-9a-f]{16}$`, rid.Str())
}

func TestErrorMessageReduction(t *testing.T) {
	tests := map[string]string{
		"http 401": "http 401",
		"unexpected status 401 Unauthorized: Incorrect API key provided: sk-proj-****Qm4Q, cf-ray: 8f1c2a3b4d5e6f70-SJC, request id: req_123": "http 401",
		"request failed with status code: 503":                "http 503",
		"HTTP/1.1 502 Bad Gateway <html>upstream text</html>": "http 502",
		"429 Too Many Requests: slow down":                    "http 429",
		"connection reset by peer":                            "connection reset by peer",
		"dial failed using Bearer " + testJWT:                 "dial failed using Bearer [REDACTED]",
		"retry 3 of 5 after 250ms":                            "retry 3 of 5 after 250ms",
	}
	for in, want := range tests {
		for _, route := range []Route{RouteTraceSafe, RouteLogOnly} {
			lr := runLogRecord(t, routeConfig(route), apiRequestLog(map[string]any{"error.message": in}))
			got, _ := lr.Attributes().Get("error.message")
			assert.Equal(t, want, got.Str(), "%s: %q", route, in)
		}
	}
}

func TestPersonalDataByRoute(t *testing.T) {
	fill := func(lr plog.LogRecord) {
		require.NoError(t, lr.Attributes().FromRaw(map[string]any{
			"event.name":      "codex.tool_result",
			"user.email":      "dev@example.com",
			"user.account_id": "acct_123",
			"enduser.id":      "u-1",
			"prompt":          "fix the build\nplease",
			"arguments":       `{"path":"/etc"}`,
			"output":          "line1\nline2\nline3",
			"mcp_servers":     "github, linear",
			"mcp_server":      "github",
			"active_profile":  "work",
			"cwd":             "/home/dev/project",
			"tool_name":       "shell",
		}))
	}
	safe := runLogRecord(t, routeConfig(RouteTraceSafe), fill)
	assert.Equal(t, map[string]any{
		"event.name":             "codex.tool_result",
		"tool_name":              "shell",
		"prompt_length":          int64(20),
		"arguments_length":       int64(15),
		"output_length":          int64(17),
		"output_line_count":      int64(3),
		"mcp_server_count":       int64(2),
		"active_profile_present": true,
	}, attrsOf(safe.Attributes()))

	logs := runLogRecord(t, routeConfig(RouteLogOnly), fill)
	assert.Equal(t, "dev@example.com", attrsOf(logs.Attributes())["user.email"])
	assert.Equal(t, "/home/dev/project", attrsOf(logs.Attributes())["cwd"])
	assert.Equal(t, 12, logs.Attributes().Len(), "log_only keeps personal data and adds nothing")
}

func TestAllowlistOnAuthOperations(t *testing.T) {
	extra := map[string]any{
		"http.request.method": "POST", "url.full": "https://api.openai.com/v1/responses", "server.address": "api.openai.com",
		"error.type": "401", "user.email": "dev@example.com", "debug.payload": "raw", "level": "INFO",
	}
	safe := runLogRecord(t, routeConfig(RouteTraceSafe), apiRequestLog(extra))
	for _, k := range []string{"http.request.method", "url.full", "server.address", "error.type", "auth.request_id", "auth.cf_ray"} {
		_, ok := safe.Attributes().Get(k)
		assert.True(t, ok, k)
	}
	for _, k := range []string{"user.email", "debug.payload", "level"} {
		_, ok := safe.Attributes().Get(k)
		assert.False(t, ok, k)
	}
	logs := runLogRecord(t, routeConfig(RouteLogOnly), apiRequestLog(extra))
	assert.Equal(t, len(extra)+10, logs.Attributes().Len(), "log_only keeps every attribute")

	cfg := routeConfig(RouteTraceSafe)
	cfg.Attributes = AttributesConfig{Allow: []string{"level", "user.email"}, Drop: []string{"url.full"}}
	custom := runLogRecord(t, cfg, apiRequestLog(extra))
	raw := attrsOf(custom.Attributes())
	assert.Equal(t, "INFO", raw["level"])
	assert.Equal(t, "dev@example.com", raw["user.email"])
	assert.NotContains(t, raw, "url.full")
}

// TestKeepOnly: attributes.keep_only turns the route into an allowlist on every item, keeps the
// contract's evidence on auth operations, and never widens what another rule drops.
func TestKeepOnly(t *testing.T) {
	for _, route := range []Route{RouteTraceSafe, RouteLogOnly} {
		t.Run(string(route), func(t *testing.T) {
			cfg := routeConfig(route)
			cfg.Attributes = AttributesConfig{KeepOnly: []string{"endpoint", "user.email", "service.name"}}

			other := runLogRecord(t, cfg, func(lr plog.LogRecord) {
				require.NoError(t, lr.Attributes().FromRaw(map[string]any{
					"endpoint": "/v1/models", "user.email": "dev@example.com", "debug.payload": "raw",
					"auth.request_id": "req_0a1b2c3d4e5f",
				}))
			})
			raw := attrsOf(other.Attributes())
			assert.Equal(t, "/v1/models", raw["endpoint"])
			assert.NotContains(t, raw, "debug.payload", "not listed")
			assert.NotContains(t, raw, "auth.request_id", "evidence is only kept on auth operations")
			if route == RouteTraceSafe {
				assert.NotContains(t, raw, "user.email", "listed, but personal data on trace_safe")
			} else {
				assert.Equal(t, "dev@example.com", raw["user.email"])
			}

			auth := attrsOf(runLogRecord(t, cfg, apiRequestLog(map[string]any{"debug.payload": "raw"})).Attributes())
			for _, k := range []string{"auth.header_attached", "auth.header_name", "auth.request_id", "auth.cf_ray", "auth.error", "auth.error_code", "attempt", "http.response.status_code", "endpoint"} {
				assert.Contains(t, auth, k, "evidence of docs/contract.md §3, or listed")
			}
			for _, k := range []string{"debug.payload", "event.name"} {
				assert.NotContains(t, auth, k, "not listed")
			}
		})
	}
}

// TestSecretsEverywhere plants secrets in every place the contract lists and checks
// that none survives on either route while the safe evidence does.
func TestSecretsEverywhere(t *testing.T) {
	secrets := []string{testKey, testJWT, testRefresh, "hunter2hunter2", "Zm9vOmJhcg", "s3cr3tpass"}
	for _, route := range []Route{RouteTraceSafe, RouteLogOnly} {
		t.Run(string(route), func(t *testing.T) {
			tsink, lsink, consumeTraces, consumeLogs := newTestProcessors(t, routeConfig(route))

			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("deployment.token", testRefresh)
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().Attributes().PutStr("config", "api_key="+testKey)
			span := ss.Spans().AppendEmpty()
			span.SetName("POST https://bob:s3cr3tpass@api.example.com/v1?access_token=" + testRefresh)
			span.Status().SetMessage("upstream said: Authorization: Bearer " + testJWT)
			span.Attributes().PutStr("url.full", "https://api.example.com/v1/responses?api_key="+testKey+"&page=2")
			span.Attributes().PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + testKey)
			span.Attributes().PutEmptySlice("http.request.header.cookie").AppendEmpty().SetStr("session=hunter2hunter2")
			nested := span.Attributes().PutEmptyMap("request")
			nested.PutEmptyMap("auth").PutStr("password", "hunter2hunter2")
			nested.PutEmptySlice("history").AppendEmpty().SetStr(`{"refresh_token":"` + testRefresh + `"}`)
			ev := span.Events().AppendEmpty()
			ev.SetName("exception")
			ev.Attributes().PutStr("exception.message", "basic auth failed: Basic Zm9vOmJhcg==")
			link := span.Links().AppendEmpty()
			link.Attributes().PutStr("note", "copied "+testKey)
			consumeTraces(td)

			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			lr.Body().SetEmptyMap().PutStr("authorization", "Bearer "+testKey)
			lr2 := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
			lr2.Body().SetEmptyBytes().FromRaw([]byte("token " + testJWT))
			lr3 := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
			lr3.Body().SetStr("refresh with refresh_token=" + testRefresh)
			lr3.Attributes().PutStr("error.message", "unexpected status 401 Unauthorized: bad key "+testKey)
			consumeLogs(ld)

			out := dumpAll(t, tsink, lsink)
			for _, s := range secrets {
				assert.NotContains(t, out, s)
			}
			assert.Contains(t, out, "https://REDACTED:REDACTED@api.example.com/v1?access_token=REDACTED")
			assert.Contains(t, out, "?api_key=REDACTED&page=2")
			assert.Contains(t, out, "http 401")
		})
	}
}

func dumpAll(t *testing.T, tsink *consumertest.TracesSink, lsink *consumertest.LogsSink) string {
	t.Helper()
	var b strings.Builder
	for _, td := range tsink.AllTraces() {
		j, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		b.Write(j)
	}
	for _, ld := range lsink.AllLogs() {
		j, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		b.Write(j)
	}
	// bytes bodies are base64 in OTLP/JSON: look at them decoded too
	for _, ld := range lsink.AllLogs() {
		rl := ld.ResourceLogs()
		for i := 0; i < rl.Len(); i++ {
			lrs := rl.At(i).ScopeLogs().At(0).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				if lrs.At(k).Body().Type() == pcommon.ValueTypeBytes {
					b.Write(lrs.At(k).Body().Bytes().AsRaw())
				}
			}
		}
	}
	return b.String()
}

func TestMetricsAreRedactedNotRouted(t *testing.T) {
	sink := new(consumertest.MetricsSink)
	mp, err := NewFactory().CreateMetrics(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), routeConfig(RouteTraceSafe), sink)
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("host.name", "vm")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("codex.api_request")
	m.SetUnit("{request}")
	m.Metadata().PutStr("source", "Bearer "+testJWT)
	dp := m.SetEmptySum().DataPoints().AppendEmpty()
	dp.Attributes().PutStr("status", "401")
	dp.Attributes().PutStr("api_key", testKey)
	dp.Attributes().PutStr("url", "https://x.example/?token="+testRefresh)
	dp.Exemplars().AppendEmpty().FilteredAttributes().PutStr("auth", "Bearer "+testJWT)
	require.NoError(t, mp.ConsumeMetrics(context.Background(), md))
	out := sink.AllMetrics()[0].ResourceMetrics().At(0)
	assert.Equal(t, "vm", attrsOf(out.Resource().Attributes())["host.name"], "metrics are not routed")
	pt := out.ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0)
	assert.Equal(t, map[string]any{"status": "401", "api_key": "[REDACTED]", "url": "https://x.example/?token=REDACTED"}, attrsOf(pt.Attributes()))
	assert.Equal(t, map[string]any{"auth": "Bearer [REDACTED]"}, attrsOf(pt.Exemplars().At(0).FilteredAttributes()))
	om := out.ScopeMetrics().At(0).Metrics().At(0)
	assert.Equal(t, "{request}", om.Unit())
	assert.Equal(t, map[string]any{"source": "Bearer [REDACTED]"}, attrsOf(om.Metadata()), "metadata is exported too")
}

func TestLogSeverityTextIsRedacted(t *testing.T) {
	lr := runLogRecord(t, routeConfig(RouteLogOnly), func(lr plog.LogRecord) {
		lr.SetSeverityText("WARN " + testKey)
	})
	assert.Equal(t, "WARN [REDACTED]", lr.SeverityText())
}

func TestAuditModeChangesNothingAndCounts(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := routeConfig(RouteTraceSafe)
	cfg.Mode = ModeAudit
	sink := new(consumertest.LogsSink)
	lp, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	apiRequestLog(map[string]any{"user.email": "dev@example.com", "auth.recovery_mode": "sideways", "note": "key " + testKey})(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	before := plog.NewLogs()
	ld.CopyTo(before)
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	assert.Equal(t, before, sink.AllLogs()[0], "audit mode changes nothing")

	logs := attribute.String("signal", "logs")
	metadatatest.AssertEqualProcessorAuthobsAttributesDropped(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, logs, attribute.String("reason", "allowlist")), Value: 1},
		{Attributes: attribute.NewSet(proc, logs, attribute.String("reason", "personal_data")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorAuthobsValuesNormalized(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, logs, attribute.String("kind", "enum_other")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

func TestTelemetryCounts(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	tp, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tel), routeConfig(RouteTraceSafe), sink)
	require.NoError(t, err)
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	s := spans.AppendEmpty()
	s.SetName("api_request")
	s.Attributes().PutStr("auth.request_id", "req_1")
	s.Attributes().PutStr("url.full", "https://api.example.com/v1/responses?api_key=abc123")
	ev := s.Events().AppendEmpty()
	ev.Attributes().PutStr("event.name", "codex.auth_recovery")
	ev.Attributes().PutStr("auth.step", "teleport")
	spans.AppendEmpty().SetName("fs.read_file")
	require.NoError(t, tp.ConsumeTraces(context.Background(), td))

	traces := attribute.String("signal", "traces")
	metadatatest.AssertEqualProcessorAuthobsItems(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, traces, attribute.String("operation", "api_request")), Value: 1},
		{Attributes: attribute.NewSet(proc, traces, attribute.String("operation", "auth_recovery")), Value: 1},
		{Attributes: attribute.NewSet(proc, traces, attribute.String("operation", "other")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorAuthobsValuesRedacted(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, traces, attribute.String("detector", "query_secret")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorAuthobsValuesNormalized(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, traces, attribute.String("kind", "enum_other")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

// TestOperatorRules: redaction.rules and redaction.rules_file add rules that redact and are
// counted under their own ids; redaction.disable_rules turns a built-in rule off.
func TestOperatorRules(t *testing.T) {
	const (
		acmeKey    = "acme_k3j9x2m8q7w4e6r1t5y0u2i4"
		deployTok  = "acmedt_9f8e7d6c5b4a3f2e1d0c"
		allowedTok = "acmedt_00000000000000000000"
		dynatrace  = "dt0c01.ST2EY72KQINMH574WMNVI7YN.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM"
	)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := routeConfig(RouteLogOnly)
	cfg.Redaction.Rules = []RuleConfig{{ID: "acme-key", Regex: `acme_[a-z0-9]{24}`, Keywords: []string{"acme_"}}}
	cfg.Redaction.RulesFile = filepath.Join("testdata", "rules", "acme.toml")
	cfg.Redaction.DisableRules = []string{"dynatrace-api-token"}
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.LogsSink)
	lp, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Attributes().PutStr("note", "deploy with "+acmeKey)
	lr.Attributes().PutStr("step", "pushed by "+deployTok)
	lr.Attributes().PutStr("fixture", "placeholder "+allowedTok)
	lr.Attributes().PutStr("vendor", "x "+dynatrace+" y")
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))

	raw := attrsOf(sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes())
	assert.Equal(t, "deploy with [REDACTED]", raw["note"])
	assert.Equal(t, "pushed by [REDACTED]", raw["step"])
	assert.Equal(t, "placeholder "+allowedTok, raw["fixture"], "the file rule's allowlist")
	assert.Equal(t, "x "+dynatrace+" y", raw["vendor"], "the disabled built-in rule")
	logs := attribute.String("signal", "logs")
	metadatatest.AssertEqualProcessorAuthobsValuesRedacted(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, logs, attribute.String("detector", "acme-key")), Value: 1},
		{Attributes: attribute.NewSet(proc, logs, attribute.String("detector", "acme-deploy-token")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

func TestInternalFailureFailsClosed(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	calls := 0
	failThird := func() {
		// guarded in order: the resource, the scope, then each record; fail the first record
		calls++
		if calls == 3 {
			panic("impossible state")
		}
	}
	lp, err := hookedFactory(failThird).CreateLogs(context.Background(), metadatatest.NewSettings(tel), routeConfig(RouteLogOnly), sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	records.AppendEmpty().Body().SetStr("secret " + testKey)
	records.AppendEmpty().Body().SetStr("fine")
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))

	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 2, out.Len(), "the batch goes on")
	assert.Equal(t, map[string]any{failClosedAttr: true}, attrsOf(out.At(0).Attributes()))
	assert.Equal(t, pcommon.ValueTypeEmpty, out.At(0).Body().Type())
	assert.Equal(t, "fine", out.At(1).Body().Str())
	metadatatest.AssertEqualProcessorAuthobsItemsFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, attribute.String("signal", "logs"), attribute.String("reason", "internal_error")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

func TestDeepNestingFailsClosed(t *testing.T) {
	lr := runLogRecord(t, routeConfig(RouteLogOnly), func(lr plog.LogRecord) {
		m := lr.Body().SetEmptyMap()
		for range 100 {
			m = m.PutEmptyMap("n")
		}
		m.PutStr("leaf", "Bearer "+testKey)
	})
	depth := 0
	v := lr.Body()
	for v.Type() == pcommon.ValueTypeMap {
		v, _ = v.Map().Get("n")
		depth++
	}
	assert.Equal(t, pcommon.ValueTypeStr, v.Type())
	assert.Equal(t, "[REDACTED]", v.Str())
	assert.LessOrEqual(t, depth, maxDepth+1)
}

func TestSecondPassChangesNothing(t *testing.T) {
	cfg := routeConfig(RouteTraceSafe)
	cfg.Redaction.Fingerprint = &FingerprintConfig{Key: "k"}
	first := runLogRecord(t, cfg, apiRequestLog(map[string]any{"url.full": "https://a.example/?token=" + testRefresh, "error.message": "Bearer " + testJWT}))
	second := runLogRecord(t, cfg, func(lr plog.LogRecord) { first.CopyTo(lr) })
	assert.Equal(t, attrsOf(first.Attributes()), attrsOf(second.Attributes()))
}

// TestFailClosedLeavesNoFreeText: an item that fails closed keeps no field that could hold
// a secret (trace state, metric name), and in audit mode a failure changes nothing.
func TestFailClosedLeavesNoFreeText(t *testing.T) {
	calls := 0
	factory := hookedFactory(func() {
		calls++
		if calls == 3 { // resource, scope, then the item
			panic("impossible state")
		}
	})

	tsink, _, consumeTraces, _ := newTestProcessorsOf(t, factory, routeConfig(RouteLogOnly))
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.TraceState().FromRaw("vendor=" + testKey)
	consumeTraces(td)
	assert.Empty(t, tsink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceState().AsRaw())

	calls = 0
	sink := new(consumertest.MetricsSink)
	mp, err := factory.CreateMetrics(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), routeConfig(RouteLogOnly), sink)
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetName("calls." + testKey)
	require.NoError(t, mp.ConsumeMetrics(context.Background(), md))
	assert.Equal(t, "[REDACTED]", sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Name())

	calls = 0
	audit := routeConfig(RouteLogOnly)
	audit.Mode = ModeAudit
	_, lsink, _, consumeLogs := newTestProcessorsOf(t, factory, audit)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("body")
	before := plog.NewLogs()
	ld.CopyTo(before)
	consumeLogs(ld)
	assert.Equal(t, before, lsink.AllLogs()[0], "audit mode changes nothing, even on failure")
}

// TestNamedEventsKeepTheirOwnPolicy: only events without an event.name inherit the
// operation of their span.
func TestNamedEventsKeepTheirOwnPolicy(t *testing.T) {
	tsink, _, consumeTraces, _ := newTestProcessors(t, routeConfig(RouteTraceSafe))
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("api_request")
	named := span.Events().AppendEmpty()
	named.Attributes().PutStr("event.name", "codex.sse_event")
	named.Attributes().PutStr("event.kind", "response.created")
	unnamed := span.Events().AppendEmpty()
	unnamed.SetName("exception")
	unnamed.Attributes().PutStr("exception.message", "boom")
	consumeTraces(td)
	evs := tsink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Events()
	assert.Equal(t, "response.created", attrsOf(evs.At(0).Attributes())["event.kind"])
	assert.NotContains(t, attrsOf(evs.At(1).Attributes()), "exception.message", "an unnamed event falls under the span's allowlist")
}

// TestEvidenceSecretCheckedAsSent: a secret-shaped id is dropped, not hashed, and audit
// counts what enforce does.
func TestEvidenceSecretCheckedAsSent(t *testing.T) {
	cfg := routeConfig(RouteTraceSafe)
	cfg.Evidence.RequestID = IDHash
	lr := runLogRecord(t, cfg, apiRequestLog(map[string]any{"auth.request_id": "AKIAQ3EXAMPLE7KEY2XZ"}))
	_, ok := lr.Attributes().Get("auth.request_id")
	assert.False(t, ok)
}

// TestNestedPersonalDataOnTraceSafe: personal data inside maps and log bodies goes on
// trace_safe too, and stays on log_only.
func TestNestedPersonalDataOnTraceSafe(t *testing.T) {
	fill := func(lr plog.LogRecord) {
		lr.Attributes().PutEmptyMap("ctx").PutStr("user.email", "dev@example.com")
		body := lr.Body().SetEmptyMap()
		body.PutStr("host.name", "workstation")
		body.PutStr("status", "ok")
	}
	safe := runLogRecord(t, routeConfig(RouteTraceSafe), fill)
	assert.Equal(t, map[string]any{"ctx": map[string]any{}}, attrsOf(safe.Attributes()))
	assert.Equal(t, map[string]any{"status": "ok"}, safe.Body().Map().AsRaw())
	logs := runLogRecord(t, routeConfig(RouteLogOnly), fill)
	assert.Equal(t, "workstation", logs.Body().Map().AsRaw()["host.name"])
}

// hookedFactory is NewFactory whose instances run beforeItem at the start of every
// guarded item (resource, scope, item, in that order).
func hookedFactory(beforeItem func()) processor.Factory {
	return (&factory{beforeItem: beforeItem}).processorFactory()
}

// TestRecoveredPanicLoggedOncePerCause: every guarded item of five batches panics, at two
// places in turn; the log shows each cause once, with the component id and a stack that
// names the place, and nothing of the data — neither the items' secrets nor the panic
// message that quotes one. Every failure is still counted.
func TestRecoveredPanicLoggedOncePerCause(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)

	calls := 0
	var missing map[string]int
	panicEverywhere := func() {
		calls++
		if calls%2 == 0 {
			panic("impossible state near " + testKey)
		}
		missing["x"]++ // a runtime error, at a second place
	}
	sink := new(consumertest.LogsSink)
	lp, err := hookedFactory(panicEverywhere).CreateLogs(context.Background(), set, routeConfig(RouteLogOnly), sink)
	require.NoError(t, err)
	for range 5 {
		ld := plog.NewLogs()
		records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for range 3 {
			records.AppendEmpty().Body().SetStr("secret " + testKey)
		}
		require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	}

	entries := logs.FilterMessageSnippet("internal error").All()
	require.Len(t, entries, 2, "one line per cause, not one per item")
	kinds := map[string]bool{}
	for _, e := range entries {
		fields := e.ContextMap()
		kinds[fields["panic"].(string)] = true
		assert.Equal(t, "authobs", fields["processor"])
		assert.Contains(t, fields["stack"], "TestRecoveredPanicLoggedOncePerCause.func", "the stack names the panicking function")
		assert.Contains(t, fields["stack"], "processor_test.go:")
		for k, v := range fields {
			assert.NotContains(t, v, testKey[8:], "field %s holds data", k)
		}
	}
	assert.Equal(t, map[string]bool{"string": true, "assignment to entry in nil map": true}, kinds)
	metadatatest.AssertEqualProcessorAuthobsItemsFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, attribute.String("signal", "logs"), attribute.String("reason", "internal_error")), Value: 5 * 5},
	}, metricdatatest.IgnoreTimestamp())
}

// TestPanicsInOneScope: guardItems runs a scope's records under one recover; a record
// that panics is failed closed and counted, and every other record of the scope, before,
// between and after the panicking ones, is processed as usual (its secret redacted).
func TestPanicsInOneScope(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	calls := 0
	failSome := func() {
		// guarded in order: the resource, the scope, then each record; fail records 1, 2 and 4
		calls++
		if calls == 4 || calls == 5 || calls == 7 {
			panic("impossible state")
		}
	}
	lp, err := hookedFactory(failSome).CreateLogs(context.Background(), metadatatest.NewSettings(tel), routeConfig(RouteLogOnly), sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range 6 {
		records.AppendEmpty().Body().SetStr("secret " + testKey)
	}
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))

	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 6, out.Len(), "the batch goes on")
	for i := range out.Len() {
		if i == 1 || i == 2 || i == 4 {
			assert.Equal(t, map[string]any{failClosedAttr: true}, attrsOf(out.At(i).Attributes()), "record %d", i)
			assert.Equal(t, pcommon.ValueTypeEmpty, out.At(i).Body().Type(), "record %d", i)
			continue
		}
		assert.Empty(t, attrsOf(out.At(i).Attributes()), "record %d", i)
		assert.NotContains(t, out.At(i).Body().Str(), testKey, "record %d", i)
		assert.Contains(t, out.At(i).Body().Str(), "secret ", "record %d", i)
	}
	assert.Equal(t, 2+6, calls, "the resource, the scope and every record guarded once")
	metadatatest.AssertEqualProcessorAuthobsItemsFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(proc, attribute.String("signal", "logs"), attribute.String("reason", "internal_error")), Value: 3},
	}, metricdatatest.IgnoreTimestamp())
}
