package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// OperationSummary is one emitted operation, as a caller sees it.
type OperationSummary struct {
	Name                   string          `json:"name"`
	Status                 int             `json:"status,omitempty"`
	Success                bool            `json:"success"`
	Attempt                *int            `json:"attempt,omitempty"`
	ConnectionReused       *bool           `json:"connection_reused,omitempty"`
	RetryAfterUnauthorized bool            `json:"retry_after_unauthorized,omitempty"`
	Mode                   RecoveryMode    `json:"mode,omitempty"`
	Step                   RecoveryStep    `json:"step,omitempty"`
	Outcome                RecoveryOutcome `json:"outcome,omitempty"`
	Reason                 RecoveryReason  `json:"reason,omitempty"`
	RequestID              string          `json:"request_id,omitempty"`
	Error                  string          `json:"error,omitempty"`
}

// CallReport describes what one call did: its operations and its 401 recovery.
type CallReport struct {
	Endpoint        string             `json:"endpoint"`
	Transport       string             `json:"transport"`
	FellBackToHTTP  bool               `json:"fell_back_to_http,omitempty"`
	AuthMode        string             `json:"auth_mode,omitempty"`
	RecoveryMode    RecoveryMode       `json:"recovery_mode,omitempty"`
	RecoverySteps   []RecoveryStep     `json:"recovery_steps,omitempty"`
	RecoveryOutcome RecoveryOutcome    `json:"recovery_outcome,omitempty"`
	RecoveryReason  RecoveryReason     `json:"recovery_reason,omitempty"`
	Status          int                `json:"status,omitempty"`
	RequestID       string             `json:"request_id,omitempty"`
	Operations      []OperationSummary `json:"operations"`
}

// callState is the bookkeeping of one call.
type callState struct {
	model  string
	report CallReport
}

func (c *Client) newCall(endpoint, model string) *callState {
	return &callState{model: model, report: CallReport{Endpoint: endpoint, Transport: string(TransportHTTP)}}
}

// emit exports an operation and adds it to the call's report.
func (c *Client) emit(ctx context.Context, cs *callState, r *opRecord) {
	c.tel.emit(ctx, r)
	s := OperationSummary{Name: r.name, Status: r.status, Success: !r.failed(), Attempt: r.attempt,
		ConnectionReused: r.reused, RequestID: r.evidence.RequestID, Error: r.errMsg}
	rep := &cs.report
	if r.creds.Mode != "" {
		rep.AuthMode = string(r.creds.Mode)
	}
	if a := r.auth; a != nil {
		s.RetryAfterUnauthorized = a.retryAfter401
	}
	if d := r.recovery; d != nil {
		s.Mode, s.Step, s.Outcome, s.Reason = d.mode, d.step, d.outcome, d.reason
		rep.RecoveryMode, rep.RecoveryOutcome, rep.RecoveryReason = d.mode, d.outcome, d.reason
		if d.outcome != OutcomeNotRun {
			rep.RecoverySteps = append(rep.RecoverySteps, d.step)
		}
	} else {
		if r.status != 0 {
			rep.Status = r.status
		}
		if r.evidence.RequestID != "" {
			rep.RequestID = r.evidence.RequestID
		}
	}
	rep.Operations = append(rep.Operations, s)
}

// fail attaches the call's report to its error.
func (cs *callState) fail(err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Report = cs.report
		return e
	}
	return &Error{Err: err, Report: cs.report}
}

// Error is a failed call. Its text carries the status, the header evidence and the
// recovery result, never a response body or a credential.
type Error struct {
	Op       string // e.g. "POST /responses"
	Status   int    // HTTP status, 0 when none was received
	Evidence Evidence
	Recovery *RecoveryResult
	Err      error
	Report   CallReport
}

// RecoveryResult is the 401 recovery decision that ended a call.
type RecoveryResult struct {
	Mode    RecoveryMode
	Step    RecoveryStep
	Outcome RecoveryOutcome
	Reason  RecoveryReason
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": http %d", e.Status)
	}
	var ev []string
	for _, kv := range [][2]string{{"request_id", e.Evidence.RequestID}, {"cf_ray", e.Evidence.CFRay},
		{"auth_error", e.Evidence.AuthError}, {"error_code", e.Evidence.ErrorCode}} {
		if kv[1] != "" {
			ev = append(ev, kv[0]+"="+kv[1])
		}
	}
	if len(ev) > 0 {
		b.WriteString(" (" + strings.Join(ev, " ") + ")")
	}
	if r := e.Recovery; r != nil {
		fmt.Fprintf(&b, "; auth recovery %s at %s/%s", r.Outcome, r.Mode, r.Step)
		if r.Reason != "" {
			b.WriteString(" (" + string(r.Reason) + ")")
		}
		if r.Err != nil {
			b.WriteString(": " + r.Err.Error())
		}
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	if e.Recovery != nil {
		return e.Recovery.Err
	}
	return nil
}
