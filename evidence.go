package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

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
)

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

const (
	otherValue      = "other"
	configuredValue = "configured"
)

func enumSet(values ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(values))
	for _, v := range values {
		m[v] = struct{}{}
	}
	return m
}

// evidenceResult is what validation decided for one value.
type evidenceResult uint8

const (
	evKeep      evidenceResult = iota // valid as is
	evRewritten                       // replaced by its bounded form (counted as normalised)
	evInvalid                         // not evidence: drop the attribute
)

// normalizeKind labels the values-normalised metric.
type normalizeKind uint8

const (
	normEnum normalizeKind = iota
	normClassification
	normHeaderName
	normErrorMessage
	normHashed
	normProviderKeyName
	normEndpoint
	numNormalizeKinds
)

var normalizeKindNames = [numNormalizeKinds]string{"enum_other", "classification_other", "header_name_case", "error_message", "hashed", "provider_key_name", "endpoint_other"}

// validateEvidence checks v against its kind and, when enforcing, rewrites it in place.
func (p *authobsProcessor) validateEvidence(rule *keyRule, v pcommon.Value, c *counters) evidenceResult {
	switch rule.evidence {
	case evBool:
		return boolEvidence(v)
	case evCount:
		return countEvidence(v)
	case evStatus:
		return statusEvidence(v)
	case evEnum:
		if v.Type() == pcommon.ValueTypeStr {
			if _, ok := rule.enum[v.Str()]; ok {
				return evKeep
			}
		}
		return p.rewrite(v, otherValue, normEnum, c)
	case evClassification:
		if v.Type() == pcommon.ValueTypeStr && isToken(v.Str(), p.maxEvidenceLen, classificationByte) {
			return evKeep
		}
		return p.rewrite(v, otherValue, normClassification, c)
	case evRequestID, evCFRay:
		if v.Type() != pcommon.ValueTypeStr || !isToken(v.Str(), p.maxEvidenceLen, idByte) {
			return evInvalid
		}
		policy := p.cfg.Evidence.RequestID
		if rule.evidence == evCFRay {
			policy = p.cfg.Evidence.CFRay
		}
		switch policy {
		case IDDrop:
			return evInvalid
		case IDHash:
			return p.rewrite(v, p.hashID(v.Str()), normHashed, c)
		}
		return evKeep
	case evHeaderName:
		if v.Type() != pcommon.ValueTypeStr || !isToken(v.Str(), p.maxEvidenceLen, headerByte) {
			return evInvalid
		}
		if lower := strings.ToLower(v.Str()); lower != v.Str() {
			return p.rewrite(v, lower, normHeaderName, c)
		}
		return evKeep
	case evProviderKeyName:
		if v.Type() == pcommon.ValueTypeStr && v.Str() == configuredValue {
			return evKeep
		}
		return p.rewrite(v, configuredValue, normProviderKeyName, c)
	case evEndpoint:
		if s := v.Str(); v.Type() == pcommon.ValueTypeStr && len(s) > 0 && s[0] == '/' && isToken(s, p.maxEvidenceLen, endpointByte) {
			return evKeep
		}
		return p.rewrite(v, otherValue, normEndpoint, c)
	}
	return evKeep
}

// rewrite sets v to s when enforcing; in audit mode it only counts.
func (p *authobsProcessor) rewrite(v pcommon.Value, s string, kind normalizeKind, c *counters) evidenceResult {
	c.normalized[kind]++
	if p.enforce {
		v.SetStr(s)
	}
	return evRewritten
}

func (p *authobsProcessor) hashID(id string) string {
	key := p.fingerprintKey
	if key == nil {
		sum := sha256.Sum256([]byte(id))
		return "sha256:" + hex.EncodeToString(sum[:8])
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return "hmac:" + hex.EncodeToString(m.Sum(nil)[:8])
}

func boolEvidence(v pcommon.Value) evidenceResult {
	switch v.Type() {
	case pcommon.ValueTypeBool:
		return evKeep
	case pcommon.ValueTypeStr:
		// Codex sends booleans as "true"/"false" in span events: accepted as they are.
		if s := v.Str(); strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
			return evKeep
		}
	}
	return evInvalid
}

