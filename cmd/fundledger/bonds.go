package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/requests"
)

func today() time.Time {
	y, m, d := time.Now().Date()
	return ledger.Date(y, m, d)
}

// thresholdFormat is how a coverage ratio is typed: a plain decimal, at
// most four places, not negative.
var thresholdFormat = amount.Format{Places: 4}

func parseAmount(flag, s string) (decimal.Decimal, error) {
	v, err := amount.Parse(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("--%s %w", flag, err)
	}
	return v, nil
}

func parseRequiredDate(flag, s string) (time.Time, error) {
	d, err := ledger.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: %w", flag, err)
	}
	return d, nil
}

// bondCmd is `fundledger bond …`: the bond register, issue, allocation,
// schedule, revenue, financing balance plans, accrual and payment.
func (a *app) bondCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bond", Short: "Special-purpose bonds (专项债券): register, issue, allocate, schedule, revenue, plans, accrue, pay"}
	cmd.AddCommand(a.bondRegisterCmd(), a.bondListCmd(), a.bondIssueCmd(), a.bondAllocateCmd(), a.bondScheduleCmd(), a.bondReviseCmd(),
		a.bondRevenueCmd(), a.bondPlanCmd(), a.bondAccrueCmd(), a.bondPayCmd())
	return cmd
}

func (a *app) bondRegisterCmd() *cobra.Command {
	return listCmd[requests.Bond](a, &cobra.Command{
		Use: "register", Short: "Register bonds from JSON (one object or an array); the schedule is generated and stored",
		Long: `Each bond: {"code": "2020-SD-ZX-01", "name": "2020年山东省专项债券（一期）", "issue_date": "2020-07-01",
 "interest_start": "2020-07-01", "principal": "100000000.00", "coupon_rate_pct": "3.76", "term_years": 30,
 "frequency": "annual|semi-annual", "repayment": "bullet|amortising|custom", "grace_years": 0,
 "custom_schedule": [{"date": "2025-07-01", "amount": "50000000.00"}, ...], "reserve_bank_account": "BOC-..."}
coupon_rate_pct is per cent a year (3.76 = 3.76%). A custom schedule's dates must be interest due dates
and its amounts must add up to the principal.`,
	}, "bond", (*funding.Programme).RegisterBonds, func(b funding.Bond) string {
		return fmt.Sprintf("bond %s %s: %s at %s%%, %s interest, %s repayment, %d years to %s", b.Code, b.Name,
			report.Amount(b.Principal), b.CouponRatePct, b.Frequency, b.Repayment, b.TermYears, b.Maturity().Format(ledger.DateLayout))
	})
}

func (a *app) bondListCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use: "list", Short: "List the bond register", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			bs, err := p.Bonds(c.Context())
			if err != nil {
				return err
			}
			return report.Render(c.OutOrStdout(), report.BondList(bs, amountFormat(format)), format, "")
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table|csv|json")
	return c
}

