package funding

// The plan table in the database: importing a validated plan file
// (plan_imports, plan_targets) and measuring the registered projects against
// the plan in force and its milestones.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// PlanMilestone is one of the plan's milestones: by the end of Year (Due),
// at least Pct percent of ALL planned communities must be done, counted
// cumulatively from the start of the plan.
type PlanMilestone struct {
	Year int             `json:"year"`
	Due  time.Time       `json:"due"` // last day of Year
	Pct  decimal.Decimal `json:"pct"` // minimum cumulative share, in percent
}

// PlanMilestones are the milestones of the implementation plan (实施方案):
// at least 20% of all communities renovated by the end of 2020, at least 60%
// cumulatively by the end of 2023, all of them by the end of 2025.
var PlanMilestones = []PlanMilestone{
	{Year: 2020, Due: ledger.Date(2020, 12, 31), Pct: decimal.NewFromInt(20)},
	{Year: 2023, Due: ledger.Date(2023, 12, 31), Pct: decimal.NewFromInt(60)},
	{Year: 2025, Due: ledger.Date(2025, 12, 31), Pct: decimal.NewFromInt(100)},
}

// MaxPlanTargets bounds the rows of one stored plan (six districts and a
// total over six years is 42).
const MaxPlanTargets = 10000

// PlanFigures are the three measures of the plan table: communities (for
// projects: the number of projects, one project being one community),
// households and floor area.
type PlanFigures struct {
	Communities int             `json:"communities"`
	Households  int             `json:"households"`
	FloorAreaM2 decimal.Decimal `json:"floor_area_m2"`
}

func (f *PlanFigures) add(o PlanFigures) {
	f.Communities += o.Communities
	f.Households += o.Households
	f.FloorAreaM2 = f.FloorAreaM2.Add(o.FloorAreaM2)
}

// Equal reports whether two sets of figures are the same (areas compared
// as numbers: 1.5 equals 1.50).
func (f PlanFigures) Equal(o PlanFigures) bool {
	return f.Communities == o.Communities && f.Households == o.Households && f.FloorAreaM2.Equal(o.FloorAreaM2)
}

// PlanYearTotal is one year of an imported plan: the sum of its district
// rows, and the 总计 row as stated in the file (nil when the file has none).
type PlanYearTotal struct {
	Year      int          `json:"year"`
	Districts PlanFigures  `json:"districts"`            // sum of the district rows
	Stated    *PlanFigures `json:"stated,omitempty"`     // the 总计 row
	StatedRow int          `json:"stated_row,omitempty"` // its row in the file
	Agrees    bool         `json:"agrees"`               // Stated equals Districts
}

