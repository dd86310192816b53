//go:build race

package authobsprocessor

// raceEnabled: the race detector makes sync.Pool drop a share of what is put back, so a
// pooled buffer is sometimes allocated again; allocation counts mean nothing under -race.
const raceEnabled = true
