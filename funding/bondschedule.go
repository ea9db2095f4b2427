package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// BondRounding states how a schedule's amounts are computed. It is stored
// with every schedule version.
const BondRounding = "interest of a period = outstanding principal at the period's start × coupon rate ÷ periods per year, " +
	"rounded half up to the fen; amortising principal = principal ÷ number of repayment dates, truncated to the fen, " +
	"the last repayment taking the remainder so that the repayments add up exactly to the principal; " +
	"due dates = interest start + 12 (annual) or 6 (semi-annual) months × n, the day clamped to the month's end"

// BondTerms are what a schedule is generated from.
type BondTerms struct {
	InterestStart time.Time
	Principal     decimal.Decimal
	CouponRatePct decimal.Decimal // per cent a year
	TermYears     int
	Frequency     string // BondAnnual or BondSemiAnnual
	Repayment     string // BondBullet, BondAmortising or BondCustom
	GraceYears    int    // amortising: years before the first repayment
	Custom        []BondPrincipalInput
}

// BondScheduleLine is one period of a schedule: interest for the period
// ending on DueDate, and the principal repaid on that date.
type BondScheduleLine struct {
	Seq              int             `db:"seq" json:"seq"`
	PeriodStart      time.Time       `db:"period_start" json:"period_start"`
	DueDate          time.Time       `db:"due_date" json:"due_date"`
	OpeningPrincipal decimal.Decimal `db:"opening_principal" json:"opening_principal"`
	Interest         decimal.Decimal `db:"interest" json:"interest"`
	Principal        decimal.Decimal `db:"principal" json:"principal"`
}

// Total is the line's interest plus principal.
func (l BondScheduleLine) Total() decimal.Decimal { return l.Interest.Add(l.Principal) }

// BondSchedule is a stored schedule version.
type BondSchedule struct {
	Bond          string             `json:"bond"`
	Version       int                `json:"version"`
	EffectiveOn   time.Time          `json:"effective_on"`
	Repayment     string             `json:"repayment"`
	Rounding      string             `json:"rounding"`
	Reason        string             `json:"reason,omitempty"`
	TotalInterest decimal.Decimal    `json:"total_interest"`
	CreatedAt     time.Time          `json:"created_at"`
	CreatedBy     string             `json:"created_by"`
	Lines         []BondScheduleLine `json:"lines"`
}

