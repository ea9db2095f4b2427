package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// 以奖代补 for utility facilities: each facility of a project (power, water,
// gas, heating, telecom, cable TV) has an owner. Owned by the utility → the
// utility funds the works itself: its contribution (the facility's cost) is
// committed under source utility:<kind>. Not owned by the utility → the
// utility still funds the works, and the rule set's award (utility_award:)
// is committed from the award source (the district) to the utility; once
// the project is completed the ownership transfers to the utility
// (recorded with its date), and only then may the award be paid.
//
// Property-management rewards: a score per project and period gives a
// reward by the rule set's table (property_rewards:), committed from its
// source.

// Facility kinds and their utility source.
var facilityKinds = map[string]string{
	"power": rules.SourcePower, "water": rules.SourceWater, "gas": rules.SourceGas,
	"heating": rules.SourceHeating, "telecom": rules.SourceTelecom, "cabletv": rules.SourceCableTV,
}

// FacilityInput registers a utility facility to renovate.
type FacilityInput struct {
	Code           string          `json:"code" validate:"required,max=64"`
	Project        string          `json:"project" validate:"required"`
	Kind           string          `json:"kind" validate:"required,oneof=power water gas heating telecom cabletv"`
	Description    string          `json:"description" validate:"max=500"`
	Cost           decimal.Decimal `json:"cost"`                                // approved cost of the works
	Utility        string          `json:"utility" validate:"required,max=200"` // the utility company
	Owner          string          `json:"owner" validate:"required,max=200"`   // who owns the facility now
	OwnedByUtility bool            `json:"owned_by_utility"`
	RegisteredOn   time.Time       `json:"registered_on" validate:"required"`
}

// Facility is a registered facility, its current owner and its money.
type Facility struct {
	Code           string          `db:"code" json:"code"`
	Project        string          `db:"project" json:"project"`
	District       string          `db:"district" json:"district"`
	Kind           string          `db:"kind" json:"kind"`
	Description    string          `db:"description" json:"description"`
	Cost           decimal.Decimal `db:"cost" json:"cost"`
	Utility        string          `db:"utility" json:"utility"`
	RegisteredOn   time.Time       `db:"registered_on" json:"registered_on"`
	Owner          string          `db:"owner" json:"owner"`
	OwnedByUtility bool            `db:"owned_by_utility" json:"owned_by_utility"`
	OwnerSince     time.Time       `db:"owner_since" json:"owner_since"`
	Committed      bool            `db:"committed" json:"committed"`
	Award          decimal.Decimal `db:"award" json:"award"`
	Contribution   decimal.Decimal `db:"contribution" json:"contribution"`
	AwardPaid      bool            `db:"award_paid" json:"award_paid"`
}

const facilitySelect = `
	SELECT f.code, f.project, p.district, f.kind, f.description, f.cost, f.utility, f.registered_on,
	       o.owner, o.owned_by_utility, o.effective_on AS owner_since,
	       c.id IS NOT NULL AS committed, coalesce(c.award, 0) AS award, coalesce(c.contribution, 0) AS contribution,
	       EXISTS (SELECT 1 FROM utility_facility_events x WHERE x.facility = f.code AND x.kind = 'paid') AS award_paid
	  FROM utility_facilities f JOIN projects p ON p.code = f.project
	  JOIN LATERAL (SELECT owner, owned_by_utility, effective_on FROM utility_facility_events e
	                 WHERE e.facility = f.code AND e.kind IN ('owner', 'transferred') ORDER BY e.id DESC LIMIT 1) o ON true
	  LEFT JOIN utility_facility_events c ON c.facility = f.code AND c.kind = 'committed'`

// RegisterFacility records a facility and its owner. Registering the same
// facility again changes nothing.
func (p *Programme) RegisterFacility(ctx context.Context, in FacilityInput, actor string) (Facility, error) {
	fs, err := p.RegisterFacilities(ctx, []FacilityInput{in}, actor)
	if err != nil {
		return Facility{}, single(err)
	}
	return fs[0], nil
}

