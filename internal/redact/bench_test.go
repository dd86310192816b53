package redact

import (
	"strings"
	"testing"
)

// benchInputs is the one workload every version of the engine is measured on: clean
// telemetry text (the common case, which must not allocate), text with secrets, and a
// long clean value (per-byte cost).
var benchInputs = []struct{ name, s string }{
	{"clean_short", "fs.get_metadata exec-server/src/local_file_system.rs https://api.example.com/v1?page=2 status: ok"},
	{"clean_ids", "req_0a1b2c3d4e5f 8f1c2a3b4d5e6f70-SJC 01a225ba-273d-7363-b91f-1306560a707e b13c8b672cd410bb50f7d43c30e996aa"},
	{"clean_escaped", `{\"path\":\"\/home\/dev\/src\",\"msg\":\"done 100%25\"}`},
	{"secrets", "Authorization: Bearer " + fakeOpenAI + "\nurl=https://bob:pw@h/x?api_key=abc123&p=1 " + fakeJWT},
	{"clean_keywords", "token usage recorded for turn 4; cache key products:page:4 missed; auth: ok; GET /api/v1/items"},
	{"clean_path", "/var/lib/kubelet/pods/3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c/volumes/kubernetes.io~projected/kube-api-access-x7k2p"},
	{"dirty_vendor", `adafruit_key = "k7zq3lmn9pxr2tvb8wyc4hdj6fgs1kae" region=eu-west-1`},
	{"dirty_password", `db: {host: "db.internal", password: "Xk7pQ2mZ9vL4rT8w"}`},
	{"clean_64k", strings.Repeat("the quick brown fox jumps over the lazy dog 0123456789 ", 1200)},
	// realistic telemetry values of the shapes a collector sees most
	{"clean_log", "GET /v1/items served in 35 ms (cache hit, 1234 bytes)"},
	{"clean_useragent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{"clean_url", "https://shop.example.com/api/v2/search?q=running+shoes&page=3&sort=price_asc&session_lang=en-GB"},
	{"clean_k8s", "k8s.pod.uid=9f1c2a3b-4d5e-4f70-8a1b-2c3d4e5f6a7b namespace=payments-prod container=checkout-7d9f8b6c5-x2kqp"},
	{"clean_arn", "arn:aws:lambda:eu-west-1:123456789012:function:orders-ingest-prod:42"},
	{"clean_word", "200"},
}

func BenchmarkRedact(b *testing.B) {
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.s)))
			for b.Loop() {
				var hits Hits
				_, _ = e.Redact(in.s, &hits)
			}
		})
	}
}

func BenchmarkClassifyKey(b *testing.B) {
	keys := []string{"http.request.header.authorization", "codex.turn.token_usage.total_tokens", "auth.env_openai_api_key_present", "conversation.id"}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			_ = ClassifyKey(k)
		}
	}
}

// shortInputs are clean values of the lengths most attribute values have (3–100 bytes),
// where the fixed cost of a call, not the per-byte scan, is what Redact costs; kept apart
// from benchInputs, which seed TestRedactDigest's corpus.
var shortInputs = []struct{ name, s string }{
	{"len3", "200"},
	{"len10", "2026-12-07"},
	{"len24_ulid", "01JEQ5ZK3V8Y6N2R4T7W9XBC"},
	{"len40_url", "https://api.example.com/v1/items?page=23"},
	{"len100_log", "GET /v1/items served in 35 ms (cache hit, 1234 bytes) trace=4bf92f3577b34da6 user=checkout-svc-7d9f1"},
}

func BenchmarkRedactShort(b *testing.B) { benchClean(b, shortInputs) }

// benchClean measures Redact on clean values. One Hits serves the whole loop: zeroing its
// 2.9 KB per call would cost more than the shortest calls measured; a clean value leaves it
// as it is.
func benchClean(b *testing.B, inputs []struct{ name, s string }) {
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	var hits Hits
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = e.Redact(in.s, &hits)
			}
		})
	}
	if hits.Any() {
		b.Fatal("an input was redacted: it is no clean value")
	}
}

// scanInputs are clean first-seen values of the shapes that dominate a span's scan cost:
// ids with a token run of 12+ bytes (measured for base64 and entropy), a UUID, a URL with
// a query and a log line; the keyword automaton's share shows on them too (on the branches
// that made them cheaper this was two benchmarks, RedactScan and RedactKeyword, with the
// same shapes). Kept apart from benchInputs, which seed TestRedactDigest's corpus.
var scanInputs = []struct{ name, s string }{
	{"items_id", "items:1a2b3c4d"},
	{"req_id", "req_0123456789abcdef01234567"},
	{"hex_pop", "0123456789abcdef-SJC"},
	{"uuid", "01234567-89ab-cdef-0123-456789abcdef"},
	{"container", "c-0123456789ab"},
	{"url", "https://api.shop.example.com/v1/items/{id}?page=12&sort=desc&lang=en"},
	{"log", "GET /v1/items served in 35 ms (cache hit, 12345 bytes)"},
	{"client_ip", "10.1.200.255"},
	{"user_id", "u-0a1b2c3d4e"},
}

func BenchmarkRedactScan(b *testing.B) { benchClean(b, scanInputs) }

// secretInputs are the planted shapes of the bench workload (bench/workload.go), where
// nearly all of the catalogue's regex work of that workload is spent: clean values seldom
// run a regex, a value with a secret runs one or more rules over the secret. Kept apart
// from benchInputs, which seed TestRedactDigest's corpus.
var secretInputs = []struct{ name, s string }{
	{"log_bearer_jwt", "Authorization: Bearer " + benchJWT},
	{"log_refresh_token", "POST https://auth.example.com/oauth/token?grant_type=refresh_token&refresh_token=" + benchOpaque},
	{"log_openai", "calling upstream with key sk-proj-" + benchOpaque + "AbCdEfGh failed"},
	{"log_aws", "s3 upload denied for AKIAQWERTYUIOPASDFGH"},
	{"url_access_token", "https://api.shop.example.com/v1/items?page=2&access_token=" + benchOpaque + "&lang=en"},
	{"url_refresh_token", "https://chatgpt.com/backend-api/codex/responses?client_id=app_x&refresh_token=" + benchOpaque},
	{"header_bearer", "Bearer " + benchOpaque + benchOpaque},
	{"header_bearer_jwt", "Bearer " + benchJWT},
	{"event_slack", "webhook post failed: token=xoxb-012345678901-" + benchOpaque[:24]},
	{"error_openai", "upstream rejected the call: invalid api key sk-proj-" + benchOpaque + "AbCdEfGh supplied"},
	{"status_github", "clone failed: remote rejected credentials ghp_" + benchOpaque + "AbCd"},
	{"event_jwt", "token refresh failed for " + benchJWT},
	{"aws_alone", "AKIAQWERTYUIOPASDFGH"},
}

const (
	benchOpaque = "k7ZQ3lmN9pxR2tvB8wyC4hdJ6fgS1kAe"
	benchJWT    = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + benchOpaque + "Xy4zQ2mV." + benchOpaque + "-_Q2mVx9pL7"
)

// BenchmarkRedactSecret measures Redact on values that carry a secret.
func BenchmarkRedactSecret(b *testing.B) {
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range secretInputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var hits Hits
				if _, changed := e.Redact(in.s, &hits); !changed {
					b.Fatal("no secret found")
				}
			}
		})
	}
}
