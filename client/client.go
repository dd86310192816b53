package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	TransportHTTP      Transport = "http"
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
	session        session
}

// Option configures a Client.
type Option func(*options)

// WithAuth sets the credential provider (default: OPENAI_API_KEY).
func WithAuth(a AuthProvider) Option { return func(o *options) { o.auth = a } }

// WithHTTPClient sets the HTTP client for API requests and WebSocket handshakes.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithTransport selects HTTP (default) or WebSocket for POST /responses.
func WithTransport(t Transport) Option { return func(o *options) { o.transport = t } }

// WithModel sets the model used when a request names none.
func WithModel(m string) Option { return func(o *options) { o.model = m } }

// WithMaxRetries sets how many transport retries (5xx, 429, network) follow the
// first attempt of a send (default 2).
func WithMaxRetries(n int) Option { return func(o *options) { o.maxRetries = n } }

// WithBackoff replaces the retry delay (default: exponential from 200ms with ±20%
// jitter, capped at 5s); attempt is the retry's 0-based index of the failed attempt.
func WithBackoff(f func(attempt int) time.Duration) Option {
	return func(o *options) { o.backoff = f }
}

// WithTracerProvider sets where spans go (default: the global provider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = tp }
}

// WithLoggerProvider sets where log records go (default: the global provider).
func WithLoggerProvider(lp otellog.LoggerProvider) Option {
	return func(o *options) { o.loggerProvider = lp }
}

// WithConversationID sets conversation.id (default: a random UUID per client).
func WithConversationID(id string) Option {
	return func(o *options) { o.session.conversationID = id }
}

// WithOriginator sets the originator attribute (default "authobs_client").
func WithOriginator(s string) Option { return func(o *options) { o.session.originator = s } }

// WithAppVersion sets app.version (default Version).
func WithAppVersion(v string) Option { return func(o *options) { o.session.appVersion = v } }

// New returns a client for baseURL, e.g. https://api.openai.com/v1.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("base URL must be an absolute http(s) URL such as https://api.openai.com/v1")
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.auth == nil {
		k, err := APIKeyFromEnv()
		if err != nil {
			return nil, fmt.Errorf("no auth provider given and %w", err)
		}
		o.auth = k
	}
	if o.transport != TransportHTTP && o.transport != TransportWebSocket {
		return nil, fmt.Errorf("unknown transport %q (want http or websocket)", o.transport)
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
		maxRetries: max(o.maxRetries, 0),
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
		tracer:  tp.Tracer(instrumentationName, trace.WithInstrumentationVersion(Version)),
		logger:  lp.Logger(instrumentationName, otellog.WithInstrumentationVersion(Version)),
		session: o.session,
		env:     env,
		report:  newBugReport(env),
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
			if !errors.Is(err, errUpgradeRequired) {
				out = resp
				return u, err
			}
			c.wsDisabled.Store(true)
			cs.report.FellBackToHTTP = true
		}
		cs.report.Transport = string(TransportHTTP)
		body, err := r.body(map[string]any{"stream": true})
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
		start := time.Now()
		d := rec.handle(ctx, u.creds)
		c.emit(ctx, cs, &opRecord{name: OpAuthRecovery, start: start, end: time.Now(), creds: u.creds,
			model: cs.model, evidence: u.evidence, recovery: &d})
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
	jitter := 0.8 + 0.4*rand.Float64()
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
