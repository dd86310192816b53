package client

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Observer records api_request operations for HTTP exchanges made by other code
// (for example the official OpenAI SDK, see package openaimw). It only observes:
// retries and 401 recovery stay with whoever sends the requests.
type Observer struct {
	tel   *telemetry
	model string
}

// NewObserver accepts the telemetry options of New (WithTracerProvider,
// WithLoggerProvider, WithModel, WithConversationID, WithOriginator,
// WithAppVersion); the others are ignored.
func NewObserver(opts ...Option) *Observer {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return &Observer{tel: o.newTelemetry(false), model: o.model}
}

// BugReport returns the bug-report view of the observed exchanges.
func (o *Observer) BugReport() map[string]string { return o.tel.report.snapshot() }

// RecordHTTP emits one api_request for req, answered by resp or failed with err,
// which started at start. attempt is the 0-based transport retry index.
func (o *Observer) RecordHTTP(ctx context.Context, req *http.Request, resp *http.Response, err error, start time.Time, attempt int) {
	mode := AuthModeAPIKey
	account := req.Header.Get("ChatGPT-Account-ID")
	if account != "" {
		mode = AuthModeChatGPT
	}
	attached := strings.HasPrefix(strings.ToLower(req.Header.Get("Authorization")), "bearer ")
	rec := &opRecord{name: OpAPIRequest, start: start, end: time.Now(),
		creds: Credentials{Mode: mode, AccountID: account}, model: o.model,
		endpoint: EndpointLabel(req.URL.Path), method: req.Method, url: safeURL(req.URL),
		attempt: intPtr(attempt), auth: &attemptAuth{headerAttached: attached}}
	if rec.endpoint == endpointModels {
		rec.modelsAuthMode = RecoveryModeManaged
	}
	switch {
	case err != nil:
		rec.errMsg, rec.errType = networkErrorLabel(ctx, err)
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
	o.tel.emit(ctx, rec)
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
