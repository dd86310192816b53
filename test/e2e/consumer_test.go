package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// consumerTimeout bounds each go command of the consumer module (tidy, list, build).
const consumerTimeout = 3 * time.Minute

// TestConsumerModuleGraph is what an operator's build sees of authobs: a module that imports
// only the processor package gets no module of this repository but the processor, and no
// receiver, exporter, otelcol or service module, so the operator's manifest keeps its own
// versions of everything authobs does not itself need.
func TestConsumerModuleGraph(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), fmt.Sprintf(`module example.com/consumer

go 1.26.0

require github.com/authobs/authobsprocessor v0.0.0

replace github.com/authobs/authobsprocessor => %s
`, root))
	writeFile(t, filepath.Join(dir, "main.go"), `package main

import (
	"fmt"

	"github.com/authobs/authobsprocessor"
)

func main() { fmt.Println(authobsprocessor.NewFactory().Type()) }
`)
	goCmd := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), consumerTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		cmd.WaitDelay = time.Second
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return string(out)
	}
	goCmd("mod", "tidy")
	graph := strings.Fields(goCmd("list", "-m", "-f", "{{.Path}}", "all"))

	var bad []string
	for _, path := range graph {
		if reason := foreignModule(path); reason != "" {
			bad = append(bad, path+" ("+reason+")")
		}
	}
	if len(bad) > 0 {
		t.Errorf("a consumer of the processor package gets %d modules it does not need:\n%s", len(bad), strings.Join(bad, "\n"))
	}

	bin := filepath.Join(dir, "consumer")
	goCmd("build", "-o", bin, ".")
	deps := 0
	for _, line := range strings.Split(goCmd("version", "-m", bin), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "dep" {
			deps++
			if reason := foreignModule(f[1]); reason != "" {
				t.Errorf("the consumer's binary links %s (%s)", f[1], reason)
			}
		}
	}
	t.Logf("consumer of the processor package: %d modules in the graph, %d linked into the binary", len(graph), deps)
}

// foreignModule says why a module must not be in a processor consumer's graph, or "".
func foreignModule(path string) string {
	const self = "github.com/authobs/authobsprocessor"
	if strings.HasPrefix(path, self+"/") {
		return "another module of this repository (client, test harness, bench or a tool)"
	}
	for _, seg := range strings.Split(path, "/") {
		switch {
		case strings.HasPrefix(seg, "receiver"), strings.HasPrefix(seg, "exporter"):
			return "a receiver or exporter"
		case seg == "otelcol", seg == "service", strings.HasPrefix(seg, "otelcoltest"):
			return "the collector service"
		case strings.Contains(seg, "mock"), strings.Contains(seg, "demo"):
			return "a mock or demo"
		}
	}
	return ""
}

// TestForeignModule pins the rule TestConsumerModuleGraph applies, on paths of both kinds.
func TestForeignModule(t *testing.T) {
	for path, foreign := range map[string]bool{
		"github.com/authobs/authobsprocessor":                                                    false,
		"go.opentelemetry.io/collector/processor/processorhelper":                                false,
		"go.opentelemetry.io/collector/pdata":                                                    false,
		"github.com/authobs/authobsprocessor/client":                                             true,
		"github.com/authobs/authobsprocessor/test":                                               true,
		"go.opentelemetry.io/collector/receiver/otlpreceiver":                                    true,
		"go.opentelemetry.io/collector/exporter/exporterhelper":                                  true,
		"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter":        true,
		"go.opentelemetry.io/collector/otelcol":                                                  true,
		"go.opentelemetry.io/collector/service":                                                  true,
		"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver": true,
	} {
		if got := foreignModule(path) != ""; got != foreign {
			t.Errorf("foreignModule(%s) = %q, want foreign=%v", path, foreignModule(path), foreign)
		}
	}
}
