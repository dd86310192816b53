package redact

import (
	"encoding/base64"
	"fmt"
	"math"
	mathbits "math/bits"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// Detector names the rule that found a secret; it labels the processor's metrics. The
// hand-written detectors come first, then one per catalogue rule (named by the rule's id),
// then MaxOperatorRules slots for the operator's own rules (see Engine.DetectorName).
type Detector uint16

// The hand-written detectors; their metric labels are in detectorNames.
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
	VendorToken
	HighEntropy
	numBuiltin
)

// MaxOperatorRules bounds the operator's own rules, so every detector is a bounded label.
const MaxOperatorRules = 128

const (
	firstCatalogue = numBuiltin
	firstOperator  = firstCatalogue + catalogueSize
	// NumDetectors is the number of detectors: hand-written, catalogue, operator slots.
	NumDetectors = firstOperator + MaxOperatorRules
)

var detectorNames = func() [NumDetectors]string {
	var names [NumDetectors]string
	copy(names[:], builtinNames[:])
	for i, r := range catalogue {
		names[firstCatalogue+Detector(i)] = r.ID
	}
	for i := range MaxOperatorRules {
		names[firstOperator+Detector(i)] = fmt.Sprintf("operator_rule_%d", i)
	}
	return names
}()

var builtinNames = [numBuiltin]string{
	"bearer", "basic", "jwt", "openai_key", "oauth_token", "github_token", "aws_key",
	"slack_token", "google_key", "stripe_key", "azure_key", "private_key", "url_credentials",
	"query_secret", "cookie", "sensitive_key", "encoded", "custom_pattern", "vendor_token",
	"high_entropy",
}

func (d Detector) String() string { return detectorNames[d] }

// match is one secret found in a string: bytes [start, end) are replaced. url marks a
// place inside a URL, which gets the URL-safe replacement so the URL keeps its shape.
type match struct {
	start, end int
	det        Detector
	url        bool
}

