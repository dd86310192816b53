// Package keyword finds every occurrence of a set of keywords in a string, ignoring ASCII
// case, in one pass: the prefilter that decides which detection rules run on a string.
package keyword

import (
	"errors"
	"fmt"
)

// Set finds every occurrence of a set of keywords in a string, ignoring ASCII case,
// in one pass: an Aho-Corasick automaton compiled to a dense transition table over the
// byte classes the keywords use, so a clean byte costs two table reads and no branch on
// the keywords. Built once at New; Scan allocates nothing.
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
	out   [][]int32  // keyword ids ending at each state (via failure links too)
	words []string   // the keywords, lower case
	// skip has a bit per byte pair (previous<<8 | next) such that, from the start state or
	// the state the previous byte alone leads to, the next byte leads where it would from
	// the start state and ends no keyword. Where the automaton is in such a shallow state,
	// most pairs of text are such, so the scan passes them with one bit test each, off
	// the chain of dependent loads that the transition table costs.
	skip [skipWords]uint64
}

// skipWords is the size of Set.skip: a bit per byte pair.
const skipWords = 1 << 16 / 64

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
	}
	nodes := []node{{child: map[uint8]int{}}}
	for id, w := range words {
		s := 0
		for i := 0; i < len(w); i++ {
			cl := k.class[lowerByte(w[i])]
			nx, ok := nodes[s].child[cl]
			if !ok {
				nodes = append(nodes, node{child: map[uint8]int{}})
				nx = len(nodes) - 1
				nodes[s].child[cl] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	k.next = make([]uint16, len(nodes)*k.width)
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
				k.next[s*k.width+cl] = uint16(nx) //nolint:gosec // nx < maxStates (1<<16): New bounds the total bytes
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
	for a := range 256 {
		t := k.next[k.class[a]] &^ hitBit
		for b := range 256 {
			if root := k.next[k.class[b]]; root&hitBit == 0 && k.next[int(t)*k.width+int(k.class[b])] == root {
				p := a<<8 | b
				k.skip[p>>6] |= 1 << (p & 63)
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
func (k *Set) Next(s string, from, state int) (int, int) {
	next, class, w := k.next, &k.class, k.width
	for i := from; i < len(s); i++ {
		if i > 0 && (state == 0 || state == int(next[class[s[i-1]]]&^hitBit)) {
			// shallow: pass the bytes that lead where they would from the start state
			j, prev := i, s[i-1]
			for j < len(s) {
				c := s[j]
				if p := uint(prev)<<8 | uint(c); k.skip[p>>6&(skipWords-1)]&(1<<(c&63)) == 0 {
					break
				}
				prev = c
				j++
			}
			if j > i {
				state = int(next[class[s[j-1]]] &^ hitBit)
				if i = j; i == len(s) {
					break
				}
			}
		}
		t := next[state*w+int(class[s[i]])]
		state = int(t &^ hitBit)
		if t&hitBit != 0 {
			return i + 1, state
		}
	}
	return -1, state
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
