package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Version is reported as app.version unless WithAppVersion says otherwise.
const Version = "0.1.0"

// userAgent identifies the client to servers.
const userAgent = "authobs-client/" + Version

// Endpoint labels, exported as the endpoint attribute.
const (
	endpointResponses = "/responses"
	endpointCompact   = "/responses/compact"
	endpointModels    = "/models"
)

// Transport selects how POST /responses travels.
type Transport string

const (
	// TransportHTTP sends each request as POST /responses over HTTP (SSE stream).
	TransportHTTP Transport = "http"
	// TransportWebSocket sends requests over one cached WebSocket connection, falling back
	// to HTTP when the server refuses the upgrade.
	TransportWebSocket Transport = "websocket"
)

// Client talks to one Responses-style API. It is safe for concurrent use; WebSocket
// requests share one cached connection and therefore run one at a time.
type Client struct {
	base       *url.URL
	auth       AuthProvider
	httpClient *http.Client
	transport  Transport
	model      string
	maxRetries int
	backoff    func(attempt int) time.Duration
	tel        *telemetry

	wsMu       sync.Mutex
	ws         *websocket.Conn
	wsCredsKey string // the credentials the cached connection was opened with
	wsDisabled atomic.Bool
}

type options struct {
	auth           AuthProvider
	httpClient     *http.Client
	transport      Transport
	model          string
	maxRetries     int
	backoff        func(int) time.Duration
	tracerProvider trace.TracerProvider
	loggerProvider otellog.LoggerProvider
	propagator     propagation.TextMapPropagator
	session        session
}

// Option configures a Client. Every option either applies or makes New fail with an
// error naming it; the telemetry options (marked below) also configure an Observer,
// which rejects the others.
type Option struct {
	name      string
	telemetry bool
	apply     func(*options) error
}

func option(name string, apply func(*options) error) Option {
	return Option{name: name, apply: apply}
}

func telemetryOption(name string, apply func(*options) error) Option {
	return Option{name: name, telemetry: true, apply: apply}
}

// applyOptions applies opts in order; forObserver rejects options an Observer has no
// use for.
func applyOptions(o *options, opts []Option, forObserver bool) error {
	var errs []error
	for i, opt := range opts {
		switch {
		case opt.apply == nil:
			errs = append(errs, fmt.Errorf("option %d: a zero Option (use the With... functions)", i))
		case forObserver && !opt.telemetry:
			errs = append(errs, fmt.Errorf("%s: not an option of an Observer (it only records telemetry)", opt.name))
		default:
			if err := opt.apply(o); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", opt.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

var errNil = errors.New("must not be nil")

// WithAuth sets the credential provider (default: OPENAI_API_KEY).
func WithAuth(a AuthProvider) Option {
	return option("WithAuth", func(o *options) error {
		if a == nil {
			return errNil
		}
		o.auth = a
		return nil
	})
}

// WithHTTPClient sets the HTTP client for API requests and WebSocket handshakes.
func WithHTTPClient(c *http.Client) Option {
	return option("WithHTTPClient", func(o *options) error {
		if c == nil {
			return errNil
		}
		o.httpClient = c
		return nil
	})
}

// WithTransport selects HTTP (default) or WebSocket for POST /responses.
func WithTransport(t Transport) Option {
	return option("WithTransport", func(o *options) error {
		if t != TransportHTTP && t != TransportWebSocket {
			return fmt.Errorf("unknown transport %q (want http or websocket)", t)
		}
		o.transport = t
		return nil
	})
}

// WithModel sets the model used when a request names none. Telemetry option.
func WithModel(m string) Option {
	return telemetryOption("WithModel", func(o *options) error {
		if strings.TrimSpace(m) == "" {
			return errors.New("empty model")
		}
		o.model = m
		return nil
	})
}

// WithMaxRetries sets how many transport retries (5xx, 429, network) follow the
// first attempt of a send (default 2; 0 disables them).
func WithMaxRetries(n int) Option {
	return option("WithMaxRetries", func(o *options) error {
		if n < 0 {
			return fmt.Errorf("%d is negative", n)
		}
		o.maxRetries = n
		return nil
	})
}

// WithBackoff replaces the retry delay (default: exponential from 200ms with ±20%
// jitter, capped at 5s); attempt is the retry's 0-based index of the failed attempt.
func WithBackoff(f func(attempt int) time.Duration) Option {
	return option("WithBackoff", func(o *options) error {
		if f == nil {
			return errNil
		}
		o.backoff = f
		return nil
	})
}

// WithTracerProvider sets where spans go (default: the global provider). Telemetry option.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return telemetryOption("WithTracerProvider", func(o *options) error {
		if tp == nil {
			return errNil
		}
		o.tracerProvider = tp
		return nil
	})
}