// The classes of a byte; they fill all eight bits of classes' uint8, so a ninth needs a
// wider table (the compiler refuses the constant).
const (
	cTok   = 1 << iota // token byte: letters, digits, '-', '_'
	cB64               // base64/base64url/bearer token byte
	cAlnum             // letter or digit
	cSep               // a byte after which a new word may start
	cEnt               // token byte or '+', '/': the alphabet of the generic detectors
	cEsc               // a byte that may begin an escape (escapeStart)
	cWord              // token byte or '.': a byte of a key word (isWordByte)
	cOp                // a byte scan looks at closer: `=`, `:`, `>`, `-`
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
		if alnum || b == '-' || b == '_' || b == '+' || b == '/' {
			classes[c] |= cEnt
		}
		if !alnum && b != '-' && b != '_' {
			classes[c] |= cSep
		}
		if escapeStart[c] != 0 {
			classes[c] |= cEsc
		}
		if classes[c]&cTok != 0 || b == '.' {
			classes[c] |= cWord
		}
		switch b {
		case '=', ':', '>', '-':
			classes[c] |= cOp
		}
	}
	for c := range 256 {
		runBytes[c] = uint16(profileBits[c])
		if classes[c]&cEnt != 0 {
			runBytes[c] |= runTok
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
func isWordByte(c byte) bool   { return classes[c]&cWord != 0 }
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

// prefixSecond[c] is the set of second bytes of the prefixes starting with c: most words
// are rejected with one bit test instead of a walk over the rules.
var prefixSecond [256][4]uint64

// prefixHeads has a bit per hash of the first three bytes of every prefix (a two-byte
// prefix with every third byte): a word passing prefixSecond (`do` of `dog` begins
// `dop_v1_`) is mostly rejected here before the rules are walked.
var prefixHeads [1 << 16 / 64]uint64

func headHash(a, b, c byte) uint16 { return uint16(a)*7919 + uint16(b)*131 + uint16(c) }

func addHead(a, b, c byte) {
	h := headHash(a, b, c)
	prefixHeads[h>>6] |= 1 << (h & 63)
}

func init() {
	add := func(r prefixRule) {
		prefixRules[r.prefix[0]] = append(prefixRules[r.prefix[0]], r)
		c := r.prefix[1]
		prefixSecond[r.prefix[0]][c>>6] |= 1 << (c & 63)
		if len(r.prefix) > 2 {
			addHead(r.prefix[0], c, r.prefix[2])
		} else {
			for third := range 256 {
				addHead(r.prefix[0], c, byte(third))
			}
		}
	}
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
	for _, p := range []string{"gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "gloas-", "glcbt-"} {
		add(prefixRule{p, 20, 0, isTok, GitHubToken})
	}
	add(prefixRule{"GOCSPX-", 20, 0, isTok, GoogleKey})
	// Other vendors' documented token prefixes: AI APIs, clouds, SaaS and package registries.
	for _, r := range []struct {
		p   string
		min int
		ok  func(byte) bool
	}{
		{"xai-", 20, isTok}, {"gsk_", 20, isAlnum}, {"pplx-", 20, isAlnum}, {"r8_", 20, isAlnum},
		{"SG.", 40, isDotTok}, {"dapi", 24, isAlnum}, {"dop_v1_", 32, isAlnum}, {"doo_v1_", 32, isAlnum},
		{"dor_v1_", 32, isAlnum}, {"shpat_", 20, isAlnum}, {"shpss_", 20, isAlnum}, {"shpca_", 20, isAlnum},
		{"shppa_", 20, isAlnum}, {"hvs.", 20, isTok}, {"hvb.", 20, isTok}, {"hvr.", 20, isTok},
		{"pypi-", 40, isTok}, {"glc_", 20, isTok}, {"glsa_", 20, isTok}, {"sntrys_", 20, isDotTok},
		{"sntryu_", 20, isAlnum}, {"PMAK-", 20, isTok}, {"lin_api_", 20, isAlnum}, {"pul-", 20, isAlnum},
		{"AGE-SECRET-KEY-1", 20, isUpperDigit}, {"sq0atp-", 20, isTok}, {"sq0csp-", 20, isTok},
		{"EAACEdEose0cBA", 20, isAlnum}, {"fo1_", 20, isTok}, {"sbp_", 20, isAlnum}, {"pscale_tkn_", 20, isTok},
		{"pscale_pw_", 20, isTok}, {"dp.pt.", 20, isAlnum}, {"dp.st.", 20, isTok}, {"HRKU-", 20, isTok},
		{"secret_", 30, isAlnum}, {"ntn_", 30, isAlnum}, {"rnd_", 20, isAlnum}, {"ATATT3", 40, isDotTok},
		{"oat_", 20, isAlnum}, {"sl.", 60, isTok}, {"key-", 32, isAlnum}, {"NRAK-", 20, isAlnum},
		{"phc_", 30, isAlnum}, {"figd_", 20, isTok}, {"tfp_", 30, isAlnum}, {"cfut_", 20, isTok},
		{"rubygems_", 40, isAlnum}, {"oy2", 40, isAlnum}, {"dckr_pat_", 20, isTok}, {"ops_", 40, isTok},
	} {
		add(prefixRule{r.p, r.min, 0, r.ok, VendorToken})
	}
	add(prefixRule{"SK", 32, 32, isHex, VendorToken}) // Twilio API key secret
	firstByteShapes = shapesByFirstByte()
	hexGluePrefixes = gluedHexPrefixes()
	quietClasses = quietClassTable()
}

// scanner collects the matches of one string. The first matches live in an inline
// array, so a scanner on the stack costs no allocation for the common case.
type scanner struct {
	s     string
	n     int
	buf   [8]match
	extra []match
	// run is the last run of token bytes a word was measured in: every word starting
	// inside it ends where it ends (`var/lib/kubelet/pods/…` has a word at each segment),
	// so the run is read once, not once per word.
	run runProfile
	// escape is escapeIn over all of s, once scan has run
	escape bool
	// inertEnd is the end of the last run of hex digits and dashes found clean from its
	// start on (a UUID) in which nothing further in can match (inertRun): the scan goes on
	// from there instead of visiting its segments one by one
	inertEnd int
}

func (sc *scanner) add(m match) {
	if sc.n < len(sc.buf) {
		sc.buf[sc.n] = m
		sc.n++
		return
	}
	sc.extra = append(sc.extra, m)
}

// regions counts the places with a secret: overlapping matches of several detectors
// are one place.
func (sc *scanner) regions() int {
	if sc.n+len(sc.extra) <= 1 {
		return sc.n + len(sc.extra)
	}
	ms := sc.found()
	slices.SortFunc(ms, func(a, b match) int { return a.start - b.start })
	n, end := 0, -1
	for _, m := range ms {
		if m.start >= end {
			n++
		}
		end = max(end, m.end)
	}
	return n
}

// found returns the matches so far.
func (sc *scanner) found() []match {
	if sc.extra == nil {
		return sc.buf[:sc.n]
	}
	return append(sc.buf[:sc.n:sc.n], sc.extra...)
}

// scan finds every built-in secret shape in s in one pass, and notes whether s has an
// escape (escapeIn): escapes begin with no letter or digit, so the bytes the scan visits
// one by one are all it needs to look at, and the bytes it jumps over after a match are
// looked at by escapeIn.
func (sc *scanner) scan() {
	s := sc.s
	wordStart := true
	for i := 0; i < len(s); i++ {
		// the bytes that need no closer look, in a leaf loop that keeps its state in
		// registers; it stops where the code below has something to do
		stop := uint8(qOp | qEsc)
		if sc.escape {
			stop = qOp
		}
		var last int
		if i, last, wordStart = quietUntil(s, i, wordStart, stop); i >= len(s) {
			break
		}
		c := s[i]
		cl := classes[c]
		if cl&cAlnum != 0 {
			if wordStart {
				// quietUntil stops at a word start only where wordAt may find something
				if start, end, det := sc.wordAt(i, last+1, shapesAt(s, i)); end > start {
					sc.add(match{start: start, end: end, det: det, url: det == URLCredentials})
					sc.jump(i+1, end)
					i = end - 1
					wordStart = false
					continue
				}
				// the rest of an inert run (a UUID's segments) holds nothing either
				last = max(last, sc.inertEnd-1)
			} else if i > 0 && (s[i-1] == '-' || s[i-1] == '_') && len(prefixRules[c]) > 0 {
				// a known prefix glued to a word (`key-sk-proj-…`, `x_ghp_…`)
				if end, det := prefixAt(s, i); end > i {
					sc.add(match{start: i, end: end, det: det})
					sc.jump(i+1, end)
					i = end - 1
					continue
				}
			}
			// the rest of the word: no word start, no glued prefix (its bytes follow letters
			// or digits), none of the operators or escapes below
			i = last
			wordStart = false
			continue
		}
		// an operator, or an escape start while none was found (quietUntil's stop)
		if cl&cEsc != 0 && !sc.escape {
			sc.escape = escapeAt(s, i)
		}
		switch c {
		case '=', ':':
			if next := sc.keyValueAt(i); next > i {
				sc.jump(i+1, next)
				i = next - 1
				// after `scheme://` or `user@` the host starts a word
				wordStart = classes[s[i]]&cSep != 0
				continue
			}
		case '>':
			if next := sc.elementValueAt(i); next > i {
				sc.jump(i+1, next)
				i = next - 1
				wordStart = false
				continue
			}
		case '-':
			if strings.HasPrefix(s[i:], "-----BEGIN ") {
				if end := pemEnd(s, i); end > i {
					sc.add(match{start: i, end: end, det: PrivateKey})
					sc.jump(i+1, end)
					i = end - 1
					continue
				}
			}
		}
		wordStart = cl&cSep != 0
	}
}

// jump notes that the scan goes on at next without visiting the bytes [from, next): they
// are looked at for an escape here instead.
func (sc *scanner) jump(from, next int) {
	if !sc.escape {
		sc.escape = escapeIn(sc.s, from, next)
	}
}

// quietUntil returns the first index from i on where scan has work to do, the index of
// the last letter or digit of the run there (when it is one) and scan's wordStart there:
// a byte of a class in stop (qOp, and qEsc while no escape was found), a word start where
// wordAt may find something, or a run of letters and digits after `-` or `_` that begins
// with a known prefix's first byte. What it passes over, scan would pass over: a byte
// between words sets wordStart by its class; the rest of a word clears it. One table read
// per byte (quietClasses) decides, in a leaf loop that keeps its state in registers.
func quietUntil(s string, i int, wordStart bool, stop uint8) (int, int, bool) {
	t := &quietClasses
	look := stop | qDash
	// uint compares: the bounds checks go
	for uint(i) < uint(len(s)) {
		cl := t[s[i]]
		if cl&qAlnum == 0 {
			// a dash is scan's work only as the first of `-----BEGIN `
			if cl&look != 0 && (cl&stop != 0 || (uint(i+1) < uint(len(s)) && s[i+1] == '-')) {
				return i, i, wordStart
			}
			wordStart = cl&qSep != 0
			i++
			continue
		}
		// the rest of the word; next is the class of the byte after it (qOp at the end of
		// s, scan's stop in every state)
		j, next := i+1, uint8(qOp)
		for uint(j) < uint(len(s)) {
			if c := t[s[j]]; c&qAlnum == 0 {
				next = c
				break
			}
			j++
		}
		if wordStart {
			// wordAt can find something only where its first bytes begin a shape, the word
			// is long enough for the long-token tests, a token byte follows its letters and
			// digits, or an Entra ID secret begins (`abc1Q~…`, `a.b1Q~…`: its first six bytes
			// are azure bytes, so `~` or `.` follows the letters if nothing above does)
			if j-i >= minBase64Len {
				return i, j - 1, true
			}
			// a shape's first bytes; where the only shapes are known prefixes (`se` of
			// `served`, `sess-`: shapeSecond is prefixSecond there), prefixHeads too
			// (shapesAt written out: qShape is its first test)
			if cl&qShape != 0 && uint(i+1) < uint(len(s)) {
				if a, b := s[i], s[i+1]; shapeSecond[a][b>>6]&(1<<(b&63)) != 0 &&
					(firstByteShapes[a] != fPrefix || prefixHeadsAt(s, i)) {
					return i, j - 1, true
				}
			}
			if next&qNext != 0 && (s[j] != '.' || (uint(i+5) < uint(len(s)) && s[i+5] == '~' && s[i+4] == 'Q')) {
				// before a `/` (`v1/`, `items/` on a path), wordAt's first test that can
				// fail there, where it costs no return to scan and no call: a word of no
				// shape is a token only if its token run may be long enough, four bytes of
				// cEnt in [i+minBase64Len-4, i+minBase64Len) (an Entra ID secret, its other
				// test, has no `/` in its first six bytes). Other token bytes (`-`, `_` of
				// ids, mostly long runs) go to wordAt at once.
				if s[j] != '/' || (uint(i+minBase64Len-1) < uint(len(s)) &&
					classes[s[i+minBase64Len-4]]&classes[s[i+minBase64Len-3]]&classes[s[i+minBase64Len-2]]&classes[s[i+minBase64Len-1]]&cEnt != 0) {
					return i, j - 1, true
				}
			}
		} else if cl&qGlue != 0 && i > 0 && (s[i-1] == '-' || s[i-1] == '_') && uint(i+1) < uint(len(s)) {
			// prefixAt's first tests here, where they cost no return to scan: the second
			// byte inline, most often the last
			if c := s[i+1]; prefixSecond[s[i]][c>>6]&(1<<(c&63)) != 0 && prefixHeadsAt(s, i) {
				return i, j - 1, false
			}
		}
		// the byte after the word, no letter or digit, as at the top of the loop: its class
		// is read already
		if next&look != 0 && (next&stop != 0 || (uint(j+1) < uint(len(s)) && s[j+1] == '-')) {
			return j, j, false
		}
		wordStart = next&qSep != 0
		i = j + 1
	}
	return i, i, wordStart
}

// The classes of a byte for quietUntil, all it asks in one table read.
const (
	qAlnum = cAlnum
	qSep   = cSep
	qOp    = cOp
	qEsc   = cEsc
	qNext  = 1 << 0 // after a word's letters and digits: a token byte (cEnt), `~` or `.`
	qShape = 1 << 1 // a first byte of firstByteShapes
	qGlue  = 1 << 4 // a first byte of a known prefix (prefixRules)
	qDash  = 1 << 6 // `-`, which quietClasses takes out of qOp
)

// quietClasses is filled by the init that builds prefixRules, once firstByteShapes is.
var quietClasses [256]uint8

func quietClassTable() (t [256]uint8) {
	for c := range 256 {
		t[c] = classes[c] & (cAlnum | cSep | cOp | cEsc)
		if c == '-' {
			t[c] = t[c]&^qOp | qDash
		}
		if classes[c]&cEnt != 0 || c == '~' || c == '.' {
			t[c] |= qNext
		}
		if firstByteShapes[c] != 0 {
			t[c] |= qShape
		}
		if len(prefixRules[c]) > 0 {
			t[c] |= qGlue
		}
	}
	return t
}

// prefixAt matches a known token prefix at i and returns the end of the token, its
// pieces split by whitespace or line breaks included.
func prefixAt(s string, i int) (int, Detector) {
	if i+1 >= len(s) {
		return i, 0
	}
	if c := s[i+1]; prefixSecond[s[i]][c>>6]&(1<<(c&63)) == 0 || !prefixHeadsAt(s, i) {
		return i, 0
	}
	for _, r := range prefixRules[s[i]] {
		if i+1 >= len(s) || s[i+1] != r.prefix[1] || !strings.HasPrefix(s[i:], r.prefix) {
			continue
		}
		body := i + len(r.prefix)
		n := runLen(s, body, r.ok)
		if r.max > 0 {
			end := body + n
			if n != r.max || (end < len(s) && isAlnum(s[end])) {
				continue
			}
			return end, r.det
		}
		end := body + n
		total := n
		// a token cut short by a space or a line break goes on in the next piece
		for pieces := 0; total < r.min && pieces < maxPieces; pieces++ {
			next, m := nextPiece(s, end, r.ok, n > 0)
			if m == 0 {
				break
			}
			end, total = next, total+m
		}
		if total < r.min {
			continue
		}
		return extendSplit(s, end, r.ok), r.det
	}
	return i, 0
}

// prefixHeadsAt is prefixHeads' test of the first three bytes at i (true where fewer are
// left): with prefixSecond's, prefixAt's cheap tests before it walks the rules. Small
// enough to inline into quietUntil.
func prefixHeadsAt(s string, i int) bool {
	if i+2 >= len(s) {
		return true
	}
	h := headHash(s[i], s[i+1], s[i+2])
	return prefixHeads[h>>6]&(1<<(h&63)) != 0
}

// webhookHosts are URL prefixes whose path is itself the credential: anyone holding the
// URL can post.
var webhookHosts = []string{
	"hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/",
	"discord.com/api/webhooks/", "discordapp.com/api/webhooks/", "webhook.office.com/webhookb2/",
	"outlook.office.com/webhook/",
}

// webhookByFirst are the webhookHosts by first byte, in their order.
var webhookByFirst [256][]string

// webhookSecret matches the secret path of a webhook URL at i: it returns the bounds of
// the path after the host prefix, which is replaced whole.
func webhookSecret(s string, i int) (int, int) {
	for _, h := range webhookByFirst[s[i]] {
		if i+1 >= len(s) || h[1] != s[i+1] || !strings.HasPrefix(s[i:], h) {
			continue
		}
		start := i + len(h)
		end := start
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		if end-start < 8 {
			return i, i
		}
		return start, end
	}
	return i, i
}

func isURLEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '?', '#', '"', '\'', '<', '>', '\\', ')', ']', '}', ',':
		return true
	}
	return false
}

