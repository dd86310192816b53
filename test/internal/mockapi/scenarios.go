package mockapi

// denial is how the server classifies a bearer token it rejects: the value of
// x-openai-authorization-error and the error.code inside x-error-json.
type denial struct {
	header string
	code   string
}

var (
	denyMissing       = denial{header: "missing_authorization_header", code: "missing_authorization_header"}
	denyMalformed     = denial{header: "invalid_authorization_header", code: "invalid_authorization_header"}
	denyInvalidToken  = denial{header: "invalid_token", code: "token_invalidated"}
	denyExpiredToken  = denial{header: "token_expired", code: "token_expired"}
	denyInvalidAPIKey = denial{header: "invalid_api_key", code: "invalid_api_key"}
)

// refreshOutcome is what a scenario's token endpoint does with a well-formed
// refresh_token grant.
type refreshOutcome int

const (
	refreshSucceeds refreshOutcome = iota
	refreshPermanentFailure
	refreshTransientFailure
)

type scenario struct {
	name    string
	summary string
	// acceptAny accepts every non-empty bearer; otherwise only tokens issued
	// by this scenario's token endpoint pass (when acceptIssued).
	acceptAny     bool
	acceptIssued  bool
	denial        denial
	refresh       refreshOutcome
	ws426         bool
	first5xx      bool
	changeAccount bool
	// frame401 answers a response.create frame with an in-stream 401 error event unless
	// the connection was opened with a token this scenario's token endpoint issued.
	frame401 bool
}

// ScenarioInfo names a scenario and says in one line what it does.
type ScenarioInfo struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
}

var scenarioList = []scenario{
	{
		name:      "success",
		summary:   "any non-empty bearer is accepted; HTTP and WebSocket answer 200/101; token endpoint issues tokens",
		acceptAny: true,
	},
	{
		name:         "401_then_refresh",
		summary:      "the presented token gets 401 invalid_token/token_invalidated; tokens issued by this scenario's token endpoint are accepted",
		acceptIssued: true,
		denial:       denyInvalidToken,
	},
	{
		name:         "expired_token",
		summary:      "like 401_then_refresh but the 401 says token_expired in both evidence headers; refresh succeeds",
		acceptIssued: true,
		denial:       denyExpiredToken,
	},
	{
		name:         "refresh_permanent",
		summary:      "401 token_expired; the token endpoint answers 401 {\"error\":\"refresh_token_expired\"}",
		acceptIssued: true,
		denial:       denyExpiredToken,
		refresh:      refreshPermanentFailure,
	},
	{
		name:         "refresh_transient",
		summary:      "401 token_expired; the token endpoint answers 503 {\"error\":\"temporarily_unavailable\"}",
		acceptIssued: true,
		denial:       denyExpiredToken,
		refresh:      refreshTransientFailure,
	},
	{
		name: "account_changed",
		summary: "401 invalid_token for the presented token; on the first 401 the --account-change-file auth.json gets a new tokens.account_id " +
			"(another login) before the 401 is sent; tokens issued by the token endpoint are accepted",
		acceptIssued:  true,
		denial:        denyInvalidToken,
		changeAccount: true,
	},
	{
		name:    "api_key_401",
		summary: "every request gets 401 invalid_api_key with a body that echoes part of the key; nothing is ever accepted",
		denial:  denyInvalidAPIKey,
	},
	{
		name:         "ws_401",
		summary:      "WebSocket handshake answers 401 invalid_token until a token issued by the token endpoint is presented; HTTP as 401_then_refresh",
		acceptIssued: true,
		denial:       denyInvalidToken,
	},
	{
		name: "ws_in_stream_401",
		summary: "WebSocket handshake 101 for any bearer, but each response.create frame is answered by an error event with status 401 " +
			"(invalid_api_key, the server's text quoting the masked credential) unless the connection's token was issued by the token endpoint; HTTP as success",
		acceptAny: true,
		denial:    denyInvalidAPIKey,
		frame401:  true,
	},
	{
		name:      "ws_426",
		summary:   "WebSocket handshake answers 426 Upgrade Required (after the auth check); HTTP succeeds as in success",
		acceptAny: true,
		ws426:     true,
	},
	{
		name:      "5xx_then_success",
		summary:   "the first POST /responses answers 503 and the first WebSocket handshake answers 503; everything after succeeds",
		acceptAny: true,
		first5xx:  true,
	},
}

var scenariosByName = func() map[string]*scenario {
	m := make(map[string]*scenario, len(scenarioList))
	for i := range scenarioList {
		m[scenarioList[i].name] = &scenarioList[i]
	}
	return m
}()

// Scenarios lists every scenario in documentation order.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, len(scenarioList))
	for i, sc := range scenarioList {
		out[i] = ScenarioInfo{Name: sc.name, Summary: sc.summary}
	}
	return out
}

// scenarioState is the mutable per-scenario state; guarded by Server.mu.
type scenarioState struct {
	issued         map[string]bool // access tokens issued by this scenario's token endpoint
	httpFailed     bool            // 5xx_then_success already failed one POST /responses
	wsFailed       bool            // 5xx_then_success already failed one handshake
	accountChanged bool            // account_changed already rewrote the auth file
	lastAccountID  string          // ChatGPT-Account-ID last seen, echoed into issued id tokens
}

func newScenarioState() *scenarioState {
	return &scenarioState{issued: make(map[string]bool)}
}
