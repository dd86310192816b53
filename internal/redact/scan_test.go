package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// scanPieces begin shapes, operators, escapes and keywords, and continue ids, hex and
// base64: random strings drawn from them reach every branch of the scanner.
var scanPieces = []string{
	"a", "Z", "0", "7", "f", "q", "Q", " ", "-", "_", ".", "/", "+", "~", "Q~", "=", "==", ":", "://", "@", ">", "<",
	"\"", "'", "?", "&", "#", "%", "%2F", "%3D", "%41", "&quot;", "&#61;", "&amp;", "&lt", "\\", "\\u0022", "\\n",
	"\u200b", "\u00ad", "\ufeff", "\u2060", "\u212a", "\u017f", "\u00e9", "\u2019", "\t", "\n", "\r\n", "eyJ", "ewog",
	"W3si", "Basic ", "Bearer ", "sk-", "sk-proj-", "ghp_", "AKIA", "xoxb-", "SK", "1//0", "ya29.", "hf_", "dop_v1_",
	"-----BEGIN ", "PRIVATE KEY", "-----END ", "https://", "u:p@", "hooks.slack.com/services/", "password", "token",
	"key", "api", "secret", "Authorization", "<password>", "?key=", "&code=", "0123456789abcdef", "01234567-89ab",
	"req_", "c-", "dG9rZW49", "YWJjZGVm", "k7zq3lmn9pxr2tvb", "XkpQ2mZ9", "AAAA", "zzzz", "9999", "+/+/", "-_-_",
}

// scanProbes are the strings the scanner's fast paths are checked on: the realistic
// workload, the bench inputs, and random strings of scanPieces.
func scanProbes(t *testing.T) []string {
	t.Helper()
	strs := workload(t)
	for _, in := range benchInputs {
		strs = append(strs, in.s)
	}
	for _, in := range scanInputs {
		strs = append(strs, in.s)
	}
	for _, in := range shortInputs {
		strs = append(strs, in.s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		var b strings.Builder
		for n := 1 + r.IntN(24); n > 0; n-- {
			b.WriteString(scanPieces[r.IntN(len(scanPieces))])
		}
		strs = append(strs, b.String())
	}
	for range 5000 {
		secret, _ := plantedShapes[r.IntN(len(plantedShapes))](r)
		strs = append(strs, strs[r.IntN(len(strs))]+scanPieces[r.IntN(len(scanPieces))]+secret)
	}
	return strs
}

// TestScanFindsEscapes checks the escape flag the scan sets on its way against escapeIn
// run over the whole string.
func TestScanFindsEscapes(t *testing.T) {
	with := 0
	for _, s := range scanProbes(t) {
		sc := scanner{s: s}
		sc.scan()
		want := escapeIn(s, 0, len(s))
		if sc.escape != want {
			t.Fatalf("%q: the scan says escape %v, escapeIn %v", s, sc.escape, want)
		}
		if want {
			with++
		}
	}
	// the probes must hold both answers in number, or the check proves little
	if with < 10000 {
		t.Fatalf("only %d probes have an escape", with)
	}
}
