package redact

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"time"
)

// sieveCase is a regex with the sieve built for it, run the way search runs it.
type sieveCase struct {
	name     string
	re       *regexp.Regexp // what search runs: anchored (`^(?:…)`) or free
	anchored bool
	sv       *sieve
	syn      *syntax.Regexp // what strings are drawn from
}

// sieveCases are every catalogue rule, in each form search runs it, and regexes that use
// what the catalogue seldom does (assertions, folding outside ASCII, nested repeats).
func sieveCases(t *testing.T) []sieveCase {
	t.Helper()
	rules, err := compiledCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var out []sieveCase
	add := func(name, expr string, r *compiledRule) {
		syn, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			cr, err := compileRule(Rule{ID: name, Regex: expr, Keywords: []string{"x"}}, Custom, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r = &cr
		}
		if r.sieve == nil {
			return
		}
		if r.anchored {
			out = append(out, sieveCase{name + "/anchored", r.re, true, r.sieve, syn}, sieveCase{name + "/free", r.free, false, r.sieve, syn})
		} else {
			out = append(out, sieveCase{name, r.re, false, r.sieve, syn})
		}
	}
	for i := range rules {
		r := &rules[i]
		add(r.id, ruleSource(catalogue[i].Regex), r)
	}
	for _, expr := range []string{
		`x(?m)^ab$c`, `x\Aab\z`, `x(?i)kelvin[a-c]{2,4}`, `x(?:ab){2,4}c$`, `x[^a]y.z`, `x(?s).q`,
		`xé+[ß-ÿ]`, `x\bfoo\B.`, `x$y?`, `x$$`, `x(?:a|b$|c\z)d?`, `x(?:ab?){3,}(?:c{0,2}|d)$`,
		`x(?U)a+?b`, `x(?:a*)*b`, `x[\p{Greek}a]{2}`, `x(?i)[ſk]{2}$`,
		// starts (findFree): a start inside a word, `\B`, a folded part after a start, two starts
		`\bAKIA[A-Z]{4}\b`, `AK[A-Z]{2}\b`, `\BKIA\d`, `(?:ab|cd)(?i)k[a-z]*`, `xy(?:z|$)`, `\b(?:AB|ABAB)[AB]{2}`, `(?:AB){0,2}CD[0-9]`, `x(?m)AB\n^CD`,
	} {
		add(expr, expr, nil)
	}
	return out
}

// ruleSource is the regex a rule's sieve is built from: the stripped form of a
// semi-generic rule.
func ruleSource(expr string) string {
	if rest, ok := strings.CutPrefix(expr, identPrefixCI); ok && strings.HasPrefix(rest, "(?:") {
		return "(?i)" + rest
	}
	if rest, ok := strings.CutPrefix(expr, identPrefixFolded); ok {
		return "(?i:" + rest
	}
	return expr
}

// sieveTexts are texts for one case: strings of its language in some context, and each of
// them cut short and with one byte changed, which is where a sieve that rejects too much
// would show.
func sieveTexts(c sieveCase, r *rand.Rand) []string {
	contexts := [][2]string{{"", ""}, {"", " "}, {"", `"`}, {"", "&lang=en"}, {"key = ", ";"}, {"a ", "\n"}, {"", `\n`}, {"", "é"}}
	var out []string
	for range 20 {
		m := drawRegex(c.syn, r)
		for _, ctx := range contexts {
			s := m + ctx[1]
			if !c.anchored {
				s = ctx[0] + s
			}
			out = append(out, s)
			if len(s) > 0 {
				out = append(out, s[:r.IntN(len(s))])
				bs := []byte(s)
				mut := "aZ9_-.=:/ \"'\n$\\"
				bs[r.IntN(len(bs))] = mut[r.IntN(len(mut))]
				out = append(out, string(bs))
			}
		}
	}
	return out
}