// bondAddMonths adds n months to t, clamping the day to the end of the
// target month (2020-08-31 + 6 months = 2021-02-28), always from the
// original day, so that a schedule never drifts.
func bondAddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// GenerateBondSchedule computes a bond's schedule from its terms, exactly
// (BondRounding says how):
//
//   - periods: TermYears × (1 or 2); period k runs from the previous due
//     date (the interest start for k = 1) to interest start + k × 12 (or 6)
//     months, the last due date being the maturity;
//   - interest of a period: round-half-up(opening principal × rate ÷ 100 ÷
//     periods per year, 2), a full coupon whatever the number of days;
//   - principal: bullet — everything on the last due date; amortising —
//     equal repayments on every due date after the grace years, each the
//     principal ÷ their number truncated to the fen, the last taking the
//     remainder; custom — the given amounts on the given dates, which must
//     be due dates and add up to the principal.
//
// A custom schedule that repays everything before maturity ends there.
func GenerateBondSchedule(t BondTerms) ([]BondScheduleLine, error) {
	if err := ledger.CheckAmount(t.Principal); err != nil {
		return nil, fmt.Errorf("%w: schedule: principal: %w", ErrInvalid, err)
	}
	if err := checkBondRate(t.CouponRatePct); err != nil {
		return nil, fmt.Errorf("%w: schedule: %w", ErrInvalid, err)
	}
	if t.TermYears < 1 || t.TermYears > 50 {
		return nil, fmt.Errorf("%w: schedule: term of %d years: want 1 to 50", ErrInvalid, t.TermYears)
	}
	if t.Frequency != BondAnnual && t.Frequency != BondSemiAnnual {
		return nil, fmt.Errorf("%w: schedule: frequency %q: want annual or semi-annual", ErrInvalid, t.Frequency)
	}
	if t.InterestStart.IsZero() {
		return nil, fmt.Errorf("%w: schedule: the interest start date is required", ErrInvalid)
	}
	f := bondPeriodsPerYear(t.Frequency)
	n := t.TermYears * f
	start := ledger.Civil(t.InterestStart)
	due := make([]time.Time, n)
	for k := range n {
		due[k] = bondAddMonths(start, (k+1)*12/f)
	}
	principal := make([]decimal.Decimal, n)
	for k := range principal {
		principal[k] = decimal.Zero
	}
	if t.Repayment != BondCustom && len(t.Custom) > 0 {
		return nil, fmt.Errorf("%w: schedule: a custom principal schedule is given but repayment is %s (want custom)", ErrInvalid, t.Repayment)
	}
	switch t.Repayment {
	case BondBullet:
		if t.GraceYears != 0 {
			return nil, fmt.Errorf("%w: schedule: grace years apply to amortising bonds only", ErrInvalid)
		}
		principal[n-1] = t.Principal
	case BondAmortising:
		if t.GraceYears < 0 || t.GraceYears >= t.TermYears {
			return nil, fmt.Errorf("%w: schedule: %d grace years: want 0 to %d for a %d-year bond", ErrInvalid, t.GraceYears, t.TermYears-1, t.TermYears)
		}
		first := t.GraceYears * f
		m := int64(n - first)
		each := t.Principal.Div(decimal.NewFromInt(m)).Truncate(2)
		if !each.IsPositive() {
			return nil, fmt.Errorf("%w: schedule: principal %s is too small to repay over %d dates", ErrInvalid, t.Principal.StringFixed(2), m)
		}
		for k := first; k < n-1; k++ {
			principal[k] = each
		}
		principal[n-1] = t.Principal.Sub(each.Mul(decimal.NewFromInt(m - 1)))
	case BondCustom:
		if t.GraceYears != 0 {
			return nil, fmt.Errorf("%w: schedule: grace years apply to amortising bonds only", ErrInvalid)
		}
		if len(t.Custom) == 0 || len(t.Custom) > MaxBondCustomLines {
			return nil, fmt.Errorf("%w: schedule: a custom schedule needs 1 to %d repayments", ErrInvalid, MaxBondCustomLines)
		}
		index := make(map[time.Time]int, n)
		for k, d := range due {
			index[d] = k
		}
		sum := decimal.Zero
		for i, c := range t.Custom {
			on := ledger.Civil(c.Date)
			k, ok := index[on]
			if !ok {
				return nil, fmt.Errorf("%w: schedule: custom repayment %d on %s is not an interest due date (due dates: %s)", ErrInvalid, i+1,
					on.Format(ledger.DateLayout), bondDueDateList(due))
			}
			if err := ledger.CheckAmount(c.Amount); err != nil {
				return nil, fmt.Errorf("%w: schedule: custom repayment %d on %s: %w", ErrInvalid, i+1, on.Format(ledger.DateLayout), err)
			}
			if !principal[k].IsZero() {
				return nil, fmt.Errorf("%w: schedule: two custom repayments on %s", ErrInvalid, on.Format(ledger.DateLayout))
			}
			principal[k] = c.Amount
			sum = sum.Add(c.Amount)
		}
		if !sum.Equal(t.Principal) {
			return nil, fmt.Errorf("%w: schedule: custom repayments add up to %s, not to the principal %s", ErrInvalid,
				sum.StringFixed(2), t.Principal.StringFixed(2))
		}
	default:
		return nil, fmt.Errorf("%w: schedule: repayment %q: want bullet, amortising or custom", ErrInvalid, t.Repayment)
	}
	divisor := decimal.NewFromInt(int64(100 * f))
	lines := make([]BondScheduleLine, 0, n)
	outstanding := t.Principal
	prev := start
	for k := 0; k < n && outstanding.IsPositive(); k++ {
		lines = append(lines, BondScheduleLine{
			Seq: k + 1, PeriodStart: prev, DueDate: due[k], OpeningPrincipal: outstanding,
			// Exact: the quotient of two decimals by 100 or 200 terminates,
			// so DivRound rounds the true value half up (away from zero).
			Interest:  outstanding.Mul(t.CouponRatePct).DivRound(divisor, 2),
			Principal: principal[k],
		})
		outstanding = outstanding.Sub(principal[k])
		prev = due[k]
	}
	return lines, nil
}

