package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/requests"
)

// The loan commands: `loan …` (policy-bank and commercial loans, their
// interest subsidies), `company register`, `capital …` (capital
// injections, investment subsidies) and `report loans`. Each is one call
// into package funding.

func init() {
	templates["loan register"] = `[
  {
    "code": "CDB-HC-2021-01", "name": "国开行老旧小区改造贷款（示例）",
    "lender": "国家开发银行山东省分行", "lender_kind": "policy_bank",
    "district": "环翠区", "company": "", "source": "policy_bank",
    "projects": ["WH-HC-2021-101"], "amount": "80000000.00",
    "rate_kind": "floating", "lpr_pct": "4.65", "spread_bp": -20, "reset_months": 12,
    "start": "2021-06-20", "term_months": 240, "frequency": "quarterly", "grace_months": 36,
    "repayment": "equal_principal", "custom_schedule": []
  }
]
`
}

// addLoanCmds adds the loan, company and capital commands, and `report
// loans`, to the root.
func (a *app) addLoanCmds(root *cobra.Command) {
	root.AddCommand(a.loanCmd(), a.companyCmd(), a.capitalCmd())
	for _, c := range root.Commands() {
		if c.Name() == "report" {
			c.AddCommand(a.reportLoansCmd())
		}
	}
}

func (a *app) loanCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "loan", Short: "Loans (政策性银行贷款, commercial): register, draw, schedule, accrue, pay, prepay, reset rate, interest subsidies (贴息)"}
	sub := &cobra.Command{Use: "subsidy", Short: "Interest subsidies (贴息): commit per period, pay on evidence of interest paid"}
	sub.AddCommand(a.loanSubsidyCommitCmd(), a.loanSubsidyPayCmd())
	cmd.AddCommand(a.loanRegisterCmd(), a.loanListCmd(), a.loanDrawCmd(), a.loanScheduleCmd(), a.loanAccrueCmd(), a.loanPayCmd(),
		a.loanPrepayCmd(), a.loanResetCmd(), sub)
	return cmd
}

func (a *app) loanRegisterCmd() *cobra.Command {
	return listCmd[requests.Loan](a, &cobra.Command{
		Use: "register", Short: "Register loans from JSON (one object or an array); all of the file or none",
		Long: `Each loan: {"code", "name", "lender", "lender_kind": "policy_bank|commercial", "district" (or "company"),
 "source" (default policy_bank), "projects": [...], "amount", "rate_kind": "fixed|floating",
 "rate_pct" (fixed) or "lpr_pct" + "spread_bp" + "reset_months" (floating), "start" (day 1 to 28),
 "term_months", "frequency": "monthly|quarterly|semi-annual|annual", "grace_months",
 "repayment": "equal_principal|equal_instalment|bullet|custom", "custom_schedule": [{"date", "amount"}]}.
Rates are per cent a year. The schedule is generated at each drawdown (see loan schedule). --template prints an example.
Every loan of the file is checked first; when one is refused, none is registered.`,
	}, "loan", (*funding.Programme).RegisterLoans, func(l funding.Loan) string {
		return fmt.Sprintf("loan %s %s: %s from %s, %s %s, %d months to %s", l.Code, l.Name, report.Amount(l.Amount), l.Lender,
			l.Repayment, l.Frequency, l.TermMonths, l.Maturity().Format(ledger.DateLayout))
	})
}

func (a *app) loanListCmd() *cobra.Command {
	var district string
	c := tableCmd(a, &cobra.Command{Use: "list", Short: "List the loans", Args: cobra.NoArgs},
		func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.Loan, error) {
			return p.Loans(ctx, district)
		},
		func(ls []funding.Loan, amt func(decimal.Decimal) string) report.Table {
			t := report.Table{Title: "贷款 Loans", Columns: []report.Column{{Key: "loan", Zh: "贷款", En: "Loan"}, {Key: "name", Zh: "名称", En: "Name"},
				{Key: "lender", Zh: "贷款行", En: "Lender"}, {Key: "district", Zh: "区市", En: "District"}, {Key: "company", Zh: "实施主体", En: "Company"},
				{Key: "amount", Zh: "合同金额", En: "Amount", Numeric: true}, {Key: "start", Zh: "起息日", En: "Start"},
				{Key: "maturity", Zh: "到期日", En: "Maturity"}, {Key: "repayment", Zh: "还款方式", En: "Repayment"}}}
			for _, l := range ls {
				t.Rows = append(t.Rows, []string{l.Code, l.Name, l.Lender, l.District, l.Company, amt(l.Amount), l.Start.Format(ledger.DateLayout),
					l.Maturity().Format(ledger.DateLayout), l.Repayment + "/" + l.Frequency})
			}
			return t
		})
	c.Flags().StringVar(&district, "district", "", "one district (code or Chinese name)")
	return c
}

