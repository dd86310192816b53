package authobsprocessor

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/authobs/authobsprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	full := createDefaultConfig().(*Config)
	full.Mode = ModeAudit
	full.Operations.APIRequest.SpanNames = []string{"api_request", "http.attempt"}
	full.Operations.APIRequest.EventNames = []string{"codex.api_request"}
	full.Operations.WebsocketConnect.EventNames = []string{"codex.websocket_connect"}
	full.Operations.WebsocketRequest.EventNames = []string{"codex.websocket_request"}
	full.Operations.AuthRecovery.EventNames = []string{"codex.auth_recovery"}
	full.Evidence = EvidenceConfig{RequestID: IDHash, CFRay: IDDrop, MaxLength: 48}
	full.Redaction = RedactionConfig{
		Replacement:   "***",
		Fingerprint:   &FingerprintConfig{Key: "correlation-key-for-tests"},
		ValuePatterns: []string{"acme_[0-9a-f]{16}"},
		KeyPatterns:   []string{"(?i)^x-acme-"},
		ExemptValues:  []string{"sk-test-public-demo-key"},
	}
	full.Attributes = AttributesConfig{Allow: []string{"host.name"}, Drop: []string{"debug.payload"}}
	logOnly := createDefaultConfig().(*Config)
	logOnly.Route = RouteLogOnly

	tests := []struct {
		id       component.ID
		expected *Config
	}{
		{component.NewID(metadata.Type), createDefaultConfig().(*Config)},
		{component.NewIDWithName(metadata.Type, "log_only"), logOnly},
		{component.NewIDWithName(metadata.Type, "full"), full},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.expected, cfg)
		})
	}
}

func TestDefaultConfigIsSafe(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, RouteTraceSafe, cfg.Route)
	assert.Equal(t, ModeEnforce, cfg.Mode)
	assert.Equal(t, "[REDACTED]", cfg.Redaction.Replacement)
}

// TestInvalidConfig: one file per error; each must fail naming its key.
func TestInvalidConfig(t *testing.T) {
	tests := map[string]string{
		"route.yaml":                          "route: unknown route \"nope\"",
		"mode.yaml":                           "mode: unknown mode \"dryrun\"",
		"evidence_request_id.yaml":            "evidence.request_id: unknown policy \"encrypt\"",
		"evidence_cf_ray.yaml":                "evidence.cf_ray: unknown policy \"scramble\"",
		"evidence_max_length.yaml":            "evidence.max_length: 4096 is out of range",
		"redaction_replacement.yaml":          "redaction.replacement: must not be empty",
		"redaction_fingerprint_key.yaml":      "redaction.fingerprint.key: must not be empty",
		"redaction_value_patterns.yaml":       "redaction.value_patterns[0]: invalid regular expression",
		"redaction_key_patterns.yaml":         "redaction.key_patterns[0]: invalid regular expression",
		"redaction_value_patterns_empty.yaml": "redaction.value_patterns[0]: \"x*\" matches the empty string",
		"redaction_exempt_values.yaml":        "redaction.exempt_values[0]: must not be empty",
		"operations_duplicate.yaml":           "operations.websocket_request.event_names[0]: \"codex.api_request\" already names operation api_request",
		"attributes_allow_drop.yaml":          "attributes.drop[0]: \"host.name\" is also in attributes.allow",
		"attributes_allow_log_only.yaml":      "attributes.allow: route \"log_only\" keeps every attribute",
		"attributes_keep_only_drop.yaml":      "attributes.keep_only[1]: \"host.name\" is also in attributes.drop",
		"attributes_per_route.yaml":           "has invalid keys: trace_safe",
		"unknown_key.yaml":                    "has invalid keys: routes",
		"redaction_rules_regex.yaml":          "redaction.rules[0]",
		"redaction_rules_condition.yaml":      "redaction.rules[0].allowlists[0].condition: unknown condition \"XOR\"",
		"redaction_disable_rules.yaml":        "redaction.disable_rules[0]: \"no-such-rule\" is not a built-in rule id",
		"redaction_rules_file.yaml":           "redaction.rules_file: open testdata/rules/does-not-exist.toml",
		"redaction_rules_both.yaml":           "redaction.rules_file testdata/rules/bad-regex.toml: rules[0].regex",
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			cm, err := confmaptest.LoadConf(filepath.Join("testdata", "invalid", file))
			require.NoError(t, err)
			cfg := createDefaultConfig()
			if err = cm.Unmarshal(cfg); err == nil {
				err = confmap.Validate(cfg)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
