// Package bench compares authobs with the collector's own redaction tools on one shared,
// deterministic workload. It is its own module so that contrib dependencies never enter
// the processor's go.mod.
package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Shape of the shared workload. Every contender sees exactly these batches.
const (
	Seed            = 20261129
	NumResources    = 8
	ScopesPerRes    = 2
	SpansPerBatch   = 1000
	LogsPerBatch    = 1000
	authEvery       = 5  // one span in five is an auth operation
	secretEveryNth  = 25 // one item in 25 (4%) carries a planted secret
	eventsPerSpan   = 2
	spanIDBytes     = 8
	traceIDBytes    = 16
	startUnixNano   = 1_795_000_000_000_000_000
	defaultSpanNano = 35_000_000
)

// Place says where a planted secret sits; the leak table has one column per place.
type Place uint8

const (
	PlaceURLQuery Place = iota
	PlaceHeader
	PlaceErrorText
	PlaceStatus
	PlaceNestedMap
	PlaceEvent
	PlaceLogBody
	NumPlaces
)

var placeNames = [NumPlaces]string{"url_query", "header_array", "error_text", "status_msg", "nested_map", "span_event", "log_body"}

func (p Place) String() string { return placeNames[p] }

// Secret is one planted secret: Value must not appear anywhere in a contender's output.
type Secret struct {
	Place Place
	Value string
}

// Workload is one batch of spans and one batch of log records, built once from Seed.
type Workload struct {
	Traces  ptrace.Traces
	Logs    plog.Logs
	Secrets []Secret // planted in Traces
	LogSecr []Secret // planted in Logs
}

// gen draws every random choice from one seeded source, so the workload is identical
// on every run and machine.
type gen struct {
	r     *rand.Rand
	fresh bool // semconv.go: redraw the digits of drawn values
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *gen) str(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *gen) hex(n int) string { return g.str(n, "0123456789abcdef") }

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// Secret shapes, all fake, each with enough random bytes to be unique in the batch.
func (g *gen) openAIKey() string { return "sk-proj-" + g.str(40, alnum) }
func (g *gen) githubPAT() string { return "ghp_" + g.str(36, alnum) }
func (g *gen) opaque() string    { return g.str(32, alnum) }
func (g *gen) jwt() string {
	return "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + g.str(40, alnum) + "." + g.str(43, alnum+"-_")
}
func (g *gen) awsKey() string   { return "AKIA" + g.str(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") }
func (g *gen) slackTok() string { return "xoxb-" + g.str(12, "0123456789") + "-" + g.str(24, alnum) }

var (
	services   = []string{"checkout", "gateway", "codex-cli", "search", "billing", "inventory", "auth-proxy", "notifier"}
	regions    = []string{"eu-west-1", "us-east-1", "ap-south-1"}
	routes     = []string{"/v1/items", "/v1/items/{id}", "/v1/orders", "/v1/search", "/healthz", "/v1/users/{id}/prefs"}
	methods    = []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	statuses   = []int64{200, 200, 200, 200, 201, 204, 304, 400, 404, 500}
	agents     = []string{"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0", "okhttp/4.12.0", "codex_cli_rs/0.171.0 (Linux 6.8; x86_64)", "curl/8.11.1"}
	funcs      = []string{"handler.ServeHTTP", "store.Query", "cache.Get", "render.JSON", "queue.Publish"}
	authOps    = []string{"api_request", "websocket_connect", "websocket_request", "auth_recovery"}
	endpoints  = []string{"/responses", "/models", "/responses/compact", "/oauth/token"}
	models     = []string{"gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5.1"}
	originator = []string{"codex_cli_rs", "codex_exec"}
)

// NewWorkload builds the shared workload. secrets=false gives the clean workload: no
// planted secrets, no personal data and auth operations that carry only allowlisted
// evidence, i.e. items that authobs must pass through unchanged.
func NewWorkload(secrets bool) *Workload {
	return NewWorkloadSeed(Seed, secrets)
}

// NewWorkloadSeed is NewWorkload from another seed: same shape and vocabulary, other
// ids and draws.
func NewWorkloadSeed(seed uint64, secrets bool) *Workload {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed>>7))}
	w := &Workload{Traces: ptrace.NewTraces(), Logs: plog.NewLogs()}
	perRes := SpansPerBatch / NumResources
	perScope := perRes / ScopesPerRes
	n := 0
	for ri := range NumResources {
		rs := w.Traces.ResourceSpans().AppendEmpty()
		g.resource(rs.Resource().Attributes(), ri, secrets)
		for si := range ScopesPerRes {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("github.com/example/" + services[ri] + "/instr" + strconv.Itoa(si))
			ss.Scope().SetVersion("1.4.2")
			for range perScope {
				g.span(w, ss.Spans().AppendEmpty(), n, secrets)
				n++
			}
		}
	}
	perResLogs := LogsPerBatch / NumResources
	n = 0
	for ri := range NumResources {
		rl := w.Logs.ResourceLogs().AppendEmpty()
		g.resource(rl.Resource().Attributes(), ri, secrets)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("github.com/example/" + services[ri] + "/log")
		for range perResLogs {
			g.logRecord(w, sl.LogRecords().AppendEmpty(), n, secrets)
			n++
		}
	}
	return w
}

