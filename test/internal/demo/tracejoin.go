package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// MockRequest is one entry of the mock API's request log: what the server received and
// the W3C trace context it carried.
type MockRequest struct {
	Kind        string `json:"kind"`
	Status      int    `json:"status"`
	TraceParent string `json:"traceparent"`
}

// TraceJoin says whether the server side would join the client's trace: every request,
// handshake and frame the mock received must carry a traceparent naming the span of that
// very operation in the trace_safe output.
type TraceJoin struct {
	Requests int // API requests, handshakes and frames the mock received
	Joined   int // whose traceparent names an exported span of the matching operation
	// Failures describe the others (no traceparent, or no such span).
	Failures []string
}

// OK reports whether every request joined its operation's span.
func (j TraceJoin) OK() bool { return j.Requests > 0 && j.Joined == j.Requests }

// operationOfKind is the client operation that sends each kind of mock request; the
// token endpoint is not an operation of its own and carries no expectation.
var operationOfKind = map[string]string{
	"responses": "api_request", "responses_compact": "api_request", "models": "api_request",
	"websocket_handshake": "websocket_connect", "websocket_request": "websocket_request",
}

// fetchMockRequests reads the mock's request log (of the current run: the demo resets the
// mock before each).
func fetchMockRequests(ctx context.Context, mockAddr string) ([]MockRequest, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+mockAddr+"/_admin/requests", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mock request log: %w", err)
	}
	defer resp.Body.Close()
	var doc struct {
		Requests []MockRequest `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("mock request log: %w", err)
	}
	return doc.Requests, nil
}

// joinTraces matches the runs' mock requests with the spans of a route's output.
func joinTraces(raw []byte, runs []Run) (TraceJoin, error) {
	spans := map[string]string{} // "<trace id>-<span id>" -> span name
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	for sc.Scan() {
		if !bytes.HasPrefix(sc.Bytes(), []byte(`{"resourceSpans"`)) {
			continue
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sc.Bytes())
		if err != nil {
			return TraceJoin{}, err
		}
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			for j := 0; j < td.ResourceSpans().At(i).ScopeSpans().Len(); j++ {
				ss := td.ResourceSpans().At(i).ScopeSpans().At(j).Spans()
				for k := 0; k < ss.Len(); k++ {
					s := ss.At(k)
					spans[s.TraceID().String()+"-"+s.SpanID().String()] = s.Name()
				}
			}
		}
	}
	var j TraceJoin
	for _, run := range runs {
		for _, r := range run.Requests {
			op, ok := operationOfKind[r.Kind]
			if !ok {
				continue
			}
			j.Requests++
			where := fmt.Sprintf("%s/%s %s (%d)", run.Scenario.Name, run.Scenario.Transport, r.Kind, r.Status)
			parts := strings.Split(r.TraceParent, "-")
			switch {
			case len(parts) != 4:
				j.Failures = append(j.Failures, where+": no traceparent")
			case spans[parts[1]+"-"+parts[2]] != op:
				j.Failures = append(j.Failures, fmt.Sprintf("%s: traceparent names %q, not an exported %s span", where, spans[parts[1]+"-"+parts[2]], op))
			default:
				j.Joined++
			}
		}
	}
	return j, sc.Err()
}
