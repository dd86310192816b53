package client

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"
)

// Observer records api_request operations for HTTP exchanges made by other code
// (for example the official OpenAI SDK, see package openaimw). It only observes:
// retries and 401 recovery stay with whoever sends the requests.
type Observer struct {
	tel   *telemetry
	model string
}

// NewObserver accepts the telemetry options of New (WithTracerProvider,
// WithLoggerProvider, WithPropagator, WithModel, WithConversationID, WithOriginator,
// WithAppVersion) and rejects the others.
func NewObserver(opts ...Option) (*Observer, error) {
	o := defaultOptions()
	if err := applyOptions(&o, opts, true); err != nil {
		return nil, err
	}
	return &Observer{tel: o.newTelemetry(false), model: o.model}, nil
}

// BugReport returns the bug-report view of the observed exchanges.
func (o *Observer) BugReport() map[string]string { return o.tel.report.snapshot() }

// Begin starts the api_request operation of one HTTP attempt that other code sends
// (attempt is its 0-based transport retry index). The operation's span is live until
// end is called with the outcome; req comes back with the span's context and the trace
// context injected into a copy of its headers (traceparent), so the server and an
// instrumented transport join the operation.
func (o *Observer) Begin(req *http.Request, attempt int) (_ *http.Request, end func(resp *http.Response, err error)) {
	mode := AuthModeAPIKey
	account := req.Header.Get("ChatGPT-Account-ID")
	if account != "" {
		mode = AuthModeChatGPT
	}
	attached := strings.HasPrefix(strings.ToLower(req.Header.Get("Authorization")), "bearer ")
	rec := o.tel.start(req.Context(), &opRecord{name: OpAPIRequest,
		creds: Credentials{Mode: mode, AccountID: account}, model: o.model,
		endpoint: EndpointLabel(req.URL.Path), method: req.Method, url: safeURL(req.URL),
		attempt: intPtr(attempt), auth: &attemptAuth{headerAttached: attached}})
	if rec.endpoint == endpointModels {
		rec.modelsAuthMode = RecoveryModeManaged
	}
	out := req.Clone(rec.ctx)
	o.tel.inject(rec.ctx, propagation.HeaderCarrier(out.Header))
	return out, func(resp *http.Response, err error) {
		rec.end = time.Now()
		switch {
		case err != nil:
			rec.errMsg, rec.errType = networkErrorLabel(out.Context(), err)
		case resp != nil:
			rec.status = resp.StatusCode
			rec.evidence = EvidenceFromHeader(resp.Header)
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				rec.errMsg, rec.errType = httpErrorMessage(resp.StatusCode), strconv.Itoa(resp.StatusCode)
			}
		}
		if rec.endpoint == endpointModels {
			rec.success = boolPtr(!rec.failed())
		}
		o.tel.emit(rec.ctx, rec)
	}
}

// EndpointLabel maps a request path to the contract's route label, or "" for a
// route it does not know (labels are a bounded set).
func EndpointLabel(path string) string {
	p := strings.TrimRight(path, "/")
	for _, e := range []string{endpointCompact, endpointResponses, endpointModels, "/memories/trace_summarize"} {
		if strings.HasSuffix(p, e) {
			return e
		}
	}
	return ""
}
