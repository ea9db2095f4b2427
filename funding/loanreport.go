package funding

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// LoanPosition is one loan as of a date.
type LoanPosition struct {
	Loan            Loan            `json:"loan"`
	Maturity        time.Time       `json:"maturity"`
	ScheduleVersion int             `json:"schedule_version"`
	Drawn           decimal.Decimal `json:"drawn"`
	Undrawn         decimal.Decimal `json:"undrawn"`
	Repaid          decimal.Decimal `json:"principal_repaid"` // scheduled repayments and prepayments
	Prepaid         decimal.Decimal `json:"prepaid"`
	Outstanding     decimal.Decimal `json:"principal_outstanding"`
	InterestAccrued decimal.Decimal `json:"interest_accrued"`
	InterestPaid    decimal.Decimal `json:"interest_paid"`
	// SubsidyCommitted and SubsidyPaid: 贴息 of every level, for periods due
	// on or before the date, and paid on or before it.
	SubsidyCommitted decimal.Decimal `json:"subsidy_committed"`
	SubsidyPaid      decimal.Decimal `json:"subsidy_paid"`
	// NetInterestCost is the interest paid less the subsidy paid: what the
	// borrower bore.
	NetInterestCost decimal.Decimal `json:"net_interest_cost"`
	// Overdue: interest and principal of the periods due on or before the
	// date (schedule version in force) not paid on or before it.
	Overdue       decimal.Decimal `json:"overdue"`
	NextDueDate   time.Time       `json:"next_due_date,omitzero"`
	NextInterest  decimal.Decimal `json:"next_interest"`
	NextPrincipal decimal.Decimal `json:"next_principal"`
}

// LoanProjectPosition is a project's share of a loan: what was drawn for
// it, and the loan's interest and subsidy paid apportioned by drawn amount
// (largest remainder to the fen).
type LoanProjectPosition struct {
	Loan            string          `json:"loan"`
	Project         string          `json:"project"`
	District        string          `json:"district"`
	Drawn           decimal.Decimal `json:"drawn"`
	InterestPaid    decimal.Decimal `json:"interest_paid"`
	SubsidyPaid     decimal.Decimal `json:"subsidy_paid"`
	NetInterestCost decimal.Decimal `json:"net_interest_cost"`
}

// DistrictDebt is a district's debt in one line: its share of bond
// principal outstanding (BondReport's district rows) and the principal of
// its loans outstanding.
type DistrictDebt struct {
	District        string          `json:"district"`
	DistrictName    string          `json:"district_name"`
	BondOutstanding decimal.Decimal `json:"bond_outstanding"`
	LoanOutstanding decimal.Decimal `json:"loan_outstanding"`
	Total           decimal.Decimal `json:"total"`
	LoanInterest    decimal.Decimal `json:"loan_interest_paid"`
	LoanSubsidy     decimal.Decimal `json:"loan_subsidy_paid"`
	// LoanNetCost is the loans' interest paid less their subsidy paid.
	LoanNetCost decimal.Decimal `json:"loan_net_interest_cost"`
}

// LoanReport is the loans report.
type LoanReport struct {
	AsOf     time.Time             `json:"as_of"`
	Loans    []LoanPosition        `json:"loans"`
	Projects []LoanProjectPosition `json:"projects"`
	Debt     []DistrictDebt        `json:"district_debt"`
	Total    LoanPosition          `json:"total"`
}

// LoanReportOptions selects the date (required) and a district (code or
// Chinese name; "" all).
type LoanReportOptions struct {
	AsOf     time.Time
	District string
}

