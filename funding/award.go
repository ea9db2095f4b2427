package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
// The steps come in this order, by sequence and by date (each dated no
// earlier than the one before; ErrOutOfOrder otherwise, naming the step and
// both dates; migrations/00011_grant_steps.sql refuses the same):
//
//	register → commit → [correct …] → project completed → transfer → pay
//	                  └→ contribution recorded (cash or in kind)
//
// The award follows the ownership at registration: a transfer is recorded
// only after the commitment, so it cannot change what was committed. A
// cost correction (with its reason) re-computes contribution and award
// under the commitment's rule set and posts only the difference, like a
// budget re-approval; it is refused once the award is paid or the
// contribution recorded.

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

// Facility is a registered facility, its current owner, its money and the
// dates of its steps (nil: not taken yet).
type Facility struct {
	Code         string `db:"code" json:"code"`
	Project      string `db:"project" json:"project"`
	District     string `db:"district" json:"district"`
	DistrictName string `db:"district_name" json:"district_name"`
	Kind         string `db:"kind" json:"kind"`
	Description  string `db:"description" json:"description"`
	// Cost is the cost in force (the registered one, or its latest correction).
	Cost           decimal.Decimal `db:"cost" json:"cost"`
	RegisteredCost decimal.Decimal `db:"registered_cost" json:"registered_cost"`
	Utility        string          `db:"utility" json:"utility"`
	RegisteredOn   time.Time       `db:"registered_on" json:"registered_on"`
	Owner          string          `db:"owner" json:"owner"`
	OwnedByUtility bool            `db:"owned_by_utility" json:"owned_by_utility"`
	OwnerSince     time.Time       `db:"owner_since" json:"owner_since"`
	// The owner at registration: the one the award follows.
	RegisteredOwner          string          `db:"registered_owner" json:"registered_owner"`
	RegisteredOwnedByUtility bool            `db:"registered_owned_by_utility" json:"registered_owned_by_utility"`
	Committed                bool            `db:"committed" json:"committed"`
	Award                    decimal.Decimal `db:"award" json:"award"`
	Contribution             decimal.Decimal `db:"contribution" json:"contribution"`
	RuleSetID                int64           `db:"rule_set_id" json:"rule_set_id,omitempty"`
	Corrections              int             `db:"corrections" json:"corrections"`
	AwardPaid                bool            `db:"award_paid" json:"award_paid"`
	CommittedOn              *time.Time      `db:"committed_on" json:"committed_on,omitempty"`
	// CommitmentOn is the date of the commitment or of its latest correction.
	CommitmentOn   *time.Time `db:"commitment_on" json:"commitment_on,omitempty"`
	TransferredOn  *time.Time `db:"transferred_on" json:"transferred_on,omitempty"`
	PaidOn         *time.Time `db:"paid_on" json:"paid_on,omitempty"`
	ContributedOn  *time.Time `db:"contributed_on" json:"contributed_on,omitempty"`
	ContributionIn string     `db:"contribution_in" json:"contribution_in,omitempty"` // cash | in_kind
	// The entries and bank account of the payment and of the contribution.
	PaidEntry                 sql.NullInt64  `db:"paid_entry" json:"-"`
	PaidFinancialEntry        sql.NullInt64  `db:"paid_financial_entry" json:"-"`
	PaidBank                  sql.NullString `db:"paid_bank" json:"-"`
	PaidReference             string         `db:"paid_reference" json:"-"`
	ContributedEntry          sql.NullInt64  `db:"contributed_entry" json:"-"`
	ContributedFinancialEntry sql.NullInt64  `db:"contributed_financial_entry" json:"-"`
	ContributedBank           sql.NullString `db:"contributed_bank" json:"-"`
	ContributedReference      string         `db:"contributed_reference" json:"-"`
}

