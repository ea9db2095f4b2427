package funding_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

func loanDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func loanDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// ratFen rounds a non-negative exact fraction half-up to the fen (test's
// own rounding, independent of the package's).
func ratFen(x *big.Rat) decimal.Decimal {
	scaled := new(big.Rat).Mul(x, big.NewRat(100, 1))
	q, r := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).Cmp(scaled.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return decimal.NewFromBigInt(q, -2)
}

type wantLine struct{ opening, interest, principal string }

func checkLines(t *testing.T, got []funding.LoanScheduleLine, want []wantLine) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		l := got[i]
		if !l.OpeningPrincipal.Equal(loanDec(w.opening)) || !l.Interest.Equal(loanDec(w.interest)) || !l.Principal.Equal(loanDec(w.principal)) {
			t.Errorf("line %d: opening %s interest %s principal %s, want %s %s %s", i+1, l.OpeningPrincipal, l.Interest, l.Principal,
				w.opening, w.interest, w.principal)
		}
	}
}

func TestLoanScheduleByHand(t *testing.T) {
	t.Parallel()
	start := loanDate("2021-01-15")
	base := funding.LoanTerms{Start: start, TermMonths: 12, Frequency: funding.LoanQuarterly,
		Rates: []funding.LoanRate{{From: start, RatePct: loanDec("12")}},
		Draws: []funding.LoanMove{{Date: start, Amount: loanDec("10000.00")}}}
	cases := []struct {
		name  string
		edit  func(*funding.LoanTerms)
		want  []wantLine
		total string
	}{
		{
			// A = 10000 × 0.03 ÷ (1 − 1.03^−4) = 2690.2704… → 2690.27 (fractions, by hand).
			// Interest 3% of the balance, rounded half-up: 300.00, 228.2919 → 228.29,
			// 154.4325 → 154.43, 78.3573 → 78.36; the last line repays the rest.
			name: "equal instalment, 12% quarterly",
			edit: func(t *funding.LoanTerms) { t.Repayment = funding.LoanEqualInstalment },
			want: []wantLine{{"0", "300.00", "2390.27"}, {"7609.73", "228.29", "2461.98"}, {"5147.75", "154.43", "2535.84"},
				{"2611.91", "78.36", "2611.91"}},
			total: "761.08",
		},
		{
			// Rate 6% then 4% from the second due date, equal principal of 12000 over 4.
			// 12000×6%÷4 = 180; 9000×6%÷4 = 135; 6000×4%÷4 = 60; 3000×4%÷4 = 30.
			name: "rate reset mid-term",
			edit: func(t *funding.LoanTerms) {
				t.Repayment = funding.LoanEqualPrincipal
				t.Draws = []funding.LoanMove{{Date: start, Amount: loanDec("12000.00")}}
				t.Rates = []funding.LoanRate{{From: start, RatePct: loanDec("6")}, {From: loanDate("2021-07-15"), RatePct: loanDec("4")}}
			},
			want:  []wantLine{{"0", "180.00", "3000.00"}, {"9000.00", "135.00", "3000.00"}, {"6000.00", "60.00", "3000.00"}, {"3000.00", "30.00", "3000.00"}},
			total: "405.00",
		},
		{
			// Prepay 2000 on 2021-05-25 in the period 04-15..07-15 (30E/360: 40 days
			// at 9000, 50 days at 7000): (9000×40 + 7000×50) × 6 ÷ 36000 = 118.333… → 118.33.
			// Then 7000 ÷ 3 = 2333.33 (truncated); 4666.67 × 1.5% = 70.00005 → 70.00,
			// 4666.67 ÷ 2 = 2333.33; 2333.34 × 1.5% = 35.0001 → 35.00, the rest 2333.34.
			name: "early repayment",
			edit: func(t *funding.LoanTerms) {
				t.Repayment = funding.LoanEqualPrincipal
				t.Draws = []funding.LoanMove{{Date: start, Amount: loanDec("12000.00")}}
				t.Rates = []funding.LoanRate{{From: start, RatePct: loanDec("6")}}
				t.Prepayments = []funding.LoanMove{{Date: loanDate("2021-05-25"), Amount: loanDec("2000.00")}}
			},
			want:  []wantLine{{"0", "180.00", "3000.00"}, {"9000.00", "118.33", "2333.33"}, {"4666.67", "70.00", "2333.33"}, {"2333.34", "35.00", "2333.34"}},
			total: "403.33",
		},
		{
			// Two drawdowns and a year's grace, bullet: 5000 from 01-15, 5000 more from
			// 03-05 (30E/360: 50 days then 40 days of the first quarter at 12%):
			// (5000×50 + 10000×40) × 12 ÷ 36000 = 216.666… → 216.67; then 10000 × 3% = 300.
			name: "drawdowns in instalments, bullet",
			edit: func(t *funding.LoanTerms) {
				t.Repayment = funding.LoanBullet
				t.Draws = []funding.LoanMove{{Date: start, Amount: loanDec("5000.00")}, {Date: loanDate("2021-03-05"), Amount: loanDec("5000.00")}}
			},
			want:  []wantLine{{"0", "216.67", "0"}, {"10000.00", "300.00", "0"}, {"10000.00", "300.00", "0"}, {"10000.00", "300.00", "10000.00"}},
			total: "1116.67",
		},
		{
			// Custom: 4000 on the second due date, the last repays the rest (6000).
			// Interest 3% a quarter: 300, 300, 180, 180.
			name: "custom",
			edit: func(t *funding.LoanTerms) {
				t.Repayment = funding.LoanCustom
				t.Custom = []funding.LoanMove{{Date: loanDate("2021-07-15"), Amount: loanDec("4000.00")}}
			},
			want:  []wantLine{{"0", "300.00", "0"}, {"10000.00", "300.00", "4000.00"}, {"6000.00", "180.00", "0"}, {"6000.00", "180.00", "6000.00"}},
			total: "960.00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			terms := base
			c.edit(&terms)
			lines, err := funding.GenerateLoanSchedule(terms)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, lines, c.want)
			sum, principal, moved := decimal.Zero, decimal.Zero, decimal.Zero
			for _, l := range lines {
				sum = sum.Add(l.Interest)
				principal = principal.Add(l.Principal).Add(l.Prepaid)
				moved = moved.Add(l.Drawn)
			}
			if !sum.Equal(loanDec(c.total)) {
				t.Errorf("total interest %s, want %s", sum, c.total)
			}
			if !principal.Equal(moved) {
				t.Errorf("principal repaid and prepaid %s, drawn %s: must be equal", principal, moved)
			}
		})
	}
}

