package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/authobs/authobsprocessor/internal/cleancache"
	"github.com/authobs/authobsprocessor/internal/redact"
)

// maxDepth bounds recursion into nested maps and slices; anything deeper is replaced
// whole (fail closed) instead of being inspected.
const maxDepth = 32

// topLevel is the depth of an item's own attributes and body.
const topLevel = 0

// nestedKeys says what happens to personal-data keys inside maps (nested attributes, log
// bodies), besides the rules every nested key gets (a secret in the key, a key naming a
// secret).
type nestedKeys uint8

const (
	// keepNestedPersonal: metrics (not routed) and log_only.
	keepNestedPersonal nestedKeys = iota
	// dropNestedPersonal: traces and logs on trace_safe. No fact is derived: the item's
	// own attributes carry those.
	dropNestedPersonal
)

// redactAttrs is the policy of metrics, which are not routed: redaction only.
func (p *authobsProcessor) redactAttrs(attrs pcommon.Map, c *counters) {
	p.redactEntries(attrs, topLevel, keepNestedPersonal, c)
}

// redactEntries applies decideEntry to every entry of a map at depth (a metric's
// attributes, a map below an item): writer.removeIf written out, as in routeAttrs, so that
// an entry whose key's front slot says plain goes straight to value redaction.
func (p *authobsProcessor) redactEntries(m pcommon.Map, depth int, nested nestedKeys, c *counters) {
	if m.Len() > maxMarked {
		p.w.removeIf(m, func(k string, v pcommon.Value) bool {
			return p.decideEntry(p.policy.rule(k), v, depth, nested, c)
		})
		return
	}
	plain := plainEntryKeep
	if nested == dropNestedPersonal {
		plain = plainEntryDrop
	}
	t := p.policy.rules.Load()
	var marked uint64
	i := 0
	for k, v := range m.All() {
		s := t.inFront(k)
		switch {
		case s != nil && s.plain&plain != 0:
			p.redactValue(v, depth, nested, c)
		case s != nil:
			if p.decideEntry(s.rule, v, depth, nested, c) {
				marked |= 1 << i
			}
		default:
			if p.decideEntry(p.policy.behindFront(t, k), v, depth, nested, c) {
				marked |= 1 << i
			}
		}
		i++
	}
	p.w.removeMarked(m, marked)
}

// redactValue redacts every string inside v: value detectors on strings and bytes, key
// rules on nested map keys, recursively up to maxDepth.
func (p *authobsProcessor) redactValue(v pcommon.Value, depth int, nested nestedKeys, c *counters) {
	// a non-empty string, the commonest value of all, takes one type test (Str is empty for
	// every other type) and a small frame; an empty string holds nothing to redact.
	// redactField's body, written out: the setter's method value is built only when the
	// value changes
	if s := v.Str(); s != "" {
		// redactString's short gate inlined here too: most short values stop at it, and
		// then make no call at all
		if p.engine.ShortClean(s) {
			return
		}
		if out, changed := p.redactCached(s, c); changed {
			p.w.set(v.SetStr, out)
		}
		return
	}
	switch v.Type() {
	case pcommon.ValueTypeBytes, pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		p.redactContainer(v, depth, nested, c)
	}
}

// redactContainer is redactValue for bytes, maps and slices.
func (p *authobsProcessor) redactContainer(v pcommon.Value, depth int, nested nestedKeys, c *counters) {
	switch v.Type() {
	case pcommon.ValueTypeBytes:
		// AsRaw copies (pdata has no read-only view of bytes); the copy is ours, so it is
		// scanned as a string without a second copy, and never written while that lives
		raw := v.Bytes().AsRaw()
		if len(raw) == 0 {
			return
		}
		if out, changed := p.engine.Redact(unsafe.String(&raw[0], len(raw)), &c.hits); changed { //nolint:gosec // raw is our own copy, never written
			p.w.setBytes(v, []byte(out))
		}
	case pcommon.ValueTypeMap:
		if !p.tooDeep(v, depth, c) {
			p.redactEntries(v.Map(), depth+1, nested, c)
		}
	case pcommon.ValueTypeSlice:
		// a slice of strings (header arrays) is common: its elements are walked without
		// eachElement's closure
		if !p.tooDeep(v, depth, c) {
			s := v.Slice()
			for i := range s.Len() {
				p.redactValue(s.At(i), depth+1, nested, c)
			}
		}
	}
}

