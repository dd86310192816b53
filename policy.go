package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"maps"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// keyRule is everything the policy knows about one attribute key on this route. Rules
// for known keys are built at start-up; unknown keys are classified once and cached.
type keyRule struct {
	enum     enumValues
	evidence evidenceKind
	// allowed: kept on auth operations on trace_safe (the docs/contract.md §3 allowlist).
	allowed bool
	// personal: dropped on trace_safe (unless allowed by configuration).
	personal personalKind
	// drop: removed from every item (attributes.drop).
	drop bool
	// secret: the whole value is a secret (key-based redaction); evidence keys never are.
	secret redact.KeyKind
	// errorText: free text that may quote an HTTP failure (error.message).
	errorText bool
	// secretInKey: the key itself contains a secret; the attribute is dropped.
	secretInKey bool
	// unlisted: attributes.keep_only is set and does not list the key; the attribute is
	// dropped unless it is evidence on an auth operation.
	unlisted bool
}

// maxCachedKeys and maxCachedKeyLen bound the cache of classified unknown keys in count
// and in bytes, so hostile input with endless distinct or huge keys costs CPU, never
// unbounded memory.
const (
	maxCachedKeys   = 8192
	maxCachedKeyLen = 256
)

// policy holds the key rules and operation names of one processor instance.
type policy struct {
	known  map[string]*keyRule
	engine *redact.Engine
	// keepOnly: attributes.keep_only is set, so a key is unlisted unless it names it.
	keepOnly bool
	// traceSafe: the route is trace_safe (the front's plain bits depend on it).
	traceSafe bool
	// rules is what the per-item path reads: the start-up rules plus every key classified
	// since, in one immutable map (one lookup per attribute). New keys wait in pending
	// and are published, copy-on-write, every 64 items and at the end of a batch.
	rules   atomic.Pointer[ruleTable]
	mu      sync.Mutex // guards pending and publishing
	pending map[string]*keyRule
	dirty   atomic.Bool
	cached  atomic.Int32
	// spanOps and eventOps map span and event names to operations.
	spanOps, eventOps nameTable
}

func newPolicy(cfg *Config, engine *redact.Engine) *policy {
	p := &policy{
		known:     map[string]*keyRule{},
		engine:    engine,
		keepOnly:  len(cfg.Attributes.KeepOnly) > 0,
		traceSafe: cfg.Route == RouteTraceSafe,
	}
	for _, m := range cfg.Operations.matchers() {
		op := operationNamed(m.key)
		for _, n := range m.matcher.SpanNames {
			p.spanOps.add(n, op)
		}
		for _, n := range m.matcher.EventNames {
			p.eventOps.add(n, op)
		}
	}
	for k, r := range evidenceRules() {
		r.allowed, r.unlisted = true, p.keepOnly
		p.known[k] = &r
	}
	for _, k := range append(append([]string{errorTypeKey}, sessionKeys...), derivedKeys...) {
		p.known[k] = &keyRule{allowed: true, unlisted: p.keepOnly}
	}
	p.known[errorMessageKey] = &keyRule{allowed: true, errorText: true, unlisted: p.keepOnly}
	for k, kind := range personalKeys {
		r := p.classify(k)
		r.personal = kind
		p.known[k] = r
	}
	for _, k := range cfg.Attributes.Allow {
		r := p.ruleFor(k)
		r.allowed, r.personal = true, notPersonal
	}
	for _, k := range cfg.Attributes.Drop {
		p.ruleFor(k).drop = true
	}
	for _, k := range cfg.Attributes.KeepOnly {
		p.ruleFor(k).unlisted = false
	}
	p.rules.Store(newRuleTable(maps.Clone(p.known), p.traceSafe))
	return p
}

// ruleSets is the number of two-slot sets in a ruleTable's front; a power of two.
const ruleSets = 1024

// ruleTable is the published key table: a front of two-slot sets indexed by a key's
// length and its first, middle and last bytes, which reads four bytes of the key and
// compares it with at most two slots of one cache line, instead of hashing all of it as a
// Go map does; a key that finds both slots of its set taken takes a free slot of the
// neighbouring set (setOf(k)^1), which rule reads before the map behind the front.
// The front's keys are substrings of one string, so a hit reads the slot and a compact
// block of key bytes instead of chasing a pointer to each key. Immutable once built.
type ruleTable struct {
	front [ruleSets][2]ruleSlot
	all   map[string]*keyRule
}

