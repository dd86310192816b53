package redact

// shortGate clears most short clean values in one pass of table reads, before the scanner,
// the keyword automaton and the escape check each walk them: on a value of a few bytes
// their fixed costs were most of a call, dearer than the processor's clean-cache probe.
//
// It answers only where the full scan provably finds nothing: the value is shorter than
// every token shape of the scanner (shortestShape) and every keyword-less rule, so only
// the operators, the escapes and the short keyword rules could fire; it holds no byte that
// begins an escape (escapeIn) or a key=value, key: value or <element> operator
// (keyValueAt, elementValueAt); and where it is long enough for a keyword rule, it holds
// no first byte of that rule's keywords. Anything else takes the full path.
type shortGate struct {
	limit int // values shorter than this may be cleared
	kwLen int // from this length on, gKeyword bytes count
	risk  [256]uint8
}

// Kinds of bytes of shortGate.risk.
const (
	gAlways  = 1 << iota // an escape start or an operator: never cleared
	gKeyword             // first byte of a keyword of a rule short enough to match
)

// shortestShape is the shortest string in which the scanner can find a secret without an
// operator (`=`, `:`, `>`): the long-token tests need minBase64Len bytes of a run, a known
// prefix its prefix and min bytes, `Basic` a blank and 8 bytes, a JWT (`eyJ` and seven
// more) a dot and a byte on each side of another, base64 JSON 16 bytes, a webhook URL its
// host and 8 bytes, an Entra ID secret 38, a PEM block `-----BEGIN ` and `PRIVATE KEY`.
func shortestShape() int {
	n := min(minBase64Len, len("basic")+1+8, len("eyJ")+7+1+1+1+1, 16, 38, len("-----BEGIN PRIVATE KEY"))
	for _, rs := range prefixRules {
		for _, r := range rs {
			n = min(n, len(r.prefix)+r.min)
		}
	}
	for _, h := range webhookHosts {
		n = min(n, len(h)+8)
	}
	return n
}

// newShortGate builds the gate for the rules of rs, whose keywords are words.
func newShortGate(rs *ruleSet, words []string) shortGate {
	g := shortGate{limit: shortestShape()}
	for _, ri := range rs.always {
		g.limit = min(g.limit, rs.rules[ri].minLen)
	}
	g.kwLen = g.limit
	for kid, ris := range rs.byWord {
		for _, ri := range ris {
			if n := rs.rules[ri].minLen; n < g.limit {
				g.kwLen = min(g.kwLen, n)
				c := words[kid][0] // lower case; the automaton folds ASCII case
				g.risk[c] |= gKeyword
				if c >= 'a' && c <= 'z' {
					g.risk[c-'a'+'A'] |= gKeyword
				}
			}
		}
	}
	for c := range 256 {
		if escapeStart[c] != 0 {
			g.risk[c] |= gAlways
		}
	}
	for _, c := range []byte{'=', ':', '>'} {
		g.risk[c] |= gAlways
	}
	return g
}

// clean reports whether the full scan of s, shorter than g.limit, finds nothing.
func (g *shortGate) clean(s string) bool {
	stop := uint8(gAlways)
	if len(s) >= g.kwLen {
		stop |= gKeyword
	}
	seen := uint8(0)
	for i := 0; i < len(s); i++ {
		seen |= g.risk[s[i]]
	}
	return seen&stop == 0
}
