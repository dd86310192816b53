package authobsprocessor

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
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
	tb := newRuleTable(all)
	inFront := 0
	for k, want := range all {
		got := tb.inFront(k)
		if got == nil {
			got = tb.inNeighbour(k)
		}
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
	twins := newRuleTable(map[string]*keyRule{"auth.request_id": {evidence: evRequestID}, "auth_request_id": {evidence: evCFRay}})
	require.Equal(t, evRequestID, twins.inFront("auth.request_id").evidence)
	require.Equal(t, evCFRay, twins.inFront("auth_request_id").evidence)
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
	tb := newRuleTable(all)
	for i, k := range keys {
		got := tb.inFront(k)
		if got == nil {
			got = tb.inNeighbour(k)
		}
		require.NotNil(t, got, k)
		require.Equal(t, evidenceKind(i+1), got.evidence, k)
	}
}
