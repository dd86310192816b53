package demo

import (
	"context"
	"strings"

	"github.com/authobs/authobsprocessor/test/internal/proc"
)

// counterPrefix names the authobs processor's own metrics on the Prometheus endpoint.
const counterPrefix = "otelcol_processor_authobs_"

// scrapeCounters reads the authobs counters from the collector's Prometheus endpoint, by
// processor (the processor label) and series: the metric name without prefix and _total, with
// the labels that tell series apart (operation, reason, detector, kind) appended.
func scrapeCounters(ctx context.Context, addr string) (map[string]map[string]float64, error) {
	m, err := proc.Scrape(ctx, addr)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]float64{}
	for name, samples := range m {
		if !strings.HasPrefix(name, counterPrefix) {
			continue
		}
		for _, s := range samples {
			if len(s.Labels) == 0 {
				continue // the former parser read only labelled series; authobs's all have labels
			}
			processor := s.Labels["processor"]
			series := strings.TrimSuffix(strings.TrimPrefix(name, counterPrefix), "_total")
			for _, k := range []string{"operation", "reason", "detector", "kind"} {
				if v := s.Labels[k]; v != "" {
					series += "{" + k + "=" + v + "}"
				}
			}
			if out[processor] == nil {
				out[processor] = map[string]float64{}
			}
			out[processor][series] += s.Value
		}
	}
	return out, nil
}
