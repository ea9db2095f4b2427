package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

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

	var on time.Time
	approve := elevatorGrantCmd(a, &cobra.Command{
		Use: "approve CODE", Short: "Check the owners' consent and commit the grant on the estimated cost", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.ElevatorGrant, error) {
		return p.ApproveElevator(ctx, args[0], on, a.actor)
	})
	dateVar(approve.Flags(), &on, "date", "approval date")

	var finalCost, pipeCost decimal.Decimal
	accept := elevatorGrantCmd(a, &cobra.Command{
		Use: "accept CODE", Short: "Record the acceptance (竣工验收) with the final cost: grant and shares re-computed, differences posted", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.ElevatorGrant, error) {
		return p.AcceptElevator(ctx, args[0], finalCost, pipeCost, on, a.actor)
	})
	amountVar(accept.Flags(), &finalCost, "amount", "final cost of the elevator works (yuan)")
	amountVar(accept.Flags(), &pipeCost, "pipe-cost", "final cost of pipe relocation (yuan, default 0)")
	dateVar(accept.Flags(), &on, "date", "acceptance date")
	required(accept, "amount", "date")

	var r funding.ElevatorPaymentRequest
	pay := writeCmd(a, &cobra.Command{
		Use: "pay CODE", Short: "Pay the grant of an accepted elevator (refused before acceptance)", Args: cobra.ExactArgs(1),
	}, request(&r, func(args []string) { r.Application, r.Actor = args[0], a.actor }, (*funding.Programme).PayElevatorGrant), func(w io.Writer, pm funding.GrantPayment) { printGrantPayment(w, "elevator grant "+r.Application, pm) })
	dateVar(pay.Flags(), &r.PaidOn, "date", "date paid")
	paymentFlags(pay, &r.BankAccount, &r.Reference)
	pay.Flags().StringVar(&r.Payee, "payee", "", "who is paid")

	var cr funding.ContributionRequest
	contribute := writeCmd(a, &cobra.Command{
		Use: "contribute CODE", Short: "Record a household's payment toward its share", Args: cobra.ExactArgs(1),
	}, request(&cr, func(args []string) { cr.Application, cr.Actor = args[0], a.actor }, (*funding.Programme).ReceiveContribution), func(w io.Writer, m funding.Movement) {
		fmt.Fprintf(w, "contribution %s of household %s: %s, entry %d\n", cr.IdempotencyKey, cr.Household, doneOr(m.Replayed, "recorded"), m.FinancialEntry)
	})
	contribute.Flags().StringVar(&cr.Household, "household", "", "household (floor and position: 301)")
	amountVar(contribute.Flags(), &cr.Amount, "amount", "amount in yuan")
	dateVar(contribute.Flags(), &cr.ReceivedOn, "date", "date received")
	contribute.Flags().StringVar(&cr.IdempotencyKey, "key", "", "idempotency key (required)")
	required(contribute, "amount")

	show := tableCmd(a, &cobra.Command{
		Use: "show CODE", Short: "An application's households: share, paid, outstanding", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (elevatorHouseholds, error) {
		app, err := p.ElevatorApplication(ctx, args[0])
		if err != nil {
			return elevatorHouseholds{}, err
		}
		hs, err := p.ElevatorHouseholds(ctx, args[0])
		return elevatorHouseholds{app, hs}, err
	}, func(e elevatorHouseholds, amt func(decimal.Decimal) string) report.Table {
		return report.Households(e.app, e.households, amt)
	})
	required(approve, "date")
	required(pay, "date")
	required(contribute, "date")
	cmd.AddCommand(apply, approve, accept, pay, contribute, show)
	return cmd
}

// elevatorHouseholds is an application with its households' shares.
type elevatorHouseholds struct {
	app        funding.ElevatorApplication
	households []funding.HouseholdPosition
}

// elevatorGrantCmd is a command that moves an elevator's grant (approve,
// accept): the grant printed in --format, then sealed.
func elevatorGrantCmd(a *app, cmd *cobra.Command, call programmeCall[funding.ElevatorGrant]) *cobra.Command {
	var format string
	cmd.Flags().StringVar(&format, "format", "table", "table|csv|json")
	return onProgramme(a, cmd, call, func(c *cobra.Command, g funding.ElevatorGrant) error {
		if g.Unchanged {
			fmt.Fprintf(c.OutOrStdout(), "elevator application %s: already %s on %s; nothing changed\n", g.Application, g.Event, g.On.Format(ledger.DateLayout))
		}
		return report.RenderAll(c.OutOrStdout(), report.ElevatorGrant(g, amountFormat(format)), format, "")
	}, always[funding.ElevatorGrant])
}