// PlanImportWarning is a PlanWarning as stored with an import (File is the
// base name of the file imported).
type PlanImportWarning struct {
	File    string `json:"file"`
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (w PlanImportWarning) String() string {
	return PlanWarning{File: w.File, Row: w.Row, Field: w.Field, Message: w.Message}.String()
}

// PlanImportResult describes a stored plan import.
type PlanImportResult struct {
	ImportID     int64     `json:"import_id"`
	File         string    `json:"file"` // base name of the file first imported with this content
	SHA256       string    `json:"sha256"`
	ImportedAt   time.Time `json:"imported_at"`
	ImportedBy   string    `json:"imported_by"`
	DistrictRows int       `json:"district_rows"`
	TotalRows    int       `json:"total_rows"` // 总计 rows
	// Sum of all district rows (总计 rows excluded).
	Sum      PlanFigures         `json:"sum"`
	Years    []PlanYearTotal     `json:"years"`
	Warnings []PlanImportWarning `json:"warnings"`
	// AlreadyImported is set when a table with the same content (SHA256
	// of the parsed rows) had been imported before: no new import was
	// stored, the earlier import is returned (and made current again if
	// it was not: Reactivated).
	AlreadyImported bool `json:"already_imported"`
	Reactivated     bool `json:"reactivated,omitempty"`
	// InForce is set when this import is the plan in force (the one most
	// recently imported, re-imported or chosen with ActivatePlan).
	InForce bool `json:"in_force"`
	// ControlTotalAccepted is the reason given for accepting a table whose
	// 总计 rows disagree with its district rows; empty when they agree.
	ControlTotalAccepted string `json:"control_total_accepted,omitempty"`
}

// PlanImportOptions are the choices of ImportPlanWith.
type PlanImportOptions struct {
	Actor string
	// AcceptControlTotalMismatch: see PlanReadOptions. The reason is
	// stored with the import.
	AcceptControlTotalMismatch string
}

// ImportPlan is ImportPlanWith without accepting control totals that
// disagree.
func (p *Programme) ImportPlan(ctx context.Context, path string, actor string) (PlanImportResult, error) {
	return p.ImportPlanWith(ctx, path, PlanImportOptions{Actor: actor})
}

// ImportPlanWith reads and validates a plan file and stores it as a new
// import, which becomes the plan in force. A file with any error — a 总计
// figure that disagrees with its district rows included, unless accepted
// with a reason — is refused whole and its PlanErrors returned unchanged.
// The identity of an import is its parsed content, not its bytes: content
// already stored (with a BOM or not, CRLF or LF, GBK, XLSX, another file
// name) stores nothing new and returns the earlier import with
// AlreadyImported set; if another import had superseded it, it becomes
// the plan in force again (Reactivated, recorded in plan_activations).
// Concurrent imports of the same content store it once.
func (p *Programme) ImportPlanWith(ctx context.Context, path string, o PlanImportOptions) (PlanImportResult, error) {
	actor := o.Actor
	if strings.TrimSpace(actor) == "" {
		return PlanImportResult{}, fmt.Errorf("%w: import plan %s: actor is required", ErrInvalid, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("read plan file: %w", err)
	}
	t, err := ReadPlanWith(path, f, PlanReadOptions{AcceptControlTotalMismatch: o.AcceptControlTotalMismatch})
	f.Close()
	if err != nil {
		return PlanImportResult{}, err
	}
	if n := len(t.Rows) + len(t.Totals); n > MaxPlanTargets {
		return PlanImportResult{}, fmt.Errorf("%w: import plan %s: %d rows, at most %d", ErrInvalid, path, n, MaxPlanTargets)
	}
	base := filepath.Base(path)
	warnings := make([]PlanImportWarning, len(t.Warnings))
	for i, w := range t.Warnings {
		warnings[i] = PlanImportWarning{File: base, Row: w.Row, Field: w.Field, Message: w.Message}
	}
	warnJSON, err := json.Marshal(warnings)
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("import plan %s: warnings: %w", path, err)
	}

	var accepted sql.NullString
	if t.AcceptedMismatch != "" {
		accepted = sql.NullString{String: t.AcceptedMismatch, Valid: true}
	}
	var id int64
	already, reactivated := false, false
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		already, reactivated = false, false
		// ON CONFLICT DO NOTHING waits for a concurrent import of the same
		// content to finish; if it committed, no row is returned and the
		// SELECT below (a new snapshot under READ COMMITTED) sees its row.
		err := tx.GetContext(ctx, &id, `
			INSERT INTO plan_imports (file_name, sha256, warnings, imported_by, control_total_accepted) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sha256) DO NOTHING RETURNING id`, base, t.SHA256, string(warnJSON), actor, accepted)
		if errors.Is(err, sql.ErrNoRows) {
			already = true
			if err := tx.GetContext(ctx, &id, `SELECT id FROM plan_imports WHERE sha256 = $1`, t.SHA256); err != nil {
				return err
			}
			reactivated, err = activatePlan(ctx, tx, id, "re-import", "", actor)
			return err
		}
		if err != nil {
			return err
		}
		if _, err := activatePlan(ctx, tx, id, "import", "", actor); err != nil {
			return err
		}
		ins := func(r PlanRow, total bool) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO plan_targets (import_id, district, year, communities, households, floor_area_m2, is_total, source_row)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				id, r.District, r.Year, r.Communities, r.Households, r.FloorAreaM2.String(), total, r.Row)
			return err
		}
		for _, r := range t.Rows {
			if err := ins(r, false); err != nil {
				return err
			}
		}
		for _, r := range t.Totals {
			if err := ins(r, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("import plan %s: %w", path, err)
	}
	res, err := p.PlanImport(ctx, id)
	if err != nil {
		return PlanImportResult{}, err
	}
	res.AlreadyImported, res.Reactivated = already, reactivated
	if !already {
		// Postcondition: what was stored is what was read.
		s := t.Sum()
		if res.DistrictRows != len(t.Rows) || res.TotalRows != len(t.Totals) ||
			!res.Sum.Equal(PlanFigures{Communities: s.Communities, Households: s.Households, FloorAreaM2: s.FloorAreaM2}) {
			return PlanImportResult{}, fmt.Errorf("import plan %s: stored import %d does not match the file (%d/%d rows stored, %d/%d read)",
				path, id, res.DistrictRows, res.TotalRows, len(t.Rows), len(t.Totals))
		}
	}
	return res, nil
}

