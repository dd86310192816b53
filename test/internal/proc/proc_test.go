package proc

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childMode makes the test binary act as the child named by its value (see TestMain).
const childMode = "PROC_TEST_CHILD"

// TestMain lets the tests start this binary as a child that behaves as they need:
//
//	ready      print "ready", then wait for SIGTERM and exit 0
//	stubborn   ignore SIGTERM, print "ready", sleep
//	crash      print "boom" and exit 3 at once
//	listen     listen on $PROC_TEST_ADDR, write the address to $PROC_TEST_FILE, wait for SIGTERM
//	parent     start a grandchild (this binary in mode stubborn), write its pid to $PROC_TEST_FILE, sleep
func TestMain(m *testing.M) {
	switch os.Getenv(childMode) {
	case "":
		os.Exit(m.Run())
	case "ready":
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		fmt.Println("ready")
		<-term
		os.Exit(0)
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Minute)
	case "crash":
		fmt.Println("boom")
		os.Exit(3)
	case "listen":
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		time.Sleep(300 * time.Millisecond) // not ready at once: the wait must poll
		l, err := net.Listen("tcp", os.Getenv("PROC_TEST_ADDR"))
		if err != nil {
			os.Exit(4)
		}
		if err := os.WriteFile(os.Getenv("PROC_TEST_FILE"), []byte(l.Addr().String()+"\n"), 0o600); err != nil {
			os.Exit(5)
		}
		<-term
		os.Exit(0)
	case "parent":
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), childMode+"=stubborn")
		if err := cmd.Start(); err != nil {
			os.Exit(6)
		}
		if err := os.WriteFile(os.Getenv("PROC_TEST_FILE"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
			os.Exit(7)
		}
		time.Sleep(time.Minute)
	}
	os.Exit(9)
}

func child(t *testing.T, mode string, grace time.Duration, env ...string) *Process {
	t.Helper()
	p, err := Start(context.Background(), Spec{
		Path:  os.Args[0],
		Env:   append(os.Environ(), append(env, childMode+"="+mode)...),
		Grace: grace,
	})
	require.NoError(t, err)
	t.Cleanup(p.Kill)
	return p
}

func TestStopCleanExit(t *testing.T) {
	p := child(t, "ready", 0)
	require.NoError(t, p.WaitLog(context.Background(), "ready", 10*time.Second))
	assert.True(t, p.Running())
	require.NoError(t, p.Stop())
	assert.False(t, p.Running())
	assert.NoError(t, p.Stop(), "a second Stop reports the first result")
}

func TestStopKillsAfterGrace(t *testing.T) {
	p := child(t, "stubborn", 300*time.Millisecond)
	require.NoError(t, p.WaitLog(context.Background(), "ready", 10*time.Second))
	start := time.Now()
	err := p.Stop()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "killed")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.False(t, p.Running())
}