const facilitySelect = `
	SELECT f.code, f.project, p.district, d.name_zh AS district_name, f.kind, f.description, f.cost AS registered_cost,
	       coalesce(m.cost, f.cost) AS cost, f.utility, f.registered_on,
	       o.owner, o.owned_by_utility, o.effective_on AS owner_since,
	       r.owner AS registered_owner, r.owned_by_utility AS registered_owned_by_utility,
	       c.id IS NOT NULL AS committed, c.effective_on AS committed_on, m.effective_on AS commitment_on,
	       coalesce(m.award, 0) AS award, coalesce(m.contribution, 0) AS contribution, coalesce(m.rule_set_id, 0) AS rule_set_id,
	       (SELECT count(*) FROM utility_facility_events x WHERE x.facility = f.code AND x.kind = 'corrected') AS corrections,
	       pd.id IS NOT NULL AS award_paid, pd.effective_on AS paid_on, pd.entry_id AS paid_entry, pd.financial_entry_id AS paid_financial_entry,
	       pd.bank_account AS paid_bank, coalesce(pd.note, '') AS paid_reference,
	       t.effective_on AS transferred_on,
	       g.effective_on AS contributed_on, CASE WHEN g.in_kind THEN 'in_kind' WHEN NOT g.in_kind THEN 'cash' ELSE '' END AS contribution_in,
	       g.entry_id AS contributed_entry, g.financial_entry_id AS contributed_financial_entry, g.bank_account AS contributed_bank,
	       coalesce(g.note, '') AS contributed_reference
	  FROM utility_facilities f JOIN projects p ON p.code = f.project JOIN districts d ON d.code = p.district
	  JOIN LATERAL (SELECT owner, owned_by_utility, effective_on FROM utility_facility_events e
	                 WHERE e.facility = f.code AND e.kind IN ('owner', 'transferred') ORDER BY e.id DESC LIMIT 1) o ON true
	  JOIN LATERAL (SELECT owner, owned_by_utility FROM utility_facility_events e
	                 WHERE e.facility = f.code AND e.kind = 'owner' ORDER BY e.id LIMIT 1) r ON true
	  LEFT JOIN utility_facility_events c ON c.facility = f.code AND c.kind = 'committed'
	  LEFT JOIN LATERAL (SELECT cost, award, contribution, rule_set_id, effective_on FROM utility_facility_events e
	                 WHERE e.facility = f.code AND e.kind IN ('committed', 'corrected') ORDER BY e.id DESC LIMIT 1) m ON true
	  LEFT JOIN utility_facility_events t ON t.facility = f.code AND t.kind = 'transferred'
	  LEFT JOIN utility_facility_events pd ON pd.facility = f.code AND pd.kind = 'paid'
	  LEFT JOIN utility_facility_events g ON g.facility = f.code AND g.kind = 'contributed'`

func civilPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := ledger.Civil(*t)
	return &c
}

func (f *Facility) civil() {
	f.RegisteredOn, f.OwnerSince = ledger.Civil(f.RegisteredOn), ledger.Civil(f.OwnerSince)
	f.CommittedOn, f.CommitmentOn, f.TransferredOn = civilPtr(f.CommittedOn), civilPtr(f.CommitmentOn), civilPtr(f.TransferredOn)
	f.PaidOn, f.ContributedOn = civilPtr(f.PaidOn), civilPtr(f.ContributedOn)
}

