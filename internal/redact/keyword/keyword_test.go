package keyword

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// occurrences lists every (end, word) the automaton reports in s.
func occurrences(k *Set, words []string, s string) []string {
	var out []string
	end, state := k.Next(s, 0, 0)
	for end >= 0 {
		for _, id := range k.Matches(state) {
			out = append(out, s[end-k.Len(id):end]+"@"+words[id])
		}
		end, state = k.Next(s, end, state)
	}
	slices.Sort(out)
	return out
}

func TestEveryOccurrenceAnyCase(t *testing.T) {
	words := []string{"key", "apikey", "API", "ey", "s.", "hvs."}
	k, err := New(words)
	if err != nil {
		t.Fatal(err)
	}
	got := occurrences(k, words, "my ApiKey and HVS.x")
	want := []string{"Api@API", "ApiKey@apikey", "HVS.@hvs.", "Key@key", "S.@s.", "ey@ey"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if k.Contains("nothing here") || !k.Contains("a KEY") {
		t.Fatal("Contains")
	}
}

func TestBadInput(t *testing.T) {
	if _, err := New([]string{"a", ""}); err == nil {
		t.Fatal("empty keyword accepted")
	}
	if _, err := New([]string{strings.Repeat("x", maxStates)}); err == nil {
		t.Fatal("oversized automaton accepted")
	}
}

// TestJumpIsExact: Next reports exactly what a walk of every byte reports, in the same
// order. Keyword sets and texts are drawn from a small alphabet (both cases, a byte no
// keyword has, non-ASCII bytes) so that keywords overlap, share prefixes, contain one
// another and recur; every keyword length from 1 byte up is drawn.
func TestJumpIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abkeyKEY.-_ 0\x80\xe9"
	draw := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 2000 {
		words := make([]string, 1+r.IntN(8))
		for i := range words {
			words[i] = draw(1 + r.IntN(5))
		}
		k, err := New(words)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			s := draw(r.IntN(48))
			if r.IntN(2) == 0 {
				s = dense(r, words, 48)
			}
			checkSequence(t, k, s)
		}
	}
}

// TestMergedRowsAreExact: a keyword set with more distinct rows than Set.rows holds
// (four-byte keywords whose pairs each allow a random set of third bytes) still reports
// what a walk of every byte reports: the rows merged share an id, and the scan lets more
// windows pass, never fewer.
func TestMergedRowsAreExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var words []string
	for range 1500 {
		w := []byte{alphabet[r.IntN(16)], alphabet[r.IntN(16)], alphabet[r.IntN(16)], alphabet[r.IntN(len(alphabet))]}
		words = append(words, string(w))
	}
	k, err := New(words)
	if err != nil {
		t.Fatal(err)
	}
	if n := distinctRows(k); n <= 255 {
		t.Fatalf("only %d distinct rows: nothing merged", n)
	}
	for range 3000 {
		b := make([]byte, r.IntN(64))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))] &^ byte(r.IntN(2)<<5) // either case
		}
		checkSequence(t, k, string(b))
		checkSequence(t, k, dense(r, words, 1+r.IntN(64)))
	}
}

// distinctRows counts the distinct rows of the windows before any merge.
func distinctRows(k *Set) int {
	var cover [1 << 12]uint64
	for _, w := range k.words {
		k.mark(&cover, w)
		k.mark(&cover, w[1:])
	}
	rows := map[uint64]bool{}
	for _, row := range cover {
		rows[row] = true
	}
	return len(rows) - 1 // less the empty row
}

// dense strings a keyword set's words, their prefixes and suffixes, in random case, with
// the odd byte between, to about n bytes: the text where the jumps and restarts of Next
// land on keyword boundaries most often.
func dense(r *rand.Rand, words []string, n int) string {
	var b []byte
	for len(b) < n {
		w := words[r.IntN(len(words))]
		switch r.IntN(4) {
		case 0:
			w = w[:r.IntN(len(w)+1)]
		case 1:
			w = w[r.IntN(len(w)+1):]
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			if r.IntN(2) == 0 && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
		if r.IntN(3) == 0 {
			b = append(b, " x\x80"[r.IntN(3)])
		}
	}
	return string(b)
}

// checkSequence fails t unless Next and a walk of every byte report the same sequence of
// (end, Matches) in s, and the same for Contains.
func checkSequence(t *testing.T, k *Set, s string) {
	t.Helper()
	got, want := sequence(k, s), walk(k, s)
	if !slices.Equal(got, want) {
		t.Fatalf("words %q in %q: got %v, want %v", k.words, s, got, want)
	}
	if k.Contains(s) != (len(want) > 0) {
		t.Fatalf("words %q: Contains(%q) = %v", k.words, s, len(want) == 0)
	}
	if got := sequenceFirst(k, s); !slices.Equal(got, want) {
		t.Fatalf("words %q in %q: First and FirstFrom got %v, want %v", k.words, s, got, want)
	}
}

// sequenceFirst is sequence with the first step taken as the engine takes it: First,
// then FirstFrom where it found a position.
func sequenceFirst(k *Set, s string) []int32 {
	cand := k.First(s)
	if cand == len(s) {
		return nil
	}
	end, state := k.FirstFrom(s, cand)
	return sequenceFrom(k, s, end, state)
}

// sequence lists what Next reports in s: each end offset, then the ids Matches gives
// there in their order, then -1.
func sequence(k *Set, s string) []int32 {
	end, state := k.Next(s, 0, 0)
	return sequenceFrom(k, s, end, state)
}

// sequenceFrom is sequence from the first end and state on.
func sequenceFrom(k *Set, s string, end, state int) []int32 {
	var out []int32
	for end >= 0 {
		out = append(out, int32(end)) //nolint:gosec // test strings are short
		out = append(out, k.Matches(state)...)
		out = append(out, -1)
		end, state = k.Next(s, end, state)
	}
	return out
}

// walk is sequence without the jumps: one transition per byte from the start state.
func walk(k *Set, s string) []int32 {
	var out []int32
	state := 0
	for i := 0; i < len(s); i++ {
		state = int(k.next[state*k.width+int(k.class[s[i]])] &^ hitBit)
		if ids := k.Matches(state); len(ids) > 0 {
			out = append(out, int32(i+1)) //nolint:gosec // test strings are short
			out = append(out, ids...)
			out = append(out, -1)
		}
	}
	return out
}
