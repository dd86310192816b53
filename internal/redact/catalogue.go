package redact

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/authobs/authobsprocessor/internal/redact/keyword"
)

// compiledRule is a Rule ready to run.
type compiledRule struct {
	id          string
	det         Detector
	re          *regexp.Regexp
	secretGroup int
	entropy     float64
	allow       []compiledAllowlist
	// reach bounds how far a match extends either side of a keyword occurrence, so the
	// regex runs on a window around it; -1: the keyword need not be inside the match
	// (gitleaks' keywords only gate a rule), or the match is unbounded, so the regex runs
	// on the whole string.
	reach int
	// assign: the regex needs an assignment operator shortly after the keyword (gitleaks'
	// semi-generic rules, `adafruit_key = "…"`) and then a value of secretMin bytes or
	// more; a keyword with neither skips the regex.
	assign    bool
	secretMin int
	// minLen is the shortest match: a shorter string never runs the regex.
	minLen int
	// stripped: the regex is gitleaks' semi-generic `[\w.-]{0,50}?(?:identifier)…` with the
	// lazy identifier prefix cut off. The prefix only widens the match; the secret group
	// is the same, and the match an allowlist sees is rebuilt by extending it back over up
	// to identPrefix identifier bytes.
	stripped bool
	// anchored: every match begins with a keyword, so the regex (anchored) runs once at each
	// keyword occurrence, on the span bytes a match can cover, instead of searching a window.
	anchored bool
	span     int
	// free is the same regex unanchored, for a string where the rule's keyword recurs more
	// than maxAnchoredRuns times: one search over merged windows instead of a run of up to
	// span bytes at every occurrence (which would cost span bytes per keyword byte).
	free *regexp.Regexp
	// wordStart: the regex begins with `\b` before a keyword that begins with a word byte,
	// so a keyword inside a word (`s.` in `fs.read`, `ey` in `key`) cannot start a match.
	wordStart bool
	// sieve turns away, before the regex runs, most windows the regex finds nothing in;
	// nil for a regex too large for it.
	sieve *sieve
	// starts are byte strings one of which every match of the free regex begins with
	// (aws-access-token: A3T AKIA ASIA ABIA ACCA), for a regex without `^`/`\A`: a free
	// search begins at the word of the first that occurs instead of trying every byte
	// before it, and stops when none occurs after the last match (findFree). Nil: FindAll.
	starts []string
}

// Gitleaks' semi-generic rules begin with a lazy identifier prefix, which makes RE2 try
// every start position with up to 50 bytes of it: the costliest part of those regexes.
const (
	identPrefixCI     = `(?i)[\w.-]{0,50}?`
	identPrefixFolded = `[\w.-]{0,50}?(?i:`
	identPrefix       = 50
)

// ruleSet is the compiled catalogue plus the operator's rules, behind one keyword
// automaton: keyword id → the rules it gates.
type ruleSet struct {
	rules  []compiledRule
	kw     *keyword.Set
	byWord [][]int32
	global []compiledAllowlist
	// always are the rules without keywords: they run on every string.
	always []int
	// short clears short clean values before any of the above runs.
	short shortGate
}

// semiGenericOperator is the assignment part gitleaks writes after the keyword of its
// semi-generic rules.
const semiGenericOperator = `(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`

// maxReach caps the window around a keyword; a rule that may match further runs on the
// whole string.
const maxReach = 1024

// maxAnchoredSpan caps what one anchored run reads: a match running into the cap is
// taken to go on over the token bytes after it (fail closed), so a keyword-dense string
// costs at most this much per keyword.
const maxAnchoredSpan = 4096

