package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/authobs/authobsprocessor/test/internal/proc"
)

// Retry bounds of a sender: the collector may be down for a few seconds during -restart.
const (
	requestTimeout = 10 * time.Second
	retryBackoff   = 100 * time.Millisecond
	maxBackoff     = 2 * time.Second
	giveUpAfter    = 90 * time.Second
)

// load sends numbered items; accepted[w][sig] is the number of items of worker w that the
// collector acknowledged (ids 0..accepted-1, sent in order, each request retried until it
// is acknowledged).
type load struct {
	cfg                   config
	grpcAddr, httpAddr    string
	accepted              [][numSignals]atomic.Int64
	gaveUp                [][numSignals]atomic.Int64
	requests, retriedReqs atomic.Int64
	retries               atomic.Int64
}

func newLoad(cfg config, grpcAddr, httpAddr string) *load {
	return &load{
		cfg: cfg, grpcAddr: grpcAddr, httpAddr: httpAddr,
		accepted: make([][numSignals]atomic.Int64, cfg.workers),
		gaveUp:   make([][numSignals]atomic.Int64, cfg.workers),
	}
}

func (l *load) acceptedTotal() int64 {
	var n int64
	for w := range l.accepted {
		for s := range numSignals {
			n += l.accepted[w][s].Load()
		}
	}
	return n
}

// worker sends one request of cfg.batch items every interval, rotating the signals, until
// ctx ends; the request in flight is finished (retried) after that.
func (l *load) worker(ctx context.Context, w int) {
	overHTTP := w%2 == 0
	var conn *grpc.ClientConn
	httpc := &http.Client{Timeout: requestTimeout, Transport: &http.Transport{}}
	defer httpc.CloseIdleConnections()
	if !overHTTP {
		var err error
		conn, err = grpc.NewClient(l.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			panic(err)
		}
		defer conn.Close()
	}
	interval := time.Duration(float64(time.Second) * float64(l.cfg.batch*l.cfg.workers) / float64(l.cfg.rate))
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var next [numSignals]int64
	for k := 0; ; k++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		sig := signal(k % int(numSignals))
		first := next[sig]
		var send func(context.Context) error
		switch sig {
		case sigTraces:
			td := makeTraces(w, first, l.cfg.batch)
			if overHTTP {
				send = func(c context.Context) error {
					return proc.PostOTLP(c, httpc, "http://"+l.httpAddr+"/v1/traces", ptraceotlp.NewExportRequestFromTraces(td).MarshalProto)
				}
			} else {
				send = func(c context.Context) error {
					_, err := ptraceotlp.NewGRPCClient(conn).Export(c, ptraceotlp.NewExportRequestFromTraces(td))
					return err
				}
			}
		case sigLogs:
			ld := makeLogs(w, first, l.cfg.batch)
			if overHTTP {
				send = func(c context.Context) error {
					return proc.PostOTLP(c, httpc, "http://"+l.httpAddr+"/v1/logs", plogotlp.NewExportRequestFromLogs(ld).MarshalProto)
				}
			} else {
				send = func(c context.Context) error {
					_, err := plogotlp.NewGRPCClient(conn).Export(c, plogotlp.NewExportRequestFromLogs(ld))
					return err
				}
			}
		case sigMetrics:
			md := makeMetrics(w, first, l.cfg.batch)
			if overHTTP {
				send = func(c context.Context) error {
					return proc.PostOTLP(c, httpc, "http://"+l.httpAddr+"/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto)
				}
			} else {
				send = func(c context.Context) error {
					_, err := pmetricotlp.NewGRPCClient(conn).Export(c, pmetricotlp.NewExportRequestFromMetrics(md))
					return err
				}
			}
		}
		l.requests.Add(1)
		if l.sendWithRetry(send) {
			next[sig] += int64(l.cfg.batch)
			l.accepted[w][sig].Store(next[sig])
		} else {
			l.gaveUp[w][sig].Add(int64(l.cfg.batch))
			return // ids must stay contiguous per worker: stop this worker
		}
	}
}

// sendWithRetry retries one request with capped exponential backoff, as an OTLP SDK
// exporter does, until it is acknowledged or giveUpAfter has passed.
func (l *load) sendWithRetry(send func(context.Context) error) bool {
	start := time.Now()
	backoff := retryBackoff
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		err := send(ctx)
		cancel()
		if err == nil {
			return true
		}
		if attempt == 0 {
			l.retriedReqs.Add(1)
		}
		l.retries.Add(1)
		if time.Since(start) > giveUpAfter {
			return false
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, maxBackoff)
	}
}

// fillItem gives every item its id and the planted secrets, in places authobs must clean.
func fillItem(attrs pcommon.Map, w int, seq int64) {
	attrs.PutInt(workerKey, int64(w))
	attrs.PutInt(seqKey, seq)
	attrs.PutStr("api_key", plantedKey)
	attrs.PutStr("http.request.header.authorization", "Bearer "+plantedJWT)
	attrs.PutStr("url.full", "https://api.example.com/v1/responses?api_key="+plantedKey+"&page=2")
	attrs.PutStr("message", "request req_0a1b2c3d4e5f for 8f1c2a3b4d5e6f70-SJC finished in 123 ms with status ok")
}

func makeTraces(w int, first int64, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "soak")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		s := spans.AppendEmpty()
		s.SetName("soak.work")
		s.SetTraceID(pcommon.TraceID{byte(w), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
		s.SetSpanID(pcommon.SpanID{byte(w), 1, 2, 3, 4, 5, 6, byte(i)})
		s.SetStartTimestamp(now)
		s.SetEndTimestamp(now)
		fillItem(s.Attributes(), w, first+int64(i))
	}
	return td
}

func makeLogs(w int, first int64, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "soak")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		lr := recs.AppendEmpty()
		lr.SetTimestamp(now)
		lr.Body().SetStr("refresh failed: refresh_token=" + plantedKey)
		fillItem(lr.Attributes(), w, first+int64(i))
	}
	return ld
}

func makeMetrics(w int, first int64, n int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "soak")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("soak.requests")
	dps := m.SetEmptySum().DataPoints()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetIntValue(1)
		fillItem(dp.Attributes(), w, first+int64(i))
	}
	return md
}
