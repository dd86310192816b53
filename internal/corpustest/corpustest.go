// Package corpustest reads the repository's external corpora for tests: the real Codex CLI
// captures (OTLP JSON, some gzipped) and OpenTelemetry's benign example values. Only tests
// import it, so it is never part of what a consumer of the processor builds.
package corpustest

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each decodes every JSON document of the Codex captures and the benign corpus under the
// repository root root (a relative path from the test's package directory) and hands it
// to fn, which picks the strings it wants.
func Each(tb testing.TB, root string, fn func(doc any)) {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(root, "testdata/codex/*/otlp_*"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("codex captures under %s: %v", root, err)
	}
	files = append(files, filepath.Join(root, "testdata/benign/benign-otel-values.json"))
	for _, f := range files {
		fh, err := os.Open(f) //nolint:gosec // G304: the repository's own corpus files, found by the glob above
		if err != nil {
			tb.Fatal(err)
		}
		var r io.Reader = fh
		if strings.HasSuffix(f, ".gz") {
			if r, err = gzip.NewReader(fh); err != nil {
				tb.Fatal(err)
			}
		}
		for dec := json.NewDecoder(r); ; {
			var v any
			if dec.Decode(&v) != nil {
				break
			}
			fn(v)
		}
		_ = fh.Close()
	}
}
