package redact

import "strings"

// Detector names the rule that found a secret; it labels the processor's metrics.
type Detector uint8

const (
	Bearer Detector = iota
	Basic
	JWT
	OpenAIKey
	OAuthToken
	GitHubToken
	AWSKey
	SlackToken
	GoogleKey
	StripeKey
	AzureKey
	PrivateKey
	URLCredentials
	QuerySecret
	Cookie
	SensitiveKey
	Encoded
	Custom
	NumDetectors
)

var detectorNames = [NumDetectors]string{
	"bearer", "basic", "jwt", "openai_key", "oauth_token", "github_token", "aws_key",
	"slack_token", "google_key", "stripe_key", "azure_key", "private_key", "url_credentials",
	"query_secret", "cookie", "sensitive_key", "encoded", "custom_pattern",
}

func (d Detector) String() string { return detectorNames[d] }

// match is one secret found in a string: bytes [start, end) are replaced. url marks a
// place inside a URL, which gets the URL-safe replacement so the URL keeps its shape.
type match struct {
	start, end int
	det        Detector
	url        bool
}

const (
	cTok   = 1 << iota // token byte: letters, digits, '-', '_'
	cB64               // base64/base64url/bearer token byte
	cAlnum             // letter or digit
	cSep               // a byte after which a new word may start
)

var classes [256]uint8

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
		if alnum {
			classes[c] |= cTok | cB64 | cAlnum
		}
		switch b {
		case '-', '_':
			classes[c] |= cTok | cB64
		case '.', '~', '+', '/', '=':
			classes[c] |= cB64
		}
		if !alnum && b != '-' && b != '_' {
			classes[c] |= cSep
		}
	}
}

func isTok(c byte) bool   { return classes[c]&cTok != 0 }
func isB64(c byte) bool   { return classes[c]&cB64 != 0 }
func isAlnum(c byte) bool { return classes[c]&cAlnum != 0 }

// runLen counts the bytes from i on that satisfy ok.
func runLen(s string, i int, ok func(byte) bool) int {
	j := i
	for j < len(s) && ok(s[j]) {
		j++
	}
	return j - i
}

func isUpperDigit(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') }
func isJWTByte(c byte) bool    { return isTok(c) }
func isDotTok(c byte) bool     { return isTok(c) || c == '.' }
func isSlackByte(c byte) bool  { return isTok(c) }
func isWordByte(c byte) bool   { return isTok(c) || c == '.' }
func isAzureByte(c byte) bool  { return isTok(c) || c == '.' || c == '~' }

// prefixRule is a known token prefix: the token is the prefix plus at least min bytes of ok.
type prefixRule struct {
	prefix string
	min    int
	max    int // 0: unbounded
	ok     func(byte) bool
	det    Detector
}

// prefixRules by first byte: looked up only at a word start, so clean text costs one
// table read per word.
var prefixRules [256][]prefixRule

func init() {
	add := func(r prefixRule) { prefixRules[r.prefix[0]] = append(prefixRules[r.prefix[0]], r) }
	for _, p := range []string{"sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"} {
		add(prefixRule{p, 16, 0, isTok, OpenAIKey})
	}
	add(prefixRule{"sess-", 16, 0, isAlnum, OpenAIKey})
	for _, p := range []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"} {
		add(prefixRule{p, 20, 0, isAlnum, GitHubToken})
	}
	add(prefixRule{"github_pat_", 20, 0, isTok, GitHubToken})
	add(prefixRule{"glpat-", 20, 0, isTok, GitHubToken})
	for _, p := range []string{"AKIA", "ASIA", "ABIA", "ACCA", "AROA", "AIDA"} {
		add(prefixRule{p, 16, 16, isUpperDigit, AWSKey})
	}
	for _, p := range []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-"} {
		add(prefixRule{p, 10, 0, isSlackByte, SlackToken})
	}
	add(prefixRule{"AIza", 30, 0, isTok, GoogleKey})
	add(prefixRule{"ya29.", 20, 0, isDotTok, GoogleKey})
	add(prefixRule{"1//0", 20, 0, isTok, GoogleKey})
	for _, p := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"} {
		add(prefixRule{p, 10, 0, isAlnum, StripeKey})
	}
	add(prefixRule{"npm_", 30, 0, isAlnum, GitHubToken})
	add(prefixRule{"hf_", 30, 0, isAlnum, OAuthToken})
}

