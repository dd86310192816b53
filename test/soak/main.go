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
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/authobs/authobsprocessor/test/internal/proc"
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

	dir, err := os.MkdirTemp("", "authobs-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ws, err := newWorkspace(cfg, dir, sinkAddr)
	if err != nil {
		return nil, err
	}

	rep := &report{Name: cfg.name, Queue: "memory", Started: time.Now().UTC(), Workers: cfg.workers, TargetRate: cfg.rate}
	if cfg.durable {
		rep.Queue, rep.FSync = "file", cfg.fsync
	}
	start := func() (*proc.Process, error) { return startCollector(cfg.collector, ws.cfgPath, dir) }
	col, err := start()
	if err != nil {
		return nil, err
	}
	current := &atomic.Pointer[proc.Process]{}
	current.Store(col)
	defer func() { _ = current.Load().Stop() }() // on an early return only: the end of the run stops it first
	stopSampling := sampleRSS(rep, current)
	defer stopSampling()

	// senders
	ld := newLoad(cfg, ws.grpcAddr, ws.httpAddr)
	sendCtx, stopSending := context.WithTimeout(context.Background(), cfg.duration)
	defer stopSending()
	began := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld.worker(sendCtx, w)
		}()
	}
	if cfg.restart {
		r := restarter{cfg: cfg, rep: rep, sink: s, load: ld, current: current, start: start, storage: ws.storage, metricsAddr: ws.metricsAddr, began: began}
		if err := r.run(sendCtx); err != nil {
			return nil, err
		}
	}
	wg.Wait()
	rep.DurationS = time.Since(began).Seconds()
	log.Printf("senders done after %.1fs; waiting for the pipeline to deliver", rep.DurationS)
	waitDelivered(s, ld)

	rep.Scrapes = scrape(ws.metricsAddr)
	final := current.Load()
	if err := final.Stop(); err != nil {
		rep.Failures = append(rep.Failures, "collector did not stop cleanly: "+err.Error())
	}
	rep.ErrorLogs = append(rep.ErrorLogs, final.ErrorLogLines()...)
	if cfg.durable {
		found, _ := grepStorage(ws.storage)
		rep.StoredLeaks = append(rep.StoredLeaks, found...)
	}
	time.Sleep(500 * time.Millisecond) // a final flush on shutdown reaches the sink
	stopSampling()

	rep.tally(s, ld)
	rep.judge(cfg)
	return rep, rep.write(cfg.out)
}

// workspace is where one run's collector listens and keeps its files.
type workspace struct {
	grpcAddr, httpAddr, metricsAddr string // OTLP receivers, own metrics (loopback)
	cfgPath, storage                string // its configuration file, its queue's directory
}

// newWorkspace picks free loopback ports and writes the collector's configuration into dir.
func newWorkspace(cfg config, dir, sinkAddr string) (workspace, error) {
	ports, err := proc.FreePorts(3)
	if err != nil {
		return workspace{}, err
	}
	ws := workspace{
		grpcAddr: proc.Loopback(ports[0]), httpAddr: proc.Loopback(ports[1]), metricsAddr: proc.Loopback(ports[2]),
		cfgPath: filepath.Join(dir, "collector.yaml"), storage: filepath.Join(dir, "queue"),
	}
	yaml := collectorConfig(cfg.durable, cfg.fsync, ws.grpcAddr, ws.httpAddr, sinkAddr, ws.storage, ports[2])
	return ws, os.WriteFile(ws.cfgPath, []byte(yaml), 0o644)
}

// tally fills in what the sink delivered and what the senders did.
func (r *report) tally(s *sink, ld *load) {
	s.fill(r, ld)
	r.Requests, r.RetriedReqs, r.Retries = ld.requests.Load(), ld.retriedReqs.Load(), ld.retries.Load()
	var acc int64
	for _, v := range r.Accepted {
		acc += v
	}
	r.AchievedRate = float64(acc) / r.DurationS
}

// sampleRSS records the resident memory of whichever collector process is current, once a
// second, until the returned function is called (it waits for the sampler; calling it again
// is harmless).
func sampleRSS(rep *report, current *atomic.Pointer[proc.Process]) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if mib, ok := procstat.ResidentMiB(current.Load().Pid()); ok {
					rep.RSSSamplesMiB = append(rep.RSSSamplesMiB, mib)
					rep.RSSMaxMiB = max(rep.RSSMaxMiB, mib)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// restarter stops the collector twice while the senders keep going: SIGTERM at 1/3 of the
// send time, SIGKILL at 2/3 with the sink down for sinkOutage before it, so that the queue
// holds items when the process dies. Each time it starts a new process on the same ports and
// storage and records what the stop did.
type restarter struct {
	cfg         config
	rep         *report
	sink        *sink
	load        *load
	current     *atomic.Pointer[proc.Process]
	start       func() (*proc.Process, error)
	storage     string
	metricsAddr string
	began       time.Time
}

func (r *restarter) run(sendCtx context.Context) error {
	for k, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		at := r.began.Add(r.cfg.duration * time.Duration(k+1) / 3)
		if sig == syscall.SIGKILL {
			// The destination goes down first, so the queue holds items when the process dies.
			waitUntil(sendCtx, at.Add(-sinkOutage))
			r.sink.down.Store(true)
			log.Printf("sink down at %.1fs", time.Since(r.began).Seconds())
		}
		waitUntil(sendCtx, at)
		if err := r.restart(sig); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
	}
	return nil
}

