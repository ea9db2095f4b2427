package funding

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// dueAmount is a schedule line's due date and what it asks to be paid
// (interest plus principal).
type dueAmount struct {
	DueDate time.Time
	Total   decimal.Decimal
}

// payableLineInTx finds the line due on due among the lines (in due-date
// order) of schedule version of code, owned by scheduleOfBond or
// scheduleOfLoan, and checks that every earlier line with something to
// pay is recorded in <owner>_payments. It returns the line's index; no
// line due then is ErrNotFound naming the due dates, an earlier line not
// paid ErrStatus naming it.
func payableLineInTx(ctx context.Context, tx *sqlx.Tx, owner, code string, version int, lines []dueAmount, due time.Time) (int, error) {
	at := -1
	var dues []time.Time
	for i, x := range lines {
		dues = append(dues, x.DueDate)
		if at < 0 && x.DueDate.Equal(due) {
			at = i
		}
	}
	if at < 0 {
		return 0, fmt.Errorf("%w: nothing is due on %s under schedule version %d (due dates: %s)", ErrNotFound, due.Format(ledger.DateLayout),
			version, bondDueDateList(dues))
	}
	var paid []time.Time
	if err := tx.SelectContext(ctx, &paid, `SELECT due_date FROM `+owner+`_payments WHERE `+owner+` = $1`, code); err != nil {
		return 0, err
	}
	isPaid := map[time.Time]bool{}
	for _, d := range paid {
		isPaid[ledger.Civil(d)] = true
	}
	for _, x := range lines {
		if !x.DueDate.Before(due) {
			break
		}
		if !isPaid[x.DueDate] && x.Total.IsPositive() {
			return 0, fmt.Errorf("%w: the payment due on %s (%s) is not recorded; pay it first", ErrStatus, x.DueDate.Format(ledger.DateLayout),
				x.Total.StringFixed(2))
		}
	}
	return at, nil
}
