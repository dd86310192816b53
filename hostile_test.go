package authobsprocessor

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/authobs/authobsprocessor/internal/metadatatest"
)

// Hostile input: every case is planted in every place of docs/contract.md §4 on both routes, and
// must come out redacted or dropped, counted in the processor's own metrics, with no item
// lost and no panic.

var routes = []Route{RouteTraceSafe, RouteLogOnly}

// hostileRand makes fresh-looking secrets: generated, never copied from anywhere, and the
// same on every run so a failure reproduces.
func hostileRand() *rand.Rand { return rand.New(rand.NewPCG(5, 2026)) }

func randToken(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	base62   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperNum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// hostileValue is a value hiding a secret, and the fragments of it that must not survive.
type hostileValue struct {
	name      string
	value     string
	fragments []string
}

func hostileValues() []hostileValue {
	r := hostileRand()
	tok := func(n int) string { return randToken(r, base62, n) }
	b64 := base64.StdEncoding.EncodeToString
	b64url := base64.RawURLEncoding.EncodeToString
	percentAll := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	}
	var vs []hostileValue
	add := func(name, value string, fragments ...string) {
		vs = append(vs, hostileValue{name, value, fragments})
	}

	k := tok(40)
	add("openai project key", "sk-proj-"+k, k[:20], k[20:])
	k = tok(48)
	add("anthropic key", "upstream said sk-ant-api03-"+k+" is invalid", k[:16], k[16:32])
	k = tok(36)
	add("github token", "ghp_"+k, k[:18], k[18:])
	k = randToken(r, upperNum, 16)
	add("aws access key id", "AKIA"+k, k)
	k = tok(35)
	add("google api key", "AIza"+k, k[:16], k[16:])
	k = tok(24)
	add("slack bot token", "xoxb-123456789012-123456789012-"+k, k)
	k = tok(24)
	add("stripe secret key", "sk_live_"+k, k)
	jwt := b64url([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64url([]byte(`{"sub":"`+tok(12)+`","exp":1999999999}`)) + "." + tok(43)
	add("bearer jwt header line", "Authorization: Bearer "+jwt, jwt[37:60], jwt[len(jwt)-20:])
	k = tok(32)
	add("cookie header", "Cookie: session="+k+"; theme=dark", k)
	pw := tok(16)
	add("credentials in a URL", "postgres://svc:"+pw+"@db.internal:5432/app", pw)
	k = tok(32)
	add("secret query parameter", "https://api.example.com/v1/files?api_key="+k+"&page=2", k)
	body := tok(64)
	add("pem private key", "-----BEGIN EC PRIVATE KEY-----\n"+body+"\n-----END EC PRIVATE KEY-----", body[:32], body[32:])
	pw = tok(16)
	add("password in yaml", "db:\n  password: "+pw+"\n  host: db", pw)
	pw = tok(16)
	add("password in markup", "<config><password>"+pw+"</password></config>", pw)
	pw = tok(16)
	basic := b64([]byte("alice:" + pw))
	add("basic credentials", "Authorization: Basic "+basic, basic[4:])
	k = tok(32)
	wrapped := b64([]byte(`{"access_token":"` + k + `","token_type":"Bearer","expires_in":3600}`))
	add("base64 of a token response", "payload "+wrapped, wrapped[8:40], wrapped[40:72])
	k = tok(12)
	short := b64([]byte("token=" + k))
	add("base64 of key=value", short, short[:16])
	k = tok(32)
	add("url-encoded header", url.QueryEscape("Authorization: Bearer "+k), k)
	k = tok(24)
	add("url-encoded form", "grant_type=refresh_token&refresh_token%3D"+k, k)
	k = tok(24)
	add("double url-encoded", url.QueryEscape(url.QueryEscape("access_token="+k)), k)
	k = tok(40)
	add("every byte percent-encoded", percentAll("sk-proj-"+k), percentAll(k[:12]))
	k = tok(24)
	add("json unicode escapes", `{\u0022access_token\u0022:\u0022`+k+`\u0022}`, k)
	pw = tok(16)
	add("json escaped slashes", `{"dsn":"https:\/\/svc:`+pw+`@db.internal\/app"}`, pw)
	k = tok(40)
	add("escaped line break before key", `Bearer\n`+"sk-proj-"+k, k[:20])
	k = tok(40)
	add("key split by a space", "sk-proj-"+k[:10]+" "+k[10:], k[10:30])
	k = tok(36)
	add("key split by a line break", "ghp_"+k[:18]+"\n"+k[18:], k[18:])
	k = tok(40)
	add("key wrapped over lines", "sk-proj-"+k[:20]+"\r\n"+k[20:], k[20:])
	basic = b64([]byte("bob:" + tok(16)))
	add("basic split by whitespace", "Basic "+basic[:8]+" "+basic[8:], basic[8:])
	k = tok(40)
	add("nul bytes and invalid utf-8", "\x00\xff"+"sk-proj-"+k+"\xfe\x00", k[:20])
	k = tok(40)
	add("glued to a word", "apikey-sk-proj-"+k, k[:20])
	k = tok(40)
	// a marker-less token is a secret in credential context only (issue 8 item 4): the same
	// token after `note` is an identifier, see corpus_test.go
	add("no marker, random, after a secret word", "note: the secret is "+k, k[:20])
	k = tok(44)
	add("vault token", "VAULT_TOKEN is hvs."+k, k[:20])
	k = tok(40)
	hexed := fmt.Sprintf("%x", "sk-proj-"+k)
	add("hex-encoded key", "dump "+hexed, hexed[16:48])
	k = tok(24)
	add("slack webhook url", "https://hooks.slack.com/services/T0"+randToken(r, upperNum, 8)+"/B0"+randToken(r, upperNum, 8)+"/"+k, k)
	k = tok(24)
	add("html-escaped json", "<pre>{&quot;refresh_token&quot;:&quot;"+k+"&quot;}</pre>", k)
	return vs
}

// hostileBatches builds one batch per signal with v in every place the contract lists,
// on an "other" item and on an auth operation.
func hostileBatches(v string) (ptrace.Traces, plog.Logs, pmetric.Metrics, int) {
	places := 0
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("deployment.note", v)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(v)
	ss.Scope().Attributes().PutStr("scope.note", v)
	places += 3
	for _, name := range []string{v, "api_request"} {
		span := ss.Spans().AppendEmpty()
		span.SetName(name)
		span.Attributes().PutStr("note", v)
		span.Attributes().PutStr("url.full", v)
		span.Attributes().PutEmptySlice("list").AppendEmpty().SetStr(v)
		span.Attributes().PutEmptyMap("nested").PutStr("inner", v)
		span.Attributes().PutEmptyBytes("raw").FromRaw([]byte(v))
		span.Status().SetMessage(v)
		ev := span.Events().AppendEmpty()
		ev.SetName(v)
		ev.Attributes().PutStr("exception.message", v)
		span.Links().AppendEmpty().Attributes().PutStr("link.note", v)
		places += 9
	}
	places-- // the auth span's name is the operation name, not the value

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("deployment.note", v)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(v)
	sl.Scope().Attributes().PutStr("scope.note", v)
	places += 3
	for _, event := range []string{"app.event", "codex.api_request"} {
		for _, body := range []func(pcommon.Value){
			func(b pcommon.Value) { b.SetStr(v) },
			func(b pcommon.Value) { b.SetEmptyMap().PutStr("msg", v) },
			func(b pcommon.Value) { b.SetEmptySlice().AppendEmpty().SetStr(v) },
			func(b pcommon.Value) { b.SetEmptyBytes().FromRaw([]byte(v)) },
		} {
			lr := sl.LogRecords().AppendEmpty()
			lr.Attributes().PutStr("event.name", event)
			lr.Attributes().PutStr("note", v)
			lr.Attributes().PutStr("error.message", v)
			lr.SetEventName(v)
			body(lr.Body())
			places += 4
		}
	}

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("deployment.note", v)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(v)
	sm.Scope().Attributes().PutStr("scope.note", v)
	m := sm.Metrics().AppendEmpty()
	m.SetName("app.requests")
	dp := m.SetEmptySum().DataPoints().AppendEmpty()
	dp.Attributes().PutStr("note", v)
	dp.Attributes().PutEmptyBytes("raw").FromRaw([]byte(v))
	dp.Exemplars().AppendEmpty().FilteredAttributes().PutStr("note", v)
	h := sm.Metrics().AppendEmpty()
	h.SetName("app.latency")
	h.SetEmptyHistogram().DataPoints().AppendEmpty().Attributes().PutStr("note", v)
	places += 8
	return td, ld, md, places
}

// hostileRun is one processor per signal with its own telemetry.
type hostileRun struct {
	tel    *componenttest.Telemetry
	tsink  *consumertest.TracesSink
	lsink  *consumertest.LogsSink
	msink  *consumertest.MetricsSink
	traces processor.Traces
	logs   processor.Logs
	mets   processor.Metrics
}

func newHostileRun(t testing.TB, cfg *Config) *hostileRun {
	t.Helper()
	return newHostileRunOf(t, NewFactory(), cfg)
}

// newHostileRunOf builds the three processors from one factory: they share one instance.
func newHostileRunOf(t testing.TB, factory processor.Factory, cfg *Config) *hostileRun {
	t.Helper()
	h := &hostileRun{tel: componenttest.NewTelemetry(), tsink: new(consumertest.TracesSink), lsink: new(consumertest.LogsSink), msink: new(consumertest.MetricsSink)}
	set := metadatatest.NewSettings(h.tel)
	var err error
	h.traces, err = factory.CreateTraces(context.Background(), set, cfg, h.tsink)
	require.NoError(t, err)
	h.logs, err = factory.CreateLogs(context.Background(), set, cfg, h.lsink)
	require.NoError(t, err)
	h.mets, err = factory.CreateMetrics(context.Background(), set, cfg, h.msink)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, h.tel.Shutdown(context.Background())) })
	return h
}