func (a *app) bondIssueCmd() *cobra.Command {
	var r funding.BondIssueRequest
	var date string
	c := &cobra.Command{
		Use: "issue CODE", Short: "Record a bond's issue: proceeds in, principal liability up", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.IssuedOn, err = parseAsOf(date); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Bond, r.Actor = args[0], a.actor
			iss, err := p.IssueBond(c.Context(), r)
			if err != nil {
				return err
			}
			state := doneOr(iss.Replayed, "issued")
			fmt.Fprintf(c.OutOrStdout(), "bond %s %s on %s: %s; financial entry %d, budget entry %d\n", iss.Bond, state,
				iss.IssuedOn.Format(ledger.DateLayout), report.Amount(iss.Amount), iss.FinancialEntry, iss.BudgetEntry)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	c.Flags().StringVar(&date, "date", "", "date the proceeds arrive (default: the bond's issue date)")
	c.Flags().StringVar(&r.BankAccount, "bank", "", "bank account (default: the reserve account)")
	c.Flags().StringVar(&r.Reference, "ref", "", "voucher")
	return c
}

func (a *app) bondAllocateCmd() *cobra.Command {
	var r funding.BondAllocationRequest
	var amount, date string
	c := &cobra.Command{
		Use: "allocate CODE", Short: "Allocate bond proceeds to a project (its receipt for source bond)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.Amount, err = parseAmount("amount", amount); err != nil {
				return err
			}
			if r.AllocatedOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Bond, r.Actor = args[0], a.actor
			al, err := p.AllocateBond(c.Context(), r)
			if err != nil {
				return err
			}
			state := doneOr(al.Replayed, "allocated")
			fmt.Fprintf(c.OutOrStdout(), "bond %s: %s %s to %s on %s; financial entry %d, budget entry %d\n", al.Bond, report.Amount(al.Amount), state,
				al.Project, al.AllocatedOn.Format(ledger.DateLayout), al.FinancialEntry, al.BudgetEntry)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	f.StringVar(&amount, "amount", "", "amount in yuan, at most two decimals")
	f.StringVar(&date, "date", "", "allocation date (YYYY-MM-DD)")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.Memo, "memo", "", "memo")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key (required; the same key again changes nothing)")
	return c
}

func (a *app) bondScheduleCmd() *cobra.Command {
	return scheduleCmd(a, "Show a bond's repayment schedule (dates, interest per period, principal)",
		func(p *funding.Programme, ctx context.Context, code string, version int) (funding.Bond, funding.BondSchedule, error) {
			b, err := p.Bond(ctx, code)
			if err != nil {
				return b, funding.BondSchedule{}, err
			}
			s, err := p.BondSchedule(ctx, b.Code, version)
			return b, s, err
		}, report.BondSchedule)
}

func (a *app) bondReviseCmd() *cobra.Command {
	var r funding.BondRevisionRequest
	var date, file string
	c := &cobra.Command{
		Use: "revise CODE", Short: "Store a new schedule version with another principal repayment (periods already accrued or paid cannot change)",
		Args: cobra.ExactArgs(1),
		Long: `--repayment custom reads the repayments from -f: [{"date": "2025-07-01", "amount": "50000000.00"}, ...]`,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.EffectiveOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			if file != "" {
				in, name, err := readJSONList[requests.Repayment](c, file)
				if err != nil {
					return err
				}
				if r.Custom, err = requests.Repayments(in).Input(); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Bond, r.Actor = args[0], a.actor
			s, err := p.ReviseBondSchedule(c.Context(), r)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "bond %s: schedule version %d (%s) effective %s, %d periods, interest %s\n", s.Bond, s.Version, s.Repayment,
				s.EffectiveOn.Format(ledger.DateLayout), len(s.Lines), report.Amount(s.TotalInterest))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&date, "date", "", "date the revision takes effect (YYYY-MM-DD)")
	f.StringVar(&r.Repayment, "repayment", "", "bullet|amortising|custom")
	f.IntVar(&r.GraceYears, "grace", 0, "amortising: years before the first repayment")
	f.StringVarP(&file, "file", "f", "", "custom repayments JSON")
	f.StringVar(&r.Reason, "reason", "", "why (required, recorded)")
	return c
}

func (a *app) bondRevenueCmd() *cobra.Command {
	var r funding.BondRevenueRequest
	var amount, date string
	c := &cobra.Command{
		Use: "revenue", Short: "Record project revenue paid into the repayment reserve of its bond(s)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if r.Amount, err = parseAmount("amount", amount); err != nil {
				return err
			}
			if r.ReceivedOn, err = parseRequiredDate("date", date); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Actor = a.actor
			rv, err := p.RecordBondRevenue(c.Context(), r)
			if err != nil {
				return err
			}
			state := doneOr(rv.Replayed, "recorded")
			var parts []string
			for _, s := range rv.Split {
				parts = append(parts, s.Bond+" "+report.Amount(s.Amount))
			}
			fmt.Fprintf(c.OutOrStdout(), "revenue %s %s into %s; financial entry %d, budget entry %d\n", r.IdempotencyKey, state,
				strings.Join(parts, ", "), rv.FinancialEntry, rv.BudgetEntry)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	f.StringVar(&r.Bond, "bond", "", "bond whose reserve receives it (default: split among the project's bonds by amount allocated)")
	f.StringVar(&r.Kind, "kind", "", "parking|charging|elevator|rent|advertising|property (or 停车, 充电桩, 电梯, 配套用房租金, 广告, 物业经营)")
	f.StringVar(&amount, "amount", "", "amount in yuan, at most two decimals")
	f.StringVar(&date, "date", "", "date received (YYYY-MM-DD)")
	f.StringVar(&r.BankAccount, "bank", "", "bank account")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.Memo, "memo", "", "memo")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key (required)")
	return c
}