// maxPieces bounds how many whitespace-separated pieces one split token is joined from.
const maxPieces = 8

// nextPiece looks past 1–3 bytes of whitespace at end for the next piece of a split token:
// a run of ok bytes that looks random (not an ordinary word). It returns the piece's end
// and length, or 0.
func nextPiece(s string, end int, ok func(byte) bool, started bool) (int, int) {
	j := end
	gaps := 0
	for j < len(s) && gaps < maxGap {
		n := gapLen(s, j)
		if n == 0 {
			break
		}
		j += n
		gaps++
	}
	if j == end || (!started && gaps > 1) {
		return end, 0
	}
	n := runLen(s, j, ok)
	if n < 4 || !looksRandom(s[j:j+n]) {
		return end, 0
	}
	return j + n, n
}

// extendSplit joins the pieces that follow a complete token across line breaks (a key
// wrapped over several lines), and across a space when the piece is clearly a random
// continuation: a fragment of a key is as secret as the key.
func extendSplit(s string, end int, ok func(byte) bool) int {
	for pieces := 0; pieces < maxPieces; pieces++ {
		next, m := nextPiece(s, end, ok, true)
		if m < 6 {
			break
		}
		end = next
	}
	return end
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// maxGap bounds the whitespace (a line break and its indentation) between two pieces.
const maxGap = 16

// gapLen is the length of the whitespace or invisible character at j (zero-width space
// and joiners, word joiner, BOM, soft hyphen), or 0: an invisible character splits a token
// for a scanner but not for a reader.
func gapLen(s string, j int) int {
	switch c := s[j]; {
	case isSpace(c):
		return 1
	case c == 0xc2 && j+1 < len(s) && s[j+1] == 0xad:
		return 2
	case c == 0xe2 && j+2 < len(s) && ((s[j+1] == 0x80 && s[j+2] >= 0x8b && s[j+2] <= 0x8d) || (s[j+1] == 0x81 && s[j+2] == 0xa0)):
		return 3
	case c == 0xef && j+2 < len(s) && s[j+1] == 0xbb && s[j+2] == 0xbf:
		return 3
	}
	return 0
}

// looksRandom tells a token fragment from a word: digits mixed with letters, or upper
// case after the first byte mixed with lower case.
func looksRandom(p string) bool {
	var digit, lower, upperInside bool
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upperInside = upperInside || i > 0
		}
	}
	letters := lower || upperInside
	return (digit && letters) || (upperInside && lower)
}

