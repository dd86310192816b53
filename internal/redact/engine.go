// Package redact finds secrets in strings and replaces them. Its vocabulary: a detector
// is a rule that recognises one secret shape (a hand-written one, a rule of the catalogue
// generated from gitleaks' default rule set, or an operator's rule); a match is one place
// a detector fired; a key kind classifies an attribute key (or a `key=` word in text) by
// what it names.
//
// Everything is built at New (the compiled catalogue is shared by every engine); Redact
// on a clean string reads each byte a bounded number of times through table lookups (the
// word scan, the long-token tests on words of 12+ bytes, the keyword automaton) and
// allocates nothing; a catalogue regex runs only where a keyword passes its rule's shape
// test. A string with an escape (`%`, `\`, `&quot;`, an invisible character) is also
// decoded, up to three layers, and rescanned: the only clean inputs that allocate.
package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Options configure an Engine.
type Options struct {
	// Replacement replaces a secret (default "[REDACTED]").
	Replacement string
	// FingerprintKey, when set, appends a keyed digest of the secret to each replacement.
	FingerprintKey []byte
	// ValuePatterns are extra regular expressions whose matches are secrets: the short form
	// of a Rule with only a regex, counted under the custom_pattern detector.
	ValuePatterns []string
	// Rules are the operator's own rules (at most MaxOperatorRules), beside the catalogue.
	Rules []Rule
	// DisableRules are ids of catalogue rules that do not run.
	DisableRules []string
	// KeyPatterns are extra regular expressions naming sensitive attribute keys.
	KeyPatterns []string
	// ExemptValues are exact strings never redacted.
	ExemptValues []string
}

// Hits counts matches per detector.
type Hits [NumDetectors]int

// Any reports whether any detector fired.
func (h *Hits) Any() bool {
	for _, n := range h {
		if n != 0 {
			return true
		}
	}
	return false
}

// Engine redacts strings. It is safe for concurrent use.
type Engine struct {
	replacement    string
	urlReplacement string
	// replacementLen bounds the length of a replacement, digest included when there is one
	replacementLen [2]int
	fpKey          []byte
	rules          *ruleSet
	operatorIDs    []string
	keyPatterns    []*regexp.Regexp
	exempt         map[string]struct{}
}

// fingerprintHexLen is the digest length appended to a replacement: enough to tell
// secrets apart in one deployment, far too short to recover or brute-force one.
const fingerprintHexLen = 12

// New compiles the options.
func New(opts Options) (*Engine, error) {
	e := &Engine{replacement: opts.Replacement, exempt: map[string]struct{}{}}
	if e.replacement == "" {
		e.replacement = "[REDACTED]"
	}
	e.urlReplacement = urlSafe(e.replacement)
	// "REDACTED" stands in for a replacement with no URL-safe byte, and may be the longer
	e.replacementLen = [2]int{min(len(e.replacement), len(e.urlReplacement)),
		max(len(e.replacement), len(e.urlReplacement))}
	if len(opts.FingerprintKey) > 0 {
		e.fpKey = slices.Clone(opts.FingerprintKey)
		e.replacementLen[1] += 1 + fingerprintHexLen
	}
	if err := e.compileRules(opts); err != nil {
		return nil, err
	}
	for i, p := range opts.KeyPatterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("key pattern %d: %w", i, err)
		}
		e.keyPatterns = append(e.keyPatterns, re)
	}
	for _, v := range opts.ExemptValues {
		e.exempt[v] = struct{}{}
	}
	return e, nil
}

// urlSafe keeps the unreserved URL bytes of the replacement, so `[REDACTED]` becomes
// `REDACTED` and a redacted URL still parses.
func urlSafe(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if c := r[i]; isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "REDACTED"
	}
	return b.String()
}

// Replacement is the text that replaces a secret.
func (e *Engine) Replacement() string { return e.replacement }

// KeyKind classifies an attribute key: the built-in rules, then the configured patterns.
func (e *Engine) KeyKind(key string) KeyKind {
	if k := ClassifyKey(key); k != KeyPlain {
		return k
	}
	for _, re := range e.keyPatterns {
		if re.MatchString(key) {
			return KeySecret
		}
	}
	return KeyPlain
}

