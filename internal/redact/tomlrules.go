package redact

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// gitleaksFile is the part of a gitleaks configuration file that applies to telemetry.
type gitleaksFile struct {
	Title     string         `toml:"title"`
	Extend    map[string]any `toml:"extend"`
	Allowlist *gitleaksAllow `toml:"allowlist"`
	// Allowlists is the newer form of the global allowlist.
	Allowlists []gitleaksAllow `toml:"allowlists"`
	Rules      []gitleaksRule  `toml:"rules"`
	MinVersion string          `toml:"minVersion"`
}

type gitleaksRule struct {
	ID          string          `toml:"id"`
	Description string          `toml:"description"`
	Regex       string          `toml:"regex"`
	Path        string          `toml:"path"`
	SecretGroup int             `toml:"secretGroup"`
	Entropy     float64         `toml:"entropy"`
	Keywords    []string        `toml:"keywords"`
	Tags        []string        `toml:"tags"`
	SkipReport  bool            `toml:"skipReport"`
	Allowlist   *gitleaksAllow  `toml:"allowlist"`
	Allowlists  []gitleaksAllow `toml:"allowlists"`
	Required    []any           `toml:"required"`
}

type gitleaksAllow struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Commits     []string `toml:"commits"`
	Paths       []string `toml:"paths"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
}

// ParseGitleaksTOML reads an organisation's gitleaks configuration (`[[rules]]` with id,
// regex, keywords, secretGroup, entropy and allowlists) into rules for Options.Rules. The
// file's global allowlists are added to each of its rules. What cannot apply to telemetry
// is reported in skipped, never silently kept: rules matching file paths only, and
// allowlist checks of paths or commits. Errors name the table and key, never a value.
func ParseGitleaksTOML(data []byte) (rules []Rule, skipped []string, err error) {
	var f gitleaksFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			// the keys only: the library's own text quotes the line, which may hold a value
			keys := make([]string, 0, len(strict.Errors))
			for i := range strict.Errors {
				keys = append(keys, strings.Join(strict.Errors[i].Key(), "."))
			}
			return nil, nil, fmt.Errorf("unknown key: %s", strings.Join(keys, ", "))
		}
		var derr *toml.DecodeError
		if errors.As(err, &derr) {
			row, col := derr.Position()
			return nil, nil, fmt.Errorf("line %d column %d: %s", row, col, derr.Error())
		}
		return nil, nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(f.Extend)) {
		skipped = append(skipped, "extend."+k+": not applied (the built-in catalogue is always on; turn rules off with redaction.disable_rules, put another file's rules in this one)")
	}
	global, notes := convertAllows(f.Allowlists, f.Allowlist, "allowlists")
	skipped = append(skipped, notes...)
	for i, r := range f.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		if r.ID != "" {
			field = fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		}
		switch {
		case r.ID == "":
			return nil, nil, fmt.Errorf("%s.id: must not be empty", field)
		case r.Regex == "" && r.Path != "":
			skipped = append(skipped, field+": matches file paths only")
			continue
		case r.Regex == "":
			return nil, nil, fmt.Errorf("%s.regex: must not be empty", field)
		case r.Path != "":
			skipped = append(skipped, field+": its path condition is ignored")
		case len(r.Required) > 0:
			skipped = append(skipped, field+": its required rules are ignored")
		}
		rule := Rule{ID: r.ID, Regex: r.Regex, Keywords: r.Keywords, SecretGroup: r.SecretGroup, Entropy: r.Entropy}
		own, notes := convertAllows(r.Allowlists, r.Allowlist, field+".allowlists")
		skipped = append(skipped, notes...)
		rule.Allowlists = own
		rule.Allowlists = append(rule.Allowlists, global...)
		rules = append(rules, rule)
	}
	return rules, skipped, nil
}

// convertAllows converts a table's allowlists (the newer list and the older single one)
// and notes what of them cannot apply.
func convertAllows(list []gitleaksAllow, old *gitleaksAllow, field string) (out []Allowlist, notes []string) {
	if old != nil {
		list = append(list, *old)
	}
	for i, a := range list {
		al, note := convertAllow(a)
		if note != "" {
			notes = append(notes, fmt.Sprintf("%s[%d]: %s", field, i, note))
		}
		if al != nil {
			out = append(out, *al)
		}
	}
	return out, notes
}

// convertAllow keeps the checks of a gitleaks allowlist that telemetry has (regexes, stop
// words): an "AND" allowlist that also needs a path or a commit never applies here.
func convertAllow(a gitleaksAllow) (*Allowlist, string) {
	and := strings.EqualFold(a.Condition, "AND")
	if !and && a.Condition != "" && !strings.EqualFold(a.Condition, "OR") {
		// left out: an allowlist only ever spares a match, so dropping one cannot leak
		return nil, fmt.Sprintf("unknown condition %q (want OR or AND): left out", a.Condition)
	}
	foreign := len(a.Paths) > 0 || len(a.Commits) > 0
	if and && foreign {
		return nil, "needs a path or commit as well, never applies to telemetry"
	}
	note := ""
	if foreign {
		note = "its path and commit checks are ignored"
	}
	if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
		return nil, note
	}
	return &Allowlist{MatchAll: and, RegexTarget: a.RegexTarget, Regexes: a.Regexes, StopWords: a.StopWords}, note
}
