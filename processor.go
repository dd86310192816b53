package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/authobs/authobsprocessor/internal/cleancache"
	"github.com/authobs/authobsprocessor/internal/metadata"
	"github.com/authobs/authobsprocessor/internal/redact"
)

// authobsProcessor is one configured authobs component, shared by every signal.
type authobsProcessor struct {
	cfg    *Config
	logger *zap.Logger
	engine *redact.Engine
	policy *policy
	clean  *cleancache.Cache
	tel    *telemetry
	// w makes every change to telemetry; in audit mode it makes none.
	w         writer
	traceSafe bool
	// routedNested says what happens to personal data nested in maps of traces and logs.
	routedNested   nestedKeys
	maxEvidenceLen int
	// idKey keys hashed ids (nil: plain SHA-256); never the fingerprint key itself.
	idKey   []byte
	panics  *panicLog
	started sync.Once
	// beforeItem, when a test sets it, runs at the start of every guarded item so the
	// fail-closed path can be exercised.
	beforeItem func()
}

func newAuthobsProcessor(set processor.Settings, cfg *Config) (*authobsProcessor, error) {
	var fingerprintKey, idKey []byte
	if cfg.Redaction.Fingerprint != nil {
		fingerprintKey = deriveKey([]byte(cfg.Redaction.Fingerprint.Key), fingerprintDomain)
		idKey = deriveKey([]byte(cfg.Redaction.Fingerprint.Key), evidenceIDDomain)
	}
	opts, skipped, err := cfg.Redaction.engineOptions(fingerprintKey)
	if err != nil {
		return nil, err
	}
	if len(skipped) > 0 {
		set.Logger.Info("redaction.rules_file: left out what cannot apply to telemetry", zap.Strings("skipped", skipped))
	}
	engine, err := redact.New(opts)
	if err != nil {
		return nil, fmt.Errorf("redaction: %w", err)
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	tel, err := newTelemetry(tb, set.ID.String(), engine.DetectorName)
	if err != nil {
		return nil, err
	}
	p := &authobsProcessor{
		cfg:            cfg,
		logger:         set.Logger,
		engine:         engine,
		policy:         newPolicy(cfg, engine),
		clean:          cleancache.New(),
		tel:            tel,
		w:              writer{enforce: cfg.Mode == ModeEnforce},
		traceSafe:      cfg.Route == RouteTraceSafe,
		routedNested:   keepNestedPersonal,
		maxEvidenceLen: cfg.Evidence.MaxLength,
		idKey:          idKey,
		panics:         newPanicLog(set.Logger, set.ID.String()),
	}
	if p.traceSafe {
		p.routedNested = dropNestedPersonal
	}
	return p, nil
}

// start logs, once per instance, what policy is active (never a key or pattern text).
func (p *authobsProcessor) start(context.Context, component.Host) error {
	p.started.Do(func() {
		p.logger.Info("authobs policy active",
			zap.String("route", string(p.cfg.Route)),
			zap.String("mode", string(p.cfg.Mode)),
			zap.String("request_id", string(p.cfg.Evidence.RequestID)),
			zap.String("cf_ray", string(p.cfg.Evidence.CFRay)),
			zap.Int("evidence_max_length", p.cfg.Evidence.MaxLength),
			zap.Bool("fingerprint", p.cfg.Redaction.Fingerprint != nil),
			zap.Int("extra_value_patterns", len(p.cfg.Redaction.ValuePatterns)),
			zap.Int("extra_key_patterns", len(p.cfg.Redaction.KeyPatterns)),
		)
		if !p.w.enforce {
			p.logger.Warn("authobs is in audit mode: it counts what it would change and changes nothing; do not use it as an egress control")
		}
	})
	return nil
}

func (p *authobsProcessor) shutdown(context.Context) error {
	p.tel.tb.Shutdown()
	return nil
}

// sliceOf is a pdata slice: ResourceSpansSlice, ScopeLogsSlice, MetricSlice, …
type sliceOf[E any] interface {
	Len() int
	At(int) E
}

// batch walks one batch of any signal: every resource and scope under guard, a scope's items
// under guardItems (one recover for the run; an item that panics is failed closed alone);
// the keys learnt on the way are published every 64 items and at the end, and the counts
// recorded once per batch.
// The accessors say how the signal nests (resourceOf … itemsOf), item processes one item
// and failItem is its fail-closed form.
func batch[RS, SS, I any, RSS sliceOf[RS], SSS sliceOf[SS], IS sliceOf[I]](p *authobsProcessor, sig signal,
	resources RSS, resourceOf func(RS) pcommon.Resource, scopesOf func(RS) SSS, scopeOf func(SS) pcommon.InstrumentationScope,
	itemsOf func(SS) IS, item func(I, *counters), failItem func(*authobsProcessor, I),
) {
	c := getCounters()
	defer putCounters(c)
	resource, scope := p.routeResource, p.routeScope
	if sig == sigMetrics { // metrics are not routed: redaction only
		resource, scope = p.redactAttrs, p.redactScope
	}
	n := 0 // items so far
	for i := range resources.Len() {
		rs := resources.At(i)
		guard(p, c, resourceOf(rs).Attributes(), resource, (*authobsProcessor).failClosedAttrs)
		scopes := scopesOf(rs)
		for j := range scopes.Len() {
			ss := scopes.At(j)
			guard(p, c, scopeOf(ss), scope, (*authobsProcessor).failClosedScope)
			items := itemsOf(ss)
			// the scope's items under one recover instead of one each: a panic fails its
			// item closed and guardItems goes on from the next
			for k, m := 0, items.Len(); k < m; {
				k = guardItems(p, c, items, k, m, &n, item, failItem)
			}
		}
	}
	p.policy.publish()
	p.tel.record(sig, c)
}

func (p *authobsProcessor) routeResource(attrs pcommon.Map, c *counters) {
	p.routeAttrs(attrs, opOther, c)
}

func (p *authobsProcessor) routeScope(s pcommon.InstrumentationScope, c *counters) {
	p.redactScopeNames(s, c)
	p.routeAttrs(s.Attributes(), opOther, c)
}

func (p *authobsProcessor) redactScope(s pcommon.InstrumentationScope, c *counters) {
	p.redactScopeNames(s, c)
	p.redactAttrs(s.Attributes(), c)
}

func (p *authobsProcessor) redactScopeNames(s pcommon.InstrumentationScope, c *counters) {
	p.redactField(s.Name(), s.SetName, c)
	p.redactField(s.Version(), s.SetVersion, c)
}

func (p *authobsProcessor) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	batch(p, sigTraces, td.ResourceSpans(), ptrace.ResourceSpans.Resource, ptrace.ResourceSpans.ScopeSpans,
		ptrace.ScopeSpans.Scope, ptrace.ScopeSpans.Spans, p.processSpan, (*authobsProcessor).failClosedSpan)
	return td, nil
}

