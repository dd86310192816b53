package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"go.opentelemetry.io/otel/propagation"
)

// handshakeTimeout bounds a WebSocket handshake when the caller set no deadline.
const handshakeTimeout = 30 * time.Second

// betaHeader opts in to the Responses WebSocket protocol, as the Codex CLI does.
const betaHeader = "responses_websockets=2026-02-06"

// errUpgradeRequired is a 426 handshake answer: the server wants HTTP instead.
var errUpgradeRequired = errors.New("websocket upgrade required (http 426)")

// wsURL is {base}/responses with http→ws, https→wss.
func (c *Client) wsURL() *url.URL {
	u := c.endpointURL(endpointResponses)
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	return u
}

func credsKey(c Credentials) string { return c.Token + "\x00" + c.AccountID }

// sendWebSocket performs one send over the cached connection, opening it first when
// there is none or when it was opened with other credentials.
func (c *Client) sendWebSocket(ctx context.Context, cs *callState, req *ResponseRequest, aa attemptAuth) (*Response, *unauthorized, error) {
	c.wsMu.Lock()
	defer c.wsMu.Unlock()
	creds, err := c.auth.Credentials(ctx)
	if err != nil {
		return nil, nil, &Error{Op: "websocket /responses", Err: err}
	}
	// The server authenticated the handshake; new credentials need a new one.
	if c.ws != nil && (aa.retryAfter401 || c.wsCredsKey != credsKey(creds)) {
		c.dropWS()
	}
	reused := c.ws != nil
	if !reused {
		if u, err := c.dialWS(ctx, cs, creds, aa); u != nil || err != nil {
			return nil, u, err
		}
	}
	resp, u, sentNothing, err := c.wsRequest(ctx, cs, creds, req, reused)
	if err != nil && reused && sentNothing && ctx.Err() == nil {
		// The server may have closed the idle cached connection: one fresh handshake.
		if u, err := c.dialWS(ctx, cs, creds, aa); u != nil || err != nil {
			return nil, u, err
		}
		resp, u, _, err = c.wsRequest(ctx, cs, creds, req, false)
	}
	return resp, u, err
}

// dialWS opens the connection: one websocket_connect per handshake attempt, with
// transport retries for 5xx and network errors. A 401 goes back to the recovery; a
// 426 returns errUpgradeRequired.
func (c *Client) dialWS(ctx context.Context, cs *callState, creds Credentials, aa attemptAuth) (*unauthorized, error) {
	const op = "GET /responses (websocket)"
	u := c.wsURL()
	for attempt := 0; ; attempt++ {
		h := http.Header{"Openai-Beta": {betaHeader}, "User-Agent": {userAgent}}
		a := aa
		a.headerAttached = setAuth(h, creds)
		rec := c.tel.start(ctx, &opRecord{name: OpWebSocketConnect, creds: creds, model: cs.model,
			endpoint: endpointResponses, method: http.MethodGet, url: safeURL(u), auth: &a,
			reused: boolPtr(false), reauth: boolPtr(aa.retryAfter401)})
		c.tel.inject(rec.ctx, propagation.HeaderCarrier(h))

		// The connection outlives this call's context, so the handshake runs on a
		// detached context (still within the operation's span) that the caller's
		// cancellation still aborts.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(rec.ctx), handshakeTimeout)
		stop := context.AfterFunc(ctx, cancel)
		//nolint:bodyclose // coder/websocket closes the handshake response body itself (its Dial documentation)
		conn, resp, err := websocket.Dial(hctx, u.String(), &websocket.DialOptions{HTTPClient: c.httpClient, HTTPHeader: h})
		stop()
		cancel()
		rec.end = time.Now()
		if err == nil {
			conn.SetReadLimit(maxSSELine)
			c.ws, c.wsCredsKey = conn, credsKey(creds)
			rec.status, rec.success = http.StatusSwitchingProtocols, boolPtr(true)
			c.emit(ctx, cs, rec)
			return nil, nil
		}
		rec.success = boolPtr(false)
		status := 0
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			status = resp.StatusCode
			rec.status, rec.evidence = status, EvidenceFromHeader(resp.Header)
			rec.errMsg, rec.errType = httpErrorMessage(status), strconv.Itoa(status)
		} else {
			rec.errMsg, rec.errType = networkErrorLabel(ctx, err)
		}
		c.emit(ctx, cs, rec)
		switch {
		case status == http.StatusUnauthorized:
			return &unauthorized{op: op, status: status, evidence: rec.evidence, creds: creds}, nil
		case status == http.StatusUpgradeRequired:
			return nil, errUpgradeRequired
		case (status == 0 || retryableStatus(status)) && ctx.Err() == nil && attempt < c.maxRetries:
			if err := c.sleep(ctx, attempt); err != nil {
				return nil, &Error{Op: op, Err: err}
			}
		case status != 0:
			return nil, &Error{Op: op, Status: status, Evidence: rec.evidence}
		case ctx.Err() != nil:
			return nil, &Error{Op: op, Err: ctx.Err()}
		default:
			return nil, &Error{Op: op, Err: errors.New(rec.errMsg)}
		}
	}
}

