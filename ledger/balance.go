package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Balance returns an account's balance on its normal side at the end of
// asOf (zero time: everything posted). It sums the account's day totals, not
// its postings.
func (l *Ledger) Balance(ctx context.Context, code string, asOf time.Time) (decimal.Decimal, error) {
	a, err := l.Account(ctx, code)
	if err != nil {
		return decimal.Zero, err
	}
	var net decimal.Decimal
	if err := l.db.GetContext(ctx, &net, `
		SELECT coalesce(sum(debit - credit), 0) FROM account_day_balances
		 WHERE account_id = $1 AND ($2::date IS NULL OR day <= $2::date)`, a.ID, SQLDate(asOf)); err != nil {
		return decimal.Zero, fmt.Errorf("balance of %s: %w", code, err)
	}
	if a.NormalSide == Credit {
		net = net.Neg()
	}
	return net, nil
}

// SQLDate is a date query argument: YYYY-MM-DD, or NULL for the zero time
// ("no bound").
func SQLDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(DateLayout)
}

// Dimension names that Balances can group by.
const (
	ByAccount  = "account"
	ByType     = "type"
	ByDistrict = "district"
	ByProject  = "project"
	BySource   = "source"
	ByCategory = "category"
	ByBond     = "bond"
)

var groupColumns = map[string]string{
	ByAccount: "a.code", ByType: "a.type", ByDistrict: "coalesce(a.district, '')", ByProject: "coalesce(a.project, '')",
	BySource: "coalesce(a.source, '')", ByCategory: "coalesce(a.category, '')", ByBond: "coalesce(a.bond, '')",
}

// BalanceFilter selects the accounts whose balances are summed and how they
// are grouped.
type BalanceFilter struct {
	AccountFilter
	AsOf    time.Time // end of this day; zero: everything
	GroupBy []string  // of the By* names; empty: one row for all
}

// BalanceRow is one group's total debits and credits as of the date.
type BalanceRow struct {
	Group  map[string]string `json:"group"`
	Debit  decimal.Decimal   `json:"debit"`
	Credit decimal.Decimal   `json:"credit"`
}

// Net is debits minus credits.
func (r BalanceRow) Net() decimal.Decimal { return r.Debit.Sub(r.Credit) }