func TestStopWithReportsExitStatus(t *testing.T) {
	p := child(t, "ready", 0)
	require.NoError(t, p.WaitLog(context.Background(), "ready", 10*time.Second))
	err := p.StopWith(syscall.SIGKILL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signal: killed")
}

func TestKillThenStopIsNil(t *testing.T) {
	p := child(t, "stubborn", 0)
	require.NoError(t, p.WaitLog(context.Background(), "ready", 10*time.Second))
	p.Kill()
	assert.False(t, p.Running())
	assert.NoError(t, p.Stop())
}

func TestWaitFailsWhenChildExits(t *testing.T) {
	p := child(t, "crash", 0)
	err := p.WaitLog(context.Background(), "never printed", 10*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited before it was ready")
	assert.Contains(t, err.Error(), "exit status 3")
	assert.Contains(t, p.Logs(), "boom")
}

func TestWaitTimesOut(t *testing.T) {
	p := child(t, "ready", 0)
	err := p.WaitLog(context.Background(), "never printed", 200*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after 200ms")
}

func TestWaitFileAndTCP(t *testing.T) {
	ports, err := FreePorts(1)
	require.NoError(t, err)
	addr := Loopback(ports[0])
	file := filepath.Join(t.TempDir(), "addr")
	log := filepath.Join(t.TempDir(), "child.log")
	p, err := Start(context.Background(), Spec{
		Path: os.Args[0], LogFile: log,
		Env: append(os.Environ(), childMode+"=listen", "PROC_TEST_ADDR="+addr, "PROC_TEST_FILE="+file),
	})
	require.NoError(t, err)
	t.Cleanup(p.Kill)
	require.NoError(t, p.WaitTCP(context.Background(), addr, 10*time.Second))
	got, err := p.WaitFile(context.Background(), file, 10*time.Second)
	require.NoError(t, err)
	assert.Equal(t, addr, got)
	require.NoError(t, p.Stop())
	_, err = os.Stat(log)
	assert.NoError(t, err, "the log file is created")
}

func TestContextEndStopsChild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, err := Start(ctx, Spec{Path: os.Args[0], Env: append(os.Environ(), childMode+"=ready")})
	require.NoError(t, err)
	t.Cleanup(p.Kill)
	require.NoError(t, p.WaitLog(context.Background(), "ready", 10*time.Second))
	cancel()
	require.Eventually(t, func() bool { return !p.Running() }, 10*time.Second, 20*time.Millisecond)
	assert.NoError(t, p.Stop(), "stopped by the context with a clean exit")
}

// TestStopReachesTheGroup: a grandchild that ignores SIGTERM dies with its parent's group.
func TestStopReachesTheGroup(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pid")
	p := child(t, "parent", 300*time.Millisecond, "PROC_TEST_FILE="+file)
	s, err := p.WaitFile(context.Background(), file, 10*time.Second)
	require.NoError(t, err)
	pid, err := strconv.Atoi(s)
	require.NoError(t, err)
	require.True(t, alive(pid), "grandchild %d running", pid)
	_ = p.Stop()
	require.Eventually(t, func() bool { return !alive(pid) }, 5*time.Second, 20*time.Millisecond,
		"grandchild %d outlived the stop", pid)
}

// alive reports whether pid is a process that has not exited (a zombie waiting for its
// reaper counts as exited).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: the signal probe is all there is
	}
	// the state follows the command name in parentheses
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func TestErrorLogLines(t *testing.T) {
	p := &Process{}
	_, _ = p.logs.Write([]byte(strings.Join([]string{
		`{"level":"info","msg":"Everything is ready"}`,
		`{"level":"error","msg":"export failed"}`,
		"2026-12-07T01:00:00Z\tERROR\texporter\tfailed",
		"2026-12-07T01:00:00Z\twarn\texporter\tslow",
		`{"level":"fatal","msg":"gone"}`,
	}, "\n")))
	assert.Equal(t, []string{
		`{"level":"error","msg":"export failed"}`,
		"2026-12-07T01:00:00Z\tERROR\texporter\tfailed",
		`{"level":"fatal","msg":"gone"}`,
	}, p.ErrorLogLines())
}

func TestFreePorts(t *testing.T) {
	ports, err := FreePorts(4)
	require.NoError(t, err)
	require.Len(t, ports, 4)
	seen := map[int]bool{}
	for _, port := range ports {
		assert.False(t, seen[port], "port %d twice", port)
		seen[port] = true
		l, err := net.Listen("tcp", Loopback(port))
		require.NoError(t, err, "port %d free", port)
		require.NoError(t, l.Close())
	}
}

const exposition = `# HELP otelcol_exporter_queue_size Current size of the retry queue
# TYPE otelcol_exporter_queue_size gauge
otelcol_exporter_queue_size{exporter="otlp_grpc/sink",service_name="otelcol-authobs"} 120
otelcol_exporter_queue_size{exporter="otlp_http/backend",service_name="otelcol-authobs"} 30 1733533200000
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 5
otelcol_processor_authobs_redactions_total{detector="jwt",note="a, \"quoted\" value",processor="authobs/trace_safe"} 2.5
process_uptime 12.5

bad_line{unclosed="x" 1
not_a_number{a="b"} NaNx
`

func TestScrape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(exposition))
	}))
	defer srv.Close()
	m, err := Scrape(context.Background(), strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	assert.InDelta(t, 150, m.Sum("otelcol_exporter_queue_size"), 0)
	assert.Len(t, m["otelcol_exporter_queue_size"], 2)
	assert.Equal(t, "otlp_http/backend", m["otelcol_exporter_queue_size"][1].Labels["exporter"])
	assert.Equal(t, "grpc", m["otelcol_receiver_accepted_spans_total"][0].Labels["transport"])
	red := m["otelcol_processor_authobs_redactions_total"][0]
	assert.Equal(t, map[string]string{"detector": "jwt", "note": `a, "quoted" value`, "processor": "authobs/trace_safe"}, red.Labels)
	assert.InDelta(t, 2.5, red.Value, 0)
	assert.InDelta(t, 12.5, m.Sum("process_uptime"), 0)
	assert.Empty(t, m["bad_line"])
	assert.Empty(t, m["not_a_number"])
	assert.Zero(t, m.Sum("absent"))
	assert.Len(t, m, 4)
}

func TestScrapeFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, err := Scrape(context.Background(), strings.TrimPrefix(srv.URL, "http://"))
	require.Error(t, err)
	ports, err := FreePorts(1)
	require.NoError(t, err)
	_, err = Scrape(context.Background(), Loopback(ports[0]))
	assert.Error(t, err, "nothing listening")
}
