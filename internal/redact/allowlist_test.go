package redact

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

// TestAllowlistFiltersAgreeWithRegexes: the start-up tests in front of each allowlist
// regex (literal groups, first bytes, alphabet, length) only skip regexes that cannot
// match: on strings drawn from every allowlist regex of the catalogue, matches and near
// misses, with case twins and bytes outside ASCII around them, each allowlist accepts
// exactly what its regexes, run whole, accept.
func TestAllowlistFiltersAgreeWithRegexes(t *testing.T) {
	type list struct {
		name string
		al   Allowlist
	}
	var lists []list
	for _, a := range globalAllowlists {
		lists = append(lists, list{"global", a})
	}
	for _, r := range catalogue {
		for _, a := range r.Allowlists {
			if len(a.Regexes) > 0 {
				lists = append(lists, list{r.ID, a})
			}
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	affixes := []string{"", "", "x", "K", "\u212a", "\u017f", " ", "\n", "0", "=", "\xff"}
	var targets []string
	for _, l := range lists {
		for _, p := range l.al.Regexes {
			parsed, err := syntax.Parse(p, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			for range 150 {
				v := drawRegex(parsed, r)
				targets = append(targets, v, affixes[r.IntN(len(affixes))]+v+affixes[r.IntN(len(affixes))])
				// near misses, where a branch's sieve (the last test before its regex) decides
				if len(v) > 0 {
					bs := []byte(v)
					mut := "aZ9_-.=:/ \"'\n$\\*{}%@A"
					bs[r.IntN(len(bs))] = mut[r.IntN(len(mut))]
					targets = append(targets, v[:r.IntN(len(v))], string(bs))
				}
			}
		}
	}
	targets = append(targets, "", "true", "FALSE", "nul", "null", "$1", "${X}", "%s", "{{ x }}", "aaaa", "KKKK", "\u212a\u212a",
		"kK\u212a", "AKIAQWERTYUIOPASDFGH", "AAAAAAAAAAAAAAAAAAAB", "BAAAAAAAAAAAAAAAAAAA", "aaaA", "****", "...", "*.", "ABSKEXAMPLE")
	for _, in := range secretInputs {
		targets = append(targets, in.s)
	}
	accepted := 0
	for _, l := range lists {
		ca, err := compileAllowlist(l.al, l.name)
		if err != nil {
			t.Fatal(err)
		}
		var whole []*regexp.Regexp
		for _, p := range l.al.Regexes {
			whole = append(whole, regexp.MustCompile(p))
		}
		for _, s := range targets {
			want := false
			for _, re := range whole {
				want = want || re.MatchString(s)
			}
			if got := ca.regexMatches(s); got != want {
				t.Errorf("%s allowlist on %q: filtered %v, regexes %v", l.name, s, got, want)
			}
			if want {
				accepted++
			}
		}
	}
	t.Logf("%d allowlists, %d targets, %d accepted", len(lists), len(targets), accepted)
	if accepted < len(targets)/4 {
		t.Fatalf("only %d accepted: the draws no longer exercise the allowlists", accepted)
	}
}

// TestEntropyAtMostAgreesWithShannon: the table-driven entropy test gives shannon's answer
// for every limit of the catalogue and round numbers, on random strings of every length
// up to 300 over alphabets of 1 to 94 bytes, on strings whose entropy is exactly a whole
// number of bits (n equally frequent bytes), and on text outside ASCII.
func TestEntropyAtMostAgreesWithShannon(t *testing.T) {
	limits := []float64{0.5, 1, 1.5, 2, 2.5, 3, 3.25, 3.5, 4, 4.5, 5, 6, 7, 8}
	for _, rule := range catalogue {
		limits = append(limits, rule.Entropy)
	}
	r := rand.New(rand.NewPCG(9, 10))
	var strs []string
	for n := 1; n <= 300; n++ {
		for _, k := range []int{1, 2, 3, 4, 8, 10, 16, 26, 36, 62, 94} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('!' + r.IntN(k))
			}
			strs = append(strs, string(b))
		}
	}
	for _, k := range []int{2, 4, 8, 16, 32, 64} {
		for reps := 1; reps*k < 300; reps++ {
			b := make([]byte, 0, reps*k)
			for i := range reps * k {
				b = append(b, byte('0'+i%k))
			}
			strs = append(strs, string(b))
		}
	}
	strs = append(strs, "k7\u212aey", "\xff\xfe\xfd", "pässwörd-Xk7pQ2mZ9vL4rT8w")
	for _, s := range strs {
		for _, l := range limits {
			if got, want := entropyAtMost(s, l), shannon(s) <= l; got != want {
				t.Fatalf("%q (entropy %v), limit %v: table says %v, shannon %v", s, shannon(s), l, got, want)
			}
		}
	}
}

// TestHasNonASCII: the eight-bytes-at-a-time test agrees with a byte loop on every length
// up to 40 with one byte of 0x80 or more at every place, and on ASCII only.
func TestHasNonASCII(t *testing.T) {
	for n := 0; n <= 40; n++ {
		b := []byte(strings.Repeat("a", n))
		if hasNonASCII(string(b)) {
			t.Fatalf("%q: non-ASCII reported", b)
		}
		for i := range b {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b[i] = c
				if !hasNonASCII(string(b)) {
					t.Fatalf("%q: byte %#x at %d missed", b, c, i)
				}
				b[i] = 0x7f
				if hasNonASCII(string(b)) {
					t.Fatalf("%q: 0x7f reported", b)
				}
				b[i] = 'a'
			}
		}
	}
}
