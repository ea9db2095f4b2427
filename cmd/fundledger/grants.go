package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/requests"
)

// Grants: elevator applications, utility facilities and awards, property
// rewards, evaluation scores, the pool allocation and the grants report.
// Wire into rootCmd: a.elevatorCmd(), a.utilityCmd(), a.rewardCmd(),
// a.evaluationCmd(), a.allocateCmd(); and a.reportGrantsCmd() under `report`.

func (a *app) elevatorCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "elevator", Short: "Elevator retrofit (加装电梯): applications, consent, grants, acceptance, household shares"}
	apply := listCmd[requests.ElevatorApplication](a, &cobra.Command{
		Use: "apply", Short: "Record applications from JSON (one object or an array)",
		Long: `Each application: {"code": "HC-001-3-2", "project": "WH-HC-2020-001", "building": "3", "unit": "2",
 "households_per_floor": [2, 2, 2, 2, 2, 2, 2], "elevators": 1, "estimated_cost": "500000.00",
 "estimated_pipe_cost": "0", "other_contributions": "0", "owners_total": 14, "owners_participating": 12,
 "owners_approving": 10, "area_total_m2": "1260.00", "area_participating_m2": "1080.00",
 "area_approving_m2": "900.00", "applied_on": "2021-03-01"}`,
	}, "application", (*funding.Programme).ApplyElevators, func(got funding.ElevatorApplication) string {
		return fmt.Sprintf("elevator application %s (project %s, building %s unit %s): %s", got.Code, got.Project, got.Building, got.Unit, got.Status)
	})

	var date, format string
	approve := &cobra.Command{
		Use: "approve CODE", Short: "Check the owners' consent and commit the grant on the estimated cost", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			g, err := p.ApproveElevator(c.Context(), args[0], on, a.actor)
			if err != nil {
				return err
			}
			return a.grantOut(c, p, g, format)
		},
	}
	approve.Flags().StringVar(&date, "date", "", "approval date (YYYY-MM-DD, required)")
	approve.Flags().StringVar(&format, "format", "table", "table|csv|json")

	var finalCost, pipeCost string
	accept := &cobra.Command{
		Use: "accept CODE", Short: "Record the acceptance (竣工验收) with the final cost: grant and shares re-computed, differences posted", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cost, on, err := amountAndDate(finalCost, date)
			if err != nil {
				return err
			}
			pipe := decimal.Zero
			if pipeCost != "" {
				if pipe, err = amount.Parse(pipeCost); err != nil {
					return fmt.Errorf("--pipe-cost %w", err)
				}
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			g, err := p.AcceptElevator(c.Context(), args[0], cost, pipe, on, a.actor)
			if err != nil {
				return err
			}
			return a.grantOut(c, p, g, format)
		},
	}
	accept.Flags().StringVar(&finalCost, "amount", "", "final cost of the elevator works (yuan)")
	accept.Flags().StringVar(&pipeCost, "pipe-cost", "", "final cost of pipe relocation (yuan, default 0)")
	accept.Flags().StringVar(&date, "date", "", "acceptance date (YYYY-MM-DD)")
	accept.Flags().StringVar(&format, "format", "table", "table|csv|json")

	var r funding.ElevatorPaymentRequest
	pay := &cobra.Command{
		Use: "pay CODE", Short: "Pay the grant of an accepted elevator (refused before acceptance)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			r.Application, r.PaidOn, r.Actor = args[0], on, a.actor
			pm, err := p.PayElevatorGrant(c.Context(), r)
			if err != nil {
				return err
			}
			printGrantPayment(c, "elevator grant "+args[0], pm)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	pay.Flags().StringVar(&date, "date", "", "date paid (YYYY-MM-DD)")
	pay.Flags().StringVar(&r.Payee, "payee", "", "who is paid")
	pay.Flags().StringVar(&r.BankAccount, "bank", "", "bank account code")
	pay.Flags().StringVar(&r.Reference, "ref", "", "voucher")

	var cr funding.ContributionRequest
	var amount string
	contribute := &cobra.Command{
		Use: "contribute CODE", Short: "Record a household's payment toward its share", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if cr.Amount, cr.ReceivedOn, err = amountAndDate(amount, date); err != nil {
				return err
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			cr.Application, cr.Actor = args[0], a.actor
			m, err := p.ReceiveContribution(c.Context(), cr)
			if err != nil {
				return err
			}
			state := doneOr(m.Replayed, "recorded")
			fmt.Fprintf(c.OutOrStdout(), "contribution %s of household %s: %s, entry %d\n", cr.IdempotencyKey, cr.Household, state, m.FinancialEntry)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	contribute.Flags().StringVar(&cr.Household, "household", "", "household (floor and position: 301)")
	contribute.Flags().StringVar(&amount, "amount", "", "amount in yuan")
	contribute.Flags().StringVar(&date, "date", "", "date received (YYYY-MM-DD)")
	contribute.Flags().StringVar(&cr.IdempotencyKey, "key", "", "idempotency key (required)")

	show := &cobra.Command{
		Use: "show CODE", Short: "An application's households: share, paid, outstanding", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			app, err := p.ElevatorApplication(c.Context(), args[0])
			if err != nil {
				return err
			}
			hs, err := p.ElevatorHouseholds(c.Context(), args[0])
			if err != nil {
				return err
			}
			return report.Render(c.OutOrStdout(), report.Households(app, hs, amountFormat(format)), format, "")
		},
	}
	show.Flags().StringVar(&format, "format", "table", "table|csv|json")
	cmd.AddCommand(apply, approve, accept, pay, contribute, show)
	return cmd
}

func (a *app) grantOut(c *cobra.Command, p *funding.Programme, g funding.ElevatorGrant, format string) error {
	if g.Unchanged {
		fmt.Fprintf(c.OutOrStdout(), "elevator application %s: already %s on %s; nothing changed\n", g.Application, g.Event, g.On.Format(ledger.DateLayout))
	}
	if err := report.RenderAll(c.OutOrStdout(), report.ElevatorGrant(g, amountFormat(format)), format, ""); err != nil {
		return err
	}
	return sealAfterWrite(c.Context(), p.Ledger())
}

func printGrantPayment(c *cobra.Command, what string, pm funding.GrantPayment) {
	state := doneOr(pm.Replayed, "paid")
	fmt.Fprintf(c.OutOrStdout(), "%s: %s %s, budget entry %d, financial entry %d\n", what, state, report.Amount(pm.Total), pm.EntryID, pm.FinancialEntryID)
	for _, s := range pm.Amounts {
		fmt.Fprintf(c.OutOrStdout(), "  %-28s %18s\n", s.Source, report.Amount(s.Amount))
	}
}

func (a *app) utilityCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "utility", Short: "Utility facilities (专营设施): owner, 以奖代补 award, ownership transfer"}
	var date, format string
	register := listCmd[requests.Facility](a, &cobra.Command{
		Use: "register", Short: "Register facilities from JSON (one object or an array)",
		Long: `Each facility: {"code": "HC-001-POWER", "project": "WH-HC-2020-001", "kind": "power|water|gas|heating|telecom|cabletv",
 "description": "...", "cost": "500000.00", "utility": "国网威海供电公司", "owner": "原产权单位",
 "owned_by_utility": false, "registered_on": "2021-03-01"}`,
	}, "facility", (*funding.Programme).RegisterFacilities, func(f funding.Facility) string {
		return fmt.Sprintf("facility %s (%s, project %s): owner %s, owned by the utility: %v", f.Code, f.Kind, f.Project, f.Owner, f.OwnedByUtility)
	})
	commit := &cobra.Command{
		Use: "commit CODE", Short: "Commit the utility's contribution and, when it does not own the facility, its award", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			fc, err := p.CommitFacility(c.Context(), args[0], on, a.actor)
			if err != nil {
				return err
			}
			state := doneOr(fc.Unchanged, "committed")
			fmt.Fprintf(c.OutOrStdout(), "facility %s: %s; contribution %s (%s), award %s %s\n  %s\n", fc.Facility, state, report.Amount(fc.Contribution),
				fc.Utility, report.Amount(fc.Award), fc.AwardSource, fc.Explanation)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	commit.Flags().StringVar(&date, "date", "", "date (YYYY-MM-DD)")
	var to, note string
	transfer := &cobra.Command{
		Use: "transfer CODE", Short: "Record the transfer of the facility's ownership to the utility (on completion)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			f, err := p.TransferOwnership(c.Context(), args[0], to, on, a.actor, note)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "facility %s: owned by %s since %s\n", f.Code, f.Owner, f.OwnerSince.Format(ledger.DateLayout))
			return nil
		},
	}
	transfer.Flags().StringVar(&to, "to", "", "new owner (the utility company)")
	transfer.Flags().StringVar(&date, "date", "", "date of the transfer (YYYY-MM-DD)")
	transfer.Flags().StringVar(&note, "note", "", "note (agreement number …)")
	var bank, ref string
	pay := &cobra.Command{
		Use: "pay CODE", Short: "Pay the award once the ownership passed to the utility", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			pm, err := p.PayAward(c.Context(), args[0], on, bank, ref, a.actor)
			if err != nil {
				return err
			}
			printGrantPayment(c, "award of facility "+args[0], pm)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	pay.Flags().StringVar(&date, "date", "", "date paid (YYYY-MM-DD)")
	pay.Flags().StringVar(&bank, "bank", "", "bank account code")
	pay.Flags().StringVar(&ref, "ref", "", "voucher")
	var project string
	list := &cobra.Command{
		Use: "list", Short: "List facilities with their owner and money", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			fs, err := p.Facilities(c.Context(), project)
			if err != nil {
				return err
			}
			amt := amountFormat(format)
			t := report.Table{Title: "专营设施 Utility facilities", Columns: []report.Column{
				{Key: "code", Zh: "设施", En: "Facility"}, {Key: "project", Zh: "项目", En: "Project"}, {Key: "kind", Zh: "类型", En: "Kind"},
				{Key: "cost", Zh: "造价", En: "Cost", Numeric: true}, {Key: "owner", Zh: "产权人", En: "Owner"},
				{Key: "owner_since", Zh: "产权起", En: "Since"}, {Key: "utility_owned", Zh: "专营单位所有", En: "Utility-owned"},
				{Key: "award", Zh: "奖补", En: "Award", Numeric: true}, {Key: "award_paid", Zh: "已拨付", En: "Paid"},
				{Key: "committed_on", Zh: "下达", En: "Committed"}, {Key: "corrections", Zh: "更正", En: "Corrections", Numeric: true},
				{Key: "transferred_on", Zh: "移交", En: "Transferred"}, {Key: "paid_on", Zh: "拨付日", En: "Paid on"},
				{Key: "contributed_on", Zh: "出资到位", En: "Contributed"}}}
			on := func(t *time.Time) string {
				if t == nil {
					return ""
				}
				return t.Format(ledger.DateLayout)
			}
			for _, f := range fs {
				contributed := on(f.ContributedOn)
				if contributed != "" {
					contributed += " " + f.ContributionIn
				}
				t.Rows = append(t.Rows, []string{f.Code, f.Project, f.Kind, amt(f.Cost), f.Owner, f.OwnerSince.Format(ledger.DateLayout),
					strconv.FormatBool(f.OwnedByUtility), amt(f.Award), strconv.FormatBool(f.AwardPaid), on(f.CommittedOn), strconv.Itoa(f.Corrections),
					on(f.TransferredOn), on(f.PaidOn), contributed})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	list.Flags().StringVar(&project, "project", "", "one project")
	list.Flags().StringVar(&format, "format", "table", "table|csv|json")
	var corr funding.FacilityCorrection
	var cost string
	correct := &cobra.Command{
		Use: "correct CODE", Short: "Correct a committed facility's cost with a reason: contribution and award re-computed, only the difference posted", Args: cobra.ExactArgs(1),
		Long: `Correct the cost of a committed facility, with a reason. The contribution becomes the new cost and the
award is computed again under the commitment's rule set; only the differences are posted and the
correction is kept in the facility's history. Refused once the award is paid or the contribution recorded.

The steps of a facility, in order (each dated no earlier than the one before):
  register → commit → [correct …] → project completed → transfer → pay
                    └→ contribute (cash or in kind)`,
		RunE: func(c *cobra.Command, args []string) error {
			v, err := decimal.NewFromString(cost)
			if err != nil {
				return fmt.Errorf("--cost %q: not a number", cost)
			}
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				corr.Facility, corr.Cost, corr.CorrectedOn, corr.Actor = args[0], v, on, a.actor
				fc, err := p.CorrectFacilityCost(c.Context(), corr)
				if err != nil {
					return err
				}
				if fc.Unchanged {
					fmt.Fprintf(c.OutOrStdout(), "facility %s: cost %s already in force; nothing changed\n", fc.Facility, report.Amount(fc.Cost))
					return nil
				}
				fmt.Fprintf(c.OutOrStdout(), "facility %s: cost %s → %s, award %s → %s (entry %d)\n  %s\n", fc.Facility, report.Amount(fc.PreviousCost),
					report.Amount(fc.Cost), report.Amount(fc.PreviousAward), report.Amount(fc.Award), fc.EntryID, fc.Explanation)
				return nil
			})
		},
	}
	correct.Flags().StringVar(&cost, "cost", "", "the corrected cost (yuan)")
	correct.Flags().StringVar(&corr.Reason, "reason", "", "why the cost is corrected (required)")
	correct.Flags().StringVar(&date, "date", "", "date of the correction (YYYY-MM-DD)")
	var cr funding.FacilityContributionRequest
	contribute := &cobra.Command{
		Use: "contribute CODE", Short: "Record the utility's contribution: received in cash (--bank) or in kind (--in-kind, the utility did the works)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				cr.Facility, cr.On, cr.Actor = args[0], on, a.actor
				pm, err := p.RecordFacilityContribution(c.Context(), cr)
				if err != nil {
					return err
				}
				state := doneOr(pm.Replayed, "recorded")
				how := "received through " + cr.BankAccount
				if cr.InKind {
					how = "in kind"
				}
				fmt.Fprintf(c.OutOrStdout(), "contribution to facility %s: %s %s %s, budget entry %d, financial entry %d\n", args[0], state, how,
					report.Amount(pm.Total), pm.EntryID, pm.FinancialEntryID)
				return nil
			})
		},
	}
	contribute.Flags().StringVar(&date, "date", "", "date received or works done (YYYY-MM-DD)")
	contribute.Flags().BoolVar(&cr.InKind, "in-kind", false, "the utility did the works itself (no money moves)")
	contribute.Flags().StringVar(&cr.BankAccount, "bank", "", "bank account the money came into (not with --in-kind)")
	contribute.Flags().StringVar(&cr.Reference, "ref", "", "voucher or acceptance record")
	cmd.AddCommand(register, commit, correct, transfer, contribute, pay, list)
	return cmd
}