// WithLoggerProvider sets where log records go (default: the global provider).
// Telemetry option.
func WithLoggerProvider(lp otellog.LoggerProvider) Option {
	return telemetryOption("WithLoggerProvider", func(o *options) error {
		if lp == nil {
			return errNil
		}
		o.loggerProvider = lp
		return nil
	})
}

// WithPropagator sets how trace context goes out on requests, handshakes and WebSocket
// frames (default: the global propagator, which SetupTelemetry sets from
// OTEL_PROPAGATORS; the OpenTelemetry Go default does nothing). Telemetry option.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return telemetryOption("WithPropagator", func(o *options) error {
		if p == nil {
			return errNil
		}
		o.propagator = p
		return nil
	})
}

// WithConversationID sets conversation.id (default: a random UUID per client).
// Telemetry option.
func WithConversationID(id string) Option {
	return telemetryOption("WithConversationID", func(o *options) error {
		if id == "" {
			return errors.New("empty conversation id")
		}
		o.session.conversationID = id
		return nil
	})
}

// WithOriginator sets the originator attribute (default "authobs_client"). Telemetry option.
func WithOriginator(s string) Option {
	return telemetryOption("WithOriginator", func(o *options) error {
		if s == "" {
			return errors.New("empty originator")
		}
		o.session.originator = s
		return nil
	})
}

// WithAppVersion sets app.version (default Version). Telemetry option.
func WithAppVersion(v string) Option {
	return telemetryOption("WithAppVersion", func(o *options) error {
		if v == "" {
			return errors.New("empty version")
		}
		o.session.appVersion = v
		return nil
	})
}

// New returns a client for baseURL, e.g. https://api.openai.com/v1.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("base URL must be an absolute http(s) URL such as https://api.openai.com/v1")
	}
	o := defaultOptions()
	if err := applyOptions(&o, opts, false); err != nil {
		return nil, err
	}
	if o.auth == nil {
		k, err := APIKeyFromEnv()
		if err != nil {
			return nil, fmt.Errorf("no auth provider given and %w", err)
		}
		o.auth = k
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{}
	}
	providerKeyFromEnv := false
	if k, ok := o.auth.(*APIKey); ok {
		providerKeyFromEnv = k.fromEnv
	}
	return &Client{
		base:       base,
		auth:       o.auth,
		httpClient: o.httpClient,
		transport:  o.transport,
		model:      o.model,
		maxRetries: o.maxRetries,
		backoff:    o.backoff,
		tel:        o.newTelemetry(providerKeyFromEnv),
	}, nil
}

func defaultOptions() options {
	return options{
		transport:  TransportHTTP,
		maxRetries: 2,
		backoff:    defaultBackoff,
		session: session{
			conversationID: uuid.NewString(),
			appVersion:     Version,
			originator:     "authobs_client",
			terminalType:   os.Getenv("TERM"),
		},
	}
}

func (o *options) newTelemetry(providerKeyFromEnv bool) *telemetry {
	tp, lp := o.tracerProvider, o.loggerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if lp == nil {
		lp = otel.GetLoggerProvider()
	}
	env := readEnvFlags(providerKeyFromEnv)
	return &telemetry{
		tracer:     tp.Tracer(instrumentationName, trace.WithInstrumentationVersion(Version)),
		logger:     lp.Logger(instrumentationName, otellog.WithInstrumentationVersion(Version)),
		propagator: o.propagator,
		session:    o.session,
		env:        env,
		report:     newBugReport(env),
	}
}

// BugReport returns the bug-report view (auth_*, auth_401_*, auth_recovery_*).
func (c *Client) BugReport() map[string]string { return c.tel.report.snapshot() }