// Exempt reports whether v is configured as never redacted.
func (e *Engine) Exempt(v string) bool {
	if len(e.exempt) == 0 {
		return false
	}
	_, ok := e.exempt[v]
	return ok
}

// IsReplacement reports whether v is already a replacement this engine produced, so
// that a second pass (two chained processors) changes nothing.
func (e *Engine) IsReplacement(v string) bool {
	// most values are no replacement by their length alone: Redact asks on every call,
	// and this test is small enough to inline there
	if len(v) < e.replacementLen[0] || len(v) > e.replacementLen[1] {
		return false
	}
	return e.isReplacement(v)
}

// isReplacement is IsReplacement for a value of a replacement's length.
func (e *Engine) isReplacement(v string) bool {
	if e.fpKey == nil {
		return v == e.replacement || v == e.urlReplacement // replacementOf without a digest
	}
	return e.replacementOf(v, e.replacement, fingerprintSep[0]) || e.replacementOf(v, e.urlReplacement, fingerprintSep[1])
}

// replacementOf reports whether v is r, or r, sep and a digest when fingerprinting.
func (e *Engine) replacementOf(v, r string, sep byte) bool {
	if v == r {
		return true
	}
	return e.fpKey != nil && len(v) == len(r)+1+fingerprintHexLen && strings.HasPrefix(v, r) &&
		v[len(r)] == sep && isLowerHex(v[len(r)+1:])
}

// isLowerHex: a digest, not a short secret dressed up as `[REDACTED]#Hunter2!pass`.
func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Replace returns the replacement for a whole secret value.
func (e *Engine) Replace(secret string) string {
	return e.replace(secret, false)
}

// fingerprintSep joins replacement and digest: `#` in text, `-` in URLs, where `#`
// would start a fragment.
var fingerprintSep = [2]byte{'#', '-'}

func (e *Engine) replace(secret string, url bool) string {
	r, sep := e.replacement, fingerprintSep[0]
	if url {
		r, sep = e.urlReplacement, fingerprintSep[1]
	}
	if e.fpKey == nil {
		return r
	}
	m := hmac.New(sha256.New, e.fpKey)
	m.Write([]byte(secret))
	var sum [sha256.Size]byte
	return r + string(sep) + hex.EncodeToString(m.Sum(sum[:0]))[:fingerprintHexLen]
}

// Redact replaces every secret in s. It returns s itself (no copy) when nothing matched;
// hits counts the matches per detector.
func (e *Engine) Redact(s string, hits *Hits) (string, bool) {
	if e.ShortClean(s) {
		return s, false
	}
	return e.redact(s, hits)
}

// ShortClean reports whether s is clean by the short gate alone (a value shorter than the
// shortest shape any rule can match, 12 bytes with the built-in rules, with no operator,
// escape or short rule's keyword: one table read per byte), the
// first test of Redact. A caller that caches clean values can skip its probe for these,
// which costs more than the test. False says nothing: Redact decides.
func (e *Engine) ShortClean(s string) bool {
	return len(s) < e.rules.short.limit && e.rules.short.clean(s)
}

// RedactPastGate is Redact for a value ShortClean has already turned away (a caller that
// runs the gate before its cache probe): the gate is not run a second time.
func (e *Engine) RedactPastGate(s string, hits *Hits) (string, bool) {
	return e.redact(s, hits)
}

// redact is Redact without the short gate.
func (e *Engine) redact(s string, hits *Hits) (string, bool) {
	if s == "" || e.Exempt(s) || e.IsReplacement(s) {
		return s, false
	}
	sc := scanner{s: s}
	sc.scan()
	e.rules.scan(&sc)
	// A secret behind an escape is invisible to the plain scan; when decoding shows more
	// secrets than the plain text did, the whole value goes (fail closed).
	if sc.escape && e.decodedMatches(s) > sc.regions() {
		hits[Encoded]++
		return e.replace(s, false), true
	}
	if sc.n == 0 {
		return s, false
	}
	return e.rewrite(s, sc.found(), hits)
}

