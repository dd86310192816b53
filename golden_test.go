package authobsprocessor

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var codexScenarios = []string{"http_401", "http_401_then_200", "ws_200", "ws_401_then_http_200"}

// loadCodexLogs merges every OTLP/JSON export request of a capture into one batch.
func loadCodexLogs(t testing.TB, scenario string) plog.Logs {
	t.Helper()
	out := plog.NewLogs()
	forEachLine(t, filepath.Join("testdata", "codex", scenario, "otlp_logs.jsonl"), func(line []byte) {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
		require.NoError(t, err)
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	})
	return out
}

func loadCodexTraces(t testing.TB, scenario string) ptrace.Traces {
	t.Helper()
	out := ptrace.NewTraces()
	forEachLine(t, filepath.Join("testdata", "codex", scenario, "otlp_traces.jsonl.gz"), func(line []byte) {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
		require.NoError(t, err)
		td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	})
	return out
}

func forEachLine(t testing.TB, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		require.NoError(t, err)
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) > 0 {
			fn(sc.Bytes())
		}
	}
	require.NoError(t, sc.Err())
}

func newTestProcessors(t testing.TB, cfg *Config) (*consumertest.TracesSink, *consumertest.LogsSink, func(ptrace.Traces), func(plog.Logs)) {
	t.Helper()
	return newTestProcessorsOf(t, NewFactory(), cfg)
}

// newTestProcessorsOf builds both processors from one factory: they share one instance.
func newTestProcessorsOf(t testing.TB, factory processor.Factory, cfg *Config) (*consumertest.TracesSink, *consumertest.LogsSink, func(ptrace.Traces), func(plog.Logs)) {
	t.Helper()
	tsink, lsink := new(consumertest.TracesSink), new(consumertest.LogsSink)
	set := processortest.NewNopSettings(factory.Type())
	tp, err := factory.CreateTraces(context.Background(), set, cfg, tsink)
	require.NoError(t, err)
	lp, err := factory.CreateLogs(context.Background(), set, cfg, lsink)
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, lp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		assert.NoError(t, tp.Shutdown(context.Background()))
		assert.NoError(t, lp.Shutdown(context.Background()))
	})
	return tsink, lsink,
		func(td ptrace.Traces) { require.NoError(t, tp.ConsumeTraces(context.Background(), td)) },
		func(ld plog.Logs) { require.NoError(t, lp.ConsumeLogs(context.Background(), ld)) }
}

func routeConfig(route Route) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Route = route
	return cfg
}

// TestCodexGolden feeds every Codex capture through both routes and compares a readable
// account of the result with the reviewed files in testdata/golden: auth operations in
// full, other items only where the processor changed them.
func TestCodexGolden(t *testing.T) {
	for _, scenario := range codexScenarios {
		for _, route := range []Route{RouteTraceSafe, RouteLogOnly} {
			t.Run(scenario+"/"+string(route), func(t *testing.T) {
				tsink, lsink, consumeTraces, consumeLogs := newTestProcessors(t, routeConfig(route))
				inLogs, inTraces := loadCodexLogs(t, scenario), loadCodexTraces(t, scenario)
				consumeLogs(copyLogs(inLogs))
				consumeTraces(copyTraces(inTraces))
				require.Len(t, lsink.AllLogs(), 1)
				require.Len(t, tsink.AllTraces(), 1)
				outLogs, outTraces := lsink.AllLogs()[0], tsink.AllTraces()[0]

				assert.Equal(t, inLogs.LogRecordCount(), outLogs.LogRecordCount(), "no log record lost")
				assert.Equal(t, inTraces.SpanCount(), outTraces.SpanCount(), "no span lost")

				got := describeLogs(inLogs, outLogs) + describeTraces(inTraces, outTraces)
				path := filepath.Join("testdata", "golden", scenario+"."+string(route)+".txt")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, string(want), got)
			})
		}
	}
}

func copyLogs(ld plog.Logs) plog.Logs {
	out := plog.NewLogs()
	ld.CopyTo(out)
	return out
}

func copyTraces(td ptrace.Traces) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	return out
}

