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
	return tableCmd(a, &cobra.Command{Use: "list", Short: "List the bond register", Args: cobra.NoArgs},
		func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.Bond, error) {
			return p.Bonds(ctx)
		}, report.BondList)
}

func (a *app) bondIssueCmd() *cobra.Command {
	var r funding.BondIssueRequest
	c := writeCmd(a, &cobra.Command{
		Use: "issue CODE", Short: "Record a bond's issue: proceeds in, principal liability up", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Bond, r.Actor = args[0], a.actor }, (*funding.Programme).IssueBond), func(w io.Writer, iss funding.BondIssue) {
		fmt.Fprintf(w, "bond %s %s on %s: %s; financial entry %d, budget entry %d\n", iss.Bond, doneOr(iss.Replayed, "issued"),
			iss.IssuedOn.Format(ledger.DateLayout), report.Amount(iss.Amount), iss.FinancialEntry, iss.BudgetEntry)
	})
	dateVar(c.Flags(), &r.IssuedOn, "date", "date the proceeds arrive (default: the bond's issue date)")
	c.Flags().StringVar(&r.BankAccount, "bank", "", "bank account (default: the reserve account)")
	c.Flags().StringVar(&r.Reference, "ref", "", "voucher")
	return c
}

func (a *app) bondAllocateCmd() *cobra.Command {
	var r funding.BondAllocationRequest
	c := writeCmd(a, &cobra.Command{
		Use: "allocate CODE", Short: "Allocate bond proceeds to a project (its receipt for source bond)", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Bond, r.Actor = args[0], a.actor }, (*funding.Programme).AllocateBond), func(w io.Writer, al funding.BondAllocation) {
		fmt.Fprintf(w, "bond %s: %s %s to %s on %s; financial entry %d, budget entry %d\n", al.Bond, report.Amount(al.Amount), doneOr(al.Replayed, "allocated"),
			al.Project, al.AllocatedOn.Format(ledger.DateLayout), al.FinancialEntry, al.BudgetEntry)
	})
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	moneyFlags(c, &r.Amount, &r.AllocatedOn, "allocation date")
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
	var file string
	c := storeCmd(a, &cobra.Command{
		Use: "revise CODE", Short: "Store a new schedule version with another principal repayment (periods already accrued or paid cannot change)",
		Args: cobra.ExactArgs(1),
		Long: `--repayment custom reads the repayments from -f: [{"date": "2025-07-01", "amount": "50000000.00"}, ...]`,
		PreRunE: func(c *cobra.Command, _ []string) error {
			if file == "" {
				return nil
			}
			in, name, err := readJSONList[requests.Repayment](c, file)
			if err != nil {
				return err
			}
			if r.Custom, err = requests.Repayments(in).Input(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		},
	}, request(&r, func(args []string) { r.Bond, r.Actor = args[0], a.actor }, (*funding.Programme).ReviseBondSchedule), func(w io.Writer, s funding.BondSchedule) {
		fmt.Fprintf(w, "bond %s: schedule version %d (%s) effective %s, %d periods, interest %s\n", s.Bond, s.Version, s.Repayment,
			s.EffectiveOn.Format(ledger.DateLayout), len(s.Lines), report.Amount(s.TotalInterest))
	})
	f := c.Flags()
	dateVar(f, &r.EffectiveOn, "date", "date the revision takes effect")
	f.StringVar(&r.Repayment, "repayment", "", "bullet|amortising|custom")
	f.IntVar(&r.GraceYears, "grace", 0, "amortising: years before the first repayment")
	f.StringVarP(&file, "file", "f", "", "custom repayments JSON")
	f.StringVar(&r.Reason, "reason", "", "why (required, recorded)")
	required(c, "date")
	return c
}

