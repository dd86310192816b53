// Package collector_test runs the authobs processor inside a real in-process collector: the
// core OTLP receiver over HTTP and gRPC on 127.0.0.1, the processor, and a sink exporter.
// It lives in the test module so that the processor module never requires otelcol, the
// receivers or the exporters.
package collector_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
