package redact

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRedactHostileEncodings: secrets hidden by an encoding, a split, or glued to other
// text are still found. Each case names the fragment that must not survive.
func TestRedactHostileEncodings(t *testing.T) {
	e := newEngine(t, Options{})
	b64 := base64.StdEncoding.EncodeToString
	key := fakeOpenAI
	tests := []struct{ name, in, secret string }{
		{"json unicode escapes", `{\u0022access_token\u0022:\u0022at-123456789abc\u0022}`, "at-123456789abc"},
		{"json escaped slashes in url", `{"url":"https:\/\/bob:pa55word@host\/x"}`, "pa55word"},
		{"unicode-escaped key prefix", `\u0073k-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z`, "Ab3dEf6hIj9kLm2nOp5qRs8t"},
		{"escaped newline before key", `Bearer\n` + key, key[8:]},
		{"double percent-encoding", "access_token%253Dat-123456789", "at-123456789"},
		{"percent-encoded key", "%73%6b%2d%70%72%6f%6a%2dAb3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "Ab3dEf6hIj9kLm2nOp5qRs8t"},
		{"base64 json token response", b64([]byte(`{"access_token":"at-123456789abc","token_type":"Bearer"}`)), "eyJhY2Nlc3NfdG9rZW4i"},
		{"base64 key=value", b64([]byte("token=abc123")), "dG9rZW49YWJjMTIz"},
		{"basic split by a space", "Basic YWxp Y2U6aHVudGVyMg==", "Y2U6aHVudGVyMg"},
		{"basic folded header", "Authorization: Basic\r\n\tYWxpY2U6aHVudGVyMg==", "YWxpY2U6aHVudGVyMg"},
		{"key split by a line break", "sk-proj-Ab3dEf6hIj9k\nLm2nOp5qRs8tUv1wXy4z", "Lm2nOp5qRs8tUv1wXy4z"},
		{"key split by a space", "sk-proj-Ab3dEf6h Ij9kLm2nOp5qRs8tUv1wXy4z", "Ij9kLm2nOp5qRs8tUv1wXy4z"},
		{"key split in two halves", "sk-proj-Ab3dEf6hIj9kLm2nOp5q Rs8tUv1wXy4zAbc was rejected", "Rs8tUv1wXy4zAbc"},
		{"key glued after a dash", "key-" + key, key[8:]},
		{"key glued after letters", "abc" + fakeGitHub, fakeGitHub[4:]},
		{"zero-width space inside", "s\u200b" + key[1:], key[8:]},
		{"zero-width space inside the body", key[:12] + "\u200b" + key[12:], key[12:]},
		{"key wrapped with indentation", "sk-proj-Ab3dEf6hIj9k\n        Lm2nOp5qRs8tUv1wXy4z", "Lm2nOp5qRs8tUv1wXy4z"},
		{"markup element", "<password>hunter2</password>", "hunter2"},
		// a marker-less token is a secret in credential context only (issue 8 item 4)
		{"aws secret access key after its name", "aws secret access key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"},
		{"random token, no marker, after a secret word", "the password is tH1sIs4R4nd0mS3cr3tW1thN0Pr3f1xAtAll99", "tH1sIs4R4nd0m"},
		{"sendgrid", "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789abcdefg", "abcdefghijklmnopqrstuv"},
		{"anthropic", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"},
		{"hashicorp vault", "hvs.CAESIJlWh0LR1fV8ZwGQ9k2bA3cD4eF5gH6iJ7kL8mN9oP0q", "CAESIJlWh0LR1fV8"},
		{"databricks", "dapi0123456789abcdef0123456789abcdef", "0123456789abcdef0123"},
		{"age secret key", "AGE-SECRET-KEY-1QQPQ9ZJ8XKQ7Y2M3N4P5R6S7T8U9V0W1X2Y3Z4A5B6C7D8E9F0GH", "QQPQ9ZJ8XKQ7Y2M3N4"},
		{"hex-encoded key", "746f6b656e3d" + "736b2d70726f6a2d4162336445663668496a396b4c6d326e4f7035715273387455763177587934", "736b2d70726f6a2d"},
		{"html entities", "{&quot;access_token&quot;:&quot;at-123456789abc&quot;}", "at-123456789abc"},
		{"html numeric entities", "password&#61;hunter2hunter2", "hunter2hunter2"},
		{"twilio api key secret", "SK0123456789abcdef0123456789abcdef", "0123456789abcdef0123"},
		{"slack webhook", "posting to https://hooks.slack.com/services/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 now", "Xy7Kp2Qm9Lz4Rt8Wv3Nb6Jc1"},
		{"discord webhook", "https://discord.com/api/webhooks/123456789012345678/AbC-dEf_GhI", "AbC-dEf_GhI"},
		{"nul byte before key", "x\x00" + key, key[8:]},
		{"invalid utf-8 around key", "\xff" + key + "\xfe", key[8:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits Hits
			got, changed := e.Redact(tt.in, &hits)
			assert.True(t, changed, "%q", tt.in)
			assert.NotContains(t, got, tt.secret)
			assert.True(t, hits.Any())
		})
	}
}

// TestRedactHostileLeavesSafeText: the new detectors do not eat ordinary text.
func TestRedactHostileLeavesSafeText(t *testing.T) {
	e := newEngine(t, Options{})
	for _, s := range []string{
		"Basic auth failed for user", "GetObjectV2ResponseMarshallerImplV3Final",
		"x86_64-unknown-linux-gnu-RelWithDebInfo2", `C:\Users\dev\project\src`,
		"the task-runner-with-a-long-name-abcdefgh skipped", "https://a.example/x?q=a%20b&page=2",
		"0af7651916cd43dd8448eb211c80319c", "01a225ba-273d-7363-b91f-1306560a707e",
		strings.Repeat("f", 64), "codex_otel::events::session_telemetry", `{\"path\":\"\/tmp\/x\"}`,
		"sk-proj is our prefix", "req_0a1b2c3d4e5f", "8f1c2a3b4d5e6f70-SJC",
		"req_5a8f1c2e3b4d6a7f8e9d0c1b2a3f4e5d", "?a=1&amp;b=2&lt;x&gt;", "48656c6c6f2c20776f726c642120",
	} {
		var hits Hits
		got, changed := e.Redact(s, &hits)
		assert.False(t, changed, s)
		assert.Equal(t, s, got)
	}
}

// TestRedactLinearTime: a pathological value (every byte starts a candidate) costs time
// in proportion to its length, measured as a ratio of two sizes.
func TestRedactLinearTime(t *testing.T) {
	e := newEngine(t, Options{})
	for _, unit := range []string{"sk-", "a=", "Bearer ", "eyJ.", "%2", `\u00`, "-----BEGIN ", "ab1-"} {
		small := strings.Repeat(unit, 32<<10/len(unit))
		large := strings.Repeat(unit, 256<<10/len(unit))
		ratio := measure(e, large) / measure(e, small)
		// linear is 8x, quadratic 64x; the margin absorbs a loaded machine
		assert.Less(t, ratio, 8*4.0, "%q: 8x input took %.1fx time", unit, ratio)
	}
}

// measure returns the best time per call over five rounds of at least 20 ms each.
func measure(e *Engine, s string) float64 {
	best := 0.0
	for range 5 {
		n, start := 0, time.Now()
		for n == 0 || time.Since(start) < 20*time.Millisecond {
			var hits Hits
			e.Redact(s, &hits)
			n++
		}
		if per := float64(time.Since(start)) / float64(n); best == 0 || per < best {
			best = per
		}
	}
	return best
}