func (a *app) loanDrawCmd() *cobra.Command {
	var r funding.LoanDrawdownRequest
	c := writeCmd(a, &cobra.Command{
		Use: "draw CODE", Short: "Draw a loan for one of its projects (the project's receipt for the loan's source); a new schedule version", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).DrawLoan), func(w io.Writer, d funding.LoanDrawdown) {
		fmt.Fprintf(w, "loan %s: %s %s for %s on %s; schedule version %d; financial entry %d, budget entry %d\n", d.Loan,
			report.Amount(d.Amount), doneOr(d.Replayed, "drawn"), d.Project, d.DrawnOn.Format(ledger.DateLayout), d.ScheduleVersion, d.FinancialEntry, d.BudgetEntry)
	})
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	moneyFlags(c, &r.Amount, &r.DrawnOn, "drawdown date")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key")
	required(c, "project", "key")
	return c
}

func (a *app) loanScheduleCmd() *cobra.Command {
	return scheduleCmd(a, "Show a loan's schedule (periods, rate, interest, principal) and its rounding",
		func(p *funding.Programme, ctx context.Context, code string, version int) (funding.Loan, funding.LoanSchedule, error) {
			l, err := p.Loan(ctx, code)
			if err != nil {
				return l, funding.LoanSchedule{}, err
			}
			s, err := p.LoanSchedule(ctx, l.Code, version)
			return l, s, err
		}, report.LoanSchedule)
}

func (a *app) loanAccrueCmd() *cobra.Command {
	var through time.Time
	c := writeCmd(a, &cobra.Command{
		Use: "accrue CODE", Short: "Accrue the interest of every period due up to a date", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) ([]funding.LoanAccrual, error) {
		return p.AccrueLoanInterest(ctx, args[0], through, a.actor)
	}, func(w io.Writer, acc []funding.LoanAccrual) {
		for _, x := range acc {
			printAccrued(w, "loan "+x.Loan, x.Interest, x.DueDate, x.EntryID)
		}
		if len(acc) == 0 {
			fmt.Fprintln(w, "nothing to accrue")
		}
	})
	dateVar(c.Flags(), &through, "through", "accrue periods due up to this day")
	required(c, "through")
	return c
}

func (a *app) loanPayCmd() *cobra.Command {
	var r funding.LoanPaymentRequest
	c := writeCmd(a, &cobra.Command{
		Use: "pay CODE", Short: "Pay the interest and principal due on one date of the schedule", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).PayLoan), func(w io.Writer, x funding.LoanPayment) {
		fmt.Fprintf(w, "loan %s due %s paid on %s: interest %s, principal %s; financial entry %d, budget entry %d\n", x.Loan,
			x.DueDate.Format(ledger.DateLayout), x.PaidOn.Format(ledger.DateLayout), report.Amount(x.Interest), report.Amount(x.Principal),
			x.FinancialEntry, x.BudgetEntry)
	})
	dueFlags(c, &r.DueDate, &r.PaidOn, &r.Reference, "payment date (default: the due date)")
	return c
}

func (a *app) loanPrepayCmd() *cobra.Command {
	var r funding.LoanPrepaymentRequest
	c := writeCmd(a, &cobra.Command{
		Use: "prepay CODE", Short: "Repay principal early (提前还款); a new schedule version", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).PrepayLoan), func(w io.Writer, x funding.LoanPrepayment) {
		fmt.Fprintf(w, "loan %s: %s repaid early on %s; schedule version %d\n", x.Loan, report.Amount(x.Amount),
			x.PaidOn.Format(ledger.DateLayout), x.ScheduleVersion)
	})
	moneyFlags(c, &r.Amount, &r.PaidOn, "date")
	c.Flags().StringVar(&r.Reference, "ref", "", "voucher")
	c.Flags().StringVar(&r.IdempotencyKey, "key", "", "idempotency key")
	required(c, "key")
	return c
}

func (a *app) loanResetCmd() *cobra.Command {
	var r funding.LoanRateResetRequest
	c := storeCmd(a, &cobra.Command{
		Use: "reset-rate CODE", Short: "Reset a floating rate on a reset date (LPR + the loan's spread); a new schedule version", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).ResetLoanRate), func(w io.Writer, s funding.LoanSchedule) {
		fmt.Fprintf(w, "loan %s: rate reset on %s; schedule version %d\n", r.Loan, r.On.Format(ledger.DateLayout), s.Version)
	})
	f := c.Flags()
	dateVar(f, &r.On, "date", "the reset date")
	amountVar(f, &r.LPRPct, "lpr", "the LPR in per cent a year, e.g. 3.85")
	f.StringVar(&r.Reason, "reason", "", "why (default: the LPR and spread)")
	required(c, "date", "lpr")
	return c
}

