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

// TestSkipIsExact: the pair filter of Next changes no occurrence. The reference walks the
// transition table byte by byte; keyword sets and texts are drawn from a small alphabet
// so that keywords overlap, share prefixes and recur.
func TestSkipIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abkeyKEY.-_ 0"
	draw := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 300 {
		words := make([]string, 1+r.IntN(8))
		for i := range words {
			words[i] = draw(1 + r.IntN(4))
		}
		k, err := New(words)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			s := draw(r.IntN(40))
			if got, want := occurrences(k, words, s), reference(k, words, s); !slices.Equal(got, want) {
				t.Fatalf("words %q in %q: got %v, want %v", words, s, got, want)
			}
		}
	}
}

// reference is occurrences without the pair filter: one transition per byte.
func reference(k *Set, words []string, s string) []string {
	var out []string
	state := 0
	for i := 0; i < len(s); i++ {
		tr := k.next[state*k.width+int(k.class[s[i]])]
		state = int(tr &^ hitBit)
		for _, id := range k.Matches(state) {
			out = append(out, s[i+1-k.Len(id):i+1]+"@"+words[id])
		}
	}
	slices.Sort(out)
	return out
}
