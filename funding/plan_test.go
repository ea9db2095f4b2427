package funding_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
	"fundledger/report"
)

// planWeihaiCSV is the annex plan table as published (/work/shared/data),
// relative to this package directory (/work/main/funding).
const planWeihaiCSV = "../internal/demo/data/weihai-plan-2020-2025.csv"

func planDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func planDate(s string) time.Time {
	t, err := ledger.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func planSetup(t *testing.T) (*funding.Programme, *sqlx.DB) {
	t.Helper()
	db := pgtest.DB(t)
	return funding.New(ledger.New(db)), db
}

func planCount(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// The expected numbers of the real file (see also planfile_test.go, where
// they were computed with awk): 36 district rows and 6 总计 rows; district
// rows sum to 548 communities, 263233 households, 30779890.99 m²; per year
// the 总计 rows equal the district sums (so all agree); three warnings, on
// rows 9 (文登区 2021 floor area per household), 17 (荣成市 2023, large
// communities) and 19 (荣成市 2025, small communities).
func TestImportPlanWeihai(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, db := planSetup(t)
	raw, err := os.ReadFile(planWeihaiCSV)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	byteSHA := hex.EncodeToString(sum[:])
	read, err := funding.ReadPlanFile(planWeihaiCSV)
	if err != nil {
		t.Fatal(err)
	}
	wantSHA := read.SHA256 // the content's identity, not the bytes'
	if wantSHA == byteSHA {
		t.Fatal("the import's identity is the hash of the bytes")
	}

	res, err := p.ImportPlan(ctx, planWeihaiCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyImported || !res.InForce || res.ImportID == 0 {
		t.Errorf("first import: already %v, in force %v, id %d", res.AlreadyImported, res.InForce, res.ImportID)
	}
	if res.File != "weihai-plan-2020-2025.csv" || res.SHA256 != wantSHA || res.ImportedBy != "tester" {
		t.Errorf("file %q sha %s by %q; want base name, %s, tester", res.File, res.SHA256, res.ImportedBy, wantSHA)
	}
	if res.DistrictRows != 36 || res.TotalRows != 6 {
		t.Errorf("rows: %d district, %d total; want 36, 6", res.DistrictRows, res.TotalRows)
	}
	if want := (funding.PlanFigures{Communities: 548, Households: 263233, FloorAreaM2: planDec("30779890.99")}); !res.Sum.Equal(want) {
		t.Errorf("sum %+v, want %+v", res.Sum, want)
	}
	// Per year: the awk sums of planfile_test.go; 总计 rows are rows 38..43.
	wantYears := []funding.PlanFigures{
		{Communities: 95, Households: 51751, FloorAreaM2: planDec("4718884")},
		{Communities: 120, Households: 60590, FloorAreaM2: planDec("11785861.24")},
		{Communities: 136, Households: 51727, FloorAreaM2: planDec("5051971.68")},
		{Communities: 87, Households: 44621, FloorAreaM2: planDec("4227192.62")},
		{Communities: 71, Households: 35132, FloorAreaM2: planDec("3142970.13")},
		{Communities: 39, Households: 19412, FloorAreaM2: planDec("1853011.32")},
	}
	if len(res.Years) != len(wantYears) {
		t.Fatalf("%d years, want %d", len(res.Years), len(wantYears))
	}
	for i, y := range res.Years {
		if y.Year != 2020+i || !y.Districts.Equal(wantYears[i]) || y.Stated == nil || !y.Stated.Equal(wantYears[i]) ||
			!y.Agrees || y.StatedRow != 38+i {
			t.Errorf("year %d: %+v stated %+v row %d agrees %v; want %+v at row %d", y.Year, y.Districts, y.Stated, y.StatedRow, y.Agrees, wantYears[i], 38+i)
		}
	}
	if len(res.Warnings) != 3 {
		t.Fatalf("%d warnings, want 3: %v", len(res.Warnings), res.Warnings)
	}
	for i, w := range []struct {
		row   int
		field string
		start string
	}{
		{9, "建筑面积/户数", "文登区 2021: 6923321 m² for 7052 households"},
		{17, "户数/小区个数", "荣成市 2023: 9541 households in 6 communities"},
		{19, "户数/小区个数", "荣成市 2025: 218 households in 4 communities"},
	} {
		got := res.Warnings[i]
		if got.File != "weihai-plan-2020-2025.csv" || got.Row != w.row || got.Field != w.field || !strings.HasPrefix(got.Message, w.start) {
			t.Errorf("warning %d = %+v; want row %d, %s, %q…", i, got, w.row, w.field, w.start)
		}
	}

	// What is stored: one import, 42 targets (6 of them totals), the same sums.
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports`); n != 1 {
		t.Errorf("%d imports, want 1", n)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_targets WHERE import_id = $1 AND NOT is_total`, res.ImportID); n != 36 {
		t.Errorf("%d district targets, want 36", n)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_targets WHERE import_id = $1 AND is_total AND district = '总计'`, res.ImportID); n != 6 {
		t.Errorf("%d total targets, want 6", n)
	}
	var stored struct {
		C    int             `db:"c"`
		H    int             `db:"h"`
		A    decimal.Decimal `db:"a"`
		Name string          `db:"file_name"`
	}
	if err := db.Get(&stored, `SELECT sum(t.communities) AS c, sum(t.households) AS h, sum(t.floor_area_m2) AS a, i.file_name
		FROM plan_targets t JOIN plan_imports i ON i.id = t.import_id WHERE NOT t.is_total GROUP BY i.file_name`); err != nil {
		t.Fatal(err)
	}
	if stored.C != 548 || stored.H != 263233 || !stored.A.Equal(planDec("30779890.99")) || stored.Name != "weihai-plan-2020-2025.csv" {
		t.Errorf("stored sums %+v", stored)
	}
	// 文登区 2021 is row 9 of the file, stored as published (6923321 m²).
	var wd decimal.Decimal
	if err := db.Get(&wd, `SELECT floor_area_m2 FROM plan_targets WHERE district = '文登区' AND year = 2021 AND source_row = 9`); err != nil {
		t.Fatal(err)
	}
	if !wd.Equal(planDec("6923321")) {
		t.Errorf("文登区 2021 area %s", wd)
	}
	// Warnings as a JSON array of {file,row,field,message}.
	if n := planCount(t, db, `SELECT jsonb_array_length(warnings) FROM plan_imports`); n != 3 {
		t.Errorf("stored warnings: %d, want 3", n)
	}
	if n := planCount(t, db, `SELECT (warnings->0->>'row')::int FROM plan_imports
		WHERE warnings->0 ?& array['file','row','field','message'] AND warnings->0->>'field' = '建筑面积/户数'`); n != 9 {
		t.Errorf("first stored warning is on row %d, want 9", n)
	}

	// Re-import, also under another name: same content, nothing changes.
	again, err := p.ImportPlan(ctx, planWeihaiCSV, "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "renamed.csv")
	if err := os.WriteFile(copyPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	renamed, err := p.ImportPlan(ctx, copyPath, "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []funding.PlanImportResult{again, renamed} {
		if !r.AlreadyImported || r.ImportID != res.ImportID || r.File != res.File || r.ImportedBy != "tester" || !r.InForce ||
			r.DistrictRows != 36 || len(r.Warnings) != 3 {
			t.Errorf("re-import: %+v; want the earlier import %d marked already imported", r, res.ImportID)
		}
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports`); n != 1 {
		t.Errorf("after re-import: %d imports, want exactly 1", n)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_targets`); n != 42 {
		t.Errorf("after re-import: %d targets, want 42", n)
	}

	// The summary table says what happened.
	var b strings.Builder
	if err := report.Render(&b, report.PlanImportTable(again), report.FormatTable, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"already imported as #", "548", "263233", "30779890.99", "警告 3 warnings", "row 9, 建筑面积/户数"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("import table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestImportPlanRefusesFileWithErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, db := planSetup(t)
	path := filepath.Join(t.TempDir(), "bad.csv")
	// Row 2 is fine, row 3 has a bad year and a negative count: refused whole.
	body := "区市,年度,小区个数,户数,建筑面积\n环翠区,2020,17,13371,1262412\n环翠区,20x1,-3,9259,744439.96\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.ImportPlan(ctx, path, "tester")
	var pe funding.PlanErrors
	if !errors.As(err, &pe) || len(pe) != 2 || pe[0].Row != 3 {
		t.Fatalf("err = %v; want the reader's 2 PlanErrors on row 3", err)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports`) + planCount(t, db, `SELECT count(*) FROM plan_targets`); n != 0 {
		t.Errorf("%d rows stored for a refused file", n)
	}
	if _, err := p.ImportPlan(ctx, planWeihaiCSV, ""); !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("empty actor: err = %v, want ErrInvalid", err)
	}
	if _, err := p.PlanProgress(ctx, time.Time{}); !errors.Is(err, funding.ErrNotFound) {
		t.Errorf("progress without a plan: err = %v, want ErrNotFound", err)
	}
}

// Eight concurrent imports of the same file store it once.
func TestImportPlanConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, db := planSetup(t)
	const n = 8
	results := make([]funding.PlanImportResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = p.ImportPlan(ctx, planWeihaiCSV, "racer") })
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("import %d: %v", i, errs[i])
		}
		if !results[i].AlreadyImported {
			fresh++
		}
		if results[i].ImportID != results[0].ImportID {
			t.Errorf("import %d got id %d, import 0 id %d", i, results[i].ImportID, results[0].ImportID)
		}
	}
	if fresh != 1 {
		t.Errorf("%d imports say they stored the file, want 1", fresh)
	}
	if c := planCount(t, db, `SELECT count(*) FROM plan_imports`); c != 1 {
		t.Errorf("%d imports stored, want 1", c)
	}
	if c := planCount(t, db, `SELECT count(*) FROM plan_targets`); c != 42 {
		t.Errorf("%d targets stored, want 42", c)
	}
}

