// Command soak drives the otelcol-authobs binary under sustained OTLP load on 127.0.0.1 and
// accounts for every item: a load generator sends spans, log records and metric data points
// over OTLP/HTTP and OTLP/gRPC (retrying each request until the collector accepts it), the
// collector runs memory_limiter and authobs, and its OTLP exporter delivers to a sink in this
// process that records each item's id. The exporter's sending queue is on disk (file_storage)
// and batches, as in config/gateway.yaml; -queue memory runs the former in-memory setup
// (batch processor, memory queue) for comparison. The report compares accepted with
// delivered items (missing, duplicated), checks that no planted secret came through or sits
// in the queue's storage, samples the collector's resident memory and collects its error log
// lines.
//
// With -restart, the collector is stopped mid-run and started again on the same ports and
// the same storage (SIGTERM, then SIGKILL) while the senders keep retrying. Before the
// SIGKILL the sink goes down, so the queue holds items when the process dies; its size is
// read from the collector's own metrics. Every wait is bounded; everything started is
// stopped on exit.
//
// Run it through test/soak/run.sh (make soak), which builds the binary first.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/procstat"
)

// Planted secrets: every item carries them; none may reach the sink.
const (
	plantedKey = "sk-proj-S0akT3stK3yQ7wE9rT2yU4iO6pA8sD1fG3hJ5kL7zX9"
	plantedJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzb2FrIiwiZXhwIjo5OTk5OTk5OTk5fQ.c29hay1zaWduYXR1cmUtYnl0ZXM"
	seqKey     = "soak.seq"
	workerKey  = "soak.worker"
)

type signal int

const (
	sigTraces signal = iota
	sigLogs
	sigMetrics
	numSignals
)

var signalNames = [numSignals]string{"spans", "log_records", "data_points"}

func main() {
	var (
		collector = flag.String("collector", "_build/otelcol-authobs", "otelcol-authobs binary")
		duration  = flag.Duration("duration", 3*time.Minute, "how long to send")
		rate      = flag.Int("rate", 20000, "target items per second over all workers")
		workers   = flag.Int("workers", 8, "senders; even ones use OTLP/HTTP, odd ones OTLP/gRPC")
		batch     = flag.Int("batch", 100, "items per export request")
		restart   = flag.Bool("restart", false, "stop and restart the collector mid-run: SIGTERM at 1/3, SIGKILL at 2/3 (the sink down around it)")
		queue     = flag.String("queue", "file", "exporter queue: file (persistent, exporter batching) or memory (batch processor, memory queue)")
		fsync     = flag.Bool("fsync", false, "file queue: fsync after every write (survives a node crash, not only a process kill)")
		maxRSS    = flag.Int("max-rss-mib", 400, "fail when the collector's resident memory exceeds this")
		out       = flag.String("out", "test/soak/results", "directory for the report")
		name      = flag.String("name", "", "report name (default: steady or restart)")
	)
	flag.Parse()
	if *name == "" {
		*name = "steady"
		if *restart {
			*name = "restart"
		}
	}
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if *queue != "file" && *queue != "memory" {
		log.Fatalf("-queue %q: want file or memory", *queue)
	}
	r, err := run(config{
		collector: *collector, duration: *duration, rate: *rate, workers: *workers,
		batch: *batch, restart: *restart, maxRSS: *maxRSS, out: *out, name: *name, durable: *queue == "file", fsync: *fsync,
	})
	if err != nil {
		log.Fatal(err)
	}
	if !r.OK {
		log.Printf("FAIL: %s", strings.Join(r.Failures, "; "))
		os.Exit(1)
	}
	log.Printf("PASS")
}

type config struct {
	collector     string
	duration      time.Duration
	rate, workers int
	batch         int
	restart       bool
	durable       bool
	fsync         bool
	maxRSS        int
	out, name     string
}

