package mockapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultMaxBodyBytes bounds every request body and WebSocket message.
	DefaultMaxBodyBytes = 1 << 20
	// maxLoggedRequests bounds the request log so a long-running mock cannot grow without limit.
	maxLoggedRequests = 10000
	// wsIdleTimeout closes WebSocket connections that stay silent, so forgotten clients cannot pin goroutines.
	wsIdleTimeout = 2 * time.Minute
)

// Options configures a Server.
type Options struct {
	// AccountChangeFile is a Codex-layout auth.json that the account_changed
	// scenario rewrites with a different tokens.account_id on its first 401.
	// Empty disables the rewrite.
	AccountChangeFile string
	// MaxBodyBytes bounds request bodies and WebSocket messages; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// StreamDelay is the pause between the halves of a split SSE write, so the
	// halves reach the client in separate reads; 0 means 2ms, negative means none.
	StreamDelay time.Duration
	// Logger receives one line per request and any account-file error; nil discards.
	Logger *slog.Logger
}

// Server is the mock API. It is an http.Handler; call Close after the
// enclosing http.Server has shut down to end open WebSocket connections.
type Server struct {
	opts Options
	mux  *http.ServeMux
	log  *slog.Logger

	mu       sync.Mutex
	states   map[string]*scenarioState
	requests []RequestRecord
	seq      int64
	closed   bool

	// WebSocket connections are hijacked, so http.Server.Shutdown does not
	// wait for them; baseCtx ends them and wsWG waits for their handlers.
	baseCtx context.Context
	cancel  context.CancelFunc
	wsWG    sync.WaitGroup
}

// New returns a ready Server.
func New(opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.StreamDelay == 0 {
		opts.StreamDelay = 2 * time.Millisecond
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:    opts,
		log:     logger,
		states:  make(map[string]*scenarioState),
		baseCtx: ctx,
		cancel:  cancel,
	}
	mux := http.NewServeMux()
	mux.Handle("POST /{scenario}/v1/responses", s.scenarioHandler("responses", s.serveResponses))
	mux.Handle("GET /{scenario}/v1/responses", s.scenarioHandler("websocket_handshake", s.serveWebSocket))
	mux.Handle("POST /{scenario}/v1/responses/compact", s.scenarioHandler("responses_compact", s.serveCompact))
	mux.Handle("GET /{scenario}/v1/models", s.scenarioHandler("models", s.serveModels))
	mux.Handle("POST /{scenario}/oauth/token", s.scenarioHandler("oauth_token", s.serveToken))
	mux.HandleFunc("POST /_admin/reset", s.serveReset)
	mux.HandleFunc("GET /_admin/requests", s.serveRequests)
	mux.Handle("/", s.loggedHandler("unknown", func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Unknown request URL. Use /<scenario>/v1/responses, /<scenario>/v1/responses/compact, /<scenario>/v1/models or /<scenario>/oauth/token.")
	}))
	s.mux = mux
	return s
}

// ServeHTTP stamps every response with the evidence headers real servers send, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("x-request-id", newRequestID())
	h.Set("cf-ray", newCFRay())
	s.mux.ServeHTTP(w, r)
}

// Close ends open WebSocket connections and waits for their handlers. New
// WebSocket handshakes are refused afterwards.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wsWG.Wait()
}

// Reset forgets all scenario state (issued tokens, one-shot failures, the
// account rewrite) and the request log.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states = make(map[string]*scenarioState)
	s.requests = nil
}

// state returns the scenario's state; the caller holds s.mu.
// firstTime sets the scenario flag that done points at and reports whether it was unset:
// a one-shot event (the first 5xx) per reset.
func (s *Server) firstTime(sc *scenario, done func(*scenarioState) *bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	flag := done(s.state(sc.name))
	first := !*flag
	*flag = true
	return first
}

func (s *Server) state(name string) *scenarioState {
	st, ok := s.states[name]
	if !ok {
		st = newScenarioState()
		s.states[name] = st
	}
	return st
}

type scenarioFunc func(w http.ResponseWriter, r *http.Request, sc *scenario)

// scenarioHandler resolves the {scenario} path segment and logs the request.
func (s *Server) scenarioHandler(kind string, fn scenarioFunc) http.Handler {
	return s.loggedHandler(kind, func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("scenario")
		sc, ok := scenariosByName[name]
		if !ok {
			writeAPIError(w, http.StatusNotFound, "invalid_request_error", "unknown_scenario", "Unknown scenario "+quoteShort(name)+".")
			return
		}
		fn(w, r, sc)
	})
}

// loggedHandler records the request when its status is written, which for a
// WebSocket is the 101 before the connection is hijacked.
func (s *Server) loggedHandler(kind string, fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &recordingWriter{ResponseWriter: w, s: s, rec: RequestRecord{
			Scenario:             r.PathValue("scenario"),
			Kind:                 kind,
			Transport:            transportOf(kind),
			Method:               r.Method,
			Path:                 r.URL.Path,
			AuthorizationPresent: r.Header.Get("Authorization") != "",
			ChatGPTAccountID:     r.Header.Get("ChatGPT-Account-ID"),
			RequestID:            w.Header().Get("x-request-id"),
			TraceParent:          traceParent(r.Header.Get("traceparent")),
		}}
		fn(rw, r)
		if !rw.logged {
			rw.WriteHeader(http.StatusOK)
		}
		s.log.Info("request", "scenario", rw.rec.Scenario, "kind", kind, "method", r.Method, "path", r.URL.Path, "status", rw.rec.Status)
	})
}

func transportOf(kind string) string {
	if strings.HasPrefix(kind, "websocket") {
		return "websocket"
	}
	return "http"
}

// recordingWriter captures the status for the request log. Unwrap lets
// http.ResponseController and the WebSocket library reach Flush and Hijack.
type recordingWriter struct {
	http.ResponseWriter
	s      *Server
	rec    RequestRecord
	logged bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if !w.logged {
		w.logged = true
		w.rec.Status = code
		w.s.appendRecord(w.rec)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if !w.logged {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) serveReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) serveRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"requests": s.Requests()})
}

func (s *Server) serveModels(w http.ResponseWriter, r *http.Request, sc *scenario) {
	if !s.authorize(w, r, sc) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data": []map[string]any{
			{"id": "gpt-5.1", "object": "model", "created": 1762905600, "owned_by": "openai"},
		},
	})
}

// readJSONBody decodes a bounded JSON object body, answering 413/400 itself on failure.
func (s *Server) readJSONBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large", "Request body too large.")
			return false
		}
		writeAPIError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "We could not parse the JSON body of your request.")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeAPIError writes an error in the OpenAI API body shape.
func writeAPIError(w http.ResponseWriter, status int, typ, code, message string) {
	writeJSON(w, status, map[string]any{"error": apiError(typ, code, message)})
}

func apiError(typ, code, message string) map[string]any {
	var c any
	if code != "" {
		c = code
	}
	return map[string]any{"message": message, "type": typ, "param": nil, "code": c}
}

// quoteShort quotes user-controlled text for an error message, bounded.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	b, _ := json.Marshal(s)
	return string(b)
}
