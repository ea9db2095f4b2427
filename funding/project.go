package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// The plan's eligibility dates.
var (
	// CutOff is the last completion date of eligible buildings (2005-12-31).
	CutOff = ledger.Date(2005, 12, 31)
	// PriorityBefore marks buildings completed before 2000 as priority.
	PriorityBefore = ledger.Date(2000, 1, 1)
)

// Project statuses, in the only order they can follow.
const (
	StatusPlanned   = "planned"
	StatusApproved  = "approved"
	StatusUnderWay  = "under_way"
	StatusCompleted = "completed"
	StatusAccepted  = "accepted"
)

var statusOrder = []string{StatusPlanned, StatusApproved, StatusUnderWay, StatusCompleted, StatusAccepted}

func statusRank(s string) int {
	for i, x := range statusOrder {
		if x == s {
			return i
		}
	}
	return -1
}

// StatusReached reports whether a project whose status is current has
// reached status (or gone beyond it).
func StatusReached(current, status string) bool {
	return statusRank(current) >= 0 && statusRank(current) >= statusRank(status)
}

// ProjectInput is what registering a project needs.
type ProjectInput struct {
	Code                string            `json:"code" validate:"required,max=64"`
	Name                string            `json:"name" validate:"required,max=200"`
	District            string            `json:"district" validate:"required"` // code or Chinese name
	Address             string            `json:"address" validate:"max=500"`
	CompletedOn         time.Time         `json:"completed_on" validate:"required"`
	StateOwnedLand      bool              `json:"state_owned_land"`
	SlatedForDemolition bool              `json:"slated_for_demolition"`
	Households          int               `json:"households" validate:"gt=0,lte=100000"`
	FloorAreaM2         decimal.Decimal   `json:"floor_area_m2"`
	Buildings           int               `json:"buildings" validate:"gt=0,lte=10000"`
	Elevators           int               `json:"elevators" validate:"gte=0,lte=10000"`
	PlanYear            int               `json:"plan_year" validate:"gte=2000,lte=2100"`
	RegisteredOn        time.Time         `json:"registered_on"` // status date; zero: today
	Parties             map[string]string `json:"parties"`       // source → named party (utility company, employer …)
}

// Project is a registered old community.
type Project struct {
	Code                string            `db:"code" json:"code"`
	Name                string            `db:"name" json:"name"`
	District            string            `db:"district" json:"district"`
	DistrictName        string            `db:"district_name" json:"district_name"`
	Address             string            `db:"address" json:"address"`
	CompletedOn         time.Time         `db:"completed_on" json:"completed_on"`
	StateOwnedLand      bool              `db:"state_owned_land" json:"state_owned_land"`
	SlatedForDemolition bool              `db:"slated_for_demolition" json:"slated_for_demolition"`
	Households          int               `db:"households" json:"households"`
	FloorAreaM2         decimal.Decimal   `db:"floor_area_m2" json:"floor_area_m2"`
	Buildings           int               `db:"buildings" json:"buildings"`
	Elevators           int               `db:"elevators" json:"elevators"`
	PlanYear            int               `db:"plan_year" json:"plan_year"`
	Priority            bool              `db:"priority" json:"priority"`
	Status              string            `db:"status" json:"status"`
	StatusOn            time.Time         `db:"status_on" json:"status_on"`
	Parties             map[string]string `db:"-" json:"parties,omitempty"`
}

// Eligibility returns why a project may not be renovated under the plan
// (empty when it may): buildings completed after 2005-12-31, land not
// state-owned, or slated for expropriation or demolition-and-rebuild.
func Eligibility(completedOn time.Time, stateOwnedLand, slatedForDemolition bool) []string {
	var why []string
	if completedOn.After(CutOff) {
		why = append(why, fmt.Sprintf("buildings completed on %s, after the plan's cut-off of 2005-12-31", completedOn.Format(ledger.DateLayout)))
	}
	if !stateOwnedLand {
		why = append(why, "not on state-owned urban land")
	}
	if slatedForDemolition {
		why = append(why, "slated for expropriation or demolition-and-rebuild")
	}
	return why
}

