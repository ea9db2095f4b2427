package main

import (
	"time"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
)

// rollupTrialBalance is `report trial-balance --rollup`: the trial balance
// summed by province, or drilled into a province, city or district.
func (a *app) rollupTrialBalance(c *cobra.Command, at time.Time, book, province, city, district, format, lang string) error {
	p, err := a.programme(c)
	if err != nil {
		return err
	}
	if district != "" {
		d, err := funding.LookupDistrict(c.Context(), p.Ledger().DB(), district)
		if err != nil {
			return err
		}
		district = d.Code
	}
	books := []ledger.Book{ledger.Book(book)}
	if book == "all" {
		books = []ledger.Book{ledger.BookFinancial, ledger.BookBudget}
	}
	var ts []report.Table
	for _, b := range books {
		r, err := p.TrialBalanceRollup(c.Context(), funding.RollupRequest{Book: b, AsOf: at, Province: province, City: city, District: district})
		if err != nil {
			return err
		}
		ts = append(ts, report.TrialBalanceRollup(r, amountFormat(format)))
	}
	return renderAll(c, ts, format, lang)
}