// scanner collects the matches of one string. The first matches live in an inline
// array, so a scanner on the stack costs no allocation for the common case.
type scanner struct {
	s     string
	n     int
	buf   [8]match
	extra []match
}

func (sc *scanner) add(m match) {
	if sc.n < len(sc.buf) {
		sc.buf[sc.n] = m
		sc.n++
		return
	}
	sc.extra = append(sc.extra, m)
}

// found returns the matches so far.
func (sc *scanner) found() []match {
	if sc.extra == nil {
		return sc.buf[:sc.n]
	}
	return append(sc.buf[:sc.n:sc.n], sc.extra...)
}

// scan finds every built-in secret shape in s in one pass.
func (sc *scanner) scan() {
	s := sc.s
	wordStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if wordStart && isAlnum(c) {
			if start, end, det := sc.wordAt(i); end > start {
				sc.add(match{start: start, end: end, det: det})
				i = end - 1
				wordStart = false
				continue
			}
		}
		switch c {
		case '=', ':':
			if next := sc.keyValueAt(i); next > i {
				i = next - 1
				wordStart = false
				continue
			}
		case '-':
			if strings.HasPrefix(s[i:], "-----BEGIN ") {
				if end := pemEnd(s, i); end > i {
					sc.add(match{start: i, end: end, det: PrivateKey})
					i = end - 1
					continue
				}
			}
		}
		wordStart = classes[c]&cSep != 0
	}
}

// wordAt checks the word starting at i against the token shapes; it returns the bounds
// of the secret to replace (after a scheme word such as Bearer, which stays) or empty ones.
func (sc *scanner) wordAt(i int) (int, int, Detector) {
	s := sc.s
	c := s[i]
	for _, r := range prefixRules[c] {
		if !strings.HasPrefix(s[i:], r.prefix) {
			continue
		}
		n := runLen(s, i+len(r.prefix), r.ok)
		if n < r.min || (r.max > 0 && n != r.max) {
			continue
		}
		end := i + len(r.prefix) + n
		if r.max > 0 && end < len(s) && isAlnum(s[end]) {
			continue
		}
		return i, end, r.det
	}
	switch c | 0x20 {
	case 'b':
		if start, end, det := schemeCredential(s, i); end > start {
			return start, end, det
		}
	case 'e':
		if end := jwtEnd(s, i); end > i {
			return i, end, JWT
		}
	}
	if end := azureSecretEnd(s, i); end > i {
		return i, end, AzureKey
	}
	return i, i, 0
}

// schemeCredential finds `Bearer <token>` / `Basic <b64>` (any case) at i and returns the
// token's bounds: the scheme word stays so the value keeps its meaning.
func schemeCredential(s string, i int) (int, int, Detector) {
	var det Detector
	var word int
	switch {
	case hasPrefixFold(s[i:], "bearer"):
		det, word = Bearer, 6
	case hasPrefixFold(s[i:], "basic"):
		det, word = Basic, 5
	default:
		return 0, 0, 0
	}
	j := i + word
	sp := 0
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '+') {
		j++
		sp++
	}
	if sp == 0 {
		return 0, 0, 0
	}
	n := runLen(s, j, isB64)
	tok := s[j : j+n]
	if n < 8 || (det == Bearer && n < 20 && isLetters(tok)) {
		return 0, 0, 0
	}
	return j, j + n, det
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// jwtEnd matches header.payload[.signature…] where the header is base64url JSON (`eyJ`).
func jwtEnd(s string, i int) int {
	if !strings.HasPrefix(s[i:], "eyJ") {
		return i
	}
	j := i + runLen(s, i, isJWTByte)
	if j-i < 10 || j >= len(s) || s[j] != '.' {
		return i
	}
	parts := 1
	for j < len(s) && s[j] == '.' {
		n := runLen(s, j+1, isJWTByte)
		if n == 0 && parts >= 2 {
			break
		}
		j += 1 + n
		parts++
	}
	if parts < 3 && j-i < 24 {
		return i
	}
	return j
}

