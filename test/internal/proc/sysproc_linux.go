package proc

import "syscall"

// sysProcAttr puts the child in its own process group, so a stop reaches whatever it started,
// and has the kernel kill it if this process dies first (e.g. a test timeout), so no child
// outlives its harness.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