// The shapes a word can have by its first byte: most words begin with a byte that starts
// none of the marked shapes and cost one table read for all of them.
const (
	fPrefix  = 1 << iota // a known token prefix (prefixRules)
	fWebhook             // a webhook host (webhookHosts)
	fScheme              // Bearer, Basic
	fJWT                 // a JWT header, eyJ…
	fEncoded             // base64 of JSON (encodedJSONEnd)
)

// firstByteShapes is filled by the init that builds prefixRules, once they are complete.
var firstByteShapes [256]uint8

// shapeSecond[c] is the set of second bytes of the shapes starting with c: a word whose
// first two bytes begin none of them (`https`, `items`) is not looked at for any.
var shapeSecond [256][4]uint64

// encodedJSONHeads begin base64 of a JSON object or array (encodedJSONEnd).
var encodedJSONHeads = []string{"eyJ", "eyAi", "ewog", "ewoi", "W3si", "W3sK"}

// shapesAt returns the shapes (firstByteShapes) that can begin at i: none unless its
// first two bytes begin one.
func shapesAt(s string, i int) uint8 {
	f := firstByteShapes[s[i]]
	if f == 0 || i+1 >= len(s) {
		return 0
	}
	if c := s[i+1]; shapeSecond[s[i]][c>>6]&(1<<(c&63)) == 0 {
		return 0
	}
	return f
}

// shapesByFirstByte builds firstByteShapes, and shapeSecond and webhookByFirst beside it.
func shapesByFirstByte() (t [256]uint8) {
	second := func(a, b byte) { shapeSecond[a][b>>6] |= 1 << (b & 63) }
	for c := range 256 {
		for _, r := range prefixRules[c] {
			t[c] |= fPrefix
			second(byte(c), r.prefix[1])
		}
		switch byte(c) | 0x20 {
		case 'b':
			t[c] |= fScheme
			for _, b := range []byte("eEaA") { // Bearer, Basic (shapedWordAt)
				second(byte(c), b)
			}
		case 'e':
			t[c] |= fJWT
		}
	}
	second('e', 'y') // jwtEnd's `eyJ`
	for _, h := range webhookHosts {
		t[h[0]] |= fWebhook
		second(h[0], h[1])
		webhookByFirst[h[0]] = append(webhookByFirst[h[0]], h)
	}
	for _, h := range encodedJSONHeads {
		t[h[0]] |= fEncoded
		second(h[0], h[1])
	}
	return t
}

// wordAt checks the word starting at i, whose letters and digits end at alnumEnd, against
// the token shapes (those its first bytes can begin: f, from shapesAt); it returns the
// bounds of the secret to replace (after a scheme word such as Bearer, which stays) or
// empty ones.
func (sc *scanner) wordAt(i, alnumEnd int, f uint8) (int, int, Detector) {
	s := sc.s
	if f != 0 {
		if start, end, det := sc.shapedWordAt(i, f); end > start {
			return start, end, det
		}
	}
	// azureSecretEnd's first tests, here where they cost no call for most words
	if len(s)-i >= 38 && s[i+5] == '~' {
		if end := azureSecretEnd(s, i); end > i {
			return i, end, AzureKey
		}
	}
	// long enough to be a token of no known shape: look inside base64, then at entropy
	if alnumEnd-i < minBase64Len && (alnumEnd == len(s) || classes[s[alnumEnd]]&cEnt == 0) {
		return i, i, 0 // a short word that is a run of its own (`served`, `cache`)
	}
	// most runs shorter than minBase64Len (`v1/items`) have a byte of no token in
	// [i+8, i+12): four bytes at once, before the run is read
	if i+minBase64Len > len(s) {
		return i, i, 0
	}
	if b, t := s[i+minBase64Len-4:i+minBase64Len], &classes; t[b[0]]&t[b[1]]&t[b[2]]&t[b[3]]&cEnt == 0 {
		return i, i, 0
	}
	r := sc.runAt(i, alnumEnd)
	if r.tokEnd-i < minBase64Len {
		return i, i, 0
	}
	r.measure(s)
	// kinds' common answer here, where it costs no call: the word is the run's first
	word, inner := r.all, r.inner
	if i != r.start {
		word, inner = r.kinds(s, i)
	}
	has := func(b int) bool { return word&(1<<b) != 0 }
	n := r.end - i
	w := s[i : i+n]
	if !has(pNotHex) {
		// trace and span ids, UUIDs, hashes: identifiers, not secrets — unless the hex
		// spells out text that holds one
		if !has(pURL) && hexHidesSecret(w) {
			return i, i + n, Encoded
		}
		if i == r.start && inertRun(s, i, r.tokEnd, word) {
			sc.inertEnd = r.tokEnd
		}
		return i, i, 0
	}
	if n <= maxBase64Len && looksRandomKinds(word, inner) && base64HidesSecret(w, has(pURL), has(pStd)) {
		return i, i + n, Encoded
	}
	// a random-looking word with no marker is a secret only where the text says so: on a
	// path, in an ARN, a digest or a request id it is an identifier operators read by
	if n >= minEntropyLen && has(pDigit) && has(pLetter) && has(pNonHex) &&
		credentialContext(s, i) && isHighEntropy(w) && !base64Text(w) {
		return i, extendSplit(s, i+n, isB64), HighEntropy
	}
	return i, i, 0
}

