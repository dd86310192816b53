// Package mockapi is a mock of a Responses-style model API (HTTP with
// server-sent events, and WebSocket) plus an OAuth token endpoint, with named
// scenarios that exercise a client's 401 recovery and its auth telemetry.
//
// # Routes
//
// The scenario is the first path segment; a client's base URL is
// http://ADDR/<scenario>/v1.
//
//	POST /<scenario>/v1/responses          SSE stream (JSON when "stream":false, or when the
//	                                       body has no "stream" and Accept is application/json only)
//	GET  /<scenario>/v1/responses          WebSocket: "response.create" text frames, one JSON
//	                                       frame per event, connection reused across requests
//	POST /<scenario>/v1/responses/compact  JSON
//	GET  /<scenario>/v1/models             JSON model list
//	POST /<scenario>/oauth/token           OAuth refresh_token grant (JSON body)
//	POST /_admin/reset                     forget all scenario state and the request log (204)
//	GET  /_admin/requests                  {"requests":[RequestRecord...]}, never a token value
//
// Every response carries x-request-id (req_<32 hex>) and cf-ray (<16 hex>-SJC).
// A 401 also carries x-openai-authorization-error, x-error-json (base64 of
// {"error":{"code","message"}}) and an OpenAI-shaped JSON body that quotes a
// masked part of the presented credential (sk-proj-****abcd), as
// api.openai.com does, so that a client exporting bodies leaks visibly.
//
// # Authentication
//
// Every API route, including the WebSocket handshake, requires
// "Authorization: Bearer <token>". Without the header: 401
// missing_authorization_header; with another scheme or an empty token: 401
// invalid_authorization_header; otherwise the scenario decides. Tokens issued
// by a scenario's token endpoint are remembered per scenario until reset.
//
// The token endpoint validates the grant first in every scenario: 400
// unsupported_grant_type unless grant_type is refresh_token, 400
// invalid_request without client_id or refresh_token. A successful refresh
// returns JWT-shaped access and id tokens, an rt_ refresh token and
// expires_in 3600; the id token carries the ChatGPT-Account-ID last seen by
// the scenario. Only refresh_permanent and refresh_transient make the token
// endpoint fail; elsewhere it answers 200 (api_key_401 still never accepts
// what it issues).
//
// State (issued tokens, the one-shot 503s, the account rewrite) lives per
// scenario and is shared by all clients until POST /_admin/reset, so a demo
// that reuses a scenario should reset between runs.
//
// # Scenarios
//
//   - success: any non-empty bearer is accepted; POST /responses 200 (SSE),
//     handshake 101, token endpoint 200.
//   - 401_then_refresh: the presented token gets 401 (invalid_token /
//     token_invalidated); token endpoint 200; its tokens then get 200 / 101.
//   - expired_token: as 401_then_refresh, but the 401 says token_expired in
//     both x-openai-authorization-error and x-error-json.
//   - refresh_permanent: 401 token_expired; token endpoint 401
//     {"error":"refresh_token_expired"}; every later call 401.
//   - refresh_transient: 401 token_expired; token endpoint 503
//     {"error":"temporarily_unavailable"}; every later call 401.
//   - account_changed: 401 invalid_token for the presented token. With
//     Options.AccountChangeFile set, the first 401 first rewrites that
//     Codex-layout auth.json with a different tokens.account_id (another
//     login), so a client reloading its credentials sees an account mismatch.
//     Token endpoint 200, and its tokens are accepted.
//   - api_key_401: every call 401 invalid_api_key, body "Incorrect API key
//     provided: sk-proj-****abcd. ..."; nothing is ever accepted.
//   - ws_401: handshake 401 invalid_token until a token from the token
//     endpoint is presented, then 101; HTTP as 401_then_refresh.
//   - ws_in_stream_401: handshake 101 for any bearer; every response.create
//     frame gets an error event {"type":"error","status":401,"error":{...
//     "code":"invalid_api_key","message":"Incorrect API key provided:
//     sk-proj-****abcd. ..."}} on the open connection (which stays open) unless
//     the connection's token was issued by the token endpoint; HTTP 200 as
//     success. Observed with Codex 0.171.0 and an API key.
//   - ws_426: handshake 426 Upgrade Required (after the auth check); HTTP 200
//     as success.
//   - 5xx_then_success: the first POST /responses 503 and the first handshake
//     503 (each once per reset); everything else as success.
//
// # Stream shape
//
// A streamed answer is response.created, response.in_progress,
// response.output_item.added, response.output_text.delta (one per word),
// response.output_text.done, response.output_item.done and
// response.completed (with output and usage). Over SSE a ": keep-alive"
// comment follows the first event, response.in_progress spreads its JSON over
// several data lines, and the first delta is split across two flushed writes.
// Over WebSocket each event is one JSON text frame; a frame that is not a
// response.create gets an {"type":"error","status":400,...} frame and the
// connection stays open.
package mockapi
