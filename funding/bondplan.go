package funding

// Financing balance plans (预期收益与融资平衡方案) of bond-funded projects:
// expected revenue by year and kind. Read from JSON or CSV, stored as
// versions (a changed plan is a new version, the same plan again changes
// nothing).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fundledger/amount"
	"fundledger/internal/jsoninput"
	"fundledger/ledger"
)

// BondRevenueKind is a kind of project revenue that repays bonds.
type BondRevenueKind struct {
	Code, NameZH, NameEN string
}

var bondRevenueKinds = []BondRevenueKind{
	{"parking", "停车", "parking"},
	{"charging", "充电桩", "charging piles"},
	{"elevator", "电梯", "elevator fees"},
	{"rent", "配套用房租金", "rent of supporting buildings"},
	{"advertising", "广告", "advertising"},
	{"property", "物业经营", "property operation"},
}

// other Chinese names accepted for the kinds
var bondRevenueKindAliases = map[string]string{
	"停车费": "parking", "停车收入": "parking", "充电": "charging", "充电桩收入": "charging", "电梯费": "elevator",
	"电梯使用费": "elevator", "租金": "rent", "房屋租金": "rent", "广告费": "advertising", "物业": "property", "物业服务": "property",
}

// BondRevenueKinds lists the revenue kinds (a copy).
func BondRevenueKinds() []BondRevenueKind { return append([]BondRevenueKind(nil), bondRevenueKinds...) }

// LookupBondRevenueKind finds a kind by code or Chinese name.
func LookupBondRevenueKind(s string) (BondRevenueKind, bool) {
	s = strings.TrimSpace(s)
	if a, ok := bondRevenueKindAliases[s]; ok {
		s = a
	}
	for _, k := range bondRevenueKinds {
		if k.Code == s || k.NameZH == s || strings.EqualFold(k.NameEN, s) {
			return k, true
		}
	}
	return BondRevenueKind{}, false
}

func bondRevenueKindList() string {
	var s []string
	for _, k := range bondRevenueKinds {
		s = append(s, k.Code+" "+k.NameZH)
	}
	return strings.Join(s, ", ")
}

func bondRevenueKindOrder(code string) int {
	for i, k := range bondRevenueKinds {
		if k.Code == code {
			return i
		}
	}
	return len(bondRevenueKinds)
}

// BondRevenuePlanLine is one year and kind of a project's expected revenue.
type BondRevenuePlanLine struct {
	Project string          `db:"project" json:"project,omitempty"`
	Year    int             `db:"year" json:"year"`
	Kind    string          `db:"kind" json:"kind"`
	Amount  decimal.Decimal `db:"amount" json:"amount"`
	Row     int             `db:"-" json:"-"` // where it was read (1-based; CSV header is row 1)
}

// bondPlanAmount is how a financing balance plan writes an amount: a plain
// decimal, "," between groups of three digits allowed. Places are checked
// with the plan's other rules (checkPlanLines), so every line is reported.
var bondPlanAmount = amount.Format{Places: 8, Thousands: ',', Negative: true}

// Limits on a plan file.
const (
	MaxBondPlanFileBytes = 8 << 20
	MaxBondPlanLines     = 20000
	maxBondPlanErrors    = 50
)