func (a *app) rewardCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "reward", Short: "Property-management rewards (物业服务考核奖励) from assessment scores"}
	var in funding.PropertyScoreInput
	var score, date string
	scoreCmd := &cobra.Command{
		Use: "score PROJECT", Short: "Record a project's score for a period and commit the reward of the rule set's table", Args: cobra.ExactArgs(1),
		Long: `Record a project's property-management score for a period and commit the reward of the rule set's table.

Periods: ` + funding.PeriodForms + `.
A period is scored once it has begun (today's period at the latest), the assessment is not dated
before the period begins, and the periods of one project do not overlap: 2021, 2021-H1 and 2021-Q3
cover the same months, so only one of them is scored. A wrong score is corrected with
` + "`fundledger reward correct`" + ` (with a reason); scoring the period again with another score is refused.`,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := scoreFlag(score)
			if err != nil {
				return err
			}
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			in.Project, in.Score, in.ScoredOn = args[0], s, on
			r, err := p.ScoreProperty(c.Context(), in, a.actor)
			if err != nil {
				return err
			}
			state := doneOr(r.Unchanged, "recorded")
			fmt.Fprintf(c.OutOrStdout(), "project %s period %s: score %s %s; reward %s from %s (%s)\n", r.Project, r.Period, r.Score, state,
				report.Amount(r.Reward), r.Source, r.Explanation)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	scoreCmd.Flags().StringVar(&in.Period, "period", "", "period: 2021, 2021-H1/H2, 2021-Q1…Q4 or 2021-07 (see above)")
	scoreCmd.Flags().StringVar(&score, "score", "", "score, 0 to 100")
	scoreCmd.Flags().StringVar(&in.Evaluator, "evaluator", "", "who assessed")
	scoreCmd.Flags().StringVar(&date, "date", "", "date of the assessment (YYYY-MM-DD)")
	var period, payDate, bank, ref string
	payCmd := &cobra.Command{
		Use: "pay PROJECT", Short: "Pay a committed property reward (once)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := ledger.ParseDate(payDate)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			pay, err := p.PayReward(c.Context(), args[0], period, on, bank, ref, a.actor)
			if err != nil {
				return err
			}
			state := doneOr(pay.Replayed, "paid")
			fmt.Fprintf(c.OutOrStdout(), "project %s period %s: reward %s %s (entries %d, %d)\n", args[0], period, report.Amount(pay.Total), state,
				pay.EntryID, pay.FinancialEntryID)
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	payCmd.Flags().StringVar(&period, "period", "", "the scored period")
	payCmd.Flags().StringVar(&payDate, "date", "", "date paid (YYYY-MM-DD)")
	payCmd.Flags().StringVar(&bank, "bank", "", "bank account code")
	payCmd.Flags().StringVar(&ref, "ref", "", "voucher")
	var corr funding.PropertyScoreCorrection
	var corrScore, corrDate string
	correctCmd := &cobra.Command{
		Use: "correct PROJECT", Short: "Correct a period's score with a reason: a new version, only the reward's difference is posted", Args: cobra.ExactArgs(1),
		Long: `Correct a period's score with a reason. The reward is computed again under the rule set of the first
score and only the difference is posted; every version stays (fundledger reward history). A paid reward
is not corrected.`,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := scoreFlag(corrScore)
			if err != nil {
				return err
			}
			on, err := ledger.ParseDate(corrDate)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				corr.Project, corr.Score, corr.CorrectedOn = args[0], s, on
				r, err := p.CorrectPropertyScore(c.Context(), corr, a.actor)
				if err != nil {
					return err
				}
				if r.Unchanged {
					fmt.Fprintf(c.OutOrStdout(), "project %s period %s: score %s already in force (version %d); nothing changed\n", r.Project, r.Period, r.Score, r.Version)
				} else {
					fmt.Fprintf(c.OutOrStdout(), "project %s period %s: score %s → %s (version %d, %s); reward %s → %s\n", r.Project, r.Period, r.PreviousScore,
						r.Score, r.Version, r.Reason, report.Amount(r.PreviousReward), report.Amount(r.Reward))
				}
				return nil
			})
		},
	}
	correctCmd.Flags().StringVar(&corr.Period, "period", "", "the scored period")
	correctCmd.Flags().StringVar(&corrScore, "score", "", "the corrected score, 0 to 100")
	correctCmd.Flags().StringVar(&corr.Reason, "reason", "", "why the score is corrected (required)")
	correctCmd.Flags().StringVar(&corr.Evaluator, "evaluator", "", "who assessed")
	correctCmd.Flags().StringVar(&corrDate, "date", "", "date of the correction (YYYY-MM-DD)")
	var histFormat string
	historyCmd := &cobra.Command{
		Use: "history PROJECT", Short: "Every version of a project's scores, with the reasons of corrections", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			rs, err := p.PropertyScoreHistory(c.Context(), args[0])
			if err != nil {
				return err
			}
			amt := amountFormat(histFormat)
			t := report.Table{Title: "物业服务考核 Property scores " + args[0], Columns: []report.Column{
				{Key: "period", Zh: "期间", En: "Period"}, {Key: "version", Zh: "版本", En: "Version", Numeric: true},
				{Key: "score", Zh: "评分", En: "Score", Numeric: true}, {Key: "reward", Zh: "奖励", En: "Reward", Numeric: true},
				{Key: "scored_on", Zh: "日期", En: "Date"}, {Key: "reason", Zh: "更正原因", En: "Reason"}}}
			for _, r := range rs {
				t.Rows = append(t.Rows, []string{r.Period, strconv.Itoa(r.Version), r.Score.String(), amt(r.Reward), r.ScoredOn.Format(ledger.DateLayout), r.Reason})
			}
			return report.Render(c.OutOrStdout(), t, histFormat, "")
		},
	}
	historyCmd.Flags().StringVar(&histFormat, "format", "table", "table|csv|json")
	cmd.AddCommand(scoreCmd, correctCmd, payCmd, historyCmd)
	return cmd
}