func (a *app) loanSubsidyCommitCmd() *cobra.Command {
	var r funding.LoanSubsidyCommitRequest
	c := writeCmd(a, &cobra.Command{
		Use: "commit CODE", Short: "Commit the interest subsidies of one period under the rule set in force", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).CommitLoanSubsidies), func(w io.Writer, subs []funding.LoanSubsidy) {
		for _, s := range subs {
			limit := ""
			if s.LimitedBy != "" {
				limit = " (limited by " + s.LimitedBy + ")"
			}
			fmt.Fprintf(w, "loan %s due %s: %s subsidy %s of interest %s committed%s\n", s.Loan, s.DueDate.Format(ledger.DateLayout),
				s.Level, report.Amount(s.Amount), report.Amount(s.Interest), limit)
		}
		if len(subs) == 0 {
			fmt.Fprintln(w, "nothing to commit (caps used up)")
		}
	})
	dateVar(c.Flags(), &r.DueDate, "due", "the period's due date")
	required(c, "due")
	return c
}

func (a *app) loanSubsidyPayCmd() *cobra.Command {
	var r funding.LoanSubsidyPaymentRequest
	c := writeCmd(a, &cobra.Command{
		Use: "pay CODE", Short: "Pay a committed subsidy, once the period's interest is paid", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Loan, r.Actor = args[0], a.actor }, (*funding.Programme).PayLoanSubsidy), func(w io.Writer, x funding.LoanSubsidyPayment) {
		fmt.Fprintf(w, "loan %s due %s: %s subsidy %s paid on %s (interest paid %s)\n", x.Loan, x.DueDate.Format(ledger.DateLayout),
			x.Level, report.Amount(x.Amount), x.PaidOn.Format(ledger.DateLayout), report.Amount(x.InterestPaid))
	})
	f := c.Flags()
	dateVar(f, &r.DueDate, "due", "the period's due date")
	f.StringVar(&r.Level, "level", "", "central|provincial|municipal|district")
	dateVar(f, &r.PaidOn, "date", "payment date")
	f.StringVar(&r.PaidTo, "to", "", "borrower (default) or lender")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	required(c, "due", "level", "date")
	return c
}

func (a *app) companyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "company", Short: "Implementing companies (项目实施主体): borrowers and receivers of capital"}
	var in funding.CompanyInput
	reg := storeCmd(a, &cobra.Command{
		Use: "register", Short: "Register an implementing company", Args: cobra.NoArgs,
	}, withActor(a, &in, nil, (*funding.Programme).RegisterCompany), func(w io.Writer, co funding.Company) {
		fmt.Fprintf(w, "company %s %s (%s)\n", co.Code, co.Name, co.District)
	})
	reg.Flags().StringVar(&in.Code, "code", "", "company code")
	reg.Flags().StringVar(&in.Name, "name", "", "company name")
	reg.Flags().StringVar(&in.District, "district", "", "district")
	required(reg, "code", "name", "district")
	cmd.AddCommand(reg)
	return cmd
}

// capitalFlags gives a capital command --company or --project, --level,
// --ref and --key: the flags of what names the money.
func capitalFlags(cmd *cobra.Command, company, project, level, ref, key *string) {
	f := cmd.Flags()
	if company != nil {
		f.StringVar(company, "company", "", "company code")
	}
	f.StringVar(project, "project", "", "project code")
	if level != nil {
		f.StringVar(level, "level", "", "central|provincial|municipal|district")
	}
	if ref != nil {
		f.StringVar(ref, "ref", "", "voucher")
	}
	if key != nil {
		f.StringVar(key, "key", "", "idempotency key")
	}
}