// planProject is an eligible community (built 1995 on state-owned land),
// registered on 2020-03-01.
func planProject(code, district string, year, households int, area string) funding.ProjectInput {
	return funding.ProjectInput{
		Code: code, Name: "小区 " + code, District: district, CompletedOn: planDate("1995-06-01"), StateOwnedLand: true,
		Households: households, FloorAreaM2: planDec(area), Buildings: 3, PlanYear: year, RegisteredOn: planDate("2020-03-01"),
	}
}

type planStep struct {
	status, on string
}

func planRegister(t *testing.T, p *funding.Programme, in funding.ProjectInput, steps ...planStep) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.RegisterProject(ctx, in, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if err := p.SetStatus(ctx, in.Code, s.status, planDate(s.on), "tester", ""); err != nil {
			t.Fatal(err)
		}
	}
}

func planRow(t *testing.T, pp funding.PlanProgress, district string, year int) funding.PlanProgressRow {
	t.Helper()
	for _, r := range pp.Rows {
		if r.District == district && r.Year == year {
			return r
		}
	}
	t.Fatalf("no plan row %s %d", district, year)
	return funding.PlanProgressRow{}
}

func planFig(c, h int, area string) funding.PlanFigures {
	return funding.PlanFigures{Communities: c, Households: h, FloorAreaM2: planDec(area)}
}