// ParseBondRevenuePlan reads expected revenue lines from JSON or CSV (the
// format is detected: JSON starts with [ or {).
//
// JSON: an array of {"project": "...", "year": 2022, "kind": "parking",
// "amount": "120000.00"}, or an object {"project": "...", "lines": [{"year":
// …, "kind": …, "amount": …}]}, or an array of such objects.
//
// CSV (UTF-8, with or without BOM, or GBK): a header naming the columns
// project/项目编号, year/年度, kind/收入类型, amount/预期收入 in any order, one
// line per project, year and kind. Kinds are codes or Chinese names (停车,
// 充电桩, 电梯, 配套用房租金, 广告, 物业经营). Amounts are yuan, ≥ 0, at most
// two decimals. Every error names the file and the row (or JSON item).
func ParseBondRevenuePlan(name string, data []byte) ([]BondRevenuePlanLine, error) {
	if len(data) > MaxBondPlanFileBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrInvalid, name, MaxBondPlanFileBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	var lines []BondRevenuePlanLine
	var err error
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		lines, err = parseBondPlanJSON(name, trimmed)
	} else {
		lines, err = parseBondPlanCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: %s: no plan lines", ErrInvalid, name)
	}
	if len(lines) > MaxBondPlanLines {
		return nil, fmt.Errorf("%w: %s: %d lines, at most %d", ErrInvalid, name, len(lines), MaxBondPlanLines)
	}
	var errs []string
	seen := map[string]int{}
	for i := range lines {
		l := &lines[i]
		where := fmt.Sprintf("%s: row %d", name, l.Row)
		if l.Project = strings.TrimSpace(l.Project); l.Project == "" {
			errs = append(errs, where+": project is empty")
		}
		if l.Year < 2000 || l.Year > 2100 {
			errs = append(errs, fmt.Sprintf("%s: year %d: want 2000 to 2100", where, l.Year))
		}
		if k, ok := LookupBondRevenueKind(l.Kind); ok {
			l.Kind = k.Code
		} else {
			errs = append(errs, fmt.Sprintf("%s: kind %q: want one of %s", where, l.Kind, bondRevenueKindList()))
		}
		if l.Amount.IsNegative() || !l.Amount.Equal(l.Amount.Truncate(2)) || l.Amount.GreaterThanOrEqual(decimal.New(1, 15)) {
			errs = append(errs, fmt.Sprintf("%s: amount %s: want yuan ≥ 0 with at most two decimals", where, l.Amount))
		}
		key := fmt.Sprintf("%s\x00%d\x00%s", l.Project, l.Year, l.Kind)
		if j, dup := seen[key]; dup {
			errs = append(errs, fmt.Sprintf("%s: project %s, %d, %s repeats row %d", where, l.Project, l.Year, l.Kind, j))
		}
		seen[key] = l.Row
		if len(errs) >= maxBondPlanErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return lines, nil
}

type bondPlanJSONDoc struct {
	Project string                `json:"project"`
	Lines   []BondRevenuePlanLine `json:"lines"`
	Year    int                   `json:"year"`
	Kind    string                `json:"kind"`
	Amount  *decimal.Decimal      `json:"amount"`
}

func parseBondPlanJSON(name string, data []byte) ([]BondRevenuePlanLine, error) {
	// Strict: unknown fields, invalid UTF-8, lone surrogates and amounts
	// that are not plain decimals are refused with line:col.
	docs, err := jsoninput.DecodeList[bondPlanJSONDoc](name, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var out []BondRevenuePlanLine
	for i, d := range docs {
		switch {
		case d.Lines != nil:
			for j, l := range d.Lines {
				if l.Project == "" {
					l.Project = d.Project
				}
				l.Row = len(out) + 1
				if l.Project != d.Project {
					return nil, fmt.Errorf("%w: %s: item %d, line %d: project %q inside the plan of %q", ErrInvalid, name, i+1, j+1, l.Project, d.Project)
				}
				out = append(out, l)
			}
		case d.Amount != nil:
			out = append(out, BondRevenuePlanLine{Project: d.Project, Year: d.Year, Kind: d.Kind, Amount: *d.Amount, Row: len(out) + 1})
		default:
			return nil, fmt.Errorf("%w: %s: item %d: want {project, year, kind, amount} or {project, lines}", ErrInvalid, name, i+1)
		}
	}
	return out, nil
}

var bondPlanHeaders = map[string]string{
	"project": "project", "项目": "project", "项目编号": "project", "项目代码": "project",
	"year": "year", "年度": "year", "年份": "year",
	"kind": "kind", "收入类型": "kind", "类型": "kind", "收益类型": "kind",
	"amount": "amount", "预期收入": "amount", "金额": "amount", "预期收益": "amount",
}

func parseBondPlanCSV(name string, data []byte) ([]BondRevenuePlanLine, error) {
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: neither UTF-8 nor GBK text", ErrInvalid, name)
		}
		// The GBK decoder turns bytes that are not GBK into U+FFFD.
		if i := bytes.IndexRune(dec, utf8.RuneError); i >= 0 {
			return nil, fmt.Errorf("%w: %s: row %d: text is neither UTF-8 nor GBK", ErrInvalid, name, 1+bytes.Count(dec[:i], []byte("\n")))
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: header: %v", ErrInvalid, name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		f, ok := bondPlanHeaders[strings.ToLower(h)]
		if !ok {
			return nil, fmt.Errorf("%w: %s: row 1, column %d: unknown column %q (want project, year, kind, amount or 项目编号, 年度, 收入类型, 预期收入)",
				ErrInvalid, name, i+1, h)
		}
		if _, dup := col[f]; dup {
			return nil, fmt.Errorf("%w: %s: row 1: column %s appears twice", ErrInvalid, name, f)
		}
		col[f] = i
	}
	for _, f := range []string{"project", "year", "kind", "amount"} {
		if _, ok := col[f]; !ok {
			return nil, fmt.Errorf("%w: %s: row 1: column %s is missing", ErrInvalid, name, f)
		}
	}
	var out []BondRevenuePlanLine
	var errs []string
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: row %d: %v", ErrInvalid, name, row, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(head) {
			errs = append(errs, fmt.Sprintf("%s: row %d: %d cells, the header has %d", name, row, len(rec), len(head)))
			continue
		}
		l := BondRevenuePlanLine{Project: strings.TrimSpace(rec[col["project"]]), Kind: strings.TrimSpace(rec[col["kind"]]), Row: row}
		y, yerr := strconv.Atoi(strings.TrimSpace(rec[col["year"]]))
		if yerr != nil {
			errs = append(errs, fmt.Sprintf("%s: row %d, year: %q is not a year", name, row, rec[col["year"]]))
		}
		l.Year = y
		amt, aerr := bondPlanAmount.Parse(strings.TrimSpace(rec[col["amount"]]))
		if aerr != nil {
			errs = append(errs, fmt.Sprintf("%s: row %d, amount: %v", name, row, aerr))
		}
		l.Amount = amt
		if yerr == nil && aerr == nil {
			out = append(out, l)
		}
		if len(errs) >= maxBondPlanErrors || len(out) > MaxBondPlanLines {
			break
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return out, nil
}