func (a *app) bondRevenueCmd() *cobra.Command {
	var r funding.BondRevenueRequest
	c := writeCmd(a, &cobra.Command{
		Use: "revenue", Short: "Record project revenue paid into the repayment reserve of its bond(s)", Args: cobra.NoArgs,
	}, request(&r, func([]string) { r.Actor = a.actor }, (*funding.Programme).RecordBondRevenue), func(w io.Writer, rv funding.BondRevenue) {
		var parts []string
		for _, s := range rv.Split {
			parts = append(parts, s.Bond+" "+report.Amount(s.Amount))
		}
		fmt.Fprintf(w, "revenue %s %s into %s; financial entry %d, budget entry %d\n", r.IdempotencyKey, doneOr(rv.Replayed, "recorded"),
			strings.Join(parts, ", "), rv.FinancialEntry, rv.BudgetEntry)
	})
	f := c.Flags()
	f.StringVar(&r.Project, "project", "", "project code")
	f.StringVar(&r.Bond, "bond", "", "bond whose reserve receives it (default: split among the project's bonds by amount allocated)")
	f.StringVar(&r.Kind, "kind", "", "parking|charging|elevator|rent|advertising|property (or 停车, 充电桩, 电梯, 配套用房租金, 广告, 物业经营)")
	moneyFlags(c, &r.Amount, &r.ReceivedOn, "date received")
	f.StringVar(&r.BankAccount, "bank", "", "bank account")
	f.StringVar(&r.Reference, "ref", "", "voucher")
	f.StringVar(&r.Memo, "memo", "", "memo")
	f.StringVar(&r.IdempotencyKey, "key", "", "idempotency key (required)")
	return c
}

func (a *app) bondPlanCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Financing balance plans (预期收益与融资平衡方案): expected revenue by project, year and kind"}
	var effective time.Time
	imp := storeCmd(a, &cobra.Command{
		Use: "import FILE", Short: "Import plans from JSON or CSV (a new version per changed project)", Args: cobra.ExactArgs(1),
		Long: `CSV (UTF-8 or GBK) with the header project,year,kind,amount (or 项目编号,年度,收入类型,预期收入), one line per
project, year and kind; or JSON: [{"project": "...", "year": 2022, "kind": "parking", "amount": "120000.00"}, ...]
or {"project": "...", "lines": [{"year": ..., "kind": ..., "amount": ...}]}. Kinds: parking 停车, charging 充电桩,
elevator 电梯, rent 配套用房租金, advertising 广告, property 物业经营.`,
	}, func(ctx context.Context, p *funding.Programme, args []string) ([]funding.BondRevenuePlan, error) {
		fh, err := os.Open(args[0])
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		data, err := io.ReadAll(io.LimitReader(fh, funding.MaxBondPlanFileBytes+1))
		if err != nil {
			return nil, err
		}
		name := filepath.Base(args[0])
		lines, err := funding.ParseBondRevenuePlan(name, data)
		if err != nil {
			return nil, err
		}
		return p.ImportBondRevenuePlans(ctx, name, lines, effective, a.actor)
	}, func(w io.Writer, plans []funding.BondRevenuePlan) {
		for _, pl := range plans {
			state := fmt.Sprintf("version %d stored, effective %s", pl.Version, pl.EffectiveOn.Format(ledger.DateLayout))
			if pl.Unchanged {
				state = fmt.Sprintf("unchanged (version %d)", pl.Version)
			}
			fmt.Fprintf(w, "project %s: %d lines, %s expected in all; %s\n", pl.Project, len(pl.Lines), report.Amount(pl.Total), state)
		}
	})
	dateVar(imp.Flags(), &effective, "effective", "date the plans take effect")
	required(imp, "effective")
	var asOf time.Time
	show := tableCmd(a, &cobra.Command{
		Use: "show PROJECT", Short: "Show a project's plan in force", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.BondRevenuePlan, error) {
		return p.BondRevenuePlan(ctx, args[0], asOf)
	}, report.BondRevenuePlan)
	dateVar(show.Flags(), &asOf, "as-of", "the plan in force on this date (default: the newest)")
	cmd.AddCommand(imp, show)
	return cmd
}

