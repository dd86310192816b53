package client

import (
	"context"
	"errors"
)

// recoveryDecision is the result of handling one 401 (one auth_recovery operation).
type recoveryDecision struct {
	mode         RecoveryMode
	step         RecoveryStep
	outcome      RecoveryOutcome
	reason       RecoveryReason // only with OutcomeNotRun
	stateChanged bool           // only meaningful with OutcomeSucceeded
	err          error          // the step's failure, for the user-visible error
}

// recovery is the per-call 401 state machine of docs/contract.md §5. Managed auth runs
// reload, then refresh_token, then is done; external auth runs external_refresh once.
// With at most two steps a call makes at most three sends.
type recovery struct {
	auth AuthProvider
	next RecoveryStep // the step the next 401 will run
}

func newRecovery(auth AuthProvider) *recovery {
	r := &recovery{auth: auth, next: StepReload}
	if _, ok := auth.(ExternalRefreshAuth); ok {
		r.next = StepExternalRefresh
	}
	return r
}

// recoveryModeOf names the recovery mode: external for host-owned credentials,
// managed otherwise (API-key auth reports managed too, as Codex does, together with
// the reason why it cannot run).
func recoveryModeOf(auth AuthProvider) RecoveryMode {
	if _, ok := auth.(ExternalRefreshAuth); ok {
		return RecoveryModeExternal
	}
	return RecoveryModeManaged
}

// canRecover reports whether a 401 received with creds has a recovery step to run at all:
// managed ChatGPT credentials, or host-owned credentials with a refresher. API-key auth
// has none.
func canRecover(auth AuthProvider, creds Credentials) bool {
	switch a := auth.(type) {
	case ExternalRefreshAuth:
		return a.CanRefresh()
	case ManagedAuth:
		return creds.Mode == AuthModeChatGPT
	}
	return false
}

// handle decides and runs the recovery for a 401 received with creds.
func (r *recovery) handle(ctx context.Context, creds Credentials) recoveryDecision {
	mode := recoveryModeOf(r.auth)
	d := recoveryDecision{mode: mode, step: r.next}
	if r.next == StepDone {
		d.outcome, d.reason = OutcomeNotRun, ReasonExhausted
		return d
	}
	switch a := r.auth.(type) {
	case ExternalRefreshAuth:
		changed, err := a.RefreshExternal(ctx)
		if errors.Is(err, ErrNoExternalRefresher) {
			d.outcome, d.reason = OutcomeNotRun, ReasonNoExternalRefresh
			return d
		}
		r.next = StepDone
		return finish(d, changed, err)
	case ManagedAuth:
		if creds.Mode != AuthModeChatGPT {
			d.outcome, d.reason = OutcomeNotRun, ReasonNotChatGPTAuth
			return d
		}
		if r.next == StepReload {
			changed, err := a.Reload(ctx)
			if errors.Is(err, ErrAccountMismatch) {
				r.next = StepDone
				d.outcome, d.err = OutcomeFailedPermanent, err
				return d
			}
			r.next = StepRefreshToken
			return finish(d, changed, err)
		}
		err := a.RefreshToken(ctx)
		r.next = StepDone
		return finish(d, true, err)
	default:
		d.outcome, d.reason = OutcomeNotRun, ReasonNotChatGPTAuth
		return d
	}
}

func finish(d recoveryDecision, changed bool, err error) recoveryDecision {
	if err == nil {
		d.outcome, d.stateChanged = OutcomeSucceeded, changed
		return d
	}
	d.err = err
	var re *RefreshError
	if errors.As(err, &re) && re.Permanent {
		d.outcome = OutcomeFailedPermanent
	} else {
		d.outcome = OutcomeFailedTransient
	}
	return d
}