// azureSecretEnd matches an Entra ID client secret: 3 bytes, a digit, `Q~`, 31+ bytes.
func azureSecretEnd(s string, i int) int {
	if len(s)-i < 38 || s[i+4] != 'Q' || s[i+5] != '~' || s[i+3] < '0' || s[i+3] > '9' {
		return i
	}
	n := runLen(s, i, isAzureByte)
	if n < 38 {
		return i
	}
	return i + n
}

// pemEnd returns the end of a PEM private key block at i, or the end of s when the block
// is cut off (fail closed). Certificates and public keys are not secrets.
func pemEnd(s string, i int) int {
	line := s[i:]
	if nl := strings.IndexAny(line, "\r\n"); nl >= 0 {
		line = line[:nl]
	}
	if !strings.Contains(line, "PRIVATE KEY") {
		return i
	}
	rest := s[i+len(line):]
	k := strings.Index(rest, "-----END ")
	if k < 0 {
		return len(s)
	}
	end := i + len(line) + k + len("-----END ")
	if m := strings.Index(s[end:], "-----"); m >= 0 {
		return end + m + 5
	}
	return len(s)
}

// keyValueAt handles a `=` or `:` at i: `scheme://user:pass@` userinfo, and
// `key=value` / `"key": "value"` / `Key: value` where the key word names a secret. It
// returns the index to continue from, or i.
func (sc *scanner) keyValueAt(i int) int {
	s := sc.s
	if s[i] == ':' && strings.HasPrefix(s[i+1:], "//") {
		return sc.userinfoAt(i + 3)
	}
	// the key word, before optional closing quotes and escapes
	k := i
	for k > 0 && (s[k-1] == '"' || s[k-1] == '\'' || s[k-1] == '\\' || s[k-1] == ' ') {
		k--
	}
	wEnd := k
	for k > 0 && isWordByte(s[k-1]) {
		k--
	}
	if k == wEnd {
		return i
	}
	query := k > 0 && (s[k-1] == '?' || s[k-1] == '&' || s[k-1] == ';')
	kind := classify(s[k:wEnd], query && s[i] == '=')
	if kind == KeyPlain {
		return i
	}
	// the value, after spaces and opening quotes/escapes
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	quote := byte(0)
	for j < len(s) && (s[j] == '"' || s[j] == '\'' || s[j] == '\\') {
		if s[j] != '\\' {
			quote = s[j]
		}
		j++
	}
	end := j
	switch {
	case quote != 0:
		for end < len(s) && s[end] != quote && !(s[end] == '\\' && end+1 < len(s) && s[end+1] == quote) {
			end++
		}
	case kind == KeyHeader || kind == KeyCookie:
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
	default:
		for end < len(s) && !isValueEnd(s[end]) {
			end++
		}
	}
	if end == j {
		return i
	}
	det := SensitiveKey
	switch {
	case kind == KeyCookie:
		det = Cookie
	case query:
		det = QuerySecret
	case isOAuthWord(s[k:wEnd]):
		det = OAuthToken
	}
	sc.add(match{start: j, end: end, det: det, url: query})
	return end
}

func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '&', ',', ';', '"', '\'', '}', ')', ']', '<', '>', '\\':
		return true
	}
	return false
}

func isOAuthWord(w string) bool {
	return hasSuffixFold(w, "access_token") || hasSuffixFold(w, "refresh_token") || hasSuffixFold(w, "id_token")
}

// userinfoAt redacts `user:password@` (or a lone token user@) right after `scheme://`.
func (sc *scanner) userinfoAt(j int) int {
	s := sc.s
	end := j
	colon := -1
	for end < len(s) {
		c := s[end]
		if c == '@' {
			break
		}
		if c == '/' || c == '?' || c == '#' || c == ' ' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' {
			return j
		}
		if c == ':' && colon < 0 {
			colon = end
		}
		end++
	}
	if end >= len(s) || end == j {
		return j
	}
	if colon < 0 {
		sc.add(match{start: j, end: end, det: URLCredentials, url: true})
	} else {
		if colon > j {
			sc.add(match{start: j, end: colon, det: URLCredentials, url: true})
		}
		if end > colon+1 {
			sc.add(match{start: colon + 1, end: end, det: URLCredentials, url: true})
		}
	}
	return end + 1
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