func (a *app) bondAccrueCmd() *cobra.Command {
	var through time.Time
	c := &cobra.Command{
		Use: "accrue [CODE...]", Short: "Accrue the interest of every period due on or before a date (all issued bonds when no code is given)",
		RunE: func(c *cobra.Command, args []string) error {
			return a.writeThenSeal(c, func(p *funding.Programme) error {
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
				for _, code := range codes {
					acc, err := p.AccrueBondInterest(c.Context(), code, through, a.actor)
					if err != nil {
						return err
					}
					for _, x := range acc {
						printAccrued(c.OutOrStdout(), "bond "+code, x.Interest, x.DueDate, x.EntryID)
					}
					if len(acc) == 0 {
						fmt.Fprintf(c.OutOrStdout(), "bond %s: nothing to accrue through %s\n", code, through.Format(ledger.DateLayout))
					}
				}
				return nil
			})
		},
	}
	dateVar(c.Flags(), &through, "through", "accrue periods due on or before this date")
	required(c, "through")
	return c
}

// printAccrued prints one period's interest accrued, of what ("bond B1",
// "loan L1").
func printAccrued(w io.Writer, what string, interest decimal.Decimal, due time.Time, entry int64) {
	fmt.Fprintf(w, "%s: interest %s accrued for the period due %s (entry %d)\n", what, report.Amount(interest), due.Format(ledger.DateLayout), entry)
}

// dueFlags gives a command paying one due date of a schedule --due
// (required), --date (default: the due date) and --ref.
func dueFlags(c *cobra.Command, due, paidOn *time.Time, ref *string, dateUsage string) {
	dateVar(c.Flags(), due, "due", "the schedule's due date")
	dateVar(c.Flags(), paidOn, "date", dateUsage)
	c.Flags().StringVar(ref, "ref", "", "voucher")
	required(c, "due")
}

func (a *app) bondPayCmd() *cobra.Command {
	var r funding.BondPaymentRequest
	c := writeCmd(a, &cobra.Command{
		Use: "pay CODE", Short: "Pay the interest and principal of one due date from the repayment reserve", Args: cobra.ExactArgs(1),
		Long: `A payment larger than the reserve is refused unless --backstop names who tops it up:
district_budget (区市财政), other_project_income (其他项目收益) or government_fund (政府性基金收入).
The top-up is its own entry, for exactly the shortfall, recorded with the payment.`,
	}, request(&r, func(args []string) { r.Bond, r.Actor = args[0], a.actor }, (*funding.Programme).PayBond), func(w io.Writer, x funding.BondPayment) {
		fmt.Fprintf(w, "bond %s due %s %s on %s: interest %s, principal %s; financial entry %d, budget entry %d\n", x.Bond,
			x.DueDate.Format(ledger.DateLayout), doneOr(x.Replayed, "paid"), x.PaidOn.Format(ledger.DateLayout), report.Amount(x.Interest), report.Amount(x.Principal),
			x.FinancialEntry, x.BudgetEntry)
		if x.Backstop != "" {
			fmt.Fprintf(w, "  reserve topped up by %s: %s (entries %d, %d)\n", x.Backstop, report.Amount(x.BackstopAmount),
				x.BackstopFinancialEntry, x.BackstopBudgetEntry)
		}
	})
	dueFlags(c, &r.DueDate, &r.PaidOn, &r.Reference, "payment date (default: the due date; never before it)")
	c.Flags().StringVar(&r.Backstop, "backstop", "", "district_budget|other_project_income|government_fund: tops up a short reserve")
	return c
}

// reportBondsCmd is `fundledger report bonds`.
func (a *app) reportBondsCmd() *cobra.Command {
	var o funding.BondReportOptions
	o.Threshold = funding.DefaultBondCoverageThreshold
	c := reportCmd(a, &cobra.Command{
		Use: "bonds", Short: "Bond repayment balance report: per bond, project and district, with the coverage ratio", Args: cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) (funding.BondReport, error) {
		at := o
		at.AsOf = dateOrToday(o.AsOf)
		return p.BondReport(ctx, at)
	}, report.BondReport)
	dateVar(c.Flags(), &o.AsOf, "as-of", "end of this day (YYYY-MM-DD; default: today)")
	c.Flags().Var(decimalValue{v: &o.Threshold, parse: thresholdFormat.Parse, kind: "ratio"}, "threshold", "coverage ratio below which a bond, project or district is flagged")
	return c
}
