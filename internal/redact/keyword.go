package redact

// keywordSet finds every occurrence of a set of keywords in a string, ignoring ASCII case,
// in one pass: an Aho-Corasick automaton compiled to a dense transition table over the
// byte classes the keywords use, so a clean byte costs two table reads and no branch on
// the keywords. Built once at New; Scan allocates nothing.
//
// Why not a library: the maintained Go ones (github.com/BobuSumisu/aho-corasick, which
// gitleaks uses, github.com/coregx/ahocorasick) match exact bytes, so the caller must
// first lower-case the input into a buffer, and report matches in slices; folding case in
// the byte-class table avoids both. BenchmarkKeywordScan in the gitleaks tool module
// measures it against BobuSumisu on the catalogue's keywords.
type keywordSet struct {
	class  [256]uint8 // byte → class; 0: a byte no keyword has
	width  int        // number of classes
	next   []uint16   // next[state*width+class]
	out    [][]int32  // keyword ids ending at each state (via failure links too)
	words  []string   // the keywords, lower case
	states int
}

// newKeywordSet builds the automaton for words (lower case, non-empty).
func newKeywordSet(words []string) *keywordSet {
	k := &keywordSet{words: words, width: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			c := lowerByte(w[i])
			if k.class[c] == 0 {
				k.class[c] = uint8(k.width)
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
	k.states = len(nodes)
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
				k.next[s*k.width+cl] = uint16(nx)
				queue = append(queue, nx)
			case s != 0:
				k.next[s*k.width+cl] = k.next[fail[s]*k.width+cl]
			}
		}
	}
	return k
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c | 0x20
	}
	return c
}

// first returns the end offset of the first keyword occurrence at or after from, and the
// automaton state there, or -1. Callers continue with resume.
func (k *keywordSet) first(s string, from int, state int) (int, int) {
	next, class, w := k.next, &k.class, k.width
	for i := from; i < len(s); i++ {
		state = int(next[state*w+int(class[s[i]])])
		if len(k.out[state]) > 0 {
			return i + 1, state
		}
	}
	return -1, state
}