func compileRule(r Rule, det Detector, field string) (compiledRule, error) {
	if strings.TrimSpace(r.ID) == "" {
		return compiledRule{}, fmt.Errorf("%s.id: must not be empty", field)
	}
	re, err := regexp.Compile(r.Regex)
	if err != nil {
		return compiledRule{}, fmt.Errorf("%s.regex: %w", field, err)
	}
	// the semi-generic rules without their lazy identifier prefix
	stripped := ""
	if rest, ok := strings.CutPrefix(r.Regex, identPrefixCI); ok && strings.HasPrefix(rest, "(?:") {
		stripped = "(?i)" + rest
	} else if rest, ok := strings.CutPrefix(r.Regex, identPrefixFolded); ok {
		stripped = "(?i:" + rest
	}
	if stripped != "" {
		re = regexp.MustCompile(stripped)
	}
	if re.MatchString("") {
		return compiledRule{}, fmt.Errorf("%s.regex: matches the empty string", field)
	}
	if r.SecretGroup < 0 || r.SecretGroup > re.NumSubexp() {
		return compiledRule{}, fmt.Errorf("%s.secret_group: %d, but the regex has %d groups", field, r.SecretGroup, re.NumSubexp())
	}
	if r.Entropy < 0 || r.Entropy > 8 || math.IsNaN(r.Entropy) {
		return compiledRule{}, fmt.Errorf("%s.entropy: %v is not between 0 and 8 bits per byte", field, r.Entropy)
	}
	cr := compiledRule{id: r.ID, det: det, re: re, secretGroup: r.SecretGroup, entropy: r.Entropy, reach: -1, stripped: stripped != ""}
	src := r.Regex
	if stripped != "" {
		src = stripped
	}
	cr.sieve = newSieve(src)
	cr.starts = freeStarts(src)
	if len(r.Keywords) > 0 {
		n := maxLen(r.Regex)
		if n < 0 || n > maxAnchoredSpan {
			n = maxAnchoredSpan
		}
		// a rule whose every match begins with one of its keywords (`adafruit_key = …` once
		// stripped, `ghp_…`, `\b(?:hvs\.|s\.)…`) runs anchored at each keyword instead
		if starts, boundary := keywordsStartMatch(src, r.Keywords); starts {
			cr.free = cr.re
			cr.re, cr.anchored, cr.wordStart, cr.span = regexp.MustCompile(`^(?:`+src+`)`), true, boundary, n
		}
	}
	for i, a := range r.Allowlists {
		ca, err := compileAllowlist(a, fmt.Sprintf("%s.allowlists[%d]", field, i))
		if err != nil {
			return compiledRule{}, err
		}
		cr.allow = append(cr.allow, ca)
	}
	lower := strings.ToLower(r.Regex)
	inside := len(r.Keywords) > 0
	for i, k := range r.Keywords {
		if strings.TrimSpace(k) == "" {
			return compiledRule{}, fmt.Errorf("%s.keywords[%d]: must not be empty", field, i)
		}
		inside = inside && strings.Contains(lower, strings.ToLower(k))
	}
	if inside {
		if n := maxLen(r.Regex); n >= 0 && n <= maxReach {
			cr.reach = n
		}
	}
	// the shape test looks for the operator after the keyword, so it holds only where the
	// keywords are the identifier (lob-api-key's `test_` is inside its secret)
	cr.assign = cr.anchored && strings.Contains(r.Regex, semiGenericOperator)
	cr.minLen, cr.secretMin = minLens(r.Regex, r.SecretGroup)
	return cr, nil
}

// maxLen is the longest match of a regex in bytes, or -1 when unbounded.
func maxLen(expr string) int {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return -1
	}
	return reMaxLen(re.Simplify())
}

// minLens are the shortest match of a regex and of its secret group (the first group when
// group is 0), in bytes.
func minLens(expr string, group int) (int, int) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0, 0
	}
	if group == 0 {
		group = 1
	}
	secret := 0
	if g := findCapture(re, group); g != nil {
		secret = reMinLen(g)
	}
	return reMinLen(re), secret
}

func findCapture(re *syntax.Regexp, n int) *syntax.Regexp {
	if re.Op == syntax.OpCapture && re.Cap == n {
		return re.Sub[0]
	}
	for _, s := range re.Sub {
		if f := findCapture(s, n); f != nil {
			return f
		}
	}
	return nil
}

func reMinLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) // a rune is at least one byte
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return reMinLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * reMinLen(re.Sub[0])
	case syntax.OpConcat:
		total := 0
		for _, s := range re.Sub {
			total += reMinLen(s)
		}
		return total
	case syntax.OpAlternate:
		least := -1
		for _, s := range re.Sub {
			if n := reMinLen(s); least < 0 || n < least {
				least = n
			}
		}
		return max(least, 0)
	}
	return 0
}

func isWordChar(c byte) bool { return isAlnum(c) || c == '_' }

