package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/attributesprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"

	"github.com/authobs/authobsprocessor"
)

// SecretPatterns are the secret shapes authobs finds with its built-in detectors, written
// as the regular expressions the contrib processors need for the same job.
var SecretPatterns = []string{
	`sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}`,
	`gh[pousr]_[A-Za-z0-9]{20,}`,
	`github_pat_[A-Za-z0-9_]{20,}`,
	`(?:AKIA|ASIA)[0-9A-Z]{16}`,
	`xox[bpaesr]-[A-Za-z0-9-]{10,}`,
	`AIza[0-9A-Za-z_-]{30,}`,
	`eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?`,
	`(?i)(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`,
	`(?i)(?:access_token|refresh_token|id_token|api_key|apikey|token|password|secret|code|key)=[^&\s"']+`,
	`://[^/\s:@]+:[^/\s@]+@`,
}

// SensitiveKeyPattern names the keys whose whole value is a secret.
const SensitiveKeyPattern = `(?i)(?:authorization|cookie|password|secret|token|api[_.-]?key|access[_.-]?key)`

// PersonalKeys are the personal-data keys authobs drops on trace_safe; attributesprocessor
// gets delete/hash actions for them.
var PersonalKeys = []string{"user.email", "user.id", "user.account_id", "enduser.id", "host.name", "prompt", "cwd"}

// Contender is one processor under test, created through its factory.
type Contender struct {
	Name   string
	Traces func(context.Context, ptrace.Traces) error // nil: not a traces processor
	Logs   func(context.Context, plog.Logs) error
	// Metrics is set for the floor and authobs only: the contrib contenders are configured
	// for traces and logs.
	Metrics func(context.Context, pmetric.Metrics) error
	close   func()
}

// Close shuts the contender down.
func (c *Contender) Close() {
	if c.close != nil {
		c.close()
	}
}

// ContenderNames in report order. floor is not a processor: it reads every byte.
var ContenderNames = []string{
	"floor",
	"authobs_trace_safe",
	"authobs_log_only",
	"redaction",
	"transform",
	"attributes",
	"transform+attributes",
}