// resource: about a dozen attributes, as the SDK resource detectors set them.
func (g *gen) resource(m pcommon.Map, i int, secrets bool) {
	m.PutStr("service.name", services[i])
	m.PutStr("service.version", "2.7."+strconv.Itoa(i))
	m.PutStr("service.instance.id", g.hex(8)+"-"+g.hex(4)+"-"+g.hex(4)+"-"+g.hex(12))
	m.PutStr("service.namespace", "shop")
	m.PutStr("deployment.environment.name", "production")
	if secrets {
		m.PutStr("host.name", "ip-10-0-"+strconv.Itoa(i)+"-17.eu-west-1.compute.internal")
	} else {
		m.PutStr("host.id", "i-0"+g.hex(16))
	}
	m.PutStr("host.arch", "amd64")
	m.PutStr("os.type", "linux")
	m.PutStr("os.description", "Ubuntu 24.04.1 LTS")
	m.PutInt("process.pid", int64(1000+g.r.IntN(30000)))
	m.PutStr("process.runtime.name", "go")
	m.PutStr("telemetry.sdk.name", "opentelemetry")
	m.PutStr("telemetry.sdk.language", "go")
	m.PutStr("telemetry.sdk.version", "1.47.0")
	m.PutStr("cloud.region", g.pick(regions))
}

func (g *gen) ids(n int) (pcommon.TraceID, pcommon.SpanID) {
	var t [traceIDBytes]byte
	var s [spanIDBytes]byte
	for i := range t {
		t[i] = byte(g.r.Uint32())
	}
	for i := range s {
		s[i] = byte(g.r.Uint32())
	}
	s[0] = byte(n)
	return t, s
}

func (g *gen) span(w *Workload, span ptrace.Span, n int, secrets bool) {
	tid, sid := g.ids(n)
	span.SetTraceID(tid)
	span.SetSpanID(sid)
	start := pcommon.Timestamp(startUnixNano + int64(n)*1_000_000)
	span.SetStartTimestamp(start)
	span.SetEndTimestamp(start + pcommon.Timestamp(defaultSpanNano+g.r.IntN(50_000_000)))
	span.SetKind(ptrace.SpanKindServer)
	// 4% of spans carry a secret, half of them auth operations (n%5 == 0 when k is odd)
	k := n / secretEveryNth
	plant := secrets && n%secretEveryNth == secretEveryNth/2-2*(k%2)
	place := Place((k / 2) % 6) // rotate through the span places
	if n%authEvery == 0 {
		g.authSpan(w, span, n, plant, place, secrets)
		return
	}
	g.httpSpan(w, span, plant, place, secrets)
}