func checkFig(t *testing.T, what string, got, want funding.PlanFigures) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %d/%d/%s, want %d/%d/%s", what, got.Communities, got.Households, got.FloorAreaM2,
			want.Communities, want.Households, want.FloorAreaM2)
	}
}

type planMilestoneWant struct {
	plannedCum int
	planPct    string
	planMeets  bool
	countedOn  string
	completed  int
	actualPct  string
	status     string
}

func checkMilestones(t *testing.T, pp funding.PlanProgress, total int, want []planMilestoneWant) {
	t.Helper()
	if len(pp.Milestones) != len(want) {
		t.Fatalf("%d milestones, want %d", len(pp.Milestones), len(want))
	}
	for i, w := range want {
		m := pp.Milestones[i]
		if m.PlannedTotal != total || m.PlannedCumulative != w.plannedCum || m.PlanPct.StringFixed(2) != w.planPct || m.PlanMeets != w.planMeets ||
			!m.CountedOn.Equal(planDate(w.countedOn)) || m.ActualCompleted != w.completed || m.ActualPct.StringFixed(2) != w.actualPct ||
			m.ActualStatus != w.status {
			t.Errorf("as of %s, milestone %d: planned %d/%d = %s%% meets %v; counted on %s: %d = %s%% %s\nwant %+v",
				pp.AsOf.Format(ledger.DateLayout), m.Year, m.PlannedCumulative, m.PlannedTotal, m.PlanPct.StringFixed(2), m.PlanMeets,
				m.CountedOn.Format(ledger.DateLayout), m.ActualCompleted, m.ActualPct.StringFixed(2), m.ActualStatus, w)
		}
	}
}