// report is what a run found; it is written as JSON and as text.
type report struct {
	Name          string             `json:"name"`
	Queue         string             `json:"queue"`
	FSync         bool               `json:"fsync,omitempty"`
	Started       time.Time          `json:"started"`
	DurationS     float64            `json:"send_duration_s"`
	Workers       int                `json:"workers"`
	TargetRate    int                `json:"target_items_per_s"`
	AchievedRate  float64            `json:"achieved_items_per_s"`
	Accepted      map[string]int64   `json:"accepted"`
	Delivered     map[string]int64   `json:"delivered_unique"`
	Missing       map[string]int64   `json:"missing"`
	Duplicates    map[string]int64   `json:"duplicates"`
	GaveUp        map[string]int64   `json:"given_up_after_retries"`
	Requests      int64              `json:"requests"`
	RetriedReqs   int64              `json:"requests_retried"`
	Retries       int64              `json:"retry_attempts"`
	Leaks         int64              `json:"planted_secrets_delivered"`
	StoredLeaks   []string           `json:"planted_secrets_in_storage,omitempty"`
	Redacted      int64              `json:"items_with_redaction_seen"`
	RSSMaxMiB     float64            `json:"rss_max_mib"`
	RSSSamplesMiB []float64          `json:"rss_samples_mib"`
	ErrorLogs     []string           `json:"error_log_lines"`
	Stops         []stopRecord       `json:"stops,omitempty"`
	OK            bool               `json:"ok"`
	Failures      []string           `json:"failures,omitempty"`
	Scrapes       map[string]float64 `json:"final_collector_metrics,omitempty"`
}

type stopRecord struct {
	Signal          string             `json:"signal"`
	AtS             float64            `json:"at_s"`
	DownS           float64            `json:"down_s"`
	MetricsBefore   map[string]float64 `json:"collector_metrics_before_stop"`
	AcceptedBefore  int64              `json:"accepted_items_before_stop"`
	DeliveredBefore int64              `json:"delivered_items_before_stop"`
	DeliveredAfter  int64              `json:"delivered_items_when_down"`
	// HeldAtStop is what had been acknowledged to senders but not delivered when the
	// process ended: what the stop lost (acceptances racing the signal can add a request).
	HeldAtStop int64  `json:"acknowledged_not_delivered_at_stop"`
	ExitErr    string `json:"exit"`
	// QueueSize is otelcol_exporter_queue_size just before the stop; StorageBytes the size
	// of the queue's directory right after it.
	QueueSize    float64 `json:"queue_size_at_stop"`
	StorageBytes int64   `json:"storage_bytes_after_stop"`
	SinkDown     bool    `json:"sink_down_at_stop"`
	// StorageHoldsItems: the queue's files held soak items when the secrets were searched.
	StorageHoldsItems *bool `json:"storage_holds_items,omitempty"`
}

