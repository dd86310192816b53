package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fake secrets in the shapes real ones have; none of them is live.
const (
	fakeOpenAI  = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
	fakeJWT     = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZW1haWwiOiJhQGIuY29tIn0.c2lnbmF0dXJlLXBhcnQtaGVyZQ"
	fakeGitHub  = "ghp_R7tY2uI9oP3aS6dF1gH4jK8lZ0xC5vB2nM7q"
	fakeAWS     = "AKIAQ3EXAMPLE7KEY2XZ"
	fakeSlack   = "xoxb-2918374650-1827364509-Zx8Yw7Vu6Ts5Rq4Po3Nm"
	fakeGoogle  = "AIzaSyD4x7Q9bN2mK5vR8tY1wE3uI6oP0aS9dF2g"
	fakeStripe  = "sk_live_4eC39HqLyjWDarjtT1zdp7dc9Q"
	fakeAzure   = "Xy38Q~aB3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb"
	fakeSession = "sess-Ab3dEf6hIj9kLm2nOp5qRs8t"
	fakePEM     = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----"
)

func newEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := New(opts)
	require.NoError(t, err)
	return e
}

func TestRedactSecretShapes(t *testing.T) {
	e := newEngine(t, Options{})
	tests := []struct {
		name, in, want string
		det            Detector
	}{
		{"bearer header value", "Bearer " + fakeOpenAI, "Bearer [REDACTED]", Bearer},
		{"bearer lower case in text", "sent bearer abcdef0123456789xyz to the api", "sent bearer [REDACTED] to the api", Bearer},
		{"basic credentials", "Basic dXNlcjpwYXNzd29yZA==", "Basic [REDACTED]", Basic},
		{"jwt alone", fakeJWT, "[REDACTED]", JWT},
		{"openai key in prose", "key " + fakeOpenAI + " was rejected", "key [REDACTED] was rejected", OpenAIKey},
		{"openai session key", fakeSession, "[REDACTED]", OpenAIKey},
		// the most specific detector of a place is counted: the catalogue's github-pat, not
		// the key-name fallback
		{"github token", "token=" + fakeGitHub, "token=[REDACTED]", catalogueDetector("github-pat")},
		{"github token bare", "push with " + fakeGitHub, "push with [REDACTED]", GitHubToken},
		{"aws access key id", "id " + fakeAWS + ".", "id [REDACTED].", AWSKey},
		{"slack token", fakeSlack, "[REDACTED]", SlackToken},
		{"google api key", "k=" + fakeGoogle, "k=[REDACTED]", GoogleKey},
		{"stripe key", fakeStripe, "[REDACTED]", StripeKey},
		{"azure client secret", "secret is " + fakeAzure, "secret is [REDACTED]", AzureKey},
		{"pem private key", "cfg: " + fakePEM + " end", "cfg: [REDACTED] end", PrivateKey},
		{"url credentials", "https://alice:s3cr3tpass@api.example.com/v1", "https://REDACTED:REDACTED@api.example.com/v1", URLCredentials},
		{"query secret keeps key", "https://api.example.com/v1?api_key=abc123def&page=2", "https://api.example.com/v1?api_key=REDACTED&page=2", QuerySecret},
		{"google key query param", "/maps?key=abcdef123456&q=x", "/maps?key=REDACTED&q=x", QuerySecret},
		{"oauth json", `{"access_token":"at-123456789","token_type":"Bearer","expires_in":3600}`, `{"access_token":"[REDACTED]","token_type":"Bearer","expires_in":3600}`, OAuthToken},
		{"oauth json escaped", `{\"refresh_token\":\"rt_abcdef123\"}`, `{\"refresh_token\":\"[REDACTED]\"}`, OAuthToken},
		{"oauth form", "grant_type=refresh_token&refresh_token=rt_abcdef123&client_id=app", "grant_type=refresh_token&refresh_token=REDACTED&client_id=app", QuerySecret},
		{"cookie header line", "Cookie: session=abc123; theme=dark\nnext", "Cookie: [REDACTED]\nnext", Cookie},
		{"authorization header line", "Authorization: Bearer abc.def.ghi\n", "Authorization: [REDACTED]\n", SensitiveKey},
		{"password yaml", "password: hunter2", "password: [REDACTED]", SensitiveKey},
		{"azure connection string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlzZWNyZXRrZXk=;EndpointSuffix=core", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=REDACTED;EndpointSuffix=core", QuerySecret},
		{"percent encoded", "body=access_token%3Dat-123456789", "[REDACTED]", Encoded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits Hits
			got, changed := e.Redact(tt.in, &hits)
			assert.True(t, changed)
			assert.Equal(t, tt.want, got)
			assert.NotZero(t, hits[tt.det], "detector %s", tt.det)
		})
	}
}