// keywordsStartMatch reports whether every match of expr begins with one of keywords: the
// regex starts (after `\b` and groups) with literals, each a prefix of a keyword or the
// other way round. boundary: a `\b` comes first and every keyword begins with a word byte.
func keywordsStartMatch(expr string, keywords []string) (starts, boundary bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return false, false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture || (re.Op == syntax.OpConcat && len(re.Sub) > 0) {
		if re.Op == syntax.OpCapture {
			re = re.Sub[0]
			continue
		}
		if re.Sub[0].Op == syntax.OpWordBoundary {
			boundary = true
			if len(re.Sub) == 1 {
				return false, false
			}
			re = &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:]}
			continue
		}
		re = re.Sub[0]
	}
	lits, _ := firstStrings(re)
	if len(lits) == 0 {
		return false, false
	}
	for _, l := range lits {
		ok := false
		for _, k := range keywords {
			if strings.HasPrefix(l, strings.ToLower(k)) {
				ok = true
			}
		}
		if !ok {
			return false, false
		}
	}
	for _, k := range keywords {
		if k == "" || !isWordChar(k[0]) {
			boundary = false
		}
	}
	return true, boundary
}

// maxFirstStrings bounds the prefixes firstStrings expands.
const maxFirstStrings = 64

// firstStrings are lower-case strings one of which every match of re begins with, or nil
// when some match may begin otherwise; exact: re matches exactly these strings. The
// parser factors alternations (`access|auth` is `a(?:ccess|uth)`) and gitleaks writes
// `[Aa]pi`, so literals, small classes and alternations are expanded, not just read.
func firstStrings(re *syntax.Regexp) (out []string, exact bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(seen) >= 4 {
					return nil, false
				}
				seen[strings.ToLower(string(r))] = true
			}
		}
		for k := range seen {
			out = append(out, k)
		}
		return out, len(out) > 0
	case syntax.OpCapture:
		return firstStrings(re.Sub[0])
	case syntax.OpQuest:
		l, ex := firstStrings(re.Sub[0])
		if l == nil {
			return nil, false
		}
		return append([]string{""}, l...), ex
	case syntax.OpConcat:
		out = []string{""}
		for _, sub := range re.Sub {
			next, ex := firstStrings(sub)
			if next == nil || len(out)*len(next) > maxFirstStrings {
				return prefixesOrNil(out), false
			}
			out = crossStrings(out, next)
			if !ex {
				return out, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		exact = true
		for _, sub := range re.Sub {
			l, ex := firstStrings(sub)
			if l == nil || len(out)+len(l) > maxFirstStrings {
				return nil, false
			}
			out, exact = append(out, l...), exact && ex
		}
		return out, exact
	}
	return nil, false
}

func prefixesOrNil(ps []string) []string {
	for _, p := range ps {
		if p == "" {
			return nil
		}
	}
	return ps
}

func reMaxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += len(string(r))
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 4
	case syntax.OpCapture:
		return reMaxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpQuest:
		return reMaxLen(re.Sub[0])
	case syntax.OpRepeat:
		n := reMaxLen(re.Sub[0])
		if re.Max < 0 || n < 0 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat, syntax.OpAlternate:
		// a concatenation is as long as its parts together, an alternation as its longest
		n := 0
		for _, s := range re.Sub {
			m := reMaxLen(s)
			if m < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n += m
			} else {
				n = max(n, m)
			}
		}
		return n
	}
	return -1
}

func newRuleSet(rules []compiledRule, keywords [][]string, global []compiledAllowlist) (*ruleSet, error) {
	rs := &ruleSet{rules: rules, global: global}
	ids := map[string]int32{}
	var words []string
	for ri, kws := range keywords {
		if len(kws) == 0 {
			rs.always = append(rs.always, ri)
		}
		for _, k := range kws {
			k = strings.ToLower(k)
			id, ok := ids[k]
			if !ok {
				id = int32(len(words)) //nolint:gosec // distinct keywords of at most a few hundred rules
				ids[k] = id
				words = append(words, k)
				rs.byWord = append(rs.byWord, nil)
			}
			rs.byWord[id] = append(rs.byWord[id], int32(ri))
		}
	}
	kw, err := keyword.New(words)
	if err != nil {
		return nil, err
	}
	rs.kw = kw
	rs.short = newShortGate(rs, words)
	return rs, nil
}

// ruleWindow is the part of the string one rule still has to scan: keyword windows that
// overlap are merged, so each byte is handed to one rule's regex a bounded number of times.
type ruleWindow struct {
	start, end int
	open       bool
	// anchoredRuns counts the anchored attempts of an anchored rule in this string.
	anchoredRuns int
}

