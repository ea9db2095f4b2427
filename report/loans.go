package report

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

func loanRate(l funding.Loan) string {
	if l.RateKind == funding.RateFloating {
		return fmt.Sprintf("LPR%+dbp/%dm", l.SpreadBP, l.ResetMonths)
	}
	return "fixed"
}

// LoanReport renders the loans report as four tables: each loan (drawn,
// repaid, outstanding, interest, subsidy, next due); each project's share;
// each district's debt, bonds and loans together; and, when given, the
// capital injections and investment subsidies (their own lines, apart from
// the projects' sources).
func LoanReport(r funding.LoanReport, capital []funding.CapitalLine, amt func(decimal.Decimal) string) []Table {
	asOf := r.AsOf.Format(ledger.DateLayout)
	loans := Table{Title: "贷款 Loans: drawn, repaid, interest and subsidy (贴息), as of " + asOf, Columns: []Column{
		{Key: "loan", Zh: "贷款", En: "Loan"}, {Key: "lender", Zh: "贷款行", En: "Lender"}, {Key: "lender_kind", Zh: "类别", En: "Kind"},
		{Key: "borrower", Zh: "借款人", En: "Borrower"}, {Key: "rate", Zh: "利率方式", En: "Rate"},
		{Key: "terms", Zh: "还款/频率", En: "Repayment/frequency"}, {Key: "maturity", Zh: "到期日", En: "Maturity"},
		{Key: "amount", Zh: "合同金额", En: "Amount", Numeric: true},
		{Key: "drawn", Zh: "已提款", En: "Drawn", Numeric: true},
		{Key: "repaid", Zh: "已还本金", En: "Repaid", Numeric: true},
		{Key: "prepaid", Zh: "其中提前还款", En: "of which early", Numeric: true},
		{Key: "outstanding", Zh: "未还本金", En: "Outstanding", Numeric: true},
		{Key: "interest_accrued", Zh: "已计提利息", En: "Interest accrued", Numeric: true},
		{Key: "interest_paid", Zh: "已付利息", En: "Interest paid", Numeric: true},
		{Key: "subsidy_committed", Zh: "贴息下达", En: "Subsidy committed", Numeric: true},
		{Key: "subsidy_paid", Zh: "贴息到位", En: "Subsidy paid", Numeric: true},
		{Key: "net_interest_cost", Zh: "净利息负担", En: "Net interest cost", Numeric: true},
		{Key: "overdue", Zh: "逾期未付", En: "Overdue", Numeric: true},
		{Key: "next_due_date", Zh: "下一还款日", En: "Next due"},
		{Key: "next_interest", Zh: "下期利息", En: "Next interest", Numeric: true},
		{Key: "next_principal", Zh: "下期本金", En: "Next principal", Numeric: true},
		{Key: "schedule_version", Zh: "计划版本", En: "Schedule", Numeric: true},
	}}
	for _, p := range r.Loans {
		l := p.Loan
		borrower := l.District
		if l.Company != "" {
			borrower = l.Company
		}
		version := ""
		if p.ScheduleVersion > 0 {
			version = strconv.Itoa(p.ScheduleVersion)
		}
		loans.Rows = append(loans.Rows, []string{l.Code, l.Lender, l.LenderKind, borrower, loanRate(l), l.Repayment + "/" + l.Frequency,
			bondDate(p.Maturity), amt(l.Amount), amt(p.Drawn), amt(p.Repaid), amt(p.Prepaid), amt(p.Outstanding), amt(p.InterestAccrued),
			amt(p.InterestPaid), amt(p.SubsidyCommitted), amt(p.SubsidyPaid), amt(p.NetInterestCost), amt(p.Overdue), bondDate(p.NextDueDate),
			amt(p.NextInterest), amt(p.NextPrincipal), version})
	}
	t := r.Total
	amount := decimal.Zero
	for _, p := range r.Loans {
		amount = amount.Add(p.Loan.Amount)
	}
	loans.Rows = append(loans.Rows, []string{"合计 Total", "", "", "", "", "", "", amt(amount), amt(t.Drawn), amt(t.Repaid), amt(t.Prepaid),
		amt(t.Outstanding), amt(t.InterestAccrued), amt(t.InterestPaid), amt(t.SubsidyCommitted), amt(t.SubsidyPaid), amt(t.NetInterestCost),
		amt(t.Overdue), "", "", "", ""})
	loans.Notes = append(loans.Notes, "口径 Method: "+funding.LoanRounding+
		". Net interest cost = interest paid − subsidy paid; project shares apportion a loan's interest and subsidy by drawn amount (largest remainder).")
	if len(r.Loans) == 0 {
		loans.Notes = append(loans.Notes, "No loan registered.")
	}
	projects := Table{Title: "项目 Projects: their share of the loans, as of " + asOf, Columns: []Column{
		{Key: "loan", Zh: "贷款", En: "Loan"}, {Key: "project", Zh: "项目", En: "Project"}, {Key: "district", Zh: "区市", En: "District"},
		{Key: "drawn", Zh: "提款", En: "Drawn", Numeric: true}, {Key: "interest_paid", Zh: "分摊利息", En: "Interest paid", Numeric: true},
		{Key: "subsidy_paid", Zh: "分摊贴息", En: "Subsidy paid", Numeric: true}, {Key: "net_interest_cost", Zh: "净利息负担", En: "Net interest cost", Numeric: true},
	}}
	for _, p := range r.Projects {
		projects.Rows = append(projects.Rows, []string{p.Loan, p.Project, p.District, amt(p.Drawn), amt(p.InterestPaid), amt(p.SubsidyPaid), amt(p.NetInterestCost)})
	}
	debt := Table{Title: "区市债务 District debt: bonds and loans, as of " + asOf, Columns: []Column{
		{Key: "district", Zh: "区市", En: "District"}, {Key: "district_name", Zh: "名称", En: "Name"},
		{Key: "bond_outstanding", Zh: "专项债券未还本金", En: "Bonds outstanding", Numeric: true},
		{Key: "loan_outstanding", Zh: "贷款未还本金", En: "Loans outstanding", Numeric: true},
		{Key: "total", Zh: "债务合计", En: "Total debt", Numeric: true},
		{Key: "loan_interest_paid", Zh: "贷款已付利息", En: "Loan interest paid", Numeric: true},
		{Key: "loan_subsidy_paid", Zh: "贴息到位", En: "Loan subsidy paid", Numeric: true},
		{Key: "loan_net_interest_cost", Zh: "贷款净利息负担", En: "Loan net interest cost", Numeric: true},
	}}
	sum := funding.DistrictDebt{BondOutstanding: decimal.Zero, LoanOutstanding: decimal.Zero, Total: decimal.Zero, LoanInterest: decimal.Zero,
		LoanSubsidy: decimal.Zero, LoanNetCost: decimal.Zero}
	for _, d := range r.Debt {
		debt.Rows = append(debt.Rows, []string{d.District, d.DistrictName, amt(d.BondOutstanding), amt(d.LoanOutstanding), amt(d.Total),
			amt(d.LoanInterest), amt(d.LoanSubsidy), amt(d.LoanNetCost)})
		sum.BondOutstanding, sum.LoanOutstanding, sum.Total = sum.BondOutstanding.Add(d.BondOutstanding), sum.LoanOutstanding.Add(d.LoanOutstanding), sum.Total.Add(d.Total)
		sum.LoanInterest, sum.LoanSubsidy, sum.LoanNetCost = sum.LoanInterest.Add(d.LoanInterest), sum.LoanSubsidy.Add(d.LoanSubsidy), sum.LoanNetCost.Add(d.LoanNetCost)
	}
	debt.Rows = append(debt.Rows, []string{"合计 Total", "", amt(sum.BondOutstanding), amt(sum.LoanOutstanding), amt(sum.Total), amt(sum.LoanInterest),
		amt(sum.LoanSubsidy), amt(sum.LoanNetCost)})
	debt.Notes = append(debt.Notes, "Bonds: each district's projects' share of bond principal outstanding (as in `report bonds`); a bond's unallocated part is in no district.")
	out := []Table{loans, projects, debt}
	if capital != nil {
		out = append(out, CapitalLines(capital, amt))
	}
	return out
}

