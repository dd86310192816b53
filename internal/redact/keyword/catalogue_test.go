package keyword_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/authobs/authobsprocessor/internal/corpustest"
	"github.com/authobs/authobsprocessor/internal/redact"
	"github.com/authobs/authobsprocessor/internal/redact/keyword"
)

// TestCatalogueJumpIsExact: on the catalogue's keywords and its allowlists' stop words,
// Next reports what a walk of every byte reports, in order, on every string of the Codex
// captures and the benign corpus (as they are and upper-cased) and on strings dense in
// the keywords, their prefixes and suffixes.
func TestCatalogueJumpIsExact(t *testing.T) {
	var sets [][]string
	seen := map[string]bool{}
	var words []string
	for _, r := range redact.DefaultRules() {
		for _, k := range r.Keywords {
			if k = strings.ToLower(k); !seen[k] {
				seen[k] = true
				words = append(words, k)
			}
		}
		for _, a := range r.Allowlists {
			if len(a.StopWords) > 0 {
				sets = append(sets, a.StopWords)
			}
		}
	}
	sets = append(sets, words)
	corpus := corpusStrings(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, words := range sets {
		k, err := keyword.New(words)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range corpus {
			keyword.CheckSequence(t, k, s)
			keyword.CheckSequence(t, k, strings.ToUpper(s))
		}
		for range 3000 {
			keyword.CheckSequence(t, k, keyword.Dense(r, words, 1+r.IntN(200)))
		}
	}
}

// corpusStrings are the string values of the Codex captures and the benign corpus.
func corpusStrings(t *testing.T) []string {
	t.Helper()
	var out []string
	corpustest.Each(t, "../../..", func(v any) { out = appendStrings(out, v) })
	if len(out) < 1000 {
		t.Fatalf("only %d corpus strings", len(out))
	}
	return out
}

func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	case map[string]any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	}
	return out
}
