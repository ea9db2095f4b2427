package main

import (
	"context"
	"fmt"

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
		Use: "register", Short: "Register loans from JSON (one object or an array)",
		Long: `Each loan: {"code", "name", "lender", "lender_kind": "policy_bank|commercial", "district" (or "company"),
 "source" (default policy_bank), "projects": [...], "amount", "rate_kind": "fixed|floating",
 "rate_pct" (fixed) or "lpr_pct" + "spread_bp" + "reset_months" (floating), "start" (day 1 to 28),
 "term_months", "frequency": "monthly|quarterly|semi-annual|annual", "grace_months",
 "repayment": "equal_principal|equal_instalment|bullet|custom", "custom_schedule": [{"date", "amount"}]}.
Rates are per cent a year. The schedule is generated at each drawdown (see loan schedule). --template prints an example.`,
	}, "loan", oneByOne("loan", func(li funding.LoanInput) string { return li.Code }, (*funding.Programme).RegisterLoan), func(l funding.Loan) string {
		return fmt.Sprintf("loan %s %s: %s from %s, %s %s, %d months to %s", l.Code, l.Name, report.Amount(l.Amount), l.Lender,
			l.Repayment, l.Frequency, l.TermMonths, l.Maturity().Format(ledger.DateLayout))
	})
}

func (a *app) loanListCmd() *cobra.Command {
	var format, district string
	c := &cobra.Command{
		Use: "list", Short: "List the loans", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			ls, err := p.Loans(c.Context(), district)
			if err != nil {
				return err
			}
			amt := amountFormat(format)
			t := report.Table{Title: "贷款 Loans", Columns: []report.Column{{Key: "loan", Zh: "贷款", En: "Loan"}, {Key: "name", Zh: "名称", En: "Name"},
				{Key: "lender", Zh: "贷款行", En: "Lender"}, {Key: "district", Zh: "区市", En: "District"}, {Key: "company", Zh: "实施主体", En: "Company"},
				{Key: "amount", Zh: "合同金额", En: "Amount", Numeric: true}, {Key: "start", Zh: "起息日", En: "Start"},
				{Key: "maturity", Zh: "到期日", En: "Maturity"}, {Key: "repayment", Zh: "还款方式", En: "Repayment"}}}
			for _, l := range ls {
				t.Rows = append(t.Rows, []string{l.Code, l.Name, l.Lender, l.District, l.Company, amt(l.Amount), l.Start.Format(ledger.DateLayout),
					l.Maturity().Format(ledger.DateLayout), l.Repayment + "/" + l.Frequency})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table|csv|json")
	c.Flags().StringVar(&district, "district", "", "one district (code or Chinese name)")
	return c
}

func (a *app) loanDrawCmd() *cobra.Command {
	var r funding.LoanDrawdownRequest
	var amount, date string
	c := &cobra.Command{
		Use: "draw CODE", Short: "Draw a loan for one of its projects (the project's receipt for the loan's source); a new schedule version", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.Amount, err = parseAmount("amount", amount); err != nil {
				return err
			}
			if r.DrawnOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				r.Loan, r.Actor = args[0], a.actor
				d, err := p.DrawLoan(c.Context(), r)
				if err != nil {
					return err
				}
				state := doneOr(d.Replayed, "drawn")
				fmt.Fprintf(c.OutOrStdout(), "loan %s: %s %s for %s on %s; schedule version %d; financial entry %d, budget entry %d\n", d.Loan,
					report.Amount(d.Amount), state, d.Project, d.DrawnOn.Format(ledger.DateLayout), d.ScheduleVersion, d.FinancialEntry, d.BudgetEntry)
				return nil
			})
		},
	}
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	f.StringVar(&amount, "amount", "", "amount in yuan")
	f.StringVar(&date, "date", "", "drawdown date (YYYY-MM-DD)")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key")
	for _, n := range []string{"project", "amount", "date", "key"} {
		_ = c.MarkFlagRequired(n)
	}
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
	var through string
	c := &cobra.Command{
		Use: "accrue CODE", Short: "Accrue the interest of every period due up to a date", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			at, err := parseRequiredDate("through", through)
			if err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				acc, err := p.AccrueLoanInterest(c.Context(), args[0], at, a.actor)
				if err != nil {
					return err
				}
				for _, x := range acc {
					fmt.Fprintf(c.OutOrStdout(), "loan %s: interest %s accrued for the period due %s (entry %d)\n", x.Loan, report.Amount(x.Interest),
						x.DueDate.Format(ledger.DateLayout), x.EntryID)
				}
				if len(acc) == 0 {
					fmt.Fprintln(c.OutOrStdout(), "nothing to accrue")
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&through, "through", "", "accrue periods due up to this day (YYYY-MM-DD)")
	_ = c.MarkFlagRequired("through")
	return c
}

