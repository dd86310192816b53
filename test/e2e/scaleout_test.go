package e2e

import (
	"encoding/binary"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// scaleoutName is the DNS name of the gateway tier in the test: one A record per replica,
// as a Kubernetes headless Service answers.
const scaleoutName = "gateways.authobs.test"

// scaleoutKey is planted in every item; no gateway output may contain it.
const scaleoutKey = "sk-proj-Sc4leOutK3yQ7wE9rT2yU4iO6pA8sD1fG3hJ5"

// TestScaleOut runs config/scaleout-agent.yaml in front of two replicas of
// config/scaleout-gateway.yaml. The agent's OTLP exporter resolves the tier's name (a DNS
// server in this test answers with both replicas' addresses) and balances export requests
// round-robin. The union of the replicas' outputs must be the input, each item exactly once,
// with authobs applied, and both replicas must have taken part.
func TestScaleOut(t *testing.T) {
	root := repoRoot(t)
	replicas := []string{"127.0.0.1", "127.0.0.2"}
	dns := startDNS(t, scaleoutName, replicas)
	port := commonFreePort(t, replicas)

	dir := t.TempDir()
	gatewayConfig := filepath.Join(root, "config", "scaleout-gateway.yaml")
	for i, ip := range replicas {
		startCollector(t, gatewayConfig, map[string]string{
			"AUTHOBS_OTLP_GRPC":    net.JoinHostPort(ip, strconv.Itoa(port)),
			"AUTHOBS_DEMO_DIR":     dir,
			"AUTHOBS_GATEWAY_NAME": fmt.Sprintf("gateway-%d", i),
		})
	}
	agent, ep := startCollector(t, filepath.Join(root, "config", "scaleout-agent.yaml"), map[string]string{
		"AUTHOBS_GATEWAY_TARGET":   fmt.Sprintf("dns://%s/%s:%d", dns, scaleoutName, port),
		"AUTHOBS_GATEWAY_INSECURE": "true",
	})

	// N items of each signal, in many requests over both transports
	const requests, perRequest = 40, 50
	var sent Counts
	for r := range requests {
		tr := OverHTTP
		if r%2 == 1 {
			tr = OverGRPC
		}
		s := newSender(t, ep, tr)
		first := r * perRequest
		s.traces(fmt.Sprintf("traces[%d]", r), scaleoutTraces(first, perRequest))
		s.logs(fmt.Sprintf("logs[%d]", r), scaleoutLogs(first, perRequest))
		s.metrics(fmt.Sprintf("metrics[%d]", r), scaleoutMetrics(first, perRequest))
		s.close()
		sent = sent.add(Counts{Spans: perRequest, LogRecords: perRequest, DataPoints: perRequest})
	}

	// wait for the union of both outputs to hold everything
	files := []string{filepath.Join(dir, "gateway-0.jsonl"), filepath.Join(dir, "gateway-1.jsonl")}
	deadline := time.Now().Add(exportTimeout)
	var outs []FileExport
	for {
		outs = outs[:0]
		var union Counts
		for _, f := range files {
			e := readFileExport(t, f)
			outs = append(outs, e)
			union = union.add(e.Counts())
		}
		if union.covers(sent) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the gateways have %+v of %+v\nagent logs:\n%s", exportTimeout, union, sent, agent.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // anything beyond the input (a duplicate) would show up now
	outs = outs[:0]
	for _, f := range files {
		outs = append(outs, readFileExport(t, f))
	}

	seen := map[string]int{}
	for i, out := range outs {
		c := out.Counts()
		t.Logf("gateway-%d: %d spans, %d log records, %d data points", i, c.Spans, c.LogRecords, c.DataPoints)
		if c.Spans == 0 || c.LogRecords == 0 || c.DataPoints == 0 {
			t.Errorf("gateway-%d took no share of some signal: %+v", i, c)
		}
		forEachItem(out, func(kind string, attrs pcommon.Map) {
			id, ok := attrs.Get("scaleout.id")
			if !ok {
				t.Errorf("%s without its id: %v", kind, attrs.AsRaw())
				return
			}
			seen[kind+"/"+id.AsString()]++
			raw := fmt.Sprint(attrs.AsRaw())
			if strings.Contains(raw, scaleoutKey[8:]) {
				t.Errorf("%s %s: the planted key survived: %s", kind, id.AsString(), raw)
			}
			for _, h := range scaleoutHostile {
				if strings.Contains(raw, h[1]) {
					t.Errorf("%s %s: %q survived: %s", kind, id.AsString(), h[1], raw)
				}
			}
			if kind == "span" { // metrics are redacted, not routed; logs go to log_only
				if _, ok := attrs.Get("user.email"); ok {
					t.Errorf("%s %s: user.email survived trace_safe", kind, id.AsString())
				}
			}
		})
	}
	for _, kind := range []string{"span", "log", "point"} {
		for id := range requests * perRequest {
			if n := seen[kind+"/"+strconv.Itoa(id)]; n != 1 {
				t.Errorf("%s %d delivered %d times", kind, id, n)
			}
		}
	}
	if len(seen) != 3*requests*perRequest {
		t.Errorf("%d distinct items delivered, want %d", len(seen), 3*requests*perRequest)
	}
	if bad := agent.ErrorLogLines(); len(bad) != 0 {
		t.Errorf("agent error logs:\n%s", strings.Join(bad, "\n"))
	}
}

// scaleoutHostile are secrets in hostile encodings, one per item in turn; each is paired
// with the fragment that must not come out of any gateway.
var scaleoutHostile = [][2]string{
	{`{\u0022access_token\u0022:\u0022Zq8WkP3xL7vN2mR5tY9b\u0022}`, "Zq8WkP3xL7vN2mR5tY9b"},
	{"access_token%253DHv4Jm9Qx2Lp7Rt5Wz8Kc", "Hv4Jm9Qx2Lp7Rt5Wz8Kc"},
	{"Basic YWxp Y2U6aHVudGVyMmh1bnRlcjI=", "Y2U6aHVudGVyMmh1bnRlcjI"},
	{"eyJyZWZyZXNoX3Rva2VuIjoiUnQ4TXE0WnA3S3gyTm01VnczIn0", "eyJyZWZyZXNoX3Rva2VuIjoiUnQ4"},
	{"sk-proj-Ab3dEf6hIj9k\n        Lm2nOp5qRs8tUv1wXy4zQ", "Lm2nOp5qRs8tUv1wXy4zQ"},
	{"<password>Pw7Kx2Qm9Lz4Rt</password>", "Pw7Kx2Qm9Lz4Rt"},
	{"{&quot;id_token&quot;:&quot;Ix5Nq8Wv3Kp6Tz9Rm2Lb&quot;}", "Ix5Nq8Wv3Kp6Tz9Rm2Lb"},
	{"postgres://svc:Db4Kq7Xz2Wm9@db.internal/app", "Db4Kq7Xz2Wm9"},
}

func scaleoutAttrs(m pcommon.Map, id int) {
	m.PutInt("scaleout.id", int64(id))
	m.PutStr("api_key", scaleoutKey)
	m.PutStr("note", "retry with Bearer "+scaleoutKey)
	m.PutStr("user.email", "dev@example.com")
	m.PutStr("detail", scaleoutHostile[id%len(scaleoutHostile)][0])
}

func scaleoutTraces(first, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		s := spans.AppendEmpty()
		s.SetName("work")
		var tid [16]byte
		binary.BigEndian.PutUint64(tid[8:], uint64(first+i+1))
		s.SetTraceID(tid)
		s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
		s.SetStartTimestamp(now)
		s.SetEndTimestamp(now)
		scaleoutAttrs(s.Attributes(), first+i)
	}
	return td
}

func scaleoutLogs(first, n int) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Body().SetStr("refresh_token=" + scaleoutKey)
		scaleoutAttrs(lr.Attributes(), first+i)
	}
	return ld
}