// LoanReport shows each loan as of the end of a day: drawn, repaid,
// outstanding, interest accrued and paid, subsidy committed and paid, net
// interest cost and the next due date under the schedule version in force
// that day; each project's share; and each district's debt, bonds and loans
// together.
func (p *Programme) LoanReport(ctx context.Context, o LoanReportOptions) (LoanReport, error) {
	if o.AsOf.IsZero() {
		return LoanReport{}, fmt.Errorf("%w: loan report: an as-of date is required", ErrInvalid)
	}
	asOf := ledger.Civil(o.AsOf)
	day := asOf.Format(ledger.DateLayout)
	loans, err := p.Loans(ctx, o.District)
	if err != nil {
		return LoanReport{}, err
	}
	rep := LoanReport{AsOf: asOf}
	zero := decimal.Zero
	rep.Total = LoanPosition{Overdue: zero, Drawn: zero, Undrawn: zero, Repaid: zero, Prepaid: zero, Outstanding: zero, InterestAccrued: zero, InterestPaid: zero,
		SubsidyCommitted: zero, SubsidyPaid: zero, NetInterestCost: zero, NextInterest: zero, NextPrincipal: zero}
	for _, l := range loans {
		var sums struct {
			Drawn            decimal.Decimal `db:"drawn"`
			Prepaid          decimal.Decimal `db:"prepaid"`
			Repaid           decimal.Decimal `db:"repaid"`
			InterestPaid     decimal.Decimal `db:"interest_paid"`
			InterestAccrued  decimal.Decimal `db:"interest_accrued"`
			SubsidyCommitted decimal.Decimal `db:"subsidy_committed"`
			SubsidyPaid      decimal.Decimal `db:"subsidy_paid"`
		}
		if err := p.db.GetContext(ctx, &sums, `
			SELECT (SELECT coalesce(sum(amount), 0) FROM loan_drawdowns WHERE loan = $1 AND drawn_on <= $2) AS drawn,
			       (SELECT coalesce(sum(amount), 0) FROM loan_prepayments WHERE loan = $1 AND paid_on <= $2) AS prepaid,
			       (SELECT coalesce(sum(principal), 0) FROM loan_payments WHERE loan = $1 AND paid_on <= $2) AS repaid,
			       (SELECT coalesce(sum(interest), 0) FROM loan_payments WHERE loan = $1 AND paid_on <= $2) AS interest_paid,
			       (SELECT coalesce(sum(interest), 0) FROM loan_accruals WHERE loan = $1 AND due_date <= $2) AS interest_accrued,
			       (SELECT coalesce(sum(amount), 0) FROM loan_subsidies WHERE loan = $1 AND due_date <= $2) AS subsidy_committed,
			       (SELECT coalesce(sum(amount), 0) FROM loan_subsidy_payments WHERE loan = $1 AND paid_on <= $2) AS subsidy_paid`,
			l.Code, day); err != nil {
			return LoanReport{}, fmt.Errorf("loan report: %s: %w", l.Code, err)
		}
		pos := LoanPosition{Loan: l, Maturity: l.Maturity(), Drawn: sums.Drawn, Undrawn: l.Amount.Sub(sums.Drawn), Prepaid: sums.Prepaid,
			Repaid: sums.Repaid.Add(sums.Prepaid), InterestAccrued: sums.InterestAccrued, InterestPaid: sums.InterestPaid,
			SubsidyCommitted: sums.SubsidyCommitted, SubsidyPaid: sums.SubsidyPaid, Overdue: zero, NextInterest: zero, NextPrincipal: zero}
		pos.Outstanding = pos.Drawn.Sub(pos.Repaid)
		pos.NetInterestCost = pos.InterestPaid.Sub(pos.SubsidyPaid)
		var paidDues []time.Time
		if err := p.db.SelectContext(ctx, &paidDues, `SELECT due_date FROM loan_payments WHERE loan = $1 AND paid_on <= $2`, l.Code, day); err != nil {
			return LoanReport{}, fmt.Errorf("loan report: %s: %w", l.Code, err)
		}
		paid := map[time.Time]bool{}
		for _, d := range paidDues {
			paid[ledger.Civil(d)] = true
		}
		if s, err := loadLoanSchedule(ctx, p.db, l.Code, 0, asOf); err == nil {
			pos.ScheduleVersion = s.Version
			if !s.EffectiveOn.After(asOf) {
				for _, x := range s.Lines {
					if !x.DueDate.After(asOf) && !paid[x.DueDate] {
						pos.Overdue = pos.Overdue.Add(x.Total())
					}
				}
				for _, x := range s.Lines {
					if x.DueDate.After(asOf) && x.Total().IsPositive() {
						pos.NextDueDate, pos.NextInterest, pos.NextPrincipal = x.DueDate, x.Interest, x.Principal
						break
					}
				}
			}
		}
		rep.Loans = append(rep.Loans, pos)
		t := &rep.Total
		t.Drawn, t.Undrawn, t.Repaid, t.Prepaid = t.Drawn.Add(pos.Drawn), t.Undrawn.Add(pos.Undrawn), t.Repaid.Add(pos.Repaid), t.Prepaid.Add(pos.Prepaid)
		t.Outstanding, t.InterestAccrued, t.InterestPaid = t.Outstanding.Add(pos.Outstanding), t.InterestAccrued.Add(pos.InterestAccrued), t.InterestPaid.Add(pos.InterestPaid)
		t.SubsidyCommitted, t.SubsidyPaid, t.NetInterestCost = t.SubsidyCommitted.Add(pos.SubsidyCommitted), t.SubsidyPaid.Add(pos.SubsidyPaid), t.NetInterestCost.Add(pos.NetInterestCost)
		t.Overdue = t.Overdue.Add(pos.Overdue)

		var drawn []struct {
			Project  string          `db:"project"`
			District string          `db:"district"`
			Amount   decimal.Decimal `db:"amount"`
		}
		if err := p.db.SelectContext(ctx, &drawn, `
			SELECT d.project, pr.district, sum(d.amount) AS amount FROM loan_drawdowns d JOIN projects pr ON pr.code = d.project
			 WHERE d.loan = $1 AND d.drawn_on <= $2 GROUP BY 1, 2 ORDER BY 1`, l.Code, day); err != nil {
			return LoanReport{}, fmt.Errorf("loan report: %s: %w", l.Code, err)
		}
		weights := make([]decimal.Decimal, len(drawn))
		for i, d := range drawn {
			weights[i] = d.Amount
		}
		interest, subsidy := bondApportion(pos.InterestPaid, weights), bondApportion(pos.SubsidyPaid, weights)
		for i, d := range drawn {
			rep.Projects = append(rep.Projects, LoanProjectPosition{Loan: l.Code, Project: d.Project, District: d.District, Drawn: d.Amount,
				InterestPaid: interest[i], SubsidyPaid: subsidy[i], NetInterestCost: interest[i].Sub(subsidy[i])})
		}
	}
	debt, err := p.districtDebt(ctx, o.District, asOf, rep.Loans)
	if err != nil {
		return LoanReport{}, err
	}
	rep.Debt = debt
	return rep, nil
}

