// Package gitleakscfg loads gitleaks' embedded default configuration and converts it to
// the redact package's rule shape. It is shared by the catalogue generator and the recall
// tests, so both see exactly the same rules.
package gitleakscfg

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// Module is the pinned gitleaks module.
const Module = "github.com/zricethezav/gitleaks/v8"

// Load parses the default gitleaks.toml the pinned gitleaks version embeds.
func Load() (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return config.Config{}, fmt.Errorf("read default config: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("unmarshal default config: %w", err)
	}
	return vc.Translate()
}

// Convert keeps every rule with a content regex (path-only rules cannot fire on telemetry)
// and returns the rules, the global allowlists, and the ids it skipped. Allowlist parts
// that need a file path or a commit are dropped: telemetry has neither, so an "AND"
// allowlist with a path or commit check never applies and goes whole.
func Convert(cfg config.Config) ([]redact.Rule, []redact.Allowlist, []string) {
	var rules []redact.Rule
	var skipped []string
	for _, r := range cfg.GetOrderedRules() {
		if r.Regex == nil || r.Path != nil {
			skipped = append(skipped, r.RuleID)
			continue
		}
		rules = append(rules, redact.Rule{
			ID:          r.RuleID,
			Regex:       r.Regex.String(),
			Keywords:    append([]string(nil), r.Keywords...),
			SecretGroup: r.SecretGroup,
			Entropy:     r.Entropy,
			Allowlists:  allowlists(r.Allowlists),
		})
	}
	return rules, allowlists(cfg.Allowlists), skipped
}

func allowlists(as []*config.Allowlist) []redact.Allowlist {
	var out []redact.Allowlist
	for _, a := range as {
		and := a.MatchCondition == config.AllowlistMatchAnd
		if and && (len(a.Paths) > 0 || len(a.Commits) > 0) {
			continue
		}
		if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue
		}
		al := redact.Allowlist{MatchAll: and, RegexTarget: a.RegexTarget}
		for _, re := range a.Regexes {
			al.Regexes = append(al.Regexes, re.String())
		}
		for _, w := range a.StopWords {
			al.StopWords = append(al.StopWords, strings.ToLower(w))
		}
		// gitleaks keeps stop words in a map: sorted, the generated table is reproducible
		slices.Sort(al.StopWords)
		out = append(out, al)
	}
	return out
}

// Version is the gitleaks module version this binary was built with.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == Module {
				return d.Version
			}
		}
	}
	return "unknown"
}

// Dir is the gitleaks module's directory in the module cache (the rule sources with
// their samples and the licence live there, not in the compiled packages).
func Dir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		return "", fmt.Errorf("locate %s: %w", Module, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Licence is the text of gitleaks' LICENSE file.
func Licence() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "LICENSE")) //nolint:gosec // the pinned gitleaks module's own directory
	return string(b), err
}
