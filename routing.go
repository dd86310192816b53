package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// personalKind marks personal data: kept on log_only, dropped on trace_safe, where some
// source values leave a derived fact behind (docs/contract.md §4).
type personalKind uint8

const (
	notPersonal personalKind = iota
	personalDrop
	personalPrompt       // → prompt_length
	personalArguments    // → arguments_length
	personalOutput       // → output_length, output_line_count
	personalMCPServers   // → mcp_server_count
	personalActiveProfil // → active_profile_present
)

// keyRule is everything the policy knows about one attribute key on this route. Rules
// for known keys are built at start-up; unknown keys are classified once and cached.
type keyRule struct {
	evidence evidenceKind
	enum     map[string]struct{}
	// allowed: kept on auth operations on trace_safe (the docs/contract.md §3 allowlist).
	allowed bool
	// personal: dropped on trace_safe (unless allowed by configuration).
	personal personalKind
	// drop: removed from every item on this route (configuration).
	drop bool
	// secret: the whole value is a secret (key-based redaction); evidence keys never are.
	secret redact.KeyKind
	// errorText: free text that may quote an HTTP failure (error.message).
	errorText bool
	// secretInKey: the key itself contains a secret; the attribute is dropped.
	secretInKey bool
}

// Keys of docs/contract.md §3 with their evidence kinds. Every auth.* key has an underscore
// twin among the bug-report tags (auth_request_id …), validated the same way.
var evidenceKeys = map[string]keyRule{
	"duration_ms":                     {evidence: evCount},
	"http.response.status_code":       {evidence: evStatus},
	"success":                         {evidence: evBool},
	"attempt":                         {evidence: evCount},
	"endpoint":                        {evidence: evEndpoint},
	"auth.header_attached":            {evidence: evBool},
	"auth.header_name":                {evidence: evHeaderName},
	"auth.retry_after_unauthorized":   {evidence: evBool},
	"auth.recovery_mode":              {evidence: evEnum, enum: enumRecoveryMode},
	"auth.recovery_phase":             {evidence: evEnum, enum: enumRecoveryPhase},
	"auth.connection_reused":          {evidence: evBool},
	"auth.reauth":                     {evidence: evBool},
	"auth.request_id":                 {evidence: evRequestID},
	"auth.cf_ray":                     {evidence: evCFRay},
	"auth.error":                      {evidence: evClassification},
	"auth.error_code":                 {evidence: evClassification},
	"auth.mode":                       {evidence: evEnum, enum: enumAuthMode},
	"auth.step":                       {evidence: evEnum, enum: enumStep},
	"auth.outcome":                    {evidence: evEnum, enum: enumOutcome},
	"auth.recovery_reason":            {evidence: evEnum, enum: enumReason},
	"auth.state_changed":              {evidence: evBool},
	"auth.env_openai_api_key_present": {evidence: evBool},
	"auth.env_codex_api_key_present":  {evidence: evBool},
	"auth.env_codex_api_key_enabled":  {evidence: evBool},
	"auth.env_provider_key_present":   {evidence: evBool},
	"auth.env_refresh_token_url_override_present": {evidence: evBool},
	"auth.env_provider_key_name":                  {evidence: evProviderKeyName},
	"auth_mode":                                   {evidence: evEnum, enum: enumCodexAuthMode},
	// bug-report tags that have no dotted twin
	"auth_401_request_id":            {evidence: evRequestID},
	"auth_401_cf_ray":                {evidence: evCFRay},
	"auth_401_error":                 {evidence: evClassification},
	"auth_401_error_code":            {evidence: evClassification},
	"auth_recovery_outcome":          {evidence: evEnum, enum: enumOutcome},
	"auth_recovery_followup_success": {evidence: evBool},
	"auth_recovery_followup_status":  {evidence: evStatus},
}

func hasEvidenceKey(k string) bool {
	_, ok := evidenceKeys[k]
	return ok
}

// sessionKeys are the common session metadata of docs/contract.md §3 (free strings: redacted,
// not validated).
var sessionKeys = []string{"event.name", "event.timestamp", "conversation.id", "app.version", "originator", "terminal.type", "model", "slug"}

// derivedKeys are the safe facts left in place of personal data.
var derivedKeys = []string{"prompt_length", "arguments_length", "output_length", "output_line_count", "mcp_server_count", "active_profile_present"}

var personalKeys = map[string]personalKind{
	"user.email": personalDrop, "user.account_id": personalDrop, "enduser.id": personalDrop, "user.id": personalDrop,
	"prompt": personalPrompt, "arguments": personalArguments, "output": personalOutput,
	"mcp_server": personalDrop, "mcp_server_origin": personalDrop, "mcp_servers": personalMCPServers,
	"active_profile": personalActiveProfil, "host.name": personalDrop, "cwd": personalDrop,
}

// allowedPrefixes are the semantic-convention namespaces kept on auth operations.
var allowedPrefixes = []string{"http.", "url.", "server."}

