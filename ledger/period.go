package ledger

import (
	"context"
	"fmt"
	"time"
)

// Period is a calendar month, written YYYY-MM.
type Period struct {
	Start  time.Time `db:"period" json:"start"`
	Closed bool      `db:"closed" json:"closed"`
}

func (p Period) String() string { return p.Start.Format("2006-01") }

// ParsePeriod parses YYYY-MM.
func ParsePeriod(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: period %q: want YYYY-MM", ErrInvalid, s)
	}
	return t, nil
}

// ClosePeriod closes a month: no entry dated in it is accepted afterwards.
// It waits for entries being posted in that month to commit first.
func (l *Ledger) ClosePeriod(ctx context.Context, month time.Time, actor, reason string) error {
	return l.periodEvent(ctx, month, "close", actor, reason)
}

// ReopenPeriod reopens a closed month; the reason is required and recorded.
func (l *Ledger) ReopenPeriod(ctx context.Context, month time.Time, actor, reason string) error {
	if reason == "" {
		return fmt.Errorf("%w: reopen period %s: a reason is required", ErrInvalid, month.Format("2006-01"))
	}
	return l.periodEvent(ctx, month, "reopen", actor, reason)
}

func (l *Ledger) periodEvent(ctx context.Context, month time.Time, action, actor, reason string) error {
	if actor == "" {
		return fmt.Errorf("%w: %s period: actor is required", ErrInvalid, action)
	}
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	_, err := l.db.ExecContext(ctx, `INSERT INTO period_events (period, action, actor, reason) VALUES ($1, $2, $3, $4)`,
		start.Format(DateLayout), action, actor, reason)
	if err != nil {
		return fmt.Errorf("%s period %s: %w", action, start.Format("2006-01"), dbError(err))
	}
	return nil
}

// PeriodEvent is one close or reopen, as recorded.
type PeriodEvent struct {
	Period time.Time `db:"period" json:"period"`
	Action string    `db:"action" json:"action"`
	Actor  string    `db:"actor" json:"actor"`
	Reason string    `db:"reason" json:"reason"`
	At     time.Time `db:"at" json:"at"`
}

// Periods lists the months the ledger has seen (posted into or closed) and
// their state.
func (l *Ledger) Periods(ctx context.Context) ([]Period, error) {
	var out []Period
	if err := l.db.SelectContext(ctx, &out, `SELECT period, closed FROM periods ORDER BY period LIMIT 1200`); err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	return out, nil
}

// PeriodHistory lists every close and reopen, oldest first.
func (l *Ledger) PeriodHistory(ctx context.Context) ([]PeriodEvent, error) {
	var out []PeriodEvent
	if err := l.db.SelectContext(ctx, &out, `SELECT period, action, actor, reason, at FROM period_events ORDER BY id LIMIT 10000`); err != nil {
		return nil, fmt.Errorf("period history: %w", err)
	}
	return out, nil
}