// paymentFlags gives a paying command --bank and --ref.
func paymentFlags(cmd *cobra.Command, bank, ref *string) {
	cmd.Flags().StringVar(bank, "bank", "", "bank account code")
	cmd.Flags().StringVar(ref, "ref", "", "voucher")
}

func printGrantPayment(w io.Writer, what string, pm funding.GrantPayment) {
	state := doneOr(pm.Replayed, "paid")
	fmt.Fprintf(w, "%s: %s %s, budget entry %d, financial entry %d\n", what, state, report.Amount(pm.Total), pm.EntryID, pm.FinancialEntryID)
	for _, s := range pm.Amounts {
		fmt.Fprintf(w, "  %-28s %18s\n", s.Source, report.Amount(s.Amount))
	}
}

func (a *app) utilityCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "utility", Short: "Utility facilities (专营设施): owner, 以奖代补 award, ownership transfer"}
	var on time.Time
	register := listCmd[requests.Facility](a, &cobra.Command{
		Use: "register", Short: "Register facilities from JSON (one object or an array)",
		Long: `Each facility: {"code": "HC-001-POWER", "project": "WH-HC-2020-001", "kind": "power|water|gas|heating|telecom|cabletv",
 "description": "...", "cost": "500000.00", "utility": "国网威海供电公司", "owner": "原产权单位",
 "owned_by_utility": false, "registered_on": "2021-03-01"}`,
	}, "facility", (*funding.Programme).RegisterFacilities, func(f funding.Facility) string {
		return fmt.Sprintf("facility %s (%s, project %s): owner %s, owned by the utility: %v", f.Code, f.Kind, f.Project, f.Owner, f.OwnedByUtility)
	})
	commit := writeCmd(a, &cobra.Command{
		Use: "commit CODE", Short: "Commit the utility's contribution and, when it does not own the facility, its award", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.FacilityCommitment, error) {
		return p.CommitFacility(ctx, args[0], on, a.actor)
	}, func(w io.Writer, fc funding.FacilityCommitment) {
		fmt.Fprintf(w, "facility %s: %s; contribution %s (%s), award %s %s\n  %s\n", fc.Facility, doneOr(fc.Unchanged, "committed"), report.Amount(fc.Contribution),
			fc.Utility, report.Amount(fc.Award), fc.AwardSource, fc.Explanation)
	})
	dateVar(commit.Flags(), &on, "date", "date")
	var to, note string
	transfer := storeCmd(a, &cobra.Command{
		Use: "transfer CODE", Short: "Record the transfer of the facility's ownership to the utility (on completion)", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.Facility, error) {
		return p.TransferOwnership(ctx, args[0], to, on, a.actor, note)
	}, func(w io.Writer, f funding.Facility) {
		fmt.Fprintf(w, "facility %s: owned by %s since %s\n", f.Code, f.Owner, f.OwnerSince.Format(ledger.DateLayout))
	})
	transfer.Flags().StringVar(&to, "to", "", "new owner (the utility company)")
	dateVar(transfer.Flags(), &on, "date", "date of the transfer")
	transfer.Flags().StringVar(&note, "note", "", "note (agreement number …)")
	var bank, ref, code string
	pay := writeCmd(a, &cobra.Command{
		Use: "pay CODE", Short: "Pay the award once the ownership passed to the utility", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.GrantPayment, error) {
		code = args[0]
		return p.PayAward(ctx, code, on, bank, ref, a.actor)
	}, func(w io.Writer, pm funding.GrantPayment) { printGrantPayment(w, "award of facility "+code, pm) })
	dateVar(pay.Flags(), &on, "date", "date paid")
	paymentFlags(pay, &bank, &ref)
	var project string
	list := tableCmd(a, &cobra.Command{
		Use: "list", Short: "List facilities with their owner and money", Args: cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.Facility, error) {
		return p.Facilities(ctx, project)
	}, facilityTable)
	list.Flags().StringVar(&project, "project", "", "one project")
	var corr funding.FacilityCorrection
	correct := writeCmd(a, &cobra.Command{
		Use: "correct CODE", Short: "Correct a committed facility's cost with a reason: contribution and award re-computed, only the difference posted", Args: cobra.ExactArgs(1),
		Long: `Correct the cost of a committed facility, with a reason. The contribution becomes the new cost and the
award is computed again under the commitment's rule set; only the differences are posted and the
correction is kept in the facility's history. Refused once the award is paid or the contribution recorded.

The steps of a facility, in order (each dated no earlier than the one before):
  register → commit → [correct …] → project completed → transfer → pay
                    └→ contribute (cash or in kind)`,
	}, request(&corr, func(args []string) { corr.Facility, corr.CorrectedOn, corr.Actor = args[0], on, a.actor }, (*funding.Programme).CorrectFacilityCost), func(w io.Writer, fc funding.FacilityCommitment) {
		if fc.Unchanged {
			fmt.Fprintf(w, "facility %s: cost %s already in force; nothing changed\n", fc.Facility, report.Amount(fc.Cost))
			return
		}
		fmt.Fprintf(w, "facility %s: cost %s → %s, award %s → %s (entry %d)\n  %s\n", fc.Facility, report.Amount(fc.PreviousCost),
			report.Amount(fc.Cost), report.Amount(fc.PreviousAward), report.Amount(fc.Award), fc.EntryID, fc.Explanation)
	})
	amountVar(correct.Flags(), &corr.Cost, "cost", "the corrected cost (yuan)")
	correct.Flags().StringVar(&corr.Reason, "reason", "", "why the cost is corrected (required)")
	dateVar(correct.Flags(), &on, "date", "date of the correction")
	var cr funding.FacilityContributionRequest
	contribute := writeCmd(a, &cobra.Command{
		Use: "contribute CODE", Short: "Record the utility's contribution: received in cash (--bank) or in kind (--in-kind, the utility did the works)", Args: cobra.ExactArgs(1),
	}, request(&cr, func(args []string) { cr.Facility, cr.On, cr.Actor = args[0], on, a.actor }, (*funding.Programme).RecordFacilityContribution), func(w io.Writer, pm funding.GrantPayment) {
		how := "received through " + cr.BankAccount
		if cr.InKind {
			how = "in kind"
		}
		fmt.Fprintf(w, "contribution to facility %s: %s %s %s, budget entry %d, financial entry %d\n", cr.Facility, doneOr(pm.Replayed, "recorded"), how,
			report.Amount(pm.Total), pm.EntryID, pm.FinancialEntryID)
	})
	dateVar(contribute.Flags(), &on, "date", "date received or works done")
	contribute.Flags().BoolVar(&cr.InKind, "in-kind", false, "the utility did the works itself (no money moves)")
	contribute.Flags().StringVar(&cr.BankAccount, "bank", "", "bank account the money came into (not with --in-kind)")
	contribute.Flags().StringVar(&cr.Reference, "ref", "", "voucher or acceptance record")
	for _, c := range []*cobra.Command{commit, transfer, pay, correct, contribute} {
		required(c, "date")
	}
	required(correct, "cost")
	cmd.AddCommand(register, commit, correct, transfer, contribute, pay, list)
	return cmd
}