func day(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.Format(ledger.DateLayout)
}

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
				return fmt.Errorf("%s: %w", what, dbError(err))
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: %s: registered meanwhile by someone else; try again", ErrExists, what)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, owner, owned_by_utility, effective_on, actor, note)
				VALUES ($1, 'owner', $2, $3, $4, $5, 'registered')`, in.Code, in.Owner, in.OwnedByUtility, on, actor)
			if err != nil {
				return fmt.Errorf("%s: %w", what, dbError(err))
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
	return f.Project == in.Project && f.Kind == in.Kind && f.RegisteredCost.Equal(in.Cost) && f.Utility == in.Utility && f.Description == in.Description
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
	f.civil()
	return f, nil
}

// Facilities lists the facilities of a project ("" all), by project and code.
func (p *Programme) Facilities(ctx context.Context, project string) ([]Facility, error) {
	var out []Facility
	if err := p.db.SelectContext(ctx, &out, facilitySelect+` WHERE ($1 = '' OR f.project = $1) ORDER BY f.project, f.code LIMIT 100000`, project); err != nil {
		return nil, fmt.Errorf("utility facilities: %w", err)
	}
	for i := range out {
		out[i].civil()
	}
	return out, nil
}

// FacilityCommitment is what committing (or correcting) a facility's money
// posted.
type FacilityCommitment struct {
	Facility     string          `json:"facility"`
	Cost         decimal.Decimal `json:"cost"`
	Award        decimal.Decimal `json:"award"`
	AwardSource  string          `json:"award_source,omitempty"`
	Contribution decimal.Decimal `json:"contribution"`
	Utility      string          `json:"utility_source"`
	Explanation  string          `json:"explanation"`
	RuleSetID    int64           `json:"rule_set_id,omitempty"`
	EntryID      int64           `json:"entry_id"`
	Unchanged    bool            `json:"unchanged,omitempty"`
	// A correction: the amounts before it, and its reason.
	PreviousCost  decimal.Decimal `json:"previous_cost,omitzero"`
	PreviousAward decimal.Decimal `json:"previous_award,omitzero"`
	Reason        string          `json:"reason,omitempty"`
	Version       int             `json:"version,omitempty"` // 1 the commitment, 2… its corrections
}

func facilityAccounts(kind string, f Facility) grantAccounts {
	return grantAccounts{kind: kind, ref: []string{f.District, f.Project, f.Code}}
}

// facilityAward computes the award of a facility of that cost under a rule
// set: none when the utility owned it at registration.
func facilityAward(f Facility, cost decimal.Decimal, stored storedRuleSet) (rules.Award, string, error) {
	if f.RegisteredOwnedByUtility {
		return rules.Award{}, fmt.Sprintf("owned by the utility (%s) at registration: the utility funds the works, %s, no award",
			f.RegisteredOwner, cost.StringFixed(2)), nil
	}
	a, err := stored.set.UtilityAward.Award(cost)
	if err != nil {
		return a, "", err
	}
	return a, fmt.Sprintf("owned by %s, not the utility, at registration: the utility funds the works (%s) and gets the award %s from %s (rule set %s %s)",
		f.RegisteredOwner, cost.StringFixed(2), a.Step, a.Source, stored.set.Name, stored.set.Version), nil
}

// CommitFacility commits a facility's money on that date: the utility's
// contribution (the cost), and when the utility did not own the facility
// at registration, the award computed by the rule set in force. Once only;
// refused (ErrOutOfOrder) when dated before the registration.
func (p *Programme) CommitFacility(ctx context.Context, code string, on time.Time, actor string) (FacilityCommitment, error) {
	what := fmt.Sprintf("commit utility facility %s", code)
	if on.IsZero() || actor == "" {
		return FacilityCommitment{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	what += " on " + on.Format(ledger.DateLayout)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return FacilityCommitment{}, err
	}
	utilSrc := facilityKinds[f.Kind]
	c := FacilityCommitment{Facility: code, Cost: f.Cost, Contribution: f.Cost, Utility: utilSrc, Version: 1}
	if f.Committed {
		c.Award, c.Contribution, c.Unchanged, c.RuleSetID, c.Version = f.Award, f.Contribution, true, f.RuleSetID, f.Corrections+1
		return c, nil
	}
	if on.Before(f.RegisteredOn) {
		return c, fmt.Errorf("%w: %s: the commitment is dated before the facility's registration on %s",
			ErrOutOfOrder, what, f.RegisteredOn.Format(ledger.DateLayout))
	}
	if f.TransferredOn != nil {
		return c, fmt.Errorf("%w: %s: a transfer was recorded on %s before any commitment; the commitment comes first",
			ErrOutOfOrder, what, day(f.TransferredOn))
	}
	var rsID any
	var stored storedRuleSet
	if !f.RegisteredOwnedByUtility {
		if stored, err = p.ruleSetFor(ctx, f.DistrictName, on, "utility_award", func(rs *rules.RuleSet) bool { return rs.UtilityAward != nil }); err != nil {
			return c, fmt.Errorf("%s: %w", what, err)
		}
		rsID, c.RuleSetID = stored.id, stored.id
	}
	a, expl, err := facilityAward(f, f.Cost, stored)
	if err != nil {
		return c, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	c.Award, c.AwardSource, c.Explanation = a.Amount, a.Source, expl
	e, err := p.facilityMoneyEntry(ctx, f, c, nil, on, "facility:"+code+":committed",
		func(meta map[string]string) string {
			return autoMemo(meta, MemoUtilityFacility, "专营设施：%s 出资 %s 元，以奖代补 %s 元", txtArg(code), txtArg(f.Cost.StringFixed(2)), txtArg(c.Award.StringFixed(2)))
		}, actor)
	if err != nil {
		return c, err
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockFacility(ctx, tx, code); err != nil {
			return err
		}
		out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{*e})
		if err != nil {
			return err
		}
		c.EntryID = out[0].ID
		_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, rule_set_id, cost, award, contribution, explanation, entry_id, actor)
			VALUES ($1, 'committed', $2, $3, $4, $5, $6, $7, $8, $9)`, code, on.Format(ledger.DateLayout), rsID, f.Cost.StringFixed(2), c.Award.StringFixed(2),
			c.Contribution.StringFixed(2), c.Explanation, c.EntryID, actor)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return c, nil
}

