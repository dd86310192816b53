package client

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// maxSSELine bounds one line of the event stream; a completed response with a long
// output arrives as a single data line.
const maxSSELine = 16 << 20

// SSEEvent is one dispatched server-sent event.
type SSEEvent struct {
	Event string // the event: field, "" when the server sent none
	Data  string // data: lines joined with "\n"
	ID    string // the last id: field seen
}

// SSEReader parses a text/event-stream as the WHATWG specification describes:
// lines end in LF, CRLF or CR; ":" starts a comment; a blank line dispatches the
// event; several data: lines join with "\n"; one space after the colon is dropped.
type SSEReader struct {
	sc     *bufio.Scanner
	lastID string
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxSSELine)
	sc.Split(scanSSELines)
	return &SSEReader{sc: sc}
}

// Next returns the next event. It returns io.EOF when the stream ends; an event
// that was not terminated by a blank line before the end is discarded, as the
// specification requires.
func (r *SSEReader) Next() (SSEEvent, error) {
	var (
		ev      SSEEvent
		data    strings.Builder
		hasData bool
	)
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if !hasData {
				ev = SSEEvent{}
				continue
			}
			ev.Data = data.String()
			ev.ID = r.lastID
			return ev, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "event":
			ev.Event = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				r.lastID = value
			}
		}
		// "retry" and unknown fields are ignored: reconnection is the caller's decision.
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return SSEEvent{}, errors.New("event stream line longer than 16 MiB")
		}
		return SSEEvent{}, err
	}
	return SSEEvent{}, io.EOF
}

// scanSSELines splits on LF, CRLF or a lone CR. A CR at the end of the buffer waits
// for more input so that a CRLF split across two reads counts as one line end.
func scanSSELines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}
