package proc

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sample is one series of a Prometheus text exposition: its name, labels and value.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Metrics is a scrape: every sample by metric name, in the order served.
type Metrics map[string][]Sample

// Sum adds up every series of the metric name.
func (m Metrics) Sum(name string) float64 {
	var sum float64
	for _, s := range m[name] {
		sum += s.Value
	}
	return sum
}

// scrapeTimeout bounds one scrape, for a collector that accepts the connection but hangs.
const scrapeTimeout = 2 * time.Second

// Scrape reads the Prometheus endpoint of a collector's own telemetry at addr (host:port,
// GET /metrics). Lines that are not samples (comments, blank) are skipped.
func Scrape(ctx context.Context, addr string) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("collector metrics: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("collector metrics: %s", resp.Status)
	}
	out := Metrics{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if s, ok := ParseSample(sc.Text()); ok {
			out[s.Name] = append(out[s.Name], s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("collector metrics: %w", err)
	}
	return out, nil
}

// ParseSample parses one line of the text format: `name{k="v",...} value [timestamp]` or
// `name value [timestamp]`. ok is false for comments, blank and malformed lines.
func ParseSample(line string) (Sample, bool) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return Sample{}, false
	}
	s := Sample{Labels: map[string]string{}}
	var rest string
	if open := strings.IndexByte(line, '{'); open >= 0 {
		closeIdx := strings.LastIndexByte(line, '}')
		if closeIdx < open {
			return Sample{}, false
		}
		s.Name, rest = line[:open], line[closeIdx+1:]
		for _, pair := range splitLabels(line[open+1 : closeIdx]) {
			k, v, ok := strings.Cut(pair, "=")
			if !ok {
				return Sample{}, false
			}
			v = strings.TrimSpace(v)
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			} else {
				v = strings.Trim(v, `"`)
			}
			s.Labels[strings.TrimSpace(k)] = v
		}
	} else {
		var ok bool
		if s.Name, rest, ok = strings.Cut(line, " "); !ok {
			return Sample{}, false
		}
	}
	f := strings.Fields(rest)
	if s.Name == "" || len(f) == 0 {
		return Sample{}, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return Sample{}, false
	}
	s.Value = v
	return s, true
}

// splitLabels splits a label list at the commas outside quoted values (which may hold
// escaped quotes).
func splitLabels(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}