// facilityTable lays out the facilities with their owner and money.
func facilityTable(fs []funding.Facility, amt func(decimal.Decimal) string) report.Table {
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
	return t
}

func (a *app) rewardCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "reward", Short: "Property-management rewards (物业服务考核奖励) from assessment scores"}
	var in funding.PropertyScoreInput
	scoreCmd := writeCmd(a, &cobra.Command{
		Use: "score PROJECT", Short: "Record a project's score for a period and commit the reward of the rule set's table", Args: cobra.ExactArgs(1),
		Long: `Record a project's property-management score for a period and commit the reward of the rule set's table.

Periods: ` + funding.PeriodForms + `.
A period is scored once it has begun (today's period at the latest), the assessment is not dated
before the period begins, and the periods of one project do not overlap: 2021, 2021-H1 and 2021-Q3
cover the same months, so only one of them is scored. A wrong score is corrected with
` + "`fundledger reward correct`" + ` (with a reason); scoring the period again with another score is refused.`,
	}, withActor(a, &in, func(args []string) { in.Project = args[0] }, (*funding.Programme).ScoreProperty), func(w io.Writer, r funding.PropertyReward) {
		fmt.Fprintf(w, "project %s period %s: score %s %s; reward %s from %s (%s)\n", r.Project, r.Period, r.Score, doneOr(r.Unchanged, "recorded"),
			report.Amount(r.Reward), r.Source, r.Explanation)
	})
	scoreCmd.Flags().StringVar(&in.Period, "period", "", "period: 2021, 2021-H1/H2, 2021-Q1…Q4 or 2021-07 (see above)")
	scoreVar(scoreCmd.Flags(), &in.Score, "score, 0 to 100")
	scoreCmd.Flags().StringVar(&in.Evaluator, "evaluator", "", "who assessed")
	dateVar(scoreCmd.Flags(), &in.ScoredOn, "date", "date of the assessment")
	var period, bank, ref string
	var paidOn time.Time
	payCmd := writeCmd(a, &cobra.Command{
		Use: "pay PROJECT", Short: "Pay a committed property reward (once)", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (rewardPayment, error) {
		pay, err := p.PayReward(ctx, args[0], period, paidOn, bank, ref, a.actor)
		return rewardPayment{args[0], pay}, err
	}, func(w io.Writer, x rewardPayment) {
		fmt.Fprintf(w, "project %s period %s: reward %s %s (entries %d, %d)\n", x.project, period, report.Amount(x.Total), doneOr(x.Replayed, "paid"),
			x.EntryID, x.FinancialEntryID)
	})
	payCmd.Flags().StringVar(&period, "period", "", "the scored period")
	dateVar(payCmd.Flags(), &paidOn, "date", "date paid")
	paymentFlags(payCmd, &bank, &ref)
	var corr funding.PropertyScoreCorrection
	correctCmd := writeCmd(a, &cobra.Command{
		Use: "correct PROJECT", Short: "Correct a period's score with a reason: a new version, only the reward's difference is posted", Args: cobra.ExactArgs(1),
		Long: `Correct a period's score with a reason. The reward is computed again under the rule set of the first
score and only the difference is posted; every version stays (fundledger reward history). A paid reward
is not corrected.`,
	}, withActor(a, &corr, func(args []string) { corr.Project = args[0] }, (*funding.Programme).CorrectPropertyScore), func(w io.Writer, r funding.PropertyReward) {
		if r.Unchanged {
			fmt.Fprintf(w, "project %s period %s: score %s already in force (version %d); nothing changed\n", r.Project, r.Period, r.Score, r.Version)
			return
		}
		fmt.Fprintf(w, "project %s period %s: score %s → %s (version %d, %s); reward %s → %s\n", r.Project, r.Period, r.PreviousScore,
			r.Score, r.Version, r.Reason, report.Amount(r.PreviousReward), report.Amount(r.Reward))
	})
	correctCmd.Flags().StringVar(&corr.Period, "period", "", "the scored period")
	scoreVar(correctCmd.Flags(), &corr.Score, "the corrected score, 0 to 100")
	correctCmd.Flags().StringVar(&corr.Reason, "reason", "", "why the score is corrected (required)")
	correctCmd.Flags().StringVar(&corr.Evaluator, "evaluator", "", "who assessed")
	dateVar(correctCmd.Flags(), &corr.CorrectedOn, "date", "date of the correction")
	var historyOf string
	historyCmd := tableCmd(a, &cobra.Command{
		Use: "history PROJECT", Short: "Every version of a project's scores, with the reasons of corrections", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) ([]funding.PropertyReward, error) {
		historyOf = args[0]
		return p.PropertyScoreHistory(ctx, historyOf)
	}, func(rs []funding.PropertyReward, amt func(decimal.Decimal) string) report.Table {
		t := report.Table{Title: "物业服务考核 Property scores " + historyOf, Columns: []report.Column{
			{Key: "period", Zh: "期间", En: "Period"}, {Key: "version", Zh: "版本", En: "Version", Numeric: true},
			{Key: "score", Zh: "评分", En: "Score", Numeric: true}, {Key: "reward", Zh: "奖励", En: "Reward", Numeric: true},
			{Key: "scored_on", Zh: "日期", En: "Date"}, {Key: "reason", Zh: "更正原因", En: "Reason"}}}
		for _, r := range rs {
			t.Rows = append(t.Rows, []string{r.Period, strconv.Itoa(r.Version), r.Score.String(), amt(r.Reward), r.ScoredOn.Format(ledger.DateLayout), r.Reason})
		}
		return t
	})
	for _, c := range []*cobra.Command{scoreCmd, payCmd, correctCmd} {
		required(c, "date")
	}
	required(scoreCmd, "score")
	required(correctCmd, "score")
	cmd.AddCommand(scoreCmd, correctCmd, payCmd, historyCmd)
	return cmd
}

