package authobsprocessor

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/authobs/authobsprocessor/internal/redact"
)

// TestRuleTableFront: a key the front holds comes with its own rule, never another key's;
// keys that differ in one byte only (the auth.x / auth_x twins) share a set and both stay
// in the front; the front is bounded, so with more keys than slots some are left to the
// map behind it; an unknown key is not in the front.
func TestRuleTableFront(t *testing.T) {
	all := map[string]*keyRule{}
	for i := range 3000 {
		n := strconv.Itoa(i)
		for j, k := range []string{"auth." + n, "auth_" + n, "k" + n, "http.request.header.x-" + n + "-id"} {
			all[k] = &keyRule{evidence: evidenceKind(j), drop: i%2 == 0}
		}
	}
	tb := newRuleTable(all, true)
	inFront := 0
	for k, want := range all {
		got := frontRule(tb, k)
		if got != nil {
			require.Equal(t, *want, *got, k)
			inFront++
		}
	}
	require.Positive(t, inFront)
	require.Less(t, inFront, len(all), "more keys than front slots: some must be in the map only")
	for _, k := range []string{"auth.x", "unknown.key", "", "http.request.header.x-1-di"} {
		require.Nil(t, tb.inFront(k), k)
		if k != "" {
			require.Nil(t, tb.inNeighbour(k), k)
		}
	}
	twins := newRuleTable(map[string]*keyRule{"auth.request_id": {evidence: evRequestID}, "auth_request_id": {evidence: evCFRay}}, true)
	require.Equal(t, evRequestID, twins.inFront("auth.request_id").rule.evidence)
	require.Equal(t, evCFRay, twins.inFront("auth_request_id").rule.evidence)
}

// TestRuleTablePlacementAsSorted: newRuleTable places exactly the keys, in exactly the
// slots, that placing every key in sorted order does (its way before it took only each
// pair of sets' least four keys), for key sets from a few keys to far more than the front
// holds, crowded into few sets or spread.
func TestRuleTablePlacementAsSorted(t *testing.T) {
	sortedFront := func(all map[string]*keyRule) (taken [ruleSets][2]string) {
		place := func(set *[2]string, k string) bool {
			for i := range set {
				if set[i] == "" {
					set[i] = k
					return true
				}
			}
			return false
		}
		for _, k := range slices.Sorted(maps.Keys(all)) {
			if k != "" && !place(&taken[setOf(k)], k) {
				place(&taken[setOf(k)^1], k)
			}
		}
		return taken
	}
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 60 {
		all := map[string]*keyRule{"": {}}
		n := 1 + r.IntN(6000)
		for range n {
			var k string
			switch trial % 3 {
			case 0: // spread: keys of every shape
				k = "k" + strconv.Itoa(r.IntN(1<<20)) + strings.Repeat(".x", r.IntN(4))
			case 1: // crowded: short keys over a small alphabet share few sets
				b := make([]byte, 1+r.IntN(3))
				for i := range b {
					b[i] = "ab"[r.IntN(2)]
				}
				k = string(b)
			default: // the twins: one byte apart in the middle
				k = "auth" + string("._-"[r.IntN(3)]) + strconv.Itoa(r.IntN(500))
			}
			all[k] = &keyRule{}
		}
		want := sortedFront(all)
		tb := newRuleTable(all, true)
		for s := range ruleSets {
			for i := range 2 {
				if got := tb.front[s][i].key; got != want[s][i] {
					t.Fatalf("trial %d (%d keys): set %d slot %d holds %q, sorted placement %q", trial, len(all), s, i, got, want[s][i])
				}
				if k := want[s][i]; k != "" && tb.front[s][i].rule != all[k] {
					t.Fatalf("trial %d: set %d slot %d: %q has another key's rule", trial, s, i, k)
				}
			}
		}
	}
}

// frontRule is the rule of k in tb's front (its own set or the neighbouring one), else nil.
func frontRule(tb *ruleTable, k string) *keyRule {
	if s := tb.inFront(k); s != nil {
		return s.rule
	}
	return tb.inNeighbour(k)
}

// TestRuleTableNeighbour: a third key of a full set takes the neighbouring set, so three
// common keys that share a set (as these do) all stay out of the map, whatever the order
// the map hands them to newRuleTable in.
func TestRuleTableNeighbour(t *testing.T) {
	keys := []string{"output", "http.request.header.content-type", "exception.message"}
	require.Equal(t, setOf(keys[0]), setOf(keys[1]))
	require.Equal(t, setOf(keys[0]), setOf(keys[2]))
	all := map[string]*keyRule{}
	for i, k := range keys {
		all[k] = &keyRule{evidence: evidenceKind(i + 1)}
	}
	tb := newRuleTable(all, true)
	for i, k := range keys {
		got := frontRule(tb, k)
		require.NotNil(t, got, k)
		require.Equal(t, evidenceKind(i+1), got.evidence, k)
	}
}