// maxCachedKeys and maxCachedKeyLen bound the cache of classified unknown keys in count
// and in bytes, so hostile input with endless distinct or huge keys costs CPU, never
// unbounded memory.
const (
	maxCachedKeys   = 8192
	maxCachedKeyLen = 256
)

// policy holds the key rules of one processor instance.
type policy struct {
	route  Route
	known  map[string]*keyRule
	engine *redact.Engine
	// rules is what the per-item path reads: the start-up rules plus every key classified
	// since, in one immutable map (one lookup per attribute). New keys wait in pending
	// and are published, copy-on-write, once per batch.
	rules   atomic.Pointer[map[string]*keyRule]
	mu      sync.Mutex // guards pending and publishing
	pending map[string]*keyRule
	dirty   atomic.Bool
	cached  atomic.Int32
	// spanOps and eventOps map names to operations.
	spanOps  map[string]operation
	eventOps map[string]operation
}

func newPolicy(cfg *Config, engine *redact.Engine) *policy {
	p := &policy{
		route:    cfg.Route,
		known:    map[string]*keyRule{},
		engine:   engine,
		spanOps:  map[string]operation{},
		eventOps: map[string]operation{},
	}
	for _, m := range cfg.Operations.matchers() {
		for _, n := range m.matcher.SpanNames {
			p.spanOps[n] = m.op
		}
		for _, n := range m.matcher.EventNames {
			p.eventOps[n] = m.op
		}
	}
	routeAttrs := cfg.Attributes.TraceSafe
	if cfg.Route == RouteLogOnly {
		routeAttrs = cfg.Attributes.LogOnly
	}
	for k, r := range evidenceKeys {
		r.allowed = true
		p.known[k] = &r
		// the underscore twin, unless the contract gives that name its own meaning
		// (auth_mode is Codex's ApiKey|Chatgpt, not auth.mode's managed|external|none)
		if twinKey := "auth_" + strings.TrimPrefix(k, "auth."); strings.HasPrefix(k, "auth.") && !hasEvidenceKey(twinKey) {
			twin := r
			p.known[twinKey] = &twin
		}
	}
	for _, k := range append(append([]string{}, sessionKeys...), derivedKeys...) {
		p.known[k] = &keyRule{allowed: true}
	}
	p.known["error.message"] = &keyRule{allowed: true, errorText: true}
	p.known["error.type"] = &keyRule{allowed: true}
	for k, kind := range personalKeys {
		r := p.classify(k)
		r.personal = kind
		p.known[k] = r
	}
	for _, k := range routeAttrs.Allow {
		r := p.ruleFor(k)
		r.allowed, r.personal = true, notPersonal
	}
	for _, k := range routeAttrs.Drop {
		r := p.ruleFor(k)
		r.drop = true
	}
	rules := maps.Clone(p.known)
	p.rules.Store(&rules)
	return p
}

// ruleFor returns the start-up rule for k, creating it from the generic classification.
func (p *policy) ruleFor(k string) *keyRule {
	if r, ok := p.known[k]; ok {
		return r
	}
	r := p.classify(k)
	p.known[k] = r
	return r
}

// classify derives the rule of a key that is not in the contract.
func (p *policy) classify(k string) *keyRule {
	r := &keyRule{secret: p.engine.KeyKind(k)}
	var hits redact.Hits
	_, r.secretInKey = p.engine.Redact(k, &hits)
	for _, prefix := range allowedPrefixes {
		if strings.HasPrefix(k, prefix) {
			r.allowed = true
		}
	}
	if strings.HasPrefix(k, "user.") || strings.HasPrefix(k, "enduser.") {
		r.personal = personalDrop
	}
	return r
}

// rule returns the rule for an attribute key: one lookup in the published table, else
// the slow path that classifies a new key.
func (p *policy) rule(k string) *keyRule {
	if r, ok := (*p.rules.Load())[k]; ok {
		return r
	}
	return p.learn(k)
}

// learn classifies a key the published table does not hold yet and keeps the rule in
// pending until publish, so a new key is classified once, not once per item.
func (p *policy) learn(k string) *keyRule {
	if len(k) > maxCachedKeyLen {
		return p.classify(k) // never kept: no lock needed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.pending[k]; ok {
		return r
	}
	r := p.classify(k)
	if p.cached.Load() < maxCachedKeys {
		if p.pending == nil {
			p.pending = map[string]*keyRule{}
		}
		p.pending[strings.Clone(k)] = r
		p.cached.Add(1)
		p.dirty.Store(true)
	}
	return r
}

// publish makes the keys learnt during a batch visible to the lookup path. Batches
// that met no new key pay one atomic load.
func (p *policy) publish() {
	if !p.dirty.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return
	}
	rules := maps.Clone(*p.rules.Load())
	maps.Copy(rules, p.pending)
	p.rules.Store(&rules)
	p.pending = nil
	p.dirty.Store(false)
}

// operationOfSpan classifies a span by its name.
func (p *policy) operationOfSpan(name string) operation {
	return p.spanOps[name]
}

// operationOfEvent classifies a log record or span event by its `event.name` value.
func (p *policy) operationOfEvent(eventName string) operation {
	return p.eventOps[eventName]
}
