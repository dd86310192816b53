package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestResidentMiB(t *testing.T) {
	mib, ok := ResidentMiB(os.Getpid())
	if runtime.GOOS != "linux" {
		if ok {
			t.Fatalf("an answer without /proc: %v", mib)
		}
		return
	}
	if !ok || mib <= 1 || mib > 1<<20 {
		t.Fatalf("ResidentMiB(self) = %v, %v", mib, ok)
	}
	if _, ok := ResidentMiB(-1); ok {
		t.Fatal("an answer for pid -1")
	}
}