// describeLogs walks input and output side by side (the processor keeps item order).
func describeLogs(in, out plog.Logs) string {
	var b strings.Builder
	b.WriteString("== logs\n")
	for i := 0; i < out.ResourceLogs().Len(); i++ {
		rin, rout := in.ResourceLogs().At(i), out.ResourceLogs().At(i)
		describeChange(&b, fmt.Sprintf("resource[%d]", i), rin.Resource().Attributes(), rout.Resource().Attributes(), false)
		for j := 0; j < rout.ScopeLogs().Len(); j++ {
			lin, lout := rin.ScopeLogs().At(j).LogRecords(), rout.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lout.Len(); k++ {
				name := eventNameOf(lin.At(k).Attributes())
				label := fmt.Sprintf("log[%d.%d.%d] %s", i, j, k, name)
				describeChange(&b, label, lin.At(k).Attributes(), lout.At(k).Attributes(), isAuthEvent(name))
				if lin.At(k).Body().AsString() != lout.At(k).Body().AsString() {
					fmt.Fprintf(&b, "  body: %q -> %q\n", lin.At(k).Body().AsString(), lout.At(k).Body().AsString())
				}
			}
		}
	}
	return b.String()
}

func describeTraces(in, out ptrace.Traces) string {
	var b strings.Builder
	b.WriteString("== traces\n")
	for i := 0; i < out.ResourceSpans().Len(); i++ {
		rin, rout := in.ResourceSpans().At(i), out.ResourceSpans().At(i)
		describeChange(&b, fmt.Sprintf("resource[%d]", i), rin.Resource().Attributes(), rout.Resource().Attributes(), false)
		for j := 0; j < rout.ScopeSpans().Len(); j++ {
			sin, sout := rin.ScopeSpans().At(j).Spans(), rout.ScopeSpans().At(j).Spans()
			for k := 0; k < sout.Len(); k++ {
				label := fmt.Sprintf("span[%d.%d.%d] %s", i, j, k, sin.At(k).Name())
				describeChange(&b, label, sin.At(k).Attributes(), sout.At(k).Attributes(), false)
				ein, eout := sin.At(k).Events(), sout.At(k).Events()
				for e := 0; e < eout.Len(); e++ {
					name := eventNameOf(ein.At(e).Attributes())
					describeChange(&b, fmt.Sprintf("%s event[%d] %s", label, e, name), ein.At(e).Attributes(), eout.At(e).Attributes(), isAuthEvent(name))
				}
			}
		}
	}
	return b.String()
}

func eventNameOf(attrs pcommon.Map) string {
	if v, ok := attrs.Get("event.name"); ok {
		return v.AsString()
	}
	return ""
}

func isAuthEvent(name string) bool {
	switch name {
	case "codex.api_request", "codex.websocket_connect", "codex.websocket_request", "codex.auth_recovery":
		return true
	}
	return false
}

// describeChange prints every attribute of an auth item, and for other items only the
// attributes that were removed, changed or added.
func describeChange(b *strings.Builder, label string, in, out pcommon.Map, full bool) {
	var lines []string
	keys := map[string]bool{}
	in.Range(func(k string, _ pcommon.Value) bool { keys[k] = true; return true })
	out.Range(func(k string, _ pcommon.Value) bool { keys[k] = true; return true })
	for k := range keys {
		vin, inOK := in.Get(k)
		vout, outOK := out.Get(k)
		switch {
		case inOK && !outOK:
			lines = append(lines, fmt.Sprintf("  - %s = %s", k, show(vin)))
		case !inOK && outOK:
			lines = append(lines, fmt.Sprintf("  + %s = %s", k, show(vout)))
		case !vin.Equal(vout):
			lines = append(lines, fmt.Sprintf("  ~ %s = %s -> %s", k, show(vin), show(vout)))
		case full:
			lines = append(lines, fmt.Sprintf("    %s = %s", k, show(vout)))
		}
	}
	if len(lines) == 0 {
		return
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][4:] < lines[j][4:] })
	fmt.Fprintf(b, "%s\n%s\n", label, strings.Join(lines, "\n"))
}

func show(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return fmt.Sprintf("%q", v.Str())
	}
	return fmt.Sprintf("%s(%s)", v.Type(), v.AsString())
}