func run(cfg config) (*report, error) {
	if _, err := os.Stat(cfg.collector); err != nil {
		return nil, fmt.Errorf("collector binary: %w (run make collector)", err)
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return nil, err
	}
	s := newSink(cfg.workers)
	sinkAddr, stopSink, err := s.serve()
	if err != nil {
		return nil, err
	}
	defer stopSink()

	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	grpcAddr := "127.0.0.1:" + strconv.Itoa(ports[0])
	httpAddr := "127.0.0.1:" + strconv.Itoa(ports[1])
	metricsPort := ports[2]
	dir, err := os.MkdirTemp("", "authobs-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfgPath := filepath.Join(dir, "collector.yaml")
	storage := filepath.Join(dir, "queue")
	if err := os.WriteFile(cfgPath, []byte(collectorConfig(cfg.durable, cfg.fsync, grpcAddr, httpAddr, sinkAddr, storage, metricsPort)), 0o644); err != nil {
		return nil, err
	}

	rep := &report{Name: cfg.name, Queue: "memory", Started: time.Now().UTC(), Workers: cfg.workers, TargetRate: cfg.rate}
	if cfg.durable {
		rep.Queue, rep.FSync = "file", cfg.fsync
	}
	col, err := startCollector(cfg.collector, cfgPath, dir)
	if err != nil {
		return nil, err
	}
	current := &atomic.Pointer[proc]{}
	current.Store(col)
	defer func() { current.Load().stop(syscall.SIGTERM) }()

	// RSS sampling of whichever collector process is current
	sampleCtx, stopSampling := context.WithCancel(context.Background())
	defer stopSampling()
	var rssMu sync.Mutex
	var samplesDone sync.WaitGroup
	samplesDone.Add(1)
	go func() {
		defer samplesDone.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
				if mib, ok := procstat.ResidentMiB(current.Load().cmd.Process.Pid); ok {
					rssMu.Lock()
					rep.RSSSamplesMiB = append(rep.RSSSamplesMiB, mib)
					rep.RSSMaxMiB = max(rep.RSSMaxMiB, mib)
					rssMu.Unlock()
				}
			}
		}
	}()

	// senders
	ld := newLoad(cfg, grpcAddr, httpAddr)
	sendCtx, stopSending := context.WithTimeout(context.Background(), cfg.duration)
	defer stopSending()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld.worker(sendCtx, w)
		}()
	}

	// restarts, while the senders keep going
	if cfg.restart {
		for k, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
			at := start.Add(cfg.duration * time.Duration(k+1) / 3)
			if sig == syscall.SIGKILL {
				// The destination goes down first, so the queue holds items when the process dies.
				waitUntil(sendCtx, at.Add(-sinkOutage))
				s.down.Store(true)
				log.Printf("sink down at %.1fs", time.Since(start).Seconds())
			}
			waitUntil(sendCtx, at)
			old := current.Load()
			rec := stopRecord{Signal: sig.String(), AtS: time.Since(start).Seconds(), SinkDown: s.down.Load()}
			rec.MetricsBefore = scrape(metricsPort)
			rec.QueueSize = rec.MetricsBefore["otelcol_exporter_queue_size"]
			rec.AcceptedBefore = ld.acceptedTotal()
			rec.DeliveredBefore = s.deliveredTotal()
			downAt := time.Now()
			rec.ExitErr = fmt.Sprint(old.stop(sig))
			rep.ErrorLogs = append(rep.ErrorLogs, old.errorLines()...)
			if cfg.durable {
				rec.StorageBytes = dirBytes(storage)
				found, items := grepStorage(storage)
				rep.StoredLeaks = append(rep.StoredLeaks, found...)
				rec.StorageHoldsItems = &items
			}
			time.Sleep(2 * time.Second) // down long enough for senders to see refused connections
			rec.DeliveredAfter = s.deliveredTotal()
			rec.HeldAtStop = max(0, rec.AcceptedBefore-rec.DeliveredAfter)
			log.Printf("collector stopped with %s at %.1fs (%s), queue size %.0f; restarting", sig, rec.AtS, rec.ExitErr, rec.QueueSize)
			next, err := startCollector(cfg.collector, cfgPath, dir)
			if err != nil {
				return nil, fmt.Errorf("restart: %w", err)
			}
			current.Store(next)
			s.down.Store(false)
			rec.DownS = time.Since(downAt).Seconds()
			rep.Stops = append(rep.Stops, rec)
		}
	}

	wg.Wait()
	rep.DurationS = time.Since(start).Seconds()
	log.Printf("senders done after %.1fs; waiting for the pipeline to deliver", rep.DurationS)
	// wait until the sink has everything accepted, or nothing moves for 10 s (bounded by 60 s)
	deadline := time.Now().Add(60 * time.Second)
	last, lastChange := int64(-1), time.Now()
	for time.Now().Before(deadline) {
		d := s.deliveredTotal()
		if d >= ld.acceptedTotal() {
			break
		}
		if d != last {
			last, lastChange = d, time.Now()
		} else if time.Since(lastChange) > 10*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	rep.Scrapes = scrape(metricsPort)
	final := current.Load()
	if err := final.stop(syscall.SIGTERM); err != nil {
		rep.Failures = append(rep.Failures, "collector did not stop cleanly: "+err.Error())
	}
	rep.ErrorLogs = append(rep.ErrorLogs, final.errorLines()...)
	if cfg.durable {
		found, _ := grepStorage(storage)
		rep.StoredLeaks = append(rep.StoredLeaks, found...)
	}
	time.Sleep(500 * time.Millisecond) // a final flush on shutdown reaches the sink
	stopSampling()
	samplesDone.Wait()

	s.fill(rep, ld)
	rep.Requests, rep.RetriedReqs, rep.Retries = ld.requests.Load(), ld.retriedReqs.Load(), ld.retries.Load()
	var acc int64
	for _, v := range rep.Accepted {
		acc += v
	}
	rep.AchievedRate = float64(acc) / rep.DurationS
	rep.judge(cfg)
	return rep, rep.write(cfg.out)
}

