package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/authobs/authobsprocessor/internal/metadata"
	"github.com/authobs/authobsprocessor/internal/redact"
)

// Every label of the processor's own metrics is one of the enums below (or a redact
// detector); the counters index them, and the attribute sets are built from their names
// once, at start-up.

// signal labels the signal a batch belongs to.
type signal uint8

const (
	sigTraces signal = iota
	sigLogs
	sigMetrics
	numSignals
)

var signalNames = [numSignals]string{"traces", "logs", "metrics"}

// operation is what an item is in terms of docs/contract.md §2; it labels the items counter.
type operation uint8

const (
	opOther operation = iota
	opAPIRequest
	opWebsocketConnect
	opWebsocketRequest
	opAuthRecovery
	numOperations
)

// operationNames are also the keys of the operations under `operations` in the config.
var operationNames = [numOperations]string{"other", "api_request", "websocket_connect", "websocket_request", "auth_recovery"}

func (o operation) String() string { return operationNames[o] }

// dropReason says why an attribute was removed.
type dropReason uint8

const (
	dropAllowlist dropReason = iota
	dropPersonal
	dropInvalidEvidence
	dropConfigured
	dropSecretInKey
	numDropReasons
)

var dropReasonNames = [numDropReasons]string{"allowlist", "personal_data", "invalid_evidence", "configured", "secret_in_key"}

// normalizeKind says which bounded form an evidence value was rewritten into.
type normalizeKind uint8

const (
	normEnum normalizeKind = iota
	normClassification
	normHeaderName
	normErrorMessage
	normHashed
	normProviderKeyName
	normEndpoint
	numNormalizeKinds
)

var normalizeKindNames = [numNormalizeKinds]string{"enum_other", "classification_other", "header_name_case", "error_message", "hashed", "provider_key_name", "endpoint_other"}

// failReason says why an item or value was handled fail-closed.
type failReason uint8

const (
	failPanic failReason = iota
	failDepth
	numFailReasons
)

var failReasonNames = [numFailReasons]string{"internal_error", "nesting_depth"}

// counters accumulate one batch's counts; they reach the meter once per batch. The
// item closures make them escape, so they come from a pool rather than the heap.
var countersPool = sync.Pool{New: func() any { return new(counters) }}

func getCounters() *counters {
	c := countersPool.Get().(*counters)
	*c = counters{}
	return c
}

type counters struct {
	items      [numOperations]int64
	dropped    [numDropReasons]int64
	hits       redact.Hits
	normalized [numNormalizeKinds]int64
	failClosed [numFailReasons]int64
}

// telemetry holds the instruments and every attribute set they are recorded with,
// built once as ready option slices, so recording allocates neither the attribute set
// nor the variadic argument.
type telemetry struct {
	tb         *metadata.TelemetryBuilder
	items      [numSignals][numOperations][]metric.AddOption
	dropped    [numSignals][numDropReasons][]metric.AddOption
	redacted   [numSignals][redact.NumDetectors][]metric.AddOption
	normalized [numSignals][numNormalizeKinds][]metric.AddOption
	failClosed [numSignals][numFailReasons][]metric.AddOption
}

// newTelemetry builds every attribute set once. `processor` carries the component id
// (authobs/trace_safe, …): the collector's Prometheus output does not label series with
// it, and two authobs instances on one collector are the normal gateway shape. detector
// names each detector: the catalogue's gitleaks rule ids and the operator's own rule ids,
// all bounded by redact.NumDetectors.
func newTelemetry(tb *metadata.TelemetryBuilder, id string, detector func(redact.Detector) string) *telemetry {
	t := &telemetry{tb: tb}
	opt := func(sig signal, key, value string) []metric.AddOption {
		return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("processor", id),
			attribute.String("signal", signalNames[sig]), attribute.String(key, value)))}
	}
	for s := range numSignals {
		for o := range numOperations {
			t.items[s][o] = opt(s, "operation", o.String())
		}
		for r := range numDropReasons {
			t.dropped[s][r] = opt(s, "reason", dropReasonNames[r])
		}
		for d := range redact.NumDetectors {
			t.redacted[s][d] = opt(s, "detector", detector(d))
		}
		for k := range numNormalizeKinds {
			t.normalized[s][k] = opt(s, "kind", normalizeKindNames[k])
		}
		for r := range numFailReasons {
			t.failClosed[s][r] = opt(s, "reason", failReasonNames[r])
		}
	}
	return t
}

// record adds one batch's counts; zero counts are not recorded.
func (t *telemetry) record(ctx context.Context, sig signal, c *counters) {
	add := func(inst metric.Int64Counter, n int64, o []metric.AddOption) {
		if n != 0 {
			inst.Add(ctx, n, o...)
		}
	}
	for o, n := range c.items {
		add(t.tb.ProcessorAuthobsItems, n, t.items[sig][o])
	}
	for r, n := range c.dropped {
		add(t.tb.ProcessorAuthobsAttributesDropped, n, t.dropped[sig][r])
	}
	for d, n := range c.hits {
		add(t.tb.ProcessorAuthobsValuesRedacted, int64(n), t.redacted[sig][d])
	}
	for k, n := range c.normalized {
		add(t.tb.ProcessorAuthobsValuesNormalized, n, t.normalized[sig][k])
	}
	for r, n := range c.failClosed {
		add(t.tb.ProcessorAuthobsItemsFailClosed, n, t.failClosed[sig][r])
	}
}