// httpSpan: an ordinary HTTP server span with about fifteen attributes and two events.
func (g *gen) httpSpan(w *Workload, span ptrace.Span, plant bool, place Place, secrets bool) {
	route := g.pick(routes)
	method := g.pick(methods)
	status := statuses[g.r.IntN(len(statuses))]
	span.SetName(method + " " + route)
	m := span.Attributes()
	m.EnsureCapacity(18)
	m.PutStr("http.request.method", method)
	m.PutStr("http.route", route)
	query := "?page=" + strconv.Itoa(g.r.IntN(40)) + "&sort=desc&lang=en"
	if plant && place == PlaceURLQuery {
		s := g.opaque()
		w.Secrets = append(w.Secrets, Secret{PlaceURLQuery, s})
		query = "?page=2&access_token=" + s + "&lang=en"
	}
	m.PutStr("url.full", "https://api.shop.example.com"+route+query)
	m.PutStr("url.scheme", "https")
	m.PutStr("server.address", "api.shop.example.com")
	m.PutInt("server.port", 443)
	m.PutInt("http.response.status_code", status)
	m.PutStr("user_agent.original", g.pick(agents))
	m.PutStr("network.protocol.version", "1.1")
	m.PutStr("client.address", "10.1."+strconv.Itoa(g.r.IntN(255))+"."+strconv.Itoa(g.r.IntN(255)))
	m.PutInt("thread.id", int64(g.r.IntN(64)))
	m.PutStr("code.function.name", g.pick(funcs))
	m.PutBool("app.cache_hit", g.r.IntN(2) == 0)
	ct := m.PutEmptySlice("http.request.header.content-type")
	ct.AppendEmpty().SetStr("application/json")
	if plant && place == PlaceHeader {
		s := g.opaque() + g.opaque()
		w.Secrets = append(w.Secrets, Secret{PlaceHeader, s})
		m.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + s)
	} else {
		m.PutEmptySlice("http.request.header.accept").AppendEmpty().SetStr("application/json")
	}
	if secrets && g.r.IntN(10) == 0 {
		m.PutStr("user.id", "u-"+g.hex(10)) // personal data, dropped on trace_safe
	} else {
		m.PutStr("app.tenant", "t-"+g.hex(6))
	}
	switch {
	case plant && place == PlaceErrorText:
		s := g.openAIKey()
		w.Secrets = append(w.Secrets, Secret{PlaceErrorText, s})
		m.PutStr("error.message", "upstream rejected the call: invalid api key "+s+" supplied")
		span.Status().SetCode(ptrace.StatusCodeError)
	case plant && place == PlaceStatus:
		s := g.githubPAT()
		w.Secrets = append(w.Secrets, Secret{PlaceStatus, s})
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage("clone failed: remote rejected credentials " + s)
	case status >= 500:
		m.PutStr("error.message", "upstream timeout after 3 retries")
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage("upstream timeout")
	default:
		m.PutStr("app.feature_flag", "checkout_v2")
	}
	if plant && place == PlaceNestedMap {
		s := g.awsKey()
		s2 := g.opaque()
		w.Secrets = append(w.Secrets, Secret{PlaceNestedMap, s}, Secret{PlaceNestedMap, s2})
		body := m.PutEmptyMap("app.request.params")
		body.PutStr("region", "eu-west-1")
		creds := body.PutEmptyMap("storage")
		creds.PutStr("access_key_id", s)
		creds.PutStr("password", s2)
	}
	ev := span.Events().AppendEmpty()
	ev.SetName("cache.lookup")
	ev.SetTimestamp(span.StartTimestamp() + 1000)
	ev.Attributes().PutStr("cache.key", "items:"+g.hex(8))
	ev.Attributes().PutBool("cache.hit", g.r.IntN(2) == 0)
	ev = span.Events().AppendEmpty()
	ev.SetName("response.sent")
	ev.SetTimestamp(span.EndTimestamp() - 1000)
	ev.Attributes().PutInt("http.response.body.size", int64(g.r.IntN(40000)))
	if plant && place == PlaceEvent {
		s := g.jwt()
		w.Secrets = append(w.Secrets, Secret{PlaceEvent, s})
		ev.Attributes().PutStr("exception.message", "token refresh failed for "+s)
	} else {
		ev.Attributes().PutStr("exception.message", "")
	}
}

