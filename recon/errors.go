package recon

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// Errors callers tell apart; each is wrapped with the details.
var (
	ErrInvalid        = errors.New("invalid input")
	ErrNotFound       = errors.New("not found")
	ErrAlreadyMatched = errors.New("already in an active match")
	ErrRevoked        = errors.New("match is already revoked")
	ErrUnbalanced     = errors.New("statement lines and postings do not add up to the same amount")
	// ErrAmbiguousProfile: --profile auto found two built-in profiles that
	// fit a file's header equally well.
	ErrAmbiguousProfile = errors.New("statement layout is ambiguous")
	// ErrDiscontinuous: a statement's opening balance does not follow the
	// closing balance of the account's previous statement (or its closing
	// balance the next statement's opening).
	ErrDiscontinuous = errors.New("statement does not follow on from the previous one")
)

// Named refusals of matching (recon run, recon match) and unmatching, one
// per thing a person must fix. Each is also ErrInvalid, or ErrNotFound for
// the ones named ...NotFound/Unknown, so callers that tell only those
// apart keep working; each is wrapped with the items and figures.
var (
	ErrMatchEmpty         error = &refusal{"a match needs at least one statement line and one posting", ErrInvalid}
	ErrMatchTooLarge      error = &refusal{"too many items in one match", ErrInvalid}
	ErrReasonRequired     error = &refusal{"a reason is required", ErrInvalid}
	ErrReasonTooLong      error = &refusal{"the reason is too long", ErrInvalid}
	ErrActorRequired      error = &refusal{"who acts is not known", ErrInvalid}
	ErrLineOtherAccount   error = &refusal{"statement line of another bank account", ErrInvalid}
	ErrItemNamedTwice     error = &refusal{"an item is named twice", ErrInvalid}
	ErrPostingAmbiguous   error = &refusal{"the entry has more than one cash posting for the bank account", ErrInvalid}
	ErrPostingRef         error = &refusal{"posting not written as ENTRY or ENTRY/LINE", ErrInvalid}
	ErrPeriod             error = &refusal{"period cannot be read", ErrInvalid}
	ErrRunNoPeriod        error = &refusal{"a run needs a period", ErrInvalid}
	ErrRunWindow          error = &refusal{"date window out of range", ErrInvalid}
	ErrLineNotFound       error = &refusal{"no such statement line", ErrNotFound}
	ErrPostingNotFound    error = &refusal{"no such cash posting for the bank account", ErrNotFound}
	ErrMatchNotFound      error = &refusal{"no such match", ErrNotFound}
	ErrBankAccountUnknown error = &refusal{"no such bank account", ErrNotFound}
)

// refusal is a named error that is also its kind (ErrInvalid or
// ErrNotFound) for errors.Is.
type refusal struct {
	text string
	kind error
}

func (e *refusal) Error() string { return e.text }

// Is makes errors.Is(err, kind) true.
func (e *refusal) Is(target error) bool { return target == e.kind }

// Named errors of a statement file, one per kind of problem: the Err of
// a RowError, whose fields (Row, Field, Value, Limit, ...) hold the
// figures for a message in the reader's language. A RowError is also
// ErrInvalid.
var (
	ErrStatementFile         = errors.New("statement file cannot be read as CSV (UTF-8 or GBK), XLSX or XLS")
	ErrStatementTooLarge     = errors.New("statement file too large")
	ErrStatementTooManyRows  = errors.New("too many rows or errors in one statement file")
	ErrStatementHeader       = errors.New("no header row with a date and an amount column")
	ErrStatementNoLines      = errors.New("no statement lines under the header")
	ErrStatementText         = errors.New("cell text is not valid UTF-8")
	ErrStatementDate         = errors.New("date cannot be read")
	ErrStatementAmount       = errors.New("amount cannot be read")
	ErrStatementNoAmount     = errors.New("line has no amount")
	ErrStatementTwoAmounts   = errors.New("line has both an amount in and an amount out")
	ErrStatementDirection    = errors.New("direction not one of the profile's values")
	ErrStatementBalance      = errors.New("running balance cannot be read")
	ErrStatementTooLong      = errors.New("cell text too long")
	ErrStatementDateOrder    = errors.New("lines not in date order")
	ErrStatementBalanceBreak = errors.New("running balance breaks")
)

// SQLSTATEs raised by the triggers in migrations/00004_recon.sql.
const stateInvalidItem = "FR002"

// dbError maps a PostgreSQL error to the package's named errors, keeping
// the server's message. It is the one place where SQLSTATEs are read.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	var named error
	switch string(pe.Code) {
	case stateInvalidItem, "23514", "23502", "22P02", "22007", "22008", "22003":
		named = ErrInvalid
	case "23503":
		named = ErrNotFound
	case "23505":
		switch pe.Constraint {
		case "recon_unmatches_pkey":
			return fmt.Errorf("%w: the match was undone by someone else just now", ErrRevoked)
		case "recon_items_line_active":
			return fmt.Errorf("%w: statement line %s", ErrAlreadyMatched, keyValue(pe.Detail))
		case "recon_items_posting_active":
			return fmt.Errorf("%w: posting %s", ErrAlreadyMatched, strings.Replace(keyValue(pe.Detail), ", ", "/", 1))
		}
	}
	if named == nil {
		return err
	}
	return fmt.Errorf("%w: %s", named, pe.Message)
}

// keyValue extracts "1, 2" from "Key (entry_id, posting_line)=(1, 2) already exists.".
func keyValue(detail string) string {
	_, v, ok := strings.Cut(detail, ")=(")
	if !ok {
		return detail
	}
	v, _, _ = strings.Cut(v, ")")
	return v
}
