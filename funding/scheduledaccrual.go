package funding

import (
	"context"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// accrualLine is one schedule line of a bond or a loan, as far as accruing
// its interest needs it.
type accrualLine struct {
	Seq         int
	PeriodStart time.Time
	DueDate     time.Time
	Interest    decimal.Decimal
	// Metadata is the owner's own entry metadata for the line, besides
	// kind, the owner's code, due_date, seq and schedule_version.
	Metadata map[string]string
}

// postedAccrual is an accrual accrueScheduledInTx posted.
type postedAccrual struct {
	DueDate  time.Time
	Seq      int
	Interest decimal.Decimal
	EntryID  int64
}

// accrueScheduledInTx posts the interest accruals (计提利息) of the lines of
// schedule version of code, owned by scheduleOfBond or scheduleOfLoan, due
// on or before through and not accrued yet (<owner>_accruals), at most
// most of them: one financial entry a line, Dr expense / Cr payable, keyed
// <owner>:<code>:accrual:<due date>, and its <owner>_accruals row.
func accrueScheduledInTx(ctx context.Context, tx *sqlx.Tx, owner, code string, version int, lines []accrualLine, through time.Time, most int,
	expense, payable, actor string) ([]postedAccrual, error) {
	var done []time.Time
	if err := tx.SelectContext(ctx, &done, `SELECT due_date FROM `+owner+`_accruals WHERE `+owner+` = $1`, code); err != nil {
		return nil, err
	}
	accrued := map[time.Time]bool{}
	for _, d := range done {
		accrued[ledger.Civil(d)] = true
	}
	var out []postedAccrual
	var entries []ledger.Entry
	for _, x := range lines {
		if x.DueDate.After(through) || len(out) == most {
			break
		}
		if accrued[x.DueDate] || !x.Interest.IsPositive() {
			continue
		}
		due := x.DueDate.Format(ledger.DateLayout)
		meta := map[string]string{"kind": owner + "_accrual", owner: code, "due_date": due, "seq": strconv.Itoa(x.Seq),
			"schedule_version": strconv.Itoa(version)}
		for k, v := range x.Metadata {
			meta[k] = v
		}
		entries = append(entries, ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: x.DueDate,
			Memo: autoMemo(meta, MemoAccrual, "计提利息：%s %s，%s 至 %s 的利息", memoArg{ledger.MemoArgText + owner, map[string]string{"loan": "贷款", "bond": "债券"}[owner]},
				txtArg(code), txtArg(x.PeriodStart.Format(ledger.DateLayout)), txtArg(due)),
			Actor: actor, IdempotencyKey: owner + ":" + code + ":accrual:" + due, Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: expense, Side: ledger.Debit, Amount: x.Interest},
				{AccountCode: payable, Side: ledger.Credit, Amount: x.Interest}}})
		out = append(out, postedAccrual{DueDate: x.DueDate, Seq: x.Seq, Interest: x.Interest})
	}
	if len(entries) == 0 {
		return nil, nil
	}
	posted, err := ledger.PostInTx(ctx, tx, entries)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].EntryID = posted[i].ID
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO `+owner+`_accruals (`+owner+`, due_date, schedule_version, seq, interest, entry_id, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			code, out[i].DueDate.Format(ledger.DateLayout), version, out[i].Seq, out[i].Interest.StringFixed(2), out[i].EntryID, actor); err != nil {
			return nil, err
		}
	}
	return out, nil
}