// rewrite builds the redacted string from the matches.
func (e *Engine) rewrite(s string, ms []match, hits *Hits) (string, bool) {
	slices.SortFunc(ms, func(a, b match) int { return a.start - b.start })
	var out strings.Builder
	out.Grow(len(s))
	last := 0
	changed := false
	for i := 0; i < len(ms); i++ {
		m := ms[i]
		// merge overlapping matches into one replacement
		for i+1 < len(ms) && ms[i+1].start < m.end {
			if ms[i+1].end > m.end {
				m.end = ms[i+1].end
			}
			// the most specific detector of the place is the one counted, so an operator
			// triaging by detector sees `adafruit-api-key`, not the key-name fallback
			if specific(ms[i+1].det) && !specific(m.det) {
				m.det = ms[i+1].det
			}
			i++
		}
		if m.start < last {
			m.start = last
		}
		secret := s[m.start:m.end]
		if secret == "" || e.Exempt(secret) || e.IsReplacement(secret) {
			continue
		}
		out.WriteString(s[last:m.start])
		out.WriteString(e.replace(secret, m.url))
		last = m.end
		hits[m.det]++
		changed = true
	}
	if !changed {
		return s, false
	}
	out.WriteString(s[last:])
	return out.String(), true
}

// Explain lists every detector that matches s as it stands (no decoding), overlapping
// ones included, for triage: Redact counts one detector per replaced place.
func (e *Engine) Explain(s string) []Detector {
	sc := scanner{s: s}
	sc.scan()
	e.rules.scan(&sc)
	var out []Detector
	for _, m := range sc.found() {
		if !slices.Contains(out, m.det) {
			out = append(out, m.det)
		}
	}
	slices.Sort(out)
	return out
}

// genericDetector is the catalogue's catch-all rule, a fallback like sensitive_key.
var genericDetector = func() Detector {
	for i, r := range catalogue {
		if r.ID == "generic-api-key" {
			return firstCatalogue + Detector(i)
		}
	}
	return NumDetectors
}()

// specific tells a detector of one secret shape from the fallbacks that fire on any value
// under a secret-naming key or of random look.
func specific(d Detector) bool {
	return d != SensitiveKey && d != HighEntropy && d != genericDetector
}

// maxDecodeRounds bounds the layers of encoding looked through (`%253D` is two).
const maxDecodeRounds = 3

// decodedMatches counts the secrets in s after percent-decoding and JSON/backslash
// unescaping (`access_token%3Dabc`, `\u0022access_token\u0022`, `https:\/\/u:p@h`), up to
// maxDecodeRounds layers deep. Only strings with an escape pay for the decode.
func (e *Engine) decodedMatches(s string) int {
	most := 0
	for range maxDecodeRounds {
		dec := unescape(s)
		if dec == s {
			break
		}
		s = dec
		sc := scanner{s: s}
		sc.scan()
		e.rules.scan(&sc)
		n := sc.regions()
		most = max(most, n)
	}
	return most
}

// escapeIn reports whether one of the bytes [lo, hi) of s begins a percent escape that may
// hide a separator, a backslash escape, a character reference, an invisible character or
// a case twin: one pass, in which only the bytes that can begin one are looked at closer.
// The scanner asks it only for the bytes it jumps over (scanner.escape).
func escapeIn(s string, lo, hi int) bool {
	t := &escapeStart
	for i := lo; i < hi; i++ {
		if i+8 <= len(s) {
			if b := s[i : i+8]; t[b[0]]|t[b[1]]|t[b[2]]|t[b[3]]|t[b[4]]|t[b[5]]|t[b[6]]|t[b[7]] == 0 {
				i += 7 // eight bytes, none of them one to look at closer
				continue
			}
		}
		if t[s[i]] != 0 && escapeAt(s, i) {
			return true
		}
	}
	return false
}

// escapeAt reports whether an escape begins at s[i], a byte of escapeStart.
func escapeAt(s string, i int) bool {
	switch s[i] {
	case '\\':
		return true
	case '%':
		return i+2 < len(s) && isEncodedSeparator(s[i+1])
	case '&':
		return i+3 < len(s) && isEntityAt(s, i)
	}
	return gapLen(s, i) > 1 || strings.HasPrefix(s[i:], "\u212a") || strings.HasPrefix(s[i:], "\u017f")
}

