package report

import (
	"fmt"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// TrialBalanceRollup renders a rolled-up trial balance: one row per node of
// its level (province, city, district or account class), the balances of
// its (district, class) cells summed by side, a totals row, and a note
// saying how to drill down.
func TrialBalanceRollup(r funding.Rollup, fmtAmount func(decimal.Decimal) string) Table {
	asOf := "all dates"
	if !r.AsOf.IsZero() {
		asOf = r.AsOf.Format(ledger.DateLayout)
	}
	cols := []Column{{Key: "province", Zh: "省", En: "Province"}}
	next := ""
	switch r.Level {
	case funding.LevelProvince:
		next = "--province P"
	case funding.LevelCity:
		cols = append(cols, Column{Key: "city", Zh: "市", En: "City"})
		next = "--province P --city C"
	case funding.LevelDistrict:
		cols = append(cols, Column{Key: "city", Zh: "市", En: "City"}, Column{Key: "district", Zh: "区", En: "District"})
		next = "--province P --city C --district D"
	default:
		cols = append(cols, Column{Key: "city", Zh: "市", En: "City"}, Column{Key: "district", Zh: "区", En: "District"},
			Column{Key: "class", Zh: "科目类别", En: "Account class"})
	}
	cols = append(cols, Column{Key: "debit", Zh: "借方余额", En: "Debit", Numeric: true}, Column{Key: "credit", Zh: "贷方余额", En: "Credit", Numeric: true})
	t := Table{
		Title:   fmt.Sprintf("试算平衡表（汇总）Trial balance rolled up by %s — %s book, as of %s", r.Level, bookNames[r.Book], asOf),
		Columns: cols,
	}
	unplaced := false
	for _, x := range r.Rows {
		row := []string{x.Province}
		switch r.Level {
		case funding.LevelCity:
			row = append(row, x.City)
		case funding.LevelDistrict:
			row = append(row, x.City, x.District)
		case funding.LevelClass:
			row = append(row, x.City, x.District, x.Class)
		}
		t.Rows = append(t.Rows, append(row, fmtAmount(x.Debit), fmtAmount(x.Credit)))
		unplaced = unplaced || x.Province == funding.Unplaced
	}
	total := make([]string, len(cols))
	total[0] = "合计 Total"
	total[len(cols)-2], total[len(cols)-1] = fmtAmount(r.TotalDebit), fmtAmount(r.TotalCredit)
	t.Rows = append(t.Rows, total)
	if next != "" {
		t.Notes = append(t.Notes, "下钻 Drill down: report trial-balance --rollup "+next)
	} else {
		t.Notes = append(t.Notes, "科目明细 Accounts: report trial-balance --district D")
	}
	t.Notes = append(t.Notes, "每区每类科目按净额列示 Each district's account class is shown by its net balance.")
	if unplaced {
		t.Notes = append(t.Notes, "“-”: 不属于任何区或区未归属市 accounts of no district, or of a district placed in no city.")
	}
	return t
}
