package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent kills the collector if the test process dies first (e.g. on a test timeout),
// so no collector outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