func bondDueDateList(due []time.Time) string {
	var s []string
	for i, d := range due {
		if i == 6 && len(due) > 8 {
			s = append(s, fmt.Sprintf("… %d more", len(due)-6))
			break
		}
		s = append(s, d.Format(ledger.DateLayout))
	}
	return strings.Join(s, ", ")
}

func sameBondLines(a, b []BondScheduleLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameBondLine(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameBondLine(a, b BondScheduleLine) bool {
	return a.Seq == b.Seq && a.PeriodStart.Equal(b.PeriodStart) && a.DueDate.Equal(b.DueDate) &&
		a.OpeningPrincipal.Equal(b.OpeningPrincipal) && a.Interest.Equal(b.Interest) && a.Principal.Equal(b.Principal)
}

func bondTotalInterest(lines []BondScheduleLine) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range lines {
		sum = sum.Add(l.Interest)
	}
	return sum
}

// insertBondSchedule stores a schedule version; the database checks at
// commit that it is whole (migrations/00003_bonds.sql).
func insertBondSchedule(ctx context.Context, tx *sqlx.Tx, bond string, version int, effective time.Time, repayment, reason string,
	lines []BondScheduleLine, actor string) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO bond_schedules (bond, version, effective_on, repayment, rounding, total_interest, reason, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		bond, version, effective.Format(ledger.DateLayout), repayment, BondRounding, bondTotalInterest(lines).StringFixed(2), reason, actor); err != nil {
		return err
	}
	n := len(lines)
	seqs, starts, dues := make([]int64, n), make([]string, n), make([]string, n)
	opening, interest, principal := make([]string, n), make([]string, n), make([]string, n)
	for i, l := range lines {
		seqs[i], starts[i], dues[i] = int64(l.Seq), l.PeriodStart.Format(ledger.DateLayout), l.DueDate.Format(ledger.DateLayout)
		opening[i], interest[i], principal[i] = l.OpeningPrincipal.StringFixed(2), l.Interest.StringFixed(2), l.Principal.StringFixed(2)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO bond_schedule_lines (bond, version, seq, period_start, due_date, opening_principal, interest, principal)
		SELECT $1, $2, * FROM unnest($3::int[], $4::date[], $5::date[], $6::numeric[], $7::numeric[], $8::numeric[])`,
		bond, version, pq.Array(seqs), pq.Array(starts), pq.Array(dues), pq.Array(opening), pq.Array(interest), pq.Array(principal))
	return err
}

// BondSchedule returns a stored schedule version of a bond (0: the newest).
func (p *Programme) BondSchedule(ctx context.Context, bond string, version int) (BondSchedule, error) {
	return loadBondSchedule(ctx, p.db, bond, version, time.Time{})
}

// loadBondSchedule loads version (0: the newest; with asOf set, the newest
// effective on or before asOf, else version 1).
func loadBondSchedule(ctx context.Context, db sqlx.QueryerContext, bond string, version int, asOf time.Time) (BondSchedule, error) {
	head, err := loadScheduleHead(ctx, db, scheduleOfBond, bond, version, asOf)
	if errors.Is(err, sql.ErrNoRows) {
		return BondSchedule{}, fmt.Errorf("schedule of bond %q (version %d): %w", bond, version, ErrNotFound)
	}
	if err != nil {
		return BondSchedule{}, fmt.Errorf("schedule of bond %s: %w", bond, err)
	}
	s := BondSchedule{Bond: bond, Version: head.Version, EffectiveOn: ledger.Civil(head.EffectiveOn), Repayment: head.Repayment, Rounding: head.Rounding,
		Reason: head.Reason, TotalInterest: head.TotalInterest, CreatedAt: head.CreatedAt, CreatedBy: head.CreatedBy}
	if err := sqlx.SelectContext(ctx, db, &s.Lines, `
		SELECT seq, period_start, due_date, opening_principal, interest, principal FROM bond_schedule_lines
		 WHERE bond = $1 AND version = $2 ORDER BY seq`, bond, head.Version); err != nil {
		return BondSchedule{}, fmt.Errorf("schedule of bond %s: %w", bond, err)
	}
	for i := range s.Lines {
		s.Lines[i].PeriodStart, s.Lines[i].DueDate = ledger.Civil(s.Lines[i].PeriodStart), ledger.Civil(s.Lines[i].DueDate)
	}
	return s, nil
}

// BondRevisionRequest revises a bond's principal repayments: a new schedule
// version generated from the bond's rate, term and frequency with the new
// repayment method.
type BondRevisionRequest struct {
	Bond        string               `json:"bond" validate:"required"`
	EffectiveOn time.Time            `json:"effective_on" validate:"required"`
	Repayment   string               `json:"repayment" validate:"required,oneof=bullet amortising custom"`
	GraceYears  int                  `json:"grace_years" validate:"gte=0,lte=49"`
	Custom      []BondPrincipalInput `json:"custom_schedule" validate:"max=200,dive"`
	Reason      string               `json:"reason" validate:"required,max=500"`
	Actor       string               `json:"actor" validate:"required"`
}

// ReviseBondSchedule stores a new schedule version. Nothing already
// accrued or paid may change: every line due on or before the last accrual
// or payment must be identical in the new version, and the new version
// takes effect no earlier than the current one.
func (p *Programme) ReviseBondSchedule(ctx context.Context, r BondRevisionRequest) (BondSchedule, error) {
	what := fmt.Sprintf("revise the schedule of bond %s", r.Bond)
	if err := checkInput(what, r); err != nil {
		return BondSchedule{}, err
	}
	b, err := p.Bond(ctx, r.Bond)
	if err != nil {
		return BondSchedule{}, fmt.Errorf("%s: %w", what, err)
	}
	t := b.terms(r.Custom)
	t.Repayment, t.GraceYears = r.Repayment, r.GraceYears
	lines, err := GenerateBondSchedule(t)
	if err != nil {
		return BondSchedule{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.EffectiveOn)
	var version int
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockBond(ctx, tx, b.Code); err != nil {
			return err
		}
		cur, err := loadBondSchedule(ctx, tx, b.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		if on.Before(cur.EffectiveOn) {
			return fmt.Errorf("%w: the current version %d takes effect on %s; a revision cannot take effect before it", ErrInvalid,
				cur.Version, cur.EffectiveOn.Format(ledger.DateLayout))
		}
		var last sql.NullTime
		if err := tx.GetContext(ctx, &last, `
			SELECT max(due_date) FROM (SELECT due_date FROM bond_accruals WHERE bond = $1
			                           UNION ALL SELECT due_date FROM bond_payments WHERE bond = $1) x`, b.Code); err != nil {
			return err
		}
		if last.Valid {
			done := ledger.Civil(last.Time)
			for i, l := range cur.Lines {
				if l.DueDate.After(done) {
					break
				}
				if i >= len(lines) || !sameBondLine(l, lines[i]) {
					return fmt.Errorf("%w: the period due on %s was already accrued or paid and would change", ErrStatus, l.DueDate.Format(ledger.DateLayout))
				}
			}
		}
		if sameBondLines(cur.Lines, lines) && cur.Repayment == r.Repayment {
			version = cur.Version
			return nil
		}
		version = cur.Version + 1
		return insertBondSchedule(ctx, tx, b.Code, version, on, r.Repayment, r.Reason, lines, r.Actor)
	})
	if err != nil {
		return BondSchedule{}, fmt.Errorf("%s: %w", what, err)
	}
	return p.BondSchedule(ctx, b.Code, version)
}
