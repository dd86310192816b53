package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// AuthMode is the kind of credential, exported as the auth_mode attribute.
type AuthMode string

const (
	// AuthModeAPIKey is an API key (OPENAI_API_KEY): no recovery on 401.
	AuthModeAPIKey AuthMode = "ApiKey"
	// AuthModeChatGPT is the access token of a ChatGPT login, which a 401 recovery may renew.
	AuthModeChatGPT AuthMode = "Chatgpt"
)

// Credentials are what one request is sent with.
type Credentials struct {
	Mode      AuthMode
	Token     string // sent as Authorization: Bearer <Token>
	AccountID string // sent as ChatGPT-Account-ID when set
	Email     string // identity for the log route only; never sent
}

// String hides the token so that credentials printed by mistake leak nothing.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{Mode:%s Token:[REDACTED] AccountID:%q}", c.Mode, c.AccountID)
}

// AuthProvider supplies the credentials for each send.
type AuthProvider interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// ManagedAuth is a provider whose stored credentials the client may recover itself
// after a 401: first by re-reading them (reload), then by an OAuth refresh.
type ManagedAuth interface {
	AuthProvider
	// Reload re-reads the stored credentials and reports whether they changed.
	// It returns ErrAccountMismatch when the store now holds another account.
	Reload(ctx context.Context) (changed bool, err error)
	// RefreshToken exchanges the refresh token for new tokens and stores them.
	// Failures are *RefreshError.
	RefreshToken(ctx context.Context) error
}

// ErrAccountMismatch means the reloaded credentials belong to another account; the
// recovery treats it as permanent rather than silently switching accounts.
var ErrAccountMismatch = errors.New("stored credentials belong to a different account")

// RefreshError is a failed token refresh. Permanent failures (a refresh token that is
// expired, reused or revoked) need a new login; transient ones (5xx, network) may pass.
type RefreshError struct {
	Permanent bool
	Status    int    // HTTP status of the token endpoint, 0 on network errors
	Code      string // the token endpoint's error code when it is an identifier
	Err       error  // underlying cause for transient failures
}

func (e *RefreshError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	msg := "token refresh failed (" + kind + ")"
	if e.Status != 0 {
		msg += fmt.Sprintf(": http %d", e.Status)
	}
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *RefreshError) Unwrap() error { return e.Err }

// APIKey authenticates with a static API key. A 401 on it cannot be recovered.
type APIKey struct {
	key     string
	fromEnv bool
}

// NewAPIKey returns a provider for the given key.
func NewAPIKey(key string) *APIKey { return &APIKey{key: strings.TrimSpace(key)} }

// APIKeyFromEnv reads OPENAI_API_KEY.
func APIKeyFromEnv() (*APIKey, error) {
	key := strings.TrimSpace(os.Getenv("OPENAI_API_KEY"))
	if key == "" {
		return nil, errors.New("OPENAI_API_KEY is not set")
	}
	return &APIKey{key: key, fromEnv: true}, nil
}

// Credentials implements AuthProvider.
func (a *APIKey) Credentials(context.Context) (Credentials, error) {
	return Credentials{Mode: AuthModeAPIKey, Token: a.key}, nil
}

// ExternalRefreshAuth is a provider whose credentials belong to the host application
// (recovery mode external): after a 401 the client runs one external_refresh step
// through RefreshExternal. ExternalAuth implements it around a function; a host may
// implement it on its own type.
type ExternalRefreshAuth interface {
	AuthProvider
	// RefreshExternal obtains fresh credentials and reports whether they changed. It
	// returns ErrNoExternalRefresher when there is no way to refresh (the 401 is then
	// reported as recovery_not_run, no_external_refresher), and a *RefreshError with
	// Permanent set when retrying cannot help.
	RefreshExternal(ctx context.Context) (changed bool, err error)
	// CanRefresh reports whether RefreshExternal can do anything at all.
	CanRefresh() bool
}

// ErrNoExternalRefresher is RefreshExternal's answer when the host gave no refresher.
var ErrNoExternalRefresher = errors.New("no external refresher configured")

// ExternalRefresher is a host application's hook that obtains fresh credentials
// after a 401 (for example from its own token broker). previous is what failed.
// Return a *RefreshError with Permanent set when retrying cannot help.
type ExternalRefresher func(ctx context.Context, previous Credentials) (Credentials, error)

// ExternalAuth holds credentials owned by the host application; its recovery is one
// external_refresh step through the refresher.
type ExternalAuth struct {
	mu      sync.Mutex
	creds   Credentials
	refresh ExternalRefresher
}

var _ ExternalRefreshAuth = (*ExternalAuth)(nil)

// NewExternalAuth starts from initial credentials; refresh may be nil, in which case
// a 401 is reported as recovery_not_run with reason no_external_refresher.
func NewExternalAuth(initial Credentials, refresh ExternalRefresher) *ExternalAuth {
	if initial.Mode == "" {
		initial.Mode = AuthModeChatGPT
	}
	return &ExternalAuth{creds: initial, refresh: refresh}
}

// Credentials implements AuthProvider.
func (a *ExternalAuth) Credentials(context.Context) (Credentials, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.creds, nil
}

// CanRefresh implements ExternalRefreshAuth: whether a refresher was given.
func (a *ExternalAuth) CanRefresh() bool { return a.refresh != nil }

// RefreshExternal implements ExternalRefreshAuth: it runs the host's refresher and
// reports whether the token changed.
func (a *ExternalAuth) RefreshExternal(ctx context.Context) (bool, error) {
	if a.refresh == nil {
		return false, ErrNoExternalRefresher
	}
	a.mu.Lock()
	prev := a.creds
	a.mu.Unlock()
	next, err := a.refresh(ctx, prev)
	if err != nil {
		return false, err
	}
	if next.Mode == "" {
		next.Mode = prev.Mode
	}
	a.mu.Lock()
	a.creds = next
	a.mu.Unlock()
	return next.Token != prev.Token || next.AccountID != prev.AccountID, nil
}
