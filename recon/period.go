package recon

import (
	"fmt"
	"strings"
	"time"

	"fundledger/ledger"
)

// Period is a closed range of days.
type Period struct {
	From, To time.Time
}

// String writes a month as YYYY-MM, a year as YYYY, else FROM..TO.
func (p Period) String() string {
	y, m, d := p.From.Date()
	if d == 1 && p.To.Equal(p.From.AddDate(0, 1, -1)) {
		return fmt.Sprintf("%04d-%02d", y, int(m))
	}
	if d == 1 && m == time.January && p.To.Equal(p.From.AddDate(1, 0, -1)) {
		return fmt.Sprintf("%04d", y)
	}
	return p.From.Format(ledger.DateLayout) + ".." + p.To.Format(ledger.DateLayout)
}

// Contains reports whether day t lies in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && !t.After(p.To) }

// ParsePeriod reads a month (2021-03), a year (2021) or a range of days
// (2021-03-01..2021-03-15).
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if from, to, ok := strings.Cut(s, ".."); ok {
		f, err := ledger.ParseDate(from)
		if err != nil {
			return Period{}, fmt.Errorf("%w: period %q", ErrPeriod, s)
		}
		t, err := ledger.ParseDate(to)
		if err != nil || t.Before(f) {
			return Period{}, fmt.Errorf("%w: period %q: want FROM..TO with TO on or after FROM", ErrPeriod, s)
		}
		return Period{f, t}, nil
	}
	if t, err := time.ParseInLocation("2006-01", s, time.UTC); err == nil {
		return Period{t, t.AddDate(0, 1, -1)}, nil
	}
	if t, err := time.ParseInLocation("2006", s, time.UTC); err == nil {
		return Period{t, t.AddDate(1, 0, -1)}, nil
	}
	return Period{}, fmt.Errorf("%w: period %q: want YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD", ErrPeriod, s)
}
