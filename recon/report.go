package recon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// MaxReportItems bounds each list of reconciling items in a report (the
// totals cover every item).
const MaxReportItems = 2000

// ReportItem is a statement line or a posting that is a reconciling item
// at the end of the period (未达账项).
type ReportItem struct {
	LineID       int64           `json:"line_id,omitempty"`
	Posting      *PostingRef     `json:"posting,omitempty"`
	Date         time.Time       `json:"date"`
	Direction    string          `json:"direction"` // In or Out
	Amount       decimal.Decimal `json:"amount"`
	Reference    string          `json:"reference,omitempty"`
	Counterparty string          `json:"counterparty,omitempty"` // the line's counterparty, the payment's payee
	Memo         string          `json:"memo,omitempty"`
	// MatchID is set when the item is matched, but to items dated after
	// the period: at the period end it is still outstanding.
	MatchID int64 `json:"match_id,omitempty"`
}

// Reconciling is one side's list of reconciling items with its total.
type Reconciling struct {
	Items     []ReportItem    `json:"items"`
	Count     int             `json:"count"`
	Total     decimal.Decimal `json:"total"`
	Truncated bool            `json:"truncated,omitempty"`
}

func (r *Reconciling) add(it ReportItem) {
	r.Count++
	r.Total = r.Total.Add(it.Amount)
	if len(r.Items) < MaxReportItems {
		r.Items = append(r.Items, it)
	} else {
		r.Truncated = true
	}
}

// Report is the reconciliation of a bank account for a period: what is
// matched, and the bank reconciliation statement (银行存款余额调节表) at
// the period's end.
type Report struct {
	BankAccount string    `json:"bank_account"`
	Name        string    `json:"name"`
	Bank        string    `json:"bank"`
	Number      string    `json:"number"`
	Period      string    `json:"period"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`

	// Activity of the period.
	Lines           int             `json:"lines"` // statement lines dated in the period
	MatchedLines    int             `json:"matched_lines"`
	MatchedLinesAmt decimal.Decimal `json:"matched_lines_amount"`
	Postings        int             `json:"postings"` // cash postings dated in the period
	MatchedPosts    int             `json:"matched_postings"`
	MatchedPostsAmt decimal.Decimal `json:"matched_postings_amount"`
	Matches         int             `json:"matches"` // active matches with an item in the period

	// The reconciliation statement at To.
	BookBalance decimal.Decimal `json:"book_balance"` // 企业银行存款日记账余额
	BankBalance decimal.Decimal `json:"bank_balance"` // 银行对账单余额
	// BankBalanceFrom says where the bank balance comes from: "statement"
	// (the running balance of the last line, plus any later lines of the
	// period that list none), "lines" (no line lists a balance: the sum of
	// every imported line, as if the account opened at zero), or "none".
	BankBalanceFrom string          `json:"bank_balance_from"`
	BankIn          Reconciling     `json:"bank_received_not_booked"` // 银行已收、企业未收
	BankOut         Reconciling     `json:"bank_paid_not_booked"`     // 银行已付、企业未付
	BookIn          Reconciling     `json:"booked_received_not_bank"` // 企业已收、银行未收
	BookOut         Reconciling     `json:"booked_paid_not_bank"`     // 企业已付、银行未付
	AdjustedBook    decimal.Decimal `json:"adjusted_book_balance"`
	AdjustedBank    decimal.Decimal `json:"adjusted_bank_balance"`
	Difference      decimal.Decimal `json:"difference"` // adjusted book − adjusted bank; zero when reconciled

	// What a matching run would leave for a person now (a dry run).
	IssueCount int     `json:"issue_count"`
	Issues     []Issue `json:"issues,omitempty"`
}

// Agrees reports whether the adjusted balances agree.
func (r Report) Agrees() bool { return r.Difference.IsZero() }

// ReportRequest asks for a reconciliation report.
type ReportRequest struct {
	BankAccount string
	Period      Period
	WindowDays  int // for the dry run that lists the open issues
}

// activeItems lists the items of the bank account's active matches with
// their dates; $1 the bank account.
const activeItems = `
	SELECT i.match_id, i.line_id, i.entry_id, i.posting_line, greatest(l.value_date, p.effective_date) AS day
	  FROM recon_match_items i
	  JOIN recon_matches m ON m.id = i.match_id AND m.bank_account = $1
	  LEFT JOIN recon_statement_lines l ON l.id = i.line_id
	  LEFT JOIN postings p ON p.entry_id = i.entry_id AND p.line = i.posting_line
	 WHERE i.active`