// Balances sums day totals of the selected accounts up to AsOf, grouped by
// the requested dimensions, in the order of the dimensions.
func (l *Ledger) Balances(ctx context.Context, f BalanceFilter) ([]BalanceRow, error) {
	var cols []string
	for _, g := range f.GroupBy {
		c, ok := groupColumns[g]
		if !ok {
			return nil, fmt.Errorf("%w: balances: cannot group by %q", ErrInvalid, g)
		}
		cols = append(cols, c)
	}
	args := []any{SQLDate(f.AsOf)}
	where := f.AccountFilter.where(&args)
	sel := strings.Join(append(append([]string{}, cols...), "coalesce(sum(b.debit), 0)", "coalesce(sum(b.credit), 0)"), ", ")
	q := `SELECT ` + sel + ` FROM accounts a JOIN account_day_balances b ON b.account_id = a.id
		WHERE ($1::date IS NULL OR b.day <= $1::date) AND ` + where
	if len(cols) > 0 {
		q += ` GROUP BY ` + strings.Join(cols, ", ") + ` ORDER BY ` + strings.Join(cols, ", ")
	}
	q += fmt.Sprintf(" LIMIT %d", pageLimit(f.Limit))
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	defer rows.Close()
	var out []BalanceRow
	for rows.Next() {
		keys := make([]string, len(cols))
		var r BalanceRow
		dest := make([]any, 0, len(cols)+2)
		for i := range keys {
			dest = append(dest, &keys[i])
		}
		dest = append(dest, &r.Debit, &r.Credit)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		r.Group = make(map[string]string, len(cols))
		for i, g := range f.GroupBy {
			r.Group[g] = keys[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TrialBalanceLine is one account in a trial balance: its balance shown on
// the debit or the credit side.
type TrialBalanceLine struct {
	Account Account         `json:"account"`
	Debit   decimal.Decimal `json:"debit"`
	Credit  decimal.Decimal `json:"credit"`
}

// TrialBalance lists every account of a book with a non-zero turnover up to
// asOf, its balance on the debit or credit side, and the totals, which are
// equal when the book balances.
type TrialBalance struct {
	Book        Book               `json:"book"`
	AsOf        time.Time          `json:"as_of,omitzero"`
	Lines       []TrialBalanceLine `json:"lines"`
	TotalDebit  decimal.Decimal    `json:"total_debit"`
	TotalCredit decimal.Decimal    `json:"total_credit"`
}

// TrialBalance computes the trial balance of one book as of a date.
func (l *Ledger) TrialBalance(ctx context.Context, book Book, asOf time.Time) (TrialBalance, error) {
	if !book.Valid() {
		return TrialBalance{}, fmt.Errorf("%w: trial balance: book %q", ErrInvalid, book)
	}
	var rows []struct {
		Account
		Net decimal.Decimal `db:"net"`
	}
	if err := l.db.SelectContext(ctx, &rows, `
		SELECT `+accountColumns+`, t.net FROM accounts a
		  JOIN (SELECT account_id, sum(debit - credit) AS net FROM account_day_balances
		         WHERE ($2::date IS NULL OR day <= $2::date) GROUP BY account_id) t ON t.account_id = a.id
		 WHERE a.book = $1 ORDER BY a.code`, string(book), SQLDate(asOf)); err != nil {
		return TrialBalance{}, fmt.Errorf("trial balance: %w", err)
	}
	tb := TrialBalance{Book: book, AsOf: asOf, TotalDebit: decimal.Zero, TotalCredit: decimal.Zero}
	for _, r := range rows {
		line := TrialBalanceLine{Account: r.Account, Debit: decimal.Zero, Credit: decimal.Zero}
		if r.Net.IsNegative() {
			line.Credit = r.Net.Neg()
		} else {
			line.Debit = r.Net
		}
		tb.TotalDebit = tb.TotalDebit.Add(line.Debit)
		tb.TotalCredit = tb.TotalCredit.Add(line.Credit)
		tb.Lines = append(tb.Lines, line)
	}
	return tb, nil
}

// RegisterLine is one posting of an account's register with the running
// balance on the account's normal side after it.
type RegisterLine struct {
	EntryID       int64     `db:"entry_id" json:"entry_id"`
	Voucher       string    `db:"-" json:"voucher,omitempty"` // the entry's voucher number, "2021-03 财-0001"
	EffectiveDate time.Time `db:"effective_date" json:"effective_date"`
	Memo          string    `db:"memo" json:"memo"`
	// Metadata is the entry's metadata, for its structured memo (memo.go).
	Metadata map[string]string `db:"-" json:"-"`
	Actor    string            `db:"actor" json:"actor"`
	Side     Side              `db:"side" json:"side"`
	Amount   decimal.Decimal   `db:"amount" json:"amount"`
	Balance  decimal.Decimal   `db:"balance" json:"balance"`
}

// RegisterFilter bounds a register.
type RegisterFilter struct {
	From, To time.Time // inclusive; zero: open
	Limit    int       // at most MaxPage
}

// Register lists an account's postings in date order with the running
// balance. The balance brought forward before From comes from day totals.
func (l *Ledger) Register(ctx context.Context, code string, f RegisterFilter) ([]RegisterLine, error) {
	a, err := l.Account(ctx, code)
	if err != nil {
		return nil, err
	}
	sign := 1
	if a.NormalSide == Credit {
		sign = -1
	}
	var rows []struct {
		RegisterLine
		Book       Book   `db:"book"`
		VoucherSeq int    `db:"voucher_seq"`
		Meta       string `db:"metadata"`
	}
	err = l.db.SelectContext(ctx, &rows, fmt.Sprintf(`
		WITH opening AS (
			SELECT coalesce(sum(debit - credit), 0) AS net FROM account_day_balances
			 WHERE account_id = $1 AND $2::date IS NOT NULL AND day < $2::date)
		SELECT e.id AS entry_id, e.book, coalesce(v.seq, 0) AS voucher_seq, e.effective_date, e.memo, e.metadata::text AS metadata, e.actor, p.side, p.amount,
		       $4 * ((SELECT net FROM opening) + sum(CASE WHEN p.side = 'D' THEN p.amount ELSE -p.amount END)
		            OVER (ORDER BY e.effective_date, e.id, p.line)) AS balance
		  FROM postings p JOIN entries e ON e.id = p.entry_id LEFT JOIN entry_vouchers v ON v.entry_id = e.id
		 WHERE p.account_id = $1 AND ($2::date IS NULL OR e.effective_date >= $2::date)
		   AND ($3::date IS NULL OR e.effective_date <= $3::date)
		 ORDER BY e.effective_date, e.id, p.line LIMIT %d`, pageLimit(f.Limit)),
		a.ID, SQLDate(f.From), SQLDate(f.To), sign)
	if err != nil {
		return nil, fmt.Errorf("register of %s: %w", code, err)
	}
	var lines []RegisterLine
	if len(rows) > 0 {
		lines = make([]RegisterLine, len(rows))
	}
	for i, r := range rows {
		lines[i] = r.RegisterLine
		lines[i].EffectiveDate = Civil(r.EffectiveDate)
		lines[i].Voucher = voucherOf(r.Book, lines[i].EffectiveDate, r.VoucherSeq).String()
		if err := json.Unmarshal([]byte(r.Meta), &lines[i].Metadata); err != nil {
			return nil, fmt.Errorf("register of %s: entry %d: metadata: %w", code, r.EntryID, err)
		}
	}
	return lines, nil
}
