// Package prefilter_test measures the redact engine's keyword automaton against the
// Aho-Corasick library gitleaks itself uses, on the catalogue's keywords and OpenTelemetry's
// benign values: the evidence for keeping an own automaton (see internal/redact/keyword).
package prefilter_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"

	"github.com/authobs/authobsprocessor/internal/redact"
	"github.com/authobs/authobsprocessor/internal/redact/keyword"
)

func inputs(b *testing.B) ([]string, []string) {
	var words []string
	seen := map[string]bool{}
	for _, r := range redact.DefaultRules() {
		for _, k := range r.Keywords {
			if !seen[k] {
				seen[k] = true
				words = append(words, k)
			}
		}
	}
	raw, err := os.ReadFile("../../../../../testdata/benign/benign-otel-values.json")
	if err != nil {
		b.Fatal(err)
	}
	var doc struct {
		Values []struct {
			Value string `json:"value"`
		} `json:"values"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		b.Fatal(err)
	}
	var values []string
	for _, v := range doc.Values {
		values = append(values, v.Value)
	}
	return words, values
}

// BenchmarkKeywordScan: does a string hold any catalogue keyword, any case.
func BenchmarkKeywordScan(b *testing.B) {
	words, values := inputs(b)
	n := 0
	for _, v := range values {
		n += len(v)
	}
	b.Run("impl=redact_keyword", func(b *testing.B) {
		k, err := keyword.New(words)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n))
		b.ReportAllocs()
		for b.Loop() {
			for _, v := range values {
				_ = k.Contains(v)
			}
		}
	})
	b.Run("impl=bobusumisu_tolower", func(b *testing.B) {
		// how gitleaks' detector does it: lower-case the input, then match
		trie := ahocorasick.NewTrieBuilder().AddStrings(words).Build()
		b.SetBytes(int64(n))
		b.ReportAllocs()
		for b.Loop() {
			for _, v := range values {
				_ = trie.MatchFirstString(strings.ToLower(v))
			}
		}
	})
	b.Run("impl=bobusumisu_buffer", func(b *testing.B) {
		// the best a caller can do with it: lower-case into one reused buffer
		trie := ahocorasick.NewTrieBuilder().AddStrings(words).Build()
		buf := make([]byte, 0, 4096)
		b.SetBytes(int64(n))
		b.ReportAllocs()
		for b.Loop() {
			for _, v := range values {
				buf = buf[:0]
				for i := 0; i < len(v); i++ {
					c := v[i]
					if c >= 'A' && c <= 'Z' {
						c |= 0x20
					}
					buf = append(buf, c)
				}
				_ = trie.MatchFirst(buf)
			}
		}
	})
}