// planInForce is the import most recently made the plan in force.
const planInForce = `(SELECT import_id FROM plan_activations ORDER BY id DESC LIMIT 1)`

// activatePlan makes import id the plan in force unless it is already;
// changed reports whether it was not (an activation was recorded).
func activatePlan(ctx context.Context, tx *sqlx.Tx, id int64, how, reason, actor string) (changed bool, err error) {
	// One activation at a time, so "already in force" is decided on the
	// latest row (a no-op on the plan_imports row).
	if _, err := tx.ExecContext(ctx, `LOCK TABLE plan_activations IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return false, err
	}
	var current sql.NullInt64
	if err := tx.GetContext(ctx, &current, `SELECT `+planInForce); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if current.Valid && current.Int64 == id {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO plan_activations (import_id, how, reason, activated_by) VALUES ($1, $2, $3, $4)`,
		id, how, reason, actor)
	return err == nil, err
}

// ActivatePlan makes an earlier import the plan in force again (plan use),
// recording who did it and why. Making the plan in force current changes
// nothing.
func (p *Programme) ActivatePlan(ctx context.Context, importID int64, actor, reason string) (PlanImportResult, error) {
	if strings.TrimSpace(actor) == "" {
		return PlanImportResult{}, fmt.Errorf("%w: use plan import %d: actor is required", ErrInvalid, importID)
	}
	if strings.TrimSpace(reason) == "" || !utf8.ValidString(reason) || len(reason) > MaxPlanAcceptReason {
		return PlanImportResult{}, fmt.Errorf("%w: use plan import %d: a reason is required (UTF-8, at most %d bytes)", ErrInvalid, importID, MaxPlanAcceptReason)
	}
	changed := false
	err := p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM plan_imports WHERE id = $1`, importID); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("plan import %d: %w", importID, ErrNotFound)
		}
		var err error
		changed, err = activatePlan(ctx, tx, importID, "use", reason, actor)
		return err
	})
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("use plan import %d: %w", importID, err)
	}
	res, err := p.PlanImport(ctx, importID)
	res.Reactivated = changed
	return res, err
}

// MaxPlanImportsListed bounds PlanImports.
const MaxPlanImportsListed = 1000

// PlanImports lists the stored imports, newest first (without their
// year totals), at most MaxPlanImportsListed.
func (p *Programme) PlanImports(ctx context.Context) ([]PlanImportResult, error) {
	var rows []planImportRow
	if err := p.db.SelectContext(ctx, &rows, planImportSelect+` ORDER BY id DESC LIMIT $1`, MaxPlanImportsListed); err != nil {
		return nil, fmt.Errorf("plan imports: %w", err)
	}
	out := make([]PlanImportResult, len(rows))
	for i, r := range rows {
		out[i] = PlanImportResult{ImportID: r.ID, File: r.FileName, SHA256: r.SHA256, ImportedAt: r.ImportedAt, ImportedBy: r.ImportedBy,
			InForce: r.InForce, ControlTotalAccepted: r.Accepted.String}
	}
	return out, nil
}

type planImportRow struct {
	ID         int64          `db:"id"`
	FileName   string         `db:"file_name"`
	SHA256     string         `db:"sha256"`
	Warnings   []byte         `db:"warnings"`
	ImportedAt time.Time      `db:"imported_at"`
	ImportedBy string         `db:"imported_by"`
	InForce    bool           `db:"in_force"`
	Accepted   sql.NullString `db:"control_total_accepted"`
}

type planTargetRow struct {
	District    string          `db:"district"`
	Year        int             `db:"year"`
	Communities int             `db:"communities"`
	Households  int             `db:"households"`
	FloorAreaM2 decimal.Decimal `db:"floor_area_m2"`
	IsTotal     bool            `db:"is_total"`
	SourceRow   int             `db:"source_row"`
}

func (r planTargetRow) figures() PlanFigures {
	return PlanFigures{Communities: r.Communities, Households: r.Households, FloorAreaM2: r.FloorAreaM2}
}

const planImportSelect = `
	SELECT id, file_name, sha256, warnings, imported_at, imported_by, control_total_accepted,
	       id IS NOT DISTINCT FROM ` + planInForce + ` AS in_force
	  FROM plan_imports`

func planTargets(ctx context.Context, db sqlx.QueryerContext, importID int64) ([]planTargetRow, error) {
	var rows []planTargetRow
	err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT district, year, communities, households, floor_area_m2, is_total, source_row
		  FROM plan_targets WHERE import_id = $1 ORDER BY source_row LIMIT $2`, importID, MaxPlanTargets)
	return rows, err
}