func TestRedactLeavesSafeValues(t *testing.T) {
	e := newEngine(t, Options{})
	safe := []string{
		"req-mock-responses-401-2", "ray-mock-responses-401-2", "8f1c2a3b4d5e6f70-SJC",
		"01a225ba-273d-7363-b91f-1306560a707e", "b13c8b672cd410bb50f7d43c30e996aa",
		"authorization", "missing_authorization_header", "token_expired", "recovery_not_run",
		"http 401", "/responses/compact", "gpt-5.1", "codex_otel::events::session_telemetry",
		"otel/src/events/session_telemetry.rs", "https://api.openai.com/v1/responses?stream=true",
		"Thread { thread_id: \"01a225ba-31b5-7f92-92b7-b786b5f8b878\" }", "[REDACTED]",
		"Bearer token required", "the task-runner skipped 12 items", "tokens: 1200", "time 12:30:01",
		"https://example.com:8443/a?page=2&sort=asc", "user@example.com", "ask-me-later",
	}
	for _, s := range safe {
		var hits Hits
		got, changed := e.Redact(s, &hits)
		assert.False(t, changed, s)
		assert.Equal(t, s, got)
		assert.False(t, hits.Any(), s)
	}
}

func TestRedactCleanPathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race; make test runs this test without it")
	}
	e := newEngine(t, Options{})
	// the clean benchmark inputs (clean_escaped decodes, which allocates), and clean text
	// in which a keyword passes its rule's shape test and a catalogue regex runs
	inputs := []string{
		"arn:aws:ecs:us-west-1:123456789123:task/10838bed-421f-43ef-870a-f43feacbbb5b",
		"projects/my-gcp-project/zones/my-gcp-zone/disks/my-gcp-disk",
	}
	for _, in := range benchInputs {
		if strings.HasPrefix(in.name, "clean_") && in.name != "clean_escaped" {
			inputs = append(inputs, in.s)
		}
	}
	for _, s := range inputs {
		allocs := testing.AllocsPerRun(100, func() {
			var hits Hits
			if _, changed := e.Redact(s, &hits); changed {
				t.Fatalf("%q is not clean", s)
			}
		})
		assert.Zero(t, allocs, s)
	}
}

func TestFingerprintCorrelatesWithoutRevealing(t *testing.T) {
	e := newEngine(t, Options{FingerprintKey: []byte("k1")})
	var hits Hits
	a, _ := e.Redact("Bearer "+fakeOpenAI, &hits)
	b, _ := e.Redact("token="+fakeOpenAI, &hits)
	c, _ := e.Redact("Bearer "+fakeGitHub, &hits)
	assert.True(t, strings.HasPrefix(a, "Bearer [REDACTED]#"))
	assert.Equal(t, strings.TrimPrefix(a, "Bearer "), strings.TrimPrefix(b, "token="))
	assert.NotEqual(t, a, c)
	assert.NotContains(t, a, fakeOpenAI[8:])
	// a second pass changes nothing
	again, changed := e.Redact(a, &hits)
	assert.False(t, changed)
	assert.Equal(t, a, again)

	other := newEngine(t, Options{FingerprintKey: []byte("k2")})
	d, _ := other.Redact("Bearer "+fakeOpenAI, &hits)
	assert.NotEqual(t, a, d, "the digest is keyed")
}

func TestCustomPatternsAndExemptions(t *testing.T) {
	e := newEngine(t, Options{ValuePatterns: []string{`acme_[0-9a-f]{8}`}, ExemptValues: []string{fakeOpenAI}, Replacement: "***"})
	var hits Hits
	got, changed := e.Redact("id acme_0badf00d here", &hits)
	assert.True(t, changed)
	assert.Equal(t, "id *** here", got)
	assert.Equal(t, 1, hits[Custom])
	got, changed = e.Redact(fakeOpenAI, &hits)
	assert.False(t, changed)
	assert.Equal(t, fakeOpenAI, got)

	_, err := New(Options{ValuePatterns: []string{`x*`}})
	assert.ErrorContains(t, err, "matches the empty string")
}