func (a *app) bondPlanCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Financing balance plans (预期收益与融资平衡方案): expected revenue by project, year and kind"}
	var effective string
	imp := &cobra.Command{
		Use: "import FILE", Short: "Import plans from JSON or CSV (a new version per changed project)", Args: cobra.ExactArgs(1),
		Long: `CSV (UTF-8 or GBK) with the header project,year,kind,amount (or 项目编号,年度,收入类型,预期收入), one line per
project, year and kind; or JSON: [{"project": "...", "year": 2022, "kind": "parking", "amount": "120000.00"}, ...]
or {"project": "...", "lines": [{"year": ..., "kind": ..., "amount": ...}]}. Kinds: parking 停车, charging 充电桩,
elevator 电梯, rent 配套用房租金, advertising 广告, property 物业经营.`,
		RunE: func(c *cobra.Command, args []string) error {
			on, err := parseRequiredDate("effective", effective)
			if err != nil {
				return err
			}
			fh, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer fh.Close()
			data, err := io.ReadAll(io.LimitReader(fh, funding.MaxBondPlanFileBytes+1))
			if err != nil {
				return err
			}
			name := filepath.Base(args[0])
			lines, err := funding.ParseBondRevenuePlan(name, data)
			if err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			plans, err := p.ImportBondRevenuePlans(c.Context(), name, lines, on, a.actor)
			if err != nil {
				return err
			}
			for _, pl := range plans {
				state := fmt.Sprintf("version %d stored, effective %s", pl.Version, pl.EffectiveOn.Format(ledger.DateLayout))
				if pl.Unchanged {
					state = fmt.Sprintf("unchanged (version %d)", pl.Version)
				}
				fmt.Fprintf(c.OutOrStdout(), "project %s: %d lines, %s expected in all; %s\n", pl.Project, len(pl.Lines), report.Amount(pl.Total), state)
			}
			return nil
		},
	}
	imp.Flags().StringVar(&effective, "effective", "", "date the plans take effect (YYYY-MM-DD, required)")
	var asOf, format string
	show := &cobra.Command{
		Use: "show PROJECT", Short: "Show a project's plan in force", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p, at, err := a.programmeAt(c, asOf)
			if err != nil {
				return err
			}
			plan, err := p.BondRevenuePlan(c.Context(), args[0], at)
			if err != nil {
				return err
			}
			return report.Render(c.OutOrStdout(), report.BondRevenuePlan(plan, amountFormat(format)), format, "")
		},
	}
	show.Flags().StringVar(&asOf, "as-of", "", "the plan in force on this date (default: the newest)")
	show.Flags().StringVar(&format, "format", "table", "table|csv|json")
	cmd.AddCommand(imp, show)
	return cmd
}

