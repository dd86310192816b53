package authobsprocessor

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// batches is one input for every signal.
type batches struct {
	td ptrace.Traces
	ld plog.Logs
	md pmetric.Metrics
}

func (b batches) clone() batches {
	c := batches{ptrace.NewTraces(), plog.NewLogs(), pmetric.NewMetrics()}
	b.td.CopyTo(c.td)
	b.ld.CopyTo(c.ld)
	b.md.CopyTo(c.md)
	return c
}

// propertyInputs are the inputs of the audit property: every value of the fuzz corpus
// (testdata/fuzz) under every evidence key of an auth operation and in every place of a
// batch, every Codex capture, and every hostile value.
func propertyInputs(t *testing.T) map[string]batches {
	t.Helper()
	in := map[string]batches{}
	for path, values := range fuzzCorpusValues(t) {
		for i, v := range values {
			td, ld, md, _ := hostileBatches(v)
			plantEvidence(td, ld, v)
			in[fmt.Sprintf("fuzz %s #%d", path, i)] = batches{td, ld, md}
		}
	}
	for _, scenario := range codexScenarios {
		in["codex "+scenario] = batches{loadCodexTraces(t, scenario), loadCodexLogs(t, scenario), pmetric.NewMetrics()}
	}
	for _, hv := range hostileValues() {
		td, ld, md, _ := hostileBatches(hv.value)
		in["hostile "+hv.name] = batches{td, ld, md}
	}
	return in
}

// fuzzCorpusValues reads the string and []byte arguments of every corpus file
// (`go test fuzz v1` format) under testdata/fuzz.
func fuzzCorpusValues(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(filepath.Join("testdata", "fuzz"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(filepath.Dir(path)) == "fuzz" {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			for _, prefix := range []string{"string(", "[]byte("} {
				if quoted, ok := strings.CutPrefix(line, prefix); ok {
					s, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
					if err != nil {
						return fmt.Errorf("%s: %q: %w", path, line, err)
					}
					out[path] = append(out[path], s)
				}
			}
		}
		return sc.Err()
	})
	require.NoError(t, err)
	require.NotEmpty(t, out, "the fuzz corpus is empty")
	return out
}

// plantEvidence puts v under every evidence key on an auth span, span event and log record.
func plantEvidence(td ptrace.Traces, ld plog.Logs, v string) {
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	span.SetName("api_request")
	ev := span.Events().AppendEmpty()
	ev.Attributes().PutStr("event.name", "codex.auth_recovery")
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	lr.Attributes().PutStr("event.name", "codex.websocket_connect")
	for k := range evidenceRules() {
		span.Attributes().PutStr(k, v)
		ev.Attributes().PutStr(k, v)
		lr.Attributes().PutStr(k, v)
	}
}

