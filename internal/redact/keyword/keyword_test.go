package keyword

import (
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
