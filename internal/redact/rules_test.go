package redact

import (
	"regexp"
	"strings"
	"testing"
)

func TestOperatorRuleFiresUnderItsID(t *testing.T) {
	e, err := New(Options{Rules: []Rule{{
		ID: "acme-token", Regex: `\bacme_([a-z0-9]{24})\b`, Keywords: []string{"acme_"}, Entropy: 3,
		Allowlists: []Allowlist{{StopWords: []string{"example"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	var hits Hits
	out, changed := e.Redact("calling with acme_k7zq3lmn9pxr2tvb8wyc4hdj now", &hits)
	if !changed || out != "calling with acme_[REDACTED] now" {
		t.Fatalf("got %q", out)
	}
	var fired []string
	for d, n := range hits {
		if n > 0 {
			fired = append(fired, e.DetectorName(Detector(d)))
		}
	}
	if len(fired) != 1 || fired[0] != "acme-token" {
		t.Fatalf("fired %v, want [acme-token]", fired)
	}
	// low entropy and stop words are not secrets, as in gitleaks
	for _, s := range []string{"acme_aaaaaaaaaaaaaaaaaaaaaaaa", "acme_example7z3q9x2k4m8p1w5rt"} {
		if !e.rules.rules[len(e.rules.rules)-1].re.MatchString(s) {
			t.Fatalf("%q does not even match", s)
		}
		if out, changed := e.Redact(s, &hits); changed {
			t.Errorf("%q -> %q", s, out)
		}
	}
}

func TestDisableRules(t *testing.T) {
	const s = `adafruit_key = "k7zq3lmn9pxr2tvb8wyc4hdj6fgs1kae"`
	on, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var hits Hits
	if _, changed := on.Redact(s, &hits); !changed {
		t.Fatal("adafruit-api-key does not fire")
	}
	off, err := New(Options{DisableRules: []string{"adafruit-api-key", "generic-api-key"}})
	if err != nil {
		t.Fatal(err)
	}
	if out, changed := off.Redact(s, &hits); changed {
		t.Fatalf("disabled rules still fire: %q", out)
	}
}

func TestRuleValidationNamesTheField(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Rules: []Rule{{ID: "a", Regex: "("}}}, "rules[0].regex"},
		{Options{Rules: []Rule{{ID: "", Regex: "x"}}}, "rules[0].id"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x("}}}, "rules[0].regex"},
		{Options{Rules: []Rule{{ID: "a", Regex: "a*"}}}, "rules[0].regex: matches the empty string"},
		{Options{Rules: []Rule{{ID: "a", Regex: "(x)", SecretGroup: 2}}}, "rules[0].secret_group"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x", Entropy: 9}}}, "rules[0].entropy"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x", Keywords: []string{""}}}}, "rules[0].keywords[0]"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x", Allowlists: []Allowlist{{Regexes: []string{"("}}}}}}, "rules[0].allowlists[0].regexes[0]"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x", Allowlists: []Allowlist{{RegexTarget: "file", StopWords: []string{"x"}}}}}}, "rules[0].allowlists[0].regex_target"},
		{Options{Rules: []Rule{{ID: "generic-api-key", Regex: "x"}}}, "rules[0].id"},
		{Options{Rules: []Rule{{ID: "a", Regex: "x"}, {ID: "a", Regex: "y"}}}, "rules[1].id"},
		{Options{DisableRules: []string{"no-such-rule"}}, "disable_rules[0]"},
		{Options{ValuePatterns: []string{"("}}, "value_patterns[0]"},
	} {
		_, err := New(tt.opts)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one starting with %q", tt.opts, err, tt.want)
		}
	}
}

func TestParseGitleaksTOML(t *testing.T) {
	rules, skipped, err := ParseGitleaksTOML([]byte(`
title = "acme gitleaks config"

[extend]
useDefault = true

[allowlist]
description = "global"
regexes = ['''^dummy''']
paths = ['''vendor/''']

[[rules]]
id = "acme-token"
description = "ACME API token"
regex = '''\b(acme_[a-z0-9]{24})\b'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]

  [[rules.allowlists]]
  condition = "AND"
  regexTarget = "line"
  regexes = ['''test''']
  stopwords = ["sample"]

  [[rules.allowlists]]
  condition = "AND"
  paths = ['''_test\.go''']
  regexes = ['''.*''']

[[rules]]
id = "acme-keystore"
path = '''\.jks$'''
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].ID != "acme-token" || rules[0].SecretGroup != 1 || rules[0].Entropy != 3 {
		t.Fatalf("rules %+v", rules)
	}
	if got := len(rules[0].Allowlists); got != 2 { // the AND-with-path one goes, the global one is added
		t.Fatalf("%d allowlists: %+v", got, rules[0].Allowlists)
	}
	if len(skipped) != 4 || !strings.HasPrefix(skipped[0], "extend.useDefault: not applied") {
		t.Fatalf("skipped %q", skipped) // [extend] is named, never silently dropped
	}
	e, err := New(Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	var hits Hits
	if out, _ := e.Redact("x acme_k7zq3lmn9pxr2tvb8wyc4hdj", &hits); out != "x [REDACTED]" {
		t.Fatalf("got %q", out)
	}

	_, _, err = ParseGitleaksTOML([]byte("[[rules]]\nid = \"a\"\nregexx = \"b\"\n"))
	if err == nil || !strings.Contains(err.Error(), "regexx") {
		t.Fatalf("unknown key: %v", err)
	}
	_, _, err = ParseGitleaksTOML([]byte("[[rules]]\nid = \"a\"\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "rules[0] (a).regex") {
		t.Fatalf("missing regex: %v", err)
	}
}

// TestAllowlistAlternationBranches: an allowlist regex split into branches behind their
// literals accepts exactly what the whole regex accepts.
func TestAllowlistAlternationBranches(t *testing.T) {
	al := Allowlist{RegexTarget: "match", Regexes: []string{`(?i)(?:foo[_-]?bar|ba+z\d|[a-z]*?qux|^x)`}}
	ca, err := compileAllowlist(al, "a")
	if err != nil {
		t.Fatal(err)
	}
	whole := regexp.MustCompile(al.Regexes[0])
	if len(ca.branches) < 2 {
		t.Fatalf("not split: %d regexes", len(ca.branches))
	}
	for _, s := range []string{"FOO_BAR", "foobar", "xbaaz7", "baz", "abcqux", "x", "yx", "QUX", "fooXbar", "k\u212aqux", "", "nothing"} {
		if got, want := ca.regexMatches(s), whole.MatchString(s); got != want {
			t.Errorf("%q: branches say %v, the whole regex %v", s, got, want)
		}
	}
}
