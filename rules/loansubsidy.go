package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The loan_interest_subsidy section (贷款贴息): which level of government
// subsidises the interest of which loans (by lender kind), how, with what
// caps and for how long. In a rule file:
//
//	loan_interest_subsidy:
//	  - level: provincial          # central, provincial, municipal or district
//	    lender_kinds: [policy_bank] # policy_bank and/or commercial
//	    share_pct: 50              # a share of each period's interest, or
//	    # points: 1.5              # percentage points of the rate
//	    cap_per_year: 200000       # optional, yuan per calendar year of due dates
//	    cap_per_loan: 500000       # optional, yuan over the loan's life
//	    years: 3                   # optional: periods due within 3 years of the loan's start; 0 or absent = the whole term
//
// One rule per level: two rules of the same level would subsidise twice.

// Lender kinds a subsidy rule can name.
const (
	LenderPolicyBank = "policy_bank"
	LenderCommercial = "commercial"
)

// MaxLoanSubsidyRules bounds the section.
const MaxLoanSubsidyRules = 20

// LoanSubsidyRule is one level's interest subsidy rule. Exactly one of
// SharePct and Points is set; caps are nil when absent.
type LoanSubsidyRule struct {
	Level       string   // source code of the paying level: central, provincial, municipal, district
	LenderKinds []string // loans of these lender kinds are subsidised
	SharePct    *decimal.Decimal
	Points      *decimal.Decimal
	CapPerYear  *decimal.Decimal
	CapPerLoan  *decimal.Decimal
	Years       int // 0: the whole term
}

// Applies reports whether the rule subsidises the period due on due of a
// loan of the lender kind that started on start.
func (r LoanSubsidyRule) Applies(lenderKind string, start, due time.Time) bool {
	if !slices.Contains(r.LenderKinds, lenderKind) {
		return false
	}
	if r.Years == 0 {
		return true
	}
	s := civilDate(start)
	return !civilDate(due).After(s.AddDate(r.Years, 0, 0))
}

// LoanSubsidyPeriod is what a period's subsidy is computed from.
type LoanSubsidyPeriod struct {
	Interest decimal.Decimal // the period's interest (to the fen)
	RatePct  decimal.Decimal // the period's yearly rate in per cent
	// Given earlier by this level to this loan: for periods due in the same
	// calendar year, and in all.
	GivenThisYear decimal.Decimal
	GivenToDate   decimal.Decimal
}

// Subsidy computes the period's subsidy, exactly:
//
//   - share_pct: round-half-up(interest × share ÷ 100, 2);
//   - points: round-half-up(interest × points ÷ rate, 2) — the interest the
//     given points of the rate make — at most the interest;
//
// then at most what is left of the year's cap and of the loan's cap, never
// below zero. why says which limit bound it ("" if none).
func (r LoanSubsidyRule) Subsidy(p LoanSubsidyPeriod) (amount decimal.Decimal, why string) {
	if !p.Interest.IsPositive() {
		return decimal.Zero, "no interest"
	}
	switch {
	case r.SharePct != nil:
		amount = p.Interest.Mul(*r.SharePct).DivRound(hundred, 2)
	case r.Points != nil && p.RatePct.IsPositive():
		amount = p.Interest.Mul(*r.Points).DivRound(p.RatePct, 2)
	default:
		return decimal.Zero, "no share or points"
	}
	if amount.GreaterThan(p.Interest) {
		amount, why = p.Interest, "interest"
	}
	if r.CapPerYear != nil {
		if left := r.CapPerYear.Sub(p.GivenThisYear); amount.GreaterThan(left) {
			amount, why = left, "cap_per_year"
		}
	}
	if r.CapPerLoan != nil {
		if left := r.CapPerLoan.Sub(p.GivenToDate); amount.GreaterThan(left) {
			amount, why = left, "cap_per_loan"
		}
	}
	if amount.IsNegative() {
		amount = decimal.Zero
	}
	return amount, why
}

// LoanSubsidyRules returns the rules that subsidise a period due on due of
// a loan of the lender kind that started on start, in level order.
func (rs *RuleSet) LoanSubsidyRules(lenderKind string, start, due time.Time) []LoanSubsidyRule {
	var out []LoanSubsidyRule
	for _, r := range rs.LoanInterestSubsidy {
		if r.Applies(lenderKind, start, due) {
			out = append(out, r)
		}
	}
	return out
}

// ---- file layer and checks ----

