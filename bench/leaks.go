package bench

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// LeakCount is how many planted secrets survived, per place, out of how many planted.
type LeakCount struct {
	Leaked  [NumPlaces]int
	Planted [NumPlaces]int
}

// Total sums the leaked and planted counts.
func (l LeakCount) Total() (leaked, planted int) {
	for p := range NumPlaces {
		leaked += l.Leaked[p]
		planted += l.Planted[p]
	}
	return leaked, planted
}

// CountLeaks searches every string of the output (keys, values, names, bodies, status
// messages) for each planted secret.
func CountLeaks(secrets []Secret, texts []string, lc *LeakCount) {
	all := strings.Join(texts, "\x00")
	for _, s := range secrets {
		lc.Planted[s.Place]++
		if strings.Contains(all, s.Value) {
			lc.Leaked[s.Place]++
		}
	}
}

// TraceTexts collects every string in td.
func TraceTexts(td ptrace.Traces) []string {
	var out []string
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		out = mapTexts(out, rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			out = mapTexts(append(out, ss.Scope().Name()), ss.Scope().Attributes())
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				out = mapTexts(append(out, span.Name(), span.Status().Message()), span.Attributes())
				evs := span.Events()
				for e := 0; e < evs.Len(); e++ {
					out = mapTexts(append(out, evs.At(e).Name()), evs.At(e).Attributes())
				}
				links := span.Links()
				for l := 0; l < links.Len(); l++ {
					out = mapTexts(out, links.At(l).Attributes())
				}
			}
		}
	}
	return out
}

// LogTexts collects every string in ld.
func LogTexts(ld plog.Logs) []string {
	var out []string
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		out = mapTexts(out, rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				out = valueTexts(mapTexts(append(out, lr.EventName()), lr.Attributes()), lr.Body())
			}
		}
	}
	return out
}

func mapTexts(out []string, m pcommon.Map) []string {
	for k, v := range m.All() {
		out = valueTexts(append(out, k), v)
	}
	return out
}

func valueTexts(out []string, v pcommon.Value) []string {
	switch v.Type() {
	case pcommon.ValueTypeMap:
		return mapTexts(out, v.Map())
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			out = valueTexts(out, s.At(i))
		}
		return out
	case pcommon.ValueTypeBytes:
		return append(out, string(v.Bytes().AsRaw()))
	}
	return append(out, v.AsString())
}
