package redact

import (
	"slices"
	"strings"
	"testing"

	"github.com/authobs/authobsprocessor/internal/corpustest"
)

// workload is the realistic clean workload: every string value of the real Codex captures
// (logs and traces) and of OpenTelemetry's benign example values.
func workload(t *testing.T) []string {
	t.Helper()
	var out []string
	corpustest.Each(t, "../..", func(v any) {
		out = append(out, jsonStrings(v, "stringValue", "value", "name")...)
	})
	return out
}

// jsonStrings are the string values under any of keys anywhere in a decoded JSON value.
func jsonStrings(v any, keys ...string) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && slices.Contains(keys, k) {
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}

// TestCleanStringsRarelyReachARegex measures the share of clean strings of a realistic
// workload on which any catalogue regex runs: the keyword automaton and the shape test
// after everyday keywords keep it small. Counted, not timed.
func TestCleanStringsRarelyReachARegex(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	strs := workload(t)
	var clean, reached, ran int
	work = &workCounter{}
	defer func() { work = nil }()
	for _, s := range strs {
		before, regexBefore := work.runs, work.regexRuns
		var hits Hits
		if _, changed := e.Redact(s, &hits); changed {
			continue
		}
		clean++
		if work.runs > before {
			reached++
		}
		if work.regexRuns > regexBefore {
			ran++
		}
	}
	share := float64(reached) / float64(clean)
	t.Logf("%d strings, %d clean, %d (%.1f%%) of the clean ones reach a catalogue rule's window, %d its regex past the sieve", len(strs), clean, reached, 100*share, ran)
	if clean < 1000 {
		t.Fatalf("workload too small: %d clean strings", clean)
	}
	if share > 0.02 {
		t.Errorf("%.1f%% of clean strings reach a regex, more than 2%%", 100*share)
	}
}

// TestCatalogueLinearInKeywordDensity: input made of keywords and assignments, the worst
// case for the prefilter, costs regex bytes in proportion to its size: windows that
// overlap are merged, so doubling the input at most doubles the work (counted, not timed).
func TestCatalogueLinearInKeywordDensity(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	unit := "api_key=x token: y auth=z ghp_ sk- xoxb- AKIA eyJ key => secret := password, "
	cost := func(n int) int {
		work = &workCounter{}
		defer func() { work = nil }()
		var hits Hits
		e.Redact(strings.Repeat(unit, n), &hits)
		return work.bytes
	}
	small, large := cost(1000), cost(8000)
	ratio := float64(large) / float64(small)
	t.Logf("regex bytes: %d for %d bytes of input, %d for %d (ratio %.2f for 8x the input)", small, 1000*len(unit), large, 8000*len(unit), ratio)
	if ratio > 8.5 {
		t.Errorf("work grows faster than the input: ratio %.2f for 8x", ratio)
	}
}

// TestCleanStringsDoNotAllocate: clean strings, keyword hits that fail the shape test and
// keyword hits whose regex finds nothing included, cost no allocation.
func TestCleanStringsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race; make test runs this test without it")
	}
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"fs.get_metadata exec-server/src/local_file_system.rs status: ok",
		"token usage recorded for the turn",
		"cache key products:page:4 missed",
		"the api key rotation job finished",
		"GET /api/v1/namespaces/default/pods/frontend-7d9f8b6c5-x2x9k/log?container=app",
		"arn:aws:iam::123456789012:role/service-role/MyLambdaExecutionRole-3kq8x2zp",
		"auth: ok",
	} {
		var hits Hits
		if out, changed := e.Redact(s, &hits); changed {
			t.Fatalf("not clean: %q -> %q", s, out)
		}
		if n := testing.AllocsPerRun(50, func() {
			var hits Hits
			e.Redact(s, &hits)
		}); n != 0 {
			t.Errorf("%.1f allocations for clean %q", n, s)
		}
	}
}

// TestRecurringKeywordCostIsBounded: a keyword that starts a match (`curl`, `ghp_`, `hvs.`)
// repeated thousands of times must not run an anchored attempt of up to 4 KiB at every
// occurrence: past a few attempts the occurrences merge into windows searched once. The
// regex bytes per input byte stay a small constant (counted, not timed); before, `curl `
// repeated cost ~4 KiB of regex per occurrence, quadratic-looking for any line under 4 KiB.
func TestRecurringKeywordCostIsBounded(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"curl ", "curl -H x ", "ghp_ ", "hvs.", "dt0c01. ", "-----BEGIN "} {
		for _, n := range []int{1 << 10, 1 << 13} {
			in := strings.Repeat(unit, n/len(unit)+1)
			work = &workCounter{}
			var hits Hits
			e.Redact(in, &hits)
			perByte := float64(work.bytes) / float64(len(in))
			work = nil
			if perByte > 64 {
				t.Errorf("%q x%d: %.1f regex bytes per input byte", unit, n/len(unit)+1, perByte)
			}
		}
	}
}

// TestRecurringKeywordKeepsLongSecretWhole: once a rule's keyword has recurred past the
// anchored attempts, its matches are found in merged windows; a secret longer than the
// rule's span cap must still be redacted to its end there, as in an anchored attempt.
func TestRecurringKeywordKeepsLongSecretWhole(t *testing.T) {
	e, err := New(Options{Rules: []Rule{{ID: "acme", Regex: `acme_[a-z0-9]+`, Keywords: []string{"acme_"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() < 6000; i++ {
		b.WriteByte("k3j9x2m8q7w4e6r1t5y0u2i4p"[(i*7)%25])
	}
	secret := b.String()
	for _, before := range []string{"", strings.Repeat("acme_x1 ", maxAnchoredRuns), strings.Repeat("acme_x1 ", 100)} {
		var hits Hits
		out, _ := e.Redact(before+"acme_"+secret, &hits)
		for i := 0; i+12 <= len(secret); i += 12 {
			if strings.Contains(out, secret[i:i+12]) {
				t.Fatalf("after %d recurring keywords a piece at %d of a %d-byte secret survives", strings.Count(before, "acme_"), i, len(secret))
			}
		}
	}
}
