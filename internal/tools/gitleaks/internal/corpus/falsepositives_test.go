package corpus_test

import (
	"testing"

	"github.com/authobs/authobsprocessor/internal/redact"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/corpus"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/gitleakscfg"
)

// TestFalsePositivesDoNotFireTheirRule: each gitleaks false-positive sample of a rule, run
// through the engine, never fires that rule (other detectors may: a sample that is not a
// Stripe key can still be a password).
func TestFalsePositivesDoNotFireTheirRule(t *testing.T) {
	dir, err := gitleakscfg.Dir()
	if err != nil {
		t.Fatal(err)
	}
	fps, err := corpus.FalsePositives(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, det := engineByRule(t)
	samples := 0
	for id, list := range fps {
		d, ok := det[id]
		if !ok {
			continue // a path-only rule, not in the catalogue
		}
		for _, fp := range list {
			samples++
			var hits redact.Hits
			out, _ := e.Redact(fp, &hits)
			if hits[d] != 0 {
				t.Errorf("%s fires on its false positive %q -> %q", id, fp, out)
			}
		}
	}
	t.Logf("%d false-positive samples of %d rules", samples, len(fps))
	if samples < 250 {
		t.Fatalf("only %d samples read: the rule sources changed shape", samples)
	}
}

// engineByRule is the default engine and its detectors by rule id.
func engineByRule(t *testing.T) (*redact.Engine, map[string]redact.Detector) {
	e, err := redact.New(redact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	det := map[string]redact.Detector{}
	for d := range redact.NumDetectors {
		det[d.String()] = d
	}
	return e, det
}
