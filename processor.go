package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/authobs/authobsprocessor/internal/metadata"
	"github.com/authobs/authobsprocessor/internal/redact"
)

type operation uint8

const (
	opOther operation = iota
	opAPIRequest
	opWebsocketConnect
	opWebsocketRequest
	opAuthRecovery
	numOperations
)

var operationNames = [numOperations]string{"other", "api_request", "websocket_connect", "websocket_request", "auth_recovery"}

func (o operation) String() string { return operationNames[o] }

// failClosedAttr marks an item whose content was removed because processing it failed.
const failClosedAttr = "authobs.fail_closed"

type authobsProcessor struct {
	cfg            *Config
	logger         *zap.Logger
	engine         *redact.Engine
	policy         *policy
	clean          *cleanCache
	tel            *telemetry
	enforce        bool
	traceSafe      bool
	maxEvidenceLen int
	fingerprintKey []byte
}

// itemHook, when set by a test, runs at the start of every item so the fail-closed path
// can be exercised.
var itemHook func()

func newAuthobsProcessor(set processor.Settings, cfg *Config) (*authobsProcessor, error) {
	var fpKey []byte
	if cfg.Redaction.Fingerprint != nil {
		fpKey = []byte(cfg.Redaction.Fingerprint.Key)
	}
	engine, err := redact.New(redact.Options{
		Replacement:    cfg.Redaction.Replacement,
		FingerprintKey: fpKey,
		ValuePatterns:  cfg.Redaction.ValuePatterns,
		KeyPatterns:    cfg.Redaction.KeyPatterns,
		ExemptValues:   cfg.Redaction.ExemptValues,
	})
	if err != nil {
		return nil, fmt.Errorf("redaction: %w", err)
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &authobsProcessor{
		cfg:            cfg,
		logger:         set.Logger,
		engine:         engine,
		policy:         newPolicy(cfg, engine),
		clean:          newCleanCache(),
		tel:            newTelemetry(tb, set.ID.String()),
		enforce:        cfg.Mode == ModeEnforce,
		traceSafe:      cfg.Route == RouteTraceSafe,
		maxEvidenceLen: cfg.Evidence.MaxLength,
		fingerprintKey: fpKey,
	}, nil
}

func (p *authobsProcessor) start(context.Context, component.Host) error {
	// once, at start-up: what policy is active (never a key or pattern text)
	p.logger.Info("authobs policy active",
		zap.String("route", string(p.cfg.Route)),
		zap.String("mode", string(p.cfg.Mode)),
		zap.String("request_id", string(p.cfg.Evidence.RequestID)),
		zap.String("cf_ray", string(p.cfg.Evidence.CFRay)),
		zap.Int("evidence_max_length", p.cfg.Evidence.MaxLength),
		zap.Bool("fingerprint", p.fingerprintKey != nil),
		zap.Int("extra_value_patterns", len(p.cfg.Redaction.ValuePatterns)),
		zap.Int("extra_key_patterns", len(p.cfg.Redaction.KeyPatterns)),
	)
	if !p.enforce {
		p.logger.Warn("authobs is in audit mode: it counts what it would change and changes nothing; do not use it as an egress control")
	}
	return nil
}

func (p *authobsProcessor) shutdown(context.Context) error {
	p.tel.tb.Shutdown()
	return nil
}

// processAttrs applies the route policy and redaction to an item's attributes.
func (p *authobsProcessor) processAttrs(attrs pcommon.Map, op operation, c *counters) {
	var d derived
	attrs.RemoveIf(func(k string, v pcommon.Value) bool {
		return p.processAttr(k, v, op, &d, c)
	})
	if d.set != 0 && p.enforce {
		d.apply(attrs)
	}
}

// processAttr decides one attribute in the documented order: secret in the key,
// configured drop, personal data (trace_safe), allowlist (trace_safe, auth operations),
// evidence validation (auth operations), error text, key-based redaction, value
// redaction. It reports whether the attribute is removed.
func (p *authobsProcessor) processAttr(k string, v pcommon.Value, op operation, d *derived, c *counters) bool {
	rule := p.policy.rule(k)
	switch {
	case rule.secretInKey:
		c.dropped[dropSecretInKey]++
		return p.enforce
	case rule.drop:
		c.dropped[dropConfigured]++
		return p.enforce
	case p.traceSafe && rule.personal != notPersonal:
		d.note(rule.personal, v)
		c.dropped[dropPersonal]++
		return p.enforce
	case p.traceSafe && op != opOther && !rule.allowed:
		c.dropped[dropAllowlist]++
		return p.enforce
	}
	if op != opOther && rule.evidence != evNone {
		// evidence in the right shape can still be a secret (an id-shaped key, a
		// classification glued to a token): it is then not evidence, and goes whole. The
		// check reads the value as sent, before any rewrite or hash, in both modes.
		if v.Type() == pcommon.ValueTypeStr {
			if _, changed := p.redact(v.Str(), c); changed {
				return p.rejectEvidence(rule, v, c)
			}
		}
		if p.validateEvidence(rule, v, c) == evInvalid {
			c.dropped[dropInvalidEvidence]++
			return p.enforce
		}
		return false
	}
	switch {
	case rule.errorText && v.Type() == pcommon.ValueTypeStr:
		if out, changed := p.scrubErrorText(v.Str(), c); changed {
			v.SetStr(out)
		}
	case rule.secret != redact.KeyPlain:
		p.replaceSecret(v, rule.secret, 0, c)
	default:
		p.scrub(v, 0, true, c)
	}
	return false
}

// rejectEvidence handles an evidence value that holds a secret: enums, classifications
// and endpoints become `other`, the provider key name `configured`; ids, header names,
// flags and numbers are dropped. It reports whether the attribute goes.
func (p *authobsProcessor) rejectEvidence(rule *keyRule, v pcommon.Value, c *counters) bool {
	switch rule.evidence {
	case evEnum:
		p.rewrite(v, otherValue, normEnum, c)
	case evClassification:
		p.rewrite(v, otherValue, normClassification, c)
	case evEndpoint:
		p.rewrite(v, otherValue, normEndpoint, c)
	case evProviderKeyName:
		p.rewrite(v, configuredValue, normProviderKeyName, c)
	default:
		c.dropped[dropInvalidEvidence]++
		return p.enforce
	}
	return false
}

// scrubTraceState redacts a W3C trace state: vendors put free text there too.
func (p *authobsProcessor) scrubTraceState(ts pcommon.TraceState, c *counters) {
	if raw := ts.AsRaw(); raw != "" {
		if out, changed := p.scrubString(raw, c); changed {
			ts.FromRaw(out)
		}
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

func (p *authobsProcessor) processResource(attrs pcommon.Map, c *counters) {
	p.processAttrs(attrs, opOther, c)
}

// failClosedAttrs empties a resource's or scope's attributes whose processing failed.
func failClosedAttrs(m pcommon.Map, _ string) {
	m.Clear()
	m.PutBool(failClosedAttr, true)
}

func failClosedScope(s pcommon.InstrumentationScope, replacement string) {
	s.SetName(replacement)
	s.SetVersion("")
	failClosedAttrs(s.Attributes(), replacement)
}

func (p *authobsProcessor) processScope(s pcommon.InstrumentationScope, c *counters) {
	p.scrubScopeStrings(s, c)
	p.processAttrs(s.Attributes(), opOther, c)
}

func (p *authobsProcessor) scrubMetricScope(s pcommon.InstrumentationScope, c *counters) {
	p.scrubScopeStrings(s, c)
	p.scrubAttrs(s.Attributes(), c)
}

func (p *authobsProcessor) scrubScopeStrings(s pcommon.InstrumentationScope, c *counters) {
	if out, changed := p.scrubString(s.Name(), c); changed {
		s.SetName(out)
	}
	if out, changed := p.scrubString(s.Version(), c); changed {
		s.SetVersion(out)
	}
}

func (p *authobsProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	c := getCounters()
	defer countersPool.Put(c)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		guard(p, rs.Resource().Attributes(), c, p.processResource, failClosedAttrs)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			guard(p, ss.Scope(), c, p.processScope, failClosedScope)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				guard(p, spans.At(k), c, p.processSpan, failClosedSpan)
			}
		}
	}
	p.policy.publish()
	p.tel.record(ctx, sigTraces, c)
	return td, nil
}

