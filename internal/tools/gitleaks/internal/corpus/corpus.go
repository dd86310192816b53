// Package corpus draws secrets for every rule of gitleaks' default rule set the way
// gitleaks draws its own test samples (its cmd/generate/config/rules build true positives
// with secrets.NewSecret(<regex>), which is lucasjones/reggen over the rule's secret
// pattern), plants each in the assignment styles services leak secrets in, and keeps a
// sample only where gitleaks' own detector reports the secret. Seeded: the same seed gives
// the same corpus.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"strings"

	"github.com/lucasjones/reggen"
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// Sample is one secret planted in one style.
type Sample struct {
	Rule   string `json:"rule"`
	Style  string `json:"style"`
	Text   string `json:"text"`
	Secret string `json:"secret"`
	// Random is the secret without the fixed part every draw of the rule shares (a vendor
	// prefix): no piece of it may survive redaction.
	Random string `json:"random"`
	// ByRule: gitleaks reports the secret under Rule itself (a `curl -u` line may be
	// curl-auth-user's only).
	ByRule bool `json:"by_rule"`
}

// Style renders a secret under a vendor identifier.
type Style struct {
	Name   string
	Render func(vendor, secret string) string
}

// Styles are the places and shapes of issue 8: config lines, env dumps, JSON, YAML, PHP
// arrays, Go, curl, an HTTP request dump and a URL query.
var Styles = []Style{
	{"assign", func(v, s string) string { return v + `_key = "` + s + `"` }},
	{"env", func(v, s string) string { return strings.ToUpper(v) + "_KEY=" + s }},
	{"json", func(v, s string) string { return `{"` + v + `_key": "` + s + `", "region": "eu-west-1"}` }},
	{"yaml", func(v, s string) string { return "service:\n  " + v + "_key: " + s + "\n  region: eu-west-1" }},
	{"php", func(v, s string) string { return `'` + v + `_key' => '` + s + `',` }},
	{"go", func(v, s string) string { return v + `_token := "` + s + `"` }},
	{"curl", func(v, s string) string { return "curl -u " + v + ":" + s + " https://api.example.com/v1/items" }},
	{"http", func(v, s string) string {
		return "POST /v1/items HTTP/1.1\r\nHost: api.example.com\r\nX-" + v + "-Key: " + s + "\r\nContent-Length: 2\r\n\r\n{}"
	}},
	{"query", func(v, s string) string { return "https://api.example.com/v1/items?" + v + "_key=" + s + "&page=2" }},
}

// Generator draws samples for one configuration.
type Generator struct {
	cfg      config.Config
	detector *detect.Detector
}

// New prepares a generator over cfg (gitleaks' default configuration).
func New(cfg config.Config) *Generator {
	logging.Logger = logging.Logger.Level(zerolog.Disabled)
	return &Generator{cfg: cfg, detector: detect.NewDetector(cfg)}
}

// maxDraws bounds the secrets drawn for one rule before it counts as not generated.
const maxDraws = 12

// Generate returns, per rule with a content regex, the samples of the first secret (of up
// to maxDraws) that gitleaks reports in at least one style; rules it could not draw for
// are listed with the reason.
func (g *Generator) Generate(seed uint64) ([]Sample, map[string]string) {
	var out []Sample
	missed := map[string]string{}
	for ri, r := range g.cfg.GetOrderedRules() {
		if r.Regex == nil || r.Path != nil {
			continue
		}
		pattern, err := secretPattern(r.Regex.String(), r.SecretGroup)
		if err != nil {
			missed[r.RuleID] = err.Error()
			continue
		}
		vendor := vendorName(r)
		var got []Sample
		for d := 0; d < maxDraws && len(got) == 0; d++ {
			rnd := rand.New(rand.NewPCG(seed, uint64(ri)<<8|uint64(d))) //nolint:gosec // a seeded, replayable test corpus, not key material
			secret, err := draw(pattern, rnd)
			if err != nil {
				missed[r.RuleID] = err.Error()
				break
			}
			fixed := fixedParts(pattern, secret, rnd)
			random := secret[len(fixed[0]) : len(secret)-len(fixed[1])]
			if strings.TrimSpace(secret) != secret || len(random) < 8 {
				continue
			}
			for _, st := range Styles {
				text := st.Render(vendor, secret)
				if ok, byRule := g.reports(text, random, r.RuleID); ok {
					got = append(got, Sample{Rule: r.RuleID, Style: st.Name, Text: text, Secret: secret, Random: random, ByRule: byRule})
				}
			}
		}
		if len(got) == 0 {
			got = g.raw(r, seed, ri)
		}
		if len(got) == 0 {
			if _, ok := missed[r.RuleID]; !ok {
				missed[r.RuleID] = fmt.Sprintf("no draw of %d reported by gitleaks in any style", maxDraws)
			}
			continue
		}
		out = append(out, got...)
	}
	return out, missed
}

