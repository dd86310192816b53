package authobsprocessor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
)

// benignValues are OpenTelemetry's own example and test values (testdata/benign, with its
// attribution): what real telemetry carries.
func benignValues(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("testdata/benign/benign-otel-values.json")
	require.NoError(t, err)
	var doc struct {
		Values []struct {
			Value string `json:"value"`
		} `json:"values"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Greater(t, len(doc.Values), 800)
	out := make([]string, 0, len(doc.Values))
	for _, v := range doc.Values {
		out = append(out, v.Value)
	}
	return out
}

// corpusSeed is fresh on every run and logged; CORPUS_SEED replays a run.
func corpusSeed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("CORPUS_SEED"); v != "" {
		var err error
		s, err = strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "CORPUS_SEED")
	}
	t.Logf("corpus seed %d (replay with CORPUS_SEED=%d)", s, s)
	return s
}

// commonShapes generates what operators read telemetry by and what random ids make look
// random: URL paths of well-known APIs, stack traces, file paths, image digests, ARNs,
// request ids, and base64 of text.
func commonShapes(r *rand.Rand) []string {
	const lower, alnum, upperNum, crockford = "abcdefghijklmnopqrstuvwxyz0123456789",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	pick := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	hex := func(n int) string { return pick("0123456789abcdef", n) }
	uuid := func() string { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12) }
	ulid := func() string { return "01" + pick(crockford, 24) }
	pod := func() string { return "frontend-" + pick(lower, 10) + "-" + pick(lower, 5) }
	words := []string{"the build finished in 12 seconds with 3 warnings", "user profile updated", "retrying request after backoff of 250ms", "cache miss for product catalogue page 4"}
	var out []string
	for range 8 {
		out = append(out,
			"GET /api/v1/namespaces/default/pods/"+pod()+"/log?container=app",
			"/api/v2/projects/"+uuid()+"/builds/build_"+ulid()+"/artifacts",
			"/repos/open-telemetry/opentelemetry-collector/commits/"+hex(40)+"/check-runs",
			"https://api.github.com/repos/acme/shop/actions/runs/"+strconv.Itoa(r.IntN(1e9))+"/jobs",
			"https://storage.googleapis.com/bucket-prod/objects/"+pick(alnum, 34)+"/object.json",
			"/v1/chat/completions/chatcmpl-"+pick(alnum, 29),
			"/var/lib/kubelet/pods/"+uuid()+"/volumes/kubernetes.io~projected/kube-api-access-"+pick(lower, 5),
			"/nix/store/"+pick("0123456789abcdfghijklmnpqrsvwxyz", 32)+"-go-1.26.8/bin/go",
			"/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"+strings.ReplaceAll(uuid(), "-", "_")+".slice/cri-containerd-"+hex(64)+".scope",
			"/tmp/codex-live."+pick(alnum, 6)+"/live/x/work",
			"/home/dev/go/pkg/mod/github.com/acme/lib@v1.2.3/internal/"+pick(lower, 8)+"/handler.go",
			"ghcr.io/open-telemetry/demo@sha256:"+hex(64),
			"sha256:"+hex(64),
			"arn:aws:iam::"+pick("0123456789", 12)+":role/service-role/MyLambdaExecutionRole-"+pick(lower, 8),
			"arn:aws:ecs:us-west-2:"+pick("0123456789", 12)+":task/my-cluster/"+hex(32),
			"arn:aws:lambda:eu-west-1:"+pick("0123456789", 12)+":function:checkout-"+pick(alnum, 12),
			"urn:uuid:"+uuid(),
			ulid(),
			uuid(),
			hex(32),
			"X-Amz-Cf-Id: "+pick(alnum+"-_", 54)+"==",
			"x-request-id="+pick(alnum, 32),
			"req_"+pick(alnum, 24),
			base64.StdEncoding.EncodeToString([]byte(words[r.IntN(len(words))])),
			"panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.handler(0x"+hex(10)+")\n\t/home/dev/src/app/main.go:"+strconv.Itoa(r.IntN(900))+" +0x1d",
			"java.lang.IllegalStateException: cart "+uuid()+" is closed\n\tat com.example.shop.CartService.checkout(CartService.java:142)\n\tat com.example.shop.Api.post(Api.java:57)",
			"Traceback (most recent call last):\n  File \"/srv/app/worker.py\", line 88, in run\n    job = queue.pop(\""+pick(alnum, 20)+"\")\nKeyError: 'job'",
		)
	}
	return out
}

// TestBenignUnchanged: every benign value, under a neutral key and as a log body, on both
// routes, comes out exactly as it went in. The same value gets the same verdict whatever
// key it is under: nothing here is exempted by key or by value.
// redigited returns n variants of each value of vs that holds a digit, every digit redrawn:
// the ids, timestamps, addresses and counts of OpenTelemetry's examples as they vary from
// item to item in a live stream (a redrawn letter would make random strings, which are not
// what the examples stand for).
func redigited(r *rand.Rand, vs []string, n int) []string {
	var out []string
	for _, v := range vs {
		if !strings.ContainsAny(v, "0123456789") {
			continue
		}
		for range n {
			b := []byte(v)
			for i, c := range b {
				if c >= '0' && c <= '9' {
					b[i] = byte('0' + r.IntN(10))
				}
			}
			out = append(out, string(b))
		}
	}
	return out
}

func TestBenignUnchanged(t *testing.T) {
	values := benignValues(t)
	r := rand.New(rand.NewPCG(corpusSeed(t), 8))
	values = append(values, commonShapes(r)...)
	values = append(values, redigited(r, values, 3)...)
	for _, route := range routes {
		t.Run(string(route), func(t *testing.T) {
			cfg := routeConfig(route)
			ctx := context.Background()
			set := processortest.NewNopSettings(NewFactory().Type())
			ts, ls := new(consumertest.TracesSink), new(consumertest.LogsSink)
			tp, err := NewFactory().CreateTraces(ctx, set, cfg, ts)
			require.NoError(t, err)
			lp, err := NewFactory().CreateLogs(ctx, set, cfg, ls)
			require.NoError(t, err)
			td := ptrace.NewTraces()
			spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
			ld := plog.NewLogs()
			logs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
			for _, v := range values {
				sp := spans.AppendEmpty()
				sp.SetName("app.work")
				sp.Attributes().PutStr("note", v)
				sp.Attributes().PutStr("message", v)
				logs.AppendEmpty().Body().SetStr(v)
			}
			require.NoError(t, tp.ConsumeTraces(ctx, td))
			require.NoError(t, lp.ConsumeLogs(ctx, ld))
			outSpans := ts.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			outLogs := ls.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
			require.Equal(t, len(values), outSpans.Len())
			require.Equal(t, len(values), outLogs.Len())
			changed := 0
			for i, v := range values {
				var got []string
				for _, k := range []string{"note", "message"} {
					a, _ := outSpans.At(i).Attributes().Get(k)
					got = append(got, a.AsString())
				}
				got = append(got, outLogs.At(i).Body().AsString())
				for _, g := range got {
					if g != v {
						changed++
						t.Errorf("changed:\n in: %q\nout: %q", v, g)
						break
					}
				}
			}
			t.Logf("%s: %d of %d values changed", route, changed, len(values))
		})
	}
}
