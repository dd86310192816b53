// Package openaimw observes calls made with the official OpenAI Go SDK
// (github.com/openai/openai-go/v3): a request middleware that records the same
// api_request spans, log records and header evidence as package client. It only
// observes; the SDK's own retries and auth are unchanged.
package openaimw

import (
	"net/http"
	"strconv"

	"github.com/openai/openai-go/v3/option"

	"github.com/authobs/authobsprocessor/client"
)

// Middleware records one api_request per HTTP attempt of the SDK.
type Middleware struct {
	obs *client.Observer
}

// New accepts the telemetry options of client.New (WithTracerProvider,
// WithLoggerProvider, WithPropagator, WithModel, ...) and rejects the others.
func New(opts ...client.Option) (*Middleware, error) {
	obs, err := client.NewObserver(opts...)
	if err != nil {
		return nil, err
	}
	return &Middleware{obs: obs}, nil
}

// Option returns the SDK request option installing the middleware.
func (m *Middleware) Option() option.RequestOption { return option.WithMiddleware(m.Handle) }

// BugReport returns the bug-report view of the observed calls.
func (m *Middleware) BugReport() map[string]string { return m.obs.BugReport() }

// Handle is the option.Middleware: the attempt's api_request span is live while the
// SDK sends it (the request carries its traceparent), and ends with the outcome.
// The SDK numbers its attempts in X-Stainless-Retry-Count, which becomes attempt.
func (m *Middleware) Handle(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	attempt, convErr := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count"))
	if convErr != nil || attempt < 0 {
		attempt = 0
	}
	req, end := m.obs.Begin(req, attempt)
	resp, err := next(req)
	end(resp, err)
	return resp, err
}