func (p *authobsProcessor) processSpan(span ptrace.Span, c *counters) {
	op := p.policy.operationOfSpan(span.Name())
	c.items[op]++
	if out, changed := p.scrubString(span.Name(), c); changed {
		span.SetName(out)
	}
	p.processAttrs(span.Attributes(), op, c)
	if msg := span.Status().Message(); msg != "" {
		if out, changed := p.scrubErrorText(msg, c); changed {
			span.Status().SetMessage(out)
		}
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		evOp, named := p.eventOperation(ev.Attributes())
		if !named {
			// an unnamed event on an auth operation's span (an exception, say) falls
			// under the span's policy
			evOp = op
		}
		c.items[evOp]++
		if out, changed := p.scrubString(ev.Name(), c); changed {
			ev.SetName(out)
		}
		p.processAttrs(ev.Attributes(), evOp, c)
	}
	p.scrubTraceState(span.TraceState(), c)
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		p.scrubTraceState(links.At(i).TraceState(), c)
		p.processAttrs(links.At(i).Attributes(), opOther, c)
	}
}

func (p *authobsProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	c := getCounters()
	defer countersPool.Put(c)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		guard(p, rl.Resource().Attributes(), c, p.processResource, failClosedAttrs)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			guard(p, sl.Scope(), c, p.processScope, failClosedScope)
			records := sl.LogRecords()
			for k := 0; k < records.Len(); k++ {
				guard(p, records.At(k), c, p.processLogRecord, failClosedLogRecord)
			}
		}
	}
	p.policy.publish()
	p.tel.record(ctx, sigLogs, c)
	return ld, nil
}

