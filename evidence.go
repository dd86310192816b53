package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// keepEvidence validates an evidence value on an auth operation and reports whether the
// attribute stays. Evidence in the right shape can still be a secret (an id-shaped key, a
// classification glued to a token): it is then not evidence, and goes whole — to its
// bounded form where its kind has one, else out. That check reads the value as sent,
// before any rewrite or hash.
func (p *authobsProcessor) keepEvidence(rule *keyRule, v pcommon.Value, c *counters) bool {
	var keep bool
	if v.Type() == pcommon.ValueTypeStr && p.holdsSecret(v.Str(), c) {
		keep = p.toBoundedForm(rule.evidence, v, c)
	} else {
		keep = p.validateEvidence(rule, v, c)
	}
	if !keep {
		c.dropped[dropInvalidEvidence]++
	}
	return keep
}

// boundedForms is what a value of each kind that has one becomes when it is not valid:
// enums, classifications and endpoints `other`, the provider key name `configured`.
var boundedForms = [numEvidenceKinds]struct {
	value string
	kind  normalizeKind
}{
	evEnum:            {otherValue, normEnum},
	evClassification:  {otherValue, normClassification},
	evEndpoint:        {otherValue, normEndpoint},
	evProviderKeyName: {configuredValue, normProviderKeyName},
}

// toBoundedForm rewrites v into its kind's bounded form; it reports false for the kinds
// that have none (ids, header names, flags, numbers), which are then not evidence.
func (p *authobsProcessor) toBoundedForm(kind evidenceKind, v pcommon.Value, c *counters) bool {
	if boundedForms[kind].value == "" {
		return false
	}
	p.normalize(v, boundedForms[kind].value, boundedForms[kind].kind, c)
	return true
}

// validateEvidence checks v against its kind, rewriting it into its bounded form where
// the contract has one; it reports whether v is evidence (as sent or rewritten).
func (p *authobsProcessor) validateEvidence(rule *keyRule, v pcommon.Value, c *counters) bool {
	switch rule.evidence {
	case evBool:
		return isBoolEvidence(v)
	case evCount:
		n, ok := intValue(v)
		return ok && n >= 0
	case evStatus:
		n, ok := intValue(v)
		return ok && n >= 100 && n <= 599
	case evEnum:
		if !rule.enum.has(v.Str()) || v.Type() != pcommon.ValueTypeStr {
			p.toBoundedForm(evEnum, v, c)
		}
	case evClassification:
		if v.Type() != pcommon.ValueTypeStr || !isToken(v.Str(), p.maxEvidenceLen, classificationBytes) {
			p.toBoundedForm(evClassification, v, c)
		}
	case evRequestID, evCFRay:
		return p.validateID(rule.evidence, v, c)
	case evHeaderName:
		if v.Type() != pcommon.ValueTypeStr || !isToken(v.Str(), p.maxEvidenceLen, headerBytes) {
			return false
		}
		// a header name of lower-case letters, digits, '-' and '_' (the usual one) is kept
		// as it is without strings.ToLower's scan and compare; isToken passed, so it is
		// ASCII, and ToLower changes it exactly when it holds an upper-case letter
		if s := v.Str(); !isToken(s, p.maxEvidenceLen, lowerHeaderBytes) {
			p.normalize(v, strings.ToLower(s), normHeaderName, c)
		}
	case evProviderKeyName:
		if v.Type() != pcommon.ValueTypeStr || v.Str() != configuredValue {
			p.toBoundedForm(evProviderKeyName, v, c)
		}
	case evEndpoint:
		if s := v.Str(); v.Type() != pcommon.ValueTypeStr || len(s) == 0 || s[0] != '/' || !isToken(s, p.maxEvidenceLen, endpointBytes) {
			p.toBoundedForm(evEndpoint, v, c)
		}
	}
	return true
}

