package main

// Exit statuses of the CLI, and what a failure after a commit means.

import (
	"context"
	"errors"
	"fmt"

	"fundledger/ledger"
)

// Exit statuses (documented in `fundledger --help` and the README).
const (
	exitOK = 0
	// exitRefused: the command failed or its input was refused; what it
	// would have written is not stored (a file is stored whole or not at all).
	exitRefused = 1
	// exitSealPending: the entries were committed and are stored, but
	// sealing them into the hash chain afterwards failed; `fundledger seal`
	// (or any later write, or verify) seals them.
	exitSealPending = 3
)

const exitStatusHelp = `Exit status: 0 done; 1 failed or refused, nothing of the command was stored;
3 the entries were committed and are stored, but sealing them into the hash chain
afterwards failed (run "fundledger seal" later; nothing needs to be posted again).`

// sealPendingError says that the entries are stored and only the seal
// failed.
type sealPendingError struct{ err error }

func (e *sealPendingError) Error() string {
	return fmt.Sprintf("the entries are stored (committed); sealing them into the hash chain failed and is pending: %v — run \"fundledger seal\" when the database is back; do not post them again", e.err)
}

func (e *sealPendingError) Unwrap() error { return e.err }

// sealAfterWrite seals what a command has just committed.
func sealAfterWrite(ctx context.Context, l *ledger.Ledger) error {
	if _, err := l.Seal(ctx); err != nil {
		return &sealPendingError{err: err}
	}
	return nil
}

// exitCode maps a command's error to the process's exit status.
func exitCode(err error) int {
	var sp *sealPendingError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &sp):
		return exitSealPending
	}
	return exitRefused
}