// districtDebt puts each district's bond principal outstanding (its
// projects' share, from BondReport) and its loans' principal outstanding in
// one row per district that has either, in the districts' order.
func (p *Programme) districtDebt(ctx context.Context, district string, asOf time.Time, loans []LoanPosition) ([]DistrictDebt, error) {
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return nil, fmt.Errorf("district debt: %w", err)
	}
	only := ""
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return nil, fmt.Errorf("district debt: %w", err)
		}
		only = d.Code
	}
	rows := map[string]*DistrictDebt{}
	row := func(code string) *DistrictDebt {
		if rows[code] == nil {
			rows[code] = &DistrictDebt{District: code, BondOutstanding: decimal.Zero, LoanOutstanding: decimal.Zero, LoanInterest: decimal.Zero,
				LoanSubsidy: decimal.Zero, LoanNetCost: decimal.Zero}
		}
		return rows[code]
	}
	bonds, err := p.BondReport(ctx, BondReportOptions{AsOf: asOf})
	if err != nil {
		return nil, fmt.Errorf("district debt: %w", err)
	}
	for _, b := range bonds.Districts {
		if b.Code == "" || (only != "" && b.Code != only) {
			continue
		}
		r := row(b.Code)
		r.BondOutstanding = r.BondOutstanding.Add(b.Outstanding)
	}
	for _, l := range loans {
		if only != "" && l.Loan.District != only {
			continue
		}
		r := row(l.Loan.District)
		r.LoanOutstanding = r.LoanOutstanding.Add(l.Outstanding)
		r.LoanInterest = r.LoanInterest.Add(l.InterestPaid)
		r.LoanSubsidy = r.LoanSubsidy.Add(l.SubsidyPaid)
		r.LoanNetCost = r.LoanNetCost.Add(l.NetInterestCost)
	}
	order := map[string]int{}
	names := map[string]string{}
	for i, d := range ds {
		order[d.Code], names[d.Code] = i, d.NameZh
	}
	out := make([]DistrictDebt, 0, len(rows))
	for _, r := range rows {
		r.DistrictName = names[r.District]
		r.Total = r.BondOutstanding.Add(r.LoanOutstanding)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].District] < order[out[j].District] })
	return out, nil
}