// rewardPayment is a property reward paid, with its project.
type rewardPayment struct {
	project string
	funding.GrantPayment
}

func (a *app) evaluationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evaluation", Short: "Third-party evaluation scores (第三方评价) per district and year"}
	var in funding.EvaluationInput
	record := storeCmd(a, &cobra.Command{
		Use: "record", Short: "Record a district's score for a year (a re-evaluation takes over)", Args: cobra.NoArgs,
	}, withActor(a, &in, nil, (*funding.Programme).RecordEvaluation), func(w io.Writer, e funding.EvaluationScore) {
		fmt.Fprintf(w, "evaluation of %s for %d: %s\n", e.DistrictName, e.Year, e.Score)
	})
	record.Flags().StringVar(&in.District, "district", "", "district code or name")
	record.Flags().IntVar(&in.Year, "year", 0, "evaluated year")
	scoreVar(record.Flags(), &in.Score, "score, 0 to 100")
	record.Flags().StringVar(&in.Evaluator, "evaluator", "", "evaluator")
	record.Flags().StringVar(&in.Note, "note", "", "note")
	dateVar(record.Flags(), &in.ScoredOn, "date", "date of the evaluation")
	required(record, "score", "date")
	var year int
	list := tableCmd(a, &cobra.Command{
		Use: "list", Short: "The scores in force for a year", Args: cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.EvaluationScore, error) {
		return p.EvaluationScores(ctx, year)
	}, func(es []funding.EvaluationScore, _ func(decimal.Decimal) string) report.Table {
		t := report.Table{Title: fmt.Sprintf("第三方评价 Evaluation scores %d", year), Columns: []report.Column{
			{Key: "district", Zh: "区市", En: "District"}, {Key: "score", Zh: "评分", En: "Score", Numeric: true},
			{Key: "evaluator", Zh: "评价机构", En: "Evaluator"}, {Key: "scored_on", Zh: "日期", En: "Date"}}}
		for _, e := range es {
			t.Rows = append(t.Rows, []string{e.DistrictName, e.Score.String(), e.Evaluator, e.ScoredOn.Format(ledger.DateLayout)})
		}
		return t
	})
	list.Flags().IntVar(&year, "year", 0, "evaluated year")
	cmd.AddCommand(record, list)
	return cmd
}

