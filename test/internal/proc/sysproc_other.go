//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr puts the child in its own process group; outside Linux there is no parent-death
// signal, so stopping is left to the harness.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
