package funding

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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

// RollupRow is one node of the level shown: the net balance of each
// (district, account class) under it put on its debit or credit side, and
// the sides summed. Below a class, the flat trial balance of the district
// (report trial-balance --district) lists its accounts.
type RollupRow struct {
	Province string          `json:"province"`
	City     string          `json:"city,omitempty"`
	District string          `json:"district,omitempty"`
	Class    string          `json:"class,omitempty"`
	Debit    decimal.Decimal `json:"debit"`
	Credit   decimal.Decimal `json:"credit"`
}

// Rollup is a rolled-up trial balance; its totals are equal when the book
// balances.
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
// the node asked for. It reads the district totals the ledger keeps per
// (district, account class) (migration 00017): a few rows per district as
// of any date, whatever the number of accounts and postings.
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
	regions, err := Regions(ctx, p.db)
	if err != nil {
		return out, fmt.Errorf("rolled-up trial balance: %w", err)
	}
	where := make(map[string]Region, len(regions))
	for _, g := range regions {
		where[g.District] = g
	}
	f := ledger.TotalsFilter{Book: r.Book, AsOf: r.AsOf}
	if out.Level == LevelClass {
		code := r.District
		if code == Unplaced {
			code = ""
		}
		f.Districts = []string{code}
	}
	cells, err := p.ledger.DistrictTotals(ctx, f)
	if err != nil {
		return out, fmt.Errorf("rolled-up trial balance: %w", err)
	}
	type node struct{ province, city, district, class string }
	sums := map[node]*RollupRow{}
	for _, c := range cells {
		n := node{Unplaced, Unplaced, Unplaced, string(c.Type)}
		if c.District != "" {
			n.district = c.District
			if g, ok := where[c.District]; ok {
				n.province, n.city = g.Province, g.City
			}
		}
		if (r.Province != "" && n.province != r.Province) || (r.City != "" && n.city != r.City) || (r.District != "" && n.district != r.District) {
			continue
		}
		switch out.Level {
		case LevelProvince:
			n.city, n.district, n.class = "", "", ""
		case LevelCity:
			n.district, n.class = "", ""
		case LevelDistrict:
			n.class = ""
		}
		row := sums[n]
		if row == nil {
			if len(sums) == MaxRollupRows {
				return out, fmt.Errorf("%w: rolled-up trial balance: more than %d rows at level %s; drill down", ErrInvalid, MaxRollupRows, out.Level)
			}
			row = &RollupRow{Province: n.province, City: n.city, District: n.district, Class: n.class, Debit: decimal.Zero, Credit: decimal.Zero}
			sums[n] = row
		}
		// Each (district, class) on its side.
		if net := c.Net(); net.IsNegative() {
			row.Credit = row.Credit.Sub(net)
		} else {
			row.Debit = row.Debit.Add(net)
		}
	}
	for _, row := range sums {
		out.Rows = append(out.Rows, *row)
		out.TotalDebit = out.TotalDebit.Add(row.Debit)
		out.TotalCredit = out.TotalCredit.Add(row.Credit)
	}
	slices.SortFunc(out.Rows, func(a, b RollupRow) int {
		return cmp.Or(strings.Compare(a.Province, b.Province), strings.Compare(a.City, b.City),
			strings.Compare(a.District, b.District), strings.Compare(a.Class, b.Class))
	})
	return out, nil
}
