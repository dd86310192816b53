package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The semconv workload is a second, differently shaped held-out workload: its keys and
// values are not ours but OpenTelemetry's, from the repository's benign corpus
// (testdata/benign: every string `examples:` value of the semantic conventions and string
// values from collector-contrib receivers' test data, Apache-2.0, sources in its
// SOURCE.json). authobs' key table knows few of these keys, and the values are of other
// shapes than workload.go's (paths, ARNs, k8s names, SQL, versions, URLs, ids). Each span
// draws its attributes from the corpus at random, in two variants: the values as they are,
// so that they recur as a service's values do; and fresh, every digit of a drawn value
// redrawn, so that every value with a digit (ids, addresses, timestamps, but versions and
// ports too) is new in every span, more churn than a live stream has, while words stay
// words (a redrawn letter would make random strings, which are not telemetry). Secrets are
// planted at the shared workload's rate (one span in 25).

// SemconvCorpus is the benign corpus, relative to the bench module.
const SemconvCorpus = "../testdata/benign/benign-otel-values.json"

const (
	semconvAttrs     = 14 // drawn attributes per span
	semconvEventAttr = 3  // drawn attributes of its one event
	semconvResAttrs  = 12
)

type corpusPair struct{ key, value string }

// semconvPairs are the corpus's key-value pairs, resource keys apart.
type semconvPairs struct {
	resource, other []corpusPair
	names           []string // span names: routes, RPC methods, operation names
	texts           []string // values with a blank: messages, queries, documents, log lines
}

// resourcePrefixes are the namespaces the SDK's resource detectors fill.
var resourcePrefixes = []string{"service.", "host.", "os.", "process.", "container.", "k8s.", "cloud.", "telemetry.", "deployment.", "faas.", "device.", "webengine."}

func loadSemconv() (*semconvPairs, error) {
	raw, err := os.ReadFile(SemconvCorpus)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Values []struct{ Key, Value string }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", SemconvCorpus, err)
	}
	p := &semconvPairs{}
	for _, v := range doc.Values {
		if v.Key == "" || v.Value == "" {
			continue
		}
		pair := corpusPair{v.Key, v.Value}
		if slices.ContainsFunc(resourcePrefixes, func(pre string) bool { return strings.HasPrefix(v.Key, pre) }) {
			p.resource = append(p.resource, pair)
		} else {
			p.other = append(p.other, pair)
		}
		if strings.ContainsAny(v.Value, " \n") {
			p.texts = append(p.texts, v.Value)
		}
		switch v.Key {
		case "http.route", "rpc.method", "db.operation.name", "messaging.operation.name", "gen_ai.operation.name", "graphql.operation.name":
			p.names = append(p.names, v.Value)
		}
	}
	if len(p.resource) == 0 || len(p.other) == 0 || len(p.names) == 0 || len(p.texts) == 0 {
		return nil, fmt.Errorf("%s: too few values (%d resource, %d other, %d names, %d texts)", SemconvCorpus, len(p.resource), len(p.other), len(p.names), len(p.texts))
	}
	return p, nil
}

// redigit redraws every ASCII digit of s.
func (g *gen) redigit(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			b[i] = byte('0' + g.r.IntN(10))
		}
	}
	return string(b)
}

// put sets one drawn pair under its key (a key drawn twice keeps the last value, as a map
// does), its digits redrawn when g.fresh.
func (g *gen) put(m pcommon.Map, p corpusPair) {
	if g.fresh {
		m.PutStr(p.key, g.redigit(p.value))
		return
	}
	m.PutStr(p.key, p.value)
}

// NewSemconvWorkload builds one 1000-span batch of the semconv workload from seed, and the
// secrets planted in it (none when secrets is false: then authobs must pass it unchanged).
// fresh redraws the digits of every drawn value.
func NewSemconvWorkload(seed uint64, fresh, secrets bool) (ptrace.Traces, []Secret, error) {
	pairs, err := loadSemconv()
	if err != nil {
		return ptrace.Traces{}, nil, err
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed>>7)), fresh: fresh}
	td := ptrace.NewTraces()
	var planted []Secret
	perRes := SpansPerBatch / NumResources
	n := 0
	for range NumResources {
		rs := td.ResourceSpans().AppendEmpty()
		for range semconvResAttrs {
			g.put(rs.Resource().Attributes(), pairs.resource[g.r.IntN(len(pairs.resource))])
		}
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("io.opentelemetry.contrib.semconv")
		for range perRes {
			span := ss.Spans().AppendEmpty()
			tid, sid := g.ids(n)
			span.SetTraceID(tid)
			span.SetSpanID(sid)
			start := pcommon.Timestamp(startUnixNano + int64(n)*1_000_000)
			span.SetStartTimestamp(start)
			span.SetEndTimestamp(start + defaultSpanNano)
			span.SetName(g.pick(pairs.names))
			m := span.Attributes()
			m.EnsureCapacity(semconvAttrs + 1)
			for range semconvAttrs {
				g.put(m, pairs.other[g.r.IntN(len(pairs.other))])
			}
			ev := span.Events().AppendEmpty()
			ev.SetName("event")
			for range semconvEventAttr {
				g.put(ev.Attributes(), pairs.other[g.r.IntN(len(pairs.other))])
			}
			if secrets && n%secretEveryNth == secretEveryNth/2 {
				planted = append(planted, g.plantSemconv(span, pairs, n/secretEveryNth))
			}
			n++
		}
	}
	return td, planted, nil
}

