package funding

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// LoanRounding states how a loan schedule is computed; it is stored with
// every schedule version.
const LoanRounding = "day count 30E/360 (a whole period is 1/f year); interest per period = round-half-up to the fen of " +
	"Σ(principal outstanding × yearly rate % × days) ÷ 36000 over the period's stretches of constant principal; " +
	"equal principal: balance ÷ periods left truncated to the fen; equal instalment: annuity on the balance at the " +
	"rate per period, round-half-up to the fen, recomputed on a rate change, drawdown or prepayment; the last period repays the rest"

// Loan payment frequencies and repayment methods.
const (
	LoanMonthly    = "monthly"
	LoanQuarterly  = "quarterly"
	LoanSemiAnnual = "semi-annual"
	LoanAnnual     = "annual"

	LoanEqualPrincipal  = "equal_principal"  // 等额本金
	LoanEqualInstalment = "equal_instalment" // 等额本息
	LoanBullet          = "bullet"           // 到期一次还本
	LoanCustom          = "custom"           // amounts on given due dates, the last due date repays the rest
)

// MaxLoanPeriods bounds a schedule: 30 years of monthly periods.
const MaxLoanPeriods = 360

// LoanMove is a drawdown or a prepayment of principal on a date.
type LoanMove struct {
	Date   time.Time       `json:"date"`
	Amount decimal.Decimal `json:"amount"`
}

// LoanRate is a yearly rate in per cent in force from a date (the loan's
// start or a due date) until the next one.
type LoanRate struct {
	From    time.Time       `json:"from"`
	RatePct decimal.Decimal `json:"rate_pct"`
}

// LoanTerms is what a loan schedule is generated from: the contract's terms
// and the events recorded so far (drawdowns, prepayments, rate resets).
type LoanTerms struct {
	Start       time.Time // 起息日: periods run from here; day of month 1 to 28
	TermMonths  int
	Frequency   string
	GraceMonths int // interest only, no principal
	Repayment   string
	Custom      []LoanMove // custom repayments on due dates
	Rates       []LoanRate // the first From is Start
	Draws       []LoanMove
	Prepayments []LoanMove
}

// LoanScheduleLine is one period of a loan schedule. The period's interest
// is on the principal outstanding day by day: OpeningPrincipal, plus
// Drawn from each drawdown's date, less Prepaid from each prepayment's
// date; Principal is repaid on DueDate.
type LoanScheduleLine struct {
	Seq              int             `db:"seq" json:"seq"`
	PeriodStart      time.Time       `db:"period_start" json:"period_start"`
	DueDate          time.Time       `db:"due_date" json:"due_date"`
	RatePct          decimal.Decimal `db:"rate_pct" json:"rate_pct"`
	OpeningPrincipal decimal.Decimal `db:"opening_principal" json:"opening_principal"`
	Drawn            decimal.Decimal `db:"drawn" json:"drawn"`
	Prepaid          decimal.Decimal `db:"prepaid" json:"prepaid"`
	Interest         decimal.Decimal `db:"interest" json:"interest"`
	Principal        decimal.Decimal `db:"principal" json:"principal"`
}

// Total is the line's interest plus principal.
func (l LoanScheduleLine) Total() decimal.Decimal { return l.Interest.Add(l.Principal) }

// Closing is the principal outstanding after the line's due date.
func (l LoanScheduleLine) Closing() decimal.Decimal {
	return l.OpeningPrincipal.Add(l.Drawn).Sub(l.Prepaid).Sub(l.Principal)
}

func loanPeriodMonths(freq string) int {
	switch freq {
	case LoanMonthly:
		return 1
	case LoanQuarterly:
		return 3
	case LoanSemiAnnual:
		return 6
	case LoanAnnual:
		return 12
	}
	return 0
}

// days30E is the 30E/360 day count from a to b.
func days30E(a, b time.Time) int64 {
	g := func(t time.Time) int64 {
		y, m, d := t.Date()
		return int64(y)*360 + int64(m)*30 + int64(min(d, 30))
	}
	return g(b) - g(a)
}

// loanDueDates are the due dates of a loan's terms: start + k × period.
func loanDueDates(start time.Time, termMonths, periodMonths int) []time.Time {
	n := termMonths / periodMonths
	due := make([]time.Time, n)
	for k := range n {
		due[k] = bondAddMonths(start, (k+1)*periodMonths)
	}
	return due
}

