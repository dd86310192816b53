package redact

import (
	"fmt"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authobs/authobsprocessor/internal/redact/keyword"
)

// compiledAllowlist is an Allowlist ready to run. Every match a rule finds is checked
// against the global allowlists and its own, so most of a dirty string's cost was here:
// each regex is therefore kept behind tests, computed at start-up from its syntax, that
// reject most targets without running it.
type compiledAllowlist struct {
	matchAll bool
	target   string
	// branches are the allowlist's regexes, long alternations split into their branches.
	branches []allowBranch
	// lits are the literals of the branches' literal groups (ids in allowBranch.groups):
	// one pass over a target says which of them occur.
	lits      *keyword.Set
	stopWords *keyword.Set
	// open are the branches without literal groups; byLit[id] the branches whose first
	// group holds literal id: on an ASCII target only these can pass, so the others are
	// not looked at (generic-api-key's allowlist has about 100 branches).
	open  []int32
	byLit [][]int32
}

// allowBranch is one allowlist regex and what a target it matches must look like.
type allowBranch struct {
	re *regexp.Regexp
	// minLen is the shortest match in bytes.
	minLen int
	// groups: every match contains a literal of each group (ids into lits). Checked on
	// ASCII targets only: the literals fold ASCII case, and `(?i)k` matches the Kelvin sign.
	groups [][]uint16
	// first, for a regex anchored at the start (`^…`): the bytes a match can begin with.
	first *byteSet
	// alphabet, for a regex anchored at both ends (`^…$`): the bytes a match can hold.
	alphabet *byteSet
	// sieve is the rule sieve built for the branch (sieve.go), run anchored when every
	// match begins at the target's start: the last test before the regex. The global
	// `^(?i:a+|b+|…|z+|\*+|\.+)$` passes the tests above on any secret of letters only
	// (aws-access-token's `AKIA…`) and cost a run of 3 500 instructions per such match;
	// its automaton dies at the second distinct letter.
	sieve         *sieve
	sieveAnchored bool
}

// byteSet is a set of bytes; a rune of two or more bytes (and an invalid byte, which
// RE2 reads as U+FFFD) puts in all the bytes from 0x80 up.
type byteSet [4]uint64

func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }

func (b *byteSet) add(c byte) { b[c>>6] |= 1 << (c & 63) }

func (b *byteSet) union(o *byteSet) {
	for i := range b {
		b[i] |= o[i]
	}
}

// addRange adds the bytes a rune in [lo, hi] may hold.
func (b *byteSet) addRange(lo, hi rune) {
	for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
		b.add(byte(r)) //nolint:gosec // r < utf8.RuneSelf: one byte
	}
	if hi >= utf8.RuneSelf {
		b[2], b[3] = ^uint64(0), ^uint64(0)
	}
}

// addRune adds the bytes of r, and of its case twins when fold is set.
func (b *byteSet) addRune(r rune, fold bool) {
	b.addRange(r, r)
	for f := unicode.SimpleFold(r); fold && f != r; f = unicode.SimpleFold(f) {
		b.addRange(f, f)
	}
}

// all reports whether every byte of s is in b.
func (b *byteSet) all(s string) bool {
	for i := 0; i < len(s); i++ {
		if !b.has(s[i]) {
			return false
		}
	}
	return true
}

// maxLits bounds the literals of one allowlist's groups (a bit each in regexMatches).
const maxLits = 512

