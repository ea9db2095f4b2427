package funding_test

import (
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

// days30E is the test's own 30E/360 day count (d1, d2 capped at 30).
func testDays30E(a, b time.Time) int64 {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return 360*int64(yb-ya) + 30*int64(mb-ma) + int64(min(db, 30)-min(da, 30))
}

// TestLoanScheduleProperties generates many loans (every frequency and
// repayment method, drawdowns in instalments, prepayments, rate resets)
// and checks each schedule against what it must be, computed by the test
// with exact fractions: each period's interest is round-half-up of
// Σ balance × rate × days ÷ 36000 over its stretches; every line follows
// from the ones before; principal repaid + prepaid = drawn; no principal
// is negative or above the balance; nothing is left after the last line.
func TestLoanScheduleProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(18, 2021))
	freqs := []struct {
		name   string
		months int
	}{{funding.LoanMonthly, 1}, {funding.LoanQuarterly, 3}, {funding.LoanSemiAnnual, 6}, {funding.LoanAnnual, 12}}
	methods := []string{funding.LoanEqualPrincipal, funding.LoanEqualInstalment, funding.LoanBullet, funding.LoanCustom}
	checked := 0
	for n := 0; n < 400; n++ {
		f := freqs[rng.IntN(len(freqs))]
		periods := 1 + rng.IntN(40)
		start := time.Date(2019+rng.IntN(4), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		due := func(k int) time.Time { return start.AddDate(0, k*f.months, 0) }
		terms := funding.LoanTerms{Start: start, TermMonths: periods * f.months, Frequency: f.name, Repayment: methods[rng.IntN(len(methods))]}
		if terms.Repayment != funding.LoanBullet && periods > 1 {
			terms.GraceMonths = rng.IntN(periods) / 2 * f.months
		}
		terms.Rates = []funding.LoanRate{{From: start, RatePct: decimal.New(int64(100+rng.IntN(600)), -2)}}
		if periods > 2 && rng.IntN(2) == 0 {
			terms.Rates = append(terms.Rates, funding.LoanRate{From: due(1 + rng.IntN(periods-1)), RatePct: decimal.New(int64(100+rng.IntN(600)), -2)})
		}
		totalDays := int(due(periods).Sub(start).Hours() / 24)
		for i := 0; i <= rng.IntN(3); i++ {
			on := start.AddDate(0, 0, rng.IntN(max(1, totalDays/2)))
			terms.Draws = append(terms.Draws, funding.LoanMove{Date: on, Amount: decimal.New(int64(1+rng.IntN(10000000)), -2)})
		}
		if rng.IntN(3) == 0 {
			on := start.AddDate(0, 0, 1+rng.IntN(max(1, totalDays-1)))
			terms.Prepayments = []funding.LoanMove{{Date: on, Amount: decimal.New(int64(1+rng.IntN(100000)), -2)}}
		}
		if terms.Repayment == funding.LoanCustom {
			terms.Custom = []funding.LoanMove{{Date: due(1 + rng.IntN(periods)), Amount: decimal.New(int64(1+rng.IntN(5000000)), -2)}}
		}
		lines, err := funding.GenerateLoanSchedule(terms)
		if err != nil {
			continue // e.g. a prepayment before anything was drawn, or larger than the balance
		}
		checked++
		rates := map[time.Time]decimal.Decimal{}
		for _, r := range terms.Rates {
			rates[r.From] = r.RatePct
		}
		rate := terms.Rates[0].RatePct
		bal := decimal.Zero
		drawn, repaid := decimal.Zero, decimal.Zero
		for k, l := range lines {
			s, e := due(k), due(k+1)
			if r, ok := rates[s]; ok {
				rate = r
			}
			if !l.PeriodStart.Equal(s) || !l.DueDate.Equal(e) || !l.OpeningPrincipal.Equal(bal) || !l.RatePct.Equal(rate) {
				t.Fatalf("case %d line %d: %+v; want period %s–%s, opening %s, rate %s", n, k+1, l, s, e, bal, rate)
			}
			// Stretches of constant balance: draws count from their day
			// (s ≤ d < e), prepayments from theirs (s < d ≤ e).
			type ev struct {
				on  time.Time
				amt decimal.Decimal
			}
			var evs []ev
			for _, d := range terms.Draws {
				if !d.Date.Before(s) && d.Date.Before(e) {
					evs = append(evs, ev{d.Date, d.Amount})
					drawn = drawn.Add(d.Amount)
				}
			}
			for _, d := range terms.Prepayments {
				if d.Date.After(s) && !d.Date.After(e) {
					evs = append(evs, ev{d.Date, d.Amount.Neg()})
					repaid = repaid.Add(d.Amount)
				}
			}
			num := new(big.Rat)
			at, b := s, bal
			for len(evs) > 0 { // in date order
				j := 0
				for i := range evs {
					if evs[i].on.Before(evs[j].on) {
						j = i
					}
				}
				x := new(big.Rat).SetFrac64(testDays30E(at, evs[j].on), 1)
				num.Add(num, x.Mul(x, b.Rat()))
				b, at = b.Add(evs[j].amt), evs[j].on
				evs = append(evs[:j], evs[j+1:]...)
			}
			x := new(big.Rat).SetFrac64(testDays30E(at, e), 1)
			num.Add(num, x.Mul(x, b.Rat()))
			num.Mul(num, rate.Rat())
			num.Quo(num, big.NewRat(36000, 1))
			if want := ratFen(num); !l.Interest.Equal(want) {
				t.Fatalf("case %d line %d: interest %s, want %s", n, k+1, l.Interest, want)
			}
			if l.Principal.IsNegative() || l.Principal.GreaterThan(b) {
				t.Fatalf("case %d line %d: principal %s with a balance of %s", n, k+1, l.Principal, b)
			}
			bal = b.Sub(l.Principal)
			repaid = repaid.Add(l.Principal)
		}
		all := decimal.Zero
		for _, d := range terms.Draws {
			all = all.Add(d.Amount)
		}
		if !bal.IsZero() || !repaid.Equal(drawn) || !drawn.Equal(all) {
			t.Fatalf("case %d: %s left after the last line; repaid %s of %s drawn", n, bal, repaid, drawn)
		}
	}
	t.Logf("%d of 400 generated loans checked", checked)
	if checked < 200 {
		t.Fatalf("only %d of 400 generated loans made a schedule", checked)
	}
}
