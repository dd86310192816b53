package redact

import (
	"cmp"
	"math/bits"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sieve is a test a rule's regex must pass before it runs over a window: a position
// automaton (Glushkov) built at start-up from the regex's syntax that accepts every ASCII
// text the regex matches in, and few others, plus the literals every match holds. Go's
// backtracker costs 100–300 instructions a byte, more when it fails and backs up through a
// counted repeat, so most of a secret-bearing value's regex work was runs that found nothing: generic-api-key over `access_token=…&lang=`
// (no terminator after the value), jwt at the payload's `eyJ` (no `.ey` after it),
// slack-bot-token over a legacy token, twilio's case-sensitive `SK` at `sk-proj-`. The
// automaton reads a byte with a few table reads and decides those at the byte where they fail.
//
// It answers "may match" whenever it cannot be sure: at the first byte of 0x80 or more (a
// rune is more than a byte), and everywhere the syntax is approximated by a larger language:
// `x{m,n}` is read as `x{k,}` with k = min(m, sieveRepeat), and every assertion but `$`/`\z`
// (`\b`, `^`, multi-line `$`) is read as always true. `$`/`\z` holds only at the end of the
// window, as for the regex, which sees the window as its whole text.
// TestSieveNeverRejectsAMatch checks it against the regexes.
type sieve struct {
	// lits are groups of case-sensitive strings: every match holds one of each group. A
	// window missing a group is turned away by a substring search, before the automaton
	// (which reads every byte): jwt's `.ey`, curl-auth-user's `-u`/`--user`.
	lits [][]string
	// none: the regex has too many positions for the automaton; only lits are tested
	none     bool
	nullable bool
	// wide: more than 64 positions; the sets are posSets and the tables below the …N ones
	wide        bool
	first, last posSet
	// eot are the `$`/`\z` positions: they read the end of the window, no byte
	eot posSet
	// follow[p]: the positions that may come after position p; class[c]: those that read c
	follow  []uint64
	class   *[utf8.RuneSelf]uint64
	followN []posSet
	classN  *[utf8.RuneSelf]posSet
}

const (
	// maxSievePositions bounds a sieve's automaton (two words); a regex with more positions
	// has none.
	maxSievePositions = 128
	// sieveRepeat is how many copies of a counted repeat's body the automaton keeps before
	// it reads the rest as a star: enough for the fixed parts of most rules (`ghp_` and
	// 36 characters need no count to fail on a word of 20), few positions.
	sieveRepeat = 2
)

// posSet is a set of positions while the automaton is built.
type posSet [maxSievePositions / 64]uint64

func (a *posSet) or(b *posSet) {
	for i := range a {
		a[i] |= b[i]
	}
}

func (a *posSet) each(f func(p int)) {
	for i, w := range a {
		for ; w != 0; w &= w - 1 {
			f(i*64 + bits.TrailingZeros64(w))
		}
	}
}

// glushkov is the automaton being built: per position the bytes it reads (or the end of
// the window) and the positions that may follow it.
type glushkov struct {
	bytes  []byteSet
	eot    []bool
	follow []posSet
	full   bool
}

// frag is a built subexpression: the positions a match of it may begin and end with.
type frag struct {
	first, last posSet
	nullable    bool
}

func (g *glushkov) position(b byteSet, eot bool) frag {
	p := len(g.bytes)
	if p >= maxSievePositions {
		g.full = true
		return frag{}
	}
	g.bytes = append(g.bytes, b)
	g.eot = append(g.eot, eot)
	g.follow = append(g.follow, posSet{})
	var f frag
	f.first[p/64] |= 1 << (p % 64)
	f.last = f.first
	return f
}

func (g *glushkov) concat(a, b frag) frag {
	a.last.each(func(p int) { g.follow[p].or(&b.first) })
	out := frag{nullable: a.nullable && b.nullable, first: a.first, last: b.last}
	if a.nullable {
		out.first.or(&b.first)
	}
	if b.nullable {
		out.last.or(&a.last)
	}
	return out
}

func alternate(a, b frag) frag {
	a.first.or(&b.first)
	a.last.or(&b.last)
	a.nullable = a.nullable || b.nullable
	return a
}

func (g *glushkov) star(a frag) frag {
	a.last.each(func(p int) { g.follow[p].or(&a.first) })
	a.nullable = true
	return a
}

var emptyFrag = frag{nullable: true}

// build adds the positions of re and returns its fragment.
func (g *glushkov) build(re *syntax.Regexp) frag {
	if g.full {
		return frag{}
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return frag{}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return emptyFrag
	case syntax.OpEndText:
		return g.position(byteSet{}, true)
	case syntax.OpLiteral:
		out := emptyFrag
		for _, r := range re.Rune {
			var b byteSet
			asciiRune(&b, r)
			for f := unicode.SimpleFold(r); re.Flags&syntax.FoldCase != 0 && f != r; f = unicode.SimpleFold(f) {
				asciiRune(&b, f)
			}
			out = g.concat(out, g.position(b, false))
		}
		return out
	case syntax.OpCharClass:
		var b byteSet
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < utf8.RuneSelf; r++ {
				b.add(byte(r)) //nolint:gosec // r < utf8.RuneSelf: one byte
			}
		}
		return g.position(b, false)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		var b byteSet
		for c := range utf8.RuneSelf {
			if c != '\n' || re.Op == syntax.OpAnyChar {
				b.add(byte(c))
			}
		}
		return g.position(b, false)
	case syntax.OpCapture:
		return g.build(re.Sub[0])
	case syntax.OpStar:
		return g.star(g.build(re.Sub[0]))
	case syntax.OpPlus:
		one := g.build(re.Sub[0])
		one.last.each(func(p int) { g.follow[p].or(&one.first) })
		return one
	case syntax.OpQuest:
		f := g.build(re.Sub[0])
		f.nullable = true
		return f
	case syntax.OpRepeat:
		// x{m,n} as k copies of x, then x* unless exactly k were asked for: a larger language
		k := min(re.Min, sieveRepeat)
		out := emptyFrag
		for range k {
			out = g.concat(out, g.build(re.Sub[0]))
		}
		if re.Max != k {
			out = g.concat(out, g.star(g.build(re.Sub[0])))
		}
		return out
	case syntax.OpConcat:
		out := emptyFrag
		for _, sub := range re.Sub {
			out = g.concat(out, g.build(sub))
		}
		return out
	case syntax.OpAlternate:
		out := frag{}
		for _, sub := range re.Sub {
			out = alternate(out, g.build(sub))
		}
		return out
	}
	// an operator this does not know: no sieve
	g.full = true
	return frag{}
}