// TestSameKey: the in-place compare agrees with == for keys of every length up to 40 that
// differ in any one byte, in length only, or not at all.
func TestSameKey(t *testing.T) {
	for n := range 41 {
		a := make([]byte, n)
		for i := range a {
			a[i] = byte('a' + i%26)
		}
		k := string(a)
		require.True(t, sameKey(k, strings.Clone(k)), n)
		require.False(t, sameKey(k, k+"x"), n)
		require.False(t, sameKey(k+"x", k), n)
		for i := range n {
			b := []byte(k)
			b[i] ^= 0x20
			require.False(t, sameKey(k, string(b)), "%d %d", n, i)
		}
	}
}

// TestPlainSlots: routeAttrs' and redactEntries' shortcut for keys whose front slot says plain decides every
// entry as decideAttr's or decideEntry's walk through the cases does (the rule left to the
// map behind the front), for every combination of a rule's fields, on both routes, for the
// attributes of ordinary items and auth operations and for entries of other maps where
// personal data is kept or dropped, for values of every type (secrets, error text,
// containers): the same attributes afterwards (removals, rewrites, derived facts) and the
// same counts; and so does the path of maps too long for their marks.
func TestPlainSlots(t *testing.T) {
	const key = "app.request.detail"
	values := map[string]func(pcommon.Value){
		"empty": func(pcommon.Value) {},
		"clean": func(v pcommon.Value) { v.SetStr("GET /v1/items served") },
		"secret": func(v pcommon.Value) {
			v.SetStr("token sk-proj-" + strings.Repeat("Ab3xY9", 8))
		},
		"error": func(v pcommon.Value) { v.SetStr("request failed: http 401 Unauthorized for the refresh") },
		"int":   func(v pcommon.Value) { v.SetInt(401) },
		"bool":  func(v pcommon.Value) { v.SetBool(true) },
		"bytes": func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte("password=hunter2hunter2")) },
		"map": func(v pcommon.Value) {
			m := v.SetEmptyMap()
			m.PutStr("password", "hunter2hunter2")
			m.PutStr("user.email", "a@example.com")
		},
		"slice": func(v pcommon.Value) {
			s := v.SetEmptySlice()
			s.AppendEmpty().SetStr("Bearer " + strings.Repeat("Zq7", 12))
			s.AppendEmpty().SetStr("ok")
		},
	}
	var rules []keyRule
	for bits := range 1 << 5 {
		for _, ev := range []evidenceKind{evNone, evBool, evEnum} {
			for _, pk := range []personalKind{notPersonal, personalDrop, personalPrompt} {
				for _, sk := range []redact.KeyKind{redact.KeyPlain, redact.KeySecret, redact.KeyCookie} {
					rules = append(rules, keyRule{
						enum: enumValuesOf(enumAuthMode), evidence: ev, personal: pk, secret: sk,
						allowed: bits&1 != 0, drop: bits&2 != 0, errorText: bits&4 != 0,
						secretInKey: bits&8 != 0, unlisted: bits&16 != 0,
					})
				}
			}
		}
	}
	type outcome struct {
		attrs map[string]any
		c     counters
	}
	modes := []struct {
		name   string
		routed bool
		op     operation
		depth  int
		nested nestedKeys
	}{
		{"ordinary item", true, opOther, topLevel, keepNestedPersonal},
		{"auth operation", true, opAPIRequest, topLevel, keepNestedPersonal},
		{"metric attributes", false, opOther, topLevel, keepNestedPersonal},
		{"nested map, personal data dropped", false, opOther, 1, dropNestedPersonal},
	}
	for _, route := range routes {
		set := processortest.NewNopSettings(NewFactory().Type())
		p, err := newAuthobsProcessor(set, routeConfig(route))
		require.NoError(t, err)
		plain := 0
		for _, r := range rules {
			front := newRuleTable(map[string]*keyRule{key: &r}, p.traceSafe)
			behind := &ruleTable{all: map[string]*keyRule{key: &r}}
			require.NotNil(t, front.inFront(key))
			require.Nil(t, behind.inFront(key))
			if front.inFront(key).plain != 0 {
				plain++
			}
			for _, mode := range modes {
				nested := mode.nested
				if mode.routed {
					nested = p.routedNested
				}
				for name, fill := range values {
					// long: 65 more entries, so the map takes the path of maps too long
					// for the marks; what they cost alone (fillers) is taken off
					run := func(tb *ruleTable, long, fillers bool) outcome {
						p.policy.rules.Store(tb)
						var o outcome
						m := pcommon.NewMap()
						if !fillers {
							fill(m.PutEmpty(key))
						}
						for i := 0; long && i <= maxMarked; i++ {
							m.PutInt("filler.attribute."+strconv.Itoa(i), int64(i))
						}
						if mode.routed {
							p.routeAttrs(m, mode.op, &o.c)
						} else {
							p.redactEntries(m, mode.depth, nested, &o.c)
						}
						// the batch's memo of clean values is state, not outcome: which
						// values it holds depends on what the shared cache had seen before
						o.c.recent.Reset()
						o.attrs = m.AsRaw()
						for k := range o.attrs {
							if strings.HasPrefix(k, "filler.") {
								delete(o.attrs, k)
							}
						}
						return o
					}
					want := run(behind, false, false)
					require.Equal(t, want, run(front, false, false), "%s %+v %s, value %s", route, r, mode.name, name)
					long, fillers := run(front, true, false), run(front, true, true)
					for i := range long.c.dropped {
						long.c.dropped[i] -= fillers.c.dropped[i]
					}
					require.Equal(t, want, long, "%s %+v %s, value %s, long map", route, r, mode.name, name)
				}
			}
		}
		require.Positive(t, plain, route)
	}
}

