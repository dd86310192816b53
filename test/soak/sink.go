package main

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the exporter compresses by default
	"google.golang.org/grpc/status"
)

// sink is the OTLP/gRPC destination of the collector's exporter. It marks each item's id
// in a bitmap per worker and signal, counting duplicates and planted secrets.
type sink struct {
	// down makes every export fail with Unavailable (retryable), as a destination in an outage.
	down      atomic.Bool
	mu        sync.Mutex
	seen      [][numSignals][]uint64
	unique    [numSignals]atomic.Int64
	dups      [numSignals]atomic.Int64
	leaks     atomic.Int64
	redacted  atomic.Int64
	malformed atomic.Int64
}

func newSink(workers int) *sink {
	return &sink{seen: make([][numSignals][]uint64, workers)}
}

func (s *sink) deliveredTotal() int64 {
	var n int64
	for i := range numSignals {
		n += s.unique[i].Load()
	}
	return n
}

func (s *sink) record(sig signal, attrs pcommon.Map) {
	w, ok1 := attrs.Get(workerKey)
	seq, ok2 := attrs.Get(seqKey)
	if !ok1 || !ok2 || int(w.Int()) >= len(s.seen) || w.Int() < 0 || seq.Int() < 0 {
		s.malformed.Add(1)
		return
	}
	leaked := false
	attrs.Range(func(_ string, v pcommon.Value) bool {
		str := v.AsString()
		if strings.Contains(str, plantedKey) || strings.Contains(str, plantedJWT) || strings.Contains(str, plantedKey[8:24]) {
			leaked = true
		}
		return true
	})
	if leaked {
		s.leaks.Add(1)
	}
	if v, ok := attrs.Get("url.full"); ok && strings.Contains(v.Str(), "api_key=REDACTED") {
		s.redacted.Add(1)
	}
	s.mark(sig, int(w.Int()), seq.Int())
}

func (s *sink) mark(sig signal, w int, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bm := s.seen[w][sig]
	word := int(seq / 64)
	if word >= len(bm) {
		bm = append(bm, make([]uint64, word+1-len(bm)+1024)...)
		s.seen[w][sig] = bm
	}
	bit := uint64(1) << (seq % 64)
	if bm[word]&bit != 0 {
		s.dups[sig].Add(1)
		return
	}
	bm[word] |= bit
	s.unique[sig].Add(1)
}

// fill completes the report: per signal, accepted ids 0..accepted-1 of each worker are
// expected exactly once.
func (s *sink) fill(r *report, l *load) {
	r.Accepted, r.Delivered, r.Missing, r.Duplicates, r.GaveUp = map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for sig := range numSignals {
		name := signalNames[sig]
		for w := range s.seen {
			acc := l.accepted[w][sig].Load()
			r.Accepted[name] += acc
			r.GaveUp[name] += l.gaveUp[w][sig].Load()
			bm := s.seen[w][sig]
			for seq := int64(0); seq < acc; seq++ {
				word := int(seq / 64)
				if word >= len(bm) || bm[word]&(1<<(seq%64)) == 0 {
					r.Missing[name]++
				}
			}
		}
		r.Delivered[name] = s.unique[sig].Load()
		r.Duplicates[name] = s.dups[sig].Load()
	}
	r.Leaks = s.leaks.Load()
	r.Redacted = s.redacted.Load()
	if m := s.malformed.Load(); m != 0 {
		r.Failures = append(r.Failures, "items without their soak id delivered")
	}
}

// errDown is the sink's answer while it is down: retryable for an OTLP exporter.
var errDown = status.Error(codes.Unavailable, "sink down")

type traceServer struct {
	ptraceotlp.UnimplementedGRPCServer
	s *sink
}

func (t traceServer) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	if t.s.down.Load() {
		return ptraceotlp.NewExportResponse(), errDown
	}
	rss := req.Traces().ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				t.s.record(sigTraces, spans.At(k).Attributes())
			}
		}
	}
	return ptraceotlp.NewExportResponse(), nil
}

type logServer struct {
	plogotlp.UnimplementedGRPCServer
	s *sink
}

func (l logServer) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	if l.s.down.Load() {
		return plogotlp.NewExportResponse(), errDown
	}
	rls := req.Logs().ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			recs := sls.At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				lr := recs.At(k)
				if strings.Contains(lr.Body().AsString(), plantedKey) {
					l.s.leaks.Add(1)
				}
				l.s.record(sigLogs, lr.Attributes())
			}
		}
	}
	return plogotlp.NewExportResponse(), nil
}

type metricServer struct {
	pmetricotlp.UnimplementedGRPCServer
	s *sink
}

func (m metricServer) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	if m.s.down.Load() {
		return pmetricotlp.NewExportResponse(), errDown
	}
	rms := req.Metrics().ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				if ms.At(k).Type() != pmetric.MetricTypeSum {
					m.s.malformed.Add(1)
					continue
				}
				dps := ms.At(k).Sum().DataPoints()
				for d := 0; d < dps.Len(); d++ {
					m.s.record(sigMetrics, dps.At(d).Attributes())
				}
			}
		}
	}
	return pmetricotlp.NewExportResponse(), nil
}

// serve starts the sink's gRPC server on a free 127.0.0.1 port.
func (s *sink) serve() (string, func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(64 << 20))
	ptraceotlp.RegisterGRPCServer(srv, &traceServer{s: s})
	plogotlp.RegisterGRPCServer(srv, &logServer{s: s})
	pmetricotlp.RegisterGRPCServer(srv, &metricServer{s: s})
	go func() { _ = srv.Serve(lis) }()
	return lis.Addr().String(), srv.Stop, nil
}