// shapedWordAt checks the word at i against the shapes its first bytes can begin (f, from
// shapesAt), in wordAt's order.
func (sc *scanner) shapedWordAt(i int, f uint8) (int, int, Detector) {
	s := sc.s
	if f&fPrefix != 0 {
		if end, det := prefixAt(s, i); end > i {
			return i, end, det
		}
	}
	if f&fWebhook != 0 {
		if start, end := webhookSecret(s, i); end > start {
			return start, end, URLCredentials
		}
	}
	// Bearer, Basic: the second byte (case twins of e and a are not ASCII) before the
	// case-folded compare
	if f&fScheme != 0 && i+1 < len(s) && (s[i+1]|0x20 == 'e' || s[i+1]|0x20 == 'a') {
		if start, end, det := schemeCredential(s, i); end > start {
			return start, end, det
		}
	}
	if f&fJWT != 0 {
		if end := jwtEnd(s, i); end > i {
			return i, extendSplit(s, end, isJWTByte), JWT
		}
	}
	if f&fEncoded != 0 {
		if end := encodedJSONEnd(s, i); end > i {
			return i, extendSplit(s, end, isB64), Encoded
		}
	}
	return i, i, 0
}

// inertRun reports whether, in the run [i, tokEnd) of hex digits and dashes, nothing the
// scan looks at after its first word can match: no word starts inside (a dash is no
// separator), no escape or operator but the dash, no `-----BEGIN ` (G, I, N are no hex),
// and no known prefix glued after a dash but those made of hex digits (hexGluePrefixes),
// looked for here.
//
// kinds are the run's kinds of bytes (profileBits): a prefix holding a kind the run does
// not (the upper case of `-ACCA` in a lower-case UUID) is not looked for.
func inertRun(s string, i, tokEnd int, kinds uint8) bool {
	for k, p := range hexGluePrefixes {
		if hexGlueKinds[k]&^kinds != 0 {
			continue
		}
		if k := strings.Index(s[i:min(len(s), tokEnd+len(p))], p); k >= 0 {
			return false
		}
	}
	return true
}

// hexGlueKinds are the kinds of bytes (profileBits) of each of hexGluePrefixes up to its
// first byte that ends a token run: the part a match has inside the run.
var hexGlueKinds []uint8

// hexGluePrefixes are the known prefixes that a run of hex digits and dashes can hold after
// a dash, each with that leading `-` (`-ACCA…` of an AWS key): the prefix's bytes up to the
// first one that ends a token run are hex digits or dashes. Filled by the init that builds
// prefixRules.
var hexGluePrefixes []string

func gluedHexPrefixes() []string {
	var out []string
	for _, rs := range prefixRules {
		for _, r := range rs {
			hex := true
			for k := 0; k < len(r.prefix) && classes[r.prefix[k]]&cEnt != 0; k++ {
				if !isHex(r.prefix[k]) && r.prefix[k] != '-' {
					hex = false
					break
				}
			}
			if hex {
				out = append(out, "-"+r.prefix)
				kinds := profileBits['-']
				for k := 0; k < len(r.prefix) && classes[r.prefix[k]]&cEnt != 0; k++ {
					kinds |= profileBits[r.prefix[k]]
				}
				hexGlueKinds = append(hexGlueKinds, kinds)
			}
		}
	}
	return out
}

// runProfile describes a run of token bytes (cEnt, then up to two `=` of base64 padding):
// where it ends and which kinds of bytes it holds. The word at the run's start, most often
// the only one, is answered by the kinds read in one forward pass; a word starting further
// in (`var/lib/kubelet/…` has one per segment) by the last index of each kind, found once
// per run walking back from its end, so that what it holds is one comparison per kind.
type runProfile struct {
	start, tokEnd int // the token bytes: [start, tokEnd)
	end           int // tokEnd plus the padding
	measured      bool
	walked        bool  // last is filled
	all, inner    uint8 // the kinds in [start, end) and in (start, end)
	last          [numProfileBits]int
}

// Kinds of bytes a run profile tracks.
const (
	pDigit  = iota // 0-9
	pLower         // a-z
	pUpper         // A-Z
	pLetter        // a-z, A-Z
	pNonHex        // a letter past f/F (isHighEntropy's nonHex)
	pNotHex        // not a hex digit nor '-': the word is no trace id, UUID or hash
	pURL           // '-' or '_': the URL base64 alphabet
	pStd           // '+' or '/': the standard base64 alphabet
	numProfileBits
)

var profileBits = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case b >= '0' && b <= '9':
			t[c] |= 1 << pDigit
		case b >= 'a' && b <= 'z':
			t[c] |= 1<<pLower | 1<<pLetter
		case b >= 'A' && b <= 'Z':
			t[c] |= 1<<pUpper | 1<<pLetter
		}
		if (b|0x20) > 'f' && (b|0x20) <= 'z' {
			t[c] |= 1 << pNonHex
		}
		if !isHex(b) && b != '-' {
			t[c] |= 1 << pNotHex
		}
		switch b {
		case '-', '_':
			t[c] |= 1 << pURL
		case '+', '/':
			t[c] |= 1 << pStd
		}
	}
	return t
}()

