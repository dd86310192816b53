package client

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAllSSE(t *testing.T, r io.Reader) []SSEEvent {
	t.Helper()
	rd := NewSSEReader(r)
	var out []SSEEvent
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, ev)
	}
}

func TestSSEReader(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []SSEEvent
	}{
		{
			name:   "event and data",
			stream: "event: response.created\ndata: {\"a\":1}\n\n",
			want:   []SSEEvent{{Event: "response.created", Data: `{"a":1}`}},
		},
		{
			name:   "multi-line data joins with newline",
			stream: "data: first\ndata: second\ndata:third\n\n",
			want:   []SSEEvent{{Data: "first\nsecond\nthird"}},
		},
		{
			name:   "comments and unknown fields are ignored",
			stream: ": keep-alive\nretry: 10\nfoo: bar\nevent: x\n: another\ndata: d\n\n",
			want:   []SSEEvent{{Event: "x", Data: "d"}},
		},
		{
			name:   "CRLF and lone CR line ends",
			stream: "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r",
			want:   []SSEEvent{{Event: "a", Data: "1"}, {Event: "b", Data: "2"}},
		},
		{
			name:   "only one leading space is stripped",
			stream: "data:  two spaces\n\n",
			want:   []SSEEvent{{Data: " two spaces"}},
		},
		{
			name:   "event without data is not dispatched and its name does not leak",
			stream: "event: lonely\n\ndata: d\n\n",
			want:   []SSEEvent{{Data: "d"}},
		},
		{
			name:   "id is remembered",
			stream: "id: 7\ndata: a\n\ndata: b\n\n",
			want:   []SSEEvent{{Data: "a", ID: "7"}, {Data: "b", ID: "7"}},
		},
		{
			name:   "unterminated last event is discarded",
			stream: "data: a\n\ndata: partial",
			want:   []SSEEvent{{Data: "a"}},
		},
		{
			name:   "field without colon has empty value",
			stream: "data\n\n",
			want:   []SSEEvent{{Data: ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, readAllSSE(t, strings.NewReader(tt.stream)))
			// The same stream delivered one byte per read (CRLF split across reads).
			assert.Equal(t, tt.want, readAllSSE(t, iotest.OneByteReader(strings.NewReader(tt.stream))))
		})
	}
}

func TestSSEReaderReadError(t *testing.T) {
	boom := errors.New("connection reset")
	rd := NewSSEReader(io.MultiReader(strings.NewReader("data: a\n"), iotest.ErrReader(boom)))
	_, err := rd.Next()
	assert.ErrorIs(t, err, boom)
}

const completedEvent = `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Hello"}]}],"usage":{"input_tokens":1}}}`

func TestReadSSEResponse(t *testing.T) {
	t.Run("deltas then completed", func(t *testing.T) {
		stream := "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n" +
			"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lo!\"}\n\n" +
			"event: response.completed\ndata: " + completedEvent + "\n\n"
		var seen []string
		resp, err := readSSEResponse(iotest.HalfReader(strings.NewReader(stream)), func(e StreamEvent) { seen = append(seen, e.Type) })
		require.NoError(t, err)
		assert.Equal(t, "Hello!", resp.Text)
		assert.Equal(t, "resp_1", resp.ID)
		assert.Equal(t, "completed", resp.Status)
		assert.JSONEq(t, `{"input_tokens":1}`, string(resp.Usage))
		assert.Equal(t, []string{"response.output_text.delta", "response.output_text.delta", "response.completed"}, seen)
	})
	t.Run("text from output when no deltas", func(t *testing.T) {
		resp, err := readSSEResponse(strings.NewReader("data: "+completedEvent+"\n\n"), nil)
		require.NoError(t, err)
		assert.Equal(t, "Hello", resp.Text)
	})
	t.Run("type from the event line when data has none", func(t *testing.T) {
		_, err := readSSEResponse(strings.NewReader("event: response.failed\ndata: {\"response\":{\"error\":{\"code\":\"server_error\",\"message\":\"secret text\"}}}\n\n"), nil)
		var failed *ResponseFailedError
		require.ErrorAs(t, err, &failed)
		assert.Equal(t, "server_error", failed.Code)
		assert.NotContains(t, err.Error(), "secret text")
	})
	t.Run("stream without terminal event", func(t *testing.T) {
		_, err := readSSEResponse(strings.NewReader("data: {\"type\":\"response.created\"}\n\n"), nil)
		assert.ErrorIs(t, err, ErrStreamIncomplete)
	})
	t.Run("DONE sentinel before completion", func(t *testing.T) {
		_, err := readSSEResponse(strings.NewReader("data: [DONE]\n\n"), nil)
		assert.ErrorIs(t, err, ErrStreamIncomplete)
	})
	t.Run("malformed data", func(t *testing.T) {
		_, err := readSSEResponse(strings.NewReader("event: response.output_text.delta\ndata: {not json\n\n"), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "malformed data in response.output_text.delta event")
	})
	t.Run("completed without response", func(t *testing.T) {
		_, err := readSSEResponse(strings.NewReader("data: {\"type\":\"response.completed\"}\n\n"), nil)
		require.Error(t, err)
	})
}
