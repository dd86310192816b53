// Package e2e tests the otelcol-authobs distribution as a user runs it: the ocb-built binary,
// the example configurations of config/, and real OTLP over HTTP and gRPC on 127.0.0.1.
//
// The binary is _build/otelcol-authobs, brought up to date with `make collector` before the
// first test; set AUTHOBS_COLLECTOR to the path of a binary to use that one instead.
package e2e