func scaleoutMetrics(first, n int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("scaleout.requests")
	dps := m.SetEmptySum().DataPoints()
	for i := range n {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		dp.SetIntValue(1)
		scaleoutAttrs(dp.Attributes(), first+i)
	}
	return md
}

// forEachItem calls fn with the attributes of every span ("span"), log record ("log") and
// sum data point ("point") of an export.
func forEachItem(e FileExport, fn func(kind string, attrs pcommon.Map)) {
	for _, td := range e.Traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			for j := 0; j < td.ResourceSpans().At(i).ScopeSpans().Len(); j++ {
				spans := td.ResourceSpans().At(i).ScopeSpans().At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					fn("span", spans.At(k).Attributes())
				}
			}
		}
	}
	for _, ld := range e.Logs {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			for j := 0; j < ld.ResourceLogs().At(i).ScopeLogs().Len(); j++ {
				lrs := ld.ResourceLogs().At(i).ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					fn("log", lrs.At(k).Attributes())
				}
			}
		}
	}
	for _, md := range e.Metrics {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			for j := 0; j < md.ResourceMetrics().At(i).ScopeMetrics().Len(); j++ {
				ms := md.ResourceMetrics().At(i).ScopeMetrics().At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					if ms.At(k).Type() != pmetric.MetricTypeSum {
						continue
					}
					dps := ms.At(k).Sum().DataPoints()
					for d := 0; d < dps.Len(); d++ {
						fn("point", dps.At(d).Attributes())
					}
				}
			}
		}
	}
}

