package bench

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// FloorSink receives the floor's sums; exported, so no analysis can prove the reads dead and
// drop them.
var FloorSink uint64

// Floor is the least any inspecting processor must do: visit every attribute of every
// resource, scope, span, event and link recursively and read every byte of every string
// (keys, values, names, status messages). It changes nothing.
func Floor(td ptrace.Traces) {
	var sum uint64
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sum += walkMap(rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			sum += readString(ss.Scope().Name()) + walkMap(ss.Scope().Attributes())
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				sum += readString(span.Name()) + readString(span.Status().Message()) + walkMap(span.Attributes())
				evs := span.Events()
				for e := 0; e < evs.Len(); e++ {
					sum += readString(evs.At(e).Name()) + walkMap(evs.At(e).Attributes())
				}
				links := span.Links()
				for l := 0; l < links.Len(); l++ {
					sum += walkMap(links.At(l).Attributes())
				}
			}
		}
	}
	FloorSink += sum
}

// FloorLogs is Floor for log records: attributes, event name and body.
func FloorLogs(ld plog.Logs) {
	var sum uint64
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sum += walkMap(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			sum += readString(sl.Scope().Name()) + walkMap(sl.Scope().Attributes())
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				sum += readString(lr.EventName()) + walkMap(lr.Attributes()) + walkValue(lr.Body())
			}
		}
	}
	FloorSink += sum
}

func walkMap(m pcommon.Map) uint64 {
	var sum uint64
	for k, v := range m.All() {
		sum += readString(k) + walkValue(v)
	}
	return sum
}

func walkValue(v pcommon.Value) uint64 {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return readString(v.Str())
	case pcommon.ValueTypeBytes:
		var sum uint64
		for _, b := range v.Bytes().AsRaw() {
			sum += uint64(b)
		}
		return sum
	case pcommon.ValueTypeMap:
		return walkMap(v.Map())
	case pcommon.ValueTypeSlice:
		var sum uint64
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			sum += walkValue(s.At(i))
		}
		return sum
	}
	return 0
}

func readString(s string) uint64 {
	var sum uint64
	for i := 0; i < len(s); i++ {
		sum += uint64(s[i])
	}
	return sum
}