// maxAnchoredRuns: after this many anchored attempts in one string, an anchored rule's
// further keyword occurrences are merged into windows searched once, unanchored, so a
// keyword repeated thousands of times (`curl curl curl …`) costs a bounded number of regex
// bytes per input byte.
const maxAnchoredRuns = 8

// windowState is the per-call window state of every rule, pooled so a call that finds
// keywords costs no allocation either. Only the rules a keyword got past the shape tests
// are touched, and only those are cleared again: most strings with a keyword touch none.
type windowState struct {
	w []ruleWindow
	// touched lists, in the order first touched, the rules whose window is not zero.
	touched []int32
}

var windowPool = sync.Pool{}

// work counts the catalogue's regex runs and the bytes they read, in tests that measure
// work instead of time; nil in production.
var work *workCounter

type workCounter struct {
	runs, bytes int
	// regexRuns are the runs the sieve let through to the regex
	regexRuns int
}

// scan runs the catalogue over s and adds the secrets it finds.
func (rs *ruleSet) scan(sc *scanner) {
	s := sc.s
	if len(rs.always) > 0 {
		rs.runAlways(sc)
	}
	// the automaton's first step written out: a string where no keyword can begin costs
	// no frame of Next's
	if cand := rs.kw.First(s); cand < len(s) {
		rs.scanFrom(sc, cand)
	}
}

// runAlways runs the rules without keywords over the whole string.
func (rs *ruleSet) runAlways(sc *scanner) {
	for _, ri := range rs.always {
		if len(sc.s) < rs.rules[ri].minLen {
			continue
		}
		rs.run(sc, ri, 0, len(sc.s))
	}
}

// scanFrom is scan from the first position where a keyword may begin (cand, below
// len(s)) on: apart, so that a string with no keyword costs scan's small frame, not this
// one's.
func (rs *ruleSet) scanFrom(sc *scanner, cand int) {
	s := sc.s
	end, state := rs.kw.FirstFrom(s, cand)
	if end < 0 {
		return
	}
	var ws *windowState
	defer func() {
		if ws != nil {
			releaseWindows(ws)
		}
	}()
	for end >= 0 {
		for _, kid := range rs.kw.Matches(state) {
			klen := rs.kw.Len(kid)
			kstart := end - klen
			for _, ri := range rs.byWord[kid] {
				r := &rs.rules[ri]
				if len(s) < r.minLen || (r.assign && !assignmentFollows(s, end, r.secretMin)) {
					continue
				}
				if r.wordStart && kstart > 0 && isWordChar(s[kstart-1]) {
					continue
				}
				if ws == nil {
					ws = rs.windows()
				}
				w := &ws.w[ri]
				if !w.open && w.anchoredRuns == 0 {
					ws.touched = append(ws.touched, ri)
				}
				if r.anchored && w.anchoredRuns < maxAnchoredRuns {
					// one anchored attempt; a byte past the longest match keeps `$` honest
					w.anchoredRuns++
					rs.runAnchored(sc, int(ri), kstart, min(len(s), kstart+r.span+1))
					continue
				}
				lo, hi := 0, len(s)
				switch {
				case r.anchored: // a match begins at the keyword and covers at most span bytes
					lo, hi = kstart, min(len(s), kstart+r.span+1)
				case r.reach >= 0:
					lo, hi = max(0, kstart-r.reach), min(len(s), end+r.reach)
				}
				switch {
				case w.open && lo <= w.end:
					w.end = max(w.end, hi)
				default:
					if w.open {
						rs.run(sc, int(ri), w.start, w.end)
					}
					*w = ruleWindow{start: lo, end: hi, open: true, anchoredRuns: w.anchoredRuns}
				}
			}
		}
		end, state = rs.kw.Next(s, end, state)
	}
	if ws == nil {
		return
	}
	// the windows still open run in rule order, as they always have: the order matches
	// are added in decides which detector a merged place is counted under
	slices.Sort(ws.touched)
	for _, ri := range ws.touched {
		if w := &ws.w[ri]; w.open {
			rs.run(sc, int(ri), w.start, w.end)
		}
	}
}

// releaseWindows clears the window state and pools it; deferred, so a scan that panics (and
// is failed closed by the processor) cannot hand open windows or anchored-run counts to the
// next string.
func releaseWindows(ws *windowState) {
	for _, ri := range ws.touched {
		ws.w[ri] = ruleWindow{}
	}
	ws.touched = ws.touched[:0]
	windowPool.Put(ws)
}