func (a *app) allocateCmd() *cobra.Command {
	var req funding.PoolRequest
	var format, lang string
	cmd := onProgramme(a, &cobra.Command{
		Use:   "allocate --year Y --pool AMOUNT [--dry-run]",
		Short: "Allocate year Y's pool over the districts by Y−1's quantities and evaluation scores; without --dry-run post the commitments",
		Args:  cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) (funding.PoolResult, error) {
		req.Actor = a.actor
		return p.AllocatePool(ctx, req)
	}, func(c *cobra.Command, res funding.PoolResult) error {
		return report.Render(c.OutOrStdout(), report.PoolAllocation(res, amountFormat(format)), format, lang)
	}, func(res funding.PoolResult) bool { return !req.DryRun && !res.Unchanged })
	f := cmd.Flags()
	f.IntVar(&req.Year, "year", 0, "the year whose pool is allocated (scores and quantities of the year before)")
	amountVar(f, &req.Pool, "pool", "the pool in yuan")
	dateVar(f, &req.On, "date", "date of the commitments and of the rule set (default 1 January of --year)")
	f.BoolVar(&req.DryRun, "dry-run", false, "show the split; post nothing")
	f.StringVar(&format, "format", "table", "table|csv|json")
	f.StringVar(&lang, "lang", "", "zh|en (default both)")
	required(cmd, "year", "pool")
	return cmd
}

func (a *app) reportGrantsCmd() *cobra.Command {
	return districtReportCmd(a, "grants", "Elevator applications by status, grants per district, residents' shares outstanding per building",
		(*funding.Programme).GrantsReport, report.GrantsReport)
}
