package funding_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fundledger/funding"
)

// TestImportPlanRefusesControlTotalMismatch: the reproduction. The
// Weihai table with its 2022 总计 saying 51,728 households while the six
// district rows add up to 51,727 was imported with a warning as the plan in
// force; now it is refused whole (row 40, column 4, stated vs computed) and
// nothing is stored, unless accepted with a reason, which is recorded.
func TestImportPlanRefusesControlTotalMismatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, db := planSetup(t)
	raw, err := os.ReadFile(planWeihaiCSV)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(raw), "总计,2022,136,51727,", "总计,2022,136,51728,", 1)
	if bad == string(raw) {
		t.Fatal("2022 总计 row not found")
	}
	path := filepath.Join(t.TempDir(), "plan-2022-total.csv")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err = p.ImportPlan(ctx, path, "tester")
	var es funding.PlanErrors
	if !errors.As(err, &es) || len(es) != 1 || !errors.Is(err, funding.ErrControlTotalMismatch) {
		t.Fatalf("got %v, want one control-total error", err)
	}
	if e := es[0]; e.Row != 40 || e.Column != 4 || e.Field != "户数" ||
		!strings.Contains(e.Reason, "总计 2022 户数: stated 51728, sum of 6 district rows 51727, difference 1") {
		t.Errorf("error %+v", e)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports`) + planCount(t, db, `SELECT count(*) FROM plan_targets`); n != 0 {
		t.Fatalf("%d rows stored from a refused file", n)
	}

	const reason = "the bureau's table as published; 1 household counted twice"
	res, err := p.ImportPlanWith(ctx, path, funding.PlanImportOptions{Actor: "tester", AcceptControlTotalMismatch: reason})
	if err != nil {
		t.Fatal(err)
	}
	if !res.InForce || res.ControlTotalAccepted != reason || res.Years[2].Agrees || res.Years[2].Stated.Households != 51728 {
		t.Errorf("accepted import %+v", res)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || (w.Row == 40 && strings.Contains(w.Message, "accepted: "+reason))
	}
	if !found {
		t.Errorf("warnings do not record the acceptance: %v", res.Warnings)
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports WHERE control_total_accepted = $1`, reason); n != 1 {
		t.Errorf("%d imports record the reason", n)
	}
}

// TestPlanIdentityIsContent: the same table with a BOM, CRLF line ends or
// in GBK is the same import; an earlier import comes back in force when
// re-imported or chosen with ActivatePlan, and every change of the plan in
// force is recorded.
func TestPlanIdentityIsContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, db := planSetup(t)
	raw, err := os.ReadFile(planWeihaiCSV)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	first, err := p.ImportPlan(ctx, planWeihaiCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		write("bom.csv", "\xEF\xBB\xBF"+string(raw)),
		write("crlf.csv", strings.ReplaceAll(string(raw), "\n", "\r\n")),
		write("both.csv", "\xEF\xBB\xBF"+strings.ReplaceAll(string(raw), "\n", "\r\n")),
		"testdata/plan/weihai-gbk.csv",
	} {
		res, err := p.ImportPlan(ctx, path, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if !res.AlreadyImported || res.Reactivated || res.ImportID != first.ImportID || !res.InForce {
			t.Errorf("%s: %+v; want import %d, already imported", path, res, first.ImportID)
		}
	}
	if n := planCount(t, db, `SELECT count(*) FROM plan_imports`); n != 1 {
		t.Fatalf("%d imports of one table", n)
	}

	tiny, err := p.ImportPlan(ctx, write("tiny.csv", planTiny), "tester")
	if err != nil || !tiny.InForce {
		t.Fatalf("tiny: %+v, %v", tiny, err)
	}
	if old, err := p.PlanImport(ctx, first.ImportID); err != nil || old.InForce {
		t.Fatalf("superseded import still in force: %+v, %v", old, err)
	}
	back, err := p.ImportPlan(ctx, write("again.csv", "\xEF\xBB\xBF"+string(raw)), "officer")
	if err != nil || !back.AlreadyImported || !back.Reactivated || !back.InForce || back.ImportID != first.ImportID {
		t.Fatalf("re-import: %+v, %v", back, err)
	}
	pp, err := p.PlanProgress(ctx, planDate("2024-06-30"))
	if err != nil || pp.ImportID != first.ImportID {
		t.Fatalf("progress uses import %d (%v), want %d", pp.ImportID, err, first.ImportID)
	}
	if _, err := p.ActivatePlan(ctx, tiny.ImportID, "officer", ""); !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("use without a reason: %v", err)
	}
	if _, err := p.ActivatePlan(ctx, 999999, "officer", "why"); !errors.Is(err, funding.ErrNotFound) {
		t.Errorf("use of an unknown import: %v", err)
	}
	use, err := p.ActivatePlan(ctx, tiny.ImportID, "officer", "district plan for the test")
	if err != nil || !use.InForce || !use.Reactivated {
		t.Fatalf("use: %+v, %v", use, err)
	}
	list, err := p.PlanImports(ctx)
	if err != nil || len(list) != 2 || list[0].ImportID != tiny.ImportID || !list[0].InForce || list[1].InForce {
		t.Fatalf("imports: %+v, %v", list, err)
	}
	var hows []string
	if err := db.Select(&hows, `SELECT how || ':' || CASE import_id WHEN $1 THEN 'weihai' WHEN $2 THEN 'tiny' END || ':' || activated_by || ':' || reason
		FROM plan_activations ORDER BY id`, first.ImportID, tiny.ImportID); err != nil {
		t.Fatal(err)
	}
	want := []string{"import:weihai:tester:", "import:tiny:tester:", "re-import:weihai:officer:", "use:tiny:officer:district plan for the test"}
	if strings.Join(hows, " ") != strings.Join(want, " ") {
		t.Errorf("activations %v, want %v", hows, want)
	}
}