// checkLoanTerms checks the contract's terms.
func checkLoanTerms(t LoanTerms) error {
	pm := loanPeriodMonths(t.Frequency)
	switch {
	case pm == 0:
		return fmt.Errorf("frequency %q: want monthly, quarterly, semi-annual or annual", t.Frequency)
	case t.Start.IsZero():
		return fmt.Errorf("the start date (起息日) is required")
	case t.Start.Day() > 28:
		return fmt.Errorf("start date %s: the day of month must be 1 to 28, so that every period is whole under 30E/360", t.Start.Format(ledger.DateLayout))
	case t.TermMonths < pm || t.TermMonths%pm != 0 || t.TermMonths/pm > MaxLoanPeriods:
		return fmt.Errorf("term of %d months: want a whole number of %s periods, at most %d", t.TermMonths, t.Frequency, MaxLoanPeriods)
	case t.GraceMonths < 0 || t.GraceMonths%pm != 0 || t.GraceMonths >= t.TermMonths:
		return fmt.Errorf("grace of %d months: want a whole number of %s periods, shorter than the term", t.GraceMonths, t.Frequency)
	}
	switch t.Repayment {
	case LoanEqualPrincipal, LoanEqualInstalment, LoanBullet:
		if len(t.Custom) > 0 {
			return fmt.Errorf("custom repayments are given but repayment is %s (want custom)", t.Repayment)
		}
	case LoanCustom:
		if len(t.Custom) == 0 || len(t.Custom) > MaxLoanPeriods {
			return fmt.Errorf("a custom schedule needs 1 to %d repayments", MaxLoanPeriods)
		}
	default:
		return fmt.Errorf("repayment %q: want equal_principal, equal_instalment, bullet or custom", t.Repayment)
	}
	if t.Repayment == LoanBullet && t.GraceMonths != 0 {
		return fmt.Errorf("a bullet loan repays everything at maturity: grace does not apply")
	}
	return nil
}

// checkLoanRate accepts a yearly rate in per cent, > 0 and < 100, at most
// four decimals.
func checkLoanRate(r decimal.Decimal) error {
	if !r.IsPositive() || r.GreaterThanOrEqual(decimal.NewFromInt(100)) || !r.Equal(r.Truncate(4)) {
		return fmt.Errorf("rate %s: want a yearly rate in per cent, above 0 and below 100, at most four decimals (3.85 for 3.85%%)", r)
	}
	return nil
}

