package funding

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Elevator retrofit (加装电梯): one application per building unit. The
// owners' consent is checked against the rule set's thresholds when the
// application is approved; the grant (rules.ElevatorRule.ComputeGrant) is
// then committed in the budget book on the estimated cost and the
// residents' share (cost + pipe cost − grant − other contributions) is
// apportioned among the households by floor and becomes receivable. At
// acceptance (竣工验收) the grant and the shares are re-computed on the final
// cost under the same rule set version and the differences posted; only
// then may the grant be paid.

// Elevator application statuses: the latest event, "applied" before any.
const (
	ElevatorApplied  = "applied"
	ElevatorRefused  = "refused"
	ElevatorApproved = "approved"
	ElevatorAccepted = "accepted"
	ElevatorPaid     = "paid"
)

// ElevatorApplicationInput applies for an elevator in one building unit.
type ElevatorApplicationInput struct {
	Code               string          `json:"code" validate:"required,max=64"`
	Project            string          `json:"project" validate:"required"`
	Building           string          `json:"building" validate:"required,max=64"`
	Unit               string          `json:"unit" validate:"required,max=64"`
	HouseholdsPerFloor []int           `json:"households_per_floor" validate:"required,min=1,max=100,dive,gte=0,lte=50"` // ground floor first
	Elevators          int             `json:"elevators" validate:"gte=0,lte=100"`                                       // 0 means 1
	EstimatedCost      decimal.Decimal `json:"estimated_cost"`
	EstimatedPipeCost  decimal.Decimal `json:"estimated_pipe_cost"`
	OtherContributions decimal.Decimal `json:"other_contributions"` // maintenance fund, public income …
	// Owners' consent (业主表决).
	OwnersTotal         int             `json:"owners_total" validate:"gt=0"`
	OwnersParticipating int             `json:"owners_participating" validate:"gte=0"`
	OwnersApproving     int             `json:"owners_approving" validate:"gte=0"`
	AreaTotalM2         decimal.Decimal `json:"area_total_m2"`
	AreaParticipatingM2 decimal.Decimal `json:"area_participating_m2"`
	AreaApprovingM2     decimal.Decimal `json:"area_approving_m2"`
	AppliedOn           time.Time       `json:"applied_on" validate:"required"`
}

// ElevatorApplication is a stored application with its status.
type ElevatorApplication struct {
	ElevatorApplicationInput
	District     string    `json:"district"`
	DistrictName string    `json:"district_name"`
	Status       string    `json:"status"`
	StatusOn     time.Time `json:"status_on,omitzero"`
	CreatedBy    string    `json:"created_by"`
}

func (a ElevatorApplication) consent() rules.ConsentInput {
	return rules.ConsentInput{OwnersTotal: a.OwnersTotal, OwnersParticipating: a.OwnersParticipating, OwnersApproving: a.OwnersApproving,
		AreaTotal: a.AreaTotalM2, AreaParticipating: a.AreaParticipatingM2, AreaApproving: a.AreaApprovingM2}
}

// ElevatorGrant is the outcome of an approval or acceptance: the grant, the
// residents' share per household and what was posted.
type ElevatorGrant struct {
	Application      string                 `json:"application"`
	Event            string                 `json:"event"` // approved or accepted
	On               time.Time              `json:"on"`
	RuleSetID        int64                  `json:"rule_set_id"`
	Consent          rules.ConsentResult    `json:"consent"`
	Cost             decimal.Decimal        `json:"cost"`
	PipeCost         decimal.Decimal        `json:"pipe_cost"`
	Grant            rules.Grant            `json:"grant"`
	ResidentsShare   decimal.Decimal        `json:"residents_share"`
	Households       []rules.HouseholdShare `json:"households"`
	Deltas           []SourceDelta          `json:"deltas"` // commitment per source before and after
	ResidentsBefore  decimal.Decimal        `json:"residents_before"`
	EntryID          int64                  `json:"entry_id,omitempty"`
	FinancialEntryID int64                  `json:"financial_entry_id,omitempty"`
	// Unchanged: the same event was already recorded; nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
}

// ApplyElevator records an application. Applying again with the same data
// changes nothing; other data under the same code is ErrExists.
func (p *Programme) ApplyElevator(ctx context.Context, in ElevatorApplicationInput, actor string) (ElevatorApplication, error) {
	as, err := p.ApplyElevators(ctx, []ElevatorApplicationInput{in}, actor)
	if err != nil {
		return ElevatorApplication{}, single(err)
	}
	return as[0], nil
}