// wsRequest sends one response.create frame and reads events until the terminal
// one: one websocket_request operation, whose span context the frame carries in
// client_metadata (as Codex does). sentNothing reports a failure before any event
// arrived, which a fresh connection may fix. An error event with status 401 on the
// open connection (an in-stream 401) comes back as unauthorized, the connection dropped.
func (c *Client) wsRequest(ctx context.Context, cs *callState, creds Credentials, req *ResponseRequest, reused bool) (_ *Response, u *unauthorized, sentNothing bool, _ error) {
	const op = "websocket response.create"
	rec := c.tel.start(ctx, &opRecord{name: OpWebSocketRequest, creds: creds, model: cs.model,
		url: safeURL(c.wsURL()), reused: boolPtr(reused)})
	finish := func(err error, label, typ string) {
		rec.end = time.Now()
		rec.success = boolPtr(err == nil)
		rec.errMsg, rec.errType = label, typ
		c.emit(ctx, cs, rec)
	}
	// The frame carries its own span's context, so it is rendered once the span is live;
	// a request that cannot be encoded is this operation's failure.
	body, err := req.body(map[string]any{"type": "response.create"}, c.frameMetadata(rec.ctx))
	if err != nil {
		finish(err, "invalid request", "invalid_request")
		return nil, nil, false, err
	}
	if err := c.ws.Write(rec.ctx, websocket.MessageText, body); err != nil {
		c.dropWS()
		msg, typ := networkErrorLabel(ctx, err)
		finish(err, msg, typ)
		return nil, nil, true, &Error{Op: op, Err: errors.New(msg)}
	}
	st := &streamState{onEvent: req.OnEvent}
	events := 0
	for {
		typ, data, err := c.ws.Read(rec.ctx)
		if err != nil {
			// A failed read leaves the connection unusable.
			c.dropWS()
			if ctx.Err() != nil {
				msg, etyp := networkErrorLabel(ctx, err)
				finish(err, msg, etyp)
				return nil, nil, false, &Error{Op: op, Err: ctx.Err()}
			}
			finish(err, "connection closed before a terminal event", "stream_incomplete")
			return nil, nil, events == 0, &Error{Op: op, Err: ErrStreamIncomplete}
		}
		if typ != websocket.MessageText {
			continue
		}
		events++
		terminal, herr := st.handle("", data)
		var failed *ResponseFailedError
		if errors.As(herr, &failed) && failed.Status == http.StatusUnauthorized {
			// The server rejected the credentials on an open connection. The frame was sent
			// but not served: its operation failed with http 401 (the server's text stays
			// out of telemetry), and the connection, authenticated with them, is dropped.
			c.dropWS()
			rec.status = http.StatusUnauthorized
			finish(herr, httpErrorMessage(http.StatusUnauthorized), strconv.Itoa(http.StatusUnauthorized))
			return nil, &unauthorized{op: op, status: http.StatusUnauthorized, creds: creds, inStream: true}, false, nil
		}
		if herr != nil {
			if failed == nil {
				// A malformed frame means we lost track of the stream.
				c.dropWS()
			}
			msg, etyp := streamErrorLabel(ctx, herr)
			finish(herr, msg, etyp)
			return nil, nil, false, &Error{Op: op, Err: herr}
		}
		if terminal {
			finish(nil, "", "")
			return st.done, nil, false, nil
		}
	}
}

// wsMetadataPrefix names the trace-context entries of a frame's client_metadata:
// ws_request_header_traceparent (and _tracestate, _baggage when the propagator writes
// them), the names Codex uses.
const wsMetadataPrefix = "ws_request_header_"

// frameMetadata is the client_metadata of a response.create frame: the trace context of
// the frame's websocket_request span, as the headers of an HTTP request would carry it.
func (c *Client) frameMetadata(ctx context.Context) map[string]string {
	carrier := propagation.MapCarrier{}
	c.tel.inject(ctx, carrier)
	md := make(map[string]string, len(carrier))
	for k, v := range carrier {
		md[wsMetadataPrefix+k] = v
	}
	return md
}

// dropWS abandons the cached connection without a close handshake.
func (c *Client) dropWS() {
	if c.ws != nil {
		_ = c.ws.CloseNow()
		c.ws = nil
	}
}
