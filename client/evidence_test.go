package client

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvidenceFromHeader(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		headers map[string]string
		want    Evidence
	}{
		{name: "none", want: Evidence{}},
		{
			name: "all four",
			headers: map[string]string{
				"x-request-id": "req-1", "cf-ray": "8f1e2d3c4b5a6978-SJC",
				"x-openai-authorization-error": "missing_authorization_header",
				"x-error-json":                 b64(`{"error":{"code":"token_expired","message":"Your token sk-abc expired"}}`),
			},
			want: Evidence{RequestID: "req-1", CFRay: "8f1e2d3c4b5a6978-SJC", AuthError: "missing_authorization_header", ErrorCode: "token_expired"},
		},
		{
			name:    "x-oai-request-id fallback",
			headers: map[string]string{"x-oai-request-id": "oai-req-9"},
			want:    Evidence{RequestID: "oai-req-9"},
		},
		{
			name:    "x-request-id wins over x-oai-request-id",
			headers: map[string]string{"x-request-id": "req-a", "x-oai-request-id": "req-b"},
			want:    Evidence{RequestID: "req-a"},
		},
		{
			name:    "unpadded url-safe base64",
			headers: map[string]string{"x-error-json": base64.RawURLEncoding.EncodeToString([]byte(`{"error":{"code":"invalid_api_key"}}`))},
			want:    Evidence{ErrorCode: "invalid_api_key"},
		},
		{
			name:    "undecodable x-error-json is ignored",
			headers: map[string]string{"x-error-json": "%%%not base64"},
			want:    Evidence{},
		},
		{
			name:    "x-error-json that is not JSON is ignored",
			headers: map[string]string{"x-error-json": b64("plain text")},
			want:    Evidence{},
		},
		{
			name:    "numeric code is ignored",
			headers: map[string]string{"x-error-json": b64(`{"error":{"code":401}}`)},
			want:    Evidence{},
		},
		{
			name: "non-identifier values",
			headers: map[string]string{
				"x-request-id": "req id with spaces", "cf-ray": strings.Repeat("r", 65),
				"x-openai-authorization-error": "Bearer sk-proj-leaked token",
				"x-error-json":                 b64(`{"error":{"code":"has spaces sk-1"}}`),
			},
			want: Evidence{AuthError: "other", ErrorCode: "other"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			assert.Equal(t, tt.want, EvidenceFromHeader(h))
		})
	}
	assert.Equal(t, Evidence{}, EvidenceFromHeader(nil))
}

func TestEndpointLabel(t *testing.T) {
	assert.Equal(t, "/responses", EndpointLabel("/scenario/v1/responses"))
	assert.Equal(t, "/responses/compact", EndpointLabel("/v1/responses/compact/"))
	assert.Equal(t, "/models", EndpointLabel("/v1/models"))
	assert.Equal(t, "", EndpointLabel("/v1/files"))
}
