package funding_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// Helpers of the bond tests (prefixed so that they cannot clash with the
// package's other tests).
func bondDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func bondDate(s string) time.Time {
	t, err := ledger.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func checkLine(t *testing.T, l funding.BondScheduleLine, seq int, start, due, opening, interest, principal string) {
	t.Helper()
	if l.Seq != seq || !l.PeriodStart.Equal(bondDate(start)) || !l.DueDate.Equal(bondDate(due)) || !l.OpeningPrincipal.Equal(bondDec(opening)) ||
		!l.Interest.Equal(bondDec(interest)) || !l.Principal.Equal(bondDec(principal)) {
		t.Errorf("line %d: got %d %s→%s opening %s interest %s principal %s; want %d %s→%s opening %s interest %s principal %s",
			seq, l.Seq, l.PeriodStart.Format(ledger.DateLayout), l.DueDate.Format(ledger.DateLayout), l.OpeningPrincipal, l.Interest, l.Principal,
			seq, start, due, opening, interest, principal)
	}
}

func sumLines(lines []funding.BondScheduleLine) (interest, principal decimal.Decimal) {
	for _, l := range lines {
		interest, principal = interest.Add(l.Interest), principal.Add(l.Principal)
	}
	return
}

// TestBondScheduleBulletAnnual: a 10-year bullet bond with annual interest.
// By hand: 50,000,000.00 × 3.27% = 1,635,000.00 a year, ten times
// (16,350,000.00 in all); all principal on 2030-06-11. The second bond
// checks the rounding: 12,345,678.91 × 3.33% = 411,111.107703 → 411,111.11.
func TestBondScheduleBulletAnnual(t *testing.T) {
	t.Parallel()
	lines, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2020-06-11"), Principal: bondDec("50000000.00"),
		CouponRatePct: bondDec("3.27"), TermYears: 10, Frequency: funding.BondAnnual, Repayment: funding.BondBullet})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10", len(lines))
	}
	checkLine(t, lines[0], 1, "2020-06-11", "2021-06-11", "50000000.00", "1635000.00", "0")
	checkLine(t, lines[4], 5, "2024-06-11", "2025-06-11", "50000000.00", "1635000.00", "0")
	checkLine(t, lines[9], 10, "2029-06-11", "2030-06-11", "50000000.00", "1635000.00", "50000000.00")
	if i, p := sumLines(lines); !i.Equal(bondDec("16350000.00")) || !p.Equal(bondDec("50000000.00")) {
		t.Errorf("totals: interest %s principal %s", i, p)
	}

	odd, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2020-06-11"), Principal: bondDec("12345678.91"),
		CouponRatePct: bondDec("3.33"), TermYears: 10, Frequency: funding.BondAnnual, Repayment: funding.BondBullet})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range odd {
		if !l.Interest.Equal(bondDec("411111.11")) {
			t.Errorf("line %d: interest %s, want 411111.11", l.Seq, l.Interest)
		}
	}
	// Half up, not half even: 1,000,000.20 × 2.5% = 25,000.005 → 25,000.01.
	half, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2020-01-15"), Principal: bondDec("1000000.20"),
		CouponRatePct: bondDec("2.5"), TermYears: 1, Frequency: funding.BondAnnual, Repayment: funding.BondBullet})
	if err != nil {
		t.Fatal(err)
	}
	checkLine(t, half[0], 1, "2020-01-15", "2021-01-15", "1000000.20", "25000.01", "1000000.20")
}

// TestBondScheduleSemiAnnual30y: 100,000,000.00 at 3.76% for 30 years,
// interest every half year: 100,000,000 × 3.76% ÷ 2 = 1,880,000.00 on each
// of 60 dates (112,800,000.00 in all). The interest start 2020-08-31 puts
// the February dates at the month's end (2021-02-28, 2024-02-29 in a leap
// year) while August stays on the 31st.
func TestBondScheduleSemiAnnual30y(t *testing.T) {
	t.Parallel()
	lines, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2020-08-31"), Principal: bondDec("100000000.00"),
		CouponRatePct: bondDec("3.76"), TermYears: 30, Frequency: funding.BondSemiAnnual, Repayment: funding.BondBullet})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 60 {
		t.Fatalf("%d lines, want 60", len(lines))
	}
	for _, l := range lines {
		if !l.Interest.Equal(bondDec("1880000.00")) {
			t.Errorf("line %d: interest %s, want 1880000.00", l.Seq, l.Interest)
		}
	}
	checkLine(t, lines[0], 1, "2020-08-31", "2021-02-28", "100000000.00", "1880000.00", "0")
	checkLine(t, lines[1], 2, "2021-02-28", "2021-08-31", "100000000.00", "1880000.00", "0")
	checkLine(t, lines[6], 7, "2023-08-31", "2024-02-29", "100000000.00", "1880000.00", "0")
	checkLine(t, lines[59], 60, "2050-02-28", "2050-08-31", "100000000.00", "1880000.00", "100000000.00")
	if i, p := sumLines(lines); !i.Equal(bondDec("112800000.00")) || !p.Equal(bondDec("100000000.00")) {
		t.Errorf("totals: interest %s principal %s", i, p)
	}
}