func (rs *ruleSet) windows() *windowState {
	if v, ok := windowPool.Get().(*windowState); ok && len(v.w) == len(rs.rules) {
		return v
	}
	return &windowState{w: make([]ruleWindow, len(rs.rules))}
}

// assignmentFollows is the shape test of gitleaks' semi-generic rules: after the keyword,
// at most 20 identifier bytes or blanks and 3 quotes or spaces, an assignment operator,
// at most 5 quotes, blanks or `=`, then a value of at least secretMin bytes that are not
// blanks, quotes or `;` (what ends the secret in those regexes). Most everyday `key`,
// `token`, `auth` in telemetry fail it and never reach the regex.
func assignmentFollows(s string, i, secretMin int) bool {
	n := 0
	for ; ; i, n = i+1, n+1 {
		if i >= len(s) || n >= 26 {
			return false
		}
		c := s[i]
		if c == '=' || c == ':' || c == '>' || c == ',' || c == '|' || c == '?' {
			break
		}
		// a byte of a multi-byte character may be a letter the regex folds (the Kelvin sign
		// is a `k` to `(?i)`): it does not end the identifier
		if !isTok(c) && c < 0x80 && c != '.' && c != '"' && c != '\'' && !isRegexSpace(c) {
			return false
		}
	}
	for k := 0; i < len(s) && k < 3 && (s[i] == '=' || s[i] == ':' || s[i] == '>' || s[i] == '|' || s[i] == '?' || s[i] == ','); k++ {
		i++
	}
	// `=` may open the value as well (sonar's secrets may start with one): it is counted
	for k := 0; i < len(s) && k < 5 && (s[i] == '`' || s[i] == '\'' || s[i] == '"' || isRegexSpace(s[i])); k++ {
		i++
	}
	run := 0
	for i < len(s) && run < secretMin && s[i] != '`' && s[i] != '\'' && s[i] != '"' && s[i] != ';' && !isRegexSpace(s[i]) {
		i++
		run++
	}
	return run >= secretMin
}

// isRegexSpace is RE2's `\s`: the blanks that separate an identifier from its value.
func isRegexSpace(c byte) bool { return isSpace(c) || c == '\f' }

// run applies rule ri to s[lo:hi] and adds each accepted secret.
func (rs *ruleSet) run(sc *scanner, ri, lo, hi int) {
	r := &rs.rules[ri]
	re := r.re
	if r.anchored {
		re = r.free
	}
	rs.search(sc, ri, re, false, lo, hi)
}

// runAnchored is one attempt of an anchored rule at lo.
func (rs *ruleSet) runAnchored(sc *scanner, ri, lo, hi int) {
	rs.search(sc, ri, rs.rules[ri].re, true, lo, hi)
}

func (rs *ruleSet) search(sc *scanner, ri int, re *regexp.Regexp, anchored bool, lo, hi int) {
	s := sc.s
	r := &rs.rules[ri]
	// a window edge inside a word would let `\b` match where the word does not start
	for k := 0; lo > 0 && isTok(s[lo-1]) && k < 64 && !anchored; k++ {
		lo--
	}
	for k := 0; hi < len(s) && isTok(s[hi]) && k < 64; k++ {
		hi++
	}
	if work != nil {
		work.runs++
		work.bytes += hi - lo
	}
	win := s[lo:hi]
	if r.sieve != nil && !r.sieve.mayMatch(win, anchored) {
		return
	}
	if work != nil {
		work.regexRuns++
	}
	// an anchored regex matches at most once (only at the window's start, and never the
	// empty string): FindAll would search a second time, to find nothing
	var locs [][]int
	switch {
	case anchored:
		if loc := re.FindStringSubmatchIndex(win); loc != nil {
			locs = [][]int{loc}
		}
	case r.starts != nil:
		locs = r.findFree(re, win)
	default:
		locs = re.FindAllStringSubmatchIndex(win, -1)
	}
	for _, loc := range locs {
		a, b := secretBounds(r, loc)
		if a < 0 || b <= a {
			continue
		}
		secret := win[a:b]
		if r.entropy > 0 && entropyAtMost(secret, r.entropy) {
			continue
		}
		ms := lo + loc[0]
		if r.stripped {
			for k := 0; ms > 0 && k < identPrefix && (isTok(s[ms-1]) || s[ms-1] == '.'); k++ {
				ms--
			}
		}
		m := s[ms : lo+loc[1]]
		if allowed(rs.global, secret, m, s, ms) || allowed(r.allow, secret, m, s, ms) {
			continue
		}
		// a match that reaches the end of an anchored rule's bounded run (its span cap) goes
		// on over the token it is in, anchored attempt or merged window alike
		if r.anchored && lo+b == hi && hi < len(s) {
			b = hi - lo + runLen(s, hi, isB64)
		}
		sc.add(match{start: lo + a, end: lo + b, det: r.det})
	}
}

