package client

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOptionsAppliedOrRejected: an option that cannot apply is an error naming it, never
// silently dropped or clamped.
func TestOptionsAppliedOrRejected(t *testing.T) {
	key := WithAuth(NewAPIKey(testAPIKey))
	for name, tc := range map[string]struct {
		opt  Option
		want string
	}{
		"negative retries":  {WithMaxRetries(-1), "WithMaxRetries: -1 is negative"},
		"unknown transport": {WithTransport("grpc"), `WithTransport: unknown transport "grpc"`},
		"nil auth":          {WithAuth(nil), "WithAuth: must not be nil"},
		"nil http client":   {WithHTTPClient(nil), "WithHTTPClient: must not be nil"},
		"nil backoff":       {WithBackoff(nil), "WithBackoff: must not be nil"},
		"nil propagator":    {WithPropagator(nil), "WithPropagator: must not be nil"},
		"empty model":       {WithModel(" "), "WithModel: empty model"},
		"zero option":       {Option{}, "option 1: a zero Option"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New("http://127.0.0.1:1/v1", key, tc.opt)
			require.ErrorContains(t, err, tc.want)
		})
	}
	c, err := New("http://127.0.0.1:1/v1", key, WithMaxRetries(0))
	require.NoError(t, err)
	assert.Equal(t, 0, c.maxRetries)

	_, err = NewObserver(WithModel("gpt-5.1"), WithTransport(TransportWebSocket), WithAuth(NewAPIKey(testAPIKey)))
	require.ErrorContains(t, err, "WithTransport: not an option of an Observer")
	require.ErrorContains(t, err, "WithAuth: not an option of an Observer")
	_, err = NewObserver(WithModel("gpt-5.1"), WithConversationID("c"), WithOriginator("o"), WithAppVersion("1"))
	require.NoError(t, err)
}

// TestStreamIterator: events in order, the terminal one last, over HTTP and WebSocket; a
// 401 recovered on the way yields nothing of the failed attempt.
func TestStreamIterator(t *testing.T) {
	h := newHarness(t)
	srv := newWSServer(t, upgrade, frames401Then(1))
	auth := refreshingAuthFile(t)
	c := h.newClient(t, srv.base(), WithAuth(auth), WithTransport(TransportWebSocket))

	var types []string
	var text string
	for ev, err := range c.Stream(context.Background(), &ResponseRequest{Input: "hi"}) {
		require.NoError(t, err)
		types = append(types, ev.Type)
		text += ev.Delta
	}
	assert.Equal(t, []string{"response.created", "response.output_text.delta", "response.completed"}, types)
	assert.Equal(t, "ws-1", text)
	assert.Equal(t, []string{"managed/reload/recovery_succeeded/changed=false"}, h.recoveries())

	// Stopping early ends the call (goleak in TestMain checks nothing is left running).
	var first []string
	for ev, err := range c.Stream(context.Background(), &ResponseRequest{Input: "hi"}) {
		require.NoError(t, err)
		first = append(first, ev.Type)
		break
	}
	assert.Equal(t, []string{"response.created"}, first)
}

func TestStreamIteratorError(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, always401)
	c := h.newClient(t, api.base(), WithAuth(NewAPIKey(testAPIKey)))
	var errs []error
	for ev, err := range c.Stream(context.Background(), &ResponseRequest{Input: "hi"}) {
		assert.Empty(t, ev.Type)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var cerr *Error
	require.ErrorAs(t, errs[0], &cerr)
	assert.Equal(t, 401, cerr.Status)
}

// brokerAuth is a host's own type for host-owned credentials: the client recovers it
// through the ExternalRefreshAuth interface, no concrete type involved.
type brokerAuth struct {
	token     string
	refreshes int
}

func (b *brokerAuth) Credentials(context.Context) (Credentials, error) {
	return Credentials{Mode: AuthModeChatGPT, Token: b.token}, nil
}

func (b *brokerAuth) CanRefresh() bool { return true }

func (b *brokerAuth) RefreshExternal(context.Context) (bool, error) {
	b.refreshes++
	b.token = testAccessToken2
	return true, nil
}

func TestExternalRefreshThroughInterface(t *testing.T) {
	h := newHarness(t)
	api := newScripted(t, okAfter(1))
	auth := &brokerAuth{token: testAccessToken}
	c := h.newClient(t, api.base(), WithAuth(auth))
	_, err := prompt(c)
	require.NoError(t, err)
	assert.Equal(t, 1, auth.refreshes)
	assert.Equal(t, []string{"external/external_refresh/recovery_succeeded/changed=true"}, h.recoveries())
	assert.Equal(t, []string{"Bearer " + testAccessToken, "Bearer " + testAccessToken2}, api.requests())
}

func TestAuthFileOptionsRejected(t *testing.T) {
	path := writeAuthFile(t, t.TempDir(), testAccessToken, testRefreshToken, testAccountID)
	for _, tc := range []struct {
		opt  AuthFileOption
		want string
	}{
		{WithTokenURL("auth.openai.com/oauth/token"), "WithTokenURL: want an absolute http(s) URL"},
		{WithClientID(""), "WithClientID: empty client id"},
		{WithTokenHTTPClient(nil), "WithTokenHTTPClient: must not be nil"},
		{nil, "LoadAuthFile: nil option"},
	} {
		_, err := LoadAuthFile(path, tc.opt)
		require.ErrorContains(t, err, tc.want)
	}
}
