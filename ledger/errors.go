package ledger

import (
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// Errors callers tell apart. Every error returned by this package that stems
// from one of these wraps it, so errors.Is works through the context added.
var (
	ErrUnbalanced          = errors.New("entry is unbalanced")
	ErrOverdraft           = errors.New("account would overdraw")
	ErrPeriodClosed        = errors.New("period is closed")
	ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")
	ErrNotFound            = errors.New("not found")
	ErrAppendOnly          = errors.New("the books are append-only")
	ErrBookMismatch        = errors.New("account belongs to another book")
	ErrInvalid             = errors.New("invalid input")
	ErrAlreadyReversed     = errors.New("entry is already reversed")
	ErrAccountExists       = errors.New("account exists with other attributes")
	// ErrUnsealed: a month cannot be closed while entries dated in it wait
	// to be sealed into the chain (only a close written by hand meets it;
	// the ledger seals before it closes).
	ErrUnsealed = errors.New("entries wait to be sealed into the chain")
)

// SQLSTATEs raised by the triggers in migrations/00001_ledger.sql (FL007:
// 00009).
const (
	stateUnbalanced   = "FL001"
	stateOverdraft    = "FL002"
	statePeriodClosed = "FL003"
	stateAppendOnly   = "FL004"
	stateBookMismatch = "FL005"
	stateDerivedOnly  = "FL006"
	stateUnsealed     = "FL007"
)

// dbError maps a PostgreSQL error to the package's named errors, keeping the
// server's message (which names the entry, account and amounts). It is the
// one place where SQLSTATEs are interpreted.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	var named error
	switch string(pe.Code) {
	case stateUnbalanced:
		named = ErrUnbalanced
	case stateOverdraft:
		named = ErrOverdraft
	case statePeriodClosed:
		named = ErrPeriodClosed
	case stateAppendOnly, stateDerivedOnly:
		named = ErrAppendOnly
	case stateBookMismatch:
		named = ErrBookMismatch
	case stateUnsealed:
		named = ErrUnsealed
	case "23514", "23502", "22P02", "22007", "22008", "22003", "22021":
		named = ErrInvalid
	case "23503":
		named = ErrNotFound
	case "23505":
		switch pe.Constraint {
		case "entries_reverses_once":
			named = ErrAlreadyReversed
		case "accounts_code_key":
			named = ErrAccountExists
		}
	}
	if named == nil {
		return err
	}
	return fmt.Errorf("%w: %s", named, pe.Message)
}

// retryable reports whether a transaction failed only because of concurrent
// work (serialization failure or deadlock) and may be tried again.
func retryable(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "40001" || pe.Code == "40P01"
}

// keyExists reports whether err is the unique index on idempotency keys
// refusing a key that is already used.
func keyExists(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == "entries_idempotency_key_key"
}