// RegisterProject registers an old community after checking its eligibility.
// Registering the same project again with the same data changes nothing.
func (p *Programme) RegisterProject(ctx context.Context, in ProjectInput, actor string) (Project, error) {
	ps, err := p.RegisterProjects(ctx, []ProjectInput{in}, actor)
	if err != nil {
		return Project{}, single(err)
	}
	return ps[0], nil
}

// RegisterProjects registers a batch of projects, all or nothing: every
// project is checked first (fields, eligibility, district, parties, a code
// registered with other data, a code twice in the batch) and every refusal
// listed in ItemErrors; only when none is refused are they all stored, in
// one transaction. Projects already registered with the same data change
// nothing.
func (p *Programme) RegisterProjects(ctx context.Context, ins []ProjectInput, actor string) ([]Project, error) {
	if strings.TrimSpace(actor) == "" {
		return nil, fmt.Errorf("%w: register projects: actor is required", ErrInvalid)
	}
	districts := make([]string, len(ins))
	exists := make([]bool, len(ins))
	codes := make([]string, len(ins))
	for i, in := range ins {
		codes[i] = in.Code
	}
	var registered map[string]Project
	if len(ins) <= MaxBatchItems {
		var err error
		if registered, err = p.projectsOf(ctx, codes); err != nil {
			return nil, err
		}
	}
	known := map[string]District{} // the batch's districts, looked up once each
	err := inBatch(ctx, p, "register projects", ins, func(in ProjectInput) string { return in.Code },
		func(i int, in ProjectInput) error {
			d, err := p.checkProject(ctx, in, known)
			if err != nil {
				return err
			}
			districts[i] = d
			existing, ok := registered[in.Code]
			switch {
			case ok && !sameProject(existing, in, d):
				return fmt.Errorf("%w: register project %s: a project with this code is registered with other data", ErrExists, in.Code)
			case ok:
				exists[i] = true
			}
			return nil
		},
		func(tx *sqlx.Tx, i int, in ProjectInput) error {
			if exists[i] {
				return nil
			}
			return insertProject(ctx, tx, in, districts[i], actor)
		})
	if err != nil {
		return nil, err
	}
	if registered, err = p.projectsOf(ctx, codes); err != nil {
		return nil, err
	}
	out := make([]Project, len(ins))
	for i, in := range ins {
		var ok bool
		if out[i], ok = registered[in.Code]; !ok {
			return nil, fmt.Errorf("project %s: %w", in.Code, ErrNotFound)
		}
	}
	return out, nil
}

// checkProject checks a project before anything is stored and returns its
// district's code. known keeps the districts looked up, by what names them.
func (p *Programme) checkProject(ctx context.Context, in ProjectInput, known map[string]District) (string, error) {
	what := fmt.Sprintf("register project %s", in.Code)
	if err := checkInput(what, in); err != nil {
		return "", err
	}
	if !in.FloorAreaM2.IsPositive() || !in.FloorAreaM2.Equal(in.FloorAreaM2.Truncate(2)) {
		return "", fmt.Errorf("%w: %s: floor_area_m2 %s must be > 0 with at most two decimals", ErrInvalid, what, in.FloorAreaM2)
	}
	if why := Eligibility(in.CompletedOn, in.StateOwnedLand, in.SlatedForDemolition); len(why) > 0 {
		return "", fmt.Errorf("%w: %s: %s", ErrIneligible, what, strings.Join(why, "; "))
	}
	d, ok := known[in.District]
	if !ok {
		var err error
		if d, err = LookupDistrict(ctx, p.db, in.District); err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		known[in.District] = d
	}
	for src := range in.Parties {
		if _, ok := rules.LookupSource(src); !ok {
			return "", fmt.Errorf("%w: %s: party for unknown source %q", ErrInvalid, what, src)
		}
	}
	return d.Code, nil
}

