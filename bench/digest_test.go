package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/authobs/authobsprocessor"
)

// TestOutputDigest is the differential check of processor optimisations: with
// AUTHOBS_DIGEST=<file> it writes a digest of what authobs outputs and counts on every
// batch of the shared workloads (mixed and clean spans, logs, metrics) on both routes and
// in audit mode. Two digests from two versions of the code must be identical
// (`cmp before.txt after.txt`). It is a tool, not a test: without the variable it does
// nothing, because its only assertion is the comparison of two runs.
func TestOutputDigest(t *testing.T) {
	path := os.Getenv("AUTHOBS_DIGEST")
	if path == "" {
		t.Skip("AUTHOBS_DIGEST not set: the digest is written only on request")
	}
	var out strings.Builder
	for _, cfg := range []struct {
		name  string
		route authobsprocessor.Route
		mode  authobsprocessor.Mode
	}{
		{"trace_safe", authobsprocessor.RouteTraceSafe, authobsprocessor.ModeEnforce},
		{"log_only", authobsprocessor.RouteLogOnly, authobsprocessor.ModeEnforce},
		{"trace_safe_audit", authobsprocessor.RouteTraceSafe, authobsprocessor.ModeAudit},
	} {
		digestConfig(t, &out, cfg.name, cfg.route, cfg.mode)
	}
	if err := os.WriteFile(path, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func digestConfig(t *testing.T, out *strings.Builder, name string, route authobsprocessor.Route, mode authobsprocessor.Mode) {
	ctx := context.Background()
	f := authobsprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*authobsprocessor.Config)
	cfg.Route, cfg.Mode = route, mode
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(ctx) }()
	set := processortest.NewNopSettings(f.Type())
	set.TelemetrySettings = tel.NewTelemetrySettings()
	// authobs changes items in place: the batches are read back after it consumed them
	tp, err := f.CreateTraces(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	lp, err := f.CreateLogs(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	mp, err := f.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	sum := func(kind string, i int, b []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "%s %s %d %x\n", name, kind, i, sha256.Sum256(b))
	}
	// every batch twice: the second pass meets the values the clean cache now holds
	for pass := range 2 {
		for i := range Batches {
			w := NewWorkloadSeed(Seed+uint64(i), true)
			if err := tp.ConsumeTraces(ctx, w.Traces); err != nil {
				t.Fatal(err)
			}
			if err := lp.ConsumeLogs(ctx, w.Logs); err != nil {
				t.Fatal(err)
			}
			md := NewMetricsSeed(Seed + uint64(i))
			if err := mp.ConsumeMetrics(ctx, md); err != nil {
				t.Fatal(err)
			}
			clean := NewWorkloadSeed(Seed+uint64(i), false).Traces
			if err := tp.ConsumeTraces(ctx, clean); err != nil {
				t.Fatal(err)
			}
			b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(w.Traces)
			sum(fmt.Sprint("traces", pass), i, b, err)
			b, err = (&plog.ProtoMarshaler{}).MarshalLogs(w.Logs)
			sum(fmt.Sprint("logs", pass), i, b, err)
			b, err = (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
			sum(fmt.Sprint("metrics", pass), i, b, err)
			b, err = (&ptrace.ProtoMarshaler{}).MarshalTraces(clean)
			sum(fmt.Sprint("clean", pass), i, b, err)
		}
	}
	for _, m := range []string{"items", "attributes_dropped", "values_redacted", "values_normalized", "items_fail_closed"} {
		got, err := tel.GetMetric("otelcol_processor_authobs_" + m)
		if err != nil {
			fmt.Fprintf(out, "%s %s none\n", name, m)
			continue
		}
		var lines []string
		for _, dp := range got.Data.(metricdata.Sum[int64]).DataPoints {
			var labels []string
			for _, kv := range dp.Attributes.ToSlice() {
				if kv.Key != attribute.Key("processor") {
					labels = append(labels, string(kv.Key)+"="+kv.Value.String())
				}
			}
			lines = append(lines, fmt.Sprintf("%s %s {%s} %d", name, m, strings.Join(labels, ","), dp.Value))
		}
		slices.Sort(lines)
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
	}
}
