// Command benchreport summarises the output of the bench module's benchmarks: per
// contender the median ns, bytes and allocations per item, the speed-up against
// redactionprocessor and the cost against the byte-walk floor, the paired ratios
// (BenchmarkPaired: the floor and authobs timed back to back), then the leak table.
// The ratios are also printed as benchmark lines, so benchstat reads them too.
//
//	go run ./cmd/benchreport results/bench-<time>.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// a benchmark result line: name, iterations, then value/unit pairs
// (the group may carry parameters: ScaleSpans/spans=100)
var lineRE = regexp.MustCompile(`^Benchmark(\w+(?:/\w+=\w+)*)/proc=(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

type key struct{ group, proc string }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchreport <go test -bench output>")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	samples := map[key]map[string][]float64{}
	var groups []string
	var procs = map[string][]string{}
	var leaks []string
	inLeaks := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "planted secrets surviving"):
			inLeaks = len(leaks) == 0 // -count repeats the table: keep the first
		case inLeaks && (strings.HasPrefix(line, "---") || strings.HasPrefix(line, "===") || line == ""):
			inLeaks = false
		}
		if inLeaks {
			leaks = append(leaks, line)
			continue
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		k := key{m[1], m[2]}
		if samples[k] == nil {
			samples[k] = map[string][]float64{}
			if !slices.Contains(groups, k.group) {
				groups = append(groups, k.group)
			}
			procs[k.group] = append(procs[k.group], k.proc)
		}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				samples[k][fields[i+1]] = append(samples[k][fields[i+1]], v)
			}
		}
	}
	var ratioLines []string
	var paired []string
	for _, g := range groups {
		if strings.HasPrefix(g, "Paired/") {
			paired = append(paired, g)
			continue
		}
		unit := "span"
		switch {
		case strings.Contains(g, "Logs"): // Logs, CodexLogs, SemconvLogs, SemconvLogsFresh
			unit = "record"
		case g == "Metrics":
			unit = "point"
		case strings.HasPrefix(g, "ScaleValue"):
			unit = "byte"
		}
		ns := func(p string) float64 { return median(samples[key{g, p}]["ns/"+unit]) }
		red, floor := ns("redaction"), ns("floor")
		fmt.Printf("\n%s (medians, per %s)\n", g, unit)
		fmt.Printf("%-22s %12s %10s %12s %16s %10s\n", "contender", "ns/"+unit, "B/"+unit, "allocs/"+unit, "vs redaction", "vs floor")
		for _, p := range procs[g] {
			s := samples[key{g, p}]
			t := median(s["ns/"+unit])
			vsRed, vsFloor := "-", "-"
			if red > 0 {
				vsRed = fmt.Sprintf("%.2fx faster", red/t)
			}
			if floor > 0 {
				vsFloor = fmt.Sprintf("%.2fx", t/floor)
			}
			fmt.Printf("%-22s %12.3f %10.3f %12.4f %16s %10s\n", p, t, median(s["B/"+unit]), median(s["allocs/"+unit]), vsRed, vsFloor)
			switch {
			case red > 0 && floor > 0:
				ratioLines = append(ratioLines, fmt.Sprintf("BenchmarkRatio/signal=%s/proc=%s 1 %.4f x-faster-than-redaction %.4f x-floor-cost", strings.ToLower(g), p, red/t, t/floor))
			case floor > 0:
				ratioLines = append(ratioLines, fmt.Sprintf("BenchmarkRatio/signal=%s/proc=%s 1 %.4f x-floor-cost", strings.ToLower(g), p, t/floor))
			}
		}
	}
	if len(paired) > 0 {
		// BenchmarkPaired: the floor and authobs timed back to back on twin copies
		fmt.Printf("\nPaired with the floor (medians; each pair on twin copies of one batch)\n")
		fmt.Printf("%-18s %-22s %8s %12s %12s %10s\n", "workload", "contender", "per", "floor ns", "ns", "x floor")
		for _, g := range paired {
			w := strings.TrimPrefix(g, "Paired/w=")
			for _, p := range procs[g] {
				s := samples[key{g, p}]
				unit := "span"
				for _, u := range []string{"record", "point"} {
					if len(s["ns/"+u]) > 0 {
						unit = u
					}
				}
				x := median(s["x-floor"])
				fmt.Printf("%-18s %-22s %8s %12.1f %12.1f %9.2fx\n", w, p, unit, median(s["floor-ns/"+unit]), median(s["ns/"+unit]), x)
				ratioLines = append(ratioLines, fmt.Sprintf("BenchmarkRatio/signal=paired-%s/proc=%s 1 %.4f x-floor-cost", strings.ToLower(w), p, x))
			}
		}
	}
	if len(leaks) > 0 {
		fmt.Println()
		for _, l := range leaks {
			fmt.Println(l)
		}
	}
	fmt.Println("\n# ratios in benchstat form")
	for _, l := range ratioLines {
		fmt.Println(l)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