// rawLimit bounds `*` and `+` in a whole-regex draw: rules such as slack-app-token need
// more than the one repetition gitleaks' samples use to pass their entropy threshold.
const rawLimit = 24

// raw is the fallback for rules whose secret needs context no style gives (a sidekiq
// variable name, a webhook URL): the whole rule regex is drawn, and the secret is what
// gitleaks reports in it. The random part is what five such secrets do not share.
func (g *Generator) raw(r config.Rule, seed uint64, ri int) []Sample {
	re, err := syntax.Parse(r.Regex.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	literalDots(re)
	rnd := rand.New(rand.NewPCG(seed, uint64(ri)<<8|0xff)) //nolint:gosec // a seeded, replayable test corpus, not key material
	var texts, secrets []string
	for d := 0; d < 4*maxDraws && len(secrets) < 5; d++ {
		gen, err := reggen.NewGenerator(re.String())
		if err != nil {
			return nil
		}
		gen.SetSeed(rnd.Int64())
		text := gen.Generate(rawLimit)
		for _, f := range g.detector.DetectString(text) {
			if f.RuleID == r.RuleID && strings.Contains(text, f.Secret) {
				texts, secrets = append(texts, text), append(secrets, f.Secret)
				break
			}
		}
	}
	if len(secrets) < 2 {
		return nil
	}
	pre, suf := secrets[0], secrets[0]
	for _, o := range secrets[1:] {
		pre, suf = commonPrefix(pre, o), commonSuffix(suf, o)
	}
	if len(pre)+len(suf) >= len(secrets[0]) {
		return nil
	}
	random := secrets[0][len(pre) : len(secrets[0])-len(suf)]
	if len(random) < 8 {
		return nil
	}
	return []Sample{{Rule: r.RuleID, Style: "raw", Text: texts[0], Secret: secrets[0], Random: random, ByRule: true}}
}

// reports says whether gitleaks finds a secret holding random in text (by any rule: a
// `curl -u` line is curl-auth-user's as much as the vendor's), and whether rule is one of
// the rules that do.
func (g *Generator) reports(text, random, rule string) (found, byRule bool) {
	for _, f := range g.detector.DetectString(text) {
		if strings.Contains(f.Secret, random) {
			found = true
			byRule = byRule || f.RuleID == rule
		}
	}
	return found, byRule
}

// vendorName is the identifier a secret is assigned to: the rule's first keyword that is a
// word (`adafruit`), which the semi-generic rules need before the secret.
func vendorName(r config.Rule) string {
	for _, k := range r.Keywords {
		w := strings.Map(func(c rune) rune {
			if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
				return c
			}
			return -1
		}, strings.ToLower(k))
		if len(w) >= 3 && w == strings.ToLower(k) {
			return w
		}
	}
	return "vendor"
}

// secretPattern is the part of a rule's regex that draws the secret: the secret group (or
// the first group, as gitleaks reads it), else the whole regex.
func secretPattern(expr string, group int) (*syntax.Regexp, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	if group == 0 {
		group = 1
	}
	if sub := findCapture(re, group); sub != nil {
		re = sub
	}
	literalDots(re)
	return re, nil
}

// literalDots turns `.` into a literal dot: in the rules' patterns it is an unescaped dot
// of a host name (`hooks.slack.com`), and a random byte there would never be reported.
func literalDots(re *syntax.Regexp) {
	if re.Op == syntax.OpAnyCharNotNL || re.Op == syntax.OpAnyChar {
		re.Op, re.Rune, re.Flags = syntax.OpLiteral, []rune{'.'}, 0
	}
	for _, s := range re.Sub {
		literalDots(s)
	}
}

func findCapture(re *syntax.Regexp, n int) *syntax.Regexp {
	if re.Op == syntax.OpCapture && re.Cap == n {
		return re.Sub[0]
	}
	for _, s := range re.Sub {
		if f := findCapture(s, n); f != nil {
			return f
		}
	}
	return nil
}

// draw generates one string of pattern with gitleaks' generator library, seeded from rnd.
func draw(pattern *syntax.Regexp, rnd *rand.Rand) (string, error) {
	g, err := reggen.NewGenerator(pattern.String())
	if err != nil {
		return "", err
	}
	g.SetSeed(rnd.Int64())
	return g.Generate(1), nil
}

// fixedParts are the prefix and suffix that four more draws of pattern share with secret:
// the vendor marker (`ghp_`, `AGE-SECRET-KEY-1`), not a secret.
func fixedParts(pattern *syntax.Regexp, secret string, rnd *rand.Rand) [2]string {
	pre, suf := secret, secret
	for range 4 {
		o, err := draw(pattern, rnd)
		if err != nil {
			break
		}
		pre = commonPrefix(pre, o)
		suf = commonSuffix(suf, o)
	}
	if len(pre)+len(suf) > len(secret) {
		suf = ""
	}
	return [2]string{pre, suf}
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

func commonSuffix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return a[len(a)-n:]
}