// scoreFlag reads a --score flag: a number from 0 to 100.
func scoreFlag(s string) (decimal.Decimal, error) {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("--score %q: not a number; give a score from 0 to 100, e.g. 87.5", s)
	}
	return v, nil
}

func (a *app) evaluationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evaluation", Short: "Third-party evaluation scores (第三方评价) per district and year"}
	var in funding.EvaluationInput
	var score, date, format string
	record := &cobra.Command{
		Use: "record", Short: "Record a district's score for a year (a re-evaluation takes over)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := scoreFlag(score)
			if err != nil {
				return err
			}
			on, err := ledger.ParseDate(date)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			in.Score, in.ScoredOn = s, on
			e, err := p.RecordEvaluation(c.Context(), in, a.actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "evaluation of %s for %d: %s\n", e.DistrictName, e.Year, e.Score)
			return nil
		},
	}
	record.Flags().StringVar(&in.District, "district", "", "district code or name")
	record.Flags().IntVar(&in.Year, "year", 0, "evaluated year")
	record.Flags().StringVar(&score, "score", "", "score, 0 to 100")
	record.Flags().StringVar(&in.Evaluator, "evaluator", "", "evaluator")
	record.Flags().StringVar(&in.Note, "note", "", "note")
	record.Flags().StringVar(&date, "date", "", "date of the evaluation (YYYY-MM-DD)")
	var year int
	list := &cobra.Command{
		Use: "list", Short: "The scores in force for a year", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			es, err := p.EvaluationScores(c.Context(), year)
			if err != nil {
				return err
			}
			t := report.Table{Title: fmt.Sprintf("第三方评价 Evaluation scores %d", year), Columns: []report.Column{
				{Key: "district", Zh: "区市", En: "District"}, {Key: "score", Zh: "评分", En: "Score", Numeric: true},
				{Key: "evaluator", Zh: "评价机构", En: "Evaluator"}, {Key: "scored_on", Zh: "日期", En: "Date"}}}
			for _, e := range es {
				t.Rows = append(t.Rows, []string{e.DistrictName, e.Score.String(), e.Evaluator, e.ScoredOn.Format(ledger.DateLayout)})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	list.Flags().IntVar(&year, "year", 0, "evaluated year")
	list.Flags().StringVar(&format, "format", "table", "table|csv|json")
	cmd.AddCommand(record, list)
	return cmd
}

func (a *app) allocateCmd() *cobra.Command {
	var req funding.PoolRequest
	var pool, date, format, lang string
	cmd := &cobra.Command{
		Use:   "allocate --year Y --pool AMOUNT [--dry-run]",
		Short: "Allocate year Y's pool over the districts by Y−1's quantities and evaluation scores; without --dry-run post the commitments",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if req.Pool, err = amount.Parse(pool); err != nil {
				return fmt.Errorf("--pool %w", err)
			}
			if date != "" {
				if req.On, err = ledger.ParseDate(date); err != nil {
					return fmt.Errorf("--date: %w", err)
				}
			}
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			req.Actor = a.actor
			res, err := p.AllocatePool(c.Context(), req)
			if err != nil {
				return err
			}
			if err := report.Render(c.OutOrStdout(), report.PoolAllocation(res, amountFormat(format)), format, lang); err != nil {
				return err
			}
			if req.DryRun || res.Unchanged {
				return nil
			}
			return sealAfterWrite(c.Context(), p.Ledger())
		},
	}
	f := cmd.Flags()
	f.IntVar(&req.Year, "year", 0, "the year whose pool is allocated (scores and quantities of the year before)")
	f.StringVar(&pool, "pool", "", "the pool in yuan")
	f.StringVar(&date, "date", "", "date of the commitments and of the rule set (default 1 January of --year)")
	f.BoolVar(&req.DryRun, "dry-run", false, "show the split; post nothing")
	f.StringVar(&format, "format", "table", "table|csv|json")
	f.StringVar(&lang, "lang", "", "zh|en (default both)")
	_ = cmd.MarkFlagRequired("year")
	_ = cmd.MarkFlagRequired("pool")
	return cmd
}

func (a *app) reportGrantsCmd() *cobra.Command {
	return districtReportCmd(a, "grants", "Elevator applications by status, grants per district, residents' shares outstanding per building",
		(*funding.Programme).GrantsReport, report.GrantsReport)
}
