// Package client is a reusable Go client for a Responses-style model API
// (POST /responses over server-sent events or WebSocket, POST /responses/compact,
// GET /models).
//
// Besides the API itself it implements the auth behaviour of the authobs telemetry
// contract: Bearer auth from an API key, a Codex-style auth.json (with OAuth refresh)
// or a host-supplied refresher; the 401 recovery state machine (reload, refresh_token,
// external_refresh); transport retries with backoff; and one OpenTelemetry span plus
// one log record per operation (api_request, websocket_connect, websocket_request,
// auth_recovery) carrying only safe auth evidence read from response headers.
//
// Each operation's span is live while it runs, and its W3C trace context goes out with
// it (HTTP headers, handshake headers, and client_metadata of every WebSocket frame), so
// a server, or an instrumented transport, joins that very span.
package client