// plantSemconv puts one secret into span, in the k-th of the places the shared workload
// uses, inside a value drawn from the corpus where the place holds text.
func (g *gen) plantSemconv(span ptrace.Span, pairs *semconvPairs, k int) Secret {
	m := span.Attributes()
	host := pairs.other[g.r.IntN(len(pairs.other))]
	switch Place(k % int(PlaceLogBody)) {
	case PlaceURLQuery:
		s := g.opaque()
		m.PutStr("url.full", "https://"+host.key+".example.com/v1?page=2&access_token="+s)
		return Secret{PlaceURLQuery, s}
	case PlaceHeader:
		s := g.jwt()
		m.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + s)
		return Secret{PlaceHeader, s}
	case PlaceErrorText:
		s := g.openAIKey()
		m.PutStr("exception.message", host.value+": invalid api key "+s)
		return Secret{PlaceErrorText, s}
	case PlaceStatus:
		s := g.githubPAT()
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage("clone of " + host.value + " failed with " + s)
		return Secret{PlaceStatus, s}
	case PlaceNestedMap:
		s := g.awsKey()
		m.PutEmptyMap("app.request.params").PutEmptyMap("storage").PutStr("access_key_id", s)
		return Secret{PlaceNestedMap, s}
	default:
		s := g.slackTok()
		span.Events().At(0).Attributes().PutStr("error.message", host.value+" webhook token="+s)
		return Secret{PlaceEvent, s}
	}
}

const semconvLogAttrs = 5 // drawn attributes per log record

// NewSemconvLogs builds one 1000-record log batch of the semconv corpus: each record has
// semconvLogAttrs attributes drawn as the spans' are and a body drawn from the corpus's
// text values (messages, queries, documents, original log lines; 111 of them), digits
// redrawn when fresh. Secrets are planted in the body at the shared rate, in the four
// shapes of workload.go's log bodies, after a drawn text.
func NewSemconvLogs(seed uint64, fresh, secrets bool) (plog.Logs, []Secret, error) {
	pairs, err := loadSemconv()
	if err != nil {
		return plog.Logs{}, nil, err
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed>>9)), fresh: fresh}
	ld := plog.NewLogs()
	var planted []Secret
	perRes := LogsPerBatch / NumResources
	n := 0
	for range NumResources {
		rl := ld.ResourceLogs().AppendEmpty()
		for range semconvResAttrs {
			g.put(rl.Resource().Attributes(), pairs.resource[g.r.IntN(len(pairs.resource))])
		}
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("io.opentelemetry.contrib.semconv")
		for range perRes {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetTimestamp(pcommon.Timestamp(startUnixNano + int64(n)*1_000_000))
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			tid, sid := g.ids(n)
			lr.SetTraceID(tid)
			lr.SetSpanID(sid)
			m := lr.Attributes()
			m.EnsureCapacity(semconvLogAttrs)
			for range semconvLogAttrs {
				g.put(m, pairs.other[g.r.IntN(len(pairs.other))])
			}
			body := g.pick(pairs.texts)
			if g.fresh {
				body = g.redigit(body)
			}
			if secrets && n%secretEveryNth == secretEveryNth/2 {
				var s string
				switch (n / secretEveryNth) % 4 {
				case 0:
					s = g.openAIKey()
					body += ": calling upstream with key " + s + " failed"
				case 1:
					s = g.opaque()
					body += " POST https://auth.example.com/oauth/token?grant_type=refresh_token&refresh_token=" + s
				case 2:
					s = g.jwt()
					body += "\nAuthorization: Bearer " + s
				default:
					s = g.awsKey()
					body += " (s3 upload denied for " + s + ")"
				}
				planted = append(planted, Secret{PlaceLogBody, s})
			}
			lr.Body().SetStr(body)
			n++
		}
	}
	return ld, planted, nil
}