// ruleSlot is 32 bytes: the two slots of a set fill one 64-byte cache line.
type ruleSlot struct {
	key  string // empty: a free slot
	rule *keyRule
	// plain says, per kind of decision (plainOrdinary …), that decideAttr or decideEntry
	// takes its last case, value redaction, for every value under this key on this route:
	// the commonest decision then costs one bit test instead of the walk through the cases.
	plain uint8
}

// Bits of ruleSlot.plain: decideAttr on items of no auth operation (opOther) and of an
// auth operation; decideEntry where personal data is kept and where it is dropped.
const (
	plainOrdinary uint8 = 1 << iota
	plainAuth
	plainEntryKeep
	plainEntryDrop
)

// plainBit is the bit of ruleSlot.plain for items of op.
func plainBit(op operation) uint8 {
	if op == opOther {
		return plainOrdinary
	}
	return plainAuth
}

// setOf is the index of a non-empty key's set, from the key's length and its first,
// middle and last bytes. Keys that differ
// elsewhere (the auth.x / auth_x twins) share a set and take its two slots. Unseeded: keys
// crafted to share a set cost a map lookup, never a wrong rule.
func setOf(k string) int {
	return (len(k)*131 + int(k[0])*31 + int(k[len(k)-1])*7 + int(k[len(k)/2])) & (ruleSets - 1)
}

