package redact

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// TestDifferentialDump writes, for every string of a large corpus, what the engine makes
// of it: the output of Redact, its hits, and every match the plain scan finds (catalogue
// matches included, overlaps and all). Two dumps, one from before a change of the engine's
// internals and one from after, must be byte-identical: the clean cache relies on Redact
// being a pure function of the string. It runs only when REDACT_DIFF_OUT names the file to
// write; REDACT_DIFF_CORPUS may name a directory of extra strings (*.jsonl lines with a
// "text" field, *.json OTLP files), such as the recall samples the tools module generates.
//
//	REDACT_DIFF_OUT=/tmp/before.txt go test -run TestDifferentialDump -count=1 .
func TestDifferentialDump(t *testing.T) {
	out := os.Getenv("REDACT_DIFF_OUT")
	if out == "" {
		t.Skip("REDACT_DIFF_OUT not set: the dump is a tool for comparing two versions of the engine")
	}
	strs := workload(t)
	for _, in := range benchInputs {
		strs = append(strs, in.s)
	}
	if dir := os.Getenv("REDACT_DIFF_CORPUS"); dir != "" {
		strs = append(strs, corpusDir(t, dir)...)
	}
	strs = append(strs, allowlistProbes(rand.New(rand.NewPCG(1, 2)), 40)...)
	// the workload walks JSON maps in random order: sorted, the planted strings below are
	// the same on every run
	slices.Sort(strs)
	strs = slices.Compact(strs)
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		secret, _ := plantedShapes[r.IntN(len(plantedShapes))](r)
		strs = append(strs, strs[r.IntN(len(strs))]+" "+secret+" "+strs[r.IntN(len(strs))])
	}
	slices.Sort(strs)
	strs = slices.Compact(strs)
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	n, changed := 0, 0
	for _, s := range strs {
		n++
		var hits Hits
		red, ok := e.Redact(s, &hits)
		if ok {
			changed++
		}
		sc := scanner{s: s}
		sc.scan()
		e.rules.scan(&sc)
		ms := slices.Clone(sc.found())
		slices.SortFunc(ms, func(a, b match) int {
			if a.start != b.start {
				return a.start - b.start
			}
			if a.end != b.end {
				return a.end - b.end
			}
			return int(a.det) - int(b.det)
		})
		fmt.Fprintf(w, "%q\n\t%v %q\n\t", s, ok, red)
		for d, h := range hits {
			if h != 0 {
				fmt.Fprintf(w, "%s=%d ", Detector(d), h)
			}
		}
		fmt.Fprintf(w, "\n\t%v\n", ms)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d distinct strings, %d redacted, written to %s", n, changed, out)
}

// corpusDir reads the strings of *.jsonl ("text" fields) and OTLP *.json files in dir.
func corpusDir(t *testing.T, dir string) []string {
	t.Helper()
	var strs []string
	lines, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range lines {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for l := range strings.Lines(string(data)) {
			var v struct{ Text string }
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			strs = append(strs, v.Text)
		}
	}
	otlp, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range otlp {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		strs = append(strs, jsonStrings(v, "stringValue", "key", "name")...)
	}
	return strs
}

// allowlistProbes are strings an allowlist of the catalogue accepts, or nearly: n draws
// from each allowlist regex, alone and as the value of each rule's keywords, so the
// allowlist paths of the engine see matches and near misses.
func allowlistProbes(r *rand.Rand, n int) []string {
	var out []string
	add := func(keywords []string, regexes []string) {
		for _, p := range regexes {
			re, err := syntax.Parse(p, syntax.Perl)
			if err != nil {
				continue
			}
			for range n {
				v := drawRegex(re, r)
				out = append(out, v)
				for _, k := range keywords {
					out = append(out, k+"_key = \""+v+"\"", k+": "+v, "token="+k+v)
				}
			}
		}
	}
	for _, a := range globalAllowlists {
		add([]string{"api", "password", "ghp_"}, a.Regexes)
	}
	for _, rule := range catalogue {
		for _, a := range rule.Allowlists {
			add(rule.Keywords, a.Regexes)
			add(rule.Keywords, a.StopWords)
		}
	}
	return out
}

// drawRegex draws a string re matches (ignoring assertions), or a near miss: repeats
// are drawn a little beyond their bounds at times.
func drawRegex(re *syntax.Regexp, r *rand.Rand) string {
	var b strings.Builder
	var draw func(re *syntax.Regexp)
	repeat := func(sub *syntax.Regexp, lo, hi int) {
		if hi < 0 || hi > lo+4 {
			hi = lo + 4
		}
		k := lo + r.IntN(hi-lo+1)
		if r.IntN(20) == 0 {
			k++
		}
		for range k {
			draw(sub)
		}
	}
	draw = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			for _, c := range re.Rune {
				if re.Flags&syntax.FoldCase != 0 && r.IntN(2) == 0 {
					c = unicode.SimpleFold(c)
				}
				b.WriteRune(c)
			}
		case syntax.OpCharClass:
			if len(re.Rune) == 0 {
				return
			}
			i := 2 * r.IntN(len(re.Rune)/2)
			lo, hi := re.Rune[i], min(re.Rune[i+1], re.Rune[i]+200)
			b.WriteRune(lo + rune(r.IntN(int(hi-lo)+1)))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte(byte(' ' + r.IntN(95)))
		case syntax.OpCapture:
			draw(re.Sub[0])
		case syntax.OpStar:
			repeat(re.Sub[0], 0, -1)
		case syntax.OpPlus:
			repeat(re.Sub[0], 1, -1)
		case syntax.OpQuest:
			repeat(re.Sub[0], 0, 1)
		case syntax.OpRepeat:
			repeat(re.Sub[0], re.Min, re.Max)
		case syntax.OpConcat:
			for _, s := range re.Sub {
				draw(s)
			}
		case syntax.OpAlternate:
			draw(re.Sub[r.IntN(len(re.Sub))])
		}
	}
	draw(re)
	return b.String()
}