// TestLoanEqualInstalmentAnnuity compares a 20-year monthly equal-instalment
// loan with the annuity formula and the interest of every line computed
// with exact fractions (math/big.Rat) by the test itself.
func TestLoanEqualInstalmentAnnuity(t *testing.T) {
	t.Parallel()
	start := loanDate("2020-06-20")
	principal, rate := "38000000.00", "4.165"
	lines, err := funding.GenerateLoanSchedule(funding.LoanTerms{Start: start, TermMonths: 240, Frequency: funding.LoanMonthly,
		GraceMonths: 24, Repayment: funding.LoanEqualInstalment, Rates: []funding.LoanRate{{From: start, RatePct: loanDec(rate)}},
		Draws: []funding.LoanMove{{Date: start, Amount: loanDec(principal)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 240 {
		t.Fatalf("%d lines, want 240", len(lines))
	}
	p, _ := new(big.Rat).SetString(principal)
	r, _ := new(big.Rat).SetString(rate)
	r.Quo(r, big.NewRat(1200, 1))
	// A = P r / (1 − (1+r)^−216), 216 months after 24 months of grace.
	v := big.NewRat(1, 1)
	onePlusInv := new(big.Rat).Inv(new(big.Rat).Add(big.NewRat(1, 1), r))
	for range 216 {
		v.Mul(v, onePlusInv)
	}
	a := new(big.Rat).Mul(p, r)
	a.Quo(a, new(big.Rat).Sub(big.NewRat(1, 1), v))
	instalment := ratFen(a)
	if got := funding.Annuity(loanDec(principal), loanDec(rate), 12, 216); !got.Equal(instalment) {
		t.Fatalf("Annuity = %s, want %s", got, instalment)
	}
	bal := loanDec(principal)
	for i, l := range lines {
		balRat, _ := new(big.Rat).SetString(bal.String())
		wantInterest := ratFen(new(big.Rat).Mul(balRat, r))
		if !l.Interest.Equal(wantInterest) || !l.OpeningPrincipal.Add(l.Drawn).Equal(bal) {
			t.Fatalf("line %d: balance %s interest %s, want %s %s", i+1, l.OpeningPrincipal.Add(l.Drawn), l.Interest, bal, wantInterest)
		}
		switch {
		case i < 24:
			if !l.Principal.IsZero() {
				t.Fatalf("line %d in the grace period repays %s", i+1, l.Principal)
			}
		case i < 239:
			if !l.Total().Equal(instalment) {
				t.Fatalf("line %d pays %s, want the instalment %s", i+1, l.Total(), instalment)
			}
		default:
			if !l.Principal.Equal(bal) {
				t.Fatalf("last line repays %s, want the rest %s", l.Principal, bal)
			}
			// Each interest rounding moves the balance by at most half a fen,
			// which grows at most by (1+r)^216 ≈ 2.1: 216 × 0.005 × 2.1 < 2.50.
			if d := l.Total().Sub(instalment).Abs(); d.GreaterThan(loanDec("2.50")) {
				t.Errorf("last payment %s differs from the instalment %s by %s", l.Total(), instalment, d)
			}
		}
		bal = bal.Sub(l.Principal)
	}
	if !bal.IsZero() {
		t.Errorf("%s left after the last line", bal)
	}
}

func TestLoanScheduleRefuses(t *testing.T) {
	t.Parallel()
	start := loanDate("2021-01-15")
	ok := funding.LoanTerms{Start: start, TermMonths: 12, Frequency: funding.LoanQuarterly, Repayment: funding.LoanBullet,
		Rates: []funding.LoanRate{{From: start, RatePct: loanDec("4")}}, Draws: []funding.LoanMove{{Date: start, Amount: loanDec("100.00")}}}
	cases := []struct {
		name string
		edit func(*funding.LoanTerms)
		msg  string
	}{
		{"day 31", func(t *funding.LoanTerms) { t.Start = loanDate("2021-01-31") }, "day of month must be 1 to 28"},
		{"term not whole", func(t *funding.LoanTerms) { t.TermMonths = 10 }, "whole number of quarterly periods"},
		{"rate off a due date", func(t *funding.LoanTerms) {
			t.Rates = append(t.Rates, funding.LoanRate{From: loanDate("2021-03-01"), RatePct: loanDec("5")})
		}, "not the start or a due date"},
		{"prepay too much", func(t *funding.LoanTerms) {
			t.Prepayments = []funding.LoanMove{{Date: loanDate("2021-02-01"), Amount: loanDec("100.01")}}
		}, "larger than the principal outstanding"},
		{"draw after maturity", func(t *funding.LoanTerms) {
			t.Draws = append(t.Draws, funding.LoanMove{Date: loanDate("2022-01-15"), Amount: loanDec("1.00")})
		}, "outside the loan's term"},
		{"grace on bullet", func(t *funding.LoanTerms) { t.GraceMonths = 3 }, "grace does not apply"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			terms := ok
			c.edit(&terms)
			_, err := funding.GenerateLoanSchedule(terms)
			wantErr(t, c.name, err, funding.ErrInvalid, c.msg)
		})
	}
}