func countEvidence(v pcommon.Value) evidenceResult {
	n, ok := intValue(v)
	if !ok || n < 0 {
		return evInvalid
	}
	return evKeep
}

func statusEvidence(v pcommon.Value) evidenceResult {
	n, ok := intValue(v)
	if !ok || n < 100 || n > 599 {
		return evInvalid
	}
	return evKeep
}

// intValue reads an int, or a decimal string (Codex sends "401" in span events).
func intValue(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeStr:
		s := v.Str()
		if len(s) == 0 || len(s) > 18 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func classificationByte(c byte) bool {
	return isAlnumByte(c) || c == '_' || c == '-' || c == '.'
}

func idByte(c byte) bool {
	return isAlnumByte(c) || c == '_' || c == '-' || c == '.' || c == ':'
}

func headerByte(c byte) bool {
	return isAlnumByte(c) || c == '-' || c == '_'
}

func endpointByte(c byte) bool {
	return isAlnumByte(c) || c == '_' || c == '-' || c == '.' || c == '/'
}

func isAlnumByte(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// isToken reports whether s is 1..maxLen bytes, all accepted by ok.
func isToken(s string, maxLen int, ok func(byte) bool) bool {
	if len(s) == 0 || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// httpFailureCode finds the HTTP status an error message describes: `http 401`,
// Codex's `unexpected status 401 Unauthorized: …`, `status code: 503`, `HTTP/1.1 502`,
// `429 Too Many Requests`. The message then becomes `http <code>`, so no server text
// quoted after the status survives.
func httpFailureCode(msg string) (int, bool) {
	for i := 0; i+3 <= len(msg); i++ {
		if !isStatusAt(msg, i) {
			continue
		}
		if i > 0 && isAlnumByte(msg[i-1]) || i+3 < len(msg) && isAlnumByte(msg[i+3]) {
			continue
		}
		code := int(msg[i]-'0')*100 + int(msg[i+1]-'0')*10 + int(msg[i+2]-'0')
		if statusContextBefore(msg[:i]) || reasonPhraseAfter(msg[i+3:]) {
			return code, true
		}
	}
	return 0, false
}

func isStatusAt(s string, i int) bool {
	return s[i] >= '1' && s[i] <= '5' && s[i+1] >= '0' && s[i+1] <= '9' && s[i+2] >= '0' && s[i+2] <= '9'
}

// statusContextBefore: the number follows `http`, `HTTP/1.1`, `status`, `status code`,
// `status:` or `code=`.
func statusContextBefore(before string) bool {
	b := strings.TrimRight(before, " :=#\t")
	b = strings.ToLower(b)
	if strings.HasSuffix(b, "status") || strings.HasSuffix(b, "status code") || strings.HasSuffix(b, "http") ||
		strings.HasSuffix(b, "status_code") || strings.HasSuffix(b, "statuscode") {
		return true
	}
	// HTTP/1.1, HTTP/2
	if k := strings.LastIndex(b, "http/"); k >= 0 && k >= len(b)-8 {
		return strings.Trim(b[k+5:], "0123456789.") == ""
	}
	return false
}

var reasonPhrases = []string{
	"unauthorized", "forbidden", "not found", "too many requests", "bad request",
	"internal server error", "bad gateway", "service unavailable", "gateway timeout",
	"upgrade required", "payment required", "conflict", "request timeout", "not implemented",
	"method not allowed", "unprocessable", "precondition",
}

func reasonPhraseAfter(after string) bool {
	a := strings.TrimLeft(after, " ")
	if len(a) > 32 {
		a = a[:32]
	}
	a = strings.ToLower(a)
	for _, r := range reasonPhrases {
		if strings.HasPrefix(a, r) {
			return true
		}
	}
	return false
}

// httpMessages holds the sanitised form of every HTTP error, as Codex writes it, so
// that checking a message costs no allocation.
var httpMessages = func() (m [600]string) {
	for code := 100; code < len(m); code++ {
		m[code] = "http " + strconv.Itoa(code)
	}
	return m
}()

// httpMessage is the sanitised form of an HTTP error with status code (100..599).
func httpMessage(code int) string {
	return httpMessages[code]
}
