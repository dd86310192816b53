package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// maxDepth bounds recursion into nested maps and slices; anything deeper is replaced
// whole (fail closed) instead of being inspected.
const maxDepth = 32

// derived collects the facts that replace personal data on trace_safe.
type derived struct {
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

func (d *derived) note(kind personalKind, v pcommon.Value) {
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
			for _, part := range strings.Split(v.Str(), ",") {
				if strings.TrimSpace(part) != "" {
					n++
				}
			}
			d.mcpCount, d.set = n, d.set|hasMCP
		}
	case personalActiveProfil:
		if v.Type() != pcommon.ValueTypeEmpty && v.AsString() != "" {
			d.set |= hasProfile
		}
	}
}

// plainText returns a string value that is real text, not an upstream redaction marker
// (Codex exports `prompt` as `[REDACTED]` and sends prompt_length itself).
func plainText(v pcommon.Value) (string, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	s := v.Str()
	return s, s != "[REDACTED]"
}

// apply adds the derived facts the item does not carry already.
func (d *derived) apply(m pcommon.Map) {
	putInt := func(bit uint8, k string, n int64) {
		if d.set&bit != 0 {
			if _, ok := m.Get(k); !ok {
				m.PutInt(k, n)
			}
		}
	}
	putInt(hasPrompt, "prompt_length", d.promptLen)
	putInt(hasArgs, "arguments_length", d.argsLen)
	putInt(hasOutput, "output_length", d.outLen)
	putInt(hasOutput, "output_line_count", d.outLines)
	putInt(hasMCP, "mcp_server_count", d.mcpCount)
	if d.set&hasProfile != 0 {
		if _, ok := m.Get("active_profile_present"); !ok {
			m.PutBool("active_profile_present", true)
		}
	}
}

// scrub redacts every string inside v: value detectors on strings and bytes, key rules
// on nested map keys, recursively up to maxDepth. routed says the value belongs to a
// routed signal (traces, logs), where trace_safe also drops nested personal data.
func (p *authobsProcessor) scrub(v pcommon.Value, depth int, routed bool, c *counters) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if out, changed := p.redact(v.Str(), c); changed && p.enforce {
			v.SetStr(out)
		}
	case pcommon.ValueTypeBytes:
		raw := v.Bytes().AsRaw()
		if len(raw) == 0 {
			return
		}
		// read the bytes in place; only a hit pays for a copy
		if out, changed := p.engine.Redact(unsafe.String(&raw[0], len(raw)), &c.hits); changed && p.enforce {
			v.SetEmptyBytes().FromRaw([]byte(out))
		}
	case pcommon.ValueTypeMap:
		if depth >= maxDepth {
			p.failClosedValue(v, c)
			return
		}
		v.Map().RemoveIf(func(k string, nv pcommon.Value) bool {
			return p.scrubEntry(k, nv, depth+1, routed, c)
		})
	case pcommon.ValueTypeSlice:
		if depth >= maxDepth {
			p.failClosedValue(v, c)
			return
		}
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			p.scrub(s.At(i), depth+1, routed, c)
		}
	}
}

// scrubEntry applies the key rules to one nested map entry; it reports whether the
// entry must go (a secret in the key itself; personal data nested in routed data on
// trace_safe, where no derived fact is left: the item's own attributes carry those).
func (p *authobsProcessor) scrubEntry(k string, v pcommon.Value, depth int, routed bool, c *counters) bool {
	rule := p.policy.rule(k)
	switch {
	case rule.secretInKey:
		c.dropped[dropSecretInKey]++
		return p.enforce
	case routed && p.traceSafe && rule.personal != notPersonal:
		c.dropped[dropPersonal]++
		return p.enforce
	}
	if rule.secret != redact.KeyPlain {
		p.replaceSecret(v, rule.secret, depth, c)
		return false
	}
	p.scrub(v, depth, routed, c)
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
		if p.enforce {
			v.SetStr(p.engine.Replace(s))
		}
	case pcommon.ValueTypeBytes, pcommon.ValueTypeInt, pcommon.ValueTypeDouble:
		c.hits[det]++
		if p.enforce {
			v.SetStr(p.engine.Replace(v.AsString()))
		}
	case pcommon.ValueTypeMap:
		if depth >= maxDepth {
			p.failClosedValue(v, c)
			return
		}
		v.Map().Range(func(_ string, nv pcommon.Value) bool {
			p.replaceSecret(nv, kind, depth+1, c)
			return true
		})
	case pcommon.ValueTypeSlice:
		if depth >= maxDepth {
			p.failClosedValue(v, c)
			return
		}
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			p.replaceSecret(s.At(i), kind, depth+1, c)
		}
	}
}

