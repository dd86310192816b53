package mockapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSSEStream(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.responses("success", testAPIKey)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "text/event-stream; charset=utf-8", res.header.Get("Content-Type"))
	assert.Contains(t, string(res.body), "\n: keep-alive\n\n")

	events := parseSSE(t, res.body)
	var types []string
	var deltas strings.Builder
	var completed map[string]any
	multiline := false
	for i, ev := range events {
		var data map[string]any
		require.NoError(t, json.Unmarshal([]byte(ev.data), &data), ev.data)
		assert.Equal(t, ev.name, data["type"], "event: line and payload type agree")
		assert.EqualValues(t, i, data["sequence_number"])
		types = append(types, ev.name)
		multiline = multiline || strings.Contains(ev.data, "\n")
		switch ev.name {
		case "response.output_text.delta":
			deltas.WriteString(data["delta"].(string))
		case "response.completed":
			completed = data["response"].(map[string]any)
		}
	}
	assert.True(t, multiline, "one event spreads its data over several lines")
	assert.Equal(t, "response.created", types[0])
	assert.Equal(t, []string{"response.output_text.done", "response.output_item.done", "response.completed"}, types[len(types)-3:])
	assert.Contains(t, types, "response.output_text.delta")

	require.NotNil(t, completed)
	assert.Equal(t, "completed", completed["status"])
	assert.Regexp(t, `^resp_[0-9a-f]+$`, completed["id"])
	want := replyText("success", "http")
	assert.Equal(t, want, deltas.String())
	output := completed["output"].([]any)[0].(map[string]any)
	assert.Equal(t, "message", output["type"])
	assert.Equal(t, "assistant", output["role"])
	assert.Equal(t, want, output["content"].([]any)[0].(map[string]any)["text"])
	usage := completed["usage"].(map[string]any)
	assert.Equal(t, usage["input_tokens"].(float64)+usage["output_tokens"].(float64), usage["total_tokens"])
}

// chunkRecorder keeps each Write separately and notes which were flushed, to
// see how the stream reaches the wire.
type chunkRecorder struct {
	header  http.Header
	status  int
	chunks  []string
	flushed []int // len(chunks) at each Flush
}

func (c *chunkRecorder) Header() http.Header  { return c.header }
func (c *chunkRecorder) WriteHeader(code int) { c.status = code }
func (c *chunkRecorder) Write(b []byte) (int, error) {
	c.chunks = append(c.chunks, string(b))
	return len(b), nil
}
func (c *chunkRecorder) Flush() { c.flushed = append(c.flushed, len(c.chunks)) }

func TestSSEEventSplitAcrossFlushes(t *testing.T) {
	s := New(Options{StreamDelay: -1})
	t.Cleanup(s.Close)
	req := httptest.NewRequest(http.MethodPost, "/success/v1/responses", strings.NewReader(`{"model":"gpt-5.1","input":"hi","stream":true}`))
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	rec := &chunkRecorder{header: http.Header{}}
	s.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.status)

	split := -1
	for i, c := range rec.chunks {
		if strings.HasPrefix(c, "event: response.output_text.delta") && !strings.HasSuffix(c, "\n\n") {
			split = i
			break
		}
	}
	require.GreaterOrEqual(t, split, 0, "a delta event is written in two parts")
	assert.Contains(t, rec.flushed, split+1, "the first part is flushed before the rest is written")
	assert.Equal(t, len(rec.chunks), rec.flushed[len(rec.flushed)-1], "everything is flushed at the end")
}

func TestNonStreamingJSON(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		name   string
		body   map[string]any
		accept string
	}{
		{"stream false", map[string]any{"model": "gpt-5.1", "input": "hi", "stream": false}, "text/event-stream"},
		{"official SDK non-streaming call", map[string]any{"model": "gpt-5.1", "input": "hi"}, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(http.MethodPost, "/success/v1/responses", testAPIKey, tc.body, map[string]string{"Accept": tc.accept})
			require.Equal(t, http.StatusOK, res.status)
			assert.Equal(t, "application/json", res.header.Get("Content-Type"))
			var resp struct {
				Object string `json:"object"`
				Status string `json:"status"`
				Output []struct {
					Content []struct {
						Text string `json:"text"`
					} `json:"content"`
				} `json:"output"`
			}
			require.NoError(t, json.Unmarshal(res.body, &resp))
			assert.Equal(t, "response", resp.Object)
			assert.Equal(t, "completed", resp.Status)
			assert.Equal(t, replyText("success", "http"), resp.Output[0].Content[0].Text)
		})
	}
	res := e.do(http.MethodPost, "/success/v1/responses", testAPIKey, map[string]any{"input": "hi"}, nil)
	assert.Equal(t, "text/event-stream; charset=utf-8", res.header.Get("Content-Type"), "SSE when the client states no preference")
}

func TestCompact(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.do(http.MethodPost, "/success/v1/responses/compact", testAPIKey, map[string]any{"model": "gpt-5.1", "input": []any{}}, nil)
	require.Equal(t, http.StatusOK, res.status)
	var body struct {
		Output []map[string]any `json:"output"`
		Usage  map[string]any   `json:"usage"`
	}
	require.NoError(t, json.Unmarshal(res.body, &body))
	require.Len(t, body.Output, 1)
	assert.Equal(t, "compaction", body.Output[0]["type"])
	assert.NotEmpty(t, body.Usage)
}

func TestBadBodies(t *testing.T) {
	e := newEnv(t, Options{MaxBodyBytes: 1024})
	big := map[string]any{"input": strings.Repeat("x", 2048)}
	assert.Equal(t, http.StatusRequestEntityTooLarge, e.do(http.MethodPost, "/success/v1/responses", testAPIKey, big, nil).status)
	assert.Equal(t, http.StatusRequestEntityTooLarge, e.do(http.MethodPost, "/success/oauth/token", "", big, nil).status)

	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, e.ts.URL+"/success/v1/responses", bytes.NewReader([]byte("{not json")))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	resp, err := e.ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, http.StatusBadRequest, e.do(http.MethodPost, "/success/v1/responses", testAPIKey, []int{1}, nil).status)
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.responses("no_such_scenario", testAPIKey)
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.Contains(t, string(res.body), "unknown_scenario")
	assertEvidence(t, res.header)
	res = e.do(http.MethodGet, "/success/v2/nothing", testAPIKey, nil, nil)
	assert.Equal(t, http.StatusNotFound, res.status)
	assertEvidence(t, res.header)
	res = e.do(http.MethodGet, "/success/v1/responses", testAPIKey, nil, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, res.status, "GET without an upgrade is not a WebSocket handshake")
	assert.Equal(t, "POST", res.header.Get("Allow"))
}