// facilityMoneyEntry is the budget entry moving a facility's contribution
// and award from prev (nil: nothing yet) to c. Nil when nothing changes.
func (p *Programme) facilityMoneyEntry(ctx context.Context, f Facility, c FacilityCommitment, prev *FacilityCommitment, on time.Time,
	key string, memoOf func(meta map[string]string) string, actor string) (*ledger.Entry, error) {
	dims := ledger.Dimensions{District: f.District, Project: f.Project, Category: rules.CategoryBasic}
	contrib := facilityAccounts(GrantContribution, f)
	if err := p.ensureGrantAccounts(ctx, contrib, dims, "专营设施出资 utility contribution "+f.Code, []string{c.Utility}); err != nil {
		return nil, err
	}
	meta := map[string]string{"kind": "utility_facility", "facility": f.Code, "project": f.Project, "district": f.District, "owner": f.RegisteredOwner}
	var prevContrib, prevAward []rules.SourceAmount
	if prev != nil {
		prevContrib = []rules.SourceAmount{{Source: c.Utility, Amount: prev.Contribution}}
		prevAward = []rules.SourceAmount{{Source: prev.AwardSource, Amount: prev.Award}}
		meta["reason"] = c.Reason
	}
	memo := memoOf(meta)
	e := commitmentEntry(contrib, prevContrib, []rules.SourceAmount{{Source: c.Utility, Amount: c.Contribution}}, on, key, memo, actor, meta)
	if e == nil {
		e = &ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, IdempotencyKey: key, Memo: memo, Actor: actor, Metadata: meta}
	}
	if c.Award.IsPositive() || prev != nil && prev.Award.IsPositive() {
		award := facilityAccounts(GrantAward, f)
		src := c.AwardSource
		if src == "" && prev != nil {
			src = prev.AwardSource
		}
		if err := p.ensureGrantAccounts(ctx, award, dims, "以奖代补 award "+f.Code, []string{src}); err != nil {
			return nil, err
		}
		if a := commitmentEntry(award, prevAward, []rules.SourceAmount{{Source: src, Amount: c.Award}}, on, "x", "", actor, nil); a != nil {
			e.Postings = append(e.Postings, a.Postings...)
		}
	}
	if len(e.Postings) == 0 {
		return nil, nil
	}
	return e, nil
}

// FacilityCorrection corrects a committed facility's cost.
type FacilityCorrection struct {
	Facility    string          `json:"facility" validate:"required"`
	Cost        decimal.Decimal `json:"cost"`
	Reason      string          `json:"reason" validate:"required,max=500"`
	CorrectedOn time.Time       `json:"corrected_on" validate:"required"`
	Actor       string          `json:"actor" validate:"required"`
}

