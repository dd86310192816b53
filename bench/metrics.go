package bench

import (
	"math/rand/v2"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// PointsPerBatch is how many data points one metrics batch holds.
const PointsPerBatch = 1000

// NewMetricsSeed builds one metrics batch of PointsPerBatch data points, the shapes an SDK's
// HTTP and runtime instrumentation sends: per resource (the same resource attributes as the
// span workload) an http.server.request.duration histogram and an http.server.request.count
// sum whose points carry method, route, status, server and scheme attributes, plus a
// process.runtime gauge. 4% of points carry a secret in a `url.full` query, so the value
// scan is exercised; metrics are not routed, so authobs only redacts them.
func NewMetricsSeed(seed uint64) pmetric.Metrics {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed>>7))}
	md := pmetric.NewMetrics()
	perRes := PointsPerBatch / NumResources
	n := 0
	for ri := range NumResources {
		rm := md.ResourceMetrics().AppendEmpty()
		g.resource(rm.Resource().Attributes(), ri, false)
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
		sm.Scope().SetVersion("0.72.0")
		hist := sm.Metrics().AppendEmpty()
		hist.SetName("http.server.request.duration")
		hist.SetUnit("s")
		hist.SetDescription("Duration of HTTP server requests.")
		hdps := hist.SetEmptyHistogram().DataPoints()
		sum := sm.Metrics().AppendEmpty()
		sum.SetName("http.server.request.count")
		sum.SetUnit("{request}")
		sdps := sum.SetEmptySum().DataPoints()
		gauge := sm.Metrics().AppendEmpty()
		gauge.SetName("process.runtime.go.goroutines")
		gdps := gauge.SetEmptyGauge().DataPoints()
		for i := range perRes {
			var attrs pcommon.Map
			switch i % 5 {
			case 0, 1:
				dp := hdps.AppendEmpty()
				dp.SetCount(uint64(1 + g.r.IntN(500)))
				dp.SetSum(float64(g.r.IntN(90000)) / 1000)
				dp.ExplicitBounds().FromRaw([]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1})
				dp.BucketCounts().FromRaw([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9})
				attrs = dp.Attributes()
			case 2, 3:
				dp := sdps.AppendEmpty()
				dp.SetIntValue(int64(g.r.IntN(100000)))
				attrs = dp.Attributes()
			default:
				dp := gdps.AppendEmpty()
				dp.SetIntValue(int64(g.r.IntN(500)))
				attrs = dp.Attributes()
				attrs.PutStr("process.runtime.instance", g.hex(16))
			}
			attrs.PutStr("http.request.method", g.pick(methods))
			attrs.PutStr("http.route", g.pick(routes))
			attrs.PutInt("http.response.status_code", statuses[g.r.IntN(len(statuses))])
			attrs.PutStr("server.address", services[ri]+".shop.internal")
			attrs.PutInt("server.port", 8080)
			attrs.PutStr("url.scheme", "https")
			attrs.PutStr("network.protocol.version", "1.1")
			attrs.PutStr("user_agent.original", g.pick(agents))
			if n%secretEveryNth == secretEveryNth/2 {
				attrs.PutStr("url.full", "https://api.example.com"+g.pick(routes)+"?access_token="+g.opaque())
			} else if n%3 == 0 {
				attrs.PutStr("url.full", "https://api.example.com"+g.pick(routes)+"?page="+strconv.Itoa(g.r.IntN(50)))
			}
			n++
		}
	}
	return md
}

// FloorMetrics is Floor for metrics: every resource, scope, metric name and description and
// every data point's and exemplar's attributes.
func FloorMetrics(md pmetric.Metrics) {
	var sum uint64
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		sum += walkMap(rm.Resource().Attributes())
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			sum += readString(sm.Scope().Name()) + readString(sm.Scope().Version()) + walkMap(sm.Scope().Attributes())
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				sum += readString(m.Name()) + readString(m.Description())
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					sum += floorPoints(m.Gauge().DataPoints())
				case pmetric.MetricTypeSum:
					sum += floorPoints(m.Sum().DataPoints())
				case pmetric.MetricTypeHistogram:
					sum += floorPoints(m.Histogram().DataPoints())
				case pmetric.MetricTypeExponentialHistogram:
					sum += floorPoints(m.ExponentialHistogram().DataPoints())
				case pmetric.MetricTypeSummary:
					dps := m.Summary().DataPoints()
					for p := 0; p < dps.Len(); p++ {
						sum += walkMap(dps.At(p).Attributes())
					}
				}
			}
		}
	}
	FloorSink += sum
}

type floorPoint interface {
	Attributes() pcommon.Map
	Exemplars() pmetric.ExemplarSlice
}

func floorPoints[P floorPoint, S interface {
	Len() int
	At(int) P
}](dps S) uint64 {
	var sum uint64
	for i := 0; i < dps.Len(); i++ {
		sum += walkMap(dps.At(i).Attributes())
		ex := dps.At(i).Exemplars()
		for e := 0; e < ex.Len(); e++ {
			sum += walkMap(ex.At(e).FilteredAttributes())
		}
	}
	return sum
}