// Close closes the cached WebSocket connection, if any.
func (c *Client) Close() error {
	c.wsMu.Lock()
	defer c.wsMu.Unlock()
	if c.ws == nil {
		return nil
	}
	err := c.ws.Close(websocket.StatusNormalClosure, "")
	c.ws = nil
	if err != nil {
		return fmt.Errorf("closing websocket: %w", err)
	}
	return nil
}

// CreateResponse sends POST /responses and returns the completed response. Over
// WebSocket a 426 handshake answer switches this client to HTTP for good.
func (c *Client) CreateResponse(ctx context.Context, req *ResponseRequest) (*Response, error) {
	r := *req
	if r.Model == "" {
		r.Model = c.model
	}
	cs := c.newCall(endpointResponses, r.Model)
	var out *Response
	err := c.run(ctx, cs, func(ctx context.Context, aa attemptAuth) (*unauthorized, error) {
		if c.transport == TransportWebSocket && !c.wsDisabled.Load() {
			cs.report.Transport = string(TransportWebSocket)
			resp, u, err := c.sendWebSocket(ctx, cs, &r, aa)
			if u != nil && u.inStream && !canRecover(c.auth, u.creds) {
				// An in-stream 401 with nothing to recover (API key): as Codex, the frame
				// once more on a fresh connection, then HTTP; no auth_recovery, since no
				// recovery step exists.
				resp, u, err = c.sendWebSocket(ctx, cs, &r, aa)
				if u != nil && u.inStream {
					u, err = nil, errUpgradeRequired
				}
			}
			if !errors.Is(err, errUpgradeRequired) {
				out = resp
				return u, err
			}
			// The server wants HTTP (426), or rejects these credentials on WebSocket only:
			// this client uses HTTP from now on.
			c.wsDisabled.Store(true)
			cs.report.FellBackToHTTP = true
		}
		cs.report.Transport = string(TransportHTTP)
		body, err := r.body(map[string]any{"stream": true}, nil)
		if err != nil {
			return nil, err
		}
		return c.sendHTTP(ctx, cs, aa, http.MethodPost, endpointResponses, body, "text/event-stream",
			func(resp *http.Response) error {
				var err error
				out, err = readSSEResponse(resp.Body, r.OnEvent)
				return err
			})
	})
	if err != nil {
		return nil, cs.fail(err)
	}
	out.Report = cs.report
	return out, nil
}

// Stream sends POST /responses like CreateResponse and yields each stream event as it
// arrives (after req.OnEvent, if set, has seen it); the last event of a completed
// response is response.completed, whose Raw holds the response. A failed call ends
// with one (StreamEvent{}, err), err as CreateResponse returns it. Events of an attempt
// that the client retries (after a 401 recovery, say) are not yielded: a failed
// attempt ends before its first event. Stopping the loop early cancels the call.
func (c *Client) Stream(ctx context.Context, req *ResponseRequest) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		events := make(chan StreamEvent)
		result := make(chan error, 1)
		r := *req
		r.OnEvent = func(ev StreamEvent) {
			if req.OnEvent != nil {
				req.OnEvent(ev)
			}
			select {
			case events <- ev:
			case <-ctx.Done():
			}
		}
		go func() {
			_, err := c.CreateResponse(ctx, &r)
			result <- err
			close(events)
		}()
		for ev := range events {
			if !yield(ev, nil) {
				cancel()
				for range events { // until CreateResponse has returned
				}
				return
			}
		}
		if err := <-result; err != nil {
			yield(StreamEvent{}, err)
		}
	}
}

// CompactRequest is the body of POST /responses/compact.
type CompactRequest struct {
	Model        string `json:"model"`
	Input        any    `json:"input"`
	Instructions string `json:"instructions,omitempty"`
}

// CompactResult is the answer of POST /responses/compact.
type CompactResult struct {
	Output []json.RawMessage `json:"output"`
	Report CallReport        `json:"-"`
}

// Compact sends POST /responses/compact.
func (c *Client) Compact(ctx context.Context, req *CompactRequest) (*CompactResult, error) {
	r := *req
	if r.Model == "" {
		r.Model = c.model
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding compact request: %w", err)
	}
	cs := c.newCall(endpointCompact, r.Model)
	var out CompactResult
	err = c.run(ctx, cs, func(ctx context.Context, aa attemptAuth) (*unauthorized, error) {
		return c.sendHTTP(ctx, cs, aa, http.MethodPost, endpointCompact, body, "application/json",
			func(resp *http.Response) error { return decodeJSONBody(resp.Body, endpointCompact, &out) })
	})
	if err != nil {
		return nil, cs.fail(err)
	}
	out.Report = cs.report
	return &out, nil
}