// CorrectFacilityCost corrects the cost of a committed facility, with a
// reason: the contribution becomes the new cost and the award is
// re-computed under the commitment's rule set; only the differences are
// posted, and the correction is kept as a new event (the history shows
// every cost and why it changed). The same cost again changes nothing.
// Refused before the commitment or dated before it (ErrOutOfOrder), and
// once the award is paid or the contribution recorded (ErrAlreadyPaid).
func (p *Programme) CorrectFacilityCost(ctx context.Context, in FacilityCorrection) (FacilityCommitment, error) {
	what := fmt.Sprintf("correct the cost of utility facility %s", in.Facility)
	if err := checkInput(what, in); err != nil {
		return FacilityCommitment{}, err
	}
	if err := checkMoneyInput(what+": cost", in.Cost, false); err != nil {
		return FacilityCommitment{}, err
	}
	on := ledger.Civil(in.CorrectedOn)
	what += " on " + on.Format(ledger.DateLayout)
	f, err := p.Facility(ctx, in.Facility)
	if err != nil {
		return FacilityCommitment{}, err
	}
	utilSrc := facilityKinds[f.Kind]
	prev := FacilityCommitment{Facility: f.Code, Cost: f.Cost, Award: f.Award, Contribution: f.Contribution, Utility: utilSrc,
		RuleSetID: f.RuleSetID, Version: f.Corrections + 1}
	switch {
	case !f.Committed:
		return prev, fmt.Errorf("%w: %s: nothing is committed yet; commit it first (fundledger utility commit %s)", ErrOutOfOrder, what, f.Code)
	case f.AwardPaid:
		return prev, fmt.Errorf("%w: %s: the award was already paid on %s (entry %d); a paid award is not corrected",
			ErrAlreadyPaid, what, day(f.PaidOn), f.PaidEntry.Int64)
	case f.ContributedOn != nil:
		return prev, fmt.Errorf("%w: %s: the contribution was already recorded on %s (entry %d); a recorded contribution is not corrected",
			ErrAlreadyPaid, what, day(f.ContributedOn), f.ContributedEntry.Int64)
	case on.Before(*f.CommitmentOn):
		return prev, fmt.Errorf("%w: %s: the correction is dated before the commitment (or its latest correction) on %s",
			ErrOutOfOrder, what, day(f.CommitmentOn))
	}
	if in.Cost.Equal(f.Cost) {
		prev.Unchanged = true
		return prev, nil
	}
	var stored storedRuleSet
	if f.RuleSetID != 0 {
		rs, _, err := p.RuleSet(ctx, f.RuleSetID)
		if err != nil {
			return prev, fmt.Errorf("%s: %w", what, err)
		}
		stored = storedRuleSet{id: f.RuleSetID, set: rs}
	}
	if !f.RegisteredOwnedByUtility && (stored.set == nil || stored.set.UtilityAward == nil) {
		return prev, fmt.Errorf("%w: %s: the commitment's rule set (id %d) has no utility_award: section", ErrNoRuleSet, what, f.RuleSetID)
	}
	a, expl, err := facilityAward(f, in.Cost, stored)
	if err != nil {
		return prev, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	if prev.Award.IsPositive() {
		prev.AwardSource = a.Source
	}
	c := FacilityCommitment{Facility: f.Code, Cost: in.Cost, Award: a.Amount, AwardSource: a.Source, Contribution: in.Cost, Utility: utilSrc,
		RuleSetID: f.RuleSetID, PreviousCost: f.Cost, PreviousAward: f.Award, Reason: in.Reason, Version: f.Corrections + 2,
		Explanation: fmt.Sprintf("cost corrected from %s to %s (%s): %s", f.Cost.StringFixed(2), in.Cost.StringFixed(2), in.Reason, expl)}
	e, err := p.facilityMoneyEntry(ctx, f, c, &prev, on, fmt.Sprintf("facility:%s:corrected:v%d", f.Code, c.Version),
		func(meta map[string]string) string {
			return autoMemo(meta, MemoUtilityFacilityCorrection, "更正专营设施 %s：造价 %s 元改为 %s 元，以奖代补 %s 元改为 %s 元：%s", txtArg(f.Code),
				txtArg(f.Cost.StringFixed(2)), txtArg(in.Cost.StringFixed(2)), txtArg(f.Award.StringFixed(2)), txtArg(c.Award.StringFixed(2)), txtArg(in.Reason))
		}, in.Actor)
	if err != nil {
		return c, err
	}
	var rsID any
	if f.RuleSetID != 0 {
		rsID = f.RuleSetID
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		// One correction at a time: lock the facility and check none came meanwhile.
		if err := lockFacility(ctx, tx, f.Code); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM utility_facility_events WHERE facility = $1 AND kind = 'corrected'`, f.Code); err != nil {
			return err
		}
		if n != f.Corrections {
			return fmt.Errorf("%w: %s: another correction was recorded meanwhile; look again and correct again", ErrStatus, what)
		}
		var entryID any
		if e != nil {
			out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{*e})
			if err != nil {
				return err
			}
			c.EntryID, entryID = out[0].ID, out[0].ID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, rule_set_id, cost, award, contribution, explanation,
			reason, entry_id, actor) VALUES ($1, 'corrected', $2, $3, $4, $5, $6, $7, $8, $9, $10)`, f.Code, on.Format(ledger.DateLayout), rsID,
			in.Cost.StringFixed(2), c.Award.StringFixed(2), c.Contribution.StringFixed(2), c.Explanation, in.Reason, entryID, in.Actor)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return c, nil
}

// lockFacility serialises the steps of one facility within tx (the
// trigger of 00011 takes the same lock, later; taking it first keeps the
// order of locks the same in every transaction).
func lockFacility(ctx context.Context, tx *sqlx.Tx, code string) error {
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM utility_facilities WHERE code = $1 FOR UPDATE`, code)
	return err
}

// completedOn is the date a project was completed (or accepted, if it
// skipped the completed status), false when it is not yet.
func (p *Programme) completedOn(ctx context.Context, project string) (time.Time, bool, error) {
	var on sql.NullTime
	if err := p.db.GetContext(ctx, &on, `SELECT min(effective_on) FROM project_events WHERE project = $1 AND status IN ('completed', 'accepted')`,
		project); err != nil {
		return time.Time{}, false, fmt.Errorf("project %s: %w", project, err)
	}
	return ledger.Civil(on.Time), on.Valid, nil
}

// TransferOwnership records that the facility passed to the utility on
// that date. Refused when the utility owns it already (ErrStatus), before
// the commitment or the project's completion, or dated before either
// (ErrOutOfOrder, which is also ErrConditionNotMet).
func (p *Programme) TransferOwnership(ctx context.Context, code, newOwner string, on time.Time, actor, note string) (Facility, error) {
	what := fmt.Sprintf("transfer utility facility %s", code)
	if on.IsZero() || actor == "" || newOwner == "" {
		return Facility{}, fmt.Errorf("%w: %s: new owner, date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	what += " on " + on.Format(ledger.DateLayout)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return f, err
	}
	if f.OwnedByUtility {
		return f, fmt.Errorf("%w: %s: already owned by the utility (%s since %s)", ErrStatus, what, f.Owner, f.OwnerSince.Format(ledger.DateLayout))
	}
	if !f.Committed {
		return f, fmt.Errorf("%w: %s: the facility's money is not committed yet; commit it first (the award follows the owner at registration, %s)",
			ErrOutOfOrder, what, f.RegisteredOwner)
	}
	if on.Before(*f.CommitmentOn) {
		return f, fmt.Errorf("%w: %s: the transfer is dated before the commitment (or its latest correction) on %s", ErrOutOfOrder, what, day(f.CommitmentOn))
	}
	done, completed, err := p.completedOn(ctx, f.Project)
	if err != nil {
		return f, err
	}
	if !completed {
		pr, err := p.Project(ctx, f.Project)
		if err != nil {
			return f, err
		}
		return f, fmt.Errorf("%w: %s: ownership passes to the utility on completion; project %s is %s (since %s)",
			ErrOutOfOrder, what, pr.Code, pr.Status, pr.StatusOn.Format(ledger.DateLayout))
	}
	if on.Before(done) {
		return f, fmt.Errorf("%w: %s: the transfer is dated before the completion of project %s on %s", ErrOutOfOrder, what, f.Project, done.Format(ledger.DateLayout))
	}
	// In the ledger's transaction, so that a dry run rolls it back.
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, owner, owned_by_utility, effective_on, actor, note)
		VALUES ($1, 'transferred', $2, true, $3, $4, $5)`, code, newOwner, on.Format(ledger.DateLayout), actor, note)
		return err
	})
	if errors.Is(err, ledger.ErrDryRun) {
		return f, err
	}
	if err != nil {
		return f, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return p.Facility(ctx, code)
}