func compileAllowlist(a Allowlist, field string) (compiledAllowlist, error) {
	switch a.RegexTarget {
	case "", "match", "line":
	default:
		return compiledAllowlist{}, fmt.Errorf("%s.regex_target: %q is not one of \"\", match, line", field, a.RegexTarget)
	}
	if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
		return compiledAllowlist{}, fmt.Errorf("%s: needs regexes or stopwords", field)
	}
	ca := compiledAllowlist{matchAll: a.MatchAll, target: a.RegexTarget}
	var lits []string
	litID := map[string]uint16{}
	for i, p := range a.Regexes {
		if _, err := regexp.Compile(p); err != nil {
			return compiledAllowlist{}, fmt.Errorf("%s.regexes[%d]: %w", field, i, err)
		}
		for _, b := range branches(p) {
			re, err := regexp.Compile(b.String())
			if err != nil {
				return compiledAllowlist{}, fmt.Errorf("%s.regexes[%d]: %w", field, i, err)
			}
			ab := allowBranch{re: re, minLen: reMinLen(b), sieve: newSieve(b.String()), sieveAnchored: anchored(b, false)}
			if anchored(b, false) {
				if set, nullable := firstBytes(b); !nullable {
					ab.first = &set
				}
				if anchored(b, true) {
					var set byteSet
					alphabet(b, &set)
					ab.alphabet = &set
				}
			}
			for _, g := range literalGroups(b) {
				var ids []uint16
				for _, l := range g {
					l = strings.ToLower(l)
					id, ok := litID[l]
					if !ok && len(lits) < maxLits {
						id, ok = uint16(len(lits)), true //nolint:gosec // below maxLits (512)
						litID[l] = id
						lits = append(lits, l)
					}
					if !ok {
						ids = nil // out of room: this group does not filter
						break
					}
					ids = append(ids, id)
				}
				if ids != nil {
					ab.groups = append(ab.groups, ids)
				}
			}
			ca.branches = append(ca.branches, ab)
		}
	}
	ca.byLit = make([][]int32, len(lits))
	for i, b := range ca.branches {
		if len(b.groups) == 0 {
			ca.open = append(ca.open, int32(i)) //nolint:gosec // branches of one allowlist's regexes
			continue
		}
		for _, id := range b.groups[0] {
			ca.byLit[id] = append(ca.byLit[id], int32(i)) //nolint:gosec // as above
		}
	}
	if len(lits) > 0 {
		set, err := keyword.New(lits)
		if err != nil {
			return compiledAllowlist{}, fmt.Errorf("%s.regexes: %w", field, err)
		}
		ca.lits = set
	}
	if len(a.StopWords) > 0 {
		words := make([]string, 0, len(a.StopWords))
		for _, w := range a.StopWords {
			if w = strings.ToLower(w); w != "" {
				words = append(words, w)
			}
		}
		set, err := keyword.New(words)
		if err != nil {
			return compiledAllowlist{}, fmt.Errorf("%s.stopwords: %w", field, err)
		}
		ca.stopWords = set
	}
	return ca, nil
}

// allowed applies allowlists the way gitleaks does (paths and commits do not exist here).
func allowed(as []compiledAllowlist, secret, m, s string, at int) bool {
	for i := range as {
		a := &as[i]
		target := secret
		switch a.target {
		case "match":
			target = m
		case "line":
			target = lineAt(s, at)
		}
		re := a.regexMatches(target)
		stop := a.stopWords != nil && a.stopWords.Contains(secret)
		if a.matchAll {
			if (len(a.branches) == 0 || re) && (a.stopWords == nil || stop) {
				return true
			}
		} else if re || stop {
			return true
		}
	}
	return false
}

// regexMatches reports whether one of the allowlist's regexes matches target, running only
// the branches whose start-up tests the target passes.
func (a *compiledAllowlist) regexMatches(target string) bool {
	if hasNonASCII(target) {
		for i := range a.branches {
			if a.branches[i].matches(target, false, nil) {
				return true
			}
		}
		return false
	}
	var seen [maxLits / 64]uint64
	if a.lits != nil {
		end, state := a.lits.Next(target, 0, 0)
		for end >= 0 {
			for _, id := range a.lits.Matches(state) {
				seen[id>>6] |= 1 << (id & 63)
			}
			end, state = a.lits.Next(target, end, state)
		}
	}
	for _, i := range a.open {
		if a.branches[i].matches(target, true, &seen) {
			return true
		}
	}
	// a branch with a literal group can pass only if a literal of its first group occurs
	// (a branch listed under two literals that occur is tried twice, to the same answer)
	for w, word := range seen {
		for ; word != 0; word &= word - 1 {
			for _, i := range a.byLit[w*64+bits.TrailingZeros64(word)] {
				if a.branches[i].matches(target, true, &seen) {
					return true
				}
			}
		}
	}
	return false
}

// matches runs the branch's tests on target and, when it passes them, its regex; the
// literal groups are tested only on an ASCII target.
func (b *allowBranch) matches(target string, ascii bool, seen *[maxLits / 64]uint64) bool {
	if len(target) < b.minLen || (b.first != nil && (target == "" || !b.first.has(target[0]))) {
		return false
	}
	if ascii && !groupsMet(b.groups, seen) {
		return false
	}
	if b.alphabet != nil && !b.alphabet.all(target) {
		return false
	}
	if b.sieve != nil && !b.sieve.mayMatch(target, b.sieveAnchored) {
		return false
	}
	return b.re.MatchString(target)
}

// groupsMet: each group has a literal that occurs.
func groupsMet(groups [][]uint16, seen *[maxLits / 64]uint64) bool {
	for _, g := range groups {
		met := false
		for _, id := range g {
			if seen[id>>6]&(1<<(id&63)) != 0 {
				met = true
				break
			}
		}
		if !met {
			return false
		}
	}
	return true
}

// hasNonASCII: the literal prefilter folds ASCII case only, and `(?i)k` also matches the
// Kelvin sign, so text with other bytes is not judged by its literals.
func hasNonASCII(s string) bool {
	// eight bytes at a time: every allowlist check of a match reads its target here first
	// (the line, for generic-api-key's `line` allowlist), one compare a byte cost ~7
	// instructions a byte
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // one load: the compiler combines the eight
		if (uint64(w[0])|uint64(w[1])<<8|uint64(w[2])<<16|uint64(w[3])<<24|
			uint64(w[4])<<32|uint64(w[5])<<40|uint64(w[6])<<48|uint64(w[7])<<56)&0x8080808080808080 != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// branches splits a regex whose top is an alternation into its branches (a match of the
// regex is a match of one of them), else returns it whole.
func branches(expr string) []*syntax.Regexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpAlternate {
		return re.Sub
	}
	return []*syntax.Regexp{re}
}