// GenerateLoanSchedule computes a loan's schedule from its terms and
// events, exactly (LoanRounding states how):
//
//   - periods: TermMonths ÷ period months; period k runs from start +
//     (k−1) periods to start + k periods (its due date);
//   - a drawdown on date d counts from d (in the period with start ≤ d <
//     due), a prepayment from d (in the period with start < d ≤ due);
//   - the rate of a period is the one in force on its start; rates change
//     only on the start or a due date;
//   - interest: round-half-up(Σ stretch principal × rate × 30E/360 days ÷
//     36000, 2), one rounding per period;
//   - principal on each due date, from the balance B (opening + drawn −
//     prepaid): none during the grace periods; then equal_principal B ÷
//     periods left truncated to the fen; equal_instalment the annuity A =
//     B·r ÷ (1 − (1+r)^−m) with r = rate ÷ 100 ÷ periods a year and m the
//     periods left, round-half-up to the fen, kept until the rate changes
//     or a drawdown or prepayment changes the balance, less the period's
//     interest; bullet nothing; custom the given amount (at most B); the
//     last period repays all that is left, so that principal repaid plus
//     prepaid adds up exactly to what was drawn.
//
// The schedule ends early when nothing is outstanding and nothing more is
// drawn.
func GenerateLoanSchedule(t LoanTerms) ([]LoanScheduleLine, error) {
	if err := checkLoanTerms(t); err != nil {
		return nil, fmt.Errorf("%w: schedule: %w", ErrInvalid, err)
	}
	start := ledger.Civil(t.Start)
	pm := loanPeriodMonths(t.Frequency)
	due := loanDueDates(start, t.TermMonths, pm)
	n := len(due)
	maturity := due[n-1]
	periodOf := func(d time.Time, draw bool) int {
		for k := range due {
			s := start
			if k > 0 {
				s = due[k-1]
			}
			if draw && !d.Before(s) && d.Before(due[k]) || !draw && d.After(s) && !d.After(due[k]) {
				return k
			}
		}
		return -1
	}
	// Rates: sorted, the first on the start, each on a period boundary.
	rates := append([]LoanRate(nil), t.Rates...)
	sort.SliceStable(rates, func(i, j int) bool { return rates[i].From.Before(rates[j].From) })
	if len(rates) == 0 || !ledger.Civil(rates[0].From).Equal(start) {
		return nil, fmt.Errorf("%w: schedule: the first rate must be in force from the start %s", ErrInvalid, start.Format(ledger.DateLayout))
	}
	rateOf := make([]decimal.Decimal, n)
	{
		boundary := map[time.Time]int{start: 0}
		for k := 0; k < n-1; k++ {
			boundary[due[k]] = k + 1
		}
		from := make([]int, len(rates))
		for i, r := range rates {
			if err := checkLoanRate(r.RatePct); err != nil {
				return nil, fmt.Errorf("%w: schedule: %w", ErrInvalid, err)
			}
			k, ok := boundary[ledger.Civil(r.From)]
			if !ok {
				return nil, fmt.Errorf("%w: schedule: a rate takes effect on %s, which is not the start or a due date before maturity", ErrInvalid,
					ledger.Civil(r.From).Format(ledger.DateLayout))
			}
			from[i] = k
		}
		for i := range rates {
			end := n
			if i+1 < len(rates) {
				end = from[i+1]
			}
			for k := from[i]; k < end; k++ {
				rateOf[k] = rates[i].RatePct
			}
		}
	}
	type event struct {
		on     time.Time
		amount decimal.Decimal // + drawdown, − prepayment
	}
	events := make([][]event, n)
	drawn := make([]decimal.Decimal, n)
	prepaid := make([]decimal.Decimal, n)
	for k := range n {
		drawn[k], prepaid[k] = decimal.Zero, decimal.Zero
	}
	lastDraw := -1
	for i, d := range t.Draws {
		on := ledger.Civil(d.Date)
		if err := ledger.CheckAmount(d.Amount); err != nil || !d.Amount.Equal(d.Amount.Truncate(2)) {
			return nil, fmt.Errorf("%w: schedule: drawdown %d on %s: want an amount above zero in yuan and fen", ErrInvalid, i+1, on.Format(ledger.DateLayout))
		}
		k := periodOf(on, true)
		if k < 0 {
			return nil, fmt.Errorf("%w: schedule: drawdown %d on %s is outside the loan's term %s to %s", ErrInvalid, i+1, on.Format(ledger.DateLayout),
				start.Format(ledger.DateLayout), maturity.Format(ledger.DateLayout))
		}
		events[k] = append(events[k], event{on, d.Amount})
		drawn[k] = drawn[k].Add(d.Amount)
		lastDraw = max(lastDraw, k)
	}
	for i, d := range t.Prepayments {
		on := ledger.Civil(d.Date)
		if err := ledger.CheckAmount(d.Amount); err != nil || !d.Amount.Equal(d.Amount.Truncate(2)) {
			return nil, fmt.Errorf("%w: schedule: prepayment %d on %s: want an amount above zero in yuan and fen", ErrInvalid, i+1, on.Format(ledger.DateLayout))
		}
		k := periodOf(on, false)
		if k < 0 {
			return nil, fmt.Errorf("%w: schedule: prepayment %d on %s is outside the loan's term", ErrInvalid, i+1, on.Format(ledger.DateLayout))
		}
		events[k] = append(events[k], event{on, d.Amount.Neg()})
		prepaid[k] = prepaid[k].Add(d.Amount)
	}
	custom := make([]decimal.Decimal, n)
	for k := range custom {
		custom[k] = decimal.Zero
	}
	if t.Repayment == LoanCustom {
		index := make(map[time.Time]int, n)
		for k, d := range due {
			index[d] = k
		}
		for i, c := range t.Custom {
			on := ledger.Civil(c.Date)
			k, ok := index[on]
			if !ok {
				return nil, fmt.Errorf("%w: schedule: custom repayment %d on %s is not a due date (due dates: %s)", ErrInvalid, i+1,
					on.Format(ledger.DateLayout), bondDueDateList(due))
			}
			if err := ledger.CheckAmount(c.Amount); err != nil || !c.Amount.Equal(c.Amount.Truncate(2)) {
				return nil, fmt.Errorf("%w: schedule: custom repayment %d on %s: want an amount above zero in yuan and fen", ErrInvalid, i+1, on.Format(ledger.DateLayout))
			}
			if custom[k].IsPositive() {
				return nil, fmt.Errorf("%w: schedule: two custom repayments on %s", ErrInvalid, on.Format(ledger.DateLayout))
			}
			custom[k] = c.Amount
		}
	}
	grace := t.GraceMonths / pm
	f := 12 / pm
	wholePeriod := int64(360 / f)
	var lines []LoanScheduleLine
	outstanding := decimal.Zero
	instalment := decimal.Zero
	haveInstalment := false
	for k := range n {
		s := start
		if k > 0 {
			s = due[k-1]
		}
		if k > lastDraw && !outstanding.IsPositive() && k > 0 {
			break
		}
		ev := events[k]
		sort.SliceStable(ev, func(i, j int) bool { return ev[i].on.Before(ev[j].on) })
		// Σ principal × days over the period's stretches (30E/360).
		num := decimal.Zero
		bal := outstanding
		at := s
		for _, e := range ev {
			num = num.Add(bal.Mul(decimal.NewFromInt(days30E(at, e.on))))
			bal = bal.Add(e.amount)
			at = e.on
			if bal.IsNegative() {
				return nil, fmt.Errorf("%w: schedule: the prepayment on %s is larger than the principal outstanding", ErrInvalid, e.on.Format(ledger.DateLayout))
			}
		}
		num = num.Add(bal.Mul(decimal.NewFromInt(days30E(at, due[k]))))
		if days30E(s, due[k]) != wholePeriod {
			return nil, fmt.Errorf("%w: schedule: period %s to %s is not a whole period under 30E/360", ErrInvalid, s.Format(ledger.DateLayout), due[k].Format(ledger.DateLayout))
		}
		interest := num.Mul(rateOf[k]).DivRound(decimal.NewFromInt(36000), 2)
		var principal decimal.Decimal
		switch {
		case !bal.IsPositive():
			principal = decimal.Zero
		case k == n-1:
			principal = bal
		case k < grace:
			principal = decimal.Zero
		case t.Repayment == LoanBullet:
			principal = decimal.Zero
		case t.Repayment == LoanEqualPrincipal:
			principal = bal.Div(decimal.NewFromInt(int64(n - k))).Truncate(2)
		case t.Repayment == LoanCustom:
			principal = decimal.Min(custom[k], bal)
		case t.Repayment == LoanEqualInstalment:
			if !haveInstalment || len(ev) > 0 || !rateOf[k].Equal(rateOf[k-1]) {
				instalment = Annuity(bal, rateOf[k], f, n-k)
				haveInstalment = true
			}
			principal = decimal.Min(decimal.Max(instalment.Sub(interest), decimal.Zero), bal)
		}
		lines = append(lines, LoanScheduleLine{Seq: k + 1, PeriodStart: s, DueDate: due[k], RatePct: rateOf[k], OpeningPrincipal: outstanding,
			Drawn: drawn[k], Prepaid: prepaid[k], Interest: interest, Principal: principal})
		outstanding = bal.Sub(principal)
	}
	return lines, nil
}

