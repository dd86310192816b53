// Command loadgen drives a collector's OTLP/gRPC receiver on 127.0.0.1 at saturation
// with the bench workload and reports the spans per second it acknowledged and the
// collector's CPU time per 10k spans, read from /proc/<pid>/stat.
//
// The requests are marshalled once, up front (64 batches drawn from different seeds,
// so ids do not repeat batch after batch), and sent as raw bytes: the generator spends
// its CPU on gRPC only, leaving the rest of the two cores to the collector.
//
//	loadgen -endpoint 127.0.0.1:4317 -pid 1234 -label authobs -warmup 3s -duration 15s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/authobs/authobsprocessor/bench"
)

const exportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

// rawCodec sends pre-marshalled request bytes and ignores the response body.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)   { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(_ []byte, _ any) error { return nil }
func (rawCodec) Name() string                    { return "proto" }

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint (loopback only)")
	pid := flag.Int("pid", 0, "collector process id, for CPU accounting")
	label := flag.String("label", "collector", "name printed with the result")
	warmup := flag.Duration("warmup", 3*time.Second, "load before measuring")
	duration := flag.Duration("duration", 15*time.Second, "measured window")
	workers := flag.Int("workers", 4, "concurrent Export calls")
	batches := flag.Int("batches", 64, "distinct pre-marshalled batches")
	flag.Parse()
	if !strings.HasPrefix(*endpoint, "127.0.0.1:") {
		fail(errors.New("-endpoint must be on 127.0.0.1"))
	}
	if *warmup+*duration > 30*time.Second {
		fail(errors.New("-warmup plus -duration must stay within 30s"))
	}

	payloads := make([][]byte, *batches)
	spansPer := 0
	for i := range payloads {
		w := bench.NewWorkloadSeed(bench.Seed+uint64(i), true)
		spansPer = w.Traces.SpanCount()
		b, err := ptraceotlp.NewExportRequestFromTraces(w.Traces).MarshalProto()
		if err != nil {
			fail(err)
		}
		payloads[i] = b
	}

	conn, err := grpc.NewClient(*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	if err := waitReady(conn, payloads[0]); err != nil {
		fail(err)
	}

	var measuring atomic.Bool
	var acked, failed atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), *warmup+*duration)
	defer cancel()
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Go(func() {
			var resp []byte
			for i := w; ctx.Err() == nil; i += *workers {
				p := payloads[i%len(payloads)]
				err := conn.Invoke(ctx, exportMethod, &p, &resp)
				switch {
				case err == nil && measuring.Load():
					acked.Add(int64(spansPer))
				case err != nil && ctx.Err() == nil:
					failed.Add(1)
				}
			}
		})
	}
	time.Sleep(*warmup)
	cpu0 := cpuSeconds(*pid)
	t0 := time.Now()
	measuring.Store(true)
	time.Sleep(*duration)
	measuring.Store(false)
	elapsed := time.Since(t0).Seconds()
	cpu1 := cpuSeconds(*pid)
	cancel()
	wg.Wait()

	spans := float64(acked.Load())
	cpu := cpu1 - cpu0
	perTenK := 0.0
	if spans > 0 {
		perTenK = cpu / (spans / 10_000)
	}
	fmt.Printf("%-10s spans/s %9.0f  collector CPU %6.2f s in %4.1f s (%.2f cores)  CPU-s/10k spans %.4f  failed calls %d\n",
		*label, spans/elapsed, cpu, elapsed, cpu/elapsed, perTenK, failed.Load())
}

// waitReady retries one export until the receiver answers (the collector is starting).
func waitReady(conn *grpc.ClientConn, p []byte) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var resp []byte
		err := conn.Invoke(ctx, exportMethod, &p, &resp)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("collector not ready: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// cpuSeconds is utime+stime of pid (fields 14 and 15 of /proc/<pid>/stat, in clock
// ticks of 1/100 s on Linux).
func cpuSeconds(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		fail(err)
	}
	// the command name (field 2) may hold spaces: count fields after its closing paren
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}