func (h *hostileRun) consume(t testing.TB, td ptrace.Traces, ld plog.Logs, md pmetric.Metrics) {
	t.Helper()
	ctx := context.Background()
	require.NotPanics(t, func() {
		require.NoError(t, h.traces.ConsumeTraces(ctx, td))
		require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
		require.NoError(t, h.mets.ConsumeMetrics(ctx, md))
	})
}

// counted sums every data point of a processor metric (0 when it has none).
func (h *hostileRun) counted(t testing.TB, name string) int64 {
	t.Helper()
	m, err := h.tel.GetMetric("otelcol_processor_authobs_" + name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a sum", name)
	var n int64
	for _, dp := range sum.DataPoints {
		n += dp.Value
	}
	return n
}

// countedBy returns a processor metric's value per attribute value of key.
func (h *hostileRun) countedBy(t testing.TB, name, key string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := h.tel.GetMetric("otelcol_processor_authobs_" + name)
	if err != nil {
		return out
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(attribute.Key(key))
		out[v.AsString()] += dp.Value
	}
	return out
}

// handled is everything the processor counted as changed: values redacted, attributes
// dropped, values normalised, items failed closed.
func (h *hostileRun) handled(t testing.TB) int64 {
	return h.counted(t, "values_redacted") + h.counted(t, "attributes_dropped") +
		h.counted(t, "values_normalized") + h.counted(t, "items_fail_closed")
}

// text is every string the outputs hold — keys, values (bytes raw), names, messages,
// scope names and versions — so a fragment test sees what an exporter would send.
func (h *hostileRun) text() string {
	var b strings.Builder
	var value func(v pcommon.Value)
	attrs := func(m pcommon.Map) {
		m.Range(func(k string, v pcommon.Value) bool {
			b.WriteString(k)
			b.WriteByte('\n')
			value(v)
			return true
		})
	}
	value = func(v pcommon.Value) {
		switch v.Type() {
		case pcommon.ValueTypeMap:
			attrs(v.Map())
		case pcommon.ValueTypeSlice:
			for i := 0; i < v.Slice().Len(); i++ {
				value(v.Slice().At(i))
			}
		case pcommon.ValueTypeBytes:
			b.Write(v.Bytes().AsRaw())
		default:
			b.WriteString(v.AsString())
		}
		b.WriteByte('\n')
	}
	scope := func(s pcommon.InstrumentationScope) {
		b.WriteString(s.Name() + "\n" + s.Version() + "\n")
		attrs(s.Attributes())
	}
	for _, td := range h.tsink.AllTraces() {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			attrs(rs.Resource().Attributes())
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j)
				scope(ss.Scope())
				for k := 0; k < ss.Spans().Len(); k++ {
					sp := ss.Spans().At(k)
					b.WriteString(sp.Name() + "\n" + sp.Status().Message() + "\n" + sp.TraceState().AsRaw() + "\n")
					attrs(sp.Attributes())
					for e := 0; e < sp.Events().Len(); e++ {
						b.WriteString(sp.Events().At(e).Name() + "\n")
						attrs(sp.Events().At(e).Attributes())
					}
					for l := 0; l < sp.Links().Len(); l++ {
						b.WriteString(sp.Links().At(l).TraceState().AsRaw() + "\n")
						attrs(sp.Links().At(l).Attributes())
					}
				}
			}
		}
	}
	for _, ld := range h.lsink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			attrs(rl.Resource().Attributes())
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				sl := rl.ScopeLogs().At(j)
				scope(sl.Scope())
				for k := 0; k < sl.LogRecords().Len(); k++ {
					lr := sl.LogRecords().At(k)
					b.WriteString(lr.EventName() + "\n")
					attrs(lr.Attributes())
					value(lr.Body())
				}
			}
		}
	}
	for _, md := range h.msink.AllMetrics() {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			rm := md.ResourceMetrics().At(i)
			attrs(rm.Resource().Attributes())
			for j := 0; j < rm.ScopeMetrics().Len(); j++ {
				sm := rm.ScopeMetrics().At(j)
				scope(sm.Scope())
				for k := 0; k < sm.Metrics().Len(); k++ {
					m := sm.Metrics().At(k)
					b.WriteString(m.Name() + "\n" + m.Description() + "\n")
					switch m.Type() {
					case pmetric.MetricTypeSum:
						for d := 0; d < m.Sum().DataPoints().Len(); d++ {
							dp := m.Sum().DataPoints().At(d)
							attrs(dp.Attributes())
							for x := 0; x < dp.Exemplars().Len(); x++ {
								attrs(dp.Exemplars().At(x).FilteredAttributes())
							}
						}
					case pmetric.MetricTypeHistogram:
						for d := 0; d < m.Histogram().DataPoints().Len(); d++ {
							attrs(m.Histogram().DataPoints().At(d).Attributes())
						}
					case pmetric.MetricTypeGauge:
						for d := 0; d < m.Gauge().DataPoints().Len(); d++ {
							attrs(m.Gauge().DataPoints().At(d).Attributes())
						}
					}
				}
			}
		}
	}
	return b.String()
}

