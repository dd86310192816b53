// Package procstat reads what the tests bound about a process they started: its resident
// memory, from /proc (Linux).
package procstat

import (
	"os"
	"strconv"
	"strings"
)

// ResidentMiB is the VmRSS of process pid in MiB; ok is false where /proc has no answer
// (another OS, or the process is gone).
func ResidentMiB(pid int) (mib float64, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}