// runAt returns the run of token bytes that i is in, whose letters and digits end at
// alnumEnd. A new run is read once: the kinds of bytes it holds after its first, eight
// bytes at once over its letters and digits alone, then with its end, eight bytes per test
// while eight token bytes follow (runBytes gives both); measure completes them with the
// padding.
func (sc *scanner) runAt(i, alnumEnd int) *runProfile {
	r := &sc.run
	if i >= r.start && i < r.tokEnd {
		return r
	}
	s := sc.s
	// the word's own letters and digits, token bytes all: their kinds only, eight at once
	p := &profileBits
	inner8 := uint8(0)
	k := i + 1
	for ; k+8 <= alnumEnd; k += 8 {
		b := s[k : k+8]
		inner8 |= p[b[0]] | p[b[1]] | p[b[2]] | p[b[3]] | p[b[4]] | p[b[5]] | p[b[6]] | p[b[7]]
	}
	t := &runBytes
	inner := uint16(inner8)
	for ; k+8 <= len(s); k += 8 {
		b := s[k : k+8]
		v0, v1, v2, v3, v4, v5, v6, v7 := t[b[0]], t[b[1]], t[b[2]], t[b[3]], t[b[4]], t[b[5]], t[b[6]], t[b[7]]
		if v0&v1&v2&v3&v4&v5&v6&v7&runTok == 0 {
			break
		}
		inner |= v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7
	}
	for ; k < len(s); k++ {
		v := t[s[k]]
		if v&runTok == 0 {
			break
		}
		inner |= v
	}
	r.start, r.tokEnd, r.measured, r.walked = i, k, false, false
	r.inner = uint8(inner) //nolint:gosec // the low eight bits: profileBits
	return r
}

// runTok marks a token byte (cEnt) in runBytes, above the eight bits of profileBits.
const runTok = 1 << 8

// runBytes is profileBits with runTok; filled by the init that fills classes.
var runBytes [256]uint16

// measure completes the profile once per run: the padding, and the kinds of bytes the run
// holds with it and its first byte.
func (r *runProfile) measure(s string) {
	if r.measured {
		return
	}
	r.measured = true
	r.end = r.tokEnd
	for k := 0; k < 2 && r.end < len(s) && s[r.end] == '='; k++ {
		r.end++ // base64 padding; a `=` inside is a key=value separator
		r.inner |= profileBits['=']
	}
	r.all = r.inner | profileBits[s[r.start]]
}

// kinds returns the kinds of bytes (a bit per pDigit …) the word from i to the end of the
// measured run holds, and those it holds after its first byte.
func (r *runProfile) kinds(s string, i int) (word, inner uint8) {
	if i == r.start {
		return r.all, r.inner
	}
	if !r.walked {
		r.walk(s)
	}
	return r.kindsFrom(i)
}

// walk fills last, walking back from the end of the run until every kind it holds has
// been met (usually after a few bytes).
func (r *runProfile) walk(s string) {
	r.walked = true
	for b := range r.last {
		r.last[b] = -1
	}
	seen := uint8(0)
	for k := r.end - 1; seen != r.all; k-- {
		// the bytes of kinds already met, in a loop of their own
		for profileBits[s[k]]&^seen == 0 {
			k--
		}
		bits := profileBits[s[k]] &^ seen
		seen |= bits
		for ; bits != 0; bits &= bits - 1 {
			r.last[mathbits.TrailingZeros8(bits)] = k
		}
	}
}

// kindsFrom is kinds from last, once walked.
func (r *runProfile) kindsFrom(i int) (word, inner uint8) {
	for b, k := range r.last {
		if k >= i {
			word |= 1 << b
		}
		if k > i {
			inner |= 1 << b
		}
	}
	return word, inner
}

// looksRandomKinds is looksRandom of a word holding the kinds word, and inner after its
// first byte.
func looksRandomKinds(word, inner uint8) bool {
	digit, lower, upperInside := word&(1<<pDigit) != 0, word&(1<<pLower) != 0, inner&(1<<pUpper) != 0
	letters := lower || upperInside
	return (digit && letters) || (upperInside && lower)
}

// contextWords bounds the words before a token that can make it a credential, and
// contextBytes the text they are looked for in.
const (
	contextWords = 3
	contextBytes = 48
)

// credentialContext reports whether one of the few words right before i names a secret
// (`password is …`, `api key …`, `token …`) or is a credential flag (`-u`, `--password`).
// Key-value shapes (`token=…`, `"secret": "…"`) are handled by keyValueAt already.
func credentialContext(s string, i int) bool {
	lo := max(0, i-contextBytes)
	j := i
	var prev string
	for w := 0; w < contextWords && j > lo; w++ {
		// the separators before the word: blanks, quotes, operators
		for j > lo && !isAlnum(s[j-1]) {
			j--
		}
		end := j
		for j > lo && isAlnum(s[j-1]) {
			j--
		}
		if end == j {
			return false
		}
		word := s[j:end]
		if isSecretWord(word) || (prev != "" && strings.EqualFold(prev, "key") && isKeyQualifier(word)) {
			return true
		}
		if j >= 1 && s[j-1] == '-' && (j < 2 || s[j-2] == ' ' || s[j-2] == '-') && isCredentialFlag(word) {
			return true
		}
		prev = word
	}
	return false
}

// maxContextWord bounds a word looked up in the secret-word tables (all are shorter).
const maxContextWord = 16

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c | 0x20
	}
	return c
}

func lowerWord(w string, buf *[maxContextWord]byte) []byte {
	if len(w) > maxContextWord {
		return nil
	}
	for k := 0; k < len(w); k++ {
		buf[k] = lowerByte(w[k])
	}
	return buf[:len(w)]
}

func isSecretWord(w string) bool {
	k, _ := lookupWord(w)
	return k != KeyPlain
}

func isKeyQualifier(w string) bool {
	_, roles := lookupWord(w)
	return roles&roleQualifier != 0
}

// isCredentialFlag: command-line flags whose argument is a credential.
func isCredentialFlag(w string) bool {
	var buf [maxContextWord]byte
	switch string(lowerWord(w, &buf)) {
	case "u", "p", "user", "pass", "password", "token", "secret", "key", "apikey":
		return true
	}
	return false
}