// decideEntry applies the key rules to one map entry below an item (or to a metric
// attribute), whose key has rule; it reports whether the entry must go: a secret in the
// key itself, or personal data where nested says so.
func (p *authobsProcessor) decideEntry(rule *keyRule, v pcommon.Value, depth int, nested nestedKeys, c *counters) (remove bool) {
	switch {
	case rule.secretInKey:
		c.dropped[dropSecretInKey]++
		return true
	case nested == dropNestedPersonal && rule.personal != notPersonal:
		c.dropped[dropPersonal]++
		return true
	case rule.secret != redact.KeyPlain:
		p.replaceSecret(v, rule.secret, depth, c)
	default:
		p.redactValue(v, depth, nested, c)
	}
	return false
}

// replaceSecret replaces every scalar inside a value held under a secret-naming key.
func (p *authobsProcessor) replaceSecret(v pcommon.Value, kind redact.KeyKind, depth int, c *counters) {
	det := redact.SensitiveKey
	if kind == redact.KeyCookie {
		det = redact.Cookie
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		if s == "" || p.engine.IsReplacement(s) || p.engine.Exempt(s) {
			return
		}
		c.hits[det]++
		p.w.set(v.SetStr, p.engine.Replace(s))
	case pcommon.ValueTypeBytes, pcommon.ValueTypeInt, pcommon.ValueTypeDouble:
		c.hits[det]++
		p.w.set(v.SetStr, p.engine.Replace(v.AsString()))
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		if !p.tooDeep(v, depth, c) {
			eachElement(v, func(e pcommon.Value) { p.replaceSecret(e, kind, depth+1, c) })
		}
	}
}

// eachElement calls fn on every value of a map or element of a slice.
func eachElement(v pcommon.Value, fn func(pcommon.Value)) {
	if v.Type() == pcommon.ValueTypeMap {
		v.Map().Range(func(_ string, e pcommon.Value) bool {
			fn(e)
			return true
		})
		return
	}
	s := v.Slice()
	for i := range s.Len() {
		fn(s.At(i))
	}
}

// tooDeep reports whether a map or slice is nested too deep to inspect safely; if so it
// is replaced whole (fail closed).
func (p *authobsProcessor) tooDeep(v pcommon.Value, depth int, c *counters) bool {
	if depth < maxDepth {
		return false
	}
	c.failClosed[failDepth]++
	p.w.set(v.SetStr, p.engine.Replacement())
	return true
}

// redactTraceState redacts a W3C trace state: vendors put free text there too.
func (p *authobsProcessor) redactTraceState(ts pcommon.TraceState, c *counters) {
	if raw := ts.AsRaw(); raw != "" {
		p.redactField(raw, ts.FromRaw, c)
	}
}

// redactField redacts a string held in a field (a name, a message, a string value) that
// set writes.
func (p *authobsProcessor) redactField(s string, set func(string), c *counters) {
	if out, changed := p.redactString(s, c); changed {
		p.w.set(set, out)
	}
}

// holdsSecret reports whether the detectors find a secret in s (counting what they find).
func (p *authobsProcessor) holdsSecret(s string, c *counters) bool {
	_, changed := p.redactString(s, c)
	return changed
}

// redactString is engine.Redact behind the cache of values known to be clean. The cache
// is exact because Redact is a pure function of the string: no match means no hit counted.
func (p *authobsProcessor) redactString(s string, c *counters) (string, bool) {
	// a short value the engine's gate clears (one table read per byte) costs less than a
	// cache probe: BenchmarkLookupVersusScan measured 5-11 ns against 12-22 ns
	if p.engine.ShortClean(s) {
		return s, false
	}
	return p.redactCached(s, c)
}

// redactCached is redactString past the short gate, which its callers have run: the
// engine does not run it again. A value the clean cache knows is remembered for the rest
// of the batch (c.recent), where its next sightings cost a compare in place instead of
// the cache's hash and probe; only values the cache reports clean go there.
func (p *authobsProcessor) redactCached(s string, c *counters) (string, bool) {
	if !cleancache.Cacheable(s) {
		return p.engine.RedactPastGate(s, &c.hits)
	}
	if c.recent.Has(s) {
		return s, false
	}
	h, clean := p.clean.Lookup(s)
	if clean {
		c.recent.Put(s)
		return s, false
	}
	out, changed := p.engine.RedactPastGate(s, &c.hits)
	if !changed {
		p.clean.Add(s, h)
	}
	return out, changed
}
