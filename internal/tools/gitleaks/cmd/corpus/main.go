// Command corpus writes a fresh recall corpus as JSON lines: for every rule of gitleaks'
// default rule set, secrets drawn the way gitleaks draws its test samples, planted in the
// assignment styles of issue 8, each kept only where gitleaks itself reports it. One line
// per sample: {"rule", "style", "text", "secret", "random"}; "random" is the part no piece
// of which may survive redaction. The seed is printed on stderr; -seed or CORPUS_SEED
// replays a corpus.
//
// Run it from internal/tools/gitleaks: go run ./cmd/corpus -o corpus.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/corpus"
	"github.com/authobs/authobsprocessor/internal/tools/gitleaks/internal/gitleakscfg"
)

func main() {
	out := flag.String("o", "-", "output file (- for stdout)")
	seedFlag := flag.Uint64("seed", 0, "seed (default: CORPUS_SEED, else the clock)")
	flag.Parse()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
		if v := os.Getenv("CORPUS_SEED"); v != "" {
			s, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				fail(fmt.Errorf("CORPUS_SEED: %w", err))
			}
			seed = s
		}
	}
	cfg, err := gitleakscfg.Load()
	if err != nil {
		fail(err)
	}
	samples, missed := corpus.New(cfg).Generate(seed)
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	rules := map[string]bool{}
	for _, s := range samples {
		rules[s.Rule] = true
		if err := enc.Encode(s); err != nil { //nolint:gosec // the samples are generated fake secrets: writing them is the point
			fail(err)
		}
	}
	if err := bw.Flush(); err != nil {
		fail(err)
	}
	ids := make([]string, 0, len(missed))
	for id := range missed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintf(os.Stderr, "corpus seed %d (gitleaks %s): %d samples over %d rules; no sample for %v\n",
		seed, gitleakscfg.Version(), len(samples), len(rules), ids)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "corpus:", err)
	os.Exit(1)
}
