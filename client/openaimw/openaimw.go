// Package openaimw observes calls made with the official OpenAI Go SDK
// (github.com/openai/openai-go/v3): a request middleware that records the same
// api_request spans, log records and header evidence as package client. It only
// observes; the SDK's own retries and auth are unchanged.
package openaimw

import (
	"net/http"
	"strconv"
	"time"

	"github.com/openai/openai-go/v3/option"

	"github.com/authobs/authobsprocessor/client"
)

// Middleware records one api_request per HTTP attempt of the SDK.
type Middleware struct {
	obs *client.Observer
}

// New accepts the telemetry options of client.New (WithTracerProvider,
// WithLoggerProvider, WithModel, ...).
func New(opts ...client.Option) *Middleware {
	return &Middleware{obs: client.NewObserver(opts...)}
}

// Option returns the SDK request option installing the middleware.
func (m *Middleware) Option() option.RequestOption { return option.WithMiddleware(m.Handle) }

// BugReport returns the bug-report view of the observed calls.
func (m *Middleware) BugReport() map[string]string { return m.obs.BugReport() }

// Handle is the option.Middleware: it times the attempt and records the outcome.
// The SDK numbers its attempts in X-Stainless-Retry-Count, which becomes attempt.
func (m *Middleware) Handle(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	start := time.Now()
	resp, err := next(req)
	attempt, convErr := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count"))
	if convErr != nil || attempt < 0 {
		attempt = 0
	}
	m.obs.RecordHTTP(req.Context(), req, resp, err, start, attempt)
	return resp, err
}
