package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// guard runs process on one item; if it panics, the item keeps its identity and timing
// but loses every value that could hold a secret (failClosed), the cause is logged once,
// and the batch goes on.
func guard[T any](p *authobsProcessor, c *counters, item T, process func(T, *counters), failClosed func(*authobsProcessor, T)) {
	defer func() {
		if r := recover(); r != nil {
			c.failClosed[failPanic]++
			p.panics.record(r)
			failClosed(p, item)
		}
	}()
	if p.beforeItem != nil {
		p.beforeItem()
	}
	process(item, c)
}

// guardItems runs item on items[from:to] in order, under one deferred recover for all of
// them (a defer and recover on each item cost more than the rest of batch's walk), and
// counts each in *n, publishing the keys learnt on the way every 64 items. It returns to,
// or, if an item panicked, the index after it once that item is failed closed exactly as
// guard would have: counted, logged once per cause, failClosed; the caller calls again from
// there, so no other item is affected. A panic outside an item (in publish) is not an
// item's and goes on up, as it did when only the item was guarded.
func guardItems[I any, IS sliceOf[I]](p *authobsProcessor, c *counters, items IS, from, to int, n *int,
	process func(I, *counters), failClosed func(*authobsProcessor, I),
) (next int) {
	k, inItem := from, false
	defer func() {
		if !inItem {
			return // no panic, or publish's: recover is not called, so it goes on up
		}
		if r := recover(); r != nil {
			c.failClosed[failPanic]++
			p.panics.record(r)
			failClosed(p, items.At(k))
			next = k + 1
			countItem(p, n)
		}
	}()
	for ; k < to; k++ {
		inItem = true
		if p.beforeItem != nil {
			p.beforeItem()
		}
		process(items.At(k), c)
		inItem = false
		countItem(p, n)
	}
	return to
}

// countItem counts one item of a batch in *n: keys learnt on the way are published every 64
// items as well, so a batch that brings many new keys (the first a collector sees, say)
// looks them up behind the front (a lock and two maps) on its first items only.
func countItem(p *authobsProcessor, n *int) {
	if *n++; *n%64 == 0 {
		p.policy.publish()
	}
}

// failClosedAttrs empties a resource's attributes whose processing failed.
func (p *authobsProcessor) failClosedAttrs(m pcommon.Map) {
	p.w.markFailClosed(m)
}

func (p *authobsProcessor) failClosedScope(s pcommon.InstrumentationScope) {
	p.w.set(s.SetName, p.engine.Replacement())
	p.w.set(s.SetVersion, "")
	p.w.markFailClosed(s.Attributes())
}

func (p *authobsProcessor) failClosedSpan(span ptrace.Span) {
	p.w.set(span.SetName, p.engine.Replacement())
	p.w.markFailClosed(span.Attributes())
	removeAll(p.w, span.Events().RemoveIf)
	removeAll(p.w, span.Links().RemoveIf)
	p.w.set(span.Status().SetMessage, "")
	p.w.set(span.TraceState().FromRaw, "")
}

func (p *authobsProcessor) failClosedLogRecord(lr plog.LogRecord) {
	p.w.markFailClosed(lr.Attributes())
	p.w.set(lr.SetEventName, "")
	p.w.empty(lr.Body())
}

// failClosedMetric drops the metric's data points: their attributes cannot be trusted.
func (p *authobsProcessor) failClosedMetric(m pmetric.Metric) {
	p.w.set(m.SetName, p.engine.Replacement())
	p.w.set(m.SetDescription, "")
	p.w.set(m.SetUnit, "")
	p.w.dropDataPoints(m)
	p.w.markFailClosed(m.Metadata())
}

// maxLoggedPanics bounds the distinct causes logged per instance: a bug that panics at
// ever new places is still counted (items_fail_closed), but cannot flood the log.
const maxLoggedPanics = 16

// panicLog logs a recovered panic once per cause — the place it was raised — with the
// component id and the stack (function, file and line of each frame: no arguments), and
// never the data: of the panic value only its type, or a runtime error's own message.
type panicLog struct {
	logger *zap.Logger
	id     string
	mu     sync.Mutex
	seen   map[uintptr]bool
}

func newPanicLog(logger *zap.Logger, id string) *panicLog {
	return &panicLog{logger: logger, id: id, seen: map[uintptr]bool{}}
}

// record is called from the deferred recover of guard or guardItems, on the panicking stack.
func (l *panicLog) record(r any) {
	var pcs [64]uintptr
	frames := pcs[:runtime.Callers(3, pcs[:])] // above record and guard's (guardItems') deferred func
	site := panicSite(frames)
	l.mu.Lock()
	logged, causes := l.seen[site], len(l.seen)
	if !logged && causes <= maxLoggedPanics {
		l.seen[site] = true
	}
	l.mu.Unlock()
	switch {
	case logged || causes > maxLoggedPanics:
	case causes == maxLoggedPanics:
		l.logger.Error("authobs: internal errors at more places than are logged; they are counted in items_fail_closed",
			zap.String("processor", l.id))
	default:
		l.logger.Error("authobs: internal error; the item was failed closed (its content removed) and the batch went on; later panics at the same place are only counted",
			zap.String("processor", l.id), zap.String("panic", panicKind(r)), zap.String("stack", stackText(frames)))
	}
}

// panicSite is the program counter of the frame that raised the panic: the first frame
// after the runtime's panic machinery.
func panicSite(frames []uintptr) uintptr {
	it := runtime.CallersFrames(frames)
	inRuntime := false
	for {
		f, more := it.Next()
		switch {
		case strings.HasPrefix(f.Function, "runtime."):
			inRuntime = true
		case inRuntime:
			return f.PC
		}
		if !more {
			return 0
		}
	}
}

// panicKind describes a panic value without its data.
func panicKind(r any) string {
	if err, ok := r.(runtime.Error); ok {
		return err.Error()
	}
	return fmt.Sprintf("%T", r)
}

// stackText prints function, file and line of each frame, never argument values.
func stackText(frames []uintptr) string {
	var b strings.Builder
	it := runtime.CallersFrames(frames)
	for {
		f, more := it.Next()
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		if !more {
			return b.String()
		}
	}
}