// TestBondScheduleAmortising: 10,000,000.00 at 3.47% over 3 years, semi-
// annual, equal principal on each of the 6 dates: 10,000,000 ÷ 6 =
// 1,666,666.666… truncated to 1,666,666.66, the last date taking
// 10,000,000.00 − 5 × 1,666,666.66 = 1,666,666.70. Interest on the
// declining balance at 3.47% ÷ 2 = 1.735% a period, rounded half up:
//
//	10,000,000.00 × 1.735% = 173,500.00
//	 8,333,333.34 × 1.735% = 144,583.333449 → 144,583.33
//	 6,666,666.68 × 1.735% = 115,666.666898 → 115,666.67
//	 5,000,000.02 × 1.735% =  86,750.000347 →  86,750.00
//	 3,333,333.36 × 1.735% =  57,833.333796 →  57,833.33
//	 1,666,666.70 × 1.735% =  28,916.667245 →  28,916.67
//
// 607,250.00 of interest in all. With one grace year on a 3-year annual
// bond the principal falls in years 2 and 3 only.
func TestBondScheduleAmortising(t *testing.T) {
	t.Parallel()
	lines, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2021-03-15"), Principal: bondDec("10000000.00"),
		CouponRatePct: bondDec("3.47"), TermYears: 3, Frequency: funding.BondSemiAnnual, Repayment: funding.BondAmortising})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"2021-03-15", "2021-09-15", "10000000.00", "173500.00", "1666666.66"},
		{"2021-09-15", "2022-03-15", "8333333.34", "144583.33", "1666666.66"},
		{"2022-03-15", "2022-09-15", "6666666.68", "115666.67", "1666666.66"},
		{"2022-09-15", "2023-03-15", "5000000.02", "86750.00", "1666666.66"},
		{"2023-03-15", "2023-09-15", "3333333.36", "57833.33", "1666666.66"},
		{"2023-09-15", "2024-03-15", "1666666.70", "28916.67", "1666666.70"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for i, w := range want {
		checkLine(t, lines[i], i+1, w[0], w[1], w[2], w[3], w[4])
	}
	if i, p := sumLines(lines); !i.Equal(bondDec("607250.00")) || !p.Equal(bondDec("10000000.00")) {
		t.Errorf("totals: interest %s principal %s", i, p)
	}

	grace, err := funding.GenerateBondSchedule(funding.BondTerms{InterestStart: bondDate("2021-01-01"), Principal: bondDec("1000000.00"),
		CouponRatePct: bondDec("4"), TermYears: 3, Frequency: funding.BondAnnual, Repayment: funding.BondAmortising, GraceYears: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkLine(t, grace[0], 1, "2021-01-01", "2022-01-01", "1000000.00", "40000.00", "0")
	checkLine(t, grace[1], 2, "2022-01-01", "2023-01-01", "1000000.00", "40000.00", "500000.00")
	checkLine(t, grace[2], 3, "2023-01-01", "2024-01-01", "500000.00", "20000.00", "500000.00")
}

// TestBondScheduleCustom: a custom schedule repays on given due dates; it
// ends when everything is repaid. 3,000,000.00 at 4% annual over 5 years,
// 1,000,000.00 on 2022-05-20 and 2,000,000.00 on 2024-05-20: interest
// 120,000.00, 120,000.00, then 80,000.00 twice.
func TestBondScheduleCustom(t *testing.T) {
	t.Parallel()
	terms := funding.BondTerms{InterestStart: bondDate("2020-05-20"), Principal: bondDec("3000000.00"), CouponRatePct: bondDec("4"),
		TermYears: 5, Frequency: funding.BondAnnual, Repayment: funding.BondCustom,
		Custom: []funding.BondPrincipalInput{{Date: bondDate("2022-05-20"), Amount: bondDec("1000000.00")}, {Date: bondDate("2024-05-20"), Amount: bondDec("2000000.00")}}}
	lines, err := funding.GenerateBondSchedule(terms)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	checkLine(t, lines[1], 2, "2021-05-20", "2022-05-20", "3000000.00", "120000.00", "1000000.00")
	checkLine(t, lines[2], 3, "2022-05-20", "2023-05-20", "2000000.00", "80000.00", "0")
	checkLine(t, lines[3], 4, "2023-05-20", "2024-05-20", "2000000.00", "80000.00", "2000000.00")

	cases := []struct {
		name   string
		mutate func(*funding.BondTerms)
		msg    string
	}{
		{"ErrNotADueDate", func(t *funding.BondTerms) { t.Custom[0].Date = bondDate("2022-05-21") }, "2022-05-21 is not an interest due date"},
		{"ErrSum", func(t *funding.BondTerms) { t.Custom[1].Amount = bondDec("1999999.99") }, "add up to 2999999.99, not to the principal 3000000.00"},
		{"ErrTwice", func(t *funding.BondTerms) { t.Custom[1].Date = t.Custom[0].Date }, "two custom repayments on 2022-05-20"},
		{"ErrRate", func(t *funding.BondTerms) { t.CouponRatePct = bondDec("3.12345") }, "at most four decimals"},
		{"ErrFrequency", func(t *funding.BondTerms) { t.Frequency = "quarterly" }, `frequency "quarterly"`},
		{"ErrCustomOnBullet", func(t *funding.BondTerms) { t.Repayment = funding.BondBullet }, "repayment is bullet (want custom)"},
		{"ErrFen", func(t *funding.BondTerms) { t.Principal = bondDec("3000000.001") }, "more than two decimals"},
	}
	for _, c := range cases {
		tt := terms
		tt.Custom = append([]funding.BondPrincipalInput(nil), terms.Custom...)
		c.mutate(&tt)
		_, err := funding.GenerateBondSchedule(tt)
		if !errors.Is(err, funding.ErrInvalid) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want ErrInvalid containing %q", c.name, err, c.msg)
		}
	}
}