// yamlConfigs are the contrib configurations, as an operator would write them.
func yamlConfigs() map[string]string {
	quoted := make([]string, len(SecretPatterns))
	for i, p := range SecretPatterns {
		quoted[i] = "    - " + yamlQuote(p)
	}
	// OTTL gets one alternation of the same patterns: one pass per value instead of ten.
	alt := make([]string, len(SecretPatterns))
	for i, p := range SecretPatterns {
		alt[i] = "(?:" + strings.TrimPrefix(p, "(?i)") + ")"
	}
	re := "(?i)" + strings.Join(alt, "|")
	re = strings.ReplaceAll(strings.ReplaceAll(re, `\`, `\\`), `"`, `\"`)
	stmt := func(path string) string {
		return "        - " + yamlQuote(fmt.Sprintf(`replace_all_patterns(%s, "value", "%s", "****")`, path, re))
	}
	one := func(path string) string {
		return "        - " + yamlQuote(fmt.Sprintf(`replace_pattern(%s, "%s", "****")`, path, re))
	}
	var personal []string
	for _, k := range PersonalKeys {
		action := "delete"
		if strings.HasPrefix(k, "user.") || k == "enduser.id" {
			action = "hash"
		}
		personal = append(personal, fmt.Sprintf("    - {key: %s, action: %s}", k, action))
	}
	return map[string]string{
		"redaction": `
allow_all_keys: true
redact_all_types: true
summary: silent
blocked_key_patterns:
    - ` + yamlQuote(SensitiveKeyPattern) + `
blocked_values:
` + strings.Join(quoted, "\n"),
		"transform": `
error_mode: ignore
trace_statements:
    - context: resource
      statements:
` + stmt("attributes") + `
    - context: span
      statements:
` + stmt("attributes") + "\n" + one("status.message") + `
    - context: spanevent
      statements:
` + stmt("attributes") + `
log_statements:
    - context: resource
      statements:
` + stmt("attributes") + `
    - context: log
      statements:
` + stmt("attributes") + "\n" + one("body"),
		"attributes": `
actions:
` + strings.Join(personal, "\n"),
	}
}

// yamlQuote writes s as a single-quoted YAML scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func loadConfig(f processor.Factory, text string) (component.Config, error) {
	cfg := f.CreateDefaultConfig()
	if text == "" {
		return cfg, nil
	}
	var raw map[string]any
	if err := yaml.Unmarshal([]byte(text), &raw); err != nil {
		return nil, err
	}
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		return nil, err
	}
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// metricsSink is where the metrics contenders deliver: nothing compares metrics output.
var metricsSink = consumertest.NewNop()

type stage struct {
	factory processor.Factory
	config  string
	mutate  func(component.Config)
}

// NewContender builds the named contender in front of nextT and nextL. Every processor
// gets real (SDK) telemetry, as it would in a collector.
func NewContender(name string, nextT consumer.Traces, nextL consumer.Logs) (*Contender, error) {
	if name == "floor" {
		return &Contender{
			Name:   name,
			Traces: func(ctx context.Context, td ptrace.Traces) error { Floor(td); return nextT.ConsumeTraces(ctx, td) },
			Logs:   func(ctx context.Context, ld plog.Logs) error { FloorLogs(ld); return nextL.ConsumeLogs(ctx, ld) },
			Metrics: func(ctx context.Context, md pmetric.Metrics) error {
				FloorMetrics(md)
				return metricsSink.ConsumeMetrics(ctx, md)
			},
		}, nil
	}
	cfgs := yamlConfigs()
	var stages []stage
	switch name {
	case "authobs_trace_safe", "authobs_log_only":
		route := authobsprocessor.RouteTraceSafe
		if name == "authobs_log_only" {
			route = authobsprocessor.RouteLogOnly
		}
		stages = []stage{{factory: authobsprocessor.NewFactory(), mutate: func(c component.Config) { c.(*authobsprocessor.Config).Route = route }}}
	case "redaction":
		stages = []stage{{factory: redactionprocessor.NewFactory(), config: cfgs["redaction"]}}
	case "transform":
		stages = []stage{{factory: transformprocessor.NewFactory(), config: cfgs["transform"]}}
	case "attributes":
		stages = []stage{{factory: attributesprocessor.NewFactory(), config: cfgs["attributes"]}}
	case "transform+attributes":
		stages = []stage{
			{factory: transformprocessor.NewFactory(), config: cfgs["transform"]},
			{factory: attributesprocessor.NewFactory(), config: cfgs["attributes"]},
		}
	default:
		return nil, fmt.Errorf("unknown contender %q", name)
	}
	tel := componenttest.NewTelemetry()
	ctx := context.Background()
	var comps []component.Component
	c := &Contender{Name: name}
	c.close = func() {
		for _, comp := range comps {
			_ = comp.Shutdown(ctx)
		}
		_ = tel.Shutdown(ctx)
	}
	// build back to front so each stage feeds the next
	t, l := nextT, nextL
	for i := len(stages) - 1; i >= 0; i-- {
		st := stages[i]
		cfg, err := loadConfig(st.factory, st.config)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if st.mutate != nil {
			st.mutate(cfg)
		}
		set := processortest.NewNopSettings(st.factory.Type())
		set.TelemetrySettings = tel.NewTelemetrySettings()
		tp, err := st.factory.CreateTraces(ctx, set, cfg, t)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s traces: %w", name, err)
		}
		lp, err := st.factory.CreateLogs(ctx, set, cfg, l)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s logs: %w", name, err)
		}
		for _, comp := range []component.Component{tp, lp} {
			if err := comp.Start(ctx, componenttest.NewNopHost()); err != nil {
				c.Close()
				return nil, err
			}
			comps = append(comps, comp)
		}
		t, l = tp, lp
		if strings.HasPrefix(name, "authobs") {
			mp, err := st.factory.CreateMetrics(ctx, set, cfg, metricsSink)
			if err != nil {
				c.Close()
				return nil, fmt.Errorf("%s metrics: %w", name, err)
			}
			if err := mp.Start(ctx, componenttest.NewNopHost()); err != nil {
				c.Close()
				return nil, err
			}
			comps = append(comps, mp)
			c.Metrics = mp.ConsumeMetrics
		}
	}
	c.Traces = t.ConsumeTraces
	c.Logs = l.ConsumeLogs
	return c, nil
}
