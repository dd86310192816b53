package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestShortGate checks the short gate against the full scan: every string it clears must
// be one the full scan leaves unchanged with no hit. The strings are drawn from pieces that
// begin shapes, operators, escapes and keywords, cut below the gate's limit, for the
// default engine and for engines whose operator rules are short enough to matter.
func TestShortGate(t *testing.T) {
	pieces := []string{
		"a", "Z", "0", "7", " ", "-", "_", ".", "/", "+", "~", "Q~", "=", ":", ">", "<", "\"", "'", "%2F", "%", "&quot;",
		"&", "\\", "\u200b", "\u212a", "\u017f", "\u00e9", "\t", "\n", "eyJ", "Basic ", "Bearer ", "sk-", "ghp_", "AKIA",
		"xoxb-", "SK", "1//0", "curl", "-u ", "pw", "password", "token", "key", "secret", "api", "hooks.", "W3si",
		"ya29.", "hf_", "r8_", "-----BEGIN ", "PRIVATE KEY", "https://", "u:p@", "?", "#", "[REDACTED]",
	}
	engines := map[string]Options{
		"default":       {},
		"value pattern": {ValuePatterns: []string{`x[0-9]{3}`}},
		"short rule":    {Rules: []Rule{{ID: "short", Regex: `(?i)kw-[a-z]{2}`, Keywords: []string{"KW-"}}}},
		"exempt":        {ExemptValues: []string{"ab"}, FingerprintKey: []byte("k")},
	}
	for name, opts := range engines {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, opts)
			g := &e.rules.short
			r := rand.New(rand.NewPCG(5, 6))
			cleared := 0
			for range 200000 {
				var b strings.Builder
				for b.Len() < g.limit {
					b.WriteString(pieces[r.IntN(len(pieces))])
				}
				s := b.String()[:r.IntN(g.limit)]
				if !e.ShortClean(s) {
					continue
				}
				cleared++
				var hits Hits
				if out, changed := e.redact(s, &hits); changed || out != s || hits.Any() {
					t.Fatalf("the gate cleared %q, which the full scan redacts to %q (hits %v)", s, out, hits.Any())
				}
			}
			// the gate must clear real work, or it costs a pass for nothing
			if cleared < 10000 {
				t.Fatalf("the gate cleared %d of 200000 strings", cleared)
			}
		})
	}
	e := newEngine(t, Options{})
	for _, s := range []string{"200", "ok", "GET /items", "2026-12-07", "true", "payments-7"} {
		if !e.ShortClean(s) {
			t.Errorf("%q: a short clean value the gate should clear", s)
		}
	}
	for _, s := range []string{"pw=x", "a:b", "<a>b", "%2F", "curl -u a:b", "checkout-7", "payments-svc"} {
		if e.ShortClean(s) {
			t.Errorf("%q: the gate cleared a value of 12 bytes or one with an operator, escape or short rule's keyword", s)
		}
	}
}
