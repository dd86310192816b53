package client

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// Evidence is the safe auth evidence of one response, read from its headers only.
// The body is never looked at: real servers echo parts of the credential there.
type Evidence struct {
	RequestID string // x-request-id, else x-oai-request-id
	CFRay     string // cf-ray
	AuthError string // x-openai-authorization-error
	ErrorCode string // error.code inside the base64 JSON x-error-json
}

var (
	// Request ids and cf-ray values are short identifiers; anything else is not one.
	requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
	// Server classifications are an open set of identifier tokens.
	classificationPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// otherValue replaces a classification that is not an identifier token, so that the
// fact "the server classified this" survives without passing arbitrary text on.
const otherValue = "other"

// EvidenceFromHeader extracts the auth evidence from response headers.
func EvidenceFromHeader(h http.Header) Evidence {
	if h == nil {
		return Evidence{}
	}
	rid := strings.TrimSpace(h.Get("x-request-id"))
	if rid == "" {
		rid = strings.TrimSpace(h.Get("x-oai-request-id"))
	}
	return Evidence{
		RequestID: identifier(rid),
		CFRay:     identifier(strings.TrimSpace(h.Get("cf-ray"))),
		AuthError: classification(strings.TrimSpace(h.Get("x-openai-authorization-error"))),
		ErrorCode: classification(errorCodeFromJSONHeader(h.Get("x-error-json"))),
	}
}

func identifier(v string) string {
	if requestIDPattern.MatchString(v) {
		return v
	}
	return ""
}

func classification(v string) string {
	switch {
	case v == "":
		return ""
	case classificationPattern.MatchString(v):
		return v
	default:
		return otherValue
	}
}

// errorCodeFromJSONHeader decodes x-error-json: base64 (any common alphabet, padded
// or not) of {"error":{"code":"..."}}.
func errorCodeFromJSONHeader(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		raw, err := enc.DecodeString(v)
		if err != nil {
			continue
		}
		var doc struct {
			Error struct {
				Code any `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &doc) != nil {
			return ""
		}
		if s, ok := doc.Error.Code.(string); ok {
			return s
		}
		return ""
	}
	return ""
}