// base64Text reports whether w is base64 of printable text: its words were scanned by
// base64HidesSecret, and its randomness is the encoding's, not a secret's.
func base64Text(w string) bool {
	if len(w) > maxBase64Len {
		return false
	}
	w = strings.TrimRight(w, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(w, "-_") {
		enc = base64.RawURLEncoding
	}
	buf := base64Buffers.Get().(*[maxBase64Len]byte)
	defer base64Buffers.Put(buf)
	m, err := enc.Decode(buf[:], unsafe.Slice(unsafe.StringData(w), len(w))) //nolint:gosec // a read-only view: Decode only reads its source
	return err == nil && m > 0 && isText(buf[:m])
}

// encodedJSONEnd matches base64 of a JSON object or array (`eyJ` = `{"`, `ewog` = `{\n `,
// `W3si` = `[{"`) that is not a JWT: a token response or a credentials file wrapped in
// base64 hides its secrets from every other detector.
func encodedJSONEnd(s string, i int) int {
	if !slices.ContainsFunc(encodedJSONHeads, func(h string) bool { return strings.HasPrefix(s[i:], h) }) {
		return i
	}
	n := runLen(s, i, isB64)
	if n < 16 {
		return i
	}
	return i + n
}

// Bounds of the base64 look-through: words long enough to hide `key=value`, short
// enough to decode into a buffer on the stack.
const (
	minBase64Len = 12
	maxBase64Len = 256
)

// base64Buffers hold decoded words; pooled so that clean text costs no allocation.
var base64Buffers = sync.Pool{New: func() any { return new([maxBase64Len]byte) }}

// base64HidesSecret decodes a base64 word (standard or URL alphabet, padded or not) and
// scans the text inside: `dG9rZW49…` is `token=…`. Only words that look random and are
// not hex (ids, hashes) are decoded; the caller has checked that and says which
// alphabets' own bytes (`-_`, `+/`) w holds.
func base64HidesSecret(w string, url, std bool) bool {
	if url && std {
		return false
	}
	for len(w) > 0 && w[len(w)-1] == '=' {
		w = w[:len(w)-1]
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	// the first quads decode to the first bytes of the whole: an error there is an error
	// of the whole, and their binary bytes count against isText's share of the whole
	n := min(len(w)/4*4, 4*len(textHead{})/3)
	// a quad's first byte alone fixes the top six bits of its first decoded byte: ids
	// of digits and late letters (`req_0123…`) count as binary without being decoded,
	// here in a small frame (most random words end here). More than a tenth of the
	// decoded bytes binary: lead*10 > DecodedLen, that is lead > DecodedLen/10.
	if binaryLeads(w, n, enc.DecodedLen(len(w))/10) {
		return false
	}
	return base64Decoded(w, enc, n)
}

// binaryLeads reports whether more than most of the quads in w[:n] begin with a byte of
// base64LeadBinary: it stops at the first quad past most, which for an id is one of the
// first few.
func binaryLeads(w string, n, most int) bool {
	lead := 0
	for k := 0; k < n && k < len(w); k += 4 {
		if lead += int(base64LeadBinary[w[k]]); lead > most {
			return true
		}
	}
	return false
}

// base64Decoded is base64HidesSecret past its test of the quads' first bytes: the first
// n bytes of w (whole quads) decoded on the stack, then the whole into a pooled buffer.
func base64Decoded(w string, enc *base64.Encoding, n int) bool {
	if n > 0 {
		var head textHead
		k, err := enc.Decode(head[:], unsafe.Slice(unsafe.StringData(w), n)) //nolint:gosec // a read-only view: Decode only reads its source
		if err != nil || nonText(head[:k])*10 > enc.DecodedLen(len(w)) {
			return false
		}
	}
	buf := base64Buffers.Get().(*[maxBase64Len]byte)
	defer base64Buffers.Put(buf)
	m, err := enc.Decode(buf[:], unsafe.Slice(unsafe.StringData(w), len(w))) //nolint:gosec // a read-only view: Decode only reads its source
	if err != nil || m == 0 || !isText(buf[:m]) {
		return false
	}
	inner := scanner{s: unsafe.String(&buf[0], m)} //nolint:gosec // buf is not written while inner lives (returned to the pool after)
	inner.scan()
	return inner.n > 0
}

// hexHidesSecret decodes a hex word of 24+ digits and scans the text inside. Random ids
// decode to binary and are rejected after one pass over at most maxBase64Len/2 bytes. The
// caller has checked that w has no dash (a UUID), from the kinds of its run.
func hexHidesSecret(w string) bool {
	if len(w) < 24 || len(w) > maxBase64Len || len(w)%2 != 0 {
		return false
	}
	m := len(w) / 2
	var head textHead
	for k := range min(m, len(head)) {
		head[k] = unhex(w[2*k])<<4 | unhex(w[2*k+1])
	}
	if nonText(head[:min(m, len(head))])*10 > m {
		return false // see base64HidesSecret
	}
	buf := base64Buffers.Get().(*[maxBase64Len]byte)
	defer base64Buffers.Put(buf)
	for k := 0; k < m; k++ {
		buf[k] = unhex(w[2*k])<<4 | unhex(w[2*k+1])
	}
	if !isText(buf[:m]) {
		return false
	}
	inner := scanner{s: unsafe.String(&buf[0], m)} //nolint:gosec // buf is not written while inner lives (returned to the pool after)
	inner.scan()
	return inner.n > 0
}

// isText reports whether b is printable ASCII text (decoded base64 of binary is not).
func isText(b []byte) bool {
	return nonText(b)*10 <= len(b)
}

// nonText counts the bytes of b that are neither printable ASCII nor a line break or tab.
func nonText(b []byte) int {
	bad := 0
	for _, c := range b {
		bad += int(nonTextBytes[c])
	}
	return bad
}

// nonTextBytes is 1 for the bytes nonText counts: a table read and an add per byte, where
// the comparisons branched on random (decoded) bytes.
var nonTextBytes = func() (t [256]uint8) {
	for c := range 256 {
		if (c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t' {
			t[c] = 1
		}
	}
	return t
}()

// base64LeadBinary is 1 for a base64 byte (of either alphabet) whose value v makes every
// byte v<<2|x (x < 4) binary for nonText: the first byte of a quad beginning with it is.
var base64LeadBinary = func() (t [256]uint8) {
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for v := range 64 {
		binary := uint8(1)
		for x := range 4 {
			binary &= nonTextBytes[v<<2|x]
		}
		t[std[v]] = binary
		if v >= 62 {
			t["-_"[v-62]] = binary // the URL alphabet's bytes for 62 and 63
		}
	}
	return t
}()

// textHead holds the first bytes of a decoded word, on the stack: most words that look
// random decode to binary, told from text by these alone, without the pooled buffer.
type textHead [24]byte

// Bounds of the generic detector for random tokens in no known format.
const (
	minEntropyLen = 32
	// minEntropyBits (per byte, ×100): random base62/base64 of 32+ bytes has about 4.6–5;
	// identifiers and camelCase names about 3.6–4.3.
	minEntropyBits = 440
	// minTransitionsPct: share of neighbouring bytes that switch class (lower, upper,
	// digit, other); about 60 % in random text, under 35 % in names.
	minTransitionsPct = 40
)

// isHighEntropy matches a long random token of no known format: 32+ bytes of base64 or
// token alphabet mixing letters and digits, not hex (trace ids, hashes, UUIDs stay), with
// the byte entropy and class changes of random text.
func isHighEntropy(w string) bool {
	n := len(w)
	if n < minEntropyLen {
		return false
	}
	// cheap tests first: most long words are names, paths or hex
	var digit, letter, nonHex bool
	transitions := 0
	prev := byteClass(w[0])
	for k := 0; k < len(w); k++ {
		c := w[k]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case (c|0x20) >= 'a' && (c|0x20) <= 'z':
			letter = true
			if c|0x20 > 'f' {
				nonHex = true
			}
		}
		if cl := byteClass(c); cl != prev {
			transitions++
			prev = cl
		}
	}
	if !digit || !letter || !nonHex || transitions*100 < minTransitionsPct*(n-1) {
		return false
	}
	var counts [256]uint16
	for k := 0; k < len(w); k++ {
		if counts[w[k]] < 0xffff {
			counts[w[k]]++
		}
	}
	return entropyBits100(&counts, n) >= minEntropyBits
}

func byteClass(c byte) uint8 {
	switch {
	case c >= 'a' && c <= 'z':
		return 0
	case c >= 'A' && c <= 'Z':
		return 1
	case c >= '0' && c <= '9':
		return 2
	}
	return 3
}

// entropyBits100 is the Shannon entropy of the byte counts in bits per byte, ×100.
func entropyBits100(counts *[256]uint16, n int) int {
	h := 0.0
	for _, k := range counts {
		if k > 0 {
			p := float64(k) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return int(h * 100)
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
	end, total := j+n, n
	// a credential split by whitespace or line breaks (`Basic YWxp Y2U6…`)
	for pieces := 0; pieces < maxPieces; pieces++ {
		next, m := nextPiece(s, end, isB64, true)
		if m == 0 {
			break
		}
		end, total = next, total+m
	}
	if total < 8 || (det == Bearer && total < 20 && isLetters(s[j:end])) {
		return 0, 0, 0
	}
	return j, end, det
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

// maxPEMHeader bounds the `-----BEGIN … PRIVATE KEY-----` line looked at.
const maxPEMHeader = 80

// pemEnd returns the end of a PEM private key block at i, or the end of s when the block
// is cut off (fail closed). Certificates and public keys are not secrets.
func pemEnd(s string, i int) int {
	// a header line is short: looking further would make `-----BEGIN ` repeated quadratic
	line := s[i:min(len(s), i+maxPEMHeader)]
	if nl := strings.IndexAny(line, "\r\n"); nl >= 0 {
		line = line[:nl]
	} else if k := strings.Index(line, "PRIVATE KEY"); k >= 0 {
		line = line[:k+len("PRIVATE KEY")]
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
	if s[i] == ':' && i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/' { // `://`, no slice made
		return sc.userinfoAt(i + 3)
	}
	// the key word, before optional closing quotes and escapes
	k := i
	for k > 0 && (s[k-1] == '"' || s[k-1] == '\'' || s[k-1] == '\\' || s[k-1] == ' ') {
		k--
	}
	wEnd := k
	// mayNameSecret's first test on the way: a key none of whose byte pairs begins a word
	// that names a secret (`items`, `status`, most keys of text) is plain without the
	// calls. The pair of the key's last byte and the byte after it is tested too: a
	// wider gate, never a narrower one, and s[k] is always in s.
	pairs, next := uint32(0), s[k]
	for uint(k-1) < uint(len(s)) {
		c := s[k-1]
		if classes[c]&cWord == 0 {
			break
		}
		pairs |= pairSeconds[c] & pairBit[next]
		next = c
		k--
	}
	if k == wEnd || pairs == 0 {
		return i
	}
	return sc.keyValueFrom(i, k, wEnd)
}

// keyValueFrom is keyValueAt past its key word, [k, wEnd), when a pair of it passes
// pairSeconds: the key is classified, and the value after a key naming a secret added.
func (sc *scanner) keyValueFrom(i, k, wEnd int) int {
	s := sc.s
	query := k > 0 && (s[k-1] == '?' || s[k-1] == '&' || s[k-1] == ';')
	kind := classify(s[k:wEnd], query && s[i] == '=')
	if kind == KeyPlain {
		return i
	}
	// the value, after the rest of the operator (`:=`, `=>`, `::=`), spaces and opening
	// quotes/escapes
	j := i + 1
	for j < len(s) && j < i+4 && (s[j] == '=' || s[j] == ':' || s[j] == '>') {
		j++
	}
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
		for end < len(s) && s[end] != quote && (s[end] != '\\' || end+1 >= len(s) || s[end+1] != quote) {
			end++
		}
	case kind == KeyHeader || kind == KeyCookie:
		end = headerValueEnd(s, end)
	default:
		if _, credEnd, _ := schemeCredential(s, j); credEnd > j {
			end = credEnd // `token: Bearer abc…`: the value is the whole credential
			break
		}
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

// headerValueEnd returns the end of a header value starting at j: the end of the line,
// or of the last folded continuation line (a line break followed by a space or tab).
func headerValueEnd(s string, j int) int {
	end := j
	for end < len(s) {
		if s[end] != '\n' && s[end] != '\r' {
			end++
			continue
		}
		k := end
		for k < len(s) && (s[k] == '\r' || s[k] == '\n') && k-end < 2 {
			k++
		}
		if k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			end = k
			continue
		}
		break
	}
	return end
}

// elementValueAt handles the `>` of `<password>value</password>`: markup whose element
// name is a secret-naming key. It returns the index to continue from, or i.
func (sc *scanner) elementValueAt(i int) int {
	s := sc.s
	k := i
	for k > 0 && isWordByte(s[k-1]) {
		k--
	}
	if k == i || k == 0 || s[k-1] != '<' {
		return i
	}
	if classify(s[k:i], false) == KeyPlain {
		return i
	}
	end := i + 1
	for end < len(s) && s[end] != '<' {
		end++
	}
	if end == i+1 {
		return i
	}
	sc.add(match{start: i + 1, end: end, det: SensitiveKey})
	return end
}

// isValueEnd ends an unquoted value. Closing brackets do not: `password: [x]secret` must
// not leave `secret` behind, and a bracket swallowed after a secret costs nothing.
func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '&', ',', ';', '"', '\'', '}', '<', '>', '\\':
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
	for ; end < len(s); end++ {
		c := s[end]
		if userinfoStops[c] == 0 {
			continue // a host name's bytes, mostly: one table read each
		}
		if c == '@' {
			break
		}
		if c != ':' {
			return j
		}
		if colon < 0 {
			colon = end
		}
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

// userinfoStops marks the bytes userinfoAt stops at: `@` and `:` of userinfo, and the
// bytes that end the authority before any `@`.
var userinfoStops = func() (t [256]uint8) {
	for _, c := range []byte("@:/?# \n\"'<>") {
		t[c] = 1
	}
	return t
}()

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