// countsOf is every data point of the processor's own metrics, by metric and attributes.
func (h *hostileRun) countsOf(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, name := range []string{"items", "attributes_dropped", "values_redacted", "values_normalized", "items_fail_closed"} {
		m, err := h.tel.GetMetric("otelcol_processor_authobs_" + name)
		if err != nil {
			continue // nothing recorded
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			out[name+" "+dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
		}
	}
	return out
}

// TestAuditIsEnforceWithoutChanges: on every property input and route, audit mode passes
// every batch on exactly as it came, while its counters equal those of enforce on the same
// input — and enforce counted something exactly when it changed something.
func TestAuditIsEnforceWithoutChanges(t *testing.T) {
	inputs := propertyInputs(t)
	names := make([]string, 0, len(inputs))
	for name := range inputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, route := range routes {
		for _, name := range names {
			t.Run(string(route)+"/"+name, func(t *testing.T) {
				in := inputs[name]
				run := func(mode Mode) (*hostileRun, batches) {
					cfg := routeConfig(route)
					cfg.Mode = mode
					cfg.Evidence.RequestID = IDHash
					h := newHostileRun(t, cfg)
					b := in.clone()
					h.consume(t, b.td, b.ld, b.md)
					return h, batches{h.tsink.AllTraces()[0], h.lsink.AllLogs()[0], h.msink.AllMetrics()[0]}
				}
				enforce, enforced := run(ModeEnforce)
				audit, audited := run(ModeAudit)

				assert.Equal(t, in.td, audited.td, "audit changed traces")
				assert.Equal(t, in.ld, audited.ld, "audit changed logs")
				assert.Equal(t, in.md, audited.md, "audit changed metrics")
				assert.Equal(t, enforce.countsOf(t), audit.countsOf(t), "audit counts what enforce did")

				changed := !assert.ObjectsAreEqual(in.td, enforced.td) || !assert.ObjectsAreEqual(in.ld, enforced.ld) ||
					!assert.ObjectsAreEqual(in.md, enforced.md)
				assert.Equal(t, changed, enforce.handled(t) > 0, "enforce changed the data without counting it, or counted without changing")
			})
		}
	}
}

// mutatorName is a pdata method that changes data.
var mutatorName = regexp.MustCompile(`^(Set[A-Z]|Put[A-Z]|Remove|CopyTo|FromRaw|Clear|Move|Append|EnsureCapacity)`)

// writeSitesOutsideWriter lists the places in a file where telemetry could change
// outside the writer: a pdata mutator called, or taken as a value other than as an
// argument (setters are handed on, down to the writer, never stored), or a setter
// parameter (func(string)) called.
func writeSitesOutsideWriter(fset *token.FileSet, file *ast.File) []string {
	var sites []string
	site := func(n ast.Node, what string) {
		sites = append(sites, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	handedOn := map[ast.Expr]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			for _, arg := range n.Args {
				handedOn[arg] = true
			}
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && mutatorName.MatchString(sel.Sel.Name) {
				site(sel, sel.Sel.Name+" called")
				handedOn[sel] = true // reported once
			}
		case *ast.FuncDecl:
			for _, setter := range setterParams(n.Type) {
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if call, ok := m.(*ast.CallExpr); ok {
						if id, ok := call.Fun.(*ast.Ident); ok && id.Name == setter {
							site(call, setter+" called")
						}
					}
					return true
				})
			}
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && mutatorName.MatchString(sel.Sel.Name) && !handedOn[sel] {
			site(sel, sel.Sel.Name+" kept as a value")
		}
		return true
	})
	return sites
}

// setterParams are the names of a function's func(string) parameters.
func setterParams(fn *ast.FuncType) []string {
	var names []string
	for _, field := range fn.Params.List {
		ft, ok := field.Type.(*ast.FuncType)
		if !ok || ft.Params.NumFields() != 1 || ft.Results.NumFields() != 0 {
			continue
		}
		if id, ok := ft.Params.List[0].Type.(*ast.Ident); ok && id.Name == "string" {
			for _, name := range field.Names {
				names = append(names, name.Name)
			}
		}
	}
	return names
}

// TestOnlyTheWriterChangesData keeps audit mode safe by construction: outside writer.go no
// code of the processor changes telemetry, so no write site can forget the mode.
func TestOnlyTheWriterChangesData(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") || path == "writer.go" {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		assert.Empty(t, writeSitesOutsideWriter(fset, file), "change telemetry through the writer")
		checked++
	}
	assert.Greater(t, checked, 5)

	// the check itself finds a direct write and a setter used outside the writer
	bad := `package x
func f(p *authobsProcessor, span ptrace.Span, set func(string)) {
	span.SetName("x")
	kept := span.Status().SetMessage
	p.w.set(span.SetName, "ok")
	p.redactField(span.Name(), span.SetName, c)
	removeAll(p.w, span.Links().RemoveIf)
	countersPool.Put(c)
	set("y")
}`
	file, err := parser.ParseFile(fset, "bad.go", bad, 0)
	require.NoError(t, err)
	sites := writeSitesOutsideWriter(fset, file)
	sort.Strings(sites)
	assert.Equal(t, []string{"bad.go:3:2: SetName called", "bad.go:4:10: SetMessage kept as a value", "bad.go:9:2: set called"}, sites)
}
