package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"
)

// Route is a destination's trust level (docs/contract.md §4).
type Route string

const (
	// RouteTraceSafe is for trace backends with wide access: auth operations keep only the
	// contract's allowlist and personal data is dropped everywhere.
	RouteTraceSafe Route = "trace_safe"
	// RouteLogOnly is for a trusted log store: personal data is kept, secrets are not.
	RouteLogOnly Route = "log_only"
)

// Mode says whether the policy changes data or only counts what it would change.
type Mode string

const (
	// ModeEnforce applies the policy.
	ModeEnforce Mode = "enforce"
	// ModeAudit changes nothing and counts what enforce would change: a rollout aid,
	// never an egress setting.
	ModeAudit Mode = "audit"
)

// IDPolicy says what happens to request ids and cf-ray values on this route.
type IDPolicy string

const (
	// IDKeep keeps a valid id as sent.
	IDKeep IDPolicy = "keep"
	// IDHash replaces a valid id by a short digest: `sha256:<16 hex>`, or `hmac:<16 hex>`
	// keyed by a key derived from redaction.fingerprint.key when that is set.
	IDHash IDPolicy = "hash"
	// IDDrop removes the id.
	IDDrop IDPolicy = "drop"
)

// Config is the authobs processor configuration. The zero-value-plus-defaults config
// (an empty YAML block) is the safe one: trace_safe, enforce.
type Config struct {
	// Route is this instance's destination trust level.
	Route Route `mapstructure:"route"`
	// Mode says whether the policy changes data or only counts.
	Mode Mode `mapstructure:"mode"`
	// Operations name the spans and events that are auth operations.
	Operations OperationsConfig `mapstructure:"operations"`
	// Evidence bounds the auth evidence.
	Evidence EvidenceConfig `mapstructure:"evidence"`
	// Redaction configures the secret detectors.
	Redaction RedactionConfig `mapstructure:"redaction"`
	// Attributes extend the route's policy by key.
	Attributes AttributesConfig `mapstructure:"attributes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// OperationsConfig says which span names and event.name values mean each operation.
type OperationsConfig struct {
	// APIRequest is one HTTP transport attempt.
	APIRequest OperationMatcher `mapstructure:"api_request"`
	// WebsocketConnect is one WebSocket handshake attempt.
	WebsocketConnect OperationMatcher `mapstructure:"websocket_connect"`
	// WebsocketRequest is one request frame sent on an open WebSocket.
	WebsocketRequest OperationMatcher `mapstructure:"websocket_request"`
	// AuthRecovery is one handled 401 (one recovery decision).
	AuthRecovery OperationMatcher `mapstructure:"auth_recovery"`
}

// OperationMatcher lists the names that identify one operation.
type OperationMatcher struct {
	// SpanNames match a span's name (the reference client names its spans after the operation).
	SpanNames []string `mapstructure:"span_names"`
	// EventNames match the `event.name` attribute of a log record or span event (Codex).
	EventNames []string `mapstructure:"event_names"`
}

// EvidenceConfig bounds the auth evidence of docs/contract.md §3.
type EvidenceConfig struct {
	// RequestID applies to auth.request_id and auth_401_request_id.
	RequestID IDPolicy `mapstructure:"request_id"`
	// CFRay applies to auth.cf_ray and auth_401_cf_ray.
	CFRay IDPolicy `mapstructure:"cf_ray"`
	// MaxLength is the longest accepted id or classification value; longer ones are not
	// evidence and are dropped (ids) or replaced by `other` (classifications).
	MaxLength int `mapstructure:"max_length"`
}

// RedactionConfig configures the secret detectors.
type RedactionConfig struct {
	// Replacement replaces a secret value. URLs get its URL-safe form (`REDACTED`).
	Replacement string `mapstructure:"replacement"`
	// Fingerprint, when set, appends a short keyed digest to every replacement so one
	// secret can be correlated across items without being recoverable.
	Fingerprint *FingerprintConfig `mapstructure:"fingerprint"`
	// ValuePatterns are extra regular expressions whose matches are redacted.
	ValuePatterns []string `mapstructure:"value_patterns"`
	// KeyPatterns are extra regular expressions for attribute keys whose whole value is redacted.
	KeyPatterns []string `mapstructure:"key_patterns"`
	// ExemptValues are exact values never redacted (e.g. a well-known test key).
	ExemptValues []string `mapstructure:"exempt_values"`
	// Rules are the operator's own detection rules, beside the built-in catalogue.
	Rules []RuleConfig `mapstructure:"rules"`
	// RulesFile is a gitleaks-format TOML file of further rules ([[rules]]).
	RulesFile string `mapstructure:"rules_file"`
	// DisableRules are ids of built-in catalogue rules that do not run.
	DisableRules []string `mapstructure:"disable_rules"`
}

// FingerprintConfig holds the HMAC key of the keyed fingerprint.
type FingerprintConfig struct {
	// Key is the secret both the fingerprints and hashed ids are keyed from, each use
	// with its own derived key.
	Key configopaque.String `mapstructure:"key"`
}

// AttributesConfig extends this instance's route policy by key. An instance has one
// route, so the lists are the instance's own: nothing here can be set and then ignored.
type AttributesConfig struct {
	// Allow keeps these keys on trace_safe where the policy would drop them (allowlist and
	// personal data); they are still redacted. log_only drops neither, so Allow is an
	// error there.
	Allow []string `mapstructure:"allow"`
	// Drop removes these keys from every item.
	Drop []string `mapstructure:"drop"`
	// KeepOnly, when set, turns the route into an allowlist for traces and logs: every
	// attribute (resource, scope, span, event, link, log record) whose key is not listed is
	// dropped, except the contract's evidence keys on auth operations. It only narrows what
	// passes: a listed key is still subject to every other rule.
	KeepOnly []string `mapstructure:"keep_only"`
}

// maxEvidenceLength caps evidence.max_length: ids and classifications are "a few dozen characters".
const maxEvidenceLength = 256

// Validate checks the configuration; every error names its key.
func (cfg *Config) Validate() error {
	var errs []error
	switch cfg.Route {
	case RouteTraceSafe, RouteLogOnly:
	default:
		errs = append(errs, fmt.Errorf("route: unknown route %q (want %q or %q)", cfg.Route, RouteTraceSafe, RouteLogOnly))
	}
	switch cfg.Mode {
	case ModeEnforce, ModeAudit:
	default:
		errs = append(errs, fmt.Errorf("mode: unknown mode %q (want %q or %q)", cfg.Mode, ModeEnforce, ModeAudit))
	}
	errs = append(errs, cfg.Operations.validate()...)
	for key, p := range map[string]IDPolicy{"evidence.request_id": cfg.Evidence.RequestID, "evidence.cf_ray": cfg.Evidence.CFRay} {
		switch p {
		case IDKeep, IDHash, IDDrop:
		default:
			errs = append(errs, fmt.Errorf("%s: unknown policy %q (want keep, hash or drop)", key, p))
		}
	}
	if cfg.Evidence.MaxLength < 8 || cfg.Evidence.MaxLength > maxEvidenceLength {
		errs = append(errs, fmt.Errorf("evidence.max_length: %d is out of range [8, %d]", cfg.Evidence.MaxLength, maxEvidenceLength))
	}
	if strings.TrimSpace(cfg.Redaction.Replacement) == "" {
		errs = append(errs, errors.New("redaction.replacement: must not be empty"))
	}
	if f := cfg.Redaction.Fingerprint; f != nil && len(f.Key) == 0 {
		errs = append(errs, errors.New("redaction.fingerprint.key: must not be empty when fingerprint is set"))
	}
	errs = append(errs, validatePatterns("redaction.value_patterns", cfg.Redaction.ValuePatterns, mustNotMatchEmpty)...)
	errs = append(errs, validatePatterns("redaction.key_patterns", cfg.Redaction.KeyPatterns, nil)...)
	for i, v := range cfg.Redaction.ExemptValues {
		if v == "" {
			errs = append(errs, fmt.Errorf("redaction.exempt_values[%d]: must not be empty", i))
		}
	}
	if len(errs) == 0 { // the patterns compile: check the rules with the engine itself
		if err := cfg.Redaction.validateEngine(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, cfg.Attributes.validate(cfg.Route)...)
	return errors.Join(errs...)
}

func (o OperationsConfig) validate() []error {
	var errs []error
	owner := map[string]string{}
	for _, m := range o.matchers() {
		for field, names := range map[string][]string{"span_names": m.matcher.SpanNames, "event_names": m.matcher.EventNames} {
			for i, n := range names {
				key := fmt.Sprintf("operations.%s.%s[%d]", m.key, field, i)
				if n == "" {
					errs = append(errs, fmt.Errorf("%s: must not be empty", key))
					continue
				}
				if prev, ok := owner[field+"\x00"+n]; ok && prev != m.key {
					errs = append(errs, fmt.Errorf("%s: %q already names operation %s", key, n, prev))
				}
				owner[field+"\x00"+n] = m.key
			}
		}
	}
	return errs
}

// keyedMatcher is one operation's matcher with its key under `operations`.
type keyedMatcher struct {
	key     string
	matcher OperationMatcher
}

func (o OperationsConfig) matchers() []keyedMatcher {
	return []keyedMatcher{
		{"api_request", o.APIRequest},
		{"websocket_connect", o.WebsocketConnect},
		{"websocket_request", o.WebsocketRequest},
		{"auth_recovery", o.AuthRecovery},
	}
}

func (a AttributesConfig) validate(route Route) []error {
	var errs []error
	if route == RouteLogOnly && len(a.Allow) > 0 {
		errs = append(errs, fmt.Errorf("attributes.allow: route %q keeps every attribute an allow list could save, so the list would be ignored; remove it", route))
	}
	errs = append(errs, validateKeyList("attributes.allow", a.Allow, "", nil)...)
	errs = append(errs, validateKeyList("attributes.drop", a.Drop, "attributes.allow", a.Allow)...)
	errs = append(errs, validateKeyList("attributes.keep_only", a.KeepOnly, "attributes.drop", a.Drop)...)
	return errs
}

// validateKeyList checks a list of attribute keys: none empty, none also in the list that
// contradicts it (otherKey).
func validateKeyList(key string, keys []string, otherKey string, other []string) []error {
	var errs []error
	for i, k := range keys {
		switch {
		case k == "":
			errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", key, i))
		case slices.Contains(other, k):
			errs = append(errs, fmt.Errorf("%s[%d]: %q is also in %s", key, i, k, otherKey))
		}
	}
	return errs
}

// validatePatterns compiles each pattern and applies check to it; an error names the
// pattern's key and index.
func validatePatterns(key string, patterns []string, check func(*regexp.Regexp) error) []error {
	var errs []error
	for i, p := range patterns {
		if p == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", key, i))
			continue
		}
		re, err := regexp.Compile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: invalid regular expression: %w", key, i, err))
		} else if check != nil {
			if err := check(re); err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %q %w", key, i, p, err))
			}
		}
	}
	return errs
}

// mustNotMatchEmpty: a value pattern that matches the empty string would "redact"
// between every two bytes.
func mustNotMatchEmpty(re *regexp.Regexp) error {
	if re.MatchString("") {
		return errors.New("matches the empty string")
	}
	return nil
}
