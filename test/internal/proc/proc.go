// Package proc runs the child processes of the test harness (the collector binary, the mock
// API) the one way the e2e tests, the soak and the demo share: each child in its own process
// group and killed with its parent on Linux, ready when a log line, a file or a TCP port says
// so, stopped by its group (a signal, then SIGKILL after a grace period, always reaped). It
// also finds free loopback ports and reads the collector's Prometheus metrics.
package proc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultGrace is how long Stop waits after the first signal before it kills the group.
const DefaultGrace = 15 * time.Second

// Spec describes a child process.
type Spec struct {
	Path string
	Args []string
	// Env is the whole environment of the child; nil inherits this process's.
	Env []string
	// Dir is the working directory; empty is this process's.
	Dir string
	// LogFile, when set, receives a copy of the child's stdout and stderr (created anew).
	LogFile string
	// Grace is how long Stop waits before SIGKILL; zero is DefaultGrace.
	Grace time.Duration
}

// Process is a running child. Its output (stdout and stderr together) is kept in memory.
type Process struct {
	cmd   *exec.Cmd
	grace time.Duration
	logs  syncBuffer
	done  chan struct{} // closed once the child is reaped
	err   error         // Wait's result, valid after done

	stopOnce sync.Once
	stopErr  error
}

// Start starts the child in its own process group. When ctx ends the child is stopped as by
// Stop; a context that never ends leaves stopping to the caller.
func Start(ctx context.Context, spec Spec) (*Process, error) {
	p := &Process{grace: spec.Grace, done: make(chan struct{})}
	if p.grace <= 0 {
		p.grace = DefaultGrace
	}
	var out io.Writer = &p.logs
	var logFile *os.File
	if spec.LogFile != "" {
		f, err := os.Create(spec.LogFile)
		if err != nil {
			return nil, err
		}
		logFile, out = f, io.MultiWriter(&p.logs, f)
	}
	p.cmd = exec.Command(spec.Path, spec.Args...)
	p.cmd.Env, p.cmd.Dir = spec.Env, spec.Dir
	p.cmd.Stdout, p.cmd.Stderr = out, out
	// The output is copied through a pipe: a grandchild holding it must not keep Wait forever.
	p.cmd.WaitDelay = time.Second
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		if logFile != nil {
			_ = logFile.Close()
		}
		return nil, fmt.Errorf("starting %s: %w", spec.Path, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		if logFile != nil {
			_ = logFile.Close() // a lost tail of a log copy is no test failure; the buffer has it all
		}
		close(p.done)
	}()
	if ctx.Done() != nil {
		go func() {
			select {
			case <-ctx.Done():
				_ = p.Stop()
			case <-p.done:
			}
		}()
	}
	return p, nil
}

// Pid is the child's process id (and its process group's).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Running reports whether the child has not been reaped yet.
func (p *Process) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Logs returns everything the child has written so far.
func (p *Process) Logs() string { return p.logs.String() }

// Stop sends SIGTERM to the process group and waits for the child; after the grace period
// it kills the group, and once the child is gone it kills what remains of the group. It
// returns the exit error, nil for a clean exit; later calls (and Kill) return the first
// result.
func (p *Process) Stop() error { return p.StopWith(syscall.SIGTERM) }

// StopWith is Stop with another first signal (SIGKILL for a crash whose exit status counts).
func (p *Process) StopWith(sig syscall.Signal) error {
	p.stopOnce.Do(func() {
		p.stopErr = p.stop(sig)
		// Whatever the child started and left behind goes with it.
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	})
	return p.stopErr
}

// stop signals the group with sig and waits out the grace period, then SIGKILL.
func (p *Process) stop(sig syscall.Signal) error {
	if !p.Running() {
		return p.err
	}
	p.signalGroup(sig)
	select {
	case <-p.done:
		return p.err
	case <-time.After(p.grace):
		p.signalGroup(syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("no exit %s after %s; killed", p.grace, sig)
	}
}

// Kill ends the process group with SIGKILL, as the kernel or an orchestrator does, and reaps
// the child; Stop afterwards reports nil.
func (p *Process) Kill() {
	p.stopOnce.Do(func() {
		p.signalGroup(syscall.SIGKILL)
		<-p.done
	})
}

// signalGroup signals the whole group, or the child alone if the group is gone (the child
// left it). Never both: a collector that gets SIGTERM twice can die of the second one after
// its own shutdown has removed its handler.
func (p *Process) signalGroup(sig syscall.Signal) {
	if syscall.Kill(-p.cmd.Process.Pid, sig) != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

// errExited is what a readiness wait returns when the child ends first.
func (p *Process) errExited() error {
	return fmt.Errorf("exited before it was ready: %w", p.err)
}

// WaitLog waits until the child's output contains msg.
func (p *Process) WaitLog(ctx context.Context, msg string, timeout time.Duration) error {
	return p.poll(ctx, timeout, 20*time.Millisecond, func() (bool, error) {
		return strings.Contains(p.Logs(), msg), nil
	}, func() error { return fmt.Errorf("no log line %q after %s", msg, timeout) })
}

// WaitFile waits until the file at path has content (a ready file) and returns it trimmed.
func (p *Process) WaitFile(ctx context.Context, path string, timeout time.Duration) (string, error) {
	var content string
	err := p.poll(ctx, timeout, 50*time.Millisecond, func() (bool, error) {
		b, err := os.ReadFile(path)
		content = string(bytes.TrimSpace(b))
		return err == nil && content != "", nil
	}, func() error { return fmt.Errorf("no %s after %s", path, timeout) })
	return content, err
}

// WaitTCP waits until addr accepts a TCP connection.
func (p *Process) WaitTCP(ctx context.Context, addr string, timeout time.Duration) error {
	return p.poll(ctx, timeout, 100*time.Millisecond, func() (bool, error) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return false, nil
		}
		return true, c.Close()
	}, func() error { return fmt.Errorf("not listening on %s after %s", addr, timeout) })
}

// poll checks ready every interval until it holds, the child exits, ctx ends or timeout
// passes (then the error is late()).
func (p *Process) poll(ctx context.Context, timeout, interval time.Duration, ready func() (bool, error), late func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if ok, err := ready(); ok || err != nil {
			return err
		}
		select {
		case <-p.done:
			if ok, err := ready(); ok || err != nil {
				return err // ready just before it exited: the caller sees the exit next
			}
			return p.errExited()
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return late()
		case <-tick.C:
		}
	}
}

// ErrorLogLines returns the lines of the child's output that a collector (zap) logged at
// level error or above, in JSON or console encoding.
func (p *Process) ErrorLogLines() []string {
	var bad []string
	for _, line := range strings.Split(p.Logs(), "\n") {
		var level string
		var entry struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil {
			level = entry.Level
		} else if f := strings.Split(line, "\t"); len(f) > 1 {
			level = f[1]
		}
		switch strings.ToLower(level) {
		case "error", "dpanic", "panic", "fatal":
			bad = append(bad, line)
		}
	}
	return bad
}

// FreePorts returns n distinct ports that were free on 127.0.0.1 a moment ago (another
// process can take one before the caller binds it: callers that can retry, do).
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, errors.New("free port: not a TCP address")
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}

// Loopback is 127.0.0.1:port.
func Loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// syncBuffer is a bytes.Buffer safe for the child's writer and the readers of Logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
