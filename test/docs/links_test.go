// Package docs checks the repository's documentation as a clone sees it: every relative link
// of a Markdown file resolves to a file of the repository, and no file points outside it.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// mdLink is the target of a Markdown link or image: ](target) up to a fragment or space.
	mdLink = regexp.MustCompile(`\]\(([^)#\s]+)`)
	// outside is a path that leaves the repository for the directory beside it.
	outside = regexp.MustCompile("(^|[\\s`(\"'])\\.\\./(shared|fixtures)/")
)

// TestLinksStayInRepository walks the repository (not _build, .git or fuzz corpora).
func TestLinksStayInRepository(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "_build", "_demo", ".git", filepath.Join("testdata", "fuzz-cache"):
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".md" && ext != ".go" && ext != ".yaml" && ext != ".sh" && d.Name() != "Makefile" && d.Name() != "Dockerfile" {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(raw)
		if loc := outside.FindStringIndex(text); loc != nil {
			t.Errorf("%s points outside the repository: %q", rel, strings.TrimSpace(text[loc[0]:min(loc[1]+40, len(text))]))
		}
		if ext != ".md" {
			return nil
		}
		checked++
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			abs := filepath.Clean(filepath.Join(filepath.Dir(path), target))
			if !strings.HasPrefix(abs, root+string(filepath.Separator)) && abs != root {
				t.Errorf("%s: link %s leaves the repository", rel, target)
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s: link %s does not resolve: %v", rel, target, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("only %d Markdown files found under %s", checked, root)
	}
}