func (a *app) loanPayCmd() *cobra.Command {
	var r funding.LoanPaymentRequest
	var due, date string
	c := &cobra.Command{
		Use: "pay CODE", Short: "Pay the interest and principal due on one date of the schedule", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.DueDate, err = parseRequiredDate("due", due); err != nil {
				return err
			}
			if r.PaidOn, err = parseAsOf(date); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				r.Loan, r.Actor = args[0], a.actor
				x, err := p.PayLoan(c.Context(), r)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "loan %s due %s paid on %s: interest %s, principal %s; financial entry %d, budget entry %d\n", x.Loan,
					x.DueDate.Format(ledger.DateLayout), x.PaidOn.Format(ledger.DateLayout), report.Amount(x.Interest), report.Amount(x.Principal),
					x.FinancialEntry, x.BudgetEntry)
				return nil
			})
		},
	}
	f := c.Flags()
	f.StringVar(&due, "due", "", "the schedule's due date (YYYY-MM-DD)")
	f.StringVar(&date, "date", "", "payment date (default: the due date)")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	_ = c.MarkFlagRequired("due")
	return c
}

func (a *app) loanPrepayCmd() *cobra.Command {
	var r funding.LoanPrepaymentRequest
	var amount, date string
	c := &cobra.Command{
		Use: "prepay CODE", Short: "Repay principal early (提前还款); a new schedule version", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.Amount, err = parseAmount("amount", amount); err != nil {
				return err
			}
			if r.PaidOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				r.Loan, r.Actor = args[0], a.actor
				x, err := p.PrepayLoan(c.Context(), r)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "loan %s: %s repaid early on %s; schedule version %d\n", x.Loan, report.Amount(x.Amount),
					x.PaidOn.Format(ledger.DateLayout), x.ScheduleVersion)
				return nil
			})
		},
	}
	f := c.Flags()
	f.StringVar(&amount, "amount", "", "amount in yuan")
	f.StringVar(&date, "date", "", "date (YYYY-MM-DD)")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key")
	for _, n := range []string{"amount", "date", "key"} {
		_ = c.MarkFlagRequired(n)
	}
	return c
}

func (a *app) loanResetCmd() *cobra.Command {
	var r funding.LoanRateResetRequest
	var date, lpr string
	c := &cobra.Command{
		Use: "reset-rate CODE", Short: "Reset a floating rate on a reset date (LPR + the loan's spread); a new schedule version", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.On, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			if r.LPRPct, err = parseAmount("lpr", lpr); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Loan, r.Actor = args[0], a.actor
			s, err := p.ResetLoanRate(c.Context(), r)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "loan %s: rate reset on %s; schedule version %d\n", r.Loan, r.On.Format(ledger.DateLayout), s.Version)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&date, "date", "", "the reset date (YYYY-MM-DD)")
	f.StringVar(&lpr, "lpr", "", "the LPR in per cent a year, e.g. 3.85")
	f.StringVar(&r.Reason, "reason", "", "why (default: the LPR and spread)")
	for _, n := range []string{"date", "lpr"} {
		_ = c.MarkFlagRequired(n)
	}
	return c
}

func (a *app) loanSubsidyCommitCmd() *cobra.Command {
	var due string
	c := &cobra.Command{
		Use: "commit CODE", Short: "Commit the interest subsidies of one period under the rule set in force", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := parseRequiredDate("due", due)
			if err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				subs, err := p.CommitLoanSubsidies(c.Context(), funding.LoanSubsidyCommitRequest{Loan: args[0], DueDate: d, Actor: a.actor})
				if err != nil {
					return err
				}
				for _, s := range subs {
					limit := ""
					if s.LimitedBy != "" {
						limit = " (limited by " + s.LimitedBy + ")"
					}
					fmt.Fprintf(c.OutOrStdout(), "loan %s due %s: %s subsidy %s of interest %s committed%s\n", s.Loan, s.DueDate.Format(ledger.DateLayout),
						s.Level, report.Amount(s.Amount), report.Amount(s.Interest), limit)
				}
				if len(subs) == 0 {
					fmt.Fprintln(c.OutOrStdout(), "nothing to commit (caps used up)")
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&due, "due", "", "the period's due date (YYYY-MM-DD)")
	_ = c.MarkFlagRequired("due")
	return c
}

func (a *app) loanSubsidyPayCmd() *cobra.Command {
	var r funding.LoanSubsidyPaymentRequest
	var due, date string
	c := &cobra.Command{
		Use: "pay CODE", Short: "Pay a committed subsidy, once the period's interest is paid", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.DueDate, err = parseRequiredDate("due", due); err != nil {
				return err
			}
			if r.PaidOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				r.Loan, r.Actor = args[0], a.actor
				x, err := p.PayLoanSubsidy(c.Context(), r)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "loan %s due %s: %s subsidy %s paid on %s (interest paid %s)\n", x.Loan, x.DueDate.Format(ledger.DateLayout),
					x.Level, report.Amount(x.Amount), x.PaidOn.Format(ledger.DateLayout), report.Amount(x.InterestPaid))
				return nil
			})
		},
	}
	f := c.Flags()
	f.StringVar(&due, "due", "", "the period's due date (YYYY-MM-DD)")
	f.StringVar(&r.Level, "level", "", "central|provincial|municipal|district")
	f.StringVar(&date, "date", "", "payment date (YYYY-MM-DD)")
	f.StringVar(&r.PaidTo, "to", "", "borrower (default) or lender")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	for _, n := range []string{"due", "level", "date"} {
		_ = c.MarkFlagRequired(n)
	}
	return c
}

