package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// redactDigest is the digest of what the engine makes of digestCorpus (output, whether it
// changed, the hits): an optimisation of the engine must leave it as it is. When a change
// of behaviour is meant, TestDifferentialDump on both versions shows which strings moved.
const redactDigest = "5f7ca9ada21f2db09c1f74fcff4c23f3c896b95767f22794c7e3bdcaf0e60fde"

// TestRedactDigest guards the engine's verdicts on a fixed corpus: the benchmark inputs,
// OpenTelemetry's benign values (testdata/benign of the repository), planted secrets, and
// mutations of all of them (cuts, joins, escapes, invisible characters, case), drawn by a
// fixed generator.
func TestRedactDigest(t *testing.T) {
	e := newEngine(t, Options{})
	h := sha256.New()
	corpus := digestCorpus(t)
	for _, s := range corpus {
		var hits Hits
		out, changed := e.Redact(s, &hits)
		fmt.Fprintf(h, "%q %v", out, changed)
		for d, n := range hits {
			if n != 0 {
				fmt.Fprintf(h, " %s=%d", Detector(d), n)
			}
		}
		fmt.Fprintln(h)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != redactDigest {
		t.Fatalf("the engine's verdicts on %d strings changed: digest %s, want %s", len(corpus), got, redactDigest)
	}
}

// digestRand is a fixed linear congruential generator: the corpus must not move with the
// standard library's generators.
type digestRand uint64

func (r *digestRand) intn(n int) int {
	*r = *r*6364136223846793005 + 1442695040888963407
	return int(uint64(*r>>33) % uint64(n))
}

func digestCorpus(t *testing.T) []string {
	raw, err := os.ReadFile("../../testdata/benign/benign-otel-values.json")
	if err != nil {
		t.Fatal(err)
	}
	var benign struct {
		Values []struct{ Key, Value string }
	}
	if err := json.Unmarshal(raw, &benign); err != nil {
		t.Fatal(err)
	}
	var base []string
	for _, in := range benchInputs {
		base = append(base, in.s)
	}
	for _, v := range benign.Values {
		base = append(base, v.Key, v.Value)
	}
	r := digestRand(1)
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	tok := func(n int, alphabet string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.intn(len(alphabet))]
		}
		return string(b)
	}
	secrets := []string{
		"sk-proj-", "ghp_", "AIza", "Bearer ", "Basic ", "sk_live_", "access_token=", "password ", "token: ",
		"https://u:", "xoxb-", "AKIA", "eyJhbGciOiJIUzI1NiJ9.", "api key ", "-u ", "secret=", "glpat-", "SG.",
	}
	for range 2000 {
		base = append(base, secrets[r.intn(len(secrets))]+tok(8+r.intn(48), alnum+"-_+/."))
		// an Entra ID secret, whose first three bytes may be separators
		base = append(base, "client "+tok(1, alnum)+tok(2, alnum+".~-_")+tok(1, "0123456789")+"Q~"+tok(30+r.intn(6), alnum+".~-_"))
	}
	marks := []string{"%2F", "%3D", "\\", "\\u0022", "&quot;", "&#61;", "\u200b", "\u00ad", "\u212a", "\u017f", "~", "Q~", "=", ": ", "\n  "}
	out := append([]string(nil), base...)
	for range 20000 {
		s := base[r.intn(len(base))]
		switch r.intn(6) {
		case 0:
			if len(s) > 0 {
				i := r.intn(len(s))
				out = append(out, s[i:i+r.intn(len(s)-i+1)])
			}
		case 1:
			out = append(out, s+[]string{" ", "=", "/", "&", "?"}[r.intn(5)]+base[r.intn(len(base))])
		case 2:
			i := r.intn(len(s) + 1)
			out = append(out, s[:i]+marks[r.intn(len(marks))]+s[i:])
		case 3:
			out = append(out, strings.ToUpper(s))
		case 4:
			parts := make([]string, 1+r.intn(6))
			for i := range parts {
				parts[i] = tok(1+r.intn(24), []string{alnum, alnum + "+/", "0123456789abcdef-", alnum + "-_"}[r.intn(4)])
			}
			out = append(out, []string{"", "password ", "x ", "token "}[r.intn(4)]+strings.Join(parts, []string{"/", "-", "+", "."}[r.intn(4)]))
		default:
			out = append(out, strings.ReplaceAll(s, " ", "\n"))
		}
	}
	return out
}