// judge decides pass or fail. With the persistent queue every run must deliver every
// accepted item (a restart may deliver some twice: at-least-once, reported). With the memory
// queue a restart run may lose what a SIGKILL destroyed in memory: that loss is reported.
func (r *report) judge(cfg config) {
	var missing, dup int64
	for _, sig := range signalNames {
		missing += r.Missing[sig]
		dup += r.Duplicates[sig]
	}
	if r.Leaks != 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d planted secrets delivered", r.Leaks))
	}
	if len(r.StoredLeaks) != 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("planted secrets in the queue's storage: %v", r.StoredLeaks))
	}
	if r.RSSMaxMiB > float64(cfg.maxRSS) {
		r.Failures = append(r.Failures, fmt.Sprintf("RSS %.0f MiB over %d MiB", r.RSSMaxMiB, cfg.maxRSS))
	}
	var gaveUp int64
	for _, v := range r.GaveUp {
		gaveUp += v
	}
	if gaveUp != 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d items never accepted after retries", gaveUp))
	}
	if missing != 0 && (cfg.durable || !cfg.restart) {
		r.Failures = append(r.Failures, fmt.Sprintf("%d accepted items missing", missing))
	}
	if !cfg.restart {
		if dup != 0 {
			r.Failures = append(r.Failures, fmt.Sprintf("%d duplicated", dup))
		}
		if len(r.ErrorLogs) != 0 {
			r.Failures = append(r.Failures, fmt.Sprintf("%d error log lines", len(r.ErrorLogs)))
		}
	}
	for _, st := range r.Stops {
		if st.Signal == syscall.SIGKILL.String() && st.QueueSize <= 0 {
			r.Failures = append(r.Failures, "the queue was empty at the SIGKILL: the run proves nothing")
		}
		if st.Signal == syscall.SIGKILL.String() && st.StorageHoldsItems != nil && !*st.StorageHoldsItems {
			r.Failures = append(r.Failures, "the queue's storage held no item at the SIGKILL: the secret search proved nothing")
		}
	}
	r.OK = len(r.Failures) == 0
}

func (r *report) write(dir string) error {
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, r.Name+".json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "soak %s (%s queue, fsync %t), started %s\n", r.Name, r.Queue, r.FSync, r.Started.Format(time.RFC3339))
	fmt.Fprintf(&b, "sent for %.1f s with %d workers (HTTP and gRPC alternating), target %d items/s, achieved %.0f items/s\n",
		r.DurationS, r.Workers, r.TargetRate, r.AchievedRate)
	fmt.Fprintf(&b, "requests %d, retried %d (%d retry attempts)\n", r.Requests, r.RetriedReqs, r.Retries)
	for _, sig := range signalNames {
		fmt.Fprintf(&b, "%-12s accepted %9d  delivered %9d  missing %7d  duplicated %7d  gave up %d\n",
			sig, r.Accepted[sig], r.Delivered[sig], r.Missing[sig], r.Duplicates[sig], r.GaveUp[sig])
	}
	fmt.Fprintf(&b, "planted secrets delivered: %d (items seen with a redaction: %d); in the queue's storage: %d\n", r.Leaks, r.Redacted, len(r.StoredLeaks))
	fmt.Fprintf(&b, "collector RSS: max %.1f MiB over %d samples\n", r.RSSMaxMiB, len(r.RSSSamplesMiB))
	fmt.Fprintf(&b, "error log lines: %d\n", len(r.ErrorLogs))
	for _, l := range r.ErrorLogs {
		fmt.Fprintf(&b, "  %s\n", truncate(l, 300))
	}
	for _, st := range r.Stops {
		fmt.Fprintf(&b, "stop %s at %.1f s (down %.1f s, exit %s, sink down %t): queue size %.0f, storage %d bytes; accepted before %d, delivered before %d, delivered while down %d: acknowledged but not delivered at this stop %d\n",
			st.Signal, st.AtS, st.DownS, st.ExitErr, st.SinkDown, st.QueueSize, st.StorageBytes, st.AcceptedBefore, st.DeliveredBefore, st.DeliveredAfter, st.HeldAtStop)
		for _, k := range sortedKeys(st.MetricsBefore) {
			fmt.Fprintf(&b, "    %s %g\n", k, st.MetricsBefore[k])
		}
	}
	if r.OK {
		b.WriteString("result: PASS\n")
	} else {
		fmt.Fprintf(&b, "result: FAIL: %s\n", strings.Join(r.Failures, "; "))
	}
	fmt.Print(b.String())
	return os.WriteFile(filepath.Join(dir, r.Name+".txt"), []byte(b.String()), 0o644)
}

// sinkOutage is how long the sink is down before the SIGKILL of a restart run.
const sinkOutage = 5 * time.Second

