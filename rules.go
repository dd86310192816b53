package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"fmt"
	"os"
	"strings"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// RuleConfig is an operator's own secret-detection rule, in the shape of a gitleaks rule:
// the rule runs only where one of Keywords occurs (any case); Regex (RE2) finds the secret,
// capture group SecretGroup (0: the first non-empty group); a secret whose Shannon entropy is
// not above Entropy is ignored, and so is one an allowlist accepts.
type RuleConfig struct {
	// ID names the rule; matches are counted under it (values_redacted{detector}).
	ID string `mapstructure:"id"`
	// Regex finds the secret (Go RE2 syntax).
	Regex string `mapstructure:"regex"`
	// Keywords gate the rule (any case); without keywords it runs on every string.
	Keywords []string `mapstructure:"keywords"`
	// SecretGroup is the capture group holding the secret.
	SecretGroup int `mapstructure:"secret_group"`
	// Entropy is the minimum Shannon entropy (bits per byte) of a secret; 0 checks nothing.
	Entropy float64 `mapstructure:"entropy"`
	// Allowlists accept matches that are not secrets.
	Allowlists []RuleAllowlistConfig `mapstructure:"allowlists"`
}

// RuleAllowlistConfig accepts a match of a rule as not secret, as a gitleaks allowlist does.
type RuleAllowlistConfig struct {
	// Condition is OR (default: any check accepts) or AND (every present check must).
	Condition string `mapstructure:"condition"`
	// RegexTarget is what Regexes test: secret (default), match or line.
	RegexTarget string `mapstructure:"regex_target"`
	// Regexes accept a target they match.
	Regexes []string `mapstructure:"regexes"`
	// StopWords accept a secret containing one of them (any case).
	StopWords []string `mapstructure:"stopwords"`
}

// engineOptions turns the redaction settings into the engine's options: the rules of the
// configuration first, then those of redaction.rules_file. fingerprintKey is the derived key.
// skipped lists what the rules file holds that cannot apply to telemetry (path or commit
// conditions, path-only rules).
func (r RedactionConfig) engineOptions(fingerprintKey []byte) (opts redact.Options, skipped []string, err error) {
	rules, skipped, err := r.operatorRules()
	if err != nil {
		return redact.Options{}, nil, err
	}
	return redact.Options{
		Replacement:    r.Replacement,
		FingerprintKey: fingerprintKey,
		ValuePatterns:  r.ValuePatterns,
		Rules:          rules,
		DisableRules:   r.DisableRules,
		KeyPatterns:    r.KeyPatterns,
		ExemptValues:   r.ExemptValues,
	}, skipped, nil
}

// operatorRules converts redaction.rules and reads redaction.rules_file. Errors name the key.
func (r RedactionConfig) operatorRules() (rules []redact.Rule, skipped []string, err error) {
	for i, rc := range r.Rules {
		rule, err := rc.toRule(fmt.Sprintf("redaction.rules[%d]", i))
		if err != nil {
			return nil, nil, err
		}
		rules = append(rules, rule)
	}
	if r.RulesFile == "" {
		return rules, nil, nil
	}
	data, err := os.ReadFile(r.RulesFile)
	if err != nil {
		return nil, nil, fmt.Errorf("redaction.rules_file: %w", err)
	}
	fileRules, skipped, err := redact.ParseGitleaksTOML(data)
	if err != nil {
		return nil, nil, fmt.Errorf("redaction.rules_file %s: %w", r.RulesFile, err)
	}
	return append(rules, fileRules...), skipped, nil
}

func (rc RuleConfig) toRule(key string) (redact.Rule, error) {
	rule := redact.Rule{ID: rc.ID, Regex: rc.Regex, Keywords: rc.Keywords, SecretGroup: rc.SecretGroup, Entropy: rc.Entropy}
	for j, a := range rc.Allowlists {
		al := redact.Allowlist{Regexes: a.Regexes, StopWords: a.StopWords}
		switch strings.ToUpper(a.Condition) {
		case "", "OR":
		case "AND":
			al.MatchAll = true
		default:
			return rule, fmt.Errorf("%s.allowlists[%d].condition: unknown condition %q (want OR or AND)", key, j, a.Condition)
		}
		switch a.RegexTarget {
		case "", "secret":
		case "match", "line":
			al.RegexTarget = a.RegexTarget
		default:
			return rule, fmt.Errorf("%s.allowlists[%d].regex_target: unknown target %q (want secret, match or line)", key, j, a.RegexTarget)
		}
		rule.Allowlists = append(rule.Allowlists, al)
	}
	return rule, nil
}

// validateEngine builds the engine the configuration describes, so that every rule,
// pattern and disabled id is checked at start-up; the engine's errors name the field. When
// both redaction.rules and redaction.rules_file are set, each source is checked on its own
// first, so an error gives the rule's index within its own source.
func (r RedactionConfig) validateEngine() error {
	opts, _, err := r.engineOptions(nil)
	if err != nil {
		return err
	}
	if r.RulesFile != "" {
		fileOpts := redact.Options{Rules: opts.Rules[len(r.Rules):]}
		if len(r.Rules) > 0 {
			own := opts
			own.Rules = opts.Rules[:len(r.Rules)]
			if _, err := redact.New(own); err != nil {
				return fmt.Errorf("redaction.%w", err)
			}
		}
		if _, err := redact.New(fileOpts); err != nil {
			return fmt.Errorf("redaction.rules_file %s: %w", r.RulesFile, err)
		}
	}
	if _, err := redact.New(opts); err != nil {
		if r.RulesFile != "" {
			return fmt.Errorf("redaction (redaction.rules and the rules of redaction.rules_file %s together): %w", r.RulesFile, err)
		}
		return fmt.Errorf("redaction.%w", err)
	}
	return nil
}
