package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Accounting periods are calendar months. A month closes city-wide, or for
// one district (the budget unit an account belongs to: Account.District;
// accounts without one are city-level). A month closed city-wide refuses
// every entry dated in it; a month closed by a district refuses every entry
// that posts to one of that district's accounts, while the other districts
// still post. The city closes after its districts: a city-wide close closes
// the month for all of them, also those that have not closed it themselves,
// and while it stands no district can close or reopen that month. Reopening
// needs a reason. Every close and reopen is an event in the period log,
// recorded with the head of the hash chain at that moment (see chain.go);
// the database enforces all of it (migrations 00001, 00007, 00009).

// maxPeriodEvents bounds the period log read at a time.
const maxPeriodEvents = 10000

// Period is a calendar month, written YYYY-MM.
type Period struct {
	Start  time.Time `db:"period" json:"start"`
	Closed bool      `db:"closed" json:"closed"`
}

func (p Period) String() string { return p.Start.Format("2006-01") }

// DistrictPeriod is a month as one district has it.
type DistrictPeriod struct {
	Start    time.Time `db:"period" json:"start"`
	District string    `db:"district" json:"district"`
	Closed   bool      `db:"closed" json:"closed"`
}

// ParsePeriod parses YYYY-MM.
func ParsePeriod(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: period %q: want YYYY-MM", ErrInvalid, s)
	}
	return t, nil
}

// ClosePeriod closes a month city-wide: no entry dated in it is accepted
// afterwards. It waits for entries being posted in that month to commit,
// seals every entry the chain can account for, and records the head.
func (l *Ledger) ClosePeriod(ctx context.Context, month time.Time, actor, reason string) error {
	return l.periodEvent(ctx, month, "", "close", actor, reason)
}

// ReopenPeriod reopens a month closed city-wide; the reason is required and
// recorded.
func (l *Ledger) ReopenPeriod(ctx context.Context, month time.Time, actor, reason string) error {
	return l.periodEvent(ctx, month, "", "reopen", actor, reason)
}

// CloseDistrictPeriod closes a month for one district: no entry dated in it
// that posts to an account of the district is accepted afterwards. As
// ClosePeriod, it waits for posters, seals and records the head.
func (l *Ledger) CloseDistrictPeriod(ctx context.Context, month time.Time, district, actor, reason string) error {
	if strings.TrimSpace(district) == "" {
		return fmt.Errorf("%w: close period %s: district is required", ErrInvalid, month.Format("2006-01"))
	}
	return l.periodEvent(ctx, month, district, "close", actor, reason)
}

// ReopenDistrictPeriod reopens a month a district closed; the reason is
// required and recorded. A month closed city-wide must be reopened by the
// city first.
func (l *Ledger) ReopenDistrictPeriod(ctx context.Context, month time.Time, district, actor, reason string) error {
	if strings.TrimSpace(district) == "" {
		return fmt.Errorf("%w: reopen period %s: district is required", ErrInvalid, month.Format("2006-01"))
	}
	return l.periodEvent(ctx, month, district, "reopen", actor, reason)
}

func (l *Ledger) periodEvent(ctx context.Context, month time.Time, district, action, actor, reason string) error {
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	district = strings.TrimSpace(district)
	what := action + " period " + start.Format("2006-01") + scopeText(district)
	if actor == "" {
		return fmt.Errorf("%w: %s: actor is required", ErrInvalid, what)
	}
	if action == "reopen" && strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%w: %s: a reason is required", ErrInvalid, what)
	}
	var err error
	for attempt := 1; attempt <= maxPeriodEventAttempts; attempt++ {
		err = l.periodEventTx(ctx, start, district, action, actor, reason)
		// A month nobody had posted into has no row to lock yet; the
		// trigger adds it and waits for a poster that is adding it too,
		// then finds that poster's entries unsealed. Now the row is there:
		// a second attempt locks it and seals them first.
		if !errors.Is(err, ErrUnsealed) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// maxPeriodEventAttempts bounds the attempts of a close or reopen that
// found entries of its month unsealed (see periodEvent).
const maxPeriodEventAttempts = 3

func (l *Ledger) periodEventTx(ctx context.Context, start time.Time, district, action, actor, reason string) error {
	return l.inTx(ctx, func(tx *sqlx.Tx) error {
		// Wait for the month's posters to commit and keep new ones out
		// (they share-lock this row), then seal: the head the event
		// records covers every entry of the month, which the database
		// requires (see 00009).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLockKey); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM periods WHERE period = $1 FOR UPDATE`, start.Format(DateLayout)); err != nil {
			return err
		}
		if err := sealAll(ctx, tx); err != nil {
			return fmt.Errorf("seal: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO period_events (period, district, action, actor, reason) VALUES ($1, nullif($2, ''), $3, $4, $5)`,
			start.Format(DateLayout), district, action, actor, reason)
		return err
	})
}

// PeriodEvent is one close or reopen, as recorded, with the head of the
// chain at that moment (empty for events recorded before migration 00009).
type PeriodEvent struct {
	ID          int64     `db:"id" json:"id"`
	Period      time.Time `db:"period" json:"period"`
	District    string    `db:"district" json:"district,omitempty"` // empty: city-wide
	Action      string    `db:"action" json:"action"`
	Actor       string    `db:"actor" json:"actor"`
	Reason      string    `db:"reason" json:"reason"`
	At          time.Time `db:"at" json:"at"`
	HeadHash    string    `db:"head_hash" json:"head_hash,omitempty"`
	HeadBlockID int64     `db:"head_block_id" json:"head_block_id,omitempty"`
	HeadEntryID int64     `db:"head_entry_id" json:"head_entry_id,omitempty"`
}

// Periods lists the months the ledger has seen (posted into or closed) and
// their city-wide state.
func (l *Ledger) Periods(ctx context.Context) ([]Period, error) {
	var out []Period
	if err := l.db.SelectContext(ctx, &out, `SELECT period, closed FROM periods ORDER BY period LIMIT 1200`); err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	return out, nil
}

// DistrictPeriods lists the months districts have closed (or closed and
// reopened), by month and district.
func (l *Ledger) DistrictPeriods(ctx context.Context) ([]DistrictPeriod, error) {
	var out []DistrictPeriod
	if err := l.db.SelectContext(ctx, &out, `SELECT period, district, closed FROM district_periods ORDER BY period, district LIMIT $1`,
		maxPeriodEvents); err != nil {
		return nil, fmt.Errorf("district periods: %w", err)
	}
	return out, nil
}

// PeriodHistory lists every close and reopen, oldest first.
func (l *Ledger) PeriodHistory(ctx context.Context) ([]PeriodEvent, error) {
	var out []PeriodEvent
	if err := l.db.SelectContext(ctx, &out, `
		SELECT id, period, coalesce(district, '') AS district, action, actor, reason, at, coalesce(head_hash, '') AS head_hash,
		       coalesce(head_block_id, 0) AS head_block_id, coalesce(head_entry_id, 0) AS head_entry_id
		  FROM period_events ORDER BY id LIMIT $1`, maxPeriodEvents); err != nil {
		return nil, fmt.Errorf("period history: %w", err)
	}
	return out, nil
}