// insertProject stores a checked project. A project registered meanwhile
// under the same code is compared: the same data is no change, other data
// ErrExists.
func insertProject(ctx context.Context, tx *sqlx.Tx, in ProjectInput, district, actor string) error {
	on := in.RegisteredOn
	if on.IsZero() {
		on = time.Now().UTC()
	}
	completed := ledger.Civil(in.CompletedOn)
	res, err := tx.ExecContext(ctx, `
		INSERT INTO projects (code, name, district, address, completed_on, state_owned_land, slated_for_demolition,
		                      households, floor_area_m2, buildings, elevators, plan_year, priority, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (code) DO NOTHING`,
		in.Code, in.Name, district, in.Address, completed.Format(ledger.DateLayout), in.StateOwnedLand, in.SlatedForDemolition,
		in.Households, in.FloorAreaM2.String(), in.Buildings, in.Elevators, in.PlanYear, completed.Before(PriorityBefore), actor)
	if err != nil {
		return fmt.Errorf("register project %s: %w", in.Code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var existing Project
		if err := tx.GetContext(ctx, &existing, projectSelect+` WHERE p.code = $1`, in.Code); err != nil {
			return fmt.Errorf("register project %s: %w", in.Code, err)
		}
		existing.CompletedOn = ledger.Civil(existing.CompletedOn)
		if !sameProject(existing, in, district) {
			return fmt.Errorf("%w: register project %s: a project with this code is registered with other data", ErrExists, in.Code)
		}
		return nil
	}
	for src, party := range in.Parties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_parties (project, source, party) VALUES ($1, $2, $3)`, in.Code, src, party); err != nil {
			return fmt.Errorf("register project %s: party %s: %w", in.Code, src, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO project_events (project, status, effective_on, actor, note) VALUES ($1, $2, $3, $4, 'registered')`,
		in.Code, StatusPlanned, ledger.Civil(on).Format(ledger.DateLayout), actor)
	if err != nil {
		return fmt.Errorf("register project %s: %w", in.Code, err)
	}
	return nil
}

func sameProject(e Project, in ProjectInput, district string) bool {
	return e.Name == in.Name && e.District == district && e.Address == in.Address && e.CompletedOn.Equal(ledger.Civil(in.CompletedOn)) &&
		e.StateOwnedLand == in.StateOwnedLand && e.SlatedForDemolition == in.SlatedForDemolition && e.Households == in.Households &&
		e.FloorAreaM2.Equal(in.FloorAreaM2) && e.Buildings == in.Buildings && e.Elevators == in.Elevators && e.PlanYear == in.PlanYear
}

const projectSelect = `
	SELECT p.code, p.name, p.district, d.name_zh AS district_name, p.address, p.completed_on, p.state_owned_land,
	       p.slated_for_demolition, p.households, p.floor_area_m2, p.buildings, p.elevators, p.plan_year, p.priority,
	       s.status, s.effective_on AS status_on
	  FROM projects p JOIN districts d ON d.code = p.district
	  JOIN LATERAL (SELECT status, effective_on FROM project_events e WHERE e.project = p.code ORDER BY e.id DESC LIMIT 1) s ON true`

