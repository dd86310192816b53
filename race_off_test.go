//go:build !race

package authobsprocessor

// raceEnabled: see race_on_test.go.
const raceEnabled = false