// itemCounts are the items of all three signals that reached the sinks.
func (h *hostileRun) itemCounts() [3]int {
	var c [3]int
	for _, td := range h.tsink.AllTraces() {
		c[0] += td.SpanCount()
	}
	for _, ld := range h.lsink.AllLogs() {
		c[1] += ld.LogRecordCount()
	}
	for _, md := range h.msink.AllMetrics() {
		c[2] += md.DataPointCount()
	}
	return c
}

// TestHostileValuesEverywhere: each hostile value in every place, on both routes.
func TestHostileValuesEverywhere(t *testing.T) {
	for _, route := range routes {
		for _, hv := range hostileValues() {
			t.Run(string(route)+"/"+hv.name, func(t *testing.T) {
				h := newHostileRun(t, routeConfig(route))
				td, ld, md, places := hostileBatches(hv.value)
				want := [3]int{td.SpanCount(), ld.LogRecordCount(), md.DataPointCount()}
				h.consume(t, td, ld, md)
				assert.Equal(t, want, h.itemCounts(), "no item lost")
				out := h.text()
				for _, f := range hv.fragments {
					require.NotContains(t, out, f, "a fragment of %q survived", hv.value)
				}
				assert.GreaterOrEqual(t, h.handled(t), int64(places), "every planted value is counted")
			})
		}
	}
}

