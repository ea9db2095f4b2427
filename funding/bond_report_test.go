package funding_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/report"
)

// TestBondReportRender renders a hand-made report and schedule (no
// database): ratios with four decimals, the flag, "—" and "repaid" when
// nothing is left to pay, the totals row of the schedule.
func TestBondReportRender(t *testing.T) {
	t.Parallel()
	b := funding.Bond{Code: "B-1", Name: "测试债券", IssueDate: bondDate("2020-08-31"), InterestStart: bondDate("2020-08-31"),
		Principal: bondDec("100000000.00"), CouponRatePct: bondDec("3.76"), TermYears: 30, Frequency: funding.BondSemiAnnual, Repayment: funding.BondBullet}
	below := funding.BondCoverage{Reserve: bondDec("0"), RemainingRevenue: bondDec("1379999.99"), RemainingPrincipal: bondDec("1000000.00"),
		RemainingInterest: bondDec("150000.00"), Ratio: decimal.NullDecimal{Decimal: bondDec("1.1999"), Valid: true}, Below: true, FirstShortfallYear: 2021}
	r := funding.BondReport{AsOf: bondDate("2020-12-31"), Threshold: bondDec("1.2"), Method: funding.BondReportMethod,
		Bonds: []funding.BondPosition{{Bond: b, Maturity: b.Maturity(), ScheduleVersion: 1, Issued: bondDec("100000000.00"),
			Outstanding: bondDec("100000000.00"), NextDueDate: bondDate("2021-02-28"), NextInterest: bondDec("1880000.00"),
			ActualRevenue: bondDec("50.00"), ExpectedRevenue: bondDec("200.00"), Coverage: below}},
		Projects:  []funding.BondUnitPosition{{Code: "P-1", Name: "小区", DistrictName: "环翠区", Bonds: []string{"B-1"}, PlanVersion: 2, Coverage: below}},
		Districts: []funding.BondUnitPosition{{Code: "huancui", Name: "环翠区", Coverage: funding.BondCoverage{}}},
		Total:     funding.BondUnitPosition{Name: "合计 total", Coverage: below},
	}
	tables := report.BondReport(r, report.Plain)
	if len(tables) != 4 {
		t.Fatalf("%d tables", len(tables))
	}
	var csv bytes.Buffer
	if err := report.RenderAll(&csv, tables, report.FormatCSV, report.LangEn); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"B-1,测试债券,3.76,semi-annual/bullet,2050-08-31,100000000.00", "2021-02-28,1880000.00",
		"1.1999,低于 BELOW 1.2,2021", "25.00%",
		// One CSV is one table: the district row under the union of the tables' columns.
		"区市汇总 Districts, as of 2020-12-31\",,,,,,,,,,,,,,,,,,0.00,0.00,0.00,,0.00,0.00,0.00,—,已清偿 repaid,,,环翠区,,,0.00"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv.String())
		}
	}
	var js bytes.Buffer
	if err := report.RenderAll(&js, tables, report.FormatJSON, ""); err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Title string              `json:"title"`
		Rows  []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal(js.Bytes(), &docs); err != nil {
		t.Fatal(err)
	}
	if docs[1].Rows[0]["coverage"] != "1.1999" || docs[1].Rows[0]["first_shortfall_year"] != "2021" || docs[2].Rows[0]["plan_version"] != "2" {
		t.Errorf("JSON: %+v", docs[1].Rows[0])
	}

	lines, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: b.InterestStart, Principal: b.Principal, CouponRatePct: b.CouponRatePct,
		TermYears: 30, Frequency: b.Frequency, Repayment: b.Repayment})
	if err != nil {
		t.Fatal(err)
	}
	st := report.BondSchedule(b, funding.BondSchedule{Bond: b.Code, Version: 1, EffectiveOn: b.IssueDate, Repayment: b.Repayment,
		Rounding: funding.BondRounding, Lines: lines}, report.Amount)
	var text bytes.Buffer
	if err := report.Render(&text, st, report.FormatTable, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"112,800,000.00  100,000,000.00  212,800,000.00", "1,880,000.00  100,000,000.00  101,880,000.00", "add up to the principal exactly"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("schedule lacks %q:\n%s", want, text.String())
		}
	}
}
