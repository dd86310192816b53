package redact

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// TestDifferentialDump writes, for every string of a corpus, what the engine makes of it:
// the output, whether it changed, the hits and Explain's detectors. Run on two versions
// of the engine and compared byte for byte, it shows that an optimisation changed no
// verdict. It needs a corpus (JSON strings, one a line) and so runs only when asked:
//
//	REDACT_DIFF_CORPUS=corpus.jsonl REDACT_DIFF_OUT=out.txt go test -run DifferentialDump .
func TestDifferentialDump(t *testing.T) {
	in, outPath := os.Getenv("REDACT_DIFF_CORPUS"), os.Getenv("REDACT_DIFF_OUT")
	if in == "" || outPath == "" {
		t.Skip("REDACT_DIFF_CORPUS and REDACT_DIFF_OUT name the corpus and the dump")
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	plain, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	keyed, err := New(Options{FingerprintKey: []byte("k"), Replacement: "<x>"})
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		var s string
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		for _, e := range []*Engine{plain, keyed} {
			var hits Hits
			r, changed := e.Redact(s, &hits)
			q, _ := json.Marshal(r)
			fmt.Fprintf(w, "%d %s %v", n, q, changed)
			for d, k := range hits {
				if k != 0 {
					fmt.Fprintf(w, " %s=%d", Detector(d), k)
				}
			}
			fmt.Fprintf(w, " %v\n", e.Explain(s))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d strings", n)
}
