package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// chartDefaults are the components and pipelines of the chart's own default `config`
// (opentelemetry-collector chart 0.170.0) that the chart merges into ours. otelcol-authobs
// builds none of these receivers and the debug exporter, and the default pipelines would
// bypass authobs, so deploy/helm/values.yaml must remove each with null.
var chartDefaults = map[string][]string{
	"receivers":          {"jaeger", "zipkin", "prometheus"},
	"exporters":          {"debug"},
	"service.pipelines.": {"logs", "metrics", "traces"},
}

// TestHelmValues checks deploy/helm/values.yaml against the Dockerfile and the chart's
// conventions, then validates its collector configuration with the built binary the way the
// chart renders it: merged into the chart's defaults, where a null removes a default.
func TestHelmValues(t *testing.T) {
	root := repoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "deploy", "helm", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(raw, &values); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	get := func(path string) any {
		var v any = values
		for _, k := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		}
		return v
	}

	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	uid := regexp.MustCompile(`(?m)^ARG USER_UID=(\d+)$`).FindSubmatch(dockerfile)
	if uid == nil {
		t.Fatal("Dockerfile: no ARG USER_UID")
	}
	for path, want := range map[string]any{
		"mode":                         "statefulset",
		"command.name":                 "otelcol-authobs", // the chart runs /<name>; the Dockerfile's ENTRYPOINT
		"service.clusterIP":            "None",
		"securityContext.runAsUser":    mustAtoi(t, string(uid[1])),
		"podSecurityContext.fsGroup":   mustAtoi(t, string(uid[1])),
		"securityContext.runAsNonRoot": true,
	} {
		if got := get(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}

	config, ok := get("config").(map[string]any)
	if !ok {
		t.Fatal("values.yaml has no config map")
	}
	if strings.Contains(string(raw), "{{") {
		t.Error("values.yaml holds {{: the chart renders config through tpl")
	}
	for section, names := range chartDefaults {
		for _, name := range names {
			path := "config." + strings.TrimSuffix(section, ".") + "." + name
			m, _ := get("config." + strings.TrimSuffix(section, ".")).(map[string]any)
			if v, present := m[name]; !present || v != nil {
				t.Errorf("%s: the chart's default must be removed with null", path)
			}
		}
	}

	// health_check on the port of the chart's probes, and enabled.
	if ep, _ := get("config.extensions.health_check.endpoint").(string); !strings.HasSuffix(ep, ":13133") {
		t.Errorf("health_check endpoint %q: the chart's probes call port 13133", ep)
	}
	enabled := map[string]bool{}
	for _, e := range get("config.service.extensions").([]any) {
		enabled[e.(string)] = true
	}
	if !enabled["health_check"] {
		t.Error("health_check is not in service.extensions")
	}

	// The queue's directory is the volume of the StatefulSet, and every queue uses it.
	storageDir, _ := get("config.extensions.file_storage/queue.directory").(string)
	var claims []string
	for _, c := range get("statefulset.volumeClaimTemplates").([]any) {
		claims = append(claims, c.(map[string]any)["metadata"].(map[string]any)["name"].(string))
	}
	mounted := false
	for _, m := range get("extraVolumeMounts").([]any) {
		mount := m.(map[string]any)
		if mount["mountPath"] == storageDir && len(claims) == 1 && mount["name"] == claims[0] {
			mounted = true
		}
	}
	if storageDir == "" || !mounted {
		t.Errorf("file_storage/queue directory %q is not the mount of the volume claim %v", storageDir, claims)
	}
	if !enabled["file_storage/queue"] {
		t.Error("file_storage/queue is not in service.extensions")
	}
	for name, exp := range get("config.exporters").(map[string]any) {
		if exp == nil {
			continue
		}
		if s := get("config.exporters." + name + ".sending_queue.storage"); s != "file_storage/queue" {
			t.Errorf("exporter %s: sending_queue.storage = %v, want the durable file_storage/queue", name, s)
		}
	}

	// Render as the chart does (a null removes the default it names; nothing else of ours is
	// null), point the storage directory at a temporary one (validation checks that it
	// exists), and validate with the binary.
	rendered := dropNulls(config).(map[string]any)
	storageDir = t.TempDir()
	rendered["extensions"].(map[string]any)["file_storage/queue"].(map[string]any)["directory"] = storageDir
	out, err := yaml.Marshal(rendered)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "relay.yaml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	env := validateEnv(t)
	env["MY_POD_IP"] = "127.0.0.1" // the chart sets it from status.podIP
	if out, err := runCollectorCommand(t, env, "validate", "--config", path); err != nil {
		t.Fatalf("validate the chart's rendering of deploy/helm/values.yaml: %v\n%s", err, out)
	}

	// Run it as the pod would, on a loopback address of its own (the ports are the chart's
	// fixed ones): health_check answers, and the queues open their files on the volume.
	env["MY_POD_IP"] = fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), rand.IntN(250), 1+rand.IntN(250))
	col, _ := startCollector(t, path, env)
	client := &http.Client{Timeout: sendTimeout, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + env["MY_POD_IP"] + ":13133/")
	if err != nil {
		t.Fatalf("health_check: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health_check answered %s", resp.Status)
	}
	// One durable queue per exporter and signal of the pipelines.
	var queues []string
	entries, err := os.ReadDir(storageDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		queues = append(queues, e.Name())
	}
	want := "exporter_otlp_grpc_trusted_logs exporter_otlp_grpc_trusted_traces exporter_otlp_http_trace_backend_metrics exporter_otlp_http_trace_backend_traces"
	if got := strings.Join(queues, " "); got != want {
		t.Errorf("queue files on the volume:\n%s\nwant\n%s", got, want)
	}
	if err := col.Stop(); err != nil {
		t.Errorf("collector exit: %v\n%s", err, col.Logs())
	}
}

// dropNulls returns v without the map entries whose value is null, recursively: Helm's rule
// for a user value of null over a chart default.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = dropNulls(e)
		}
		return out
	default:
		return v
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