// TestHostileURLsKeepTheirShape: redaction inside URLs keeps them parseable.
func TestHostileURLsKeepTheirShape(t *testing.T) {
	for _, route := range routes {
		lr := runLogRecord(t, routeConfig(route), func(lr plog.LogRecord) {
			lr.Attributes().PutStr("url.full", "https://svc:pw123456@api.example.com/v1/files?api_key=abcdef123456&page=2")
		})
		v, _ := lr.Attributes().Get("url.full")
		assert.Equal(t, "https://REDACTED:REDACTED@api.example.com/v1/files?api_key=REDACTED&page=2", v.Str())
	}
}

// TestHostileSafeEvidenceSurvives: the values operators need pass unchanged through the
// same places, on both routes.
func TestHostileSafeEvidenceSurvives(t *testing.T) {
	safe := []string{
		"req_5a8f1c2e3b4d6a7f8e9d0c1b2a3f4e5d", "req_0a1b2c3d4e5f", "8f1c2a3b4d5e6f70-SJC",
		"01a225ba-273d-7363-b91f-1306560a707e", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
		"authorization", "missing_authorization_header", "token_expired", "recovery_not_run", "http 401",
		"/responses/compact", "gpt-5.1-codex", "codex_otel.trace_safe", "https://api.openai.com/v1/responses",
	}
	for _, route := range routes {
		for _, s := range safe {
			h := newHostileRun(t, routeConfig(route))
			td, ld, md, _ := hostileBatches(s)
			h.consume(t, td, ld, md)
			assert.Zero(t, h.counted(t, "values_redacted"), "%s: %q was redacted", route, s)
			out := h.text()
			assert.NotContains(t, out, "[REDACTED]", "%s: %q", route, s)
		}
		// and the docs/contract.md §3 evidence itself, on an auth operation
		lr := runLogRecord(t, routeConfig(route), apiRequestLog(map[string]any{
			"auth.request_id": "req_5a8f1c2e3b4d6a7f8e9d0c1b2a3f4e5d", "auth.recovery_reason": "not_chatgpt_auth",
			"error.message": "http 401", "auth.outcome": "recovery_not_run", "conversation.id": "01a225ba-273d-7363-b91f-1306560a707e",
		}))
		got := attrsOf(lr.Attributes())
		for k, want := range map[string]any{
			"auth.request_id": "req_5a8f1c2e3b4d6a7f8e9d0c1b2a3f4e5d", "auth.cf_ray": "8f1c2a3b4d5e6f70-SJC",
			"auth.header_name": "authorization", "auth.error": "missing_authorization_header", "auth.error_code": "token_expired",
			"auth.recovery_reason": "not_chatgpt_auth", "auth.outcome": "recovery_not_run", "error.message": "http 401",
			"http.response.status_code": int64(401), "conversation.id": "01a225ba-273d-7363-b91f-1306560a707e",
		} {
			assert.Equal(t, want, got[k], "%s: %s", route, k)
		}
	}
}