func (a *app) companyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "company", Short: "Implementing companies (项目实施主体): borrowers and receivers of capital"}
	var in funding.CompanyInput
	reg := &cobra.Command{
		Use: "register", Short: "Register an implementing company", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			co, err := p.RegisterCompany(c.Context(), in, a.actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "company %s %s (%s)\n", co.Code, co.Name, co.District)
			return nil
		},
	}
	reg.Flags().StringVar(&in.Code, "code", "", "company code")
	reg.Flags().StringVar(&in.Name, "name", "", "company name")
	reg.Flags().StringVar(&in.District, "district", "", "district")
	for _, n := range []string{"code", "name", "district"} {
		_ = reg.MarkFlagRequired(n)
	}
	cmd.AddCommand(reg)
	return cmd
}

func (a *app) capitalCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "capital", Short: "Capital injections (资本金注入) and investment subsidies (投资补助)"}
	var inj funding.CapitalInjectionRequest
	var injAmount, injDate string
	inject := &cobra.Command{
		Use: "inject", Short: "Inject capital into an implementing company for a project (government equity)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if inj.Amount, err = parseAmount("amount", injAmount); err != nil {
				return err
			}
			if inj.InjectedOn, err = parseRequiredDate("date", injDate); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				inj.Actor = a.actor
				x, err := p.InjectCapital(c.Context(), inj)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "capital %s injected by %s into %s for %s; financial entry %d, budget entry %d\n", report.Amount(x.Amount),
					x.Level, x.Company, x.Project, x.FinancialEntry, x.BudgetEntry)
				return nil
			})
		},
	}
	f := inject.Flags()
	f.StringVar(&inj.Company, "company", "", "company code")
	f.StringVar(&inj.Project, "project", "", "project code")
	f.StringVar(&inj.Level, "level", "", "central|provincial|municipal|district")
	f.StringVar(&injAmount, "amount", "", "amount in yuan")
	f.StringVar(&injDate, "date", "", "date (YYYY-MM-DD)")
	f.StringVar(&inj.Reference, "ref", "", "voucher")
	f.StringVar(&inj.IdempotencyKey, "key", "", "idempotency key")
	for _, n := range []string{"company", "project", "level", "amount", "date", "key"} {
		_ = inject.MarkFlagRequired(n)
	}

	var use funding.CapitalUseRequest
	var useAmount, useDate string
	useCmd := &cobra.Command{
		Use: "use", Short: "Record the company's use of injected capital on a project's works", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if use.Amount, err = parseAmount("amount", useAmount); err != nil {
				return err
			}
			if use.PaidOn, err = parseRequiredDate("date", useDate); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				use.Actor = a.actor
				x, err := p.UseCapital(c.Context(), use)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "capital of %s: %s used on %s works of %s; financial entry %d\n", use.Company, report.Amount(x.Amount),
					use.Category, use.Project, x.FinancialEntry)
				return nil
			})
		},
	}
	f = useCmd.Flags()
	f.StringVar(&use.Company, "company", "", "company code")
	f.StringVar(&use.Project, "project", "", "project code")
	f.StringVar(&use.Category, "category", "", "basic|improvement|upgrade")
	f.StringVar(&useAmount, "amount", "", "amount in yuan")
	f.StringVar(&useDate, "date", "", "date (YYYY-MM-DD)")
	f.StringVar(&use.Reference, "ref", "", "voucher")
	f.StringVar(&use.IdempotencyKey, "key", "", "idempotency key")
	for _, n := range []string{"company", "project", "category", "amount", "date", "key"} {
		_ = useCmd.MarkFlagRequired(n)
	}

	var ap funding.InvestmentSubsidyApproval
	var share, investment, capAmount, apDate string
	approve := &cobra.Command{
		Use: "subsidy-approve", Short: "Approve an investment subsidy: a share of the approved investment, capped", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if ap.SharePct, err = parseAmount("share-pct", share); err != nil {
				return err
			}
			if investment != "" {
				if ap.ApprovedInvestment, err = parseAmount("investment", investment); err != nil {
					return err
				}
			}
			if capAmount != "" {
				if ap.Cap, err = parseAmount("cap", capAmount); err != nil {
					return err
				}
			}
			if ap.ApprovedOn, err = parseRequiredDate("date", apDate); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				ap.Actor = a.actor
				s, err := p.ApproveInvestmentSubsidy(c.Context(), ap)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "investment subsidy of %s from %s: %s%% of %s, at most %s\n", s.Project, s.Level, s.SharePct,
					report.Amount(s.ApprovedInvestment), report.Amount(s.Cap))
				return nil
			})
		},
	}
	f = approve.Flags()
	f.StringVar(&ap.Project, "project", "", "project code")
	f.StringVar(&ap.Level, "level", "", "central|provincial|municipal|district")
	f.StringVar(&share, "share-pct", "", "share of the approved investment, per cent")
	f.StringVar(&investment, "investment", "", "approved investment (default: the project's approved budget)")
	f.StringVar(&capAmount, "cap", "", "cap (default: the share of the approved investment)")
	f.StringVar(&apDate, "date", "", "approval date (YYYY-MM-DD)")
	for _, n := range []string{"project", "level", "share-pct", "date"} {
		_ = approve.MarkFlagRequired(n)
	}

	var pay funding.InvestmentSubsidyPaymentRequest
	var completed, payAmount, payDate string
	payCmd := &cobra.Command{
		Use: "subsidy-pay", Short: "Pay an investment subsidy on progress (never beyond its share of the investment completed)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if pay.CompletedInvestment, err = parseAmount("completed", completed); err != nil {
				return err
			}
			if payAmount != "" {
				if pay.Amount, err = parseAmount("amount", payAmount); err != nil {
					return err
				}
			}
			if pay.PaidOn, err = parseRequiredDate("date", payDate); err != nil {
				return err
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				pay.Actor = a.actor
				x, err := p.PayInvestmentSubsidy(c.Context(), pay)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "investment subsidy of %s from %s: %s paid; financial entry %d, budget entry %d\n", pay.Project, pay.Level,
					report.Amount(x.Amount), x.FinancialEntry, x.BudgetEntry)
				return nil
			})
		},
	}
	f = payCmd.Flags()
	f.StringVar(&pay.Project, "project", "", "project code")
	f.StringVar(&pay.Level, "level", "", "central|provincial|municipal|district")
	f.StringVar(&completed, "completed", "", "investment completed to date, in yuan")
	f.StringVar(&payAmount, "amount", "", "amount (default: all that progress allows)")
	f.StringVar(&payDate, "date", "", "payment date (YYYY-MM-DD)")
	f.StringVar(&pay.Reference, "ref", "", "voucher")
	f.StringVar(&pay.IdempotencyKey, "key", "", "idempotency key")
	for _, n := range []string{"project", "level", "completed", "date", "key"} {
		_ = payCmd.MarkFlagRequired(n)
	}
	cmd.AddCommand(inject, useCmd, approve, payCmd)
	return cmd
}

