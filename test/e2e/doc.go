// Package e2e tests the otelcol-authobs distribution as a user runs it: the ocb-built binary,
// the example configurations of config/, and real OTLP over HTTP and gRPC on 127.0.0.1.
//
// The binary is _build/otelcol-authobs, brought up to date with `make collector` before the
// first test; set AUTHOBS_COLLECTOR to the path of a binary to use that one instead (make test
// does, after building it). AUTHOBS_OPERATOR_BUILD=1 (make test sets it) also runs the operator
// test, which builds its own ocb manifest; the image test runs where buildah is installed
// (AUTHOBS_IMAGE_BUILD=1 makes its absence a failure).
//
// Helpers for further tests in this package:
//
//	startCollector(t, configPath, env) (*Collector, Endpoints)  start, wait until ready, stop at cleanup
//	startBinary(t, bin, configPath, env)                          the same for another collector binary
//	(*Collector).Stop() error / Logs() / ErrorLogLines()         SIGTERM and exit status; what it logged
//	(*Collector).Kill() / Pid()                                    SIGKILL, as a crash (Stop then reports nil); the pid
//	startGateway(t, cfg, queueDir, sink)                         config/gateway.yaml on loopback, queues in queueDir
//	loadFixture(t, scenario) Fixture, codexScenarios(t)           the Codex captures of testdata/codex
//	sendFixture(t, ep, OverHTTP|OverGRPC, f) Counts               replay a capture, request by request
//	sendMetrics(t, ep, transport, md) Counts                      one metrics request
//	readFileExport(t, path) FileExport                            parse a fileexporter output (json)
//	waitFileExport(t, path, want Counts, timeout) FileExport      poll until the items have arrived
//	runCollectorCommand(t, env, args...)                           e.g. validate --config, components
package e2e