// CapitalLines renders capital injections (资本金注入) and investment
// subsidies (投资补助) per project: lines of their own, not a source's grant
// nor project revenue.
func CapitalLines(lines []funding.CapitalLine, amt func(decimal.Decimal) string) Table {
	t := Table{Title: "资本金注入与投资补助 Capital injections and investment subsidies", Columns: []Column{
		{Key: "kind", Zh: "类型", En: "Kind"}, {Key: "district", Zh: "区市", En: "District"}, {Key: "project", Zh: "项目", En: "Project"},
		{Key: "company", Zh: "实施主体", En: "Company"}, {Key: "level", Zh: "出资层级", En: "Level"},
		{Key: "approved", Zh: "核定上限", En: "Approved cap", Numeric: true}, {Key: "received", Zh: "到位", En: "Received", Numeric: true},
		{Key: "used", Zh: "已使用", En: "Used", Numeric: true}, {Key: "available", Zh: "结余", En: "Available", Numeric: true},
	}}
	for _, c := range lines {
		kind := "资本金注入 capital injection"
		approved := ""
		if c.Kind == funding.KindInvestmentSubsidy {
			kind, approved = "投资补助 investment subsidy", amt(c.Approved)
		}
		t.Rows = append(t.Rows, []string{kind, c.District, c.Project, c.Company, c.Level, approved, amt(c.Received), amt(c.Used), amt(c.Available())})
	}
	if len(lines) == 0 {
		t.Notes = append(t.Notes, "None recorded.")
	}
	return t
}

