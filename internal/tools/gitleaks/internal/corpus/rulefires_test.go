package corpus_test

import (
	"slices"
	"testing"

	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/corpus"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/gitleakscfg"
)

// TestEachRuleFiresOnItsSamples: where gitleaks reports a sample under its own rule, the
// engine's copy of that rule fires too. The recall test alone would let a broken rule
// hide behind generic-api-key or a hand-written detector catching the same secret.
func TestEachRuleFiresOnItsSamples(t *testing.T) {
	cfg, err := gitleakscfg.Load()
	if err != nil {
		t.Fatal(err)
	}
	samples, _ := corpus.New(cfg).Generate(seed(t))
	e, det := engineByRule(t)
	checked, missed := 0, map[string]int{}
	for _, s := range samples {
		d, ok := det[s.Rule]
		if !s.ByRule || !ok {
			continue
		}
		checked++
		if !slices.Contains(e.Explain(s.Text), d) {
			if missed[s.Rule]++; missed[s.Rule] == 1 {
				t.Errorf("%s does not fire on its %s sample %q", s.Rule, s.Style, s.Text)
			}
		}
	}
	t.Logf("%d samples reported by their own rule checked; rules that missed: %v", checked, missed)
	if checked < 1000 {
		t.Fatalf("only %d samples checked: the corpus or the rule mapping is broken", checked)
	}
}