// processSpan: the span is an operation by its name; its events by their event.name,
// or, unnamed (an exception, say), by their span's; links are other telemetry.
func (p *authobsProcessor) processSpan(span ptrace.Span, c *counters) {
	op := p.policy.operationOfSpan(span.Name())
	c.items[op]++
	p.redactField(span.Name(), span.SetName, c)
	p.routeAttrs(span.Attributes(), op, c)
	if msg := span.Status().Message(); msg != "" {
		p.reduceErrorField(msg, span.Status().SetMessage, c)
	}
	events := span.Events()
	for i := range events.Len() {
		ev := events.At(i)
		evOp, named := p.eventOperation(ev.Attributes())
		if !named {
			evOp = op
		}
		c.items[evOp]++
		p.redactField(ev.Name(), ev.SetName, c)
		p.routeAttrs(ev.Attributes(), evOp, c)
	}
	p.redactTraceState(span.TraceState(), c)
	links := span.Links()
	for i := range links.Len() {
		p.redactTraceState(links.At(i).TraceState(), c)
		p.routeAttrs(links.At(i).Attributes(), opOther, c)
	}
}

// eventOperation classifies a log record or span event by its `event.name` attribute;
// named reports whether it has one.
func (p *authobsProcessor) eventOperation(attrs pcommon.Map) (op operation, named bool) {
	if v, ok := attrs.Get("event.name"); ok && v.Type() == pcommon.ValueTypeStr {
		return p.policy.operationOfEvent(v.Str()), true
	}
	return opOther, false
}