// validateID checks a request id or cf-ray value, then applies its policy (keep, hash,
// drop).
func (p *authobsProcessor) validateID(kind evidenceKind, v pcommon.Value, c *counters) bool {
	if v.Type() != pcommon.ValueTypeStr || !isToken(v.Str(), p.maxEvidenceLen, idBytes) {
		return false
	}
	policy := p.cfg.Evidence.RequestID
	if kind == evCFRay {
		policy = p.cfg.Evidence.CFRay
	}
	switch policy {
	case IDDrop:
		return false
	case IDHash:
		p.normalize(v, p.hashID(v.Str()), normHashed, c)
	}
	return true
}

// normalize rewrites an evidence value into its bounded form and counts it.
func (p *authobsProcessor) normalize(v pcommon.Value, s string, kind normalizeKind, c *counters) {
	c.normalized[kind]++
	p.w.set(v.SetStr, s)
}

// HMAC domains: the configured fingerprint key is never used as is. Fingerprints and
// hashed ids each use their own key derived from it, so a hashed request id is never the
// fingerprint (or a prefix of it) of the same string.
const (
	fingerprintDomain = "authobs/redaction-fingerprint/v1"
	evidenceIDDomain  = "authobs/evidence-id/v1"
)

// deriveKey is HMAC-SHA-256(key, domain): a key for one use of the configured key.
func deriveKey(key []byte, domain string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	return m.Sum(nil)
}

// hashID is the digest an id is replaced by under IDHash.
func (p *authobsProcessor) hashID(id string) string {
	if p.idKey == nil {
		sum := sha256.Sum256([]byte(id))
		return "sha256:" + hex.EncodeToString(sum[:8])
	}
	m := hmac.New(sha256.New, p.idKey)
	m.Write([]byte(id))
	return "hmac:" + hex.EncodeToString(m.Sum(nil)[:8])
}

// isBoolEvidence: a bool, or the strings "true"/"false" (Codex sends booleans as strings
// in span events: accepted as they are).
func isBoolEvidence(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeBool:
		return true
	case pcommon.ValueTypeStr:
		s := v.Str()
		return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
	}
	return false
}

// intValue reads an int, or a decimal string (Codex sends "401" in span events).
func intValue(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeStr:
		// at most 18 digits cannot overflow an int64: the value is summed as the digits
		// are checked, where strconv.ParseInt cost more than the rest of the evidence check
		s := v.Str()
		if len(s) == 0 || len(s) > 18 {
			return 0, false
		}
		var n int64
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int64(s[i]-'0')
		}
		return n, true
	}
	return 0, false
}

// The bytes of each token-shaped kind of evidence (docs/contract.md §3), as tables: one
// load per byte, where a predicate of comparisons cost several (request ids and cf-rays
// are checked on every auth span).
var (
	classificationBytes = tokenBytes("_-.")
	idBytes             = tokenBytes("_-.:")
	headerBytes         = tokenBytes("-_")
	lowerHeaderBytes    = lowerOnly(headerBytes)
	endpointBytes       = tokenBytes("_-./")
)

// byteSet is a set of bytes.
type byteSet [256]bool

// tokenBytes is the set of ASCII letters and digits plus the bytes of extra.
func tokenBytes(extra string) *byteSet {
	var set byteSet
	for c := range 256 {
		set[c] = isAlnumByte(byte(c))
	}
	for i := 0; i < len(extra); i++ {
		set[extra[i]] = true
	}
	return &set
}

// lowerOnly is set without the upper-case ASCII letters.
func lowerOnly(set *byteSet) *byteSet {
	lower := *set
	for c := 'A'; c <= 'Z'; c++ {
		lower[c] = false
	}
	return &lower
}

// isToken reports whether s is 1..maxLen bytes, all in ok.
func isToken(s string, maxLen int, ok *byteSet) bool {
	if len(s) == 0 || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok[s[i]] {
			return false
		}
	}
	return true
}
