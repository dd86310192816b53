package client

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Operation names: the span name and the event.name attribute of the log record.
const (
	OpAPIRequest       = "api_request"
	OpWebSocketConnect = "websocket_connect" //nolint:gosec // G101: an operation name, no credential
	OpWebSocketRequest = "websocket_request" //nolint:gosec // G101: an operation name, no credential
	OpAuthRecovery     = "auth_recovery"
)

// instrumentationName is the scope of every span and log record the client emits.
const instrumentationName = "github.com/authobs/authobsprocessor/client"

// RecoveryMode says who owns the credentials a 401 recovery renews (docs/contract.md §3).
type RecoveryMode string

// RecoveryStep is one step of the 401 recovery state machine (docs/contract.md §5).
type RecoveryStep string

// RecoveryOutcome is the result of one auth_recovery decision.
type RecoveryOutcome string

// RecoveryReason says why a recovery did not run (with OutcomeNotRun only).
type RecoveryReason string

// Recovery vocabulary of the contract (docs/contract.md §3); values are fixed, never passed through.
const (
	RecoveryModeManaged  RecoveryMode = "managed"
	RecoveryModeExternal RecoveryMode = "external"

	StepReload          RecoveryStep = "reload"
	StepRefreshToken    RecoveryStep = "refresh_token"
	StepExternalRefresh RecoveryStep = "external_refresh"
	StepDone            RecoveryStep = "done"

	OutcomeSucceeded       RecoveryOutcome = "recovery_succeeded"
	OutcomeFailedPermanent RecoveryOutcome = "recovery_failed_permanent"
	OutcomeFailedTransient RecoveryOutcome = "recovery_failed_transient"
	OutcomeNotRun          RecoveryOutcome = "recovery_not_run"

	ReasonNotChatGPTAuth    RecoveryReason = "not_chatgpt_auth"
	ReasonNoExternalRefresh RecoveryReason = "no_external_refresher"
	ReasonExhausted         RecoveryReason = "recovery_exhausted"
)

// authHeaderName is the only header name the client attaches a credential under.
const authHeaderName = "authorization"

// attemptAuth describes how a send was authenticated and whether it follows a 401.
type attemptAuth struct {
	headerAttached bool
	retryAfter401  bool
	recoveryMode   RecoveryMode
	recoveryPhase  RecoveryStep
}

// opRecord is everything one operation exports; optional fields are pointers or
// zero values and are omitted, never exported empty. An operation started with
// telemetry.start has a live span (span, ctx) until emit ends it.
type opRecord struct {
	span     trace.Span
	ctx      context.Context // the span's context: the parent of whatever the operation sends
	name     string
	start    time.Time
	end      time.Time
	creds    Credentials
	model    string
	endpoint string
	method   string
	url      string
	status   int // 0: no response
	success  *bool
	errMsg   string // sanitised: "http <code>" or a fixed label
	errType  string
	attempt  *int
	auth     *attemptAuth
	reused   *bool
	reauth   *bool
	evidence Evidence
	recovery *recoveryDecision
	// modelsAuthMode is the recovery mode a /models request reports (docs/contract.md §3).
	modelsAuthMode RecoveryMode
}

func boolPtr(b bool) *bool { return &b }
func intPtr(i int) *int    { return &i }

// envFlags are the presence-only auth environment facts of docs/contract.md §3, computed once.
type envFlags struct {
	openAIKey, codexKey, providerKey, tokenURLOverride bool
}

func readEnvFlags(providerKeyFromEnv bool) envFlags {
	present := func(k string) bool { return strings.TrimSpace(os.Getenv(k)) != "" }
	return envFlags{
		openAIKey:        present("OPENAI_API_KEY"),
		codexKey:         present("CODEX_API_KEY"),
		providerKey:      providerKeyFromEnv,
		tokenURLOverride: present(TokenURLOverrideEnv),
	}
}

func (e envFlags) attrs() []attribute.KeyValue {
	kv := []attribute.KeyValue{
		attribute.Bool("auth.env_openai_api_key_present", e.openAIKey),
		attribute.Bool("auth.env_codex_api_key_present", e.codexKey),
		// This client never reads CODEX_API_KEY, so it is never enabled.
		attribute.Bool("auth.env_codex_api_key_enabled", false),
		attribute.Bool("auth.env_provider_key_present", e.providerKey),
		attribute.Bool("auth.env_refresh_token_url_override_present", e.tokenURLOverride),
	}
	if e.providerKey {
		kv = append(kv, attribute.String("auth.env_provider_key_name", "configured"))
	}
	return kv
}

// session is the per-client metadata common to every operation.
type session struct {
	conversationID string
	appVersion     string
	originator     string
	terminalType   string
}