func (a *app) bondAccrueCmd() *cobra.Command {
	var through string
	c := &cobra.Command{
		Use: "accrue [CODE...]", Short: "Accrue the interest of every period due on or before a date (all issued bonds when no code is given)",
		RunE: func(c *cobra.Command, args []string) error {
			on, err := parseRequiredDate("through", through)
			if err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			codes := args
			if len(codes) == 0 {
				bs, err := p.Bonds(c.Context())
				if err != nil {
					return err
				}
				for _, b := range bs {
					if b.Issued {
						codes = append(codes, b.Code)
					}
				}
			}
			w := c.OutOrStdout()
			for _, code := range codes {
				acc, err := p.AccrueBondInterest(c.Context(), code, on, a.actor)
				if err != nil {
					return err
				}
				for _, x := range acc {
					fmt.Fprintf(w, "bond %s: interest %s accrued for the period due %s (entry %d)\n", code, report.Amount(x.Interest),
						x.DueDate.Format(ledger.DateLayout), x.EntryID)
				}
				if len(acc) == 0 {
					fmt.Fprintf(w, "bond %s: nothing to accrue through %s\n", code, on.Format(ledger.DateLayout))
				}
			}
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	c.Flags().StringVar(&through, "through", "", "accrue periods due on or before this date (YYYY-MM-DD, required)")
	return c
}

func (a *app) bondPayCmd() *cobra.Command {
	var r funding.BondPaymentRequest
	var due, date string
	c := &cobra.Command{
		Use: "pay CODE", Short: "Pay the interest and principal of one due date from the repayment reserve", Args: cobra.ExactArgs(1),
		Long: `A payment larger than the reserve is refused unless --backstop names who tops it up:
district_budget (区市财政), other_project_income (其他项目收益) or government_fund (政府性基金收入).
The top-up is its own entry, for exactly the shortfall, recorded with the payment.`,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if r.DueDate, err = parseRequiredDate("due", due); err != nil {
				return err
			}
			if r.PaidOn, err = parseAsOf(date); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Bond, r.Actor = args[0], a.actor
			x, err := p.PayBond(c.Context(), r)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			state := doneOr(x.Replayed, "paid")
			fmt.Fprintf(w, "bond %s due %s %s on %s: interest %s, principal %s; financial entry %d, budget entry %d\n", x.Bond,
				x.DueDate.Format(ledger.DateLayout), state, x.PaidOn.Format(ledger.DateLayout), report.Amount(x.Interest), report.Amount(x.Principal),
				x.FinancialEntry, x.BudgetEntry)
			if x.Backstop != "" {
				fmt.Fprintf(w, "  reserve topped up by %s: %s (entries %d, %d)\n", x.Backstop, report.Amount(x.BackstopAmount),
					x.BackstopFinancialEntry, x.BackstopBudgetEntry)
			}
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	f := c.Flags()
	f.StringVar(&due, "due", "", "the schedule's due date to pay (YYYY-MM-DD, required)")
	f.StringVar(&date, "date", "", "payment date (default: the due date; never before it)")
	f.StringVar(&r.Backstop, "backstop", "", "district_budget|other_project_income|government_fund: tops up a short reserve")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	return c
}

// reportBondsCmd is `fundledger report bonds`.
func (a *app) reportBondsCmd() *cobra.Command {
	var asOf, threshold, format, lang string
	c := &cobra.Command{
		Use: "bonds", Short: "Bond repayment balance report: per bond, project and district, with the coverage ratio", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			at := today()
			if asOf != "" {
				var err error
				if at, err = ledger.ParseDate(asOf); err != nil {
					return err
				}
			}
			th, err := thresholdFormat.Parse(threshold)
			if err != nil {
				return fmt.Errorf("--threshold %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			rep, err := p.BondReport(c.Context(), funding.BondReportOptions{AsOf: at, Threshold: th})
			if err != nil {
				return err
			}
			return renderAll(c, report.BondReport(rep, amountFormat(format)), format, lang)
		},
	}
	c.Flags().StringVar(&asOf, "as-of", "", "end of this day (YYYY-MM-DD; default: today)")
	c.Flags().StringVar(&threshold, "threshold", funding.DefaultBondCoverageThreshold.String(), "coverage ratio below which a bond, project or district is flagged")
	addOutputFlags(c, &format)
	c.Flags().StringVar(&lang, "lang", "", "zh|en (default both)")
	return c
}