// literalGroups are groups of literals, each of 2 bytes or more, such that every match of
// re contains a literal of each group: a concatenation needs all its parts, an
// alternation one of its branches.
func literalGroups(re *syntax.Regexp) [][]string {
	var out [][]string
	for _, g := range required(re) {
		if shortest(g) >= 2 {
			out = append(out, g)
		}
	}
	return out
}

// required returns groups of literals: every match of re contains one literal of each.
func required(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		// `(?i)ſ` matches an ASCII `s`: a folded literal outside ASCII says nothing
		if re.Flags&syntax.FoldCase != 0 && hasNonASCII(string(re.Rune)) {
			return nil
		}
		return [][]string{{string(re.Rune)}}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil
		}
		return required(re.Sub[0])
	case syntax.OpConcat:
		var out [][]string
		for _, sub := range re.Sub {
			out = append(out, required(sub)...)
		}
		return out
	case syntax.OpAlternate:
		// one group: a literal of each branch (the branch's group whose shortest literal
		// is longest prunes best)
		var out []string
		for _, sub := range re.Sub {
			var best []string
			for _, g := range required(sub) {
				if shortest(g) > shortest(best) {
					best = g
				}
			}
			if best == nil {
				return nil
			}
			out = append(out, best...)
		}
		return [][]string{out}
	}
	return nil
}

func shortest(l []string) int {
	if len(l) == 0 {
		return 0
	}
	n := len(l[0])
	for _, s := range l[1:] {
		n = min(n, len(s))
	}
	return n
}

// anchored reports whether every match of re begins at the start of the text (`^`, `\A`),
// or with end, ends at its end (`$` without the m flag, `\z`).
func anchored(re *syntax.Regexp, end bool) bool {
	switch re.Op {
	case syntax.OpBeginText:
		return !end
	case syntax.OpEndText:
		return end
	case syntax.OpCapture:
		return anchored(re.Sub[0], end)
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return false
		}
		if end {
			return anchored(re.Sub[len(re.Sub)-1], end)
		}
		return anchored(re.Sub[0], end)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !anchored(sub, end) {
				return false
			}
		}
		return true
	}
	return false
}

// firstBytes are the bytes a non-empty match of re can begin with; nullable: re can
// match the empty string (assertions count as empty).
func firstBytes(re *syntax.Regexp) (set byteSet, nullable bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return set, true
	case syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		if re.Op == syntax.OpLiteral && len(re.Rune) == 0 {
			return set, true
		}
		runeBytes(re, &set, true)
		return set, false
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		set, _ = firstBytes(re.Sub[0])
		return set, true
	case syntax.OpRepeat:
		set, nullable = firstBytes(re.Sub[0])
		return set, nullable || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s, n := firstBytes(sub)
			set.union(&s)
			if !n {
				return set, false
			}
		}
		return set, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, n := firstBytes(sub)
			set.union(&s)
			nullable = nullable || n
		}
		return set, nullable
	}
	// anything else: no test
	for i := range set {
		set[i] = ^uint64(0)
	}
	return set, true
}

// alphabet adds to set every byte a match of re can hold.
func alphabet(re *syntax.Regexp, set *byteSet) {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		runeBytes(re, set, false)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpNoMatch:
	default:
		for _, sub := range re.Sub {
			alphabet(sub, set)
		}
	}
}

// runeBytes adds the bytes of the runes a rune-reading node matches: all of them, or
// (firstOnly) those of the first rune of a literal.
func runeBytes(re *syntax.Regexp, set *byteSet, firstOnly bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for i, r := range re.Rune {
			if firstOnly && i > 0 {
				break
			}
			set.addRune(r, re.Flags&syntax.FoldCase != 0)
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			set.addRange(re.Rune[i], re.Rune[i+1])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		set.addRange(0, unicode.MaxRune)
		if re.Op == syntax.OpAnyCharNotNL {
			set[0] &^= 1 << '\n'
		}
	}
}

// maxLine bounds the line an allowlist with target "line" looks at.
const maxLine = 4096

func lineAt(s string, at int) string {
	lo := strings.LastIndexByte(s[max(0, at-maxLine):at], '\n') + 1 + max(0, at-maxLine)
	hi := strings.IndexByte(s[at:min(len(s), at+maxLine)], '\n')
	if hi < 0 {
		hi = min(len(s), at+maxLine)
	} else {
		hi += at
	}
	return s[lo:hi]
}