// telemetry emits spans and log records and keeps the bug-report view.
type telemetry struct {
	tracer     trace.Tracer
	logger     otellog.Logger
	propagator propagation.TextMapPropagator // nil: the global one, looked up at each use
	session    session
	env        envFlags
	report     *bugReport
}

// inject writes the trace context of ctx (an operation's live span) into carrier.
func (t *telemetry) inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	p := t.propagator
	if p == nil {
		p = otel.GetTextMapPropagator()
	}
	p.Inject(ctx, carrier)
}

// attributes builds the exported attribute set of one operation (spans and logs
// share it; logs add the identity keys).
func (t *telemetry) attributes(r *opRecord) []attribute.KeyValue {
	kv := []attribute.KeyValue{
		attribute.String("event.name", r.name),
		attribute.String("event.timestamp", r.start.UTC().Format("2006-01-02T15:04:05.000Z")),
	}
	addStr := func(k, v string) {
		if v != "" {
			kv = append(kv, attribute.String(k, v))
		}
	}
	addStr("conversation.id", t.session.conversationID)
	addStr("app.version", t.session.appVersion)
	addStr("originator", t.session.originator)
	addStr("terminal.type", t.session.terminalType)
	addStr("model", r.model)
	addStr("slug", r.model)
	addStr("auth_mode", string(r.creds.Mode))

	if r.name != OpAuthRecovery {
		kv = append(kv, attribute.Int64("duration_ms", r.end.Sub(r.start).Milliseconds()))
	}
	if r.status != 0 {
		kv = append(kv, attribute.Int("http.response.status_code", r.status))
	}
	if r.success != nil {
		kv = append(kv, attribute.Bool("success", *r.success))
	}
	addStr("error.message", r.errMsg)
	addStr("error.type", r.errType)
	if r.attempt != nil {
		kv = append(kv, attribute.Int("attempt", *r.attempt))
	}
	addStr("endpoint", r.endpoint)
	if a := r.auth; a != nil {
		kv = append(kv, attribute.Bool("auth.header_attached", a.headerAttached))
		if a.headerAttached {
			kv = append(kv, attribute.String("auth.header_name", authHeaderName))
		}
		kv = append(kv, attribute.Bool("auth.retry_after_unauthorized", a.retryAfter401))
		addStr("auth.recovery_mode", string(a.recoveryMode))
		addStr("auth.recovery_phase", string(a.recoveryPhase))
	}
	if r.reused != nil {
		kv = append(kv, attribute.Bool("auth.connection_reused", *r.reused))
	}
	if r.reauth != nil {
		kv = append(kv, attribute.Bool("auth.reauth", *r.reauth))
	}
	if d := r.recovery; d != nil {
		kv = append(kv,
			attribute.String("auth.mode", string(d.mode)),
			attribute.String("auth.step", string(d.step)),
			attribute.String("auth.outcome", string(d.outcome)))
		addStr("auth.recovery_reason", string(d.reason))
		if d.outcome == OutcomeSucceeded {
			kv = append(kv, attribute.Bool("auth.state_changed", d.stateChanged))
		}
	} else if r.modelsAuthMode != "" {
		kv = append(kv, attribute.String("auth.mode", string(r.modelsAuthMode)))
	}
	addStr("auth.request_id", r.evidence.RequestID)
	addStr("auth.cf_ray", r.evidence.CFRay)
	addStr("auth.error", r.evidence.AuthError)
	addStr("auth.error_code", r.evidence.ErrorCode)
	if r.name != OpAuthRecovery {
		kv = append(kv, t.env.attrs()...)
	}
	if r.method != "" {
		kv = append(kv, attribute.String("http.request.method", r.method))
	}
	if r.url != "" {
		kv = append(kv, attribute.String("url.full", r.url))
		if u, err := url.Parse(r.url); err == nil && u.Hostname() != "" {
			kv = append(kv, attribute.String("server.address", u.Hostname()))
		}
	}
	return kv
}

// failed reports whether the operation gets an error span status.
func (r *opRecord) failed() bool {
	if r.recovery != nil {
		return r.recovery.outcome != OutcomeSucceeded
	}
	return r.errMsg != ""
}

// start begins an operation: its span is live from now until emit, so whatever the
// operation sends within rec.ctx (and the trace context injected from it) is its child.
func (t *telemetry) start(ctx context.Context, rec *opRecord) *opRecord {
	rec.start = time.Now()
	rec.ctx, rec.span = t.tracer.Start(ctx, rec.name, trace.WithTimestamp(rec.start), trace.WithSpanKind(spanKind(rec.name)))
	return rec
}