// LoanSchedule renders a loan's schedule with a totals row and the stated
// rounding method.
func LoanSchedule(l funding.Loan, s funding.LoanSchedule, amt func(decimal.Decimal) string) Table {
	t := Table{
		Title: fmt.Sprintf("还本付息计划 Schedule of loan %s %s — version %d, effective %s (%s): %s, %s, %d months", l.Code, l.Name, s.Version,
			s.EffectiveOn.Format(ledger.DateLayout), s.Reason, l.Repayment, l.Frequency, l.TermMonths),
		Columns: []Column{
			{Key: "seq", Zh: "期次", En: "Seq", Numeric: true}, {Key: "period_start", Zh: "起息日", En: "From"},
			{Key: "due_date", Zh: "还款日", En: "Due"}, {Key: "rate_pct", Zh: "年利率%", En: "Rate %", Numeric: true},
			{Key: "opening_principal", Zh: "期初本金", En: "Opening", Numeric: true}, {Key: "drawn", Zh: "提款", En: "Drawn", Numeric: true},
			{Key: "prepaid", Zh: "提前还款", En: "Prepaid", Numeric: true}, {Key: "interest", Zh: "利息", En: "Interest", Numeric: true},
			{Key: "principal", Zh: "本金", En: "Principal", Numeric: true}, {Key: "total", Zh: "本息合计", En: "Total", Numeric: true},
		},
	}
	sums := [5]decimal.Decimal{decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero}
	for _, x := range s.Lines {
		t.Rows = append(t.Rows, []string{strconv.Itoa(x.Seq), bondDate(x.PeriodStart), bondDate(x.DueDate), x.RatePct.String(), amt(x.OpeningPrincipal),
			amt(x.Drawn), amt(x.Prepaid), amt(x.Interest), amt(x.Principal), amt(x.Total())})
		sums[0], sums[1], sums[2] = sums[0].Add(x.Drawn), sums[1].Add(x.Prepaid), sums[2].Add(x.Interest)
		sums[3], sums[4] = sums[3].Add(x.Principal), sums[4].Add(x.Total())
	}
	t.Rows = append(t.Rows, []string{"合计 Total", "", "", "", "", amt(sums[0]), amt(sums[1]), amt(sums[2]), amt(sums[3]), amt(sums[4])})
	t.Notes = append(t.Notes, "口径 Rounding: "+s.Rounding)
	return t
}