// ApplyElevators records a batch of applications, all or nothing: every
// application is checked first (fields, money, consent, project, a code
// recorded with other data) and every refusal listed (ItemErrors); then
// all are stored in one transaction.
func (p *Programme) ApplyElevators(ctx context.Context, ins []ElevatorApplicationInput, actor string) ([]ElevatorApplication, error) {
	ins = append([]ElevatorApplicationInput(nil), ins...)
	for i := range ins {
		if ins[i].Elevators == 0 {
			ins[i].Elevators = 1
		}
	}
	exists := make([]bool, len(ins))
	err := inBatch(ctx, p, "elevator applications", ins, func(in ElevatorApplicationInput) string { return in.Code },
		func(i int, in ElevatorApplicationInput) error {
			what := fmt.Sprintf("elevator application %s", in.Code)
			if err := checkInput(what, in); err != nil {
				return err
			}
			if err := checkMoneyInput(what+": estimated_cost", in.EstimatedCost, false); err != nil {
				return err
			}
			if err := checkMoneyInput(what+": estimated_pipe_cost", in.EstimatedPipeCost, true); err != nil {
				return err
			}
			if err := checkMoneyInput(what+": other_contributions", in.OtherContributions, true); err != nil {
				return err
			}
			// The same checks as the rules package, before anything is stored.
			if _, err := (&rules.ElevatorRule{}).CheckConsent(ElevatorApplication{ElevatorApplicationInput: in}.consent()); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
			}
			if _, err := p.Project(ctx, in.Project); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			got, err := p.ElevatorApplication(ctx, in.Code)
			switch {
			case err == nil && !sameApplication(got.ElevatorApplicationInput, in):
				return fmt.Errorf("%w: %s: an application with this code is recorded with other data", ErrExists, what)
			case err == nil:
				exists[i] = true
			case !errors.Is(err, ErrNotFound):
				return err
			}
			return nil
		},
		func(tx *sqlx.Tx, i int, in ElevatorApplicationInput) error {
			if exists[i] {
				return nil
			}
			what := fmt.Sprintf("elevator application %s", in.Code)
			floors := make(pq.Int64Array, len(in.HouseholdsPerFloor))
			for i, n := range in.HouseholdsPerFloor {
				floors[i] = int64(n)
			}
			res, err := tx.ExecContext(ctx, `
				INSERT INTO elevator_applications (code, project, building, unit, households_per_floor, elevators, estimated_cost,
				       estimated_pipe_cost, other_contributions, owners_total, owners_participating, owners_approving,
				       area_total_m2, area_participating_m2, area_approving_m2, applied_on, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
				ON CONFLICT (code) DO NOTHING`,
				in.Code, in.Project, in.Building, in.Unit, floors, in.Elevators, in.EstimatedCost.String(), in.EstimatedPipeCost.String(),
				in.OtherContributions.String(), in.OwnersTotal, in.OwnersParticipating, in.OwnersApproving, in.AreaTotalM2.String(),
				in.AreaParticipatingM2.String(), in.AreaApprovingM2.String(), ledger.Civil(in.AppliedOn).Format(ledger.DateLayout), actor)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: %s: recorded meanwhile by someone else; try again", ErrExists, what)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]ElevatorApplication, len(ins))
	for i, in := range ins {
		if out[i], err = p.ElevatorApplication(ctx, in.Code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameApplication(a, b ElevatorApplicationInput) bool {
	return a.Project == b.Project && a.Building == b.Building && a.Unit == b.Unit && a.Elevators == b.Elevators &&
		fmt.Sprint(a.HouseholdsPerFloor) == fmt.Sprint(b.HouseholdsPerFloor) && a.EstimatedCost.Equal(b.EstimatedCost) &&
		a.EstimatedPipeCost.Equal(b.EstimatedPipeCost) && a.OtherContributions.Equal(b.OtherContributions) &&
		a.OwnersTotal == b.OwnersTotal && a.OwnersParticipating == b.OwnersParticipating && a.OwnersApproving == b.OwnersApproving &&
		a.AreaTotalM2.Equal(b.AreaTotalM2) && a.AreaParticipatingM2.Equal(b.AreaParticipatingM2) &&
		a.AreaApprovingM2.Equal(b.AreaApprovingM2) && ledger.Civil(a.AppliedOn).Equal(ledger.Civil(b.AppliedOn))
}

const elevatorSelect = `
	SELECT a.code, a.project, a.building, a.unit, a.households_per_floor, a.elevators, a.estimated_cost, a.estimated_pipe_cost,
	       a.other_contributions, a.owners_total, a.owners_participating, a.owners_approving, a.area_total_m2,
	       a.area_participating_m2, a.area_approving_m2, a.applied_on, a.created_by, p.district, d.name_zh AS district_name,
	       coalesce(e.kind, 'applied') AS status, coalesce(e.effective_on, a.applied_on) AS status_on
	  FROM elevator_applications a JOIN projects p ON p.code = a.project JOIN districts d ON d.code = p.district
	  LEFT JOIN LATERAL (SELECT kind, effective_on FROM elevator_events x WHERE x.application = a.code ORDER BY x.id DESC LIMIT 1) e ON true`

type elevatorRow struct {
	Code                string          `db:"code"`
	Project             string          `db:"project"`
	Building            string          `db:"building"`
	Unit                string          `db:"unit"`
	Floors              pq.Int64Array   `db:"households_per_floor"`
	Elevators           int             `db:"elevators"`
	EstimatedCost       decimal.Decimal `db:"estimated_cost"`
	EstimatedPipeCost   decimal.Decimal `db:"estimated_pipe_cost"`
	OtherContributions  decimal.Decimal `db:"other_contributions"`
	OwnersTotal         int             `db:"owners_total"`
	OwnersParticipating int             `db:"owners_participating"`
	OwnersApproving     int             `db:"owners_approving"`
	AreaTotal           decimal.Decimal `db:"area_total_m2"`
	AreaParticipating   decimal.Decimal `db:"area_participating_m2"`
	AreaApproving       decimal.Decimal `db:"area_approving_m2"`
	AppliedOn           time.Time       `db:"applied_on"`
	CreatedBy           string          `db:"created_by"`
	District            string          `db:"district"`
	DistrictName        string          `db:"district_name"`
	Status              string          `db:"status"`
	StatusOn            time.Time       `db:"status_on"`
}

func (r elevatorRow) application() ElevatorApplication {
	floors := make([]int, len(r.Floors))
	for i, n := range r.Floors {
		floors[i] = int(n)
	}
	return ElevatorApplication{
		ElevatorApplicationInput: ElevatorApplicationInput{Code: r.Code, Project: r.Project, Building: r.Building, Unit: r.Unit,
			HouseholdsPerFloor: floors, Elevators: r.Elevators, EstimatedCost: r.EstimatedCost, EstimatedPipeCost: r.EstimatedPipeCost,
			OtherContributions: r.OtherContributions, OwnersTotal: r.OwnersTotal, OwnersParticipating: r.OwnersParticipating,
			OwnersApproving: r.OwnersApproving, AreaTotalM2: r.AreaTotal, AreaParticipatingM2: r.AreaParticipating,
			AreaApprovingM2: r.AreaApproving, AppliedOn: ledger.Civil(r.AppliedOn)},
		District: r.District, DistrictName: r.DistrictName, Status: r.Status, StatusOn: ledger.Civil(r.StatusOn), CreatedBy: r.CreatedBy,
	}
}

// ElevatorApplication returns an application with its status.
func (p *Programme) ElevatorApplication(ctx context.Context, code string) (ElevatorApplication, error) {
	var r elevatorRow
	err := p.db.GetContext(ctx, &r, elevatorSelect+` WHERE a.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return ElevatorApplication{}, fmt.Errorf("elevator application %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return ElevatorApplication{}, fmt.Errorf("elevator application %s: %w", code, err)
	}
	return r.application(), nil
}

// ElevatorApplications lists applications by district, project and code;
// district ("" all) is a code.
func (p *Programme) ElevatorApplications(ctx context.Context, district string) ([]ElevatorApplication, error) {
	var rows []elevatorRow
	if err := p.db.SelectContext(ctx, &rows, elevatorSelect+` WHERE ($1 = '' OR p.district = $1) ORDER BY p.district, a.project, a.code LIMIT 100000`, district); err != nil {
		return nil, fmt.Errorf("elevator applications: %w", err)
	}
	out := make([]ElevatorApplication, len(rows))
	for i, r := range rows {
		out[i] = r.application()
	}
	return out, nil
}

// elevatorEvent is a stored money event of an application.
type elevatorEvent struct {
	ID               int64           `db:"id"`
	Kind             string          `db:"kind"`
	On               time.Time       `db:"effective_on"`
	RuleSetID        int64           `db:"rule_set_id"`
	Cost             decimal.Decimal `db:"cost"`
	PipeCost         decimal.Decimal `db:"pipe_cost"`
	GrantTotal       decimal.Decimal `db:"grant_total"`
	ResidentsShare   decimal.Decimal `db:"residents_share"`
	Explanation      string          `db:"explanation"`
	EntryID          sql.NullInt64   `db:"entry_id"`
	FinancialEntryID sql.NullInt64   `db:"financial_entry_id"`
}

func elevatorEventOf(ctx context.Context, db sqlx.QueryerContext, app, kind string) (*elevatorEvent, error) {
	var ev elevatorEvent
	err := sqlx.GetContext(ctx, db, &ev, `
		SELECT id, kind, effective_on, coalesce(rule_set_id, 0) AS rule_set_id, coalesce(cost, 0) AS cost, coalesce(pipe_cost, 0) AS pipe_cost,
		       coalesce(grant_total, 0) AS grant_total, coalesce(residents_share, 0) AS residents_share, explanation::text AS explanation,
		       entry_id, financial_entry_id
		  FROM elevator_events WHERE application = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, app, kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ev.On = ledger.Civil(ev.On)
	return &ev, nil
}

// grantOf returns the stored outcome of a money event.
func (ev *elevatorEvent) grant(app string) (ElevatorGrant, error) {
	var g ElevatorGrant
	if err := json.Unmarshal([]byte(ev.Explanation), &g); err != nil {
		return g, fmt.Errorf("elevator application %s: event %d: %w", app, ev.ID, err)
	}
	g.EntryID, g.FinancialEntryID = ev.EntryID.Int64, ev.FinancialEntryID.Int64
	return g, nil
}

func elevatorGrantAccounts(district, project, app string) grantAccounts {
	return grantAccounts{kind: GrantElevator, ref: []string{district, project, app}}
}

// ApproveElevator checks the owners' consent under the rule set in force for
// the project's district on that date and, when given, commits the grant on
// the estimated cost and makes each household's share receivable. A consent
// below a threshold is recorded as a refusal and returned as ErrConsent.
// Approving an approved application again changes nothing.
func (p *Programme) ApproveElevator(ctx context.Context, code string, on time.Time, actor string) (ElevatorGrant, error) {
	what := fmt.Sprintf("approve elevator application %s", code)
	if on.IsZero() || actor == "" {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	app, err := p.ElevatorApplication(ctx, code)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	if prev, err := elevatorEventOf(ctx, p.db, code, ElevatorApproved); err != nil || prev != nil {
		if err != nil {
			return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
		}
		g, err := prev.grant(code)
		g.Unchanged = true
		return g, err
	}
	if on.Before(app.AppliedOn) {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: %s is before the application (%s)", ErrInvalid, what, on.Format(ledger.DateLayout), app.AppliedOn.Format(ledger.DateLayout))
	}
	stored, err := p.ruleSetFor(ctx, app.DistrictName, on, "elevator", func(rs *rules.RuleSet) bool { return rs.Elevator != nil })
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	consent, err := stored.set.Elevator.CheckConsent(app.consent())
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	if !consent.OK {
		// The refusal is recorded in the ledger's transaction, so that a dry
		// run (ledger.WithDryRun) rolls it back with the rest.
		expl, _ := json.Marshal(ElevatorGrant{Application: code, Event: ElevatorRefused, On: on, RuleSetID: stored.id, Consent: consent})
		err := p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO elevator_events (application, kind, effective_on, rule_set_id, explanation, actor, note)
			VALUES ($1, 'refused', $2, $3, $4, $5, $6)`, code, on.Format(ledger.DateLayout), stored.id, string(expl), actor, consent.String())
			return err
		})
		if err != nil && !errors.Is(err, ledger.ErrDryRun) {
			return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
		}
		return ElevatorGrant{}, fmt.Errorf("%w: %s under rule set %s %s (id %d): %s", ErrConsent, what, stored.set.Name, stored.set.Version, stored.id, consent)
	}
	g, err := computeElevator(app, stored.set, app.EstimatedCost, app.EstimatedPipeCost)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	g.Application, g.Event, g.On, g.RuleSetID, g.Consent = code, ElevatorApproved, on, stored.id, consent
	g.Deltas = sourceDeltas(nil, g.Grant.Totals)
	return p.recordElevatorEvent(ctx, app, g, nil, decimal.Zero, stored.set, actor)
}

// AcceptElevator records the acceptance (竣工验收) of the elevator with its
// final cost: the grant and the residents' shares are re-computed under the
// rule set version of the approval and the differences posted. Accepting
// again with the same final cost changes nothing.
func (p *Programme) AcceptElevator(ctx context.Context, code string, finalCost, finalPipeCost decimal.Decimal, on time.Time, actor string) (ElevatorGrant, error) {
	what := fmt.Sprintf("accept elevator application %s", code)
	if on.IsZero() || actor == "" {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	if err := checkMoneyInput(what+": final cost", finalCost, false); err != nil {
		return ElevatorGrant{}, err
	}
	if err := checkMoneyInput(what+": final pipe cost", finalPipeCost, true); err != nil {
		return ElevatorGrant{}, err
	}
	on = ledger.Civil(on)
	app, err := p.ElevatorApplication(ctx, code)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	approved, err := elevatorEventOf(ctx, p.db, code, ElevatorApproved)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	if approved == nil {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: the application is %s, not approved", ErrConditionNotMet, what, app.Status)
	}
	if prev, err := elevatorEventOf(ctx, p.db, code, ElevatorAccepted); err != nil || prev != nil {
		if err != nil {
			return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
		}
		if !prev.Cost.Equal(finalCost) || !prev.PipeCost.Equal(finalPipeCost) {
			return ElevatorGrant{}, fmt.Errorf("%w: %s: already accepted on %s with final cost %s and pipe cost %s",
				ErrExists, what, prev.On.Format(ledger.DateLayout), prev.Cost.StringFixed(2), prev.PipeCost.StringFixed(2))
		}
		g, err := prev.grant(code)
		g.Unchanged = true
		return g, err
	}
	if on.Before(approved.On) {
		return ElevatorGrant{}, fmt.Errorf("%w: %s: %s is before the approval (%s)", ErrInvalid, what, on.Format(ledger.DateLayout), approved.On.Format(ledger.DateLayout))
	}
	rs, _, err := p.RuleSet(ctx, approved.RuleSetID)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	before, err := approved.grant(code)
	if err != nil {
		return ElevatorGrant{}, err
	}
	g, err := computeElevator(app, rs, finalCost, finalPipeCost)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%s: %w", what, err)
	}
	g.Application, g.Event, g.On, g.RuleSetID, g.Consent = code, ElevatorAccepted, on, approved.RuleSetID, before.Consent
	g.Deltas = sourceDeltas(before.Grant.Totals, g.Grant.Totals)
	return p.recordElevatorEvent(ctx, app, g, before.Grant.Totals, before.ResidentsShare, rs, actor)
}

// computeElevator computes the grant and the residents' share on a cost.
func computeElevator(app ElevatorApplication, rs *rules.RuleSet, cost, pipe decimal.Decimal) (ElevatorGrant, error) {
	grant, err := rs.Elevator.ComputeGrant(rules.GrantInput{Elevators: app.Elevators, Cost: cost, PipeCost: pipe})
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	residents := cost.Add(pipe).Sub(grant.Total).Sub(app.OtherContributions)
	if residents.IsNegative() {
		return ElevatorGrant{}, fmt.Errorf("%w: cost %s + pipe cost %s − grant %s − other contributions %s is negative",
			ErrInvalid, cost.StringFixed(2), pipe.StringFixed(2), grant.Total.StringFixed(2), app.OtherContributions.StringFixed(2))
	}
	ap, err := rs.Elevator.Apportion(residents, app.HouseholdsPerFloor)
	if err != nil {
		return ElevatorGrant{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return ElevatorGrant{Cost: cost, PipeCost: pipe, Grant: grant, ResidentsShare: residents, Households: ap.Households}, nil
}

// recordElevatorEvent posts the commitment difference (budget book) and the
// residents' share difference (financial book) and stores the event, its
// grant shares and household shares, all in one transaction.
func (p *Programme) recordElevatorEvent(ctx context.Context, app ElevatorApplication, g ElevatorGrant, before []rules.SourceAmount,
	residentsBefore decimal.Decimal, rs *rules.RuleSet, actor string) (ElevatorGrant, error) {
	acc := elevatorGrantAccounts(app.District, app.Project, app.Code)
	dims := ledger.Dimensions{District: app.District, Project: app.Project, Category: rules.CategoryImprovement}
	if err := p.ensureGrantAccounts(ctx, acc, dims, "加装电梯补助 elevator grant "+app.Code, sourcesOf(before, g.Grant.Totals)); err != nil {
		return g, err
	}
	rd := ledger.Dimensions{District: app.District, Project: app.Project, Source: rules.SourceResidentDirect, Category: rules.CategoryImprovement}
	if err := p.ledger.CreateAccounts(ctx, []ledger.Account{
		{Code: residentsReceivable(app.District, app.Project, app.Code), Name: "加装电梯居民分摊 residents' share due " + app.Code, Type: ledger.Asset, Dimensions: rd},
		{Code: residentsRevenue(app.District, app.Project, app.Code), Name: "加装电梯居民出资 residents' share " + app.Code, Type: ledger.Revenue, Dimensions: rd},
		{Code: residentsCash(app.District, app.Project, app.Code), Name: "加装电梯居民缴款 contributions received " + app.Code, Type: ledger.Asset, NoOverdraft: true, Dimensions: rd},
	}, "fundledger"); err != nil {
		return g, fmt.Errorf("elevator application %s: accounts: %w", app.Code, err)
	}
	g.ResidentsBefore = residentsBefore
	meta := map[string]string{"kind": "elevator_grant", "event": g.Event, "application": app.Code, "project": app.Project,
		"district": app.District, "rule_set_id": strconv.FormatInt(g.RuleSetID, 10), "rule_set": rs.Name, "rule_set_version": rs.Version,
		"rule_set_hash": rs.Hash(), "cost": g.Cost.StringFixed(2), "pipe_cost": g.PipeCost.StringFixed(2)}
	key := "elevator:" + app.Code + ":" + g.Event
	var entries []ledger.Entry
	budget := commitmentEntry(acc, before, g.Grant.Totals, g.On, key+"/budget",
		autoMemo(meta, MemoElevatorGrant, "加装电梯补助：%s %s，补助 %s 元", txtArg(app.Code), elevatorEventArg(g.Event), txtArg(g.Grant.Total.StringFixed(2))), actor, meta)
	if budget != nil {
		entries = append(entries, *budget)
	}
	if diff := g.ResidentsShare.Sub(residentsBefore); !diff.IsZero() {
		recv, rev := residentsReceivable(app.District, app.Project, app.Code), residentsRevenue(app.District, app.Project, app.Code)
		dr, cr := recv, rev
		if diff.IsNegative() {
			dr, cr, diff = rev, recv, diff.Neg()
		}
		shareMeta := maps.Clone(meta)
		entries = append(entries, ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: g.On, IdempotencyKey: key + "/financial", Actor: actor, Metadata: shareMeta,
			Memo: autoMemo(shareMeta, MemoElevatorResidentsShare, "加装电梯居民分摊：%s %s，居民分摊 %s 元", txtArg(app.Code), elevatorEventArg(g.Event),
				txtArg(g.ResidentsShare.StringFixed(2))),
			Postings: []ledger.Posting{{AccountCode: dr, Side: ledger.Debit, Amount: diff}, {AccountCode: cr, Side: ledger.Credit, Amount: diff}}})
	}
	expl, err := json.Marshal(g)
	if err != nil {
		return g, err
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		// One event of an application at a time.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM elevator_applications WHERE code = $1 FOR UPDATE`, app.Code); err != nil {
			return err
		}
		if ev, err := elevatorEventOf(ctx, tx, app.Code, g.Event); err != nil || ev != nil {
			if err == nil {
				err = fmt.Errorf("%w: elevator application %s was %s meanwhile; look again", ErrStatus, app.Code, g.Event)
			}
			return err
		}
		var budgetID, finID any
		if len(entries) > 0 {
			out, err := ledger.PostInTx(ctx, tx, entries)
			if err != nil {
				return err
			}
			for _, e := range out {
				if e.Book == ledger.BookBudget {
					g.EntryID, budgetID = e.ID, e.ID
				} else {
					g.FinancialEntryID, finID = e.ID, e.ID
				}
			}
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO elevator_events (application, kind, effective_on, rule_set_id, cost, pipe_cost, grant_total, residents_share,
			       explanation, entry_id, financial_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			app.Code, g.Event, g.On.Format(ledger.DateLayout), g.RuleSetID, g.Cost.StringFixed(2), g.PipeCost.StringFixed(2),
			g.Grant.Total.StringFixed(2), g.ResidentsShare.StringFixed(2), string(expl), budgetID, finID, actor); err != nil {
			return err
		}
		for part, shares := range map[string][]rules.SourceAmount{"grant": g.Grant.Shares, "pipe_relocation": g.Grant.ExtraShares} {
			for _, s := range shares {
				if _, err := tx.ExecContext(ctx, `INSERT INTO elevator_grant_shares (event_id, part, source, amount) VALUES ($1, $2, $3, $4)`,
					id, part, s.Source, s.Amount.StringFixed(2)); err != nil {
					return err
				}
			}
		}
		hh, fl, coef, amt := make([]string, len(g.Households)), make([]int64, len(g.Households)), make([]string, len(g.Households)), make([]string, len(g.Households))
		for i, h := range g.Households {
			hh[i], fl[i], coef[i], amt[i] = h.Household, int64(h.Floor), h.Coefficient.String(), h.Amount.StringFixed(2)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO elevator_household_shares (event_id, household, floor, coefficient, amount)
			SELECT $1, h, f, c::numeric, a::numeric FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS u(h, f, c, a)`,
			id, pq.Array(hh), pq.Array(fl), pq.Array(coef), pq.Array(amt))
		return err
	})
	if err != nil {
		return g, fmt.Errorf("elevator application %s: %s: %w", app.Code, g.Event, err)
	}
	return g, nil
}

// ElevatorPaymentRequest pays an accepted elevator's grant.
type ElevatorPaymentRequest struct {
	Application string    `json:"application" validate:"required"`
	PaidOn      time.Time `json:"paid_on" validate:"required"`
	Payee       string    `json:"payee" validate:"required,max=200"`
	BankAccount string    `json:"bank_account" validate:"required"`
	Reference   string    `json:"reference" validate:"max=200"`
	Actor       string    `json:"actor" validate:"required"`
}

// GrantPayment is what paying a grant posted.
type GrantPayment struct {
	Amounts          []rules.SourceAmount `json:"amounts"`
	Total            decimal.Decimal      `json:"total"`
	EntryID          int64                `json:"entry_id"`
	FinancialEntryID int64                `json:"financial_entry_id"`
	Replayed         bool                 `json:"replayed,omitempty"`
}

// PayElevatorGrant pays the grant as re-computed at acceptance, per
// source. It is refused (ErrConditionNotMet) before the elevator's
// acceptance (竣工验收) or dated before it. Paying again changes nothing.
func (p *Programme) PayElevatorGrant(ctx context.Context, r ElevatorPaymentRequest) (GrantPayment, error) {
	what := fmt.Sprintf("pay elevator grant %s", r.Application)
	if err := checkInput(what, r); err != nil {
		return GrantPayment{}, err
	}
	on := ledger.Civil(r.PaidOn)
	app, err := p.ElevatorApplication(ctx, r.Application)
	if err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if paid, err := elevatorEventOf(ctx, p.db, app.Code, ElevatorPaid); err != nil || paid != nil {
		if err != nil {
			return GrantPayment{}, err
		}
		g, err := paid.grant(app.Code)
		return GrantPayment{Amounts: g.Grant.Totals, Total: g.Grant.Total, EntryID: g.EntryID, FinancialEntryID: g.FinancialEntryID, Replayed: true}, err
	}
	accepted, err := elevatorEventOf(ctx, p.db, app.Code, ElevatorAccepted)
	if err != nil {
		return GrantPayment{}, err
	}
	if accepted == nil {
		return GrantPayment{}, fmt.Errorf("%w: %s: the grant is paid only after acceptance (竣工验收) of the elevator; the application is %s",
			ErrConditionNotMet, what, app.Status)
	}
	if on.Before(accepted.On) {
		return GrantPayment{}, fmt.Errorf("%w: %s: %s is before the acceptance on %s", ErrConditionNotMet, what, on.Format(ledger.DateLayout), accepted.On.Format(ledger.DateLayout))
	}
	if err := p.lookups().bankFor(ctx, r.BankAccount, app.District, app.DistrictName, "project "+app.Project); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	g, err := accepted.grant(app.Code)
	if err != nil {
		return GrantPayment{}, err
	}
	acc := elevatorGrantAccounts(app.District, app.Project, app.Code)
	meta := map[string]string{"kind": "elevator_grant", "event": ElevatorPaid, "application": app.Code, "project": app.Project,
		"district": app.District, "payee": r.Payee, "bank_account": r.BankAccount, "reference": r.Reference}
	entries := paymentEntries(acc, g.Grant.Totals, on, "elevator:"+app.Code+":paid",
		autoMemo(meta, MemoElevatorGrantPayment, "拨付加装电梯补助：%s 付给%s", txtArg(app.Code), txtArg(r.Payee)), r.Actor, meta)
	pay := GrantPayment{Amounts: g.Grant.Totals, Total: g.Grant.Total}
	g.Event, g.On = ElevatorPaid, on
	expl, err := json.Marshal(g)
	if err != nil {
		return pay, err
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM elevator_applications WHERE code = $1 FOR UPDATE`, app.Code); err != nil {
			return err
		}
		var budgetID, finID any
		if len(entries) > 0 {
			out, err := ledger.PostInTx(ctx, tx, entries)
			if err != nil {
				return err
			}
			pay.EntryID, pay.FinancialEntryID = out[0].ID, out[1].ID
			budgetID, finID = out[0].ID, out[1].ID
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO elevator_events (application, kind, effective_on, rule_set_id, cost, pipe_cost, grant_total, residents_share,
			       explanation, entry_id, financial_entry_id, actor, note)
			VALUES ($1, 'paid', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			app.Code, on.Format(ledger.DateLayout), accepted.RuleSetID, accepted.Cost.StringFixed(2), accepted.PipeCost.StringFixed(2),
			accepted.GrantTotal.StringFixed(2), accepted.ResidentsShare.StringFixed(2), string(expl), budgetID, finID, r.Actor,
			"paid to "+r.Payee)
		return err
	})
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	return pay, nil
}

// ContributionRequest records a household's payment of its share.
type ContributionRequest struct {
	Application    string          `json:"application" validate:"required"`
	Household      string          `json:"household" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	ReceivedOn     time.Time       `json:"received_on" validate:"required"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// HouseholdPosition is a household's share, what it paid and what it owes
// (negative: a refund is due, after a lower final cost).
type HouseholdPosition struct {
	Household   string          `db:"household" json:"household"`
	Floor       int             `db:"floor" json:"floor"`
	Coefficient decimal.Decimal `db:"coefficient" json:"coefficient"`
	Share       decimal.Decimal `db:"share" json:"share"`
	Paid        decimal.Decimal `db:"paid" json:"paid"`
	Outstanding decimal.Decimal `db:"outstanding" json:"outstanding"`
}

const householdPositions = `
	WITH ev AS (SELECT id FROM elevator_events WHERE application = $1 AND kind IN ('approved', 'accepted') ORDER BY id DESC LIMIT 1),
	     paid AS (SELECT household, sum(amount) AS paid FROM elevator_contributions WHERE application = $1 GROUP BY household)
	SELECT s.household, s.floor, s.coefficient, s.amount AS share, coalesce(p.paid, 0) AS paid, s.amount - coalesce(p.paid, 0) AS outstanding
	  FROM ev JOIN elevator_household_shares s ON s.event_id = ev.id LEFT JOIN paid p ON p.household = s.household`

// ElevatorHouseholds lists each household's share as last computed, paid and
// outstanding, by floor and household.
func (p *Programme) ElevatorHouseholds(ctx context.Context, app string) ([]HouseholdPosition, error) {
	var out []HouseholdPosition
	if err := p.db.SelectContext(ctx, &out, householdPositions+` ORDER BY s.floor, s.household`, app); err != nil {
		return nil, fmt.Errorf("households of elevator application %s: %w", app, err)
	}
	return out, nil
}

// ReceiveContribution records money from a household toward its share:
// financial Dr grant:cash:residents / Cr grant:receivable:residents. More
// than the household still owes is refused. The same key again changes nothing.
func (p *Programme) ReceiveContribution(ctx context.Context, r ContributionRequest) (Movement, error) {
	what := fmt.Sprintf("contribution %q of household %s to elevator %s", r.IdempotencyKey, r.Household, r.Application)
	if err := checkInput(what, r); err != nil {
		return Movement{}, err
	}
	if err := checkMoneyInput(what, r.Amount, false); err != nil {
		return Movement{}, err
	}
	app, err := p.ElevatorApplication(ctx, r.Application)
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.ReceivedOn)
	meta := map[string]string{"kind": "elevator_contribution", "application": app.Code, "household": r.Household,
		"project": app.Project, "district": app.District}
	entry := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, IdempotencyKey: "elevator-contribution:" + r.IdempotencyKey, Actor: r.Actor,
		Memo:     autoMemo(meta, MemoElevatorHousehold, "加装电梯居民缴款：住户 %s 为 %s 缴款", txtArg(r.Household), txtArg(app.Code)),
		Metadata: meta,
		Postings: []ledger.Posting{
			{AccountCode: residentsCash(app.District, app.Project, app.Code), Side: ledger.Debit, Amount: r.Amount},
			{AccountCode: residentsReceivable(app.District, app.Project, app.Code), Side: ledger.Credit, Amount: r.Amount}}}
	var m Movement
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM elevator_applications WHERE code = $1 FOR UPDATE`, app.Code); err != nil {
			return err
		}
		var done struct {
			Household string          `db:"household"`
			Amount    decimal.Decimal `db:"amount"`
			EntryID   int64           `db:"entry_id"`
		}
		err := tx.GetContext(ctx, &done, `SELECT household, amount, entry_id FROM elevator_contributions WHERE idempotency_key = $1`, r.IdempotencyKey)
		if err == nil {
			if done.Household != r.Household || !done.Amount.Equal(r.Amount) {
				return fmt.Errorf("%w: %s: the key was used for household %s, %s", ledger.ErrIdempotencyConflict, what, done.Household, done.Amount.StringFixed(2))
			}
			m = Movement{FinancialEntry: done.EntryID, Replayed: true}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var pos []HouseholdPosition
		if err := sqlx.SelectContext(ctx, tx, &pos, householdPositions+` WHERE s.household = $2`, app.Code, r.Household); err != nil {
			return err
		}
		if len(pos) == 0 {
			return fmt.Errorf("%w: %s: no share for that household (the application is %s)", ErrNotFound, what, app.Status)
		}
		if r.Amount.GreaterThan(pos[0].Outstanding) {
			return fmt.Errorf("%w: %s: %s is more than the %s the household still owes (share %s, paid %s)", ErrExceedsCommitment, what,
				r.Amount.StringFixed(2), pos[0].Outstanding.StringFixed(2), pos[0].Share.StringFixed(2), pos[0].Paid.StringFixed(2))
		}
		out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{entry})
		if err != nil {
			return err
		}
		m.FinancialEntry = out[0].ID
		_, err = tx.ExecContext(ctx, `INSERT INTO elevator_contributions (application, household, amount, received_on, idempotency_key, entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, app.Code, r.Household, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.IdempotencyKey, out[0].ID, r.Actor)
		return err
	})
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

// elevatorEventArg is an elevator grant's event as a memo argument: the
// event's code, written in Chinese in the Chinese memo.
func elevatorEventArg(event string) memoArg {
	zh := map[string]string{ElevatorApproved: "批准", ElevatorAccepted: "验收", ElevatorPaid: "拨付", ElevatorApplied: "申请", ElevatorRefused: "不予批准"}[event]
	if zh == "" {
		zh = event
	}
	return memoArg{ledger.MemoArgText + event, zh}
}