// BondRevenuePlan is a stored plan version of one project.
type BondRevenuePlan struct {
	ID          int64                 `json:"id"`
	Project     string                `json:"project"`
	Version     int                   `json:"version"`
	EffectiveOn time.Time             `json:"effective_on"`
	ContentHash string                `json:"content_hash"`
	FileName    string                `json:"file_name"`
	Total       decimal.Decimal       `json:"total"`
	Lines       []BondRevenuePlanLine `json:"lines"`
	// Unchanged: the same lines were already the project's newest version.
	Unchanged bool `json:"unchanged,omitempty"`
}

// bondPlanHash is the SHA-256 of a project's lines in a canonical form
// (sorted by year and kind, amounts to the fen).
func bondPlanHash(lines []BondRevenuePlanLine) string {
	ls := append([]BondRevenuePlanLine(nil), lines...)
	sortBondPlanLines(ls)
	h := sha256.New()
	for _, l := range ls {
		fmt.Fprintf(h, "%d\t%s\t%s\n", l.Year, l.Kind, l.Amount.StringFixed(2))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortBondPlanLines(ls []BondRevenuePlanLine) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Year != ls[j].Year {
			return ls[i].Year < ls[j].Year
		}
		return bondRevenueKindOrder(ls[i].Kind) < bondRevenueKindOrder(ls[j].Kind)
	})
}