// asciiRune adds r to b when it is one ASCII byte: the sieve decides ASCII text only.
func asciiRune(b *byteSet, r rune) {
	if r >= 0 && r < utf8.RuneSelf {
		b.add(byte(r))
	}
}

func containsAny(s string, group []string) bool {
	for _, l := range group {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// maxExact bounds the strings an exact set of literals expands to.
const maxExact = 16

// literals returns exact, the strings re matches when it matches only a few literal
// strings (nil otherwise), and groups of strings of 2 bytes or more such that every
// match of re holds one string of each group. Only what matches itself byte for byte
// counts: a folded letter (`(?i)k` also matches the Kelvin sign) and U+FFFD (which
// matches an invalid byte) end a literal. The parser factors `-u|--user` into
// `-(?:u|-user)`, so concatenations of exact parts are multiplied out.
func literals(re *syntax.Regexp) (exact []string, groups [][]string) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, nil
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == utf8.RuneError || (re.Flags&syntax.FoldCase != 0 && unicode.SimpleFold(r) != r) {
				return nil, nil
			}
		}
		return []string{string(re.Rune)}, nil
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(exact) == maxExact || r == utf8.RuneError {
					return nil, nil
				}
				exact = append(exact, string(r))
			}
		}
		return exact, nil
	case syntax.OpCapture:
		return literals(re.Sub[0])
	case syntax.OpPlus:
		return nil, asGroups(literals(re.Sub[0]))
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil, nil
		}
		return nil, asGroups(literals(re.Sub[0]))
	case syntax.OpConcat:
		cur, allExact := []string{""}, true
		for _, sub := range re.Sub {
			ex, gs := literals(sub)
			groups = append(groups, gs...)
			if ex != nil && len(cur)*len(ex) <= maxExact {
				cur = crossStrings(cur, ex)
				continue
			}
			// what is multiplied so far, and this part, are each required on their own
			allExact = false
			groups = asGroups(ex, asGroups(cur, groups))
			cur = []string{""}
		}
		if allExact {
			return cur, groups
		}
		return nil, asGroups(cur, groups)
	case syntax.OpAlternate:
		// exact when every branch is and they are few; else one group of a choice from
		// each branch (its exact set or its group with the longest shortest string)
		exactOK, groupOK := true, true
		var group []string
		for _, sub := range re.Sub {
			ex, gs := literals(sub)
			if ex == nil || len(exact)+len(ex) > maxExact {
				exactOK = false
			} else {
				exact = append(exact, ex...)
			}
			best := asGroups(ex, nil)
			for _, g := range gs {
				if len(best) == 0 || shortest(g) > shortest(best[0]) {
					best = [][]string{g}
				}
			}
			if len(best) == 0 {
				groupOK = false
			} else {
				group = append(group, best[0]...)
			}
		}
		if exactOK {
			return exact, nil
		}
		if !groupOK {
			return nil, nil
		}
		return nil, [][]string{group}
	}
	return nil, nil
}

// asGroups is a group made of an exact set when its every string has 2 bytes or more,
// and groups.
func asGroups(exact []string, groups [][]string) [][]string {
	if exact != nil && shortest(exact) >= 2 {
		groups = append(groups, exact)
	}
	return groups
}