// TestSieveNeverRejectsAMatch: wherever a rule's regex matches, its sieve lets the regex
// run (the sieve may only turn away windows the regex finds nothing in), on strings drawn
// from every catalogue rule's regex, cut, changed and in context, and on the engine's
// benchmark and test inputs. It also shows that the sieve turns most of the windows
// without a match away, which is what it is for.
func TestSieveNeverRejectsAMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	var common []string
	for _, in := range benchInputs {
		if len(in.s) < 1024 { // the 64 KiB one would only make this test slow
			common = append(common, in.s)
		}
	}
	for _, in := range secretInputs {
		common = append(common, in.s)
	}
	common = append(common, "curl -u user:pass https://h", "Authorization: Bearer x", "\u212aey=abc", "ſecret: é")
	var matched, missed, rejected int
	for _, c := range sieveCases(t) {
		texts := append(sieveTexts(c, r), common...)
		for _, s := range texts {
			for _, w := range []string{s, s[min(len(s), 1):]} {
				m := c.re.MatchString(w)
				ok := c.sv.mayMatch(w, c.anchored)
				switch {
				case m && !ok:
					t.Errorf("%s: the sieve rejects %q, which the regex matches", c.name, w)
				case m:
					matched++
				case !ok:
					rejected++
				default:
					missed++
				}
			}
		}
	}
	t.Logf("%d windows with a match, all let through; of %d without, %d turned away", matched, rejected+missed, rejected)
	if matched < 10000 || rejected < (rejected+missed)/2 {
		t.Errorf("too few matches (%d) or rejections (%d of %d) to show anything", matched, rejected, rejected+missed)
	}
}

// TestSieveCoversTheCatalogue: every catalogue rule but the largest has the automaton;
// those have their required literals at least.
func TestSieveCoversTheCatalogue(t *testing.T) {
	rules, err := compiledCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var literalsOnly []string
	for _, r := range rules {
		switch {
		case r.sieve == nil:
			t.Errorf("%s has no sieve", r.id)
		case r.sieve.none:
			literalsOnly = append(literalsOnly, r.id)
		}
	}
	if len(literalsOnly) > 3 {
		t.Errorf("%d rules have no automaton: %v", len(literalsOnly), literalsOnly)
	}
	t.Logf("rules with required literals only (too many positions): %v", literalsOnly)
}

// TestFindFreeIsFindAll: a free search that begins at the word of the first start and
// searches again only where a start occurs (findFree) finds what FindAll finds, index for
// index, for every catalogue rule with starts and for regexes that test its edges (`\b`,
// `\B`, a start inside a word, folding, `$`), on the sieve's texts, each doubled (two
// matches, apart and in one word) and behind a word and a multi-byte rune.
func TestFindFreeIsFindAll(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2026))
	var common []string
	for _, in := range secretInputs {
		common = append(common, in.s)
	}
	var rules, windows, found, multi int
	for _, c := range sieveCases(t) {
		if c.anchored {
			continue
		}
		cr, err := compileRule(Rule{ID: c.name, Regex: c.re.String(), Keywords: []string{"x"}}, Custom, c.name)
		if err != nil {
			t.Fatal(err)
		}
		if cr.starts == nil {
			continue
		}
		rules++
		prev := ""
		for _, s := range append(sieveTexts(c, r), common...) {
			// two different draws: the first start that occurs is not always the first listed
			for _, w := range []string{s, s + " " + s, s + s, "word" + s, "é" + s + "\u212a" + s, s[min(len(s), 1):], s + " " + prev, prev + s} {
				want := c.re.FindAllStringSubmatchIndex(w, -1)
				got := cr.findFree(c.re, w)
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("%s on %q: findFree %v, FindAll %v", c.name, w, got, want)
				}
				windows++
				if len(want) > 0 {
					found++
				}
				if len(want) > 1 {
					multi++
				}
			}
			prev = s
		}
	}
	// many matches in one window: each start is looked for once (findFree's next), so this
	// costs what FindAll costs, not a search of the rest of the window per match
	aws, err := compileRule(catalogue[slices.IndexFunc(catalogue[:], func(r Rule) bool { return r.ID == "aws-access-token" })], Custom, "aws")
	if err != nil {
		t.Fatal(err)
	}
	many := strings.Repeat("AKIAQWERTYUIOPASDFGH ", 20000) + "ASIAQWERTYUIOPASDFGH"
	start := time.Now()
	got := aws.findFree(aws.re, many)
	took := time.Since(start)
	t.Logf("20 001 aws keys in one window: %v", took)
	if took > 2*time.Second {
		t.Errorf("20 001 aws keys in one window took %v", took)
	}
	if want := aws.re.FindAllStringSubmatchIndex(many, -1); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("20 001 aws keys: findFree found %d, FindAll %d", len(got), len(want))
	}
	t.Logf("%d rules with starts, %d windows, %d with a match, %d with two or more", rules, windows, found, multi)
	if rules < 10 || found < 5000 || multi < 1000 {
		t.Errorf("too few rules (%d), matches (%d) or repeated matches (%d) to show anything", rules, found, multi)
	}
}