// collectorConfig is config/gateway.yaml's shape for one destination: durable, the sending
// queue on file_storage with exporter batching and no batch processor; or the former setup
// with a batch processor and an in-memory queue.
func collectorConfig(durable, fsync bool, grpcAddr, httpAddr, sinkAddr, storage string, metricsPort int) string {
	extensions, processors, queue := "", "[memory_limiter, authobs, batch]", `
    sending_queue:
      enabled: true
      queue_size: 1000`
	batch := `
  batch:
    timeout: 200ms
    send_batch_size: 2048
    send_batch_max_size: 4096`
	if durable {
		extensions = fmt.Sprintf(`extensions:
  file_storage/queue:
    directory: %s
    create_directory: true
    timeout: 1s
    fsync: %t
    compaction:
      directory: %s
      on_start: true
      on_rebound: true
      check_interval: 5s
`, storage, fsync, storage)
		processors, batch, queue = "[memory_limiter, authobs]", "", `
    sending_queue:
      enabled: true
      storage: file_storage/queue
      sizer: items
      queue_size: 2000000
      num_consumers: 4
      batch:
        flush_timeout: 200ms
        min_size: 2048
        max_size: 4096`
	}
	service := ""
	if durable {
		service = "\n  extensions: [file_storage/queue]"
	}
	return fmt.Sprintf(`%sreceivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
      http:
        endpoint: %s
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 256
    spike_limit_mib: 64
  authobs:
    route: trace_safe%s
exporters:
  otlp_grpc/sink:
    endpoint: %s
    tls:
      insecure: true%s
    retry_on_failure:
      enabled: true
      max_elapsed_time: 0s
      max_interval: 2s
service:%s
  telemetry:
    logs:
      level: info
      encoding: json
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    traces:
      receivers: [otlp]
      processors: %s
      exporters: [otlp_grpc/sink]
    logs:
      receivers: [otlp]
      processors: %s
      exporters: [otlp_grpc/sink]
    metrics:
      receivers: [otlp]
      processors: %s
      exporters: [otlp_grpc/sink]
`, extensions, grpcAddr, httpAddr, batch, sinkAddr, queue, service, metricsPort, processors, processors, processors)
}

// waitUntil sleeps until t or until ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	select {
	case <-time.After(time.Until(t)):
	case <-ctx.Done():
	}
}

// dirBytes is the total size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// grepStorage searches every file of the queue's storage for the planted secrets (and a
// 16-character piece of the key); it returns what it found where, and whether the files hold
// soak items at all (if not, the search proved nothing).
func grepStorage(dir string) (found []string, sawItems bool) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			found = append(found, path+": unreadable: "+err.Error())
			return nil
		}
		sawItems = sawItems || bytes.Contains(data, []byte(seqKey))
		for _, p := range []string{plantedKey, plantedJWT, plantedKey[8:24]} {
			if bytes.Contains(data, []byte(p)) {
				found = append(found, fmt.Sprintf("%s holds %.12s…", path, p))
			}
		}
		return nil
	})
	return found, sawItems
}

// proc is one collector process.
type proc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	err  error
	once sync.Once
	serr error
}

func startCollector(bin, cfgPath, dir string) (*proc, error) {
	p := &proc{logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "--config", cfgPath)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.logs.String(), "Everything is ready") {
		select {
		case <-p.done:
			return nil, fmt.Errorf("collector exited: %v\n%s", p.err, p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			p.stop(syscall.SIGKILL)
			return nil, fmt.Errorf("collector not ready after 30 s\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p, nil
}

// stop signals the process and waits for it (SIGKILL after 20 s); it returns the exit error.
func (p *proc) stop(sig syscall.Signal) error {
	p.once.Do(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(sig)
			select {
			case <-p.done:
			case <-time.After(20 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		p.serr = p.err
	})
	return p.serr
}

func (p *proc) errorLines() []string {
	var bad []string
	for _, line := range strings.Split(p.logs.String(), "\n") {
		var e struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(line), &e) == nil {
			switch e.Level {
			case "error", "dpanic", "panic", "fatal":
				bad = append(bad, line)
			}
		}
	}
	return bad
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// scrape reads the collector's own pipeline counters (receiver accepted/refused,
// processor and exporter sent/failed, queue size) from its Prometheus endpoint.
func scrape(port int) map[string]float64 {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return map[string]float64{"scrape_error": 1}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		base := name
		if i := strings.IndexByte(name, '{'); i >= 0 {
			base = name[:i]
		}
		switch {
		case strings.HasPrefix(base, "otelcol_receiver_accepted_"), strings.HasPrefix(base, "otelcol_receiver_refused_"),
			strings.HasPrefix(base, "otelcol_exporter_sent_"), strings.HasPrefix(base, "otelcol_exporter_send_failed_"),
			strings.HasPrefix(base, "otelcol_exporter_enqueue_failed_"), base == "otelcol_exporter_queue_size",
			strings.HasPrefix(base, "otelcol_processor_authobs_items_fail_closed"):
			v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err == nil {
				key := base
				if i := strings.Index(name, "transport=\""); i >= 0 {
					key += "{" + strings.TrimSuffix(strings.SplitN(name[i:], ",", 2)[0], "}") + "}"
				}
				out[key] += v
			}
		}
	}
	return out
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