// RegisterFacilities records a batch of facilities, all or nothing: every
// facility is checked first and every refusal listed (ItemErrors); then
// all are stored in one transaction. Facilities already registered with
// the same data change nothing.
func (p *Programme) RegisterFacilities(ctx context.Context, ins []FacilityInput, actor string) ([]Facility, error) {
	exists := make([]bool, len(ins))
	err := inBatch(ctx, p, "register utility facilities", ins, func(in FacilityInput) string { return in.Code },
		func(i int, in FacilityInput) error {
			what := fmt.Sprintf("utility facility %s", in.Code)
			if err := checkInput(what, in); err != nil {
				return err
			}
			if err := checkMoneyInput(what+": cost", in.Cost, false); err != nil {
				return err
			}
			if _, err := p.Project(ctx, in.Project); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			f, err := p.Facility(ctx, in.Code)
			switch {
			case err == nil && !sameFacility(f, in):
				return fmt.Errorf("%w: %s: a facility with this code is registered with other data", ErrExists, what)
			case err == nil:
				exists[i] = true
			case !errors.Is(err, ErrNotFound):
				return err
			}
			return nil
		},
		func(tx *sqlx.Tx, i int, in FacilityInput) error {
			if exists[i] {
				return nil
			}
			what := fmt.Sprintf("utility facility %s", in.Code)
			on := ledger.Civil(in.RegisteredOn).Format(ledger.DateLayout)
			res, err := tx.ExecContext(ctx, `INSERT INTO utility_facilities (code, project, kind, description, cost, utility, registered_on, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING`,
				in.Code, in.Project, in.Kind, in.Description, in.Cost.StringFixed(2), in.Utility, on, actor)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: %s: registered meanwhile by someone else; try again", ErrExists, what)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, owner, owned_by_utility, effective_on, actor, note)
				VALUES ($1, 'owner', $2, $3, $4, $5, 'registered')`, in.Code, in.Owner, in.OwnedByUtility, on, actor)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]Facility, len(ins))
	for i, in := range ins {
		if out[i], err = p.Facility(ctx, in.Code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameFacility(f Facility, in FacilityInput) bool {
	return f.Project == in.Project && f.Kind == in.Kind && f.Cost.Equal(in.Cost) && f.Utility == in.Utility && f.Description == in.Description
}

// Facility returns a facility with its current owner.
func (p *Programme) Facility(ctx context.Context, code string) (Facility, error) {
	var f Facility
	err := p.db.GetContext(ctx, &f, facilitySelect+` WHERE f.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("utility facility %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("utility facility %s: %w", code, err)
	}
	f.RegisteredOn, f.OwnerSince = ledger.Civil(f.RegisteredOn), ledger.Civil(f.OwnerSince)
	return f, nil
}

// Facilities lists the facilities of a project ("" all), by project and code.
func (p *Programme) Facilities(ctx context.Context, project string) ([]Facility, error) {
	var out []Facility
	if err := p.db.SelectContext(ctx, &out, facilitySelect+` WHERE ($1 = '' OR f.project = $1) ORDER BY f.project, f.code LIMIT 100000`, project); err != nil {
		return nil, fmt.Errorf("utility facilities: %w", err)
	}
	for i := range out {
		out[i].RegisteredOn, out[i].OwnerSince = ledger.Civil(out[i].RegisteredOn), ledger.Civil(out[i].OwnerSince)
	}
	return out, nil
}

// FacilityCommitment is what committing a facility's money posted.
type FacilityCommitment struct {
	Facility     string          `json:"facility"`
	Award        decimal.Decimal `json:"award"`
	AwardSource  string          `json:"award_source,omitempty"`
	Contribution decimal.Decimal `json:"contribution"`
	Utility      string          `json:"utility_source"`
	Explanation  string          `json:"explanation"`
	RuleSetID    int64           `json:"rule_set_id,omitempty"`
	EntryID      int64           `json:"entry_id"`
	Unchanged    bool            `json:"unchanged,omitempty"`
}

func facilityAccounts(kind string, f Facility) grantAccounts {
	return grantAccounts{kind: kind, ref: []string{f.District, f.Project, f.Code}}
}

// CommitFacility commits a facility's money by its owner on that date: the
// utility's contribution (the cost), and when the utility does not own the
// facility, the award computed by the rule set in force. Once only.
func (p *Programme) CommitFacility(ctx context.Context, code string, on time.Time, actor string) (FacilityCommitment, error) {
	what := fmt.Sprintf("commit utility facility %s", code)
	if on.IsZero() || actor == "" {
		return FacilityCommitment{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return FacilityCommitment{}, err
	}
	utilSrc := facilityKinds[f.Kind]
	c := FacilityCommitment{Facility: code, Contribution: f.Cost, Utility: utilSrc}
	if f.Committed {
		c.Award, c.Contribution, c.Unchanged = f.Award, f.Contribution, true
		return c, nil
	}
	pr, err := p.Project(ctx, f.Project)
	if err != nil {
		return c, err
	}
	var rsID any
	c.Explanation = fmt.Sprintf("owned by the utility (%s): the utility funds the works, %s", f.Owner, f.Cost.StringFixed(2))
	if !f.OwnedByUtility {
		stored, err := p.ruleSetFor(ctx, pr.DistrictName, on, "utility_award", func(rs *rules.RuleSet) bool { return rs.UtilityAward != nil })
		if err != nil {
			return c, fmt.Errorf("%s: %w", what, err)
		}
		a, err := stored.set.UtilityAward.Award(f.Cost)
		if err != nil {
			return c, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
		}
		c.Award, c.AwardSource, c.RuleSetID, rsID = a.Amount, a.Source, stored.id, stored.id
		c.Explanation = fmt.Sprintf("owned by %s, not the utility: the utility funds the works (%s) and gets the award %s from %s (rule set %s %s)",
			f.Owner, f.Cost.StringFixed(2), a.Step, a.Source, stored.set.Name, stored.set.Version)
	}
	dims := ledger.Dimensions{District: f.District, Project: f.Project, Category: rules.CategoryBasic}
	contrib := facilityAccounts(GrantContribution, f)
	if err := p.ensureGrantAccounts(ctx, contrib, dims, "专营设施出资 utility contribution "+code, []string{utilSrc}); err != nil {
		return c, err
	}
	meta := map[string]string{"kind": "utility_facility", "facility": code, "project": f.Project, "district": f.District, "owner": f.Owner}
	e := commitmentEntry(contrib, nil, []rules.SourceAmount{{Source: utilSrc, Amount: f.Cost}}, on, "facility:"+code+":committed",
		fmt.Sprintf("专营设施 utility facility %s: contribution %s, 以奖代补 award %s", code, f.Cost.StringFixed(2), c.Award.StringFixed(2)), actor, meta)
	if c.Award.IsPositive() {
		award := facilityAccounts(GrantAward, f)
		if err := p.ensureGrantAccounts(ctx, award, dims, "以奖代补 award "+code, []string{c.AwardSource}); err != nil {
			return c, err
		}
		if a := commitmentEntry(award, nil, []rules.SourceAmount{{Source: c.AwardSource, Amount: c.Award}}, on, "x", "", actor, nil); a != nil {
			e.Postings = append(e.Postings, a.Postings...)
		}
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{*e})
		if err != nil {
			return err
		}
		c.EntryID = out[0].ID
		_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, rule_set_id, award, contribution, explanation, entry_id, actor)
			VALUES ($1, 'committed', $2, $3, $4, $5, $6, $7, $8)`, code, on.Format(ledger.DateLayout), rsID, c.Award.StringFixed(2),
			c.Contribution.StringFixed(2), c.Explanation, c.EntryID, actor)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("%s: %w", what, err)
	}
	return c, nil
}

// TransferOwnership records that the facility passed to the utility on
// that date. Refused before the project is completed and when the utility
// owns it already.
func (p *Programme) TransferOwnership(ctx context.Context, code, newOwner string, on time.Time, actor, note string) (Facility, error) {
	what := fmt.Sprintf("transfer utility facility %s", code)
	if on.IsZero() || actor == "" || newOwner == "" {
		return Facility{}, fmt.Errorf("%w: %s: new owner, date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return f, err
	}
	if f.OwnedByUtility {
		return f, fmt.Errorf("%w: %s: already owned by the utility (%s since %s)", ErrStatus, what, f.Owner, f.OwnerSince.Format(ledger.DateLayout))
	}
	pr, err := p.Project(ctx, f.Project)
	if err != nil {
		return f, err
	}
	if !StatusReached(pr.Status, StatusCompleted) || on.Before(pr.StatusOn) && pr.Status == StatusCompleted {
		return f, fmt.Errorf("%w: %s: ownership passes to the utility on completion; project %s is %s (since %s)",
			ErrConditionNotMet, what, pr.Code, pr.Status, pr.StatusOn.Format(ledger.DateLayout))
	}
	if on.Before(f.OwnerSince) {
		return f, fmt.Errorf("%w: %s: %s is before the current ownership (since %s)", ErrInvalid, what, on.Format(ledger.DateLayout), f.OwnerSince.Format(ledger.DateLayout))
	}
	if _, err := p.db.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, owner, owned_by_utility, effective_on, actor, note)
		VALUES ($1, 'transferred', $2, true, $3, $4, $5)`, code, newOwner, on.Format(ledger.DateLayout), actor, note); err != nil {
		return f, fmt.Errorf("%s: %w", what, err)
	}
	return p.Facility(ctx, code)
}

// PayAward pays a facility's award to the utility, once the ownership has
// passed to it (ErrConditionNotMet before). Paying again changes nothing.
func (p *Programme) PayAward(ctx context.Context, code string, on time.Time, bankAccount, reference, actor string) (GrantPayment, error) {
	what := fmt.Sprintf("pay the award of utility facility %s", code)
	on = ledger.Civil(on)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return GrantPayment{}, err
	}
	if !f.Committed || !f.Award.IsPositive() {
		return GrantPayment{}, fmt.Errorf("%w: %s: no award committed", ErrConditionNotMet, what)
	}
	var transferred struct {
		On time.Time `db:"effective_on"`
	}
	err = p.db.GetContext(ctx, &transferred, `SELECT effective_on FROM utility_facility_events WHERE facility = $1 AND kind = 'transferred'`, code)
	if errors.Is(err, sql.ErrNoRows) || err == nil && on.Before(ledger.Civil(transferred.On)) {
		return GrantPayment{}, fmt.Errorf("%w: %s: the award is paid once the facility's ownership has passed to the utility", ErrConditionNotMet, what)
	}
	if err != nil {
		return GrantPayment{}, err
	}
	if err := p.lookups().bank(ctx, bankAccount); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	var src string
	// starts_with, not LIKE: codes contain "_", a LIKE wildcard.
	if err := p.db.GetContext(ctx, &src, `SELECT coalesce(source, '') FROM accounts WHERE starts_with(code, $1) LIMIT 1`,
		"budget:grant:committed:award:"+f.District+":"+f.Project+":"+code+":"); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	amounts := []rules.SourceAmount{{Source: src, Amount: f.Award}}
	pay := GrantPayment{Amounts: amounts, Total: f.Award}
	entries := paymentEntries(facilityAccounts(GrantAward, f), amounts, on, "facility:"+code+":paid",
		fmt.Sprintf("拨付以奖代补 award for %s paid to %s", code, f.Utility), actor,
		map[string]string{"kind": "utility_award", "facility": code, "project": f.Project, "district": f.District, "bank_account": bankAccount, "reference": reference})
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		pay.EntryID, pay.FinancialEntryID, pay.Replayed = out[0].ID, out[1].ID, out[0].Replayed
		if pay.Replayed {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, award, entry_id, financial_entry_id, actor)
			VALUES ($1, 'paid', $2, $3, $4, $5, $6)`, code, on.Format(ledger.DateLayout), f.Award.StringFixed(2), pay.EntryID, pay.FinancialEntryID, actor)
		return err
	})
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	return pay, nil
}

// PropertyScoreInput is a property-management assessment of a project.
type PropertyScoreInput struct {
	Project   string          `json:"project" validate:"required"`
	Period    string          `json:"period" validate:"required,max=7"` // 2021, 2021-H1, 2021-Q3, 2021-07
	Score     decimal.Decimal `json:"score"`
	Evaluator string          `json:"evaluator" validate:"max=200"`
	ScoredOn  time.Time       `json:"scored_on" validate:"required"`
}

// PropertyReward is a scored period and its reward.
type PropertyReward struct {
	Project     string          `db:"project" json:"project"`
	Period      string          `db:"period" json:"period"`
	Score       decimal.Decimal `db:"score" json:"score"`
	Reward      decimal.Decimal `db:"reward" json:"reward"`
	Source      string          `db:"source" json:"source"`
	Explanation string          `db:"explanation" json:"explanation"`
	RuleSetID   int64           `db:"rule_set_id" json:"rule_set_id"`
	EntryID     sql.NullInt64   `db:"entry_id" json:"-"`
	Unchanged   bool            `db:"-" json:"unchanged,omitempty"`
}

// ScoreProperty records a project's property-management score for a period
// and commits the reward the rule set in force gives for it (budget book:
// Dr budget:grant:receivable:reward:D:P:PERIOD:S / Cr …committed…). One
// score per project and period: the same again changes nothing, another is
// ErrExists.
func (p *Programme) ScoreProperty(ctx context.Context, in PropertyScoreInput, actor string) (PropertyReward, error) {
	what := fmt.Sprintf("property score of %s for %s", in.Project, in.Period)
	if err := checkInput(what, in); err != nil {
		return PropertyReward{}, err
	}
	if err := checkScore(what, in.Score); err != nil {
		return PropertyReward{}, err
	}
	var prev PropertyReward
	err := p.db.GetContext(ctx, &prev, `SELECT project, period, score, reward, source, explanation, rule_set_id, entry_id FROM property_scores
		WHERE project = $1 AND period = $2`, in.Project, in.Period)
	if err == nil {
		if !prev.Score.Equal(in.Score) {
			return prev, fmt.Errorf("%w: %s: already scored %s", ErrExists, what, prev.Score)
		}
		prev.Unchanged = true
		return prev, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return prev, fmt.Errorf("%s: %w", what, err)
	}
	pr, err := p.Project(ctx, in.Project)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(in.ScoredOn)
	stored, err := p.ruleSetFor(ctx, pr.DistrictName, on, "property_rewards", func(rs *rules.RuleSet) bool { return rs.PropertyRewards != nil })
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	amount, _, step, err := stored.set.PropertyRewards.Reward(in.Score)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	r := PropertyReward{Project: pr.Code, Period: in.Period, Score: in.Score, Reward: amount, Source: stored.set.PropertyRewards.Source,
		Explanation: step, RuleSetID: stored.id}
	acc := grantAccounts{kind: GrantReward, ref: []string{pr.District, pr.Code, in.Period}}
	var entries []ledger.Entry
	if amount.IsPositive() {
		if err := p.ensureGrantAccounts(ctx, acc, ledger.Dimensions{District: pr.District, Project: pr.Code}, "物业考核奖励 property reward "+in.Period,
			[]string{r.Source}); err != nil {
			return r, err
		}
		e := commitmentEntry(acc, nil, []rules.SourceAmount{{Source: r.Source, Amount: amount}}, on, "reward:"+pr.Code+":"+in.Period,
			fmt.Sprintf("物业服务考核奖励 property reward %s %s: score %s → %s", pr.Code, in.Period, in.Score, amount.StringFixed(2)), actor,
			map[string]string{"kind": "property_reward", "project": pr.Code, "district": pr.District, "period": in.Period, "score": in.Score.String(),
				"rule_set_id": strconv.FormatInt(stored.id, 10)})
		entries = append(entries, *e)
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var entryID any
		if len(entries) > 0 {
			out, err := ledger.PostInTx(ctx, tx, entries)
			if err != nil {
				return err
			}
			entryID, r.EntryID = out[0].ID, sql.NullInt64{Int64: out[0].ID, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO property_scores (project, period, score, evaluator, scored_on, rule_set_id, source, reward, explanation, entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, pr.Code, in.Period, in.Score.String(), in.Evaluator, on.Format(ledger.DateLayout),
			stored.id, r.Source, amount.StringFixed(2), step, entryID, actor)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// PayReward pays a property-management reward that ScoreProperty committed
// (budget book: Dr paid / Cr receivable; financial book: the source's money
// in and out to the property-service company). It is paid once: the same
// request again changes nothing, and the receivable — a no-overdraft
// account — cannot be paid twice under another key.
func (p *Programme) PayReward(ctx context.Context, project, period string, on time.Time, bankAccount, reference, actor string) (GrantPayment, error) {
	what := fmt.Sprintf("pay the property reward of %s for %s", project, period)
	on = ledger.Civil(on)
	var r PropertyReward
	err := p.db.GetContext(ctx, &r, `SELECT project, period, score, reward, source, explanation, rule_set_id, entry_id FROM property_scores
		WHERE project = $1 AND period = $2`, project, period)
	if errors.Is(err, sql.ErrNoRows) {
		return GrantPayment{}, fmt.Errorf("%s: no score recorded: %w", what, ErrNotFound)
	}
	if err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if !r.Reward.IsPositive() {
		return GrantPayment{}, fmt.Errorf("%w: %s: a score of %s earns no reward", ErrConditionNotMet, what, r.Score)
	}
	pr, err := p.Project(ctx, project)
	if err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.lookups().bank(ctx, bankAccount); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	amounts := []rules.SourceAmount{{Source: r.Source, Amount: r.Reward}}
	pay := GrantPayment{Amounts: amounts, Total: r.Reward}
	acc := grantAccounts{kind: GrantReward, ref: []string{pr.District, pr.Code, period}}
	entries := paymentEntries(acc, amounts, on, "reward:"+pr.Code+":"+period+":paid",
		fmt.Sprintf("拨付物业考核奖励 property reward %s %s paid", pr.Code, period), actor,
		map[string]string{"kind": "property_reward_payment", "project": pr.Code, "district": pr.District, "period": period,
			"bank_account": bankAccount, "reference": reference})
	out, err := p.ledger.PostBatch(ctx, entries)
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	pay.EntryID, pay.FinancialEntryID, pay.Replayed = out[0].ID, out[1].ID, out[0].Replayed
	return pay, nil
}
