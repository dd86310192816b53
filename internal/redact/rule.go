package redact

import (
	"fmt"
	"sync"
)

// Rule is one secret-detection rule with gitleaks' semantics: the rule runs only where one
// of its Keywords occurs (case-insensitive); its Regex (RE2) finds the secret, which is
// capture group SecretGroup (0: the first non-empty group, or the whole match when there is
// none); a secret whose Shannon entropy is not above Entropy is ignored, and so is one an
// Allowlist accepts. The built-in catalogue (DefaultRules) is generated from gitleaks'
// default rule set; operators add their own in the same shape.
type Rule struct {
	// ID names the rule; it is the bounded label under which its matches are counted.
	ID string
	// Regex finds the secret (Go RE2 syntax).
	Regex string
	// Keywords gate the rule: it runs only on text holding one of them (any case). A rule
	// without keywords runs on every string.
	Keywords []string
	// SecretGroup is the capture group holding the secret (0: first non-empty group).
	SecretGroup int
	// Entropy is the minimum Shannon entropy (bits per byte) of a secret; 0 checks nothing.
	Entropy float64
	// Allowlists accept matches that are not secrets.
	Allowlists []Allowlist
}

// Allowlist accepts a match of a rule as not secret: when one of Regexes matches its target
// or the secret contains one of StopWords (any case). With MatchAll, every kind of check
// present must accept it.
type Allowlist struct {
	// MatchAll requires every present check (regexes, stop words) to accept ("AND").
	MatchAll bool
	// RegexTarget is what Regexes test: "" (the secret), "match" (the whole regex match)
	// or "line" (the line holding the match).
	RegexTarget string
	// Regexes accept a target they match.
	Regexes []string
	// StopWords accept a secret containing one of them (compared in lower case).
	StopWords []string
}

// DefaultRules returns a copy of the built-in rule catalogue (gitleaks v8.30.1 default
// rules, MIT), in its order.
func DefaultRules() []Rule {
	out := make([]Rule, len(catalogue))
	copy(out, catalogue[:])
	return out
}

// DefaultAllowlists returns a copy of the catalogue's global allowlists, which apply to
// every rule.
func DefaultAllowlists() []Allowlist {
	out := make([]Allowlist, len(globalAllowlists))
	copy(out, globalAllowlists)
	return out
}

// compiledCatalogue compiles the catalogue and the global allowlists once per process:
// every engine shares them (a compiled regexp is safe for concurrent use), so a processor
// starts in microseconds, not the tens of milliseconds 217 regexes and their stop words cost.
var compiledCatalogue = sync.OnceValues(func() ([]compiledRule, error) {
	rules := make([]compiledRule, len(catalogue))
	for i, r := range catalogue {
		cr, err := compileRule(r, firstCatalogue+Detector(i), "catalogue["+r.ID+"]")
		if err != nil {
			return nil, err
		}
		rules[i] = cr
	}
	return rules, nil
})

var compiledGlobal = sync.OnceValues(func() ([]compiledAllowlist, error) {
	var global []compiledAllowlist
	for i, a := range globalAllowlists {
		ca, err := compileAllowlist(a, fmt.Sprintf("global_allowlist[%d]", i))
		if err != nil {
			return nil, err
		}
		global = append(global, ca)
	}
	return global, nil
})

// defaultRuleSet is the rule set of an engine with no rule options, shared likewise.
var defaultRuleSet = sync.OnceValues(func() (*ruleSet, error) { return buildRuleSet(Options{}, nil) })

// compileRules builds the rule set of an engine: the catalogue minus the disabled ids, the
// value patterns as keyword-less rules, and the operator's rules. Errors name the option
// field and index, never a value.
func (e *Engine) compileRules(opts Options) error {
	if len(opts.DisableRules) == 0 && len(opts.ValuePatterns) == 0 && len(opts.Rules) == 0 {
		rs, err := defaultRuleSet()
		e.rules = rs
		return err
	}
	rs, err := buildRuleSet(opts, &e.operatorIDs)
	e.rules = rs
	return err
}

func buildRuleSet(opts Options, operatorIDs *[]string) (*ruleSet, error) {
	cat, err := compiledCatalogue()
	if err != nil {
		return nil, err
	}
	global, err := compiledGlobal()
	if err != nil {
		return nil, err
	}
	disabled := map[string]bool{}
	known := map[string]bool{}
	for _, r := range catalogue {
		known[r.ID] = true
	}
	for i, id := range opts.DisableRules {
		if !known[id] {
			return nil, fmt.Errorf("disable_rules[%d]: %q is not a built-in rule id", i, id)
		}
		disabled[id] = true
	}
	if len(opts.Rules) > MaxOperatorRules {
		return nil, fmt.Errorf("rules: %d rules, at most %d", len(opts.Rules), MaxOperatorRules)
	}
	var rules []compiledRule
	var keywords [][]string
	for i, r := range catalogue {
		if !disabled[r.ID] {
			rules = append(rules, cat[i])
			keywords = append(keywords, r.Keywords)
		}
	}
	for i, p := range opts.ValuePatterns {
		cr, err := compileRule(Rule{ID: "custom_pattern", Regex: p}, Custom, fmt.Sprintf("value_patterns[%d]", i))
		if err != nil {
			return nil, err
		}
		rules = append(rules, cr)
		keywords = append(keywords, nil)
	}
	seen := map[string]bool{}
	for i, r := range opts.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		if known[r.ID] || seen[r.ID] {
			return nil, fmt.Errorf("%s.id: %q is already a rule id", field, r.ID)
		}
		seen[r.ID] = true
		cr, err := compileRule(r, firstOperator+Detector(i), field)
		if err != nil {
			return nil, err
		}
		rules = append(rules, cr)
		keywords = append(keywords, r.Keywords)
		*operatorIDs = append(*operatorIDs, r.ID)
	}
	return newRuleSet(rules, keywords, global)
}

// DetectorName is the label of a detector: its name, the id of its catalogue rule, or the
// id the operator gave the rule in its slot.
func (e *Engine) DetectorName(d Detector) string {
	if d >= firstOperator && int(d-firstOperator) < len(e.operatorIDs) {
		return e.operatorIDs[d-firstOperator]
	}
	return d.String()
}