// emit ends one operation: its span gets the attributes and status (an operation
// observed after the fact gets a span with its recorded times), a log record within the
// span carries the same attributes, and the bug report is updated.
func (t *telemetry) emit(ctx context.Context, r *opRecord) {
	kv := t.attributes(r)
	span, spanCtx := r.span, r.ctx
	if span == nil {
		spanCtx, span = t.tracer.Start(ctx, r.name, trace.WithTimestamp(r.start), trace.WithSpanKind(spanKind(r.name)))
	}
	span.SetAttributes(kv...)
	if r.failed() {
		msg := r.errMsg
		if r.recovery != nil {
			msg = string(r.recovery.outcome)
		}
		span.SetStatus(codes.Error, msg)
	}
	span.End(trace.WithTimestamp(r.end))

	var rec otellog.Record
	rec.SetEventName(r.name)
	rec.SetTimestamp(r.end)
	rec.SetObservedTimestamp(r.end)
	rec.SetSeverity(otellog.SeverityInfo)
	rec.SetSeverityText("INFO")
	// Identity goes to the log route only; spans never carry it.
	logKV := slices.Clip(kv)
	if r.creds.Email != "" {
		logKV = append(logKV, attribute.String("user.email", r.creds.Email))
	}
	if r.creds.AccountID != "" {
		logKV = append(logKV, attribute.String("user.account_id", r.creds.AccountID))
	}
	rec.AddAttributes(logKV...)
	// Emitted within the operation's span so the log record carries its trace and span ids.
	t.logger.Emit(spanCtx, rec)

	t.report.record(r)
}

func spanKind(name string) trace.SpanKind {
	if name == OpAuthRecovery {
		return trace.SpanKindInternal
	}
	return trace.SpanKindClient
}

// safeURL drops user info, query and fragment so url.full can carry no secret.
func safeURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	c.RawFragment = ""
	return c.String()
}

// httpErrorMessage is the only error text telemetry ever carries for an HTTP status.
func httpErrorMessage(status int) string { return "http " + strconv.Itoa(status) }

// bugReport is the "feedback" view of docs/contract.md §3: auth_* describe the latest attempt and
// are always overwritten; auth_401_* are written only by the recovery path so a later
// success does not erase them; auth_recovery_* hold the recovery state and the result
// of the request that followed it.
type bugReport struct {
	mu   sync.Mutex
	tags map[string]string
}

// latestAttemptKeys are cleared on every attempt so stale values never describe it.
var latestAttemptKeys = []string{
	"auth_endpoint", "auth_header_attached", "auth_header_name", "auth_mode",
	"auth_retry_after_unauthorized", "auth_connection_reused", "auth_request_id",
	"auth_cf_ray", "auth_error", "auth_error_code", "auth_status",
}

func newBugReport(env envFlags) *bugReport {
	b := &bugReport{tags: map[string]string{}}
	for _, kv := range env.attrs() {
		b.tags[strings.Replace(string(kv.Key), "auth.", "auth_", 1)] = kv.Value.String()
	}
	return b
}

func (b *bugReport) record(r *opRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	set := func(k, v string) {
		if v == "" {
			delete(b.tags, k)
			return
		}
		b.tags[k] = v
	}
	if d := r.recovery; d != nil {
		set("auth_recovery_mode", string(d.mode))
		set("auth_recovery_phase", string(d.step))
		set("auth_recovery_outcome", string(d.outcome))
		set("auth_401_request_id", r.evidence.RequestID)
		set("auth_401_cf_ray", r.evidence.CFRay)
		set("auth_401_error", r.evidence.AuthError)
		set("auth_401_error_code", r.evidence.ErrorCode)
		// A new recovery has no follow-up yet.
		delete(b.tags, "auth_recovery_followup_success")
		delete(b.tags, "auth_recovery_followup_status")
		return
	}
	for _, k := range latestAttemptKeys {
		delete(b.tags, k)
	}
	set("auth_endpoint", r.endpoint)
	set("auth_mode", string(r.creds.Mode))
	if r.status != 0 {
		set("auth_status", strconv.Itoa(r.status))
	}
	if r.reused != nil {
		set("auth_connection_reused", strconv.FormatBool(*r.reused))
	}
	set("auth_request_id", r.evidence.RequestID)
	set("auth_cf_ray", r.evidence.CFRay)
	set("auth_error", r.evidence.AuthError)
	set("auth_error_code", r.evidence.ErrorCode)
	if a := r.auth; a != nil {
		set("auth_header_attached", strconv.FormatBool(a.headerAttached))
		if a.headerAttached {
			set("auth_header_name", authHeaderName)
		}
		set("auth_retry_after_unauthorized", strconv.FormatBool(a.retryAfter401))
		if a.retryAfter401 {
			set("auth_recovery_mode", string(a.recoveryMode))
			set("auth_recovery_phase", string(a.recoveryPhase))
			set("auth_recovery_followup_success", strconv.FormatBool(!r.failed()))
			if r.status != 0 {
				set("auth_recovery_followup_status", strconv.Itoa(r.status))
			}
		}
	}
}

func (b *bugReport) snapshot() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]string, len(b.tags))
	for k, v := range b.tags {
		out[k] = v
	}
	return out
}