// reportLoansCmd is `fundledger report loans`.
func (a *app) reportLoansCmd() *cobra.Command {
	var asOf, district, format, lang string
	c := &cobra.Command{
		Use: "loans", Short: "Loans: drawn, repaid, outstanding, interest, subsidy, next due; district debt (bonds + loans); capital injections and investment subsidies",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			at := today()
			if asOf != "" {
				var err error
				if at, err = ledger.ParseDate(asOf); err != nil {
					return err
				}
			}
			if err := checkReportFormat(format); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			rep, err := p.LoanReport(c.Context(), funding.LoanReportOptions{AsOf: at, District: district})
			if err != nil {
				return err
			}
			capital, err := p.CapitalReport(c.Context(), district, at)
			if err != nil {
				return err
			}
			if capital == nil {
				capital = []funding.CapitalLine{}
			}
			return renderAll(c, report.LoanReport(rep, capital, amountFormat(format)), format, lang)
		},
	}
	c.Flags().StringVar(&asOf, "as-of", "", "end of this day (YYYY-MM-DD; default: today)")
	c.Flags().StringVar(&district, "district", "", "one district (code or Chinese name)")
	addOutputFlags(c, &format)
	c.Flags().StringVar(&lang, "lang", "", "zh|en (default both)")
	return c
}