type fileLoanSubsidy struct {
	Level       string   `yaml:"level" validate:"required"`
	LenderKinds []string `yaml:"lender_kinds" validate:"required,min=1,max=2"`
	SharePct    *scalar  `yaml:"share_pct"`
	Points      *scalar  `yaml:"points"`
	CapPerYear  *scalar  `yaml:"cap_per_year"`
	CapPerLoan  *scalar  `yaml:"cap_per_loan"`
	Years       *scalar  `yaml:"years"`
}

var subsidyLevels = []string{SourceCentral, SourceProvincial, SourceMunicipal, SourceDistrict}

func (c *checker) checkLoanSubsidy(fr *fileRuleSet, rs *RuleSet) {
	if fr.LoanInterestSubsidy == nil {
		return
	}
	base := path{key("loan_interest_subsidy")}
	if len(fr.LoanInterestSubsidy) > MaxLoanSubsidyRules {
		c.errorf(base, "%d rules, at most %d", len(fr.LoanInterestSubsidy), MaxLoanSubsidyRules)
		return
	}
	seen := map[string]bool{}
	for i, f := range fr.LoanInterestSubsidy {
		p := base.with(idx(i))
		if f == nil {
			c.errorf(p, "empty rule")
			continue
		}
		r := LoanSubsidyRule{Level: f.Level}
		if !slices.Contains(subsidyLevels, f.Level) {
			c.errorf(p.with(key("level")), "level %q: want one of %s", f.Level, strings.Join(subsidyLevels, ", "))
		}
		if seen[f.Level] {
			c.errorf(p.with(key("level")), "a second rule for level %s: one rule per level, or the interest would be subsidised twice", f.Level)
		}
		seen[f.Level] = true
		for j, k := range f.LenderKinds {
			if k != LenderPolicyBank && k != LenderCommercial {
				c.errorf(p.with(key("lender_kinds"), idx(j)), "lender kind %q: want policy_bank or commercial", k)
				continue
			}
			if slices.Contains(r.LenderKinds, k) {
				c.errorf(p.with(key("lender_kinds"), idx(j)), "lender kind %s is listed twice", k)
				continue
			}
			r.LenderKinds = append(r.LenderKinds, k)
		}
		switch {
		case (f.SharePct == nil) == (f.Points == nil):
			c.errorf(p, "give exactly one of share_pct (a share of the interest) and points (percentage points of the rate)")
		case f.SharePct != nil:
			if d, ok := c.number(p.with(key("share_pct")), f.SharePct, pctPlaces, true); ok {
				if !d.IsPositive() {
					c.errorf(p.with(key("share_pct")), "must be above 0")
				}
				r.SharePct = &d
			}
		default:
			if d, ok := c.number(p.with(key("points")), f.Points, pctPlaces, true); ok {
				if !d.IsPositive() {
					c.errorf(p.with(key("points")), "must be above 0")
				}
				r.Points = &d
			}
		}
		money := func(name string, s *scalar) *decimal.Decimal {
			if s == nil {
				return nil
			}
			d, ok := c.number(p.with(key(name)), s, moneyPlaces, false)
			if !ok {
				return nil
			}
			if !d.IsPositive() {
				c.errorf(p.with(key(name)), "must be above 0 (leave it out for no cap)")
			}
			return &d
		}
		r.CapPerYear = money("cap_per_year", f.CapPerYear)
		r.CapPerLoan = money("cap_per_loan", f.CapPerLoan)
		if f.Years != nil {
			n, err := strconv.Atoi(strings.TrimSpace(f.Years.text))
			if err != nil || n < 0 || n > 50 {
				c.errorf(p.with(key("years")), "years %q: want a whole number of years from 0 to 50", f.Years.text)
			}
			r.Years = n
		}
		rs.LoanInterestSubsidy = append(rs.LoanInterestSubsidy, r)
	}
}

// String describes a rule for people.
func (r LoanSubsidyRule) String() string {
	how := ""
	if r.SharePct != nil {
		how = r.SharePct.String() + "% of interest"
	} else if r.Points != nil {
		how = r.Points.String() + " percentage points"
	}
	s := fmt.Sprintf("%s subsidises %s loans: %s", r.Level, strings.Join(r.LenderKinds, "/"), how)
	if r.CapPerYear != nil {
		s += ", at most " + r.CapPerYear.StringFixed(2) + " a year"
	}
	if r.CapPerLoan != nil {
		s += ", at most " + r.CapPerLoan.StringFixed(2) + " a loan"
	}
	if r.Years > 0 {
		s += fmt.Sprintf(", for %d years", r.Years)
	}
	return s
}
