package e2e

import (
	"testing"

	"go.uber.org/goleak"
)

// The test process itself must leak nothing (gRPC connections, HTTP transports, waiters on
// the collector process).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