// findFree is re.FindAllStringSubmatchIndex(win, -1) for a rule with starts. Every match
// begins with one of them, so none begins before the first that occurs; the search runs
// on win from the word that holds it, from just after an ASCII byte that is no word byte
// (or from win's start): there `\b` and `\B` read what they read in win, and the regex
// has no `^`/`\A`, the one other thing that sees where its text begins. After a match it
// searches again only where a start occurs further on, which Go's FindAll does over the
// rest of the window whatever it holds (the second search over an aws key's window). A
// start inside the last match's word (`AKIA…AKIA…` as one word) falls back to FindAll.
// TestFindFreeIsFindAll compares the two on every catalogue rule.
func (r *compiledRule) findFree(re *regexp.Regexp, win string) [][]int {
	// next[k]: where starts[k] next occurs (-1: nowhere further), searched again only once
	// the search has passed it, so each start's occurrences are looked for once per window
	// however many matches it holds
	var next [maxStarts]int
	for k := range r.starts {
		next[k] = -2
	}
	first := r.freeFrom(win, 0, &next)
	if first < 0 {
		return nil
	}
	var locs [][]int
	for p := first; ; {
		loc := re.FindStringSubmatchIndex(win[p:])
		if loc == nil {
			return locs
		}
		shiftLoc(loc, p)
		locs = append(locs, loc)
		if loc[1] == loc[0] {
			break // an empty match (none begins with a start): FindAll's own rules
		}
		p = r.freeFrom(win, loc[1], &next)
		if p == -1 {
			return locs
		}
		if p < 0 {
			break
		}
	}
	locs = re.FindAllStringSubmatchIndex(win[first:], -1)
	for _, loc := range locs {
		shiftLoc(loc, first)
	}
	return locs
}

// freeFrom is where a search for a match beginning at pos or after may start: the first
// occurrence of a start from pos on, moved back to just after an ASCII non-word byte (or
// to 0); -1 when no start occurs, -2 when the move back would pass pos (the start is in
// the word that ends at pos). next caches each start's next occurrence (findFree).
func (r *compiledRule) freeFrom(win string, pos int, next *[maxStarts]int) int {
	i := -1
	for k, st := range r.starts {
		if next[k] == -2 || (next[k] >= 0 && next[k] < pos) {
			next[k] = strings.Index(win[pos:], st)
			if next[k] >= 0 {
				next[k] += pos
			}
		}
		if j := next[k]; j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return -1
	}
	for i > pos && (win[i-1] >= utf8.RuneSelf || isWordChar(win[i-1])) {
		i--
	}
	if i == pos && pos > 0 && (win[i-1] >= utf8.RuneSelf || isWordChar(win[i-1])) {
		return -2
	}
	return i
}

func shiftLoc(loc []int, by int) {
	for k, v := range loc {
		if v >= 0 {
			loc[k] = v + by
		}
	}
}

// maxStarts bounds a rule's starts: each is a substring search per free run.
const maxStarts = 8

// freeStarts are the starts of expr (see compiledRule.starts), or nil: when it has `^` or
// `\A`, or when a match may begin otherwise than with one of at most maxStarts strings of
// 2 bytes or more, byte for byte (a folded letter is no start: `(?i)k` matches the Kelvin
// sign).
func freeStarts(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || hasBegin(re) {
		return nil
	}
	st := leading(re)
	if len(st) == 0 || len(st) > maxStarts || shortest(st) < 2 {
		return nil
	}
	return st
}

func hasBegin(re *syntax.Regexp) bool {
	if re.Op == syntax.OpBeginText || re.Op == syntax.OpBeginLine {
		return true
	}
	return slices.ContainsFunc(re.Sub, hasBegin)
}

