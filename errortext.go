package authobsprocessor // import "github.com/authobs/authobsprocessor"

import (
	"strconv"
	"strings"
)

// reduceErrorField reduces error text (error.message, a span status message) held in a
// field that set writes: an HTTP failure becomes `http <code>`, any other text is
// redacted.
func (p *authobsProcessor) reduceErrorField(s string, set func(string), c *counters) {
	if code, ok := httpFailureCode(s); ok {
		if msg := httpMessage(code); msg != s {
			c.normalized[normErrorMessage]++
			p.w.set(set, msg)
		}
		return
	}
	p.redactField(s, set, c)
}

// httpFailureCode finds the HTTP status an error message describes: `http 401`,
// Codex's `unexpected status 401 Unauthorized: …`, `status code: 503`, `HTTP/1.1 502`,
// `429 Too Many Requests`. The message then becomes `http <code>`, so no server text
// quoted after the status survives.
func httpFailureCode(msg string) (int, bool) {
	for i := 0; i+3 <= len(msg); i++ {
		if !isStatusAt(msg, i) {
			continue
		}
		if i > 0 && isAlnumByte(msg[i-1]) || i+3 < len(msg) && isAlnumByte(msg[i+3]) {
			continue
		}
		code := int(msg[i]-'0')*100 + int(msg[i+1]-'0')*10 + int(msg[i+2]-'0')
		if statusContextBefore(msg[:i]) || reasonPhraseAfter(msg[i+3:]) {
			return code, true
		}
	}
	return 0, false
}

func isStatusAt(s string, i int) bool {
	return s[i] >= '1' && s[i] <= '5' && s[i+1] >= '0' && s[i+1] <= '9' && s[i+2] >= '0' && s[i+2] <= '9'
}

// statusContextBefore: the number follows `http`, `HTTP/1.1`, `status`, `status code`,
// `status:` or `code=`.
func statusContextBefore(before string) bool {
	b := strings.TrimRight(before, " :=#\t")
	b = strings.ToLower(b)
	if strings.HasSuffix(b, "status") || strings.HasSuffix(b, "status code") || strings.HasSuffix(b, "http") ||
		strings.HasSuffix(b, "status_code") || strings.HasSuffix(b, "statuscode") {
		return true
	}
	// HTTP/1.1, HTTP/2
	if k := strings.LastIndex(b, "http/"); k >= 0 && k >= len(b)-8 {
		return strings.Trim(b[k+5:], "0123456789.") == ""
	}
	return false
}

var reasonPhrases = []string{
	"unauthorized", "forbidden", "not found", "too many requests", "bad request",
	"internal server error", "bad gateway", "service unavailable", "gateway timeout",
	"upgrade required", "payment required", "conflict", "request timeout", "not implemented",
	"method not allowed", "unprocessable", "precondition",
}

func reasonPhraseAfter(after string) bool {
	a := strings.TrimLeft(after, " ")
	if len(a) > 32 {
		a = a[:32]
	}
	a = strings.ToLower(a)
	for _, r := range reasonPhrases {
		if strings.HasPrefix(a, r) {
			return true
		}
	}
	return false
}

// httpMessages holds the sanitised form of every HTTP error, as Codex writes it, so
// that checking a message costs no allocation.
var httpMessages = func() (m [600]string) {
	for code := 100; code < len(m); code++ {
		m[code] = "http " + strconv.Itoa(code)
	}
	return m
}()

// httpMessage is the sanitised form of an HTTP error with status code (100..599).
func httpMessage(code int) string {
	return httpMessages[code]
}

func isAlnumByte(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
