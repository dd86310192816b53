package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/propagation"
)

// sendHTTP performs one send over HTTP: attempts with transport retries (5xx, 429,
// network errors) and one api_request operation per attempt. A 401 ends the send
// and is handed back for recovery. handle reads a 2xx body.
func (c *Client) sendHTTP(ctx context.Context, cs *callState, aa attemptAuth, method, endpoint string,
	body []byte, accept string, handle func(*http.Response) error) (*unauthorized, error) {
	u := c.endpointURL(endpoint)
	op := method + " " + endpoint
	for attempt := 0; ; attempt++ {
		creds, err := c.auth.Credentials(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: credentials: %w", op, err)
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
		if err != nil {
			return nil, fmt.Errorf("%s: building request: %w", op, err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", accept)
		req.Header.Set("User-Agent", userAgent)
		a := aa
		a.headerAttached = setAuth(req.Header, creds)
		rec := c.tel.start(ctx, &opRecord{name: OpAPIRequest, creds: creds, model: cs.model,
			endpoint: endpoint, method: method, url: safeURL(u), attempt: intPtr(attempt), auth: &a})
		if endpoint == endpointModels {
			rec.modelsAuthMode = recoveryModeOf(c.auth)
		}
		// The exchange runs within the operation's live span and carries its trace context.
		req = req.WithContext(rec.ctx)
		c.tel.inject(rec.ctx, propagation.HeaderCarrier(req.Header))

		resp, err := c.httpClient.Do(req) //nolint:bodyclose // drainClose closes it on every path below (non-2xx and after handle)
		if err != nil {
			rec.errMsg, rec.errType = networkErrorLabel(ctx, err)
			c.finishHTTP(ctx, cs, rec, false)
			if ctx.Err() != nil {
				return nil, &Error{Op: op, Err: ctx.Err()}
			}
			if attempt >= c.maxRetries {
				return nil, &Error{Op: op, Err: errors.New(rec.errMsg)}
			}
			if err := c.sleep(ctx, attempt); err != nil {
				return nil, &Error{Op: op, Err: err}
			}
			continue
		}
		rec.status = resp.StatusCode
		rec.evidence = EvidenceFromHeader(resp.Header)
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			// The body may echo the credential: drain it for connection reuse, never keep it.
			drainClose(resp.Body)
			rec.errMsg, rec.errType = httpErrorMessage(resp.StatusCode), strconv.Itoa(resp.StatusCode)
			c.finishHTTP(ctx, cs, rec, false)
			if resp.StatusCode == http.StatusUnauthorized {
				return &unauthorized{op: op, status: resp.StatusCode, evidence: rec.evidence, creds: creds}, nil
			}
			if retryableStatus(resp.StatusCode) && attempt < c.maxRetries {
				if err := c.sleep(ctx, attempt); err != nil {
					return nil, &Error{Op: op, Err: err}
				}
				continue
			}
			return nil, &Error{Op: op, Status: resp.StatusCode, Evidence: rec.evidence}
		}
		herr := handle(resp)
		drainClose(resp.Body)
		if herr != nil {
			rec.errMsg, rec.errType = streamErrorLabel(ctx, herr)
			c.finishHTTP(ctx, cs, rec, false)
			// The status was fine; the stream was not: the error names the stream failure.
			return nil, &Error{Op: op, Evidence: rec.evidence, Err: herr}
		}
		c.finishHTTP(ctx, cs, rec, true)
		return nil, nil
	}
}

// finishHTTP stamps and emits an api_request; success is exported for /models only.
func (c *Client) finishHTTP(ctx context.Context, cs *callState, rec *opRecord, ok bool) {
	rec.end = time.Now()
	if rec.endpoint == endpointModels {
		rec.success = boolPtr(ok)
	}
	c.emit(ctx, cs, rec)
}

func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// networkErrorLabel is the fixed telemetry text of a transport failure: Go's error
// text quotes the URL, which may carry secrets in a misconfigured base URL.
func networkErrorLabel(ctx context.Context, err error) (msg, typ string) {
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return "request canceled", "canceled"
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "request timed out", "timeout"
	default:
		return "network error", "network_error"
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// streamErrorLabel classifies a failure while reading a 2xx body.
func streamErrorLabel(ctx context.Context, err error) (msg, typ string) {
	var failed *ResponseFailedError
	switch {
	case errors.As(err, &failed):
		return "response failed", "response_failed"
	case errors.Is(err, ErrStreamIncomplete):
		return "stream ended early", "stream_incomplete"
	case ctx.Err() != nil:
		return networkErrorLabel(ctx, err)
	default:
		return "malformed response", "malformed_response"
	}
}
