package demo

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/authobs/authobsprocessor/test/internal/proc"
)

// sendLeakyClient exports what a client that gets the policy wrong would send: tokens in
// URLs, headers, error text and bodies, personal data on auth operations. The reference
// client never does this; the collector must hold the line anyway.
func sendLeakyClient(ctx context.Context, httpAddr string, sec *secrets) error {
	key := "sk-proj-" + randomString(48)
	access := fakeJWT(map[string]any{"sub": "leaky-" + randomString(6)})
	refresh := "rt_" + randomString(40)
	cookie := randomString(32)
	sec.add(key, "leaky client's API key")
	sec.add(access, "leaky client's access token")
	sec.add(refresh, "leaky client's refresh token")
	sec.add(cookie, "leaky client's session cookie")
	now := pcommon.NewTimestampFromTime(time.Now())

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "leaky-client")
	rs.Resource().Attributes().PutStr("host.name", "leaky-workstation")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	span := spans.AppendEmpty()
	span.SetName("api_request")
	span.SetTraceID(pcommon.TraceID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
	span.SetSpanID(pcommon.SpanID([8]byte{1, 2, 3, 4, 5, 6, 7, 8}))
	span.SetStartTimestamp(now)
	span.SetEndTimestamp(now)
	a := span.Attributes()
	a.PutStr("url.full", "https://api.example.com/v1/responses?api_key="+key+"&stream=true")
	a.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + access)
	a.PutEmptySlice("http.request.header.cookie").AppendEmpty().SetStr("session=" + cookie)
	a.PutInt("http.response.status_code", 401)
	a.PutStr("error.message", "unexpected status 401 Unauthorized: Incorrect API key provided: "+key+", cf-ray: 8f1c2a3b4d5e6f70-SJC")
	a.PutStr("auth.request_id", "req_leaky0001")
	a.PutStr("auth.recovery_mode", "improvised")
	a.PutStr("user.email", "leaky@example.com")
	a.PutStr("debug.request_body", `{"grant_type":"refresh_token","refresh_token":"`+refresh+`"}`)
	span.Status().SetMessage("server said: Incorrect API key provided: " + key)
	tool := spans.AppendEmpty()
	tool.SetName("tool_call")
	tool.SetTraceID(span.TraceID())
	tool.SetSpanID(pcommon.SpanID([8]byte{8, 7, 6, 5, 4, 3, 2, 1}))
	tool.SetStartTimestamp(now)
	tool.SetEndTimestamp(now)
	tool.Attributes().PutStr("prompt", "deploy with token "+refresh)
	tool.Attributes().PutStr("cwd", "/home/leaky/project")
	tool.Attributes().PutStr("note", "retrying with Authorization: Bearer "+access)

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "leaky-client")
	rl.Resource().Attributes().PutStr("host.name", "leaky-workstation")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(now)
	lr.Attributes().PutStr("event.name", "api_request")
	lr.Attributes().PutStr("user.email", "leaky@example.com")
	lr.Attributes().PutStr("cookie", "session="+cookie)
	lr.Body().SetStr("POST /v1/responses\nAuthorization: Bearer " + access + "\nbody: " + `{"api_key":"` + key + `"}`)

	if err := proc.PostOTLP(ctx, http.DefaultClient, "http://"+httpAddr+"/v1/traces", ptraceotlp.NewExportRequestFromTraces(td).MarshalProto); err != nil {
		return err
	}
	return proc.PostOTLP(ctx, http.DefaultClient, "http://"+httpAddr+"/v1/logs", plogotlp.NewExportRequestFromLogs(ld).MarshalProto)
}