// Project returns a project with its current status and named parties.
func (p *Programme) Project(ctx context.Context, code string) (Project, error) {
	var out Project
	err := p.db.GetContext(ctx, &out, projectSelect+` WHERE p.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Project{}, fmt.Errorf("project %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return Project{}, fmt.Errorf("project %s: %w", code, err)
	}
	out.CompletedOn, out.StatusOn = ledger.Civil(out.CompletedOn), ledger.Civil(out.StatusOn)
	var parties []struct {
		Source string `db:"source"`
		Party  string `db:"party"`
	}
	if err := p.db.SelectContext(ctx, &parties, `SELECT source, party FROM project_parties WHERE project = $1`, code); err != nil {
		return Project{}, fmt.Errorf("project %s: parties: %w", code, err)
	}
	for _, x := range parties {
		if out.Parties == nil {
			out.Parties = map[string]string{}
		}
		out.Parties[x.Source] = x.Party
	}
	return out, nil
}

// ProjectFilter selects projects; zero fields match all.
type ProjectFilter struct {
	District string // code
	PlanYear int
	Limit    int // at most MaxProjects
	// Districts narrows the listing to these district codes (a reader's
	// granted districts, a handful); nil: every district.
	Districts []string
	// ByCode orders by code alone, after the code After (paging); else by
	// district and code.
	ByCode bool
	After  string
	// Search matches the code, name or address (case-insensitive
	// substring); Status the lifecycle status.
	Search, Status string
}

// MaxProjects bounds a project listing.
const MaxProjects = 100000

// Projects lists projects by district and code.
func (p *Programme) Projects(ctx context.Context, f ProjectFilter) ([]Project, error) {
	limit := f.Limit
	if limit <= 0 || limit > MaxProjects {
		limit = MaxProjects
	}
	order := "p.district, p.code"
	if f.ByCode {
		order = "p.code"
	}
	var out []Project
	err := p.db.SelectContext(ctx, &out, projectSelect+`
		WHERE ($1 = '' OR p.district = $1) AND ($2 = 0 OR p.plan_year = $2)
		  AND ($4::text[] IS NULL OR p.district = ANY($4::text[])) AND p.code > $5
		  AND ($6 = '' OR strpos(lower(p.code || ' ' || p.name || ' ' || p.address), lower($6)) > 0)
		  AND ($7 = '' OR s.status = $7)
		ORDER BY `+order+` LIMIT $3`, f.District, f.PlanYear, limit, pq.Array(f.Districts), f.After, f.Search, f.Status)
	if err != nil {
		return nil, fmt.Errorf("projects: %w", err)
	}
	for i := range out {
		out[i].CompletedOn, out[i].StatusOn = ledger.Civil(out[i].CompletedOn), ledger.Civil(out[i].StatusOn)
	}
	return out, nil
}

// SetStatus moves a project one or more steps forward in its lifecycle
// (planned → approved → under_way → completed → accepted), never back.
// Setting the status it already has changes nothing.
func (p *Programme) SetStatus(ctx context.Context, code, status string, on time.Time, actor, note string) error {
	return p.ledger.InTx(ctx, func(tx *sqlx.Tx) error { return setStatus(ctx, tx, code, status, on, actor, note) })
}

func setStatus(ctx context.Context, tx *sqlx.Tx, code, status string, on time.Time, actor, note string) error {
	if statusRank(status) < 0 {
		return fmt.Errorf("%w: project %s: unknown status %q (want one of %s)", ErrInvalid, code, status, strings.Join(statusOrder, ", "))
	}
	var cur string
	// Lock the project's row so two status changes do not interleave.
	err := tx.GetContext(ctx, &cur, `
		SELECT (SELECT status FROM project_events e WHERE e.project = p.code ORDER BY e.id DESC LIMIT 1)
		  FROM projects p WHERE p.code = $1 FOR SHARE`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("project %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if cur == status {
		return nil
	}
	if statusRank(status) < statusRank(cur) {
		return fmt.Errorf("%w: project %s is %s; it cannot go back to %s", ErrStatus, code, cur, status)
	}
	if on.IsZero() {
		on = time.Now().UTC()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO project_events (project, status, effective_on, actor, note) VALUES ($1, $2, $3, $4, $5)`,
		code, status, ledger.Civil(on).Format(ledger.DateLayout), actor, note)
	return err
}

// projectsOf returns the registered projects among codes (at most
// MaxBatchItems), with their parties, in two queries; a code not
// registered is absent.
func (p *Programme) projectsOf(ctx context.Context, codes []string) (map[string]Project, error) {
	if len(codes) > MaxBatchItems {
		return nil, fmt.Errorf("%w: %d projects: at most %d at a time", ErrInvalid, len(codes), MaxBatchItems)
	}
	var ps []Project
	if err := p.db.SelectContext(ctx, &ps, projectSelect+` JOIN unnest($1::text[]) AS u(code) ON u.code = p.code`, pq.Array(codes)); err != nil {
		return nil, fmt.Errorf("projects: %w", err)
	}
	out := make(map[string]Project, len(ps))
	for _, pr := range ps {
		pr.CompletedOn, pr.StatusOn = ledger.Civil(pr.CompletedOn), ledger.Civil(pr.StatusOn)
		out[pr.Code] = pr
	}
	var parties []struct {
		Project string `db:"project"`
		Source  string `db:"source"`
		Party   string `db:"party"`
	}
	if err := p.db.SelectContext(ctx, &parties, `SELECT x.project, x.source, x.party FROM project_parties x
		JOIN unnest($1::text[]) AS u(code) ON u.code = x.project`, pq.Array(codes)); err != nil {
		return nil, fmt.Errorf("projects: parties: %w", err)
	}
	for _, x := range parties {
		pr := out[x.Project]
		if pr.Parties == nil {
			pr.Parties = map[string]string{}
		}
		pr.Parties[x.Source] = x.Party
		out[x.Project] = pr
	}
	return out, nil
}