// searchable makes a group cheaper to search for and as strict where it counts: a blank
// at either end of a string is dropped (a piece of a required string is required too;
// curl-auth-user's ` -u`, `\t-u`, … begin with bytes that are everywhere in text, so
// each search stopped at every blank), down to 2 bytes, and a string holding another
// string of the group goes (where it occurs, the other does).
func searchable(group []string) []string {
	var out []string
	for _, l := range group {
		for len(l) > 2 && isRegexSpace(l[0]) {
			l = l[1:]
		}
		for len(l) > 2 && isRegexSpace(l[len(l)-1]) {
			l = l[:len(l)-1]
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(len(a)-len(b), strings.Compare(a, b)) })
	var kept []string
	for _, l := range out {
		if !slices.ContainsFunc(kept, func(k string) bool { return strings.Contains(l, k) }) {
			kept = append(kept, l)
		}
	}
	return kept
}

// newSieve builds the sieve of expr, or nil when it has too many positions.
func newSieve(expr string) *sieve {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	_, lits := literals(re)
	for i, g := range lits {
		lits[i] = searchable(g)
	}
	var g glushkov
	f := g.build(re)
	if g.full {
		if len(lits) == 0 {
			return nil
		}
		return &sieve{lits: lits, none: true}
	}
	n := len(g.bytes)
	sv := &sieve{lits: lits, nullable: f.nullable, wide: n > 64, first: f.first, last: f.last}
	if sv.wide {
		sv.followN, sv.classN = g.follow, new([utf8.RuneSelf]posSet)
	} else {
		sv.follow, sv.class = make([]uint64, n), new([utf8.RuneSelf]uint64)
	}
	for p := range n {
		if !sv.wide {
			sv.follow[p] = g.follow[p][0]
		}
		if g.eot[p] {
			sv.eot[p/64] |= 1 << (p % 64)
		}
		for c := range utf8.RuneSelf {
			if g.bytes[p].has(byte(c)) {
				sv.classN0(c)[p/64] |= 1 << (p % 64)
			}
		}
	}
	return sv
}

// classN0 is the class set of byte c, in whichever table the sieve has.
func (sv *sieve) classN0(c int) []uint64 {
	if sv.wide {
		return sv.classN[c][:]
	}
	return sv.class[c : c+1]
}

// mayMatch reports false only when the regex matches nowhere in s (anchored: nowhere at
// its start): the automaton, which accepts more than the regex, dies or ends without
// reaching a last position. At the end of s only `$` positions read on, one after another.
func (sv *sieve) mayMatch(s string, anchored bool) bool {
	for _, group := range sv.lits {
		if !containsAny(s, group) {
			return false
		}
	}
	if sv.none || sv.nullable {
		return true
	}
	if sv.wide {
		return sv.mayMatch2(s, anchored)
	}
	last, follow, class := sv.last[0], sv.follow, sv.class
	var restart uint64 // the positions a match may begin with at every byte
	if !anchored {
		restart = sv.first[0]
	}
	next := sv.first[0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		cur := next & class[c]
		if cur&last != 0 {
			return true
		}
		if cur == 0 && anchored {
			return false
		}
		next = restart
		for ; cur != 0; cur &= cur - 1 {
			next |= follow[bits.TrailingZeros64(cur)]
		}
	}
	for range len(follow) + 1 {
		cur := next & sv.eot[0]
		if cur&last != 0 {
			return true
		}
		if cur == 0 {
			return false
		}
		next = restart
		for ; cur != 0; cur &= cur - 1 {
			next |= follow[bits.TrailingZeros64(cur)]
		}
	}
	return true
}

// mayMatch2 is mayMatch for 65 to 128 positions: the state is two words.
func (sv *sieve) mayMatch2(s string, anchored bool) bool {
	l0, l1 := sv.last[0], sv.last[1]
	var r0, r1 uint64
	if !anchored {
		r0, r1 = sv.first[0], sv.first[1]
	}
	n0, n1 := sv.first[0], sv.first[1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		m := &sv.classN[c]
		c0, c1 := n0&m[0], n1&m[1]
		if c0&l0|c1&l1 != 0 {
			return true
		}
		if c0|c1 == 0 && anchored {
			return false
		}
		n0, n1 = sv.advance(r0, r1, c0, c1)
	}
	for range len(sv.followN) + 1 {
		c0, c1 := n0&sv.eot[0], n1&sv.eot[1]
		if c0&l0|c1&l1 != 0 {
			return true
		}
		if c0|c1 == 0 {
			return false
		}
		n0, n1 = sv.advance(r0, r1, c0, c1)
	}
	return true
}

// advance adds the followers of the live positions c0, c1 to the restart set r0, r1.
func (sv *sieve) advance(r0, r1, c0, c1 uint64) (uint64, uint64) {
	for ; c0 != 0; c0 &= c0 - 1 {
		f := &sv.followN[bits.TrailingZeros64(c0)]
		r0, r1 = r0|f[0], r1|f[1]
	}
	for ; c1 != 0; c1 &= c1 - 1 {
		f := &sv.followN[64+bits.TrailingZeros64(c1)]
		r0, r1 = r0|f[0], r1|f[1]
	}
	return r0, r1
}
