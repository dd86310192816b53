//go:build race

package redact

// raceEnabled: the race detector makes sync.Pool drop a share of what is put back, so the
// pooled rule windows are sometimes allocated again; allocation counts mean nothing under
// -race (make test runs the allocation tests again without it).
const raceEnabled = true
