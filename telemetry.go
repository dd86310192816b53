package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/authobs/authobsprocessor/internal/cleancache"
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
	// the counts only: putCounters emptied recent, which is 8 KiB to clear again
	c.counts = counts{}
	return c
}

type counters struct {
	counts
	// recent holds the clean values met in this batch, in front of the shared clean cache;
	// empty whenever the counters are in the pool.
	recent cleancache.Recent
	// facts is routeAttrs' scratch for the facts of the map it walks (never nested).
	facts derivedFacts
}

// counts are what a batch counts, zeroed for every batch.
type counts struct {
	items      [numOperations]int64
	dropped    [numDropReasons]int64
	hits       redact.Hits
	normalized [numNormalizeKinds]int64
	failClosed [numFailReasons]int64
}

// putCounters returns c to the pool, holding none of the batch's values (the derived facts of
// its last attribute map stay: lengths and a count, never read before routeAttrs sets them).
func putCounters(c *counters) {
	c.recent.Reset()
	countersPool.Put(c)
}

// telemetry keeps the processor's counts as running totals, one per signal and label, and
// reports them through observable counters: a batch adds its non-zero counts to the totals
// (an atomic add each), and a collection observes every non-zero total with its attribute
// set, built once at start-up. A synchronous counter's Add normalises its attribute set in
// the SDK on every call, some hundreds of ns per non-zero count per batch: most of what a
// one-span request cost the processor itself.
type telemetry struct {
	tb         *metadata.TelemetryBuilder
	items      *family
	dropped    *family
	redacted   *family
	normalized *family
	failClosed *family
}

// family is the totals of one metric: a total and its attribute set per signal and label,
// at index signal*labels + label.
type family struct {
	labels int
	totals []atomic.Int64
	opts   [][]metric.ObserveOption
}

func newFamily(labels int, set func(sig signal, label int) attribute.Set) *family {
	f := &family{labels: labels, totals: make([]atomic.Int64, int(numSignals)*labels), opts: make([][]metric.ObserveOption, int(numSignals)*labels)}
	for s := range numSignals {
		for l := range labels {
			f.opts[int(s)*labels+l] = []metric.ObserveOption{metric.WithAttributeSet(set(s, l))}
		}
	}
	return f
}

// add adds one batch's counts of a signal, one per label.
func add[N int | int64](f *family, sig signal, counts []N) {
	totals := f.totals[int(sig)*f.labels:][:len(counts)]
	for l, n := range counts {
		if n != 0 {
			totals[l].Add(int64(n))
		}
	}
}

// observe reports every non-zero total.
func (f *family) observe(_ context.Context, o metric.Int64Observer) error {
	for i := range f.totals {
		if n := f.totals[i].Load(); n != 0 {
			o.Observe(n, f.opts[i]...)
		}
	}
	return nil
}

// newTelemetry builds every attribute set once and registers the observations. `processor`
// carries the component id (authobs/trace_safe, …): the collector's Prometheus output does
// not label series with it, and two authobs instances on one collector are the normal
// gateway shape. detector names each detector: the catalogue's gitleaks rule ids and the
// operator's own rule ids, all bounded by redact.NumDetectors.
func newTelemetry(tb *metadata.TelemetryBuilder, id string, detector func(redact.Detector) string) (*telemetry, error) {
	labelled := func(key string, name func(int) string) func(signal, int) attribute.Set {
		return func(sig signal, l int) attribute.Set {
			return attribute.NewSet(attribute.String("processor", id), attribute.String("signal", signalNames[sig]), attribute.String(key, name(l)))
		}
	}
	t := &telemetry{
		tb:         tb,
		items:      newFamily(int(numOperations), labelled("operation", func(l int) string { return operationNames[l] })),
		dropped:    newFamily(int(numDropReasons), labelled("reason", func(l int) string { return dropReasonNames[l] })),
		redacted:   newFamily(int(redact.NumDetectors), labelled("detector", func(l int) string { return detector(redact.Detector(l)) })), //nolint:gosec // l < NumDetectors, a uint16
		normalized: newFamily(int(numNormalizeKinds), labelled("kind", func(l int) string { return normalizeKindNames[l] })),
		failClosed: newFamily(int(numFailReasons), labelled("reason", func(l int) string { return failReasonNames[l] })),
	}
	err := errors.Join(
		tb.RegisterProcessorAuthobsItemsCallback(t.items.observe),
		tb.RegisterProcessorAuthobsAttributesDroppedCallback(t.dropped.observe),
		tb.RegisterProcessorAuthobsValuesRedactedCallback(t.redacted.observe),
		tb.RegisterProcessorAuthobsValuesNormalizedCallback(t.normalized.observe),
		tb.RegisterProcessorAuthobsItemsFailClosedCallback(t.failClosed.observe),
	)
	if err != nil {
		tb.Shutdown()
		return nil, err
	}
	return t, nil
}

// record adds one batch's counts to the totals; zero counts cost a comparison.
func (t *telemetry) record(sig signal, c *counters) {
	add(t.items, sig, c.items[:])
	add(t.dropped, sig, c.dropped[:])
	if c.hits != (redact.Hits{}) { // one comparison of the whole array: most batches find no secret
		add(t.redacted, sig, c.hits[:])
	}
	add(t.normalized, sig, c.normalized[:])
	add(t.failClosed, sig, c.failClosed[:])
}