// escapeStart marks the bytes escapeIn looks at closer: `\`, `%`, `&` and the lead bytes
// of the invisible characters (0xc2, 0xe2, 0xef) and of the case twins (0xe2, 0xc5).
var escapeStart = func() (t [256]uint8) {
	for _, c := range []byte{'\\', '%', '&', 0xc2, 0xe2, 0xef, 0xc5} {
		t[c] = 1
	}
	return t
}()

// caseTwins are the non-ASCII letters Unicode case folding maps onto ASCII ones (the
// Kelvin sign is a `k`, the long s an `s`): `(?i)` regexes match them, the keyword
// automaton folds ASCII only, so text holding one is also scanned with them replaced.
var caseTwins = strings.NewReplacer("\u212a", "k", "\u017f", "s")

func hasCaseTwin(s string) bool {
	return strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f")
}

// hasInvisible reports whether s has an invisible character (zero-width space or joiner,
// word joiner, BOM, soft hyphen) that can split a token marker: `s\u200bk-proj-…`.
func hasInvisible(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c == 0xc2 || c == 0xe2 || c == 0xef) && gapLen(s, i) > 1 {
			return true
		}
	}
	return false
}

// dropInvisible removes the invisible characters of hasInvisible.
func dropInvisible(s string) string {
	if !hasInvisible(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if n := gapLen(s, i); n > 1 {
			i += n - 1
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// htmlEntities are the character references that can hide a separator or a quote.
var htmlEntities = strings.NewReplacer("&quot;", `"`, "&apos;", "'", "&#39;", "'", "&#34;", `"`, "&amp;", "&",
	"&lt;", "<", "&gt;", ">", "&#61;", "=", "&#x3d;", "=", "&#x3D;", "=", "&#58;", ":", "&#x3a;", ":", "&#x3A;", ":",
	"&#47;", "/", "&#x2f;", "/", "&#x2F;", "/", "&#32;", " ", "&#x20;", " ")

// hasHTMLEntity reports whether s has a character reference (`&quot;`, `&#61;` …).
func hasHTMLEntity(s string) bool {
	for i := strings.IndexByte(s, '&'); i >= 0 && i+3 < len(s); {
		if isEntityAt(s, i) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// unescape decodes one layer: percent escapes, `+` as space, backslash escapes
// (`\uXXXX`, `\xXX`, `\n`, `\t`, `\r`, `\/`, `\"`, `\\`) and HTML character references.
func unescape(s string) string {
	s = dropInvisible(backslashDecode(percentDecode(s)))
	if hasCaseTwin(s) {
		s = caseTwins.Replace(s)
	}
	if hasHTMLEntity(s) {
		s = htmlEntities.Replace(s)
	}
	return s
}

func backslashDecode(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'u':
			if i+5 < len(s) && isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) {
				r := rune(unhex(s[i+2]))<<12 | rune(unhex(s[i+3]))<<8 | rune(unhex(s[i+4]))<<4 | rune(unhex(s[i+5]))
				b.WriteRune(r)
				i += 5
				continue
			}
			b.WriteByte(c)
		case 'x':
			if i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]) {
				b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
				i += 3
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// isEntityAt reports whether the `&` at i (with 3 bytes after it) begins a character
// reference.
func isEntityAt(s string, i int) bool {
	switch s[i+1] {
	case '#':
		return true
	case 'q', 'a', 'l', 'g':
		// the `;` within five bytes: a loop, cheaper than a call for so few
		for k := i + 2; k < min(len(s), i+7); k++ {
			if s[k] == ';' {
				return true
			}
		}
	}
	return false
}

// isEncodedSeparator: the first hex digit after `%` of an escaped separator or quote.
func isEncodedSeparator(c byte) bool {
	switch c {
	case '2', '3', '5', '7', '0':
		return true
	}
	return false
}

func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		if s[i] == '+' {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