// Model is one entry of GET /models.
type Model struct {
	ID string `json:"id"`
}

// ListModels sends GET /models. It accepts both the OpenAI list shape
// ({"data":[{"id"}]}) and the Codex one ({"models":[{"slug"}]}).
func (c *Client) ListModels(ctx context.Context) ([]Model, error) {
	cs := c.newCall(endpointModels, c.model)
	var models []Model
	err := c.run(ctx, cs, func(ctx context.Context, aa attemptAuth) (*unauthorized, error) {
		return c.sendHTTP(ctx, cs, aa, http.MethodGet, endpointModels, nil, "application/json",
			func(resp *http.Response) error {
				var doc struct {
					Data   []Model `json:"data"`
					Models []struct {
						Slug string `json:"slug"`
						ID   string `json:"id"`
					} `json:"models"`
				}
				if err := decodeJSONBody(resp.Body, endpointModels, &doc); err != nil {
					return err
				}
				models = doc.Data
				for _, m := range doc.Models {
					id := m.Slug
					if id == "" {
						id = m.ID
					}
					models = append(models, Model{ID: id})
				}
				return nil
			})
	})
	if err != nil {
		return nil, cs.fail(err)
	}
	return models, nil
}

func decodeJSONBody(r io.Reader, endpoint string, v any) error {
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("decoding %s response: malformed JSON", endpoint)
	}
	return nil
}

// unauthorized is a 401 answer to a send, handed to the recovery.
type unauthorized struct {
	op       string
	status   int
	evidence Evidence
	creds    Credentials
	inStream bool // an error event on an open WebSocket, not an HTTP status
}

// sendFunc performs one send (with its transport retries) for the given auth context.
type sendFunc func(ctx context.Context, aa attemptAuth) (*unauthorized, error)

// run drives the 401 recovery around send: each 401 is one auth_recovery decision;
// a successful step is followed by another send that carries its mode and phase.
func (c *Client) run(ctx context.Context, cs *callState, send sendFunc) error {
	rec := newRecovery(c.auth)
	var aa attemptAuth
	for {
		u, err := send(ctx, aa)
		if u == nil {
			return err
		}
		// The recovery's own requests (a token refresh) run within its live span.
		op := c.tel.start(ctx, &opRecord{name: OpAuthRecovery, creds: u.creds, model: cs.model, evidence: u.evidence})
		d := rec.handle(op.ctx, u.creds)
		op.end, op.recovery = time.Now(), &d
		c.emit(ctx, cs, op)
		if d.outcome != OutcomeSucceeded {
			return &Error{Op: u.op, Status: u.status, Evidence: u.evidence,
				Recovery: &RecoveryResult{Mode: d.mode, Step: d.step, Outcome: d.outcome, Reason: d.reason, Err: d.err}}
		}
		aa = attemptAuth{retryAfter401: true, recoveryMode: d.mode, recoveryPhase: d.step}
	}
}

// setAuth attaches the credentials; it reports whether a Bearer header went out.
func setAuth(h http.Header, creds Credentials) bool {
	if creds.Token == "" {
		return false
	}
	h.Set("Authorization", "Bearer "+creds.Token)
	if creds.AccountID != "" {
		h.Set("ChatGPT-Account-ID", creds.AccountID)
	}
	return true
}

// endpointURL joins the base URL and an endpoint path.
func (c *Client) endpointURL(endpoint string) *url.URL {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + endpoint
	u.RawPath = ""
	return &u
}

func defaultBackoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt, 5)
	d = min(d, 5*time.Second)
	jitter := 0.8 + 0.4*rand.Float64() //nolint:gosec // G404: retry jitter spreads load, it protects nothing
	return time.Duration(float64(d) * jitter)
}

// sleep waits the backoff for attempt, or until ctx ends.
func (c *Client) sleep(ctx context.Context, attempt int) error {
	d := c.backoff(attempt)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryableStatus: server errors and rate limits are transient; 401 is never a
// transport retry, it belongs to the recovery.
func retryableStatus(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}