func (a *app) capitalCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "capital", Short: "Capital injections (资本金注入) and investment subsidies (投资补助)"}
	var inj funding.CapitalInjectionRequest
	inject := writeCmd(a, &cobra.Command{
		Use: "inject", Short: "Inject capital into an implementing company for a project (government equity)", Args: cobra.NoArgs,
	}, request(&inj, func([]string) { inj.Actor = a.actor }, (*funding.Programme).InjectCapital), func(w io.Writer, x funding.CapitalInjection) {
		fmt.Fprintf(w, "capital %s injected by %s into %s for %s; financial entry %d, budget entry %d\n", report.Amount(x.Amount),
			x.Level, x.Company, x.Project, x.FinancialEntry, x.BudgetEntry)
	})
	capitalFlags(inject, &inj.Company, &inj.Project, &inj.Level, &inj.Reference, &inj.IdempotencyKey)
	moneyFlags(inject, &inj.Amount, &inj.InjectedOn, "date")
	required(inject, "company", "project", "level", "key")

	var use funding.CapitalUseRequest
	useCmd := writeCmd(a, &cobra.Command{
		Use: "use", Short: "Record the company's use of injected capital on a project's works", Args: cobra.NoArgs,
	}, request(&use, func([]string) { use.Actor = a.actor }, (*funding.Programme).UseCapital), func(w io.Writer, x funding.CapitalUse) {
		fmt.Fprintf(w, "capital of %s: %s used on %s works of %s; financial entry %d\n", use.Company, report.Amount(x.Amount),
			use.Category, use.Project, x.FinancialEntry)
	})
	capitalFlags(useCmd, &use.Company, &use.Project, nil, &use.Reference, &use.IdempotencyKey)
	useCmd.Flags().StringVar(&use.Category, "category", "", "basic|improvement|upgrade")
	moneyFlags(useCmd, &use.Amount, &use.PaidOn, "date")
	required(useCmd, "company", "project", "category", "key")

	var ap funding.InvestmentSubsidyApproval
	approve := writeCmd(a, &cobra.Command{
		Use: "subsidy-approve", Short: "Approve an investment subsidy: a share of the approved investment, capped", Args: cobra.NoArgs,
	}, request(&ap, func([]string) { ap.Actor = a.actor }, (*funding.Programme).ApproveInvestmentSubsidy), func(w io.Writer, s funding.InvestmentSubsidy) {
		fmt.Fprintf(w, "investment subsidy of %s from %s: %s%% of %s, at most %s\n", s.Project, s.Level, s.SharePct,
			report.Amount(s.ApprovedInvestment), report.Amount(s.Cap))
	})
	capitalFlags(approve, nil, &ap.Project, &ap.Level, nil, nil)
	f := approve.Flags()
	amountVar(f, &ap.SharePct, "share-pct", "share of the approved investment, per cent")
	amountVar(f, &ap.ApprovedInvestment, "investment", "approved investment (default: the project's approved budget)")
	amountVar(f, &ap.Cap, "cap", "cap (default: the share of the approved investment)")
	dateVar(f, &ap.ApprovedOn, "date", "approval date")
	required(approve, "project", "level", "share-pct", "date")

	var pay funding.InvestmentSubsidyPaymentRequest
	payCmd := writeCmd(a, &cobra.Command{
		Use: "subsidy-pay", Short: "Pay an investment subsidy on progress (never beyond its share of the investment completed)", Args: cobra.NoArgs,
	}, request(&pay, func([]string) { pay.Actor = a.actor }, (*funding.Programme).PayInvestmentSubsidy), func(w io.Writer, x funding.InvestmentSubsidyPayment) {
		fmt.Fprintf(w, "investment subsidy of %s from %s: %s paid; financial entry %d, budget entry %d\n", pay.Project, pay.Level,
			report.Amount(x.Amount), x.FinancialEntry, x.BudgetEntry)
	})
	capitalFlags(payCmd, nil, &pay.Project, &pay.Level, &pay.Reference, &pay.IdempotencyKey)
	f = payCmd.Flags()
	amountVar(f, &pay.CompletedInvestment, "completed", "investment completed to date, in yuan")
	amountVar(f, &pay.Amount, "amount", "amount (default: all that progress allows)")
	dateVar(f, &pay.PaidOn, "date", "payment date")
	required(payCmd, "project", "level", "completed", "date", "key")
	cmd.AddCommand(inject, useCmd, approve, payCmd)
	return cmd
}

// reportLoansCmd is `fundledger report loans`.
func (a *app) reportLoansCmd() *cobra.Command {
	var o funding.LoanReportOptions
	c := reportCmd(a, &cobra.Command{
		Use: "loans", Short: "Loans: drawn, repaid, outstanding, interest, subsidy, next due; district debt (bonds + loans); capital injections and investment subsidies",
		Args: cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) (loansAndCapital, error) {
		at := o
		at.AsOf = dateOrToday(o.AsOf)
		rep, err := p.LoanReport(ctx, at)
		if err != nil {
			return loansAndCapital{}, err
		}
		capital, err := p.CapitalReport(ctx, o.District, at.AsOf)
		if capital == nil {
			capital = []funding.CapitalLine{}
		}
		return loansAndCapital{rep, capital}, err
	}, func(r loansAndCapital, amt func(decimal.Decimal) string) []report.Table {
		return report.LoanReport(r.loans, r.capital, amt)
	})
	dateVar(c.Flags(), &o.AsOf, "as-of", "end of this day (YYYY-MM-DD; default: today)")
	c.Flags().StringVar(&o.District, "district", "", "one district (code or Chinese name)")
	return c
}

// loansAndCapital is the loan report with the capital lines.
type loansAndCapital struct {
	loans   funding.LoanReport
	capital []funding.CapitalLine
}