func (r *restarter) restart(sig syscall.Signal) error {
	old := r.current.Load()
	rec := stopRecord{Signal: sig.String(), AtS: time.Since(r.began).Seconds(), SinkDown: r.sink.down.Load()}
	rec.MetricsBefore = scrape(r.metricsAddr)
	rec.QueueSize = rec.MetricsBefore["otelcol_exporter_queue_size"]
	rec.AcceptedBefore = r.load.acceptedTotal()
	rec.DeliveredBefore = r.sink.deliveredTotal()
	downAt := time.Now()
	rec.ExitErr = fmt.Sprint(old.StopWith(sig))
	r.rep.ErrorLogs = append(r.rep.ErrorLogs, old.ErrorLogLines()...)
	if r.cfg.durable {
		rec.StorageBytes = dirBytes(r.storage)
		found, items := grepStorage(r.storage)
		r.rep.StoredLeaks = append(r.rep.StoredLeaks, found...)
		rec.StorageHoldsItems = &items
	}
	time.Sleep(2 * time.Second) // down long enough for senders to see refused connections
	rec.DeliveredAfter = r.sink.deliveredTotal()
	rec.HeldAtStop = max(0, rec.AcceptedBefore-rec.DeliveredAfter)
	log.Printf("collector stopped with %s at %.1fs (%s), queue size %.0f; restarting", sig, rec.AtS, rec.ExitErr, rec.QueueSize)
	next, err := r.start()
	if err != nil {
		return err
	}
	r.current.Store(next)
	r.sink.down.Store(false)
	rec.DownS = time.Since(downAt).Seconds()
	r.rep.Stops = append(r.rep.Stops, rec)
	return nil
}

// waitDelivered waits until the sink has everything accepted, or nothing moves for 10 s
// (bounded by 60 s).
func waitDelivered(s *sink, ld *load) {
	deadline := time.Now().Add(60 * time.Second)
	last, lastChange := int64(-1), time.Now()
	for time.Now().Before(deadline) {
		d := s.deliveredTotal()
		if d >= ld.acceptedTotal() {
			return
		}
		if d != last {
			last, lastChange = d, time.Now()
		} else if time.Since(lastChange) > 10*time.Second {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
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

// startCollector starts the collector and waits (30 s at most) until it logs that it is
// ready. A stop waits 20 s after the first signal before SIGKILL.
func startCollector(bin, cfgPath, dir string) (*proc.Process, error) {
	p, err := proc.Start(context.Background(), proc.Spec{Path: bin, Args: []string{"--config", cfgPath}, Dir: dir, Grace: 20 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := p.WaitLog(context.Background(), "Everything is ready", 30*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("collector: %w\n%s", err, p.Logs())
	}
	return p, nil
}

// scrape reads the collector's own pipeline counters (receiver accepted/refused,
// processor and exporter sent/failed, queue size) from its Prometheus endpoint, summed by
// metric (and transport, where the series has one).
func scrape(addr string) map[string]float64 {
	m, err := proc.Scrape(context.Background(), addr)
	if err != nil {
		return map[string]float64{"scrape_error": 1}
	}
	out := map[string]float64{}
	for name, samples := range m {
		switch {
		case strings.HasPrefix(name, "otelcol_receiver_accepted_"), strings.HasPrefix(name, "otelcol_receiver_refused_"),
			strings.HasPrefix(name, "otelcol_exporter_sent_"), strings.HasPrefix(name, "otelcol_exporter_send_failed_"),
			strings.HasPrefix(name, "otelcol_exporter_enqueue_failed_"), name == "otelcol_exporter_queue_size",
			strings.HasPrefix(name, "otelcol_processor_authobs_items_fail_closed"):
			for _, sm := range samples {
				key := name
				if tr, ok := sm.Labels["transport"]; ok {
					key += `{transport="` + tr + `"}`
				}
				out[key] += sm.Value
			}
		}
	}
	return out
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
	sort.Strings(keys)
	return keys
}
