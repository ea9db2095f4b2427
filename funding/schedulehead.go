package funding

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// scheduleHead is the stored head of one schedule version of a bond or a
// loan (bond_schedules, loan_schedules: the same columns, keyed by the
// bond's or the loan's code).
type scheduleHead struct {
	Version       int             `db:"version"`
	EffectiveOn   time.Time       `db:"effective_on"`
	Repayment     string          `db:"repayment"`
	Rounding      string          `db:"rounding"`
	Reason        string          `db:"reason"`
	TotalInterest decimal.Decimal `db:"total_interest"`
	CreatedAt     time.Time       `db:"created_at"`
	CreatedBy     string          `db:"created_by"`
}

// Whose schedule it is: the owner column of the schedule's tables
// (<owner>_schedules, <owner>_accruals) and the first word of its keys.
const (
	scheduleOfBond = "bond"
	scheduleOfLoan = "loan"
)

// loadScheduleHead reads the head of version (0: the newest; with asOf
// set, the newest effective on or before asOf, else version 1) of the
// schedule of code, owned by scheduleOfBond or scheduleOfLoan. None is
// sql.ErrNoRows, unwrapped, for the caller to name.
func loadScheduleHead(ctx context.Context, db sqlx.QueryerContext, owner, code string, version int, asOf time.Time) (scheduleHead, error) {
	var head scheduleHead
	err := sqlx.GetContext(ctx, db, &head, `
		SELECT version, effective_on, repayment, rounding, reason, total_interest, created_at, created_by FROM `+owner+`_schedules
		 WHERE `+owner+` = $1 AND ($2 = 0 OR version = $2)
		 ORDER BY ($3::date IS NULL OR effective_on <= $3::date OR version = 1) DESC, version DESC LIMIT 1`,
		code, version, ledger.SQLDate(asOf))
	return head, err
}
