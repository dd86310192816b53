package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"errors"
	"fmt"
	"regexp"
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
	IDKeep IDPolicy = "keep"
	IDHash IDPolicy = "hash"
	IDDrop IDPolicy = "drop"
)

// Config is the authobs processor configuration. The zero-value-plus-defaults config
// (an empty YAML block) is the safe one: trace_safe, enforce.
type Config struct {
	Route      Route            `mapstructure:"route"`
	Mode       Mode             `mapstructure:"mode"`
	Operations OperationsConfig `mapstructure:"operations"`
	Evidence   EvidenceConfig   `mapstructure:"evidence"`
	Redaction  RedactionConfig  `mapstructure:"redaction"`
	Attributes AttributesConfig `mapstructure:"attributes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// OperationsConfig says which span names and event.name values mean each operation.
type OperationsConfig struct {
	APIRequest       OperationMatcher `mapstructure:"api_request"`
	WebsocketConnect OperationMatcher `mapstructure:"websocket_connect"`
	WebsocketRequest OperationMatcher `mapstructure:"websocket_request"`
	AuthRecovery     OperationMatcher `mapstructure:"auth_recovery"`
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
}

// FingerprintConfig holds the HMAC key of the keyed fingerprint.
type FingerprintConfig struct {
	Key configopaque.String `mapstructure:"key"`
}

// AttributesConfig extends the route policy per route.
type AttributesConfig struct {
	TraceSafe RouteAttributes `mapstructure:"trace_safe"`
	LogOnly   RouteAttributes `mapstructure:"log_only"`
}

// RouteAttributes are extra keys kept or dropped on one route.
type RouteAttributes struct {
	// Allow keeps these keys where the route would drop them (allowlist and personal data);
	// they are still redacted.
	Allow []string `mapstructure:"allow"`
	// Drop removes these keys from every item on the route.
	Drop []string `mapstructure:"drop"`
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
	errs = append(errs, validatePatterns("redaction.value_patterns", cfg.Redaction.ValuePatterns, true)...)
	errs = append(errs, validatePatterns("redaction.key_patterns", cfg.Redaction.KeyPatterns, false)...)
	for i, v := range cfg.Redaction.ExemptValues {
		if v == "" {
			errs = append(errs, fmt.Errorf("redaction.exempt_values[%d]: must not be empty", i))
		}
	}
	errs = append(errs, cfg.Attributes.TraceSafe.validate("attributes.trace_safe")...)
	errs = append(errs, cfg.Attributes.LogOnly.validate("attributes.log_only")...)
	return errors.Join(errs...)
}

func (o OperationsConfig) validate() []error {
	var errs []error
	owner := map[string]string{}
	for _, m := range o.matchers() {
		for field, names := range map[string][]string{"span_names": m.matcher.SpanNames, "event_names": m.matcher.EventNames} {
			for i, n := range names {
				key := fmt.Sprintf("operations.%s.%s[%d]", m.op, field, i)
				if n == "" {
					errs = append(errs, fmt.Errorf("%s: must not be empty", key))
					continue
				}
				if prev, ok := owner[field+"\x00"+n]; ok && prev != m.op.String() {
					errs = append(errs, fmt.Errorf("%s: %q already names operation %s", key, n, prev))
				}
				owner[field+"\x00"+n] = m.op.String()
			}
		}
	}
	return errs
}

type opMatcher struct {
	op      operation
	matcher OperationMatcher
}

func (o OperationsConfig) matchers() []opMatcher {
	return []opMatcher{
		{opAPIRequest, o.APIRequest},
		{opWebsocketConnect, o.WebsocketConnect},
		{opWebsocketRequest, o.WebsocketRequest},
		{opAuthRecovery, o.AuthRecovery},
	}
}

func (r RouteAttributes) validate(prefix string) []error {
	var errs []error
	allowed := map[string]bool{}
	for i, k := range r.Allow {
		if k == "" {
			errs = append(errs, fmt.Errorf("%s.allow[%d]: must not be empty", prefix, i))
		}
		allowed[k] = true
	}
	for i, k := range r.Drop {
		switch {
		case k == "":
			errs = append(errs, fmt.Errorf("%s.drop[%d]: must not be empty", prefix, i))
		case allowed[k]:
			errs = append(errs, fmt.Errorf("%s.drop[%d]: %q is also in %s.allow", prefix, i, k, prefix))
		}
	}
	return errs
}

// validatePatterns compiles each pattern; a value pattern must not match the empty
// string, which would "redact" between every two bytes.
func validatePatterns(key string, patterns []string, values bool) []error {
	var errs []error
	for i, p := range patterns {
		if p == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", key, i))
			continue
		}
		re, err := regexp.Compile(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s[%d]: invalid regular expression: %w", key, i, err))
		case values && re.MatchString(""):
			errs = append(errs, fmt.Errorf("%s[%d]: %q matches the empty string", key, i, p))
		}
	}
	return errs
}