// authSpan: one of our auth operations (the reference client's span names) with the
// contract's evidence and two Codex-style span events keyed by event.name.
func (g *gen) authSpan(w *Workload, span ptrace.Span, n int, plant bool, place Place, secrets bool) {
	op := authOps[(n/authEvery)%len(authOps)]
	span.SetName(op)
	span.SetKind(ptrace.SpanKindClient)
	status := int64(200)
	if g.r.IntN(4) == 0 {
		status = 401
	}
	m := span.Attributes()
	m.EnsureCapacity(18)
	m.PutStr("endpoint", g.pick(endpoints))
	m.PutInt("http.response.status_code", status)
	m.PutInt("duration_ms", int64(20+g.r.IntN(900)))
	m.PutInt("attempt", int64(g.r.IntN(2)))
	m.PutBool("success", status == 200)
	m.PutBool("auth.header_attached", true)
	m.PutStr("auth.header_name", "authorization")
	m.PutStr("auth.request_id", "req_"+g.hex(24))
	m.PutStr("auth.cf_ray", g.hex(16)+"-SJC")
	m.PutStr("auth.mode", "managed")
	m.PutBool("auth.connection_reused", g.r.IntN(2) == 0)
	m.PutStr("http.request.method", "POST")
	m.PutStr("server.address", "chatgpt.com")
	m.PutStr("model", g.pick(models))
	m.PutStr("conversation.id", g.hex(8)+"-"+g.hex(4)+"-"+g.hex(4)+"-"+g.hex(12))
	if status == 401 {
		m.PutStr("auth.error", "token_expired")
		msg := "http 401" // already in the form authobs writes: the clean workload stays unchanged
		if secrets {
			msg = "unexpected status 401 Unauthorized: {\"error\":{\"code\":\"token_expired\"}}"
		}
		m.PutStr("error.message", msg)
	}
	if plant {
		// secrets on auth operations: in the URL and in a header array
		s := g.opaque()
		s2 := g.jwt()
		w.Secrets = append(w.Secrets, Secret{PlaceURLQuery, s}, Secret{PlaceHeader, s2})
		m.PutStr("url.full", "https://chatgpt.com/backend-api/codex"+g.pick(endpoints)+"?client_id=app_x&refresh_token="+s)
		m.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + s2)
	}
	for i := range eventsPerSpan {
		ev := span.Events().AppendEmpty()
		ev.SetName("codex." + op)
		ev.SetTimestamp(span.StartTimestamp() + pcommon.Timestamp(i*1000))
		a := ev.Attributes()
		a.PutStr("event.name", "codex."+op)
		a.PutStr("event.timestamp", "2026-11-29T07:00:00.000Z")
		a.PutStr("conversation.id", "c-"+g.hex(12))
		a.PutStr("app.version", "0.171.0")
		a.PutStr("originator", g.pick(originator))
		a.PutStr("model", g.pick(models))
		a.PutStr("auth_mode", "Chatgpt")
		a.PutStr("http.response.status_code", strconv.FormatInt(status, 10))
		a.PutStr("duration_ms", strconv.Itoa(20+g.r.IntN(900)))
		a.PutStr("attempt", "0")
		if plant && place == PlaceEvent && i == 1 {
			s := g.slackTok()
			w.Secrets = append(w.Secrets, Secret{PlaceEvent, s})
			a.PutStr("error.message", "webhook post failed: token="+s)
		}
	}
}

// logRecord: string bodies as the SDK log bridges send them, a fifth of them Codex
// events keyed by event.name.
func (g *gen) logRecord(w *Workload, lr plog.LogRecord, n int, secrets bool) {
	lr.SetTimestamp(pcommon.Timestamp(startUnixNano + int64(n)*1_000_000))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	tid, sid := g.ids(n)
	lr.SetTraceID(tid)
	lr.SetSpanID(sid)
	a := lr.Attributes()
	plant := secrets && n%secretEveryNth == secretEveryNth/2
	var body string
	if n%authEvery == 0 {
		op := authOps[(n/authEvery)%len(authOps)]
		a.PutStr("event.name", "codex."+op)
		a.PutStr("event.timestamp", "2026-11-29T07:00:00.000Z")
		a.PutStr("conversation.id", "c-"+g.hex(12))
		a.PutStr("app.version", "0.171.0")
		a.PutStr("model", g.pick(models))
		a.PutStr("http.response.status_code", "200")
		a.PutStr("duration_ms", strconv.Itoa(20+g.r.IntN(900)))
		a.PutStr("endpoint", g.pick(endpoints))
		body = "codex." + op + " completed"
	} else {
		a.PutStr("code.function.name", g.pick(funcs))
		a.PutStr("http.route", g.pick(routes))
		a.PutInt("http.response.status_code", statuses[g.r.IntN(len(statuses))])
		a.PutStr("thread.name", "worker-"+strconv.Itoa(g.r.IntN(16)))
		a.PutStr("log.logger", "app."+g.pick(funcs))
		body = fmt.Sprintf("%s %s served in %d ms (cache %s, %d bytes)", g.pick(methods), g.pick(routes), 3+g.r.IntN(400), g.pick([]string{"hit", "miss"}), g.r.IntN(40000))
	}
	if plant {
		var s string
		switch (n / secretEveryNth) % 4 {
		case 0:
			s = g.openAIKey()
			body = "calling upstream with key " + s + " failed"
		case 1:
			s = g.opaque()
			body = "POST https://auth.example.com/oauth/token?grant_type=refresh_token&refresh_token=" + s
		case 2:
			s = g.jwt()
			body = "Authorization: Bearer " + s
		default:
			s = g.awsKey()
			body = "s3 upload denied for " + s
		}
		w.LogSecr = append(w.LogSecr, Secret{PlaceLogBody, s})
	}
	lr.Body().SetStr(body)
}