// Report builds the reconciliation of a bank account for a period.
//
// A match is cleared at the period end when every one of its items is
// dated on or before it. The reconciling items are the lines and postings
// dated on or before the period end that are not in a cleared match: those
// never matched, and those matched to items dated later (in transit).
// Then
//
//	adjusted book = book balance + bank received, not booked − bank paid, not booked
//	adjusted bank = bank balance + booked received, not at the bank − booked paid, not at the bank
//
// and the two agree when every line and posting up to the period end is
// accounted for; otherwise Difference shows by how much they do not.
func (r *Recon) Report(ctx context.Context, req ReportRequest) (Report, error) {
	var rep Report
	var acct struct {
		Code   string `db:"code"`
		Name   string `db:"name"`
		Bank   string `db:"bank"`
		Number string `db:"number"`
	}
	err := r.db.GetContext(ctx, &acct, `SELECT code, name, bank, number FROM bank_accounts WHERE code = $1`, req.BankAccount)
	rep.BankAccount, rep.Name, rep.Bank, rep.Number = acct.Code, acct.Name, acct.Bank, acct.Number
	if errors.Is(err, sql.ErrNoRows) {
		return rep, fmt.Errorf("%w: bank account %q", ErrBankAccountUnknown, req.BankAccount)
	}
	if err != nil {
		return rep, fmt.Errorf("recon report: %w", err)
	}
	rep.Period, rep.From, rep.To = req.Period.String(), req.Period.From, req.Period.To
	from, to := req.Period.From.Format(ledger.DateLayout), req.Period.To.Format(ledger.DateLayout)
	fail := func(err error) (Report, error) {
		return Report{}, fmt.Errorf("recon report %s %s: %w", req.BankAccount, req.Period, err)
	}

	// Activity of the period.
	var act struct {
		Lines      int             `db:"lines"`
		Matched    int             `db:"matched"`
		MatchedAmt decimal.Decimal `db:"matched_amt"`
	}
	if err := r.db.GetContext(ctx, &act, `
		WITH am AS (`+activeItems+`)
		SELECT count(*) AS lines, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM am WHERE am.line_id = l.id)) AS matched,
		       coalesce(sum(l.amount) FILTER (WHERE EXISTS (SELECT 1 FROM am WHERE am.line_id = l.id)), 0) AS matched_amt
		  FROM recon_statement_lines l
		 WHERE l.bank_account = $1 AND l.value_date BETWEEN $2 AND $3`, req.BankAccount, from, to); err != nil {
		return fail(err)
	}
	rep.Lines, rep.MatchedLines, rep.MatchedLinesAmt = act.Lines, act.Matched, act.MatchedAmt
	if err := r.db.GetContext(ctx, &act, `
		WITH am AS (`+activeItems+`)
		SELECT count(*) AS lines,
		       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM am WHERE am.entry_id = p.entry_id AND am.posting_line = p.line)) AS matched,
		       coalesce(sum(p.amount) FILTER (WHERE EXISTS (SELECT 1 FROM am WHERE am.entry_id = p.entry_id AND am.posting_line = p.line)), 0) AS matched_amt
		`+cashFrom+`
		 WHERE `+cashWhere+` AND p.effective_date BETWEEN $2 AND $3`, req.BankAccount, from, to); err != nil {
		return fail(err)
	}
	rep.Postings, rep.MatchedPosts, rep.MatchedPostsAmt = act.Lines, act.Matched, act.MatchedAmt
	if err := r.db.GetContext(ctx, &rep.Matches, `
		WITH am AS (`+activeItems+`)
		SELECT count(DISTINCT am.match_id) FROM am
		  LEFT JOIN recon_statement_lines l ON l.id = am.line_id
		  LEFT JOIN postings p ON p.entry_id = am.entry_id AND p.line = am.posting_line
		 WHERE l.value_date BETWEEN $2 AND $3 OR p.effective_date BETWEEN $2 AND $3`, req.BankAccount, from, to); err != nil {
		return fail(err)
	}

	// Book balance: the bank account's cash postings up to the period end.
	if err := r.db.GetContext(ctx, &rep.BookBalance, `
		SELECT coalesce(sum(CASE WHEN p.side = 'D' THEN p.amount ELSE -p.amount END), 0)
		`+cashFrom+` WHERE `+cashWhere+` AND p.effective_date <= $2`, req.BankAccount, to); err != nil {
		return fail(err)
	}

	// Bank balance: the last listed running balance up to the period end,
	// plus the lines after it that list none.
	var last struct {
		ID      int64           `db:"id"`
		Day     time.Time       `db:"value_date"`
		Balance decimal.Decimal `db:"balance"`
	}
	err = r.db.GetContext(ctx, &last, `SELECT id, value_date, balance FROM recon_statement_lines
		WHERE bank_account = $1 AND value_date <= $2 AND balance IS NOT NULL ORDER BY value_date DESC, id DESC LIMIT 1`, req.BankAccount, to)
	signedSum := `coalesce(sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END), 0)`
	switch {
	case err == nil:
		var after decimal.Decimal
		if err := r.db.GetContext(ctx, &after, `SELECT `+signedSum+` FROM recon_statement_lines
			WHERE bank_account = $1 AND value_date <= $2 AND (value_date, id) > ($3::date, $4)`,
			req.BankAccount, to, last.Day.Format(ledger.DateLayout), last.ID); err != nil {
			return fail(err)
		}
		rep.BankBalance, rep.BankBalanceFrom = last.Balance.Add(after), "statement"
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := r.db.GetContext(ctx, &n, `SELECT count(*) FROM recon_statement_lines WHERE bank_account = $1 AND value_date <= $2`, req.BankAccount, to); err != nil {
			return fail(err)
		}
		rep.BankBalanceFrom = "none"
		if n > 0 {
			if err := r.db.GetContext(ctx, &rep.BankBalance, `SELECT `+signedSum+` FROM recon_statement_lines
				WHERE bank_account = $1 AND value_date <= $2`, req.BankAccount, to); err != nil {
				return fail(err)
			}
			rep.BankBalanceFrom = "lines"
		}
	default:
		return fail(err)
	}

	// Reconciling items.
	lateMatches := `late AS (SELECT match_id FROM am GROUP BY match_id HAVING max(day) > $2)`
	var lines []struct {
		ID           int64           `db:"id"`
		Day          time.Time       `db:"value_date"`
		Direction    string          `db:"direction"`
		Amount       decimal.Decimal `db:"amount"`
		Reference    string          `db:"reference"`
		Counterparty string          `db:"counterparty"`
		Memo         string          `db:"memo"`
		MatchID      sql.NullInt64   `db:"match_id"`
	}
	if err := r.db.SelectContext(ctx, &lines, `
		WITH am AS (`+activeItems+`), `+lateMatches+`
		SELECT l.id, l.value_date, l.direction, l.amount, l.reference, l.counterparty, l.memo, am.match_id
		  FROM recon_statement_lines l
		  LEFT JOIN am ON am.line_id = l.id
		 WHERE l.bank_account = $1 AND l.value_date <= $2
		   AND (am.match_id IS NULL OR am.match_id IN (SELECT match_id FROM late))
		 ORDER BY l.value_date, l.id`, req.BankAccount, to); err != nil {
		return fail(err)
	}
	for _, l := range lines {
		it := ReportItem{LineID: l.ID, Date: l.Day, Direction: l.Direction, Amount: l.Amount, Reference: l.Reference,
			Counterparty: l.Counterparty, Memo: l.Memo, MatchID: l.MatchID.Int64}
		if l.Direction == In {
			rep.BankIn.add(it)
		} else {
			rep.BankOut.add(it)
		}
	}
	var posts []struct {
		Entry     int64           `db:"entry_id"`
		Line      int             `db:"line"`
		Day       time.Time       `db:"effective_date"`
		Side      string          `db:"side"`
		Amount    decimal.Decimal `db:"amount"`
		Reference string          `db:"reference"`
		Payee     string          `db:"payee"`
		Memo      string          `db:"memo"`
		MatchID   sql.NullInt64   `db:"match_id"`
	}
	if err := r.db.SelectContext(ctx, &posts, `
		WITH am AS (`+activeItems+`), `+lateMatches+`
		SELECT p.entry_id, p.line, p.effective_date, p.side, p.amount, `+postingRefExpr+` AS reference,
		       coalesce(e.metadata->>'payee', o.metadata->>'payee', '') AS payee, e.memo, am.match_id
		`+cashFrom+`
		  LEFT JOIN am ON am.entry_id = p.entry_id AND am.posting_line = p.line
		 WHERE `+cashWhere+` AND p.effective_date <= $2
		   AND (am.match_id IS NULL OR am.match_id IN (SELECT match_id FROM late))
		 ORDER BY p.effective_date, p.entry_id, p.line`, req.BankAccount, to); err != nil {
		return fail(err)
	}
	for _, p := range posts {
		ref := PostingRef{EntryID: p.Entry, Line: p.Line}
		it := ReportItem{Posting: &ref, Date: p.Day, Amount: p.Amount, Reference: p.Reference, Counterparty: p.Payee, Memo: p.Memo,
			MatchID: p.MatchID.Int64}
		if p.Side == string(ledger.Debit) {
			it.Direction = In
			rep.BookIn.add(it)
		} else {
			it.Direction = Out
			rep.BookOut.add(it)
		}
	}
	rep.AdjustedBook = rep.BookBalance.Add(rep.BankIn.Total).Sub(rep.BankOut.Total)
	rep.AdjustedBank = rep.BankBalance.Add(rep.BookIn.Total).Sub(rep.BookOut.Total)
	rep.Difference = rep.AdjustedBook.Sub(rep.AdjustedBank)

	window := req.WindowDays
	if window < 0 || window > MaxWindowDays {
		window = DefaultWindowDays
	}
	dry, err := r.Run(ctx, RunRequest{BankAccount: req.BankAccount, Period: req.Period, WindowDays: window, DryRun: true})
	if err != nil {
		return Report{}, err
	}
	rep.IssueCount, rep.Issues = dry.IssueCount, dry.Issues
	return rep, nil
}
