// Package keyword finds every occurrence of a set of keywords in a string, ignoring ASCII
// case, in one pass: the prefilter that decides which detection rules run on a string.
package keyword

import (
	"errors"
	"fmt"
)

// Set finds every occurrence of a set of keywords in a string, ignoring ASCII case,
// in one pass: an Aho-Corasick automaton compiled to a dense transition table over the
// byte classes the keywords use, run only from the positions where a keyword may begin
// (its first three bytes), which one or two table reads per two bytes find (Set.pair).
// Built once at New; Next allocates nothing.
//
// Why not a library: the maintained Go ones (github.com/BobuSumisu/aho-corasick, which
// gitleaks uses, github.com/coregx/ahocorasick) match exact bytes, so the caller must
// first lower-case the input into a buffer, and report matches in slices; folding case in
// the byte-class table avoids both. BenchmarkKeywordScan in the gitleaks tool module
// measures it against BobuSumisu on the catalogue's keywords.
//
// A state is a uint16: Next and Matches take the state the previous call returned.
type Set struct {
	class [256]uint8 // byte → class; 0: a byte no keyword has
	width int        // number of classes
	next  []uint16   // next[state*width+class]; hitBit set: a keyword ends there
	depth []uint16   // the length of the keyword prefix each state stands for
	out   [][]int32  // keyword ids ending at each state (via failure links too)
	words []string   // the keywords, lower case
	// begins[a<<6|b] has bit c set where some keyword begins with bytes of the classes a,
	// b, c (every bit c for a keyword of one or two bytes): the positions where a keyword
	// may begin, between which Next jumps. Classes are taken mod 64 (low): exact up to 64
	// classes, a few more candidates beyond, never fewer.
	begins [1 << 12]uint64
	// pair[b|c<<8] (raw bytes b, c: one 16-bit load, no class lookup) names the row of
	// rows in which bit d (the class of a byte, mod 64) is set where a keyword may begin
	// at i or at i+1 of the bytes i, b, c, d: b, c begin it and d is its third byte, or
	// b, c, d are its bytes 1 to 3 (any byte past its end). Row 0 is empty: most pairs of
	// bytes begin no keyword, and the test ends at that one read. The scan tests one such
	// window per two positions, and begins only for the two positions of a window that
	// passes. Rows are the distinct rows (of begins' layout over classes) the pairs have,
	// at most 255 (the catalogue has 102): beyond, rows are merged (ORed), which only
	// lets more windows pass. 64 KiB for pair: a table over classes would need a class
	// lookup per byte again.
	pair [1 << 16]uint8
	rows [256]uint64
	low  [256]uint8  // byte → class mod 64
	high [256]uint16 // byte → class mod 64, times 64: the row of begins
}

// maxStates bounds the automaton: a state is 15 bits of a uint16 whose top bit says that
// a keyword ends in it, so the scan loop reads one table per byte.
const (
	maxStates = 1 << 15
	hitBit    = 1 << 15
)