// newRuleTable builds the table of all's rules for a processor on the trace_safe route
// (traceSafe) or not.
func newRuleTable(all map[string]*keyRule, traceSafe bool) *ruleTable {
	t := &ruleTable{all: all}
	var taken [ruleSets][2]string
	n := 0
	place := func(set *[2]string, k string) bool {
		for i := range set {
			if set[i] == "" {
				set[i] = k
				n += len(k)
				return true
			}
		}
		return false
	}
	// in key order, so which keys share a set is the same in every process. A key takes a
	// slot of its set or of the neighbouring one (setOf(k)^1), so the two sets of a pair
	// fill from that pair's keys alone, and only its four least keys (in key order) take a
	// slot: those are found in one pass, and only they are sorted, instead of all the keys
	// (a publish of learnt keys sorted every key each time, ~1 000 instructions a key)
	least := leastKeysByPair(all)
	for _, ks := range least {
		for _, k := range ks {
			if k != "" && !place(&taken[setOf(k)], k) {
				place(&taken[setOf(k)^1], k)
			}
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, set := range &taken {
		for _, k := range set {
			b.WriteString(k)
		}
	}
	keys := b.String()
	for s, set := range &taken {
		for i, k := range set {
			if k != "" {
				r := all[k]
				slot := ruleSlot{rule: r, key: keys[:len(k)]}
				if r.plainOn(traceSafe, false) {
					slot.plain |= plainOrdinary
				}
				if r.plainOn(traceSafe, true) {
					slot.plain |= plainAuth
				}
				if r.plainEntry(keepNestedPersonal) {
					slot.plain |= plainEntryKeep
				}
				if r.plainEntry(dropNestedPersonal) {
					slot.plain |= plainEntryDrop
				}
				t.front[s][i] = slot
				keys = keys[len(k):]
			}
		}
	}
	return t
}

// leastKeysByPair returns, for each pair of sets (setOf(k)>>1), the pair's least four keys
// of all in ascending order, "" filling the rest.
func leastKeysByPair(all map[string]*keyRule) *[ruleSets / 2][4]string {
	least := new([ruleSets / 2][4]string)
	for k := range all {
		if k == "" {
			continue
		}
		ks := &least[setOf(k)>>1]
		// insert k in order; a key greater than four held ones is not kept
		for i := range ks {
			if ks[i] == "" {
				ks[i] = k
				break
			}
			if k < ks[i] {
				copy(ks[i+1:], ks[i:len(ks)-1])
				ks[i] = k
				break
			}
		}
	}
	return least
}

// plainOn reports whether decideAttr, on the trace_safe route (traceSafe) or not, on an
// item of an auth operation (auth) or not, passes every case before the last for an
// attribute under r, whatever its value (TestPlainSlots holds the two to the same answer).
func (r *keyRule) plainOn(traceSafe, auth bool) bool {
	switch {
	case r.secretInKey, r.drop, r.errorText, r.secret != redact.KeyPlain:
		return false
	case r.unlisted && (!auth || r.evidence == evNone):
		return false
	case traceSafe && r.personal != notPersonal:
		return false
	case auth && (traceSafe && !r.allowed || r.evidence != evNone):
		return false
	}
	return true
}

// plainEntry reports whether decideEntry, where nested says what happens to personal
// data, passes every case before the last for an entry under r, whatever its value.
func (r *keyRule) plainEntry(nested nestedKeys) bool {
	return !r.secretInKey && r.secret == redact.KeyPlain && (nested != dropNestedPersonal || r.personal == notPersonal)
}

// inFront returns k's slot if k is in the front, else nil. routeAttrs, which runs on
// every attribute of every span and log record, has these lines written out: see there.
func (t *ruleTable) inFront(k string) *ruleSlot {
	if k != "" {
		set := &t.front[setOf(k)]
		if sameKey(set[0].key, k) {
			return &set[0]
		}
		if sameKey(set[1].key, k) {
			return &set[1]
		}
	}
	return nil
}

// sameKey reports whether a == b, comparing keys of eight bytes or more a word at a time
// in place. Small enough to be inlined: the call to memequal that a == b makes had
// decideAttr save its arguments before the key lookup and load them again after it, on
// every attribute. The words are unaligned loads, so only where the platform reads
// unaligned words (unalignedWords); elsewhere it is a == b.
func sameKey(a, b string) bool {
	n := len(a)
	if n != len(b) || n < 8 || !unalignedWords {
		return n == len(b) && a == b
	}
	pa, pb := unsafe.Pointer(unsafe.StringData(a)), unsafe.Pointer(unsafe.StringData(b)) //nolint:gosec // read-only, within both strings
	// the differences of the first word and of the words ending at n, n-8, … (the one
	// nearest the start overlaps the first), or'ed without a branch per word: most keys
	// match, and a compare-and-branch per word cost more than the words
	x := *(*uint64)(pa) ^ *(*uint64)(pb)
	for i := n - 8; i > 0; i -= 8 {
		x |= *(*uint64)(unsafe.Add(pa, i)) ^ *(*uint64)(unsafe.Add(pb, i)) //nolint:gosec // 0 < i <= n-8
	}
	return x == 0
}

// unalignedWords: the platforms that load a word from any address in hardware (a
// constant, so sameKey's test folds away). On others (mips, riscv64, 32-bit arm) an
// unaligned load traps to the kernel or faults.
const unalignedWords = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" || runtime.GOARCH == "386" ||
	runtime.GOARCH == "ppc64le" || runtime.GOARCH == "s390x"

// inNeighbour returns the rule for a non-empty k that found its own set full, if k is in
// the neighbouring set, else nil.
func (t *ruleTable) inNeighbour(k string) *keyRule {
	set := &t.front[setOf(k)^1]
	for i := range set {
		if set[i].key == k {
			return set[i].rule
		}
	}
	return nil
}

// operationNamed maps an operation's config key to the operation.
func operationNamed(key string) operation {
	for op, name := range operationNames {
		if name == key {
			return operation(op)
		}
	}
	return opOther
}

// ruleFor returns the start-up rule for k, creating it from the generic classification.
func (p *policy) ruleFor(k string) *keyRule {
	if r, ok := p.known[k]; ok {
		return r
	}
	r := p.classify(k)
	p.known[k] = r
	return r
}

// classify derives the rule of a key that is not in the contract.
func (p *policy) classify(k string) *keyRule {
	r := &keyRule{secret: p.engine.KeyKind(k), unlisted: p.keepOnly}
	var hits redact.Hits
	_, r.secretInKey = p.engine.Redact(k, &hits)
	for _, prefix := range allowedPrefixes {
		if strings.HasPrefix(k, prefix) {
			r.allowed = true
		}
	}
	for _, prefix := range personalPrefixes {
		if strings.HasPrefix(k, prefix) {
			r.personal = personalDrop
		}
	}
	return r
}

// rule returns the rule for an attribute key: one lookup in the published table, else
// the slow path that classifies a new key.
func (p *policy) rule(k string) *keyRule {
	t := p.rules.Load()
	if s := t.inFront(k); s != nil {
		return s.rule
	}
	return p.behindFront(t, k)
}

// behindFront is rule for a key that t's front set does not hold: the neighbouring set,
// the map behind the front, else the slow path.
func (p *policy) behindFront(t *ruleTable, k string) *keyRule {
	if k != "" {
		if r := t.inNeighbour(k); r != nil {
			return r
		}
	}
	if r, ok := t.all[k]; ok {
		return r
	}
	return p.learn(k)
}

// learn classifies a key the published table does not hold yet and keeps the rule in
// pending until publish, so a new key is classified once, not once per item.
func (p *policy) learn(k string) *keyRule {
	if len(k) > maxCachedKeyLen {
		return p.classify(k) // never kept: no lock needed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.pending[k]; ok {
		return r
	}
	// published since the caller loaded its table (publish runs under mu): not learnt
	// twice, so it is not counted against maxCachedKeys twice
	if r, ok := p.rules.Load().all[k]; ok {
		return r
	}
	r := p.classify(k)
	if p.cached.Load() < maxCachedKeys {
		if p.pending == nil {
			p.pending = map[string]*keyRule{}
		}
		p.pending[strings.Clone(k)] = r
		p.cached.Add(1)
		p.dirty.Store(true)
	}
	return r
}

// publish makes the keys learnt since the last publish visible to the lookup path
// (batch calls it every 64 items and at the end of a batch). Calls that find no new key
// pay one atomic load.
func (p *policy) publish() {
	if !p.dirty.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return
	}
	rules := maps.Clone(p.rules.Load().all)
	maps.Copy(rules, p.pending)
	p.rules.Store(newRuleTable(rules, p.traceSafe))
	p.pending = nil
	p.dirty.Store(false)
}

// operationOfSpan classifies a span by its name.
func (p *policy) operationOfSpan(name string) operation {
	return p.spanOps.lookup(name)
}

// operationOfEvent classifies a log record or span event by its `event.name` value.
func (p *policy) operationOfEvent(eventName string) operation {
	return p.eventOps.lookup(eventName)
}

// nameTable maps a set of names to operations. Most span and event names are no
// operation's: a one-word filter turns them away with a bit test. A name that passes finds
// the one name of the set with its index in a slot and is compared with it, where the map
// lookup (a hash of the name and a probe) cost several times as much on every Codex event;
// only an index that several names of the set share sends the lookup to the map.
type nameTable struct {
	filter uint64 // bit i: some name of the set has index i
	slots  [64]nameSlot
	all    map[string]operation // every name of the set
}

type nameSlot struct {
	name   string
	op     operation
	shared bool // several names of the set have this slot's index: all decides
}

// add puts name in t, mapped to op (a name added again is mapped to its last op, as in a map).
func (t *nameTable) add(name string, op operation) {
	if t.all == nil {
		t.all = map[string]operation{}
	}
	t.all[name] = op
	i := nameIndex(name)
	s := &t.slots[i]
	switch {
	case t.filter&(1<<i) == 0:
		*s = nameSlot{name: name, op: op}
		t.filter |= 1 << i
	case s.name == name:
		s.op = op
	default:
		s.shared = true
	}
}

// lookup returns name's operation, opOther if the set does not hold it.
func (t *nameTable) lookup(name string) operation {
	i := nameIndex(name)
	if t.filter&(1<<i) == 0 {
		return opOther
	}
	s := &t.slots[i]
	if s.shared {
		return t.all[name]
	}
	if s.name == name {
		return s.op
	}
	return opOther
}

// nameIndex is a name's index in a nameTable, from its length and its first and last bytes.
func nameIndex(name string) uint {
	if name == "" {
		return 0
	}
	return uint(len(name)+int(name[0])*7+int(name[len(name)-1])) & 63
}