// TestHostileSecretsInKeys: an attribute whose key is itself a secret is dropped and
// counted, at the top level and nested.
func TestHostileSecretsInKeys(t *testing.T) {
	r := hostileRand()
	keys := []string{
		"sk-proj-" + randToken(r, base62, 40), "Bearer " + randToken(r, base62, 32),
		"x.ghp_" + randToken(r, base62, 36), "https://u:" + randToken(r, base62, 16) + "@h/",
	}
	for _, route := range routes {
		h := newHostileRun(t, routeConfig(route))
		td, ld, md, _ := hostileBatches("plain")
		plant := func(m pcommon.Map) {
			for _, k := range keys {
				m.PutStr(k, "x")
				m.PutEmptyMap("nested").PutStr(k, "x")
			}
		}
		plant(td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes())
		plant(ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes())
		plant(md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes())
		h.consume(t, td, ld, md)
		out := h.text()
		for _, k := range keys {
			assert.NotContains(t, out, k[len(k)-12:], "%s: key %q survived", route, k)
		}
		assert.GreaterOrEqual(t, h.countedBy(t, "attributes_dropped", "reason")["secret_in_key"], int64(3*len(keys)), route)
	}
}

// TestHostileShapes: sizes and structures an attacker (or a broken client) can send.
func TestHostileShapes(t *testing.T) {
	r := hostileRand()
	key := func() string { return "sk-proj-" + randToken(r, base62, 40) }
	for _, route := range routes {
		t.Run(string(route), func(t *testing.T) {
			t.Run("10 MB value with secrets at both ends and inside", func(t *testing.T) {
				a, b, c := key(), key(), key()
				filler := strings.Repeat("lorem ipsum dolor sit amet 0123456789 ", 10<<20/38)
				v := a + " " + filler[:len(filler)/2] + " Bearer " + b + " " + filler[len(filler)/2:] + " " + c
				h := newHostileRun(t, routeConfig(route))
				ld := plog.NewLogs()
				lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
				lrs.AppendEmpty().Body().SetStr(v)
				lrs.AppendEmpty().Attributes().PutStr("payload", v)
				h.consume(t, ptrace.NewTraces(), ld, pmetric.NewMetrics())
				out := h.text()
				for _, s := range []string{a, b, c} {
					assert.NotContains(t, out, s[8:])
				}
				assert.Greater(t, len(out), 2*len(filler), "the rest of the value is kept")
			})
			t.Run("10 000 attributes", func(t *testing.T) {
				h := newHostileRun(t, routeConfig(route))
				td := ptrace.NewTraces()
				span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
				span.SetName("bulk")
				secrets := make([]string, 10000)
				attrs := span.Attributes()
				attrs.EnsureCapacity(10000)
				for i := range secrets {
					secrets[i] = key()
					attrs.PutStr(fmt.Sprintf("attr.%d", i), "Bearer "+secrets[i])
				}
				h.consume(t, td, plog.NewLogs(), pmetric.NewMetrics())
				out := h.text()
				for _, s := range secrets {
					if strings.Contains(out, s[8:]) {
						t.Fatalf("%s survived", s)
					}
				}
				metadatatest.AssertEqualProcessorAuthobsValuesRedacted(t, h.tel, []metricdata.DataPoint[int64]{
					{Attributes: attribute.NewSet(proc, attribute.String("signal", "traces"), attribute.String("detector", "bearer")), Value: 10000},
				}, metricdatatest.IgnoreTimestamp())
			})
			t.Run("10 000 secret keys", func(t *testing.T) {
				h := newHostileRun(t, routeConfig(route))
				ld := plog.NewLogs()
				attrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes()
				for range 10000 {
					attrs.PutStr(key(), "v")
				}
				h.consume(t, ptrace.NewTraces(), ld, pmetric.NewMetrics())
				assert.NotContains(t, h.text(), "sk-proj-")
				metadatatest.AssertEqualProcessorAuthobsAttributesDropped(t, h.tel, []metricdata.DataPoint[int64]{
					{Attributes: attribute.NewSet(proc, attribute.String("signal", "logs"), attribute.String("reason", "secret_in_key")), Value: 10000},
				}, metricdatatest.IgnoreTimestamp())
			})
			t.Run("maps and slices nested 100 deep", func(t *testing.T) {
				s := key()
				h := newHostileRun(t, routeConfig(route))
				ld := plog.NewLogs()
				lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
				v := lr.Body()
				for i := range 100 {
					if i%2 == 0 {
						v = v.SetEmptyMap().PutEmpty("n")
					} else {
						v = v.SetEmptySlice().AppendEmpty()
					}
				}
				v.SetStr("leaf " + s)
				deep := lr.Attributes().PutEmptyMap("deep")
				for range 100 {
					deep = deep.PutEmptyMap("n")
				}
				deep.PutStr("token", s)
				h.consume(t, ptrace.NewTraces(), ld, pmetric.NewMetrics())
				assert.NotContains(t, h.text(), s[8:])
				assert.Equal(t, int64(2), h.countedBy(t, "items_fail_closed", "reason")["nesting_depth"])
			})
			t.Run("invalid utf-8, NUL bytes, bytes values, empty and odd keys", func(t *testing.T) {
				s1, s2, s3, s4 := key(), key(), key(), key()
				h := newHostileRun(t, routeConfig(route))
				ld := plog.NewLogs()
				lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
				lr.Attributes().PutStr("", "Bearer "+s1)
				lr.Attributes().PutStr("\x00\xff", "\xff\xfe"+s2+"\x00")
				lr.Attributes().PutEmptyBytes("blob").FromRaw(append([]byte{0, 0xff, 0xfe, 1}, []byte("token="+s3)...))
				lr.Body().SetEmptyBytes().FromRaw(append([]byte{0x89, 'P', 'N', 'G', 0}, []byte(" "+s4+" ")...))
				h.consume(t, ptrace.NewTraces(), ld, pmetric.NewMetrics())
				out := h.text()
				for _, s := range []string{s1, s2, s3, s4} {
					assert.NotContains(t, out, s[8:])
				}
				assert.Equal(t, [3]int{0, 1, 0}, h.itemCounts())
			})
			t.Run("duplicate keys from the wire", func(t *testing.T) {
				s1, s2 := key(), key()
				// OTLP carries attributes as a list: a sender can repeat a key, and both copies
				// reach the exporter unless each is processed
				js := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[` +
					`{"key":"note","value":{"stringValue":"first ` + s1 + `"}},` +
					`{"key":"note","value":{"stringValue":"second ` + s2 + `"}},` +
					`{"key":"api_key","value":{"stringValue":"` + s1 + `"}},` +
					`{"key":"api_key","value":{"stringValue":"` + s2 + `"}}]}]}]}]}`
				ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs([]byte(js))
				require.NoError(t, err)
				h := newHostileRun(t, routeConfig(route))
				h.consume(t, ptrace.NewTraces(), ld, pmetric.NewMetrics())
				out := h.text()
				assert.NotContains(t, out, s1[8:])
				assert.NotContains(t, out, s2[8:])
				assert.Equal(t, int64(4), h.counted(t, "values_redacted"))
			})
		})
	}
}

// TestHostileInternalFailureEverySignal: a panic while processing an item fails that item
// closed and counts it, on every signal; the rest of the batch goes on.
func TestHostileInternalFailureEverySignal(t *testing.T) {
	s := "sk-proj-" + randToken(hostileRand(), base62, 40)
	calls := 0
	h := newHostileRunOf(t, hookedFactory(func() {
		calls++
		if calls%2 == 1 {
			panic("impossible state")
		}
	}), routeConfig(RouteLogOnly))
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for range 2 {
		sp := spans.AppendEmpty()
		sp.SetName("op " + s)
		sp.Attributes().PutStr("note", s)
		sp.Events().AppendEmpty().SetName(s)
		sp.Status().SetMessage(s)
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(s)
		lr.Attributes().PutStr("note", s)
		m := ms.AppendEmpty()
		m.SetName("m")
		m.SetEmptyGauge().DataPoints().AppendEmpty().Attributes().PutStr("note", s)
	}
	h.consume(t, td, ld, md)
	assert.NotContains(t, h.text(), s[8:])
	assert.Equal(t, [3]int{2, 2, 1}, h.itemCounts(), "the failed metric loses its data points; other items go on")
	// guarded in order resource, scope, items: the odd calls are each signal's resource
	// and its first item
	assert.Equal(t, map[string]int64{"internal_error": 6}, h.countedBy(t, "items_fail_closed", "reason"))
}

// TestHostileLinearTime: processing time grows in proportion to input size. The same
// hostile text (every byte near a detector trigger) at 256 KiB and 2 MiB, measured as a
// ratio so the bound holds on slow and loaded machines (and under -race) alike.
func TestHostileLinearTime(t *testing.T) {
	unit := "Bearer sk- a=b token: eyJ.x %2F \\u00 -----BEGIN ghp_ Basic YWxp <password>x</ ://u:p@ "
	small := strings.Repeat(unit, (256<<10)/len(unit))
	large := strings.Repeat(unit, (2<<20)/len(unit))
	h := newHostileRun(t, routeConfig(RouteTraceSafe))
	timeOf := func(v string) time.Duration {
		best := time.Duration(0)
		for range 5 {
			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			lr.Body().SetStr(v)
			lr.Attributes().PutStr("note", v)
			start := time.Now()
			require.NoError(t, h.logs.ConsumeLogs(context.Background(), ld))
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
		return best
	}
	ts, tl := timeOf(small), timeOf(large)
	ratio := float64(tl) / float64(ts)
	t.Logf("256 KiB: %s, 2 MiB: %s, ratio %.1f", ts, tl, ratio)
	// linear is 8x, quadratic 64x; the margin absorbs a loaded machine
	assert.Less(t, ratio, 8*4.0, "8x the input took %.1fx the time", ratio)
}

// TestHostileBeyondTheContract: places the contract does not list, where a string can
// still reach an exporter: scope versions, trace state, metric names and descriptions.
func TestHostileBeyondTheContract(t *testing.T) {
	s := "sk-proj-" + randToken(hostileRand(), base62, 40)
	h := newHostileRun(t, routeConfig(RouteTraceSafe))
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetVersion(s)
	sp := ss.Spans().AppendEmpty()
	sp.TraceState().FromRaw("vendor=" + s)
	sp.Links().AppendEmpty().TraceState().FromRaw("vendor=" + s)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("requests." + s)
	m.SetDescription("calls with " + s)
	m.SetEmptyGauge().DataPoints().AppendEmpty()
	h.consume(t, td, plog.NewLogs(), md)
	assert.NotContains(t, h.text(), s[8:])
}

// TestHostileEvidenceRedactedWhole: an evidence value that passes its shape check but holds
// a secret must be replaced whole, not redacted in part (`<secret>.` → `[REDACTED].` is no
// longer in the evidence shape of docs/contract.md §3). Found by FuzzEvidence (testdata/fuzz/FuzzEvidence/51355a9f7f11c461).
func TestHostileEvidenceRedactedWhole(t *testing.T) {
	for _, route := range routes {
		// a vendor-marked token: since issue 8 a marker-less random word is an identifier
		lr := runLogRecord(t, routeConfig(route), apiRequestLog(map[string]any{"auth.error": "ghp_0aabcBC7XY9Zx2yz4iO6pA8sD1fG3hJ5kL7z."}))
		v, _ := lr.Attributes().Get("auth.error")
		assert.Contains(t, []string{"other", "[REDACTED]"}, v.Str(), route)
	}
}

// TestHostileKeyCacheBounded: the cache of classified unknown keys is bounded in count
// (maxCachedKeys) and in bytes (maxCachedKeyLen), or distinct huge keys from a hostile
// sender would pin up to maxCachedKeys × key size of memory for the processor's lifetime.
func TestHostileKeyCacheBounded(t *testing.T) {
	p, err := newAuthobsProcessor(processortest.NewNopSettings(NewFactory().Type()), routeConfig(RouteLogOnly))
	require.NoError(t, err)
	ld := plog.NewLogs()
	attrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes()
	for i := range 64 {
		attrs.PutStr(fmt.Sprintf("%d.%s", i, strings.Repeat("k", 256<<10)), "v")
	}
	_, err = p.processLogs(context.Background(), ld)
	require.NoError(t, err)
	p.policy.publish()
	cached := 0
	for k := range p.policy.rules.Load().all {
		if _, known := p.policy.known[k]; !known {
			cached += len(k)
		}
	}
	t.Logf("%d bytes of keys cached", cached)
	assert.LessOrEqual(t, cached, maxCachedKeys*maxCachedKeyLen/1024, "huge keys are not kept")
}