// TestKeysPublishedWithinBatch: a key first met in a batch is published after at most 64
// items, not only at the end of the batch, so the rest of the batch finds it in the table.
func TestKeysPublishedWithinBatch(t *testing.T) {
	const newKey = "app.key.never.seen.before"
	set := processortest.NewNopSettings(NewFactory().Type())
	p, err := newAuthobsProcessor(set, routeConfig(RouteTraceSafe))
	require.NoError(t, err)
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range 200 {
		spans.AppendEmpty().Attributes().PutStr(newKey, "value")
	}
	guarded, publishedAt := 0, 0
	p.beforeItem = func() {
		guarded++
		if _, ok := p.policy.rules.Load().all[newKey]; ok && publishedAt == 0 {
			publishedAt = guarded
		}
	}
	_, err = p.processTraces(context.Background(), td)
	require.NoError(t, err)
	// guarded: the resource, the scope, then the spans
	require.Positive(t, publishedAt, "not published within the batch")
	require.LessOrEqual(t, publishedAt, 2+64+1)
}

// TestLearnAfterPublish: a goroutine that looked a key up in the table before another
// published it finds it in neither table nor pending; learn takes the published rule and
// does not learn (and count) the key a second time.
func TestLearnAfterPublish(t *testing.T) {
	const newKey = "app.key.learnt.elsewhere"
	set := processortest.NewNopSettings(NewFactory().Type())
	p, err := newAuthobsProcessor(set, routeConfig(RouteTraceSafe))
	require.NoError(t, err)
	first := p.policy.learn(newKey)
	p.policy.publish()
	require.Same(t, first, p.policy.rules.Load().all[newKey])
	before := p.policy.cached.Load()
	require.Same(t, first, p.policy.learn(newKey), "learnt again after publish")
	require.Equal(t, before, p.policy.cached.Load(), "counted against maxCachedKeys twice")
	require.False(t, p.policy.dirty.Load(), "nothing new to publish")
}

// TestNameTable: nameTable.lookup answers as the map it replaced (a missing name is
// opOther) for sets of names over a two-letter alphabet, which share indexes all the time,
// names added twice, and the empty name.
func TestNameTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	name := func() string {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = "ab"[r.IntN(2)]
		}
		return string(b)
	}
	for round := range 500 {
		var table nameTable
		want := map[string]operation{}
		for range 1 + round%40 {
			n, op := name(), operation(1+r.IntN(int(numOperations)-1))
			table.add(n, op)
			want[n] = op
		}
		for range 200 {
			n := name()
			require.Equal(t, want[n], table.lookup(n), "round %d, name %q", round, n)
		}
		for n, op := range want {
			require.Equal(t, op, table.lookup(n), "round %d, name %q", round, n)
		}
	}
}

// TestEnumValues: enumValues.has answers as the map of the enum's values for every value,
// every value with one byte changed, cut or extended, and the empty string.
func TestEnumValues(t *testing.T) {
	for key, set := range enumKeys {
		values := enumValuesOf(set)
		tries := []string{"", otherValue}
		for v := range set {
			tries = append(tries, v, v[:len(v)-1], v+"x", strings.ToUpper(v))
			for i := range len(v) {
				b := []byte(v)
				b[i] ^= 1
				tries = append(tries, string(b))
			}
		}
		for _, s := range tries {
			_, want := set[s]
			require.Equal(t, want, values.has(s), "%s: %q", key, s)
		}
	}
}