func (p *authobsProcessor) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	batch(p, sigLogs, ld.ResourceLogs(), plog.ResourceLogs.Resource, plog.ResourceLogs.ScopeLogs,
		plog.ScopeLogs.Scope, plog.ScopeLogs.LogRecords, p.processLogRecord, (*authobsProcessor).failClosedLogRecord)
	return ld, nil
}

// processLogRecord: the record is an operation by its event.name attribute, else by its
// event_name field.
func (p *authobsProcessor) processLogRecord(lr plog.LogRecord, c *counters) {
	op, _ := p.eventOperation(lr.Attributes())
	// an empty field (most records have no event_name) holds nothing to redact: no call
	name := lr.EventName()
	if op == opOther && name != "" {
		op = p.policy.operationOfEvent(name)
	}
	c.items[op]++
	if name != "" {
		p.redactField(name, lr.SetEventName, c)
	}
	if sev := lr.SeverityText(); sev != "" {
		p.redactField(sev, lr.SetSeverityText, c)
	}
	p.routeAttrs(lr.Attributes(), op, c)
	p.routeBody(lr.Body(), op, c)
}

func (p *authobsProcessor) processMetrics(_ context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	batch(p, sigMetrics, md.ResourceMetrics(), pmetric.ResourceMetrics.Resource, pmetric.ResourceMetrics.ScopeMetrics,
		pmetric.ScopeMetrics.Scope, pmetric.ScopeMetrics.Metrics, p.processMetric, (*authobsProcessor).failClosedMetric)
	return md, nil
}

// processMetric redacts a metric's name, description, unit and metadata and every data
// point's attributes (each point counts as an item); metrics are not routed.
func (p *authobsProcessor) processMetric(m pmetric.Metric, c *counters) {
	p.redactField(m.Name(), m.SetName, c)
	// an empty description or unit holds nothing to redact: no call
	if d := m.Description(); d != "" {
		p.redactField(d, m.SetDescription, c)
	}
	if u := m.Unit(); u != "" {
		p.redactField(u, m.SetUnit, c)
	}
	p.redactAttrs(m.Metadata(), c)
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		redactPoints(p, m.Gauge().DataPoints(), c)
	case pmetric.MetricTypeSum:
		redactPoints(p, m.Sum().DataPoints(), c)
	case pmetric.MetricTypeHistogram:
		redactPoints(p, m.Histogram().DataPoints(), c)
	case pmetric.MetricTypeExponentialHistogram:
		redactPoints(p, m.ExponentialHistogram().DataPoints(), c)
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := range dps.Len() {
			c.items[opOther]++
			p.redactAttrs(dps.At(i).Attributes(), c)
		}
	}
}

// dataPoint is a metric data point with exemplars (every kind but summary).
type dataPoint interface {
	Attributes() pcommon.Map
	Exemplars() pmetric.ExemplarSlice
}

func redactPoints[P dataPoint, S sliceOf[P]](p *authobsProcessor, points S, c *counters) {
	for i := range points.Len() {
		c.items[opOther]++
		p.redactAttrs(points.At(i).Attributes(), c)
		exemplars := points.At(i).Exemplars()
		for j := range exemplars.Len() {
			p.redactAttrs(exemplars.At(j).FilteredAttributes(), c)
		}
	}
}