// leading returns strings one of which every match of re begins with, byte for byte, or
// nil. A concatenation's exact parts (literals' exact sets) are multiplied out up to its
// first part that is not exact, whose own leading strings end them.
func leading(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return leading(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil
		}
		return leading(re.Sub[0])
	case syntax.OpConcat:
		cur := []string{""}
		for _, sub := range re.Sub {
			if ex, _ := literals(sub); ex != nil && len(cur)*len(ex) <= maxExact {
				cur = crossStrings(cur, ex)
				continue
			}
			if l := leading(sub); l != nil && len(cur)*len(l) <= maxExact {
				cur = crossStrings(cur, l)
			}
			break
		}
		return nonEmpty(cur)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l := leading(sub)
			if l == nil {
				return nil
			}
			out = append(out, l...)
		}
		return out
	}
	ex, _ := literals(re)
	return nonEmpty(ex)
}

// crossStrings is every string of a followed by every string of b, in that order.
func crossStrings(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// nonEmpty is l, or nil when l holds the empty string (a match may begin anywhere).
func nonEmpty(l []string) []string {
	if slices.Contains(l, "") {
		return nil
	}
	return l
}

// secretBounds picks the secret out of a match the way gitleaks does: the configured
// group, else the first non-empty group, else the whole match.
func secretBounds(r *compiledRule, loc []int) (int, int) {
	if r.secretGroup > 0 {
		return loc[2*r.secretGroup], loc[2*r.secretGroup+1]
	}
	for g := 1; 2*g+1 < len(loc); g++ {
		if loc[2*g] >= 0 && loc[2*g+1] > loc[2*g] {
			return loc[2*g], loc[2*g+1]
		}
	}
	return loc[0], loc[1]
}

// entropyAtMost reports whether shannon(s) <= limit, with the same answer: for an ASCII
// secret shorter than 256 bytes the entropy is log2(n) - Σ c·log2(c)/n over the byte
// counts c, read from a table, and only an entropy within entropyMargin of the limit is
// computed again the way shannon does (a float64 logarithm per byte value, the costliest
// part of accepting a match).
func entropyAtMost(s string, limit float64) bool {
	if len(s) == 0 || len(s) >= len(cLog2c) {
		return shannon(s) <= limit
	}
	var count [utf8.RuneSelf]uint8 // n < 256: a count fits
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return shannon(s) <= limit
		}
		count[c]++ //nolint:gosec // c < utf8.RuneSelf, the array's length: checked above
	}
	sum := 0.0
	if len(s) <= entropyShort {
		// the byte values that occur, in the order they first occur, each once (its count
		// is cleared as it is added): a short secret holds far fewer values than the 128
		// counts. The order of the sum differs; the rounding that moves is far below
		// entropyMargin.
		for i := 0; i < len(s); i++ {
			if c := count[s[i]]; c != 0 {
				sum += cLog2c[c]
				count[s[i]] = 0
			}
		}
	} else {
		for _, c := range count {
			sum += cLog2c[c]
		}
	}
	n := float64(len(s))
	h := (cLog2c[len(s)] - sum) / n
	if math.Abs(h-limit) > entropyMargin {
		return h <= limit
	}
	return shannon(s) <= limit
}

// entropyShort: up to this length a second pass over the secret (about 12 instructions a
// byte) costs less than summing all 128 counts (about 4 a count); measured on a 20-byte
// aws key (1 136 → 557 per call) and a 124-byte jwt (the second pass: 2 067 → 3 029).
const entropyShort = 40

// entropyMargin is far above the rounding error of either computation (about 1e-12 for
// 128 terms of at most 255·8 bits) and far below any limit's precision.
const entropyMargin = 1e-6

// cLog2c[c] is c·log2(c) (0 for 0).
var cLog2c = func() (t [256]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

// shannon is the Shannon entropy of s as gitleaks computes it: symbol frequencies of its
// runes, over its length in bytes.
func shannon(s string) float64 {
	var ascii [utf8.RuneSelf]int
	var other map[rune]int
	for _, r := range s {
		if r < utf8.RuneSelf {
			ascii[r]++
			continue
		}
		if other == nil {
			other = map[rune]int{}
		}
		other[r]++
	}
	h := 0.0
	add := func(c int) {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	for _, c := range ascii {
		add(c)
	}
	for _, c := range other {
		add(c)
	}
	return h
}
