package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// routeAttrs applies the route policy and redaction to the attributes of an item of a
// routed signal (traces, logs), then adds the facts derived from dropped personal data.
func (p *authobsProcessor) routeAttrs(attrs pcommon.Map, op operation, c *counters) {
	// the batch's facts, of which only set needs clearing (note writes a fact's fields
	// with its bit): a derivedFacts of routeAttrs' own was 48 bytes to zero on every item
	facts := &c.facts
	facts.set = 0
	if attrs.Len() > maxMarked {
		p.w.removeIf(attrs, func(k string, v pcommon.Value) bool {
			return p.decideAttr(p.policy.rule(k), v, op, facts, c)
		})
		facts.addTo(p.w, attrs)
		return
	}
	// writer.removeIf written out, with policy.rule's front lookup (inFront) and the key
	// compared in place: the commonest walk of all makes no call but the one its decision
	// needs, so its registers are not saved and reloaded around calls on every attribute. A
	// key whose slot says plain goes straight to value redaction. (redactEntries, the same
	// walk for other maps, calls inFront: written out there too, with the extra arguments
	// of those maps, the walk cost more on every span than the call costs on metrics.)
	t := p.policy.rules.Load()
	plain := plainBit(op)
	var marked uint64
	i := 0
	for k, v := range attrs.All() {
		var rule *keyRule
		if k != "" {
			set := &t.front[setOf(k)]
			var s *ruleSlot
			switch {
			case sameKey(set[0].key, k):
				s = &set[0]
			case sameKey(set[1].key, k):
				s = &set[1]
			}
			if s != nil {
				if s.plain&plain != 0 {
					p.redactValue(v, topLevel, p.routedNested, c)
					i++
					continue
				}
				rule = s.rule
			}
		}
		if rule == nil {
			rule = p.policy.behindFront(t, k)
		}
		if p.decideAttr(rule, v, op, facts, c) {
			marked |= 1 << i
		}
		i++
	}
	// both calls only when there is something to do: most items drop nothing
	if marked != 0 {
		p.w.removeMarked(attrs, marked)
	}
	if facts.set != 0 {
		facts.addTo(p.w, attrs)
	}
}

// decideAttr decides one attribute, whose key has rule, in the documented order (README,
// "Processing order"):
//
//  1. a secret in the key itself: dropped;
//  2. attributes.drop: dropped; with attributes.keep_only, a key it does not list is dropped
//     too, unless it is evidence on an auth operation;
//  3. personal data (trace_safe): dropped, derived fact noted;
//  4. allowlist (trace_safe, auth operations): anything not allowed is dropped;
//  5. evidence validation (auth operations);
//  6. error text reduced to `http <code>`;
//  7. key-based redaction: the whole value of a key that names a secret;
//  8. value redaction, recursively.
//
// It reports whether the attribute is removed.
func (p *authobsProcessor) decideAttr(rule *keyRule, v pcommon.Value, op operation, facts *derivedFacts, c *counters) (remove bool) {
	switch {
	case rule.secretInKey:
		c.dropped[dropSecretInKey]++
		return true
	case rule.drop:
		c.dropped[dropConfigured]++
		return true
	case rule.unlisted && (op == opOther || rule.evidence == evNone):
		c.dropped[dropAllowlist]++
		return true
	case p.traceSafe && rule.personal != notPersonal:
		facts.note(rule.personal, v)
		c.dropped[dropPersonal]++
		return true
	case p.traceSafe && op != opOther && !rule.allowed:
		c.dropped[dropAllowlist]++
		return true
	case op != opOther && rule.evidence != evNone:
		return !p.keepEvidence(rule, v, c)
	case rule.errorText && v.Type() == pcommon.ValueTypeStr:
		p.reduceErrorField(v.Str(), v.SetStr, c)
	case rule.secret != redact.KeyPlain:
		p.replaceSecret(v, rule.secret, topLevel, c)
	default:
		p.redactValue(v, topLevel, p.routedNested, c)
	}
	return false
}

// routeBody: a log record body on an auth operation is not evidence, so trace_safe's
// allowlist removes it; any other body is redacted.
func (p *authobsProcessor) routeBody(body pcommon.Value, op operation, c *counters) {
	switch {
	case body.Type() == pcommon.ValueTypeEmpty:
	case p.traceSafe && op != opOther:
		c.dropped[dropAllowlist]++
		p.w.empty(body)
	default:
		p.redactValue(body, topLevel, p.routedNested, c)
	}
}

// derivedFacts collects the facts that replace personal data on trace_safe.
type derivedFacts struct {
	set                                  uint8
	promptLen, argsLen, outLen, outLines int64
	mcpCount                             int64
}

const (
	hasPrompt uint8 = 1 << iota
	hasArgs
	hasOutput
	hasMCP
	hasProfile
)

// note records the fact a dropped personal value leaves behind.
func (d *derivedFacts) note(kind personalKind, v pcommon.Value) {
	switch kind {
	case personalPrompt:
		if s, ok := plainText(v); ok {
			d.promptLen, d.set = int64(utf8.RuneCountInString(s)), d.set|hasPrompt
		}
	case personalArguments:
		if s, ok := plainText(v); ok {
			d.argsLen, d.set = int64(utf8.RuneCountInString(s)), d.set|hasArgs
		}
	case personalOutput:
		if s, ok := plainText(v); ok {
			d.outLen, d.set = int64(utf8.RuneCountInString(s)), d.set|hasOutput
			d.outLines = 0
			if s != "" {
				d.outLines = int64(strings.Count(s, "\n")) + 1
			}
		}
	case personalMCPServers:
		switch v.Type() {
		case pcommon.ValueTypeSlice:
			d.mcpCount, d.set = int64(v.Slice().Len()), d.set|hasMCP
		case pcommon.ValueTypeStr:
			n := int64(0)
			for part := range strings.SplitSeq(v.Str(), ",") {
				if strings.TrimSpace(part) != "" {
					n++
				}
			}
			d.mcpCount, d.set = n, d.set|hasMCP
		}
	case personalActiveProfile:
		if v.Type() != pcommon.ValueTypeEmpty && v.AsString() != "" {
			d.set |= hasProfile
		}
	}
}

// plainText returns a string value that is real text, not an upstream redaction marker.
func plainText(v pcommon.Value) (string, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	s := v.Str()
	return s, s != codexRedactedMarker
}

// addTo adds the facts the item does not carry already.
func (d *derivedFacts) addTo(w writer, m pcommon.Map) {
	if d.set == 0 {
		return
	}
	for _, f := range [...]struct {
		bit uint8
		key string
		n   int64
	}{
		{hasPrompt, promptLengthKey, d.promptLen},
		{hasArgs, argumentsLengthKey, d.argsLen},
		{hasOutput, outputLengthKey, d.outLen},
		{hasOutput, outputLineCountKey, d.outLines},
		{hasMCP, mcpServerCountKey, d.mcpCount},
	} {
		if d.set&f.bit != 0 {
			w.addInt(m, f.key, f.n)
		}
	}
	if d.set&hasProfile != 0 {
		w.addBool(m, activeProfilePresentKey, true)
	}
}
