// Package keyword finds every occurrence of a set of keywords in a string, ignoring ASCII
// case, in one pass: the prefilter that decides which detection rules run on a string.
package keyword

import (
	"errors"
	"fmt"
)

// Set finds every occurrence of a set of keywords in a string, ignoring ASCII case,
// in one pass: an Aho-Corasick automaton compiled to a dense transition table over the
// byte classes the keywords use, so a byte costs two table reads and no branch on the
// keywords. Built once at New; Scan allocates nothing.
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
	// next[state*width+class]: the next state, hitBit set where a keyword ends there, and
	// above depthShift that state's depth (the length of the keyword prefix it stands
	// for), so the scan knows where the text it is following began without another read.
	next  []uint32
	out   [][]int32 // keyword ids ending at each state (via failure links too)
	words []string  // the keywords, lower case
	// begins[a<<6|b] has bit c set where some keyword begins with bytes of the classes a,
	// b, c (every bit for a keyword of one or two bytes), classes taken mod 64 (exact up
	// to 64 classes, more candidates beyond): the positions where a keyword may begin,
	// which Next jumps between, at one table read per byte.
	begins [1 << 12]uint64
	// cover is begins plus, for every keyword, the classes of its bytes 1 to 3 (every
	// class where the keyword ends first): a position where neither the keyword nor a
	// keyword that began one byte before can go on, so Next tests every second position
	// against it and the two positions around a hit against begins.
	cover [1 << 12]uint64
	low   [256]uint8 // byte → class mod 64
	// ends[a] has bit b set where a keyword of two bytes a, b or of one byte a exists
	// (classes mod 64), and one[a] says a keyword of one byte a does: the last two
	// positions of a string, where no third byte follows, are candidates only for those.
	ends [64]uint64
	one  [256]bool
}

// The layout of a transition: the state, a bit saying a keyword ends there, the depth.
const (
	maxStates  = 1 << 15
	hitBit     = 1 << 15
	stateMask  = hitBit - 1
	depthShift = 16
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
	k.next = make([]uint32, len(nodes)*k.width)
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
				k.next[s*k.width+cl] = uint32(nx) //nolint:gosec // nx < maxStates: New bounds the total bytes
				queue = append(queue, nx)
			case s != 0:
				k.next[s*k.width+cl] = k.next[fail[s]*k.width+cl]
			}
		}
	}
	for i, t := range k.next {
		if len(k.out[t]) > 0 {
			t |= hitBit
		}
		k.next[i] = t | uint32(nodes[t&stateMask].depth)<<depthShift //nolint:gosec // depth < maxStates
	}
	for c, cl := range k.class {
		k.low[c] = cl & 63
	}
	for _, w := range words {
		a := k.class[w[0]] & 63
		switch len(w) {
		case 1:
			k.one[k.class[w[0]]] = true
			k.ends[a] = ^uint64(0)
			for b := range 64 {
				k.begins[int(a)<<6|b] = ^uint64(0)
			}
		case 2:
			b := k.class[w[1]] & 63
			k.ends[a] |= 1 << b
			k.begins[int(a)<<6|int(b)] = ^uint64(0)
		default:
			k.begins[int(a)<<6|int(k.class[w[1]]&63)] |= 1 << (k.class[w[2]] & 63)
		}
	}
	k.cover = k.begins
	for _, w := range words {
		var abc [3]uint8 // the classes of w[1:4]; 64: any
		for i := range abc {
			abc[i] = 64
			if i+1 < len(w) {
				abc[i] = k.class[w[i+1]] & 63
			}
		}
		for a := range 64 {
			for b := range 64 {
				if (abc[0] == 64 || abc[0] == uint8(a)) && (abc[1] == 64 || abc[1] == uint8(b)) {
					if abc[2] == 64 {
						k.cover[a<<6|b] = ^uint64(0)
					} else {
						k.cover[a<<6|b] |= 1 << abc[2]
					}
				}
			}
		}
	}
	return k, nil
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c | 0x20
	}
	return c
}

// Next returns the end offset of the next keyword occurrence ending after from, scanning
// on from state (0 at the start of a string), and the state there; -1 when there is none.
//
// The automaton only runs where a keyword may begin (Set.begins): wherever the text it
// follows (the state's keyword prefix) began after the last such position, it is in
// effect restarted, and Next jumps to the next position where a keyword may begin and
// resumes there in the start state. That is exact: no keyword occurrence begins in the
// bytes passed, so every occurrence ending later begins at or after the jump, and the
// ids a state lists are the keywords ending there, longest first, whichever earlier
// bytes led to it (TestJumpIsExact).
func (k *Set) Next(s string, from, state int) (int, int) {
	next, class, w := k.next, &k.class, k.width
	// begin: the text the state follows begins there; the first transition tells it for a
	// state handed in (-1 keeps the scan from restarting before then)
	begin := from
	if state != 0 {
		begin = -1
	}
	cand := -1 // a position where a keyword may begin; none between begin and it
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
		state = int(t & stateMask)
		i++
		if t&hitBit != 0 {
			return i, state
		}
		begin = i - int(t>>depthShift)
	}
	return -1, state
}

// candidate returns the first position at or after p where a keyword may begin, or
// len(s).
func (k *Set) candidate(s string, p int) int {
	low := &k.low
	// tests t[0] and t[1]: first the triple from t[1] in cover, then each in begins
	t := s[p:]
	for ; len(t) >= 4; t = t[2:] {
		abc := uint(low[t[1]])<<12 | uint(low[t[2]])<<6 | uint(low[t[3]])
		if k.cover[abc>>6&(1<<12-1)]>>(abc&63)&1 == 0 {
			continue
		}
		if x := uint(low[t[0]])<<12 | abc>>6; k.begins[x>>6&(1<<12-1)]>>(x&63)&1 != 0 {
			return len(s) - len(t)
		}
		if k.begins[abc>>6&(1<<12-1)]>>(abc&63)&1 != 0 {
			return len(s) - len(t) + 1
		}
	}
	return k.candidateAt(s, len(s)-len(t))
}

// candidateAt is candidate one position at a time, for the last few.
func (k *Set) candidateAt(s string, p int) int {
	low := &k.low
	if p+2 < len(s) {
		// abc: the classes of the last three bytes read, 6 bits each: a bit of begins
		abc := uint(low[s[p]])<<6 | uint(low[s[p+1]])
		for j, x := range []byte(s[p+2:]) {
			abc = abc<<6 | uint(low[x])
			if k.begins[abc>>6&(1<<12-1)]>>(abc&63)&1 != 0 {
				return p + j
			}
		}
		p = len(s) - 2
	}
	// the last two positions: no third byte follows
	if p == len(s)-2 && k.ends[low[s[p]]]>>low[s[p+1]]&1 != 0 {
		return p
	}
	if p <= len(s)-1 && k.one[k.class[s[len(s)-1]]] {
		return len(s) - 1
	}
	return len(s)
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
