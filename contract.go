package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"maps"
	"slices"
	"strings"
)

// The tables of the telemetry contract (docs/contract.md; § numbers refer to it):
// which keys are auth evidence and how each is validated, the session metadata, the
// personal data and the facts derived from it.

// evidenceKind says how an auth evidence value of docs/contract.md §3 is validated.
type evidenceKind uint8

const (
	evNone evidenceKind = iota
	evBool
	evCount
	evStatus
	evEnum
	evClassification
	evRequestID
	evCFRay
	evHeaderName
	evProviderKeyName
	evEndpoint
	numEvidenceKinds
)

// evidenceKeys are the keys of docs/contract.md §3 by how their values are validated, apart from
// the enums (enumKeys). Every auth.* key also has an underscore twin among the bug-report
// tags (auth_request_id …), validated the same way; the tags listed here have no dotted twin.
var evidenceKeys = map[evidenceKind][]string{
	evBool: {"success", "auth.header_attached", "auth.retry_after_unauthorized", "auth.connection_reused",
		"auth.reauth", "auth.state_changed", "auth.env_openai_api_key_present", "auth.env_codex_api_key_present",
		"auth.env_codex_api_key_enabled", "auth.env_provider_key_present", "auth.env_refresh_token_url_override_present",
		"auth_recovery_followup_success"},
	evCount:           {"duration_ms", "attempt"},
	evStatus:          {"http.response.status_code", "auth_recovery_followup_status"},
	evEndpoint:        {"endpoint"},
	evHeaderName:      {"auth.header_name"},
	evRequestID:       {"auth.request_id", "auth_401_request_id"},
	evCFRay:           {"auth.cf_ray", "auth_401_cf_ray"},
	evClassification:  {"auth.error", "auth.error_code", "auth_401_error", "auth_401_error_code"},
	evProviderKeyName: {"auth.env_provider_key_name"},
}

// The bounded enums of docs/contract.md §3; an unknown value becomes `other`.
var (
	enumRecoveryMode  = enumSet("managed", "external")
	enumRecoveryPhase = enumSet("reload", "refresh_token", "external_refresh")
	enumAuthMode      = enumSet("managed", "external", "none")
	enumStep          = enumSet("reload", "refresh_token", "external_refresh", "done", "none")
	enumOutcome       = enumSet("recovery_succeeded", "recovery_failed_permanent", "recovery_failed_transient", "recovery_not_run")
	enumReason        = enumSet("not_chatgpt_auth", "no_external_refresher", "recovery_exhausted", "auth_manager_missing")
	enumCodexAuthMode = enumSet("ApiKey", "Chatgpt")
)

// enumKeys are the evidence keys whose values come from a fixed set. auth_mode is Codex's
// ApiKey|Chatgpt, not the twin of auth.mode (managed|external|none).
var enumKeys = map[string]map[string]struct{}{
	"auth.recovery_mode": enumRecoveryMode, "auth.recovery_phase": enumRecoveryPhase, "auth.mode": enumAuthMode,
	"auth.step": enumStep, "auth.outcome": enumOutcome, "auth_recovery_outcome": enumOutcome,
	"auth.recovery_reason": enumReason, "auth_mode": enumCodexAuthMode,
}

func enumSet(values ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(values))
	for _, v := range values {
		m[v] = struct{}{}
	}
	return m
}

// enumValues is a bounded enum's values: a handful, each compared with a value by length
// first, where a map lookup hashed every value on every auth span (TestEnumValues holds the
// two to the same answer).
type enumValues []string

func enumValuesOf(set map[string]struct{}) enumValues {
	return slices.Sorted(maps.Keys(set))
}

// has reports whether s is one of e's values.
func (e enumValues) has(s string) bool {
	for _, v := range e {
		if len(v) == len(s) && v == s {
			return true
		}
	}
	return false
}

// The bounded forms evidence values are rewritten into.
const (
	otherValue      = "other"
	configuredValue = "configured"
)

// evidenceRules returns the rule of every evidence key and of its underscore twin, unless
// the contract gives the twin's name its own meaning (auth_mode).
func evidenceRules() map[string]keyRule {
	rules := map[string]keyRule{}
	for kind, keys := range evidenceKeys {
		for _, k := range keys {
			rules[k] = keyRule{evidence: kind}
		}
	}
	for k, enum := range enumKeys {
		rules[k] = keyRule{evidence: evEnum, enum: enumValuesOf(enum)}
	}
	twins := map[string]keyRule{}
	for k, r := range rules {
		name, dotted := strings.CutPrefix(k, "auth.")
		if _, own := rules["auth_"+name]; dotted && !own {
			twins["auth_"+name] = r
		}
	}
	maps.Copy(rules, twins)
	return rules
}

// sessionKeys are the common session metadata of docs/contract.md §3 (free strings: redacted,
// not validated).
var sessionKeys = []string{"event.name", "event.timestamp", "conversation.id", "app.version", "originator", "terminal.type", "model", "slug"}

// errorKeys are kept on auth operations: error.message is free text that may quote an
// HTTP failure (reduced to `http <code>`), error.type a short classification.
const (
	errorMessageKey = "error.message"
	errorTypeKey    = "error.type"
)

// allowedPrefixes are the semantic-convention namespaces kept on auth operations.
var allowedPrefixes = []string{"http.", "url.", "server."}

// personalKind marks personal data: kept on log_only, dropped on trace_safe, where some
// source values leave a derived fact behind (docs/contract.md §4).
type personalKind uint8

const (
	notPersonal personalKind = iota
	personalDrop
	personalPrompt        // → prompt_length
	personalArguments     // → arguments_length
	personalOutput        // → output_length, output_line_count
	personalMCPServers    // → mcp_server_count
	personalActiveProfile // → active_profile_present
)

var personalKeys = map[string]personalKind{
	"user.email": personalDrop, "user.account_id": personalDrop, "enduser.id": personalDrop, "user.id": personalDrop,
	"prompt": personalPrompt, "arguments": personalArguments, "output": personalOutput,
	"mcp_server": personalDrop, "mcp_server_origin": personalDrop, "mcp_servers": personalMCPServers,
	"active_profile": personalActiveProfile, "host.name": personalDrop, "cwd": personalDrop,
}

// personalPrefixes name personal data however the rest of the key reads.
var personalPrefixes = []string{"user.", "enduser."}

// The safe facts left in place of personal data on trace_safe.
const (
	promptLengthKey         = "prompt_length"
	argumentsLengthKey      = "arguments_length"
	outputLengthKey         = "output_length"
	outputLineCountKey      = "output_line_count"
	mcpServerCountKey       = "mcp_server_count"
	activeProfilePresentKey = "active_profile_present"
)

// derivedKeys are allowed on auth operations: a client may send the facts itself.
var derivedKeys = []string{promptLengthKey, argumentsLengthKey, outputLengthKey, outputLineCountKey, mcpServerCountKey, activeProfilePresentKey}

// codexRedactedMarker is how Codex exports a prompt it withheld (it then sends
// prompt_length itself): not text to measure.
const codexRedactedMarker = "[REDACTED]"
