package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// writer makes every change the processor makes to telemetry, and is the only code that
// does: no other file calls a pdata setter (TestOnlyTheWriterChangesData). The rest of
// the processor decides and counts the same way in both modes; an audit-mode writer then
// changes nothing, so audit mode cannot be broken by a write site that forgets it.
//
// Setters reach it as method values (span.SetName, v.SetStr), called only here.
type writer struct {
	enforce bool
}

// set writes s through a string setter.
func (w writer) set(set func(string), s string) {
	if w.enforce {
		set(s)
	}
}

// setBytes replaces a bytes value's content.
func (w writer) setBytes(v pcommon.Value, b []byte) {
	if w.enforce {
		v.SetEmptyBytes().FromRaw(b)
	}
}

// removeIf removes the entries drop reports. drop runs on every entry in both modes: it
// is where the decisions are made and counted.
//
// The decisions are made in a plain walk and marked, and the map is rebuilt only when one
// of them removes an entry: most maps lose nothing, and pdata's RemoveIf costs a closure
// call and a rebuild step per entry. A map too long for the marks takes RemoveIf directly
// when enforcing; in audit mode nothing is removed, so only the walk's decisions matter.
func (w writer) removeIf(m pcommon.Map, drop func(string, pcommon.Value) bool) {
	if w.enforce && m.Len() > maxMarked {
		m.RemoveIf(drop)
		return
	}
	var marked uint64
	i := 0
	for k, v := range m.All() {
		if drop(k, v) && i < maxMarked {
			marked |= 1 << i
		}
		i++
	}
	w.removeMarked(m, marked)
}

// maxMarked is the longest map whose removals fit in removeMarked's marks.
const maxMarked = 64

// removeMarked removes the entries of m whose bit is set in marked (entry i, bit i).
func (w writer) removeMarked(m pcommon.Map, marked uint64) {
	if !w.enforce || marked == 0 {
		return
	}
	m.RemoveIf(func(string, pcommon.Value) bool {
		drop := marked&1 != 0
		marked >>= 1
		return drop
	})
}

// addInt adds k=n unless m holds k already.
func (w writer) addInt(m pcommon.Map, k string, n int64) {
	if _, ok := m.Get(k); w.enforce && !ok {
		m.PutInt(k, n)
	}
}

// addBool adds k=b unless m holds k already.
func (w writer) addBool(m pcommon.Map, k string, b bool) {
	if _, ok := m.Get(k); w.enforce && !ok {
		m.PutBool(k, b)
	}
}

// empty makes v an empty value.
func (w writer) empty(v pcommon.Value) {
	if w.enforce {
		pcommon.NewValueEmpty().CopyTo(v)
	}
}

// failClosedAttr marks an item whose content was removed because processing it failed.
const failClosedAttr = "authobs.fail_closed"

// markFailClosed replaces every attribute by the fail-closed marker.
func (w writer) markFailClosed(m pcommon.Map) {
	if w.enforce {
		m.Clear()
		m.PutBool(failClosedAttr, true)
	}
}

// dropDataPoints leaves a metric without data points (an empty gauge).
func (w writer) dropDataPoints(m pmetric.Metric) {
	if w.enforce {
		m.SetEmptyGauge()
	}
}

// removeAll empties a pdata slice through its RemoveIf method (span events, links).
func removeAll[E any](w writer, removeIf func(func(E) bool)) {
	if w.enforce {
		removeIf(func(E) bool { return true })
	}
}