// New builds the automaton for words (any case; empty words are an error).
func New(words []string) (*Set, error) {
	total := 1
	for i, w := range words {
		if w == "" {
			return nil, fmt.Errorf("keyword %d is empty", i)
		}
		total += len(w)
	}
	if total > maxStates {
		return nil, errors.New("keywords: too many bytes for one automaton")
	}
	lower := make([]string, len(words))
	for i, w := range words {
		b := []byte(w)
		for j := range b {
			b[j] = lowerByte(b[j])
		}
		lower[i] = string(b)
	}
	words = lower
	k := &Set{words: words, width: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			c := lowerByte(w[i])
			if k.class[c] == 0 {
				k.class[c] = uint8(k.width) //nolint:gosec // at most 230 classes: bytes are lower-cased first
				k.width++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		k.class[c] = k.class[c|0x20]
	}
	// trie
	type node struct {
		child map[uint8]int
		out   []int32
		depth int
	}
	nodes := []node{{child: map[uint8]int{}}}
	for id, w := range words {
		s := 0
		for i := 0; i < len(w); i++ {
			cl := k.class[lowerByte(w[i])]
			nx, ok := nodes[s].child[cl]
			if !ok {
				nodes = append(nodes, node{child: map[uint8]int{}, depth: i + 1})
				nx = len(nodes) - 1
				nodes[s].child[cl] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	k.next = make([]uint16, len(nodes)*k.width)
	k.depth = make([]uint16, len(nodes))
	k.out = make([][]int32, len(nodes))
	fail := make([]int, len(nodes))
	// breadth first: a state's failure target is complete before its children are built
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		k.out[s] = append(k.out[s], nodes[s].out...)
		if s != 0 {
			k.out[s] = append(k.out[s], k.out[fail[s]]...)
		}
		for cl := 0; cl < k.width; cl++ {
			nx, ok := nodes[s].child[uint8(cl)]
			switch {
			case ok:
				if s != 0 {
					fail[nx] = int(k.next[fail[s]*k.width+cl])
				}
				k.next[s*k.width+cl] = uint16(nx) //nolint:gosec // nx < maxStates: New bounds the total bytes
				queue = append(queue, nx)
			case s != 0:
				k.next[s*k.width+cl] = k.next[fail[s]*k.width+cl]
			}
		}
	}
	for i, t := range k.next {
		if len(k.out[t]) > 0 {
			k.next[i] = t | hitBit
		}
	}
	for s, n := range nodes {
		k.depth[s] = uint16(n.depth) //nolint:gosec // depth < maxStates
	}
	for c, cl := range k.class {
		k.low[c] = cl & 63
		k.high[c] = uint16(cl&63) << 6
	}
	for _, w := range words {
		k.mark(&k.begins, w)
	}
	// the rows over classes first, then each pair of bytes pointing at its class pair's
	var cover [1 << 12]uint64
	for _, w := range words {
		k.mark(&cover, w)
		k.mark(&cover, w[1:])
	}
	var id [1 << 12]uint8
	ids := map[uint64]uint8{0: 0}
	for i, row := range cover {
		n, ok := ids[row]
		if !ok {
			n = uint8(1 + (len(ids)-1)%255) //nolint:gosec // 1 to 255
			ids[row] = n
		}
		id[i] = n
		k.rows[n] |= row
	}
	for b := range 256 {
		for c := range 256 {
			k.pair[b|c<<8] = id[int(k.high[b])|int(k.low[c])]
		}
	}
	return k, nil
}

// mark sets the bits of table (begins' layout) of the triples of classes that w begins:
// one triple for 3 bytes or more, every triple with the first two classes of 2 bytes,
// and so on down to every triple for the empty string.
func (k *Set) mark(table *[1 << 12]uint64, w string) {
	switch len(w) {
	case 0:
		for i := range table {
			table[i] = ^uint64(0)
		}
	case 1:
		a := int(k.low[w[0]])
		for b := range 64 {
			table[a<<6|b] = ^uint64(0)
		}
	case 2:
		table[int(k.low[w[0]])<<6|int(k.low[w[1]])] = ^uint64(0)
	default:
		table[int(k.low[w[0]])<<6|int(k.low[w[1]])] |= 1 << k.low[w[2]]
	}
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c | 0x20
	}
	return c
}

// Next returns the end offset of the next keyword occurrence ending after from, scanning
// on from state (0 at the start of a string), and the state there; -1 when there is none,
// and then the state returned means nothing.
//
// The automaton only runs where a keyword may begin (Set.begins): wherever the text it
// follows (the state's keyword prefix) began after the last such position, it is in
// effect restarted, and Next jumps to the next position where a keyword may begin and
// resumes there in the start state. That is exact: no keyword occurrence begins in the
// bytes passed, so every occurrence ending later begins at or after the jump, and the
// ids a state lists are the keywords ending there, longest first, whichever earlier
// bytes led to it (TestJumpIsExact).
func (k *Set) Next(s string, from, state int) (int, int) {
	// cand: a position where a keyword may begin, none between begin (where the text the
	// state follows begins) and it; a clean string costs this first call alone
	cand := -1
	if state == 0 {
		if cand = k.candidate(s, from); cand == len(s) {
			return -1, 0
		}
		from = cand
	}
	return k.walk(s, from, cand, state)
}

// First returns the first position of s where a keyword may begin, len(s) where none
// can: most strings are clean, and a caller that asks this first pays for no frame of
// Next's. Where it is not len(s), FirstFrom(s, First(s)) is Next(s, 0, 0).
func (k *Set) First(s string) int { return k.candidate(s, 0) }

// FirstFrom is Next(s, 0, 0) past its first step: cand is First(s), below len(s).
func (k *Set) FirstFrom(s string, cand int) (int, int) { return k.walk(s, cand, cand, 0) }

// walk is Next from state at from, cand the last candidate position found (-1: none).
func (k *Set) walk(s string, from, cand, state int) (int, int) {
	next, class, depth, w := k.next, &k.class, k.depth, k.width
	begin := from - int(depth[state])
	for i := from; i < len(s); {
		if begin > cand {
			if cand = k.candidate(s, begin); cand >= i {
				if cand == len(s) {
					return -1, 0
				}
				i, state = cand, 0
			}
		}
		t := next[state*w+int(class[s[i]])]
		state = int(t &^ hitBit)
		i++
		if t&hitBit != 0 {
			return i, state
		}
		begin = i - int(depth[state])
	}
	return -1, state
}

// candidate returns the first position at or after p where a keyword may begin, or
// len(s).
func (k *Set) candidate(s string, p int) int {
	t, from := s[p:], p // from: the first position not tested yet
	if len(t) < 10 && len(s) >= 10 {
		t = s[len(s)-10:]
	}
	// eight positions a round, q to q+7: four windows (Set.pair) of the bytes 1–3, 3–5,
	// 5–7 and 7–9 of t, each covering two positions; where one passes, begins tests
	// them. The last round ends at the last full triple, testing again positions the
	// round before tested, which it skips (from).
	for len(t) >= 10 {
		p1 := uint16(t[1]) | uint16(t[2])<<8
		p2 := uint16(t[3]) | uint16(t[4])<<8
		p3 := uint16(t[5]) | uint16(t[6])<<8
		p4 := uint16(t[7]) | uint16(t[8])<<8
		// the bytes 1 to 8 come from p1 to p4 alone, so that Go loads each pair at once
		if k.window(p1, lo(p2)) {
			if q := len(s) - len(t); q >= from && k.triple(&k.begins, t[0], lo(p1), hi(p1)) {
				return q
			}
			if q := len(s) - len(t); q+1 >= from && k.triple(&k.begins, lo(p1), hi(p1), lo(p2)) {
				return q + 1
			}
		}
		if k.window(p2, lo(p3)) {
			if q := len(s) - len(t); q+2 >= from && k.triple(&k.begins, hi(p1), lo(p2), hi(p2)) {
				return q + 2
			}
			if q := len(s) - len(t); q+3 >= from && k.triple(&k.begins, lo(p2), hi(p2), lo(p3)) {
				return q + 3
			}
		}
		if k.window(p3, lo(p4)) {
			if q := len(s) - len(t); q+4 >= from && k.triple(&k.begins, hi(p2), lo(p3), hi(p3)) {
				return q + 4
			}
			if q := len(s) - len(t); q+5 >= from && k.triple(&k.begins, lo(p3), hi(p3), lo(p4)) {
				return q + 5
			}
		}
		if k.window(p4, t[9]) {
			if q := len(s) - len(t); q+6 >= from && k.triple(&k.begins, hi(p3), lo(p4), hi(p4)) {
				return q + 6
			}
			if q := len(s) - len(t); q+7 >= from && k.triple(&k.begins, lo(p4), hi(p4), t[9]) {
				return q + 7
			}
		}
		switch {
		case len(t) >= 18:
			t = t[8:]
		case len(t) > 10:
			from, t = len(s)-len(t)+8, t[len(t)-10:]
		default:
			t = t[:0]
		}
	}
	if n := len(s); n >= 10 {
		// the last two positions, where only a keyword of one or two bytes fits: the
		// window of the last two bytes passes for them whatever its third byte (the rows
		// of a keyword ending in the window are full), then begins with class 0 (a byte no
		// keyword has) standing for the bytes past the end
		if from <= n-1 && k.window(uint16(s[n-2])|uint16(s[n-1])<<8, 0) {
			a, b := s[n-2], s[n-1]
			if from <= n-2 && k.begins[k.high[a]|uint16(k.low[b])]&1 != 0 {
				return n - 2
			}
			if k.begins[k.high[b]]&1 != 0 {
				return n - 1
			}
		}
		return n
	}
	// fewer than 10 bytes: the windows one at a time while they fit, then the last
	// positions one at a time, class 0 (a byte no keyword has) standing for the bytes
	// past the end: only a keyword short enough to end in s passes
	for ; from+3 < len(s); from += 2 {
		if k.window(uint16(s[from+1])|uint16(s[from+2])<<8, s[from+3]) {
			if k.triple(&k.begins, s[from], s[from+1], s[from+2]) {
				return from
			}
			if k.triple(&k.begins, s[from+1], s[from+2], s[from+3]) {
				return from + 1
			}
		}
	}
	for i := from; i < len(s); i++ {
		var b, c byte
		if i+1 < len(s) {
			b = s[i+1]
		}
		if i+2 < len(s) {
			c = s[i+2]
		}
		if k.triple(&k.begins, s[i], b, c) {
			return i
		}
	}
	return len(s)
}

// lo and hi are the bytes of a pair loaded at once, in string order.
func lo(p uint16) byte { return byte(p) }      //nolint:gosec // the low byte, on purpose
func hi(p uint16) byte { return byte(p >> 8) } //nolint:gosec // at most 255

// window reports whether a keyword may begin at the byte before the pair bc or at its
// first byte, d following (Set.pair).
func (k *Set) window(bc uint16, d byte) bool {
	id := k.pair[bc]
	return id != 0 && k.rows[id]>>(k.low[d]&63)&1 != 0
}

// triple reports whether the bit of table (begins' layout) for the classes of a, b, c is
// set.
func (k *Set) triple(table *[1 << 12]uint64, a, b, c byte) bool {
	return table[(uint(k.high[a])|uint(k.low[b]))&(1<<12-1)]>>(k.low[c]&63)&1 != 0
}

// Matches are the ids (indexes into the words given to New) of the keywords ending at
// state.
func (k *Set) Matches(state int) []int32 { return k.out[state] }

// Len is the length of keyword id.
func (k *Set) Len(id int32) int { return len(k.words[id]) }

// Contains reports whether s holds any keyword.
func (k *Set) Contains(s string) bool {
	end, _ := k.Next(s, 0, 0)
	return end >= 0
}