// ImportBondRevenuePlans stores the plan lines (from ParseBondRevenuePlan)
// as a new plan version per project, in force from effectiveOn; a project
// whose lines equal its newest version is left unchanged. All projects or
// none.
func (p *Programme) ImportBondRevenuePlans(ctx context.Context, fileName string, lines []BondRevenuePlanLine, effectiveOn time.Time, actor string) ([]BondRevenuePlan, error) {
	what := fmt.Sprintf("import financing balance plans from %s", fileName)
	if effectiveOn.IsZero() || actor == "" {
		return nil, fmt.Errorf("%w: %s: an effective date and an actor are required", ErrInvalid, what)
	}
	if len(lines) == 0 || len(lines) > MaxBondPlanLines {
		return nil, fmt.Errorf("%w: %s: want 1 to %d lines", ErrInvalid, what, MaxBondPlanLines)
	}
	on := ledger.Civil(effectiveOn)
	byProject := map[string][]BondRevenuePlanLine{}
	var projects []string
	for _, l := range lines {
		if _, ok := byProject[l.Project]; !ok {
			projects = append(projects, l.Project)
		}
		byProject[l.Project] = append(byProject[l.Project], l)
	}
	sort.Strings(projects)
	for _, code := range projects {
		if _, err := p.Project(ctx, code); err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", what, byProject[code][0].Row, err)
		}
	}
	var out []BondRevenuePlan
	err := p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out = nil
		for _, code := range projects {
			ls := byProject[code]
			sortBondPlanLines(ls)
			plan := BondRevenuePlan{Project: code, EffectiveOn: on, ContentHash: bondPlanHash(ls), FileName: fileName, Total: decimal.Zero, Lines: ls}
			for _, l := range ls {
				plan.Total = plan.Total.Add(l.Amount)
			}
			// One import of a project's plan at a time.
			if _, err := tx.ExecContext(ctx, `SELECT 1 FROM projects WHERE code = $1 FOR UPDATE`, code); err != nil {
				return err
			}
			var prev struct {
				ID      int64  `db:"id"`
				Version int    `db:"version"`
				Hash    string `db:"content_hash"`
			}
			err := tx.GetContext(ctx, &prev, `SELECT id, version, content_hash FROM bond_revenue_plans WHERE project = $1 ORDER BY version DESC LIMIT 1`, code)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err == nil && prev.Hash == plan.ContentHash {
				stored, err := loadBondPlan(ctx, tx, prev.ID)
				if err != nil {
					return err
				}
				stored.Unchanged = true
				out = append(out, stored)
				continue
			}
			plan.Version = prev.Version + 1
			if err := tx.GetContext(ctx, &plan.ID, `
				INSERT INTO bond_revenue_plans (project, version, effective_on, content_hash, file_name, total, actor)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				code, plan.Version, on.Format(ledger.DateLayout), plan.ContentHash, fileName, plan.Total.StringFixed(2), actor); err != nil {
				return err
			}
			years, kinds, amounts := make([]int64, len(ls)), make([]string, len(ls)), make([]string, len(ls))
			for i, l := range ls {
				years[i], kinds[i], amounts[i] = int64(l.Year), l.Kind, l.Amount.StringFixed(2)
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO bond_revenue_plan_lines (plan_id, year, kind, amount)
				SELECT $1, * FROM unnest($2::int[], $3::text[], $4::numeric[])`, plan.ID, pq.Array(years), pq.Array(kinds), pq.Array(amounts)); err != nil {
				return err
			}
			out = append(out, plan)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func loadBondPlan(ctx context.Context, db sqlx.QueryerContext, id int64) (BondRevenuePlan, error) {
	var head struct {
		ID          int64           `db:"id"`
		Project     string          `db:"project"`
		Version     int             `db:"version"`
		EffectiveOn time.Time       `db:"effective_on"`
		Hash        string          `db:"content_hash"`
		FileName    string          `db:"file_name"`
		Total       decimal.Decimal `db:"total"`
	}
	if err := sqlx.GetContext(ctx, db, &head, `
		SELECT id, project, version, effective_on, content_hash, file_name, total FROM bond_revenue_plans WHERE id = $1`, id); err != nil {
		return BondRevenuePlan{}, err
	}
	plan := BondRevenuePlan{ID: head.ID, Project: head.Project, Version: head.Version, EffectiveOn: ledger.Civil(head.EffectiveOn),
		ContentHash: head.Hash, FileName: head.FileName, Total: head.Total}
	if err := sqlx.SelectContext(ctx, db, &plan.Lines, `SELECT year, kind, amount FROM bond_revenue_plan_lines WHERE plan_id = $1`, id); err != nil {
		return BondRevenuePlan{}, err
	}
	for i := range plan.Lines {
		plan.Lines[i].Project = head.Project
	}
	sortBondPlanLines(plan.Lines)
	return plan, nil
}

// BondRevenuePlan returns a project's plan in force on asOf: the newest
// version effective on or before it (zero: the newest). ErrNotFound if none.
func (p *Programme) BondRevenuePlan(ctx context.Context, project string, asOf time.Time) (BondRevenuePlan, error) {
	var id int64
	err := p.db.GetContext(ctx, &id, `
		SELECT id FROM bond_revenue_plans WHERE project = $1 AND ($2::date IS NULL OR effective_on <= $2::date)
		 ORDER BY version DESC LIMIT 1`, project, ledger.SQLDate(asOf))
	if errors.Is(err, sql.ErrNoRows) {
		return BondRevenuePlan{}, fmt.Errorf("financing balance plan of project %s: %w", project, ErrNotFound)
	}
	if err != nil {
		return BondRevenuePlan{}, fmt.Errorf("financing balance plan of project %s: %w", project, err)
	}
	return loadBondPlan(ctx, p.db, id)
}
