package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// plantedShapes build a fresh secret from random bytes; body is the part that must never
// survive (the prefix of a key is public).
var plantedShapes = []func(r *rand.Rand) (secret, body string){
	func(r *rand.Rand) (string, string) { b := tok(r, 40); return "sk-proj-" + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 36); return "ghp_" + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 35); return "AIza" + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 32); return "Bearer " + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 24); return "sk_live_" + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 24); return "access_token=" + b, b },
	func(r *rand.Rand) (string, string) { b := tok(r, 16); return "https://u:" + b + "@example.com/", b },
	func(r *rand.Rand) (string, string) {
		b := base64.StdEncoding.EncodeToString([]byte("alice:" + tok(r, 16)))
		return "Basic " + b, b[4:]
	},
	func(r *rand.Rand) (string, string) {
		b := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"` + tok(r, 16) + `"}`))
		return "eyJhbGciOiJIUzI1NiJ9." + b + "." + tok(r, 43), b
	},
	func(r *rand.Rand) (string, string) {
		b := tok(r, 64)
		return "-----BEGIN PRIVATE KEY-----\n" + b + "\n-----END PRIVATE KEY-----", b
	},
	// no marker: a secret by entropy only in credential context (issue 8 item 4)
	func(r *rand.Rand) (string, string) { b := tok(r, 40); return "password " + b, b },
}

func tok(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	// random text can lack a digit or a letter; real keys of these shapes do not
	b[0], b[1] = 'k', '7'
	return string(b)
}

// FuzzRedact: any input, no panic, and the output never grows a secret the input did
// not have: redacting the output again changes nothing for inputs redacted whole.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"", "plain text", "Bearer abc", "sk-proj-" + strings.Repeat("a1", 20), `{\u0022access_token\u0022:\u0022x\u0022}`,
		"access_token%253Dabc", "-----BEGIN RSA PRIVATE KEY-----", "https://u:p@h/?api_key=1&x=2",
		"Basic YWxp Y2U6aHVudGVyMg==", "\xff\x00sk-", "<password>x</password>", "Cookie: a=b\r\n\tc=d",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "dG9rZW49YWJjMTIz",
	} {
		f.Add(s)
	}
	e, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var hits Hits
		out, changed := e.Redact(s, &hits)
		if !changed && out != s {
			t.Fatalf("unchanged but different: %q -> %q", s, out)
		}
		if changed != hits.Any() {
			t.Fatalf("changed=%v but hits=%v for %q", changed, hits, s)
		}
	})
}

// FuzzRedactPlanted: a secret of a known shape between arbitrary text never survives.
// The secret stands as its own word (a space either side): glued to arbitrary bytes it
// may become part of a longer word, which is redacted or not on its own merits.
func FuzzRedactPlanted(f *testing.F) {
	f.Add("", "", uint64(0))
	f.Add("token: ", " end", uint64(3))
	f.Add(`{"a":"`, `"}`, uint64(5))
	f.Add("Authorization:", "\n", uint64(7))
	f.Add("%", "\\", uint64(9))
	f.Add("-----BEGIN ", "-----END ", uint64(10))
	e, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, prefix, suffix string, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		secret, body := plantedShapes[seed%uint64(len(plantedShapes))](r)
		s := prefix + " " + secret + " " + suffix
		var hits Hits
		out, _ := e.Redact(s, &hits)
		if strings.Contains(out, body) {
			t.Fatalf("secret survived:\n in: %q\nout: %q", s, out)
		}
	})
}