// Annuity is the equal instalment (等额本息) that repays principal over m
// periods at a yearly rate in per cent paid f times a year: P·r ÷ (1 −
// (1+r)^−m), r = rate ÷ 100 ÷ f, computed exactly and rounded half-up to
// the fen.
func Annuity(principal, ratePct decimal.Decimal, f, m int) decimal.Decimal {
	if m <= 0 || f <= 0 {
		return decimal.Zero
	}
	r := new(big.Rat).Quo(ratPct(ratePct), big.NewRat(int64(100*f), 1))
	onePlus := new(big.Rat).Add(big.NewRat(1, 1), r)
	pow := big.NewRat(1, 1)
	for range m {
		pow.Mul(pow, onePlus)
	}
	// P·r·(1+r)^m ÷ ((1+r)^m − 1)
	num := new(big.Rat).Mul(ratPct(principal), r)
	num.Mul(num, pow)
	den := new(big.Rat).Sub(pow, big.NewRat(1, 1))
	if den.Sign() == 0 {
		return principal.Div(decimal.NewFromInt(int64(m))).Round(2)
	}
	return ratRoundFen(num.Quo(num, den))
}

func ratPct(d decimal.Decimal) *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}

// ratRoundFen rounds a non-negative rational half-up to the fen.
func ratRoundFen(x *big.Rat) decimal.Decimal {
	h := new(big.Rat).Mul(x, big.NewRat(100, 1))
	h.Add(h, big.NewRat(1, 2))
	q := new(big.Int).Quo(h.Num(), h.Denom()) // floor for non-negative
	return decimal.NewFromBigInt(q, -2)
}

func loanTotalInterest(lines []LoanScheduleLine) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range lines {
		sum = sum.Add(l.Interest)
	}
	return sum
}

func sameLoanLine(a, b LoanScheduleLine) bool {
	return a.Seq == b.Seq && a.PeriodStart.Equal(b.PeriodStart) && a.DueDate.Equal(b.DueDate) && a.RatePct.Equal(b.RatePct) &&
		a.OpeningPrincipal.Equal(b.OpeningPrincipal) && a.Drawn.Equal(b.Drawn) && a.Prepaid.Equal(b.Prepaid) &&
		a.Interest.Equal(b.Interest) && a.Principal.Equal(b.Principal)
}

func sameLoanLines(a, b []LoanScheduleLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameLoanLine(a[i], b[i]) {
			return false
		}
	}
	return true
}
