package funding

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Rollup levels, from the top: a rolled-up trial balance shows the level
// below the node it is drilled into.
const (
	LevelProvince = "province"
	LevelCity     = "city"
	LevelDistrict = "district"
	LevelClass    = "class" // account type: asset, liability, … budget_expense
)

// Unplaced names the province, city or district of accounts that belong to
// no district (the city's own revenue and bank accounts) or to a district
// not placed in a city.
const Unplaced = "-"

// RollupRequest asks for a trial balance rolled up province → city →
// district → account class. Empty: one row per province. With Province,
// its cities; with City too, their districts; with District too, the
// district's account classes. Unplaced ("-") drills into what has no
// region.
type RollupRequest struct {
	Book     ledger.Book
	AsOf     time.Time // end of this day; zero: everything
	Province string
	City     string
	District string // district code
}

// RollupRow is one node of the level shown: each account's balance is
// put on its debit or credit side (as in the flat trial balance) and the
// sides summed.
type RollupRow struct {
	Province string          `json:"province"`
	City     string          `json:"city,omitempty"`
	District string          `json:"district,omitempty"`
	Class    string          `json:"class,omitempty"`
	Accounts int64           `json:"accounts"`
	Debit    decimal.Decimal `json:"debit"`
	Credit   decimal.Decimal `json:"credit"`
}

// Rollup is a rolled-up trial balance; its totals equal the flat trial
// balance's when it is not drilled into a node.
type Rollup struct {
	Book        ledger.Book     `json:"book"`
	AsOf        time.Time       `json:"as_of,omitzero"`
	Level       string          `json:"level"`
	Rows        []RollupRow     `json:"rows"`
	TotalDebit  decimal.Decimal `json:"total_debit"`
	TotalCredit decimal.Decimal `json:"total_credit"`
}

// MaxRollupRows bounds one level of a rolled-up trial balance.
const MaxRollupRows = 10000

// TrialBalanceRollup sums the trial balance of a book by the level below
// the node asked for, in one pass over the day totals.
func (p *Programme) TrialBalanceRollup(ctx context.Context, r RollupRequest) (Rollup, error) {
	if !r.Book.Valid() {
		return Rollup{}, fmt.Errorf("%w: rolled-up trial balance: book %q", ErrInvalid, r.Book)
	}
	out := Rollup{Book: r.Book, AsOf: r.AsOf, TotalDebit: decimal.Zero, TotalCredit: decimal.Zero}
	switch {
	case r.Province == "" && (r.City != "" || r.District != ""), r.City == "" && r.District != "":
		return out, fmt.Errorf("%w: rolled-up trial balance: drill down province, then city, then district", ErrInvalid)
	case r.Province == "":
		out.Level = LevelProvince
	case r.City == "":
		out.Level = LevelCity
	case r.District == "":
		out.Level = LevelDistrict
	default:
		out.Level = LevelClass
	}
	// $3..$5 narrow to the node; the level decides which columns group.
	group := map[string]string{
		LevelProvince: "t.province, ''::text AS city, ''::text AS district, ''::text AS class",
		LevelCity:     "t.province, t.city, ''::text AS district, ''::text AS class",
		LevelDistrict: "t.province, t.city, t.district, ''::text AS class",
		LevelClass:    "t.province, t.city, t.district, t.type AS class",
	}[out.Level]
	var rows []struct {
		Province string          `db:"province"`
		City     string          `db:"city"`
		District string          `db:"district"`
		Class    string          `db:"class"`
		Accounts int64           `db:"accounts"`
		Debit    decimal.Decimal `db:"debit"`
		Credit   decimal.Decimal `db:"credit"`
	}
	err := p.db.SelectContext(ctx, &rows, `
		WITH acc AS (
			SELECT a.id, coalesce(r.province, '`+Unplaced+`') AS province, coalesce(r.city, '`+Unplaced+`') AS city,
			       coalesce(a.district, '`+Unplaced+`') AS district, a.type
			  FROM accounts a LEFT JOIN district_regions r ON r.district = a.district
			 WHERE a.book = $1),
		t AS (
			SELECT acc.province, acc.city, acc.district, acc.type, sum(b.debit - b.credit) AS net
			  FROM acc JOIN account_day_balances b ON b.account_id = acc.id
			 WHERE ($2::date IS NULL OR b.day <= $2::date)
			   AND ($3 = '' OR acc.province = $3) AND ($4 = '' OR acc.city = $4) AND ($5 = '' OR acc.district = $5)
			 GROUP BY acc.id, acc.province, acc.city, acc.district, acc.type)
		SELECT `+group+` , count(*) AS accounts,
		       coalesce(sum(t.net) FILTER (WHERE t.net > 0), 0) AS debit,
		       coalesce(-sum(t.net) FILTER (WHERE t.net < 0), 0) AS credit
		  FROM t
		 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT $6`,
		string(r.Book), ledger.SQLDate(r.AsOf), r.Province, r.City, r.District, MaxRollupRows+1)
	if err != nil {
		return out, fmt.Errorf("rolled-up trial balance: %w", err)
	}
	if len(rows) > MaxRollupRows {
		return out, fmt.Errorf("%w: rolled-up trial balance: more than %d rows at level %s; drill down", ErrInvalid, MaxRollupRows, out.Level)
	}
	for _, x := range rows {
		out.Rows = append(out.Rows, RollupRow{Province: x.Province, City: x.City, District: x.District, Class: x.Class,
			Accounts: x.Accounts, Debit: x.Debit, Credit: x.Credit})
		out.TotalDebit = out.TotalDebit.Add(x.Debit)
		out.TotalCredit = out.TotalCredit.Add(x.Credit)
	}
	return out, nil
}
