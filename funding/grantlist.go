package funding

// The grants as lists a person can work with: elevator applications,
// utility facilities and property rewards, narrowed, searched, sorted and
// paged in SQL (GrantFilter), one query shape for the three.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"fundledger/ledger"
)

// MaxGrantPage bounds a page of a grants list.
const MaxGrantPage = 200

// GrantFilter narrows a grants list; every field may be empty.
type GrantFilter struct {
	Districts []string // the districts the reader may read (nil: all)
	District  string   // one district code
	Project   string
	Status    string // a status of the list (applications: applied, approved, refused, accepted, paid; facilities: registered, committed, transferred, paid; rewards: scored, paid)
	Search    string // a part of the code, names or parties (case-insensitive)
	From, To  time.Time
	Sort      string // code (default), date (newest first) or amount (largest first)
	Offset    int
	Limit     int // 1 to MaxGrantPage (0: MaxGrantPage)
}

// grantColumns are the expressions of a list's row (alias x) that a
// GrantFilter reads.
type grantColumns struct{ code, date, amount, status, search string }

// grantListQuery is the list of the rows of inner (aliased x, with the
// columns district and project) that pass the filter, sorted and paged.
func grantListQuery(inner string, c grantColumns, f GrantFilter) (string, []any, error) {
	if f.Limit <= 0 || f.Limit > MaxGrantPage {
		f.Limit = MaxGrantPage
	}
	if f.Offset < 0 {
		return "", nil, fmt.Errorf("%w: grants list: offset %d", ErrInvalid, f.Offset)
	}
	order := c.code
	switch f.Sort {
	case "date":
		order = c.date + " DESC, " + c.code
	case "amount":
		order = c.amount + " DESC, " + c.code
	case "", "code":
	default:
		return "", nil, fmt.Errorf("%w: grants list: sort %q (want code, date or amount)", ErrInvalid, f.Sort)
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return ledger.Civil(t).Format(ledger.DateLayout)
	}
	q := `SELECT x.* FROM (` + inner + `) x
		WHERE ($1::text[] IS NULL OR x.district = ANY($1::text[])) AND ($2 = '' OR x.district = $2) AND ($3 = '' OR x.project = $3)
		  AND ($4 = '' OR ` + c.status + ` = $4)
		  AND ($5 = '' OR strpos(lower(` + c.search + `), lower($5)) > 0)
		  AND ($6 = '' OR ` + c.date + ` >= $6::date) AND ($7 = '' OR ` + c.date + ` <= $7::date)
		ORDER BY ` + order + ` LIMIT $8 OFFSET $9`
	return q, []any{pq.Array(f.Districts), f.District, f.Project, f.Status, strings.TrimSpace(f.Search), day(f.From), day(f.To), f.Limit, f.Offset}, nil
}

// selectGrants reads the rows of a grants list into T.
func selectGrants[T any](ctx context.Context, p *Programme, what, inner string, c grantColumns, f GrantFilter) ([]T, error) {
	q, args, err := grantListQuery(inner, c, f)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := p.db.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ElevatorApplicationList is a page of the applications that pass the
// filter (date: applied on; amount: estimated cost).
func (p *Programme) ElevatorApplicationList(ctx context.Context, f GrantFilter) ([]ElevatorApplication, error) {
	rows, err := selectGrants[elevatorRow](ctx, p, "elevator applications", elevatorSelect, grantColumns{code: "x.code", date: "x.applied_on",
		amount: "x.estimated_cost", status: "x.status", search: "x.code || ' ' || x.project || ' ' || x.building || ' ' || x.unit"}, f)
	if err != nil {
		return nil, err
	}
	out := make([]ElevatorApplication, len(rows))
	for i, r := range rows {
		out[i] = r.application()
	}
	return out, nil
}

// facilityStatus is a facility's status: registered, committed,
// transferred (owned by the utility) or paid.
const facilityStatus = `CASE WHEN x.award_paid THEN 'paid' WHEN x.owned_by_utility THEN 'transferred' WHEN x.committed THEN 'committed' ELSE 'registered' END`

// FacilityStatus is the facility's status (as the list filters it).
func (f Facility) FacilityStatus() string {
	switch {
	case f.AwardPaid:
		return "paid"
	case f.OwnedByUtility:
		return "transferred"
	case f.Committed:
		return "committed"
	}
	return "registered"
}

// FacilityList is a page of the utility facilities that pass the filter
// (date: registered on; amount: the award).
func (p *Programme) FacilityList(ctx context.Context, f GrantFilter) ([]Facility, error) {
	out, err := selectGrants[Facility](ctx, p, "utility facilities", facilitySelect, grantColumns{code: "x.code", date: "x.registered_on",
		amount: "x.award", status: facilityStatus, search: "x.code || ' ' || x.project || ' ' || x.utility || ' ' || x.owner || ' ' || x.description"}, f)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].civil()
	}
	return out, nil
}

// PropertyRewardRow is a project's period as the rewards list shows it:
// the score in force, its reward, and whether it is paid.
type PropertyRewardRow struct {
	PropertyReward
	District string     `db:"district" json:"district"`
	PaidOn   *time.Time `db:"paid_on" json:"paid_on,omitempty"`
}

// Status is scored or paid.
func (r PropertyRewardRow) Status() string {
	if r.PaidOn != nil {
		return "paid"
	}
	return "scored"
}

const rewardListSelect = `
	SELECT DISTINCT ON (s.project, s.period) s.project, s.period, s.version, s.score, s.reward, s.source, s.explanation, s.rule_set_id,
	       s.scored_on, s.reason, s.entry_id, p.district, pay.paid_on
	  FROM property_scores s JOIN projects p ON p.code = s.project
	  LEFT JOIN property_reward_payments pay ON pay.project = s.project AND pay.period = s.period
	 ORDER BY s.project, s.period, s.version DESC`

// PropertyRewardList is a page of the scored periods (the score in force)
// that pass the filter (code: project and period; date: scored on;
// amount: the reward; status: scored or paid).
func (p *Programme) PropertyRewardList(ctx context.Context, f GrantFilter) ([]PropertyRewardRow, error) {
	out, err := selectGrants[PropertyRewardRow](ctx, p, "property rewards", rewardListSelect, grantColumns{code: "x.project, x.period",
		date: "x.scored_on", amount: "x.reward", status: "CASE WHEN x.paid_on IS NULL THEN 'scored' ELSE 'paid' END",
		search: "x.project || ' ' || x.period || ' ' || x.reason"}, f)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ScoredOn = ledger.Civil(out[i].ScoredOn)
		if out[i].PaidOn != nil {
			d := ledger.Civil(*out[i].PaidOn)
			out[i].PaidOn = &d
		}
	}
	return out, nil
}