func (p *authobsProcessor) processLogRecord(lr plog.LogRecord, c *counters) {
	op, _ := p.eventOperation(lr.Attributes())
	if op == opOther && lr.EventName() != "" {
		op = p.policy.operationOfEvent(lr.EventName())
	}
	c.items[op]++
	if out, changed := p.scrubString(lr.EventName(), c); changed {
		lr.SetEventName(out)
	}
	p.processAttrs(lr.Attributes(), op, c)
	body := lr.Body()
	switch {
	case body.Type() == pcommon.ValueTypeEmpty:
	case p.traceSafe && op != opOther:
		// a body is not auth evidence: off the allowlist
		c.dropped[dropAllowlist]++
		if p.enforce {
			pcommon.NewValueEmpty().CopyTo(body)
		}
	default:
		p.scrub(body, 0, true, c)
	}
}

func (p *authobsProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	c := getCounters()
	defer countersPool.Put(c)
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		guard(p, rm.Resource().Attributes(), c, p.scrubAttrs, failClosedAttrs)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			guard(p, sm.Scope(), c, p.scrubMetricScope, failClosedScope)
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				guard(p, ms.At(k), c, p.processMetric, failClosedMetric)
			}
		}
	}
	p.policy.publish()
	p.tel.record(ctx, sigMetrics, c)
	return md, nil
}

// scrubAttrs is the metrics policy: redaction only, no routing.
func (p *authobsProcessor) scrubAttrs(attrs pcommon.Map, c *counters) {
	attrs.RemoveIf(func(k string, v pcommon.Value) bool {
		return p.scrubEntry(k, v, 0, false, c)
	})
}

func (p *authobsProcessor) processMetric(m pmetric.Metric, c *counters) {
	if out, changed := p.scrubString(m.Name(), c); changed {
		m.SetName(out)
	}
	if out, changed := p.scrubString(m.Description(), c); changed {
		m.SetDescription(out)
	}
	point := func(attrs pcommon.Map, exemplars pmetric.ExemplarSlice) {
		c.items[opOther]++
		p.scrubAttrs(attrs, c)
		for i := 0; i < exemplars.Len(); i++ {
			p.scrubAttrs(exemplars.At(i).FilteredAttributes(), c)
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSum:
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), pmetric.NewExemplarSlice())
		}
	}
}

// guard runs process on one item; if it panics the item keeps its identity and timing
// but loses every value that could hold a secret, and the batch goes on.
func guard[T any](p *authobsProcessor, item T, c *counters, process func(T, *counters), failClosed func(T, string)) {
	defer func() {
		if r := recover(); r != nil {
			c.failClosed[failPanic]++
			if p.enforce { // audit mode changes nothing, even here
				failClosed(item, p.engine.Replacement())
			}
		}
	}()
	if itemHook != nil {
		itemHook()
	}
	process(item, c)
}

func failClosedSpan(span ptrace.Span, replacement string) {
	span.SetName(replacement)
	span.Attributes().Clear()
	span.Attributes().PutBool(failClosedAttr, true)
	span.Events().RemoveIf(func(ptrace.SpanEvent) bool { return true })
	span.Links().RemoveIf(func(ptrace.SpanLink) bool { return true })
	span.Status().SetMessage("")
	span.TraceState().FromRaw("")
}

func failClosedLogRecord(lr plog.LogRecord, _ string) {
	lr.Attributes().Clear()
	lr.Attributes().PutBool(failClosedAttr, true)
	lr.SetEventName("")
	pcommon.NewValueEmpty().CopyTo(lr.Body())
}

// failClosedMetric drops the metric's data points: their attributes cannot be trusted.
func failClosedMetric(m pmetric.Metric, replacement string) {
	m.SetName(replacement)
	m.SetDescription("")
	m.SetUnit("")
	m.SetEmptyGauge()
	m.Metadata().Clear()
	m.Metadata().PutBool(failClosedAttr, true)
}