// PayAward pays a facility's award to the utility, once the ownership has
// passed to it, through a bank account of the project's district or a city
// account. Refused before the commitment or the transfer, or dated before
// either (ErrOutOfOrder); paying again the same way changes nothing,
// another way is ErrAlreadyPaid.
func (p *Programme) PayAward(ctx context.Context, code string, on time.Time, bankAccount, reference, actor string) (GrantPayment, error) {
	what := fmt.Sprintf("pay the award of utility facility %s", code)
	if on.IsZero() || actor == "" {
		return GrantPayment{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	what += " on " + on.Format(ledger.DateLayout)
	f, err := p.Facility(ctx, code)
	if err != nil {
		return GrantPayment{}, err
	}
	if !f.Committed {
		return GrantPayment{}, fmt.Errorf("%w: %s: no award is committed yet; commit it first (fundledger utility commit %s)", ErrOutOfOrder, what, code)
	}
	if !f.Award.IsPositive() {
		return GrantPayment{}, fmt.Errorf("%w: %s: no award: %s owned the facility at registration", ErrConditionNotMet, what, f.RegisteredOwner)
	}
	var src string
	// starts_with, not LIKE: codes contain "_", a LIKE wildcard.
	if err := p.db.GetContext(ctx, &src, `SELECT coalesce(source, '') FROM accounts WHERE starts_with(code, $1) LIMIT 1`,
		"budget:grant:committed:award:"+f.District+":"+f.Project+":"+code+":"); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	amounts := []rules.SourceAmount{{Source: src, Amount: f.Award}}
	pay := GrantPayment{Amounts: amounts, Total: f.Award}
	if f.AwardPaid {
		if on.Equal(*f.PaidOn) && (!f.PaidBank.Valid || f.PaidBank.String == bankAccount) && f.PaidReference == reference {
			pay.EntryID, pay.FinancialEntryID, pay.Replayed = f.PaidEntry.Int64, f.PaidFinancialEntry.Int64, true
			return pay, nil
		}
		return pay, fmt.Errorf("%w: %s: already paid on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what, day(f.PaidOn),
			f.PaidEntry.Int64, f.PaidFinancialEntry.Int64)
	}
	if on.Before(*f.CommitmentOn) {
		return pay, fmt.Errorf("%w: %s: the payment is dated before the commitment (or its latest correction) on %s", ErrOutOfOrder, what, day(f.CommitmentOn))
	}
	if f.TransferredOn == nil {
		return pay, fmt.Errorf("%w: %s: the award is paid once the facility's ownership has passed to the utility; no transfer is recorded (fundledger utility transfer %s)",
			ErrOutOfOrder, what, code)
	}
	if on.Before(*f.TransferredOn) {
		return pay, fmt.Errorf("%w: %s: the payment is dated before the ownership transfer on %s", ErrOutOfOrder, what, day(f.TransferredOn))
	}
	if err := p.lookups().bankFor(ctx, bankAccount, f.District, f.DistrictName, "project "+f.Project); err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	meta := map[string]string{"kind": "utility_award", "facility": code, "project": f.Project, "district": f.District, "bank_account": bankAccount, "reference": reference}
	entries := paymentEntries(facilityAccounts(GrantAward, f), amounts, on, "facility:"+code+":paid",
		autoMemo(meta, MemoUtilityAwardPayment, "拨付以奖代补：设施 %s 付给%s", txtArg(code), srcArg(f.Utility)), actor, meta)
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockFacility(ctx, tx, code); err != nil {
			return err
		}
		out, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		pay.EntryID, pay.FinancialEntryID, pay.Replayed = out[0].ID, out[1].ID, out[0].Replayed
		if pay.Replayed {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, award, entry_id, financial_entry_id, bank_account, note, actor)
			VALUES ($1, 'paid', $2, $3, $4, $5, $6, $7, $8)`, code, on.Format(ledger.DateLayout), f.Award.StringFixed(2), pay.EntryID, pay.FinancialEntryID,
			bankAccount, reference, actor)
		return err
	})
	if errors.Is(err, ledger.ErrIdempotencyConflict) {
		// Paid meanwhile by another request: say when.
		if g, gerr := p.Facility(ctx, code); gerr == nil && g.AwardPaid {
			return pay, fmt.Errorf("%w: %s: already paid on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what, day(g.PaidOn),
				g.PaidEntry.Int64, g.PaidFinancialEntry.Int64)
		}
	}
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return pay, nil
}

// FacilityContributionRequest records the utility's own contribution to a
// facility's works: received in cash through a bank account, or in kind
// when the utility does the works itself.
type FacilityContributionRequest struct {
	Facility    string    `json:"facility" validate:"required"`
	On          time.Time `json:"on" validate:"required"`
	InKind      bool      `json:"in_kind"`
	BankAccount string    `json:"bank_account" validate:"required_unless=InKind true"`
	Reference   string    `json:"reference" validate:"max=200"`
	Actor       string    `json:"actor" validate:"required"`
}

// RecordFacilityContribution settles the utility's committed contribution
// (the facility's cost in force) in full: budget book Dr paid / Cr
// receivable, so that the grants report shows nothing outstanding; the
// financial book Dr cash / Cr revenue for cash received (the money waits
// in the earmarked account for the works), Dr expense / Cr revenue for the
// works done in kind. Refused before the commitment or dated before it
// (ErrOutOfOrder); the same request again changes nothing, another is
// ErrAlreadyPaid.
func (p *Programme) RecordFacilityContribution(ctx context.Context, r FacilityContributionRequest) (GrantPayment, error) {
	what := fmt.Sprintf("record the contribution to utility facility %s", r.Facility)
	if err := checkInput(what, r); err != nil {
		return GrantPayment{}, err
	}
	on := ledger.Civil(r.On)
	what += " on " + on.Format(ledger.DateLayout)
	f, err := p.Facility(ctx, r.Facility)
	if err != nil {
		return GrantPayment{}, err
	}
	if !f.Committed {
		return GrantPayment{}, fmt.Errorf("%w: %s: no contribution is committed yet; commit it first (fundledger utility commit %s)", ErrOutOfOrder, what, f.Code)
	}
	src := facilityKinds[f.Kind]
	amounts := []rules.SourceAmount{{Source: src, Amount: f.Contribution}}
	pay := GrantPayment{Amounts: amounts, Total: f.Contribution}
	if f.ContributedOn != nil {
		same := on.Equal(*f.ContributedOn) && (f.ContributionIn == "in_kind") == r.InKind && f.ContributedReference == r.Reference &&
			(r.InKind || f.ContributedBank.String == r.BankAccount)
		if same {
			pay.EntryID, pay.FinancialEntryID, pay.Replayed = f.ContributedEntry.Int64, f.ContributedFinancialEntry.Int64, true
			return pay, nil
		}
		return pay, fmt.Errorf("%w: %s: already recorded on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what, day(f.ContributedOn),
			f.ContributedEntry.Int64, f.ContributedFinancialEntry.Int64)
	}
	if on.Before(*f.CommitmentOn) {
		return pay, fmt.Errorf("%w: %s: the contribution is dated before the commitment (or its latest correction) on %s", ErrOutOfOrder, what, day(f.CommitmentOn))
	}
	var bank any
	if !r.InKind {
		if err := p.lookups().bankFor(ctx, r.BankAccount, f.District, f.DistrictName, "project "+f.Project); err != nil {
			return pay, fmt.Errorf("%s: %w", what, err)
		}
		bank = r.BankAccount
	}
	acc := facilityAccounts(GrantContribution, f)
	how := memoArg{ledger.MemoArgText + "received", "资金到账"}
	meta := map[string]string{"kind": "utility_contribution", "facility": f.Code, "project": f.Project, "district": f.District,
		"reference": r.Reference, "in_kind": fmt.Sprint(r.InKind)}
	if r.InKind {
		how = memoArg{ledger.MemoArgText + "in kind (the utility did the works)", "以实物出资（专营单位自行施工）"}
	} else {
		meta["bank_account"] = r.BankAccount
	}
	memo := autoMemo(meta, MemoUtilityContribution, "专营单位出资：%s 对设施 %s 出资，%s", srcArg(f.Utility), txtArg(f.Code), how)
	amt := f.Contribution
	key := "facility:" + f.Code + ":contributed"
	b := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, IdempotencyKey: key + "/budget", Memo: memo, Actor: r.Actor, Metadata: meta,
		Postings: []ledger.Posting{
			{AccountCode: acc.paid(src), Side: ledger.Debit, Amount: amt},
			{AccountCode: acc.receivable(src), Side: ledger.Credit, Amount: amt}}}
	fin := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, IdempotencyKey: key + "/financial", Memo: memo, Actor: r.Actor, Metadata: meta,
		Postings: []ledger.Posting{
			{AccountCode: acc.cash(src), Side: ledger.Debit, Amount: amt},
			{AccountCode: acc.revenue(src), Side: ledger.Credit, Amount: amt}}}
	if r.InKind {
		fin.Postings[0].AccountCode = acc.expense(src)
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockFacility(ctx, tx, f.Code); err != nil {
			return err
		}
		out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{b, fin})
		if err != nil {
			return err
		}
		pay.EntryID, pay.FinancialEntryID, pay.Replayed = out[0].ID, out[1].ID, out[0].Replayed
		if pay.Replayed {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, effective_on, contribution, in_kind, bank_account, entry_id,
			financial_entry_id, note, actor) VALUES ($1, 'contributed', $2, $3, $4, $5, $6, $7, $8, $9)`, f.Code, on.Format(ledger.DateLayout),
			amt.StringFixed(2), r.InKind, bank, pay.EntryID, pay.FinancialEntryID, r.Reference, r.Actor)
		return err
	})
	if errors.Is(err, ledger.ErrIdempotencyConflict) {
		// Recorded meanwhile by another request: say when.
		if g, gerr := p.Facility(ctx, f.Code); gerr == nil && g.ContributedOn != nil {
			return pay, fmt.Errorf("%w: %s: already recorded on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what, day(g.ContributedOn),
				g.ContributedEntry.Int64, g.ContributedFinancialEntry.Int64)
		}
	}
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return pay, nil
}