// PlanImport returns a stored import with its counts, sums and warnings.
func (p *Programme) PlanImport(ctx context.Context, id int64) (PlanImportResult, error) {
	var imp planImportRow
	err := p.db.GetContext(ctx, &imp, planImportSelect+` WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return PlanImportResult{}, fmt.Errorf("plan import %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("plan import %d: %w", id, err)
	}
	targets, err := planTargets(ctx, p.db, id)
	if err != nil {
		return PlanImportResult{}, fmt.Errorf("plan import %d: targets: %w", id, err)
	}
	res := PlanImportResult{ImportID: imp.ID, File: imp.FileName, SHA256: imp.SHA256, ImportedAt: imp.ImportedAt,
		ImportedBy: imp.ImportedBy, InForce: imp.InForce, Warnings: []PlanImportWarning{}, ControlTotalAccepted: imp.Accepted.String}
	if err := json.Unmarshal(imp.Warnings, &res.Warnings); err != nil {
		return PlanImportResult{}, fmt.Errorf("plan import %d: stored warnings: %w", id, err)
	}
	years := map[int]*PlanYearTotal{}
	year := func(y int) *PlanYearTotal {
		if years[y] == nil {
			years[y] = &PlanYearTotal{Year: y}
		}
		return years[y]
	}
	for _, r := range targets {
		yt := year(r.Year)
		if r.IsTotal {
			res.TotalRows++
			f := r.figures()
			yt.Stated, yt.StatedRow = &f, r.SourceRow
			continue
		}
		res.DistrictRows++
		res.Sum.add(r.figures())
		yt.Districts.add(r.figures())
	}
	for _, yt := range years {
		yt.Agrees = yt.Stated != nil && yt.Stated.Equal(yt.Districts)
		res.Years = append(res.Years, *yt)
	}
	sort.Slice(res.Years, func(i, j int) bool { return res.Years[i].Year < res.Years[j].Year })
	return res, nil
}

// PlanProgressRow is one district row of the plan in force (one district,
// one year) against the projects registered for that district and plan
// year, by their status as of the report date.
type PlanProgressRow struct {
	District     string      `json:"district"`      // as written in the plan table (区市)
	DistrictCode string      `json:"district_code"` // "" when no district has this Chinese name
	DistrictEn   string      `json:"district_en"`
	Year         int         `json:"year"`
	SourceRow    int         `json:"source_row"` // 0 for projects outside the plan
	Planned      PlanFigures `json:"planned"`
	Approved     PlanFigures `json:"approved"`  // projects approved or later
	Completed    PlanFigures `json:"completed"` // projects completed or later (a subset of Approved)
	// CompletedPct is Completed.Communities / Planned.Communities in percent
	// (two decimals, half-up); nil when nothing is planned.
	CompletedPct *decimal.Decimal `json:"completed_pct,omitempty"`
}

// Milestone verdicts.
const (
	MilestoneMet        = "met"
	MilestoneMissed     = "missed"
	MilestoneNotYetDue  = "not_yet_due"
	MilestoneNoPlanData = "no_plan" // the plan plans no community at all
)

// PlanMilestoneProgress is one milestone measured twice: on the plan table
// itself (does the plan schedule enough communities by then?) and on the
// projects actually completed.
type PlanMilestoneProgress struct {
	PlanMilestone
	PlannedTotal      int `json:"planned_total"`      // all communities of the plan (district rows)
	PlannedCumulative int `json:"planned_cumulative"` // planned in the years up to and including Year
	// PlanPct is PlannedCumulative / PlannedTotal in percent, two decimals
	// rounded half-up; PlanMeets compares the exact fraction, not the
	// rounded figure, with Pct.
	PlanPct   decimal.Decimal `json:"plan_pct"`
	PlanMeets bool            `json:"plan_meets"`
	// Actual progress: projects of the plan's districts and years whose
	// status was completed or accepted on CountedOn. CountedOn is Due when
	// the report date is on or after it, else the report date itself
	// (ActualStatus not_yet_due, the share so far).
	CountedOn       time.Time       `json:"counted_on"`
	ActualCompleted int             `json:"actual_completed"`
	ActualPct       decimal.Decimal `json:"actual_pct"`
	ActualStatus    string          `json:"actual_status"` // met, missed, not_yet_due, no_plan
}

// PlanProgress is the plan in force against the registered projects.
type PlanProgress struct {
	AsOf       time.Time `json:"as_of"`
	ImportID   int64     `json:"import_id"`
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
	// Rows are the district rows of the plan, in file order.
	Rows []PlanProgressRow `json:"rows"`
	// Total sums Rows.
	Total PlanProgressRow `json:"total"`
	// Unplanned are projects (approved or later) of a district and plan
	// year that the plan has no row for; they count in no milestone.
	Unplanned []PlanProgressRow `json:"unplanned"`
	// UnknownDistricts are names in the plan table that match no district
	// (districts.name_zh); their rows can have no projects.
	UnknownDistricts []string                `json:"unknown_districts"`
	Milestones       []PlanMilestoneProgress `json:"milestones"`
}

// Percent returns part/whole in percent, rounded to two decimals half-up
// (shopspring's DivRound rounds half away from zero, which for the
// non-negative counts here is half-up: 95/548 = 17.33576… → 17.34). ok is
// false when whole is 0.
func Percent(part, whole int) (pct decimal.Decimal, ok bool) {
	if whole == 0 {
		return decimal.Zero, false
	}
	return decimal.NewFromInt(int64(part)).Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(int64(whole)), 2), true
}

// atLeastPct reports whether part/whole ≥ pct/100, exactly (no rounding).
func atLeastPct(part, whole int, pct decimal.Decimal) bool {
	return decimal.NewFromInt(int64(part)).Mul(decimal.NewFromInt(100)).GreaterThanOrEqual(pct.Mul(decimal.NewFromInt(int64(whole))))
}

// progressKey identifies a plan row: the district as written in the table
// (projects: their district's Chinese name) and the year.
type progressKey struct {
	district string
	year     int
}

type progressAgg struct {
	code, nameEn        string
	approved, completed PlanFigures
}

// progressOn aggregates the projects by district (Chinese name) and plan
// year, by their status on each of the days: the status of their latest
// event (highest id) effective on or before that day. Statuses only move
// forward (statusOrder), so that is the furthest status reached by then,
// even when an event was recorded with an earlier date than the one before
// it: a project counts as approved on a day when one of its events of
// approved or later is effective by then, and completed likewise. One pass
// over the events gives each project those two first days, whatever the
// number of days asked for. Projects without any event by then (registered
// later) are not counted.
func (p *Programme) progressOn(ctx context.Context, days ...time.Time) (map[time.Time]map[progressKey]*progressAgg, error) {
	var approved, completed []string
	for _, st := range statusOrder {
		if statusRank(st) >= statusRank(StatusApproved) {
			approved = append(approved, st)
		}
		if statusRank(st) >= statusRank(StatusCompleted) {
			completed = append(completed, st)
		}
	}
	var dayList []string
	for _, d := range days {
		dayList = append(dayList, d.Format(ledger.DateLayout))
	}
	var rows []struct {
		Day                  time.Time       `db:"day"`
		District             string          `db:"district"`
		Code                 string          `db:"code"`
		NameEn               string          `db:"name_en"`
		Year                 int             `db:"plan_year"`
		Approved             int             `db:"approved"`
		ApprovedHouseholds   int             `db:"approved_households"`
		ApprovedFloorArea    decimal.Decimal `db:"approved_floor_area"`
		Completed            int             `db:"completed"`
		CompletedHouseholds  int             `db:"completed_households"`
		CompletedFloorAreaM2 decimal.Decimal `db:"completed_floor_area"`
	}
	err := p.db.SelectContext(ctx, &rows, `
		WITH f AS (
			SELECT project, min(effective_on) FILTER (WHERE status IN (SELECT unnest($2::text[]))) AS approved_on,
			       min(effective_on) FILTER (WHERE status IN (SELECT unnest($3::text[]))) AS completed_on
			  FROM project_events GROUP BY project)
		SELECT k.day, d.name_zh AS district, d.code, d.name_en, p.plan_year,
		       count(*) FILTER (WHERE f.approved_on <= k.day) AS approved,
		       coalesce(sum(p.households) FILTER (WHERE f.approved_on <= k.day), 0) AS approved_households,
		       coalesce(sum(p.floor_area_m2) FILTER (WHERE f.approved_on <= k.day), 0) AS approved_floor_area,
		       count(*) FILTER (WHERE f.completed_on <= k.day) AS completed,
		       coalesce(sum(p.households) FILTER (WHERE f.completed_on <= k.day), 0) AS completed_households,
		       coalesce(sum(p.floor_area_m2) FILTER (WHERE f.completed_on <= k.day), 0) AS completed_floor_area
		  FROM f JOIN projects p ON p.code = f.project JOIN districts d ON d.code = p.district
		 CROSS JOIN (SELECT DISTINCT unnest($1::date[]) AS day) k
		 WHERE f.approved_on <= k.day
		 GROUP BY k.day, d.name_zh, d.code, d.name_en, p.plan_year
		 LIMIT 100000`, pq.Array(dayList), pq.Array(approved), pq.Array(completed))
	if err != nil {
		return nil, fmt.Errorf("plan progress as of %s: %w", strings.Join(dayList, ", "), err)
	}
	out := map[time.Time]map[progressKey]*progressAgg{}
	for _, d := range days {
		out[d] = map[progressKey]*progressAgg{}
	}
	for _, r := range rows {
		day := ledger.Civil(r.Day)
		if out[day] == nil {
			out[day] = map[progressKey]*progressAgg{}
		}
		out[day][progressKey{r.District, r.Year}] = &progressAgg{code: r.Code, nameEn: r.NameEn,
			approved:  PlanFigures{Communities: r.Approved, Households: r.ApprovedHouseholds, FloorAreaM2: r.ApprovedFloorArea},
			completed: PlanFigures{Communities: r.Completed, Households: r.CompletedHouseholds, FloorAreaM2: r.CompletedFloorAreaM2}}
	}
	return out, nil
}

// PlanProgress measures the registered projects against the plan in force
// (the newest import) as of a date (zero: today, UTC): per district row of
// the plan, the projects of that district and plan year that were approved
// or later, and completed or later; then each milestone of PlanMilestones,
// on the plan table itself and on the completed projects. It fails with
// ErrNotFound when no plan has been imported.
func (p *Programme) PlanProgress(ctx context.Context, asOf time.Time) (PlanProgress, error) {
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	asOf = ledger.Civil(asOf)
	var imp planImportRow
	err := p.db.GetContext(ctx, &imp, planImportSelect+` WHERE id = `+planInForce)
	if errors.Is(err, sql.ErrNoRows) {
		return PlanProgress{}, fmt.Errorf("plan progress: no plan imported: %w", ErrNotFound)
	}
	if err != nil {
		return PlanProgress{}, fmt.Errorf("plan progress: %w", err)
	}
	targets, err := planTargets(ctx, p.db, imp.ID)
	if err != nil {
		return PlanProgress{}, fmt.Errorf("plan progress: targets of import %d: %w", imp.ID, err)
	}
	districts, err := Districts(ctx, p.db)
	if err != nil {
		return PlanProgress{}, fmt.Errorf("plan progress: %w", err)
	}
	byName := map[string]District{}
	for _, d := range districts {
		byName[d.NameZh] = d
	}
	// Today's figures and those of every milestone already due, in one pass.
	days := []time.Time{asOf}
	for _, m := range PlanMilestones {
		if !asOf.Before(m.Due) {
			days = append(days, m.Due)
		}
	}
	byDay, err := p.progressOn(ctx, days...)
	if err != nil {
		return PlanProgress{}, err
	}
	now := byDay[asOf]

	out := PlanProgress{AsOf: asOf, ImportID: imp.ID, File: imp.FileName, SHA256: imp.SHA256, ImportedAt: imp.ImportedAt,
		Rows: []PlanProgressRow{}, Unplanned: []PlanProgressRow{}, UnknownDistricts: []string{}}
	out.Total.District = PlanTotalLabel
	inPlan := map[progressKey]bool{}
	unknown := map[string]bool{}
	plannedByYear := map[int]int{}
	for _, t := range targets {
		if t.IsTotal {
			continue
		}
		k := progressKey{t.District, t.Year}
		inPlan[k] = true
		row := PlanProgressRow{District: t.District, Year: t.Year, SourceRow: t.SourceRow, Planned: t.figures()}
		if d, ok := byName[t.District]; ok {
			row.DistrictCode, row.DistrictEn = d.Code, d.NameEn
		} else if !unknown[t.District] {
			unknown[t.District] = true
			out.UnknownDistricts = append(out.UnknownDistricts, t.District)
		}
		if a := now[k]; a != nil {
			row.Approved, row.Completed = a.approved, a.completed
		}
		row.fillPct()
		out.Rows = append(out.Rows, row)
		out.Total.Planned.add(row.Planned)
		out.Total.Approved.add(row.Approved)
		out.Total.Completed.add(row.Completed)
		plannedByYear[t.Year] += t.Communities
	}
	out.Total.fillPct()
	for k, a := range now {
		if inPlan[k] {
			continue
		}
		row := PlanProgressRow{District: k.district, DistrictCode: a.code, DistrictEn: a.nameEn, Year: k.year,
			Approved: a.approved, Completed: a.completed}
		out.Unplanned = append(out.Unplanned, row)
	}
	sort.Slice(out.Unplanned, func(i, j int) bool {
		a, b := out.Unplanned[i], out.Unplanned[j]
		if a.DistrictCode != b.DistrictCode {
			return a.DistrictCode < b.DistrictCode
		}
		return a.Year < b.Year
	})

	// completedInPlan counts the completed-or-later projects that belong to
	// a row of the plan, whatever their plan year: a community planned for
	// 2021 but finished in 2020 counts towards the 2020 milestone.
	completedInPlan := func(agg map[progressKey]*progressAgg) int {
		n := 0
		for k, a := range agg {
			if inPlan[k] {
				n += a.completed.Communities
			}
		}
		return n
	}
	total := out.Total.Planned.Communities
	for _, m := range PlanMilestones {
		mp := PlanMilestoneProgress{PlanMilestone: m, PlannedTotal: total}
		for y, n := range plannedByYear {
			if y <= m.Year {
				mp.PlannedCumulative += n
			}
		}
		mp.PlanPct, _ = Percent(mp.PlannedCumulative, total)
		mp.PlanMeets = total > 0 && atLeastPct(mp.PlannedCumulative, total, m.Pct)
		if asOf.Before(m.Due) {
			mp.CountedOn = asOf
			mp.ActualCompleted = completedInPlan(now)
		} else {
			mp.CountedOn = m.Due
			mp.ActualCompleted = completedInPlan(byDay[m.Due])
		}
		mp.ActualPct, _ = Percent(mp.ActualCompleted, total)
		switch {
		case total == 0:
			mp.ActualStatus = MilestoneNoPlanData
		case asOf.Before(m.Due):
			mp.ActualStatus = MilestoneNotYetDue
		case atLeastPct(mp.ActualCompleted, total, m.Pct):
			mp.ActualStatus = MilestoneMet
		default:
			mp.ActualStatus = MilestoneMissed
		}
		out.Milestones = append(out.Milestones, mp)
	}
	return out, nil
}

func (r *PlanProgressRow) fillPct() {
	if pct, ok := Percent(r.Completed.Communities, r.Planned.Communities); ok {
		r.CompletedPct = &pct
	}
}