// Progress against the real plan. The plan side, from the 总计 rows:
// cumulative communities 95 (2020), 95+120+136+87 = 438 (2020–2023),
// 438+71+39 = 548 (all). Shares of 548, rounded half-up to 2 decimals:
// 95/548 = 17.3357… → 17.34% < 20% (the plan table itself falls short of
// its own 2020 milestone); 438/548 = 79.9270… → 79.93% ≥ 60%; 548/548 =
// 100.00%.
//
// Projects (each one community; statuses with their effective dates):
//
//	HC1 环翠区 2020 100 hh  8000.50 m²  approved 2020-04-01, completed 2020-10-15
//	HC2 环翠区 2020  50 hh  4000.25 m²  approved 2020-05-01
//	HC3 环翠区 2021  70 hh  6000.00 m²  completed 2020-11-30 (a 2021 community done early)
//	WD1 文登区 2020 200 hh 15000.75 m²  approved 2020-06-01, completed 2021-02-01
//	GQ1 高区   2022  80 hh  7000.00 m²  only registered (planned)
//	RS9 乳山市 2026  30 hh  2500.00 m²  completed 2020-09-01 — no plan row: counted in no milestone
func TestPlanProgressWeihai(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, _ := planSetup(t)
	imp, err := p.ImportPlan(ctx, planWeihaiCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	planRegister(t, p, planProject("HC1", "huancui", 2020, 100, "8000.50"), planStep{"approved", "2020-04-01"}, planStep{"completed", "2020-10-15"})
	planRegister(t, p, planProject("HC2", "环翠区", 2020, 50, "4000.25"), planStep{"approved", "2020-05-01"})
	planRegister(t, p, planProject("HC3", "huancui", 2021, 70, "6000.00"), planStep{"completed", "2020-11-30"})
	planRegister(t, p, planProject("WD1", "wendeng", 2020, 200, "15000.75"), planStep{"approved", "2020-06-01"}, planStep{"completed", "2021-02-01"})
	planRegister(t, p, planProject("GQ1", "gaoqu", 2022, 80, "7000.00"))
	planRegister(t, p, planProject("RS9", "rushan", 2026, 30, "2500.00"), planStep{"completed", "2020-09-01"})

	t.Run("BeforeCompletion", func(t *testing.T) {
		// 2020-10-14, the day before HC1's completion: HC1 and HC2 are
		// approved (2 communities, 100+50 = 150 hh, 8000.50+4000.25 =
		// 12000.75 m²), none completed; HC3 is still planned (its event is
		// dated 2020-11-30); WD1 approved.
		pp, err := p.PlanProgress(ctx, planDate("2020-10-14"))
		if err != nil {
			t.Fatal(err)
		}
		if pp.ImportID != imp.ImportID || len(pp.Rows) != 36 {
			t.Fatalf("import %d with %d rows; want %d with 36", pp.ImportID, len(pp.Rows), imp.ImportID)
		}
		hc := planRow(t, pp, "环翠区", 2020)
		checkFig(t, "环翠区 2020 planned", hc.Planned, planFig(17, 13371, "1262412"))
		checkFig(t, "环翠区 2020 approved", hc.Approved, planFig(2, 150, "12000.75"))
		checkFig(t, "环翠区 2020 completed", hc.Completed, planFig(0, 0, "0"))
		checkFig(t, "环翠区 2021 approved", planRow(t, pp, "环翠区", 2021).Approved, planFig(0, 0, "0"))
		checkFig(t, "文登区 2020 approved", planRow(t, pp, "文登区", 2020).Approved, planFig(1, 200, "15000.75"))
		if len(pp.Unplanned) != 1 || pp.Unplanned[0].District != "乳山市" || pp.Unplanned[0].Year != 2026 || pp.Unplanned[0].Completed.Communities != 1 {
			t.Errorf("unplanned = %+v; want 乳山市 2026 with one completed project", pp.Unplanned)
		}
		// No milestone is due on 2020-10-14: the share so far is 0/548.
		checkMilestones(t, pp, 548, []planMilestoneWant{
			{95, "17.34", false, "2020-10-14", 0, "0.00", funding.MilestoneNotYetDue},
			{438, "79.93", true, "2020-10-14", 0, "0.00", funding.MilestoneNotYetDue},
			{548, "100.00", true, "2020-10-14", 0, "0.00", funding.MilestoneNotYetDue},
		})
	})

	t.Run("EndOf2020", func(t *testing.T) {
		// 2020-12-31: HC1 and HC3 completed; RS9 is completed too but has
		// no plan row. 2020 milestone: 2/548 = 0.3649… → 0.36% < 20%.
		pp, err := p.PlanProgress(ctx, planDate("2020-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		hc := planRow(t, pp, "环翠区", 2020)
		checkFig(t, "环翠区 2020 approved", hc.Approved, planFig(2, 150, "12000.75"))
		checkFig(t, "环翠区 2020 completed", hc.Completed, planFig(1, 100, "8000.50"))
		// 1 of 17 planned = 5.882… → 5.88%.
		if hc.CompletedPct == nil || hc.CompletedPct.StringFixed(2) != "5.88" {
			t.Errorf("环翠区 2020 completed %% = %v, want 5.88", hc.CompletedPct)
		}
		hc21 := planRow(t, pp, "环翠区", 2021)
		checkFig(t, "环翠区 2021 approved", hc21.Approved, planFig(1, 70, "6000.00"))
		checkFig(t, "环翠区 2021 completed", hc21.Completed, planFig(1, 70, "6000.00"))
		wd := planRow(t, pp, "文登区", 2020)
		checkFig(t, "文登区 2020 approved", wd.Approved, planFig(1, 200, "15000.75"))
		checkFig(t, "文登区 2020 completed", wd.Completed, planFig(0, 0, "0"))
		checkFig(t, "高区 2022 approved", planRow(t, pp, "高区", 2022).Approved, planFig(0, 0, "0"))
		// Totals: approved HC1+HC2+HC3+WD1 = 4, 100+50+70+200 = 420 hh,
		// 8000.50+4000.25+6000.00+15000.75 = 33001.50 m²; completed HC1+HC3
		// = 2, 170 hh, 14000.50 m².
		checkFig(t, "total planned", pp.Total.Planned, planFig(548, 263233, "30779890.99"))
		checkFig(t, "total approved", pp.Total.Approved, planFig(4, 420, "33001.50"))
		checkFig(t, "total completed", pp.Total.Completed, planFig(2, 170, "14000.50"))
		checkMilestones(t, pp, 548, []planMilestoneWant{
			{95, "17.34", false, "2020-12-31", 2, "0.36", funding.MilestoneMissed},
			{438, "79.93", true, "2020-12-31", 2, "0.36", funding.MilestoneNotYetDue},
			{548, "100.00", true, "2020-12-31", 2, "0.36", funding.MilestoneNotYetDue},
		})
		if got, want := report.PlanVerdict(pp.Milestones[0]), "计划表本身未达到 the plan table itself falls short: 17.34% < 20%"; got != want {
			t.Errorf("2020 plan verdict %q, want %q", got, want)
		}
		if got, want := report.PlanVerdict(pp.Milestones[1]), "计划表本身达到 the plan table itself meets it: 79.93% ≥ 60%"; got != want {
			t.Errorf("2023 plan verdict %q, want %q", got, want)
		}
		if got, want := report.ActualVerdict(pp.Milestones[0]), "未达到 missed: 0.36% < 20%"; got != want {
			t.Errorf("2020 actual verdict %q, want %q", got, want)
		}
	})

	t.Run("MidYear2021", func(t *testing.T) {
		// 2021-06-30: WD1 completed on 2021-02-01, after the 2020 milestone:
		// the 2020 milestone is still counted on 2020-12-31 (2, 0.36%), the
		// 2023 one so far has HC1, HC3, WD1 = 3/548 = 0.5474… → 0.55%.
		pp, err := p.PlanProgress(ctx, planDate("2021-06-30"))
		if err != nil {
			t.Fatal(err)
		}
		wd := planRow(t, pp, "文登区", 2020)
		checkFig(t, "文登区 2020 completed", wd.Completed, planFig(1, 200, "15000.75"))
		// 1 of 35 = 2.857… → 2.86%.
		if wd.CompletedPct == nil || wd.CompletedPct.StringFixed(2) != "2.86" {
			t.Errorf("文登区 2020 completed %% = %v, want 2.86", wd.CompletedPct)
		}
		checkMilestones(t, pp, 548, []planMilestoneWant{
			{95, "17.34", false, "2020-12-31", 2, "0.36", funding.MilestoneMissed},
			{438, "79.93", true, "2021-06-30", 3, "0.55", funding.MilestoneNotYetDue},
			{548, "100.00", true, "2021-06-30", 3, "0.55", funding.MilestoneNotYetDue},
		})
	})

	t.Run("Today", func(t *testing.T) {
		before := time.Now().UTC()
		pp, err := p.PlanProgress(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now().UTC()
		if d := pp.AsOf.Format(ledger.DateLayout); d != before.Format(ledger.DateLayout) && d != after.Format(ledger.DateLayout) {
			t.Errorf("as of %s, want today", d)
		}
	})
}

// A plan of 10 communities in one district (2, 3, 1, 0, 2, 2 for
// 2020–2025; 100 households and 10000 m² per community) imported after the
// real one: the newest import is the plan in force. It meets its own
// milestones exactly: 2/10 = 20%, (2+3+1+0)/10 = 60%, 10/10 = 100%.
const planTiny = `区市,年度,小区个数,户数,建筑面积
环翠区,2020,2,200,20000
环翠区,2021,3,300,30000
环翠区,2022,1,100,10000
环翠区,2023,0,0,0
环翠区,2024,2,200,20000
环翠区,2025,2,200,20000
总计,2020,2,200,20000
总计,2021,3,300,30000
总计,2022,1,100,10000
总计,2023,0,0,0
总计,2024,2,200,20000
总计,2025,2,200,20000
`

// Projects, all 环翠区, completed on:
//
//	T1 2020  2020-06-01     T5 2021  2023-12-31 (the 2023 due date: counts)
//	T2 2020  2020-12-31     T6 2022  2023-01-01
//	T3 2021  2021-05-01     T7 2024  2024-01-01 (a day late for 2023)
//	T4 2021  2022-05-01
//
// As of 2024-06-30: 2020 milestone counted on 2020-12-31 = T1, T2 = 2/10 =
// 20.00% ≥ 20% (met, at the boundary); 2023 counted on 2023-12-31 = T1–T6 =
// 6/10 = 60.00% met; 2025 not yet due, 7/10 = 70.00% so far.
func TestPlanProgressNewestPlanMilestonesMet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, _ := planSetup(t)
	weihai, err := p.ImportPlan(ctx, planWeihaiCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.csv")
	if err := os.WriteFile(path, []byte(planTiny), 0o600); err != nil {
		t.Fatal(err)
	}
	tiny, err := p.ImportPlan(ctx, path, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if tiny.AlreadyImported || !tiny.InForce || tiny.ImportID <= weihai.ImportID || len(tiny.Warnings) != 0 || tiny.Sum.Communities != 10 {
		t.Fatalf("tiny import %+v", tiny)
	}
	// The real file again: already imported, and in force again.
	again, err := p.ImportPlan(ctx, planWeihaiCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyImported || !again.Reactivated || !again.InForce || again.ImportID != weihai.ImportID {
		t.Errorf("re-import of the superseded plan: already %v, reactivated %v, in force %v, id %d", again.AlreadyImported, again.Reactivated, again.InForce, again.ImportID)
	}
	// And the tiny plan made current by hand.
	if use, err := p.ActivatePlan(ctx, tiny.ImportID, "tester", "the test plan"); err != nil || !use.InForce || !use.Reactivated {
		t.Fatalf("use tiny: %+v, %v", use, err)
	}

	for _, x := range []struct {
		code      string
		year      int
		completed string
	}{
		{"T1", 2020, "2020-06-01"}, {"T2", 2020, "2020-12-31"}, {"T3", 2021, "2021-05-01"}, {"T4", 2021, "2022-05-01"},
		{"T5", 2021, "2023-12-31"}, {"T6", 2022, "2023-01-01"}, {"T7", 2024, "2024-01-01"},
	} {
		planRegister(t, p, planProject(x.code, "huancui", x.year, 100, "10000"), planStep{"approved", "2020-04-01"}, planStep{"completed", x.completed})
	}

	pp, err := p.PlanProgress(ctx, planDate("2024-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if pp.ImportID != tiny.ImportID || len(pp.Rows) != 6 {
		t.Fatalf("progress uses import %d with %d rows; want the newest, %d, with 6", pp.ImportID, len(pp.Rows), tiny.ImportID)
	}
	checkMilestones(t, pp, 10, []planMilestoneWant{
		{2, "20.00", true, "2020-12-31", 2, "20.00", funding.MilestoneMet},
		{6, "60.00", true, "2023-12-31", 6, "60.00", funding.MilestoneMet},
		{10, "100.00", true, "2024-06-30", 7, "70.00", funding.MilestoneNotYetDue},
	})
	// 2021 row: T3, T4, T5 of 3 planned = 100.00%; 2023 row plans nothing.
	if r := planRow(t, pp, "环翠区", 2021); r.Completed.Communities != 3 || r.CompletedPct == nil || r.CompletedPct.StringFixed(2) != "100.00" {
		t.Errorf("环翠区 2021: %+v", r)
	}
	if r := planRow(t, pp, "环翠区", 2023); r.CompletedPct != nil {
		t.Errorf("环翠区 2023 plans nothing, completed %% = %s", r.CompletedPct)
	}
	if got, want := report.ActualVerdict(pp.Milestones[0]), "已达到 met: 20.00% ≥ 20%"; got != want {
		t.Errorf("2020 actual verdict %q, want %q", got, want)
	}
	if got, want := report.ActualVerdict(pp.Milestones[2]), "尚未到期 not yet due: 70.00% so far"; got != want {
		t.Errorf("2025 actual verdict %q, want %q", got, want)
	}

	// On 2020-12-30 the 2020 milestone is not yet due: T1 alone, 10.00%.
	early, err := p.PlanProgress(ctx, planDate("2020-12-30"))
	if err != nil {
		t.Fatal(err)
	}
	if m := early.Milestones[0]; m.ActualStatus != funding.MilestoneNotYetDue || m.ActualCompleted != 1 || m.ActualPct.StringFixed(2) != "10.00" {
		t.Errorf("2020 milestone on 2020-12-30: %+v", m)
	}
}

// Percent rounds half-up to two decimals; exact fractions decide verdicts.
func TestPercent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		part, whole int
		want        string
		ok          bool
	}{
		{95, 548, "17.34", true},  // 17.33576…
		{438, 548, "79.93", true}, // 79.92700…
		{1, 8, "12.50", true},     // exactly 12.5
		{1, 16, "6.25", true},     // 6.25 exactly
		{1, 32, "3.13", true},     // 3.125 → half-up → 3.13
		{1, 3, "33.33", true},
		{2, 3, "66.67", true},
		{0, 0, "0.00", false},
	} {
		got, ok := funding.Percent(c.part, c.whole)
		if got.StringFixed(2) != c.want || ok != c.ok {
			t.Errorf("Percent(%d, %d) = %s, %v; want %s, %v", c.part, c.whole, got.StringFixed(2), ok, c.want, c.ok)
		}
	}
}