func TestClassifyKey(t *testing.T) {
	tests := map[string]KeyKind{
		"authorization":                               KeyHeader,
		"Proxy-Authorization":                         KeyHeader,
		"http.request.header.authorization":           KeyHeader,
		"http.request.header.x-api-key":               KeySecret,
		"http.response.header.set-cookie":             KeyCookie,
		"cookie":                                      KeyCookie,
		"x-api-key":                                   KeySecret,
		"apiKey":                                      KeySecret,
		"OPENAI_API_KEY":                              KeySecret,
		"client_secret":                               KeySecret,
		"tokens.access_token":                         KeySecret,
		"id_token":                                    KeySecret,
		"db.password":                                 KeySecret,
		"AccountKey":                                  KeySecret,
		"input_token_count":                           KeyPlain,
		"gen_ai.usage.output_tokens":                  KeyPlain,
		"codex.turn.token_usage.total_tokens":         KeyPlain,
		"auth.env_openai_api_key_present":             KeyPlain,
		"auth.env_provider_key_name":                  KeyPlain,
		"auth.env_refresh_token_url_override_present": KeyPlain,
		"auth.header_name":                            KeyPlain,
		"token_type":                                  KeyPlain,
		"key":                                         KeyPlain,
		"prompt_cache_key":                            KeyPlain,
		"conversation.id":                             KeyPlain,
	}
	for k, want := range tests {
		assert.Equal(t, want, ClassifyKey(k), k)
	}
}

// TestReplacementShapeIsNotABypass: a short secret written as `[REDACTED]#…` is not taken
// for a fingerprinted replacement; only 12 lower-case hex digits are.
func TestReplacementShapeIsNotABypass(t *testing.T) {
	e := newEngine(t, Options{FingerprintKey: []byte("k")})
	assert.False(t, e.IsReplacement("[REDACTED]#Hunter2!pass"))
	assert.True(t, e.IsReplacement("[REDACTED]#0123456789ab"))
	var hits Hits
	got, changed := e.Redact("password: [REDACTED]#Hunter2!pass", &hits)
	assert.True(t, changed)
	assert.NotContains(t, got, "Hunter2")
}

// catalogueDetector is the detector of a catalogue rule.
func catalogueDetector(id string) Detector {
	for i, r := range catalogue {
		if r.ID == id {
			return firstCatalogue + Detector(i)
		}
	}
	panic("no catalogue rule " + id)
}

// TestIsReplacementLengths: the length bounds IsReplacement rejects by take in both
// replacements, also where the URL-safe one is the longer (`***` has no URL-safe byte
// and becomes `REDACTED`), and their fingerprinted forms.
func TestIsReplacementLengths(t *testing.T) {
	e := newEngine(t, Options{Replacement: "***", FingerprintKey: []byte("k")})
	for _, v := range []string{"***", "REDACTED", "***#0123456789ab", "REDACTED-0123456789ab"} {
		assert.True(t, e.IsReplacement(v), v)
	}
	for _, v := range []string{"**", "REDACTE", "***#0123456789abc", "REDACTED-0123456789a", "REDACTED#0123456789ab"} {
		assert.False(t, e.IsReplacement(v), v)
	}
	plain := newEngine(t, Options{})
	assert.True(t, plain.IsReplacement("[REDACTED]"))
	assert.True(t, plain.IsReplacement("REDACTED"))
	assert.False(t, plain.IsReplacement("[REDACTED]#0123456789ab"))
}

// TestIsReplacementBoundsAgree: IsReplacement's length bounds (tight without a fingerprint
// key, so most values of ids' lengths cost no call) turn away no value isReplacement, the
// test past them, takes for a replacement: every prefix and one-byte extension of each
// replacement form, with and without a fingerprint key.
func TestIsReplacementBoundsAgree(t *testing.T) {
	for _, opts := range []Options{{}, {FingerprintKey: []byte("k")}, {Replacement: "***"},
		{Replacement: "***", FingerprintKey: []byte("k")}, {Replacement: "<secret removed>"}} {
		e := newEngine(t, opts)
		seen := 0
		for _, r := range []string{e.replacement, e.urlReplacement, e.replace("x", false), e.replace("x", true)} {
			for n := 0; n <= len(r); n++ {
				for _, v := range []string{r[:n], r[:n] + "0", r[:n] + "a"} {
					if e.isReplacement(v) {
						seen++
						assert.True(t, e.IsReplacement(v), "%q with %+v", v, opts)
					}
				}
			}
		}
		assert.GreaterOrEqual(t, seen, 2, "%+v", opts)
	}
}