// failClosedValue replaces a value that cannot be inspected safely.
func (p *authobsProcessor) failClosedValue(v pcommon.Value, c *counters) {
	c.failClosed[failDepth]++
	if p.enforce {
		v.SetStr(p.engine.Replacement())
	}
}

// scrubString redacts a string field (span name, status message, event name) and
// returns the value to store and whether it changed.
func (p *authobsProcessor) scrubString(s string, c *counters) (string, bool) {
	out, changed := p.redact(s, c)
	return out, changed && p.enforce
}

// redact is engine.Redact behind the cache of values known to be clean.
func (p *authobsProcessor) redact(s string, c *counters) (string, bool) {
	if s == "" || len(s) > cleanMaxLen {
		return p.engine.Redact(s, &c.hits)
	}
	h := maphash.String(p.clean.seed, s)
	if p.clean.has(s, h) {
		return s, false
	}
	out, changed := p.engine.Redact(s, &c.hits)
	if !changed {
		p.clean.saw(s, h)
	}
	return out, changed
}

// cleanCache remembers string values the engine found clean, so a value that recurs
// (methods, routes, hosts, user agents, model names: most of telemetry) is looked up
// instead of scanned again. It is exact: Redact is a pure function of the string (no
// match means no hit counted), and an entry is the whole value compared byte for byte.
//
// A value is admitted on its second sighting, so unique values (ids, timestamps) are
// never stored. Entries and their bytes live in one table allocated up front and never
// written again once published, so admission allocates nothing and readers need no
// lock. A full table refuses new values; after cleanResetAfter refusals a fresh table
// replaces it, so the cache follows a changing workload at the cost of one allocation.
type cleanCache struct {
	seed  maphash.Seed
	table atomic.Pointer[cleanTable]
	// seen holds the hash of a value met once: the admission filter.
	seen [cleanSeen]atomic.Uint64
}

type cleanTable struct {
	sets    [cleanSets][cleanWays]atomic.Pointer[cleanEntry]
	entries [cleanSets * cleanWays]cleanEntry
	arena   [cleanArena]byte
	next    atomic.Int32 // entries handed out
	used    atomic.Int32 // arena bytes handed out
	refused atomic.Int32
}

type cleanEntry struct {
	h uint64
	s string // points into the table's arena
}

const (
	cleanSets       = 2048
	cleanWays       = 4
	cleanSeen       = 8192
	cleanArena      = 256 << 10
	cleanResetAfter = 1 << 20
	// even a three-byte value is looked up faster than it is scanned; longer values
	// than this rarely recur
	cleanMaxLen = 256
)

func newCleanCache() *cleanCache {
	c := &cleanCache{seed: maphash.MakeSeed()}
	c.table.Store(new(cleanTable))
	return c
}

func (c *cleanCache) has(s string, h uint64) bool {
	set := &c.table.Load().sets[h&(cleanSets-1)]
	for i := range set {
		if e := set[i].Load(); e != nil && e.h == h && e.s == s {
			return true
		}
	}
	return false
}

// saw records a clean value; on its second sighting the value is copied into the table
// and published in a free way of its set.
func (c *cleanCache) saw(s string, h uint64) {
	if slot := &c.seen[(h>>16)&(cleanSeen-1)]; slot.Swap(h) != h {
		return
	}
	t := c.table.Load()
	set := &t.sets[h&(cleanSets-1)]
	way := -1
	for i := range set {
		if set[i].Load() == nil {
			way = i
			break
		}
	}
	if way < 0 || !t.admit(s, h, &set[way]) {
		if t.refused.Add(1) == cleanResetAfter {
			c.table.CompareAndSwap(t, new(cleanTable))
		}
	}
}

// admit copies s into the arena and publishes its entry in slot; entries and bytes
// are written once, before the atomic store that makes them visible.
func (t *cleanTable) admit(s string, h uint64, slot *atomic.Pointer[cleanEntry]) bool {
	idx := t.next.Add(1) - 1
	end := t.used.Add(int32(len(s)))
	if int(idx) >= len(t.entries) || int(end) > len(t.arena) {
		return false
	}
	b := t.arena[int(end)-len(s) : end]
	copy(b, s)
	e := &t.entries[idx]
	e.h, e.s = h, unsafe.String(&b[0], len(b))
	return slot.CompareAndSwap(nil, e)
}

// scrubErrorText reduces an HTTP failure to `http <code>` and redacts other text.
func (p *authobsProcessor) scrubErrorText(s string, c *counters) (string, bool) {
	if code, ok := httpFailureCode(s); ok {
		if msg := httpMessage(code); msg != s {
			c.normalized[normErrorMessage]++
			return msg, p.enforce
		}
		return s, false
	}
	return p.scrubString(s, c)
}
