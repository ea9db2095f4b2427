package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const subsidySet = header + `      - {source: central, pct: 100}
loan_interest_subsidy:
  - level: provincial
    lender_kinds: [policy_bank]
    share_pct: 50
    cap_per_year: 1000
    cap_per_loan: 2500
    years: 3
  - level: municipal
    lender_kinds: [policy_bank, commercial]
    points: 1.5
`

func TestLoanSubsidyParse(t *testing.T) {
	t.Parallel()
	rs, err := Parse("subsidy.yaml", []byte(subsidySet))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.LoanInterestSubsidy) != 2 {
		t.Fatalf("%d rules, want 2", len(rs.LoanInterestSubsidy))
	}
	p := rs.LoanInterestSubsidy[0]
	if p.Level != "provincial" || !p.SharePct.Equal(dec("50")) || p.Points != nil || !p.CapPerYear.Equal(dec("1000")) ||
		!p.CapPerLoan.Equal(dec("2500")) || p.Years != 3 {
		t.Errorf("provincial rule %+v", p)
	}
	start := time.Date(2021, 1, 15, 0, 0, 0, 0, time.UTC)
	if got := rs.LoanSubsidyRules("commercial", start, start.AddDate(1, 0, 0)); len(got) != 1 || got[0].Level != "municipal" {
		t.Errorf("commercial loan: rules %+v, want the municipal one only", got)
	}
	// Three years from the start, inclusive: 2024-01-15 yes, 2024-04-15 no.
	if got := rs.LoanSubsidyRules("policy_bank", start, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)); len(got) != 2 {
		t.Errorf("policy-bank loan in year 3: %d rules, want 2", len(got))
	}
	if got := rs.LoanSubsidyRules("policy_bank", start, time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC)); len(got) != 1 {
		t.Errorf("policy-bank loan after 3 years: %d rules, want 1 (municipal, no time limit)", len(got))
	}
}

func TestLoanSubsidyAmount(t *testing.T) {
	t.Parallel()
	rs, err := Parse("subsidy.yaml", []byte(subsidySet))
	if err != nil {
		t.Fatal(err)
	}
	share, points := rs.LoanInterestSubsidy[0], rs.LoanInterestSubsidy[1]
	cases := []struct {
		name      string
		rule      LoanSubsidyRule
		in        LoanSubsidyPeriod
		want, why string
	}{
		// 50% of 300.01 = 150.005 → 150.01 (half up).
		{"share", share, LoanSubsidyPeriod{Interest: dec("300.01"), RatePct: dec("4.9")}, "150.01", ""},
		// Year's cap 1000, 900 given this year: 100 left of 150.
		{"year's cap", share, LoanSubsidyPeriod{Interest: dec("300.00"), RatePct: dec("4.9"), GivenThisYear: dec("900"), GivenToDate: dec("900")}, "100.00", "cap_per_year"},
		// Loan's cap 2500, 2480 given: 20 left.
		{"loan's cap", share, LoanSubsidyPeriod{Interest: dec("300.00"), RatePct: dec("4.9"), GivenToDate: dec("2480")}, "20.00", "cap_per_loan"},
		{"caps used up", share, LoanSubsidyPeriod{Interest: dec("300.00"), RatePct: dec("4.9"), GivenThisYear: dec("1000"), GivenToDate: dec("1000")}, "0", "cap_per_year"},
		// 1.5 points of 4.9%: 490 × 1.5 ÷ 4.9 = 150 exactly.
		{"points", points, LoanSubsidyPeriod{Interest: dec("490.00"), RatePct: dec("4.9")}, "150.00", ""},
		// 1.5 points of a 1.2% rate: more than the interest, so the interest.
		{"points above the rate", points, LoanSubsidyPeriod{Interest: dec("120.00"), RatePct: dec("1.2")}, "120.00", "interest"},
		{"no interest", share, LoanSubsidyPeriod{Interest: dec("0"), RatePct: dec("4.9")}, "0", "no interest"},
	}
	for _, c := range cases {
		got, why := c.rule.Subsidy(c.in)
		if !got.Equal(dec(c.want)) || why != c.why {
			t.Errorf("%s: %s (%q), want %s (%q)", c.name, got, why, c.want, c.why)
		}
	}
}

func TestLoanSubsidyParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ section, msg string }{
		{"  - {level: county, lender_kinds: [policy_bank], share_pct: 50}\n", `level "county": want one of central, provincial, municipal, district`},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50, points: 1}\n", "give exactly one of share_pct"},
		{"  - {level: provincial, lender_kinds: [policy_bank]}\n", "give exactly one of share_pct"},
		{"  - {level: provincial, lender_kinds: [trust], share_pct: 50}\n", `lender kind "trust"`},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 150}\n", "a percentage is at most 100"},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50, cap_per_year: 0}\n", "must be above 0 (leave it out for no cap)"},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50, years: 2.5}\n", `years "2.5"`},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50}\n  - {level: provincial, lender_kinds: [commercial], share_pct: 10}\n",
			"a second rule for level provincial"},
		{"  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50, cap: 1}\n", "cap"},
	}
	for _, c := range cases {
		_, err := Parse("bad.yaml", []byte(header+"      - {source: central, pct: 100}\nloan_interest_subsidy:\n"+c.section))
		if !errors.Is(err, ErrInvalidRuleSet) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "bad.yaml:") {
			t.Errorf("%q: error %v, want one positioned in bad.yaml containing %q", c.section, err, c.msg)
		}
	}
}
