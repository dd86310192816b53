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
		if got := tb.inFront(k); got != nil {
			require.Equal(t, *want, *got, k)
			inFront++
		}
	}
	require.Positive(t, inFront)
	require.Less(t, inFront, len(all), "more keys than front slots: some must be in the map only")
	for _, k := range []string{"auth.x", "unknown.key", "", "http.request.header.x-1-di"} {
		require.Nil(t, tb.inFront(k), k)
	}
	twins := newRuleTable(map[string]*keyRule{"auth.request_id": {evidence: evRequestID}, "auth_request_id": {evidence: evCFRay}})
	require.Equal(t, evRequestID, twins.inFront("auth.request_id").evidence)
	require.Equal(t, evCFRay, twins.inFront("auth_request_id").evidence)
}