// commonFreePort returns a TCP port free on every given loopback address at once.
func commonFreePort(tb testing.TB, ips []string) int {
	tb.Helper()
	for range 20 {
		l, err := net.Listen("tcp", net.JoinHostPort(ips[0], "0"))
		if err != nil {
			tb.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		ok := true
		for _, ip := range ips[1:] {
			l2, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
			if err != nil {
				ok = false
				break
			}
			l2.Close()
		}
		l.Close()
		if ok {
			return port
		}
	}
	tb.Fatalf("no port free on all of %v", ips)
	return 0
}

// startDNS serves name → the given IPv4 addresses (A records) over UDP on 127.0.0.1 and
// answers every other question with no records. It is the cluster DNS of the test.
func startDNS(tb testing.TB, name string, ips []string) string {
	tb.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, addr, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], name, ips); resp != nil {
				_, _ = conn.WriteTo(resp, addr)
			}
		}
	}()
	tb.Cleanup(func() {
		conn.Close()
		wg.Wait()
	})
	return conn.LocalAddr().String()
}

// dnsAnswer builds the response to one DNS query (RFC 1035): A records for name, an empty
// NOERROR answer for anything else (AAAA, TXT service config lookups).
func dnsAnswer(q []byte, name string, ips []string) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	// the question: labels, then type and class
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if l > 63 || i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	var answers [][4]byte
	if qtype == 1 && strings.EqualFold(strings.Join(labels, "."), name) {
		for _, ip := range ips {
			answers = append(answers, [4]byte(net.ParseIP(ip).To4()))
		}
	}
	resp := make([]byte, 12, 12+len(question)+16*len(answers))
	copy(resp, q[:2])                            // id
	binary.BigEndian.PutUint16(resp[2:], 0x8180) // response, recursion desired and available
	binary.BigEndian.PutUint16(resp[4:], 1)
	binary.BigEndian.PutUint16(resp[6:], uint16(len(answers)))
	resp = append(resp, question...)
	for _, a := range answers {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4) // name ptr, A, IN, TTL 5 s
		resp = append(resp, a[:]...)
	}
	return resp
}
