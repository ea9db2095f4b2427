package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// TestBrowserProjectGrantPanel: HC-3 gets one elevator application of
// funding's seven-floor unit, approved under the city-wide test rules;
// HC-2 has no grants.
//
// By hand: estimated cost 500,000.00, grant 40% = 200,000.00 (under the
// cap of 250,000.00 for its one elevator), municipal and district halves
// of 100,000.00; nothing paid yet; the residents' share is 500,000.00 −
// 200,000.00 = 300,000.00, none of it received.
func TestBrowserProjectGrantPanel(t *testing.T) {
	f, p := grantFixture(t)
	ctx := context.Background()
	dec := decimal.RequireFromString
	if _, err := p.ApplyElevator(ctx, sevenFloorUnit("HC-3-3-2", "HC-3", "2", dec("500000.00"), "2020-06-20"), "officer"); err != nil {
		t.Fatal(err)
	}
	g, err := p.ApproveElevator(ctx, "HC-3-3-2", date("2020-07-01"), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Grant.Total.Equal(dec("200000.00")) {
		t.Fatalf("grant %s, want 200000.00", g.Grant.Total)
	}

	b := f.loggedIn("officer")
	r := b.page(t, "project with a grant", "/projects/HC-3?lang=en")
	wantBody(t, "project with a grant", r, `id="grant-panel"`, "Elevator applications", `id="elevator-HC-3-3-2"`, "HC-3-3-2",
		"3/2", "approved", "200,000.00", "300,000.00")
	if bytes.Contains(r.body, []byte(`id="grant-none"`)) {
		t.Errorf("project with a grant shows the none line")
	}
	r = b.page(t, "project with a grant, Chinese", "/projects/HC-3?lang=zh")
	wantBody(t, "project with a grant, Chinese", r, "加装电梯申请", "已承诺补助", "已批准", "200,000.00")

	r = b.page(t, "project without grants", "/projects/HC-2?lang=en")
	wantBody(t, "project without grants", r, `id="grant-panel"`, `id="grant-none"`, "No grants for this project.")
	if bytes.Contains(r.body, []byte("HC-3-3-2")) {
		t.Errorf("project without grants lists another project's application")
	}
	wantBody(t, "project without grants, Chinese", b.get("/projects/HC-2?lang=zh"), "本项目无补助。")
}

// TestGrantStepPreviews: the elevator approval (with its refused-consent
// record) and the facility transfer preview like every other step: the
// page shows what would be posted and nothing is stored (entries, elevator
// and facility events counted before and after); the confirm stores it.
//
// By hand, under grantRules (grants-citywide.yaml): HC-3-3-2 costs
// 500,000.00; grant 40% = 200,000.00 (under the 250,000.00 cap for one
// elevator), committed half municipal, half district: 100,000.00 each; the
// residents' share 500,000.00 − 200,000.00 = 300,000.00, Dr its receivable.
// HC-3-3-1 has 5 of the 8 voting owners approving (416.67 of 666.67 m²):
// below the three quarters the rules want, refused.
func TestGrantStepPreviews(t *testing.T) {
	t.Parallel()
	f, p := grantFixture(t)
	ctx := context.Background()
	dec := decimal.RequireFromString
	app := sevenFloorUnit("HC-3-3-2", "HC-3", "2", dec("500000.00"), "2020-06-20")
	if _, err := p.ApplyElevator(ctx, app, "officer"); err != nil {
		t.Fatal(err)
	}
	app.Code, app.Unit, app.OwnersApproving, app.AreaApprovingM2 = "HC-3-3-1", "1", 5, dec("416.67")
	if _, err := p.ApplyElevator(ctx, app, "officer"); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		t.Helper()
		var n int
		if err := f.db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b := f.loggedIn("officer")

	entries, events := f.entries(), count("elevator_events")
	path := "/projects/HC-3/elevator-approve"
	key := b.stepKey(path)
	approve := map[string]string{"application": "HC-3-3-2", "date": "2020-07-01"}
	r := b.step(path, key, "preview", approve)
	wantStatus(t, "approve preview", r, http.StatusOK)
	wantBody(t, "approve preview", r, "将要过账的分录", "100,000.00", "300,000.00", "grant:receivable:residents:huancui:HC-3:HC-3-3-2", `id="step-post"`)
	if f.entries() != entries || count("elevator_events") != events {
		t.Fatalf("the approval preview stored: entries %d→%d, events %d→%d", entries, f.entries(), events, count("elevator_events"))
	}
	r = b.step(path, key, "post", approve)
	wantBody(t, "approve", r, `id="step-done"`, "200000.00")
	if f.entries() != entries+2 || count("elevator_events") != events+1 {
		t.Fatalf("the approval: entries %d→%d (want +2), events %d→%d (want +1)", entries, f.entries(), events, count("elevator_events"))
	}

	// The refused consent: previewed, nothing recorded; confirmed, the refusal is recorded (and no entry).
	entries, events = f.entries(), count("elevator_events")
	key = b.stepKey(path)
	refused := map[string]string{"application": "HC-3-3-1", "date": "2020-07-01"}
	r = b.step(path, key, "preview", refused)
	wantStatus(t, "refused preview", r, http.StatusUnprocessableEntity)
	wantBody(t, "refused preview", r, "业主同意的比例未达到规则要求")
	if f.entries() != entries || count("elevator_events") != events {
		t.Fatalf("the refused preview stored: entries %d→%d, events %d→%d", entries, f.entries(), events, count("elevator_events"))
	}
	r = b.step(path, key, "post", refused)
	wantStatus(t, "refused", r, http.StatusUnprocessableEntity)
	if f.entries() != entries || count("elevator_events") != events+1 {
		t.Fatalf("the refusal: entries %d→%d (want +0), events %d→%d (want +1)", entries, f.entries(), events, count("elevator_events"))
	}

	// The transfer: a committed facility of a completed project.
	if _, err := p.RegisterFacility(ctx, funding.FacilityInput{Code: "HC-3-POWER", Project: "HC-3", Kind: "power", Cost: dec("500000.00"),
		Utility: "国网威海供电公司", Owner: "原产权单位", RegisteredOn: date("2020-06-20")}, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CommitFacility(ctx, "HC-3-POWER", date("2020-07-02"), "officer"); err != nil {
		t.Fatal(err)
	}
	if err := p.SetStatus(ctx, "HC-3", "completed", date("2021-03-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	entries, events = f.entries(), count("utility_facility_events")
	path = "/projects/HC-3/facility-transfer"
	key = b.stepKey(path)
	transfer := map[string]string{"facility": "HC-3-POWER", "owner": "国网威海供电公司", "date": "2021-03-15", "note": "移交协议"}
	r = b.step(path, key, "preview", transfer)
	wantStatus(t, "transfer preview", r, http.StatusOK)
	wantBody(t, "transfer preview", r, `id="step-preview-entries"`, "检查通过，不产生分录", `id="step-post"`)
	if f.entries() != entries || count("utility_facility_events") != events {
		t.Fatalf("the transfer preview stored: entries %d→%d, events %d→%d", entries, f.entries(), events, count("utility_facility_events"))
	}
	// Dated before the completion: refused in the preview, at the date.
	early := map[string]string{"facility": "HC-3-POWER", "owner": "国网威海供电公司", "date": "2021-02-01"}
	r = b.step(path, b.stepKey(path), "preview", early)
	wantStatus(t, "early transfer", r, http.StatusUnprocessableEntity)
	r = b.step(path, key, "post", transfer)
	wantBody(t, "transfer", r, `id="step-done"`, "已保存")
	if f.entries() != entries || count("utility_facility_events") != events+1 {
		t.Fatalf("the transfer: entries %d→%d, events %d→%d (want +1)", entries, f.entries(), events, count("utility_facility_events"))
	}
	fc, err := p.Facility(ctx, "HC-3-POWER")
	if err != nil || !fc.OwnedByUtility || fc.Owner != "国网威海供电公司" {
		t.Fatalf("after the transfer: %+v %v", fc, err)
	}
}

// TestGrantLists: the grants lists page through every row exactly once,
// are scoped to the reader's districts, and filter, search and sort in SQL.
// Seven applications by hand: HC-1 ×3 (applied 2020-06-01, -02, -03),
// HC-3 ×2 (2020-07-01, -02), WD-1 ×2 (2020-06-15, -16); estimated costs
// 100,000.00 × n for the n-th; the two of HC-3 approved (both meet the
// consent thresholds). Facilities: HC-1-POWER and HC-1-WATER registered,
// HC-3-GAS registered and committed.
func TestGrantLists(t *testing.T) {
	t.Parallel()
	f, p := grantFixture(t)
	ctx := context.Background()
	dec := decimal.RequireFromString
	apps := []struct{ code, project, on string }{
		{"HC-1-A", "HC-1", "2020-06-01"}, {"HC-1-B", "HC-1", "2020-06-02"}, {"HC-1-C", "HC-1", "2020-06-03"},
		{"HC-3-A", "HC-3", "2020-07-01"}, {"HC-3-B", "HC-3", "2020-07-02"}, {"WD-1-A", "WD-1", "2020-06-15"}, {"WD-1-B", "WD-1", "2020-06-16"},
	}
	for i, a := range apps {
		in := sevenFloorUnit(a.code, a.project, strconv.Itoa(i+1), decimal.NewFromInt(int64(100000*(i+1))), a.on)
		if _, err := p.ApplyElevator(ctx, in, "bureau"); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"HC-3-A", "HC-3-B"} {
		if _, err := p.ApproveElevator(ctx, code, date("2020-07-10"), "officer"); err != nil {
			t.Fatal(err)
		}
	}
	for _, fc := range []struct{ code, project, kind string }{{"HC-1-POWER", "HC-1", "power"}, {"HC-1-WATER", "HC-1", "water"}, {"HC-3-GAS", "HC-3", "gas"}} {
		if _, err := p.RegisterFacility(ctx, funding.FacilityInput{Code: fc.code, Project: fc.project, Kind: fc.kind, Cost: dec("200000.00"),
			Utility: "某专营单位", Owner: "原产权单位", RegisteredOn: date("2020-06-20")}, "officer"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.CommitFacility(ctx, "HC-3-GAS", date("2020-07-02"), "officer"); err != nil {
		t.Fatal(err)
	}

	rowRE := regexp.MustCompile(`<tr id="grant-([^"]+)">`)
	nextRE := regexp.MustCompile(`href="(/grants\?[^"]+)" id="grants-next"`)
	rows := func(b *browserUser, path string) []string {
		t.Helper()
		r := b.page(t, path, path)
		var out []string
		for _, m := range rowRE.FindAllSubmatch(r.body, -1) {
			out = append(out, string(m[1]))
		}
		return out
	}
	// every follows the next links from path and returns each page's rows.
	every := func(b *browserUser, path string) []string {
		t.Helper()
		var out []string
		for pages := 0; path != "" && pages < 20; pages++ {
			r := b.page(t, path, path)
			for _, m := range rowRE.FindAllSubmatch(r.body, -1) {
				out = append(out, string(m[1]))
			}
			path = ""
			if m := nextRE.FindSubmatch(r.body); m != nil {
				path = strings.ReplaceAll(string(m[1]), "&amp;", "&")
			}
		}
		return out
	}
	want := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	bureau := f.loggedIn("bureau")
	// Pages of 2 (by code): 4 pages, each row once, in order.
	want("bureau, pages of 2", every(bureau, "/grants?kind=applications&size=2"), "HC-1-A", "HC-1-B", "HC-1-C", "HC-3-A", "HC-3-B", "WD-1-A", "WD-1-B")
	want("bureau, pages of 3 by date", every(bureau, "/grants?kind=applications&size=3&sort=date"),
		"HC-3-B", "HC-3-A", "WD-1-B", "WD-1-A", "HC-1-C", "HC-1-B", "HC-1-A")
	want("wendeng", rows(bureau, "/grants?kind=applications&district=wendeng"), "WD-1-A", "WD-1-B")
	want("approved", rows(bureau, "/grants?kind=applications&status=approved"), "HC-3-A", "HC-3-B")
	want("applied in June", rows(bureau, "/grants?kind=applications&status=applied&from=2020-06-02&to=2020-06-30"), "HC-1-B", "HC-1-C", "WD-1-A", "WD-1-B")
	want("search", rows(bureau, "/grants?kind=applications&q=hc-1"), "HC-1-A", "HC-1-B", "HC-1-C")
	// By estimated cost, largest first: WD-1-B 700,000.00 … HC-1-A 100,000.00.
	want("by amount", rows(bureau, "/grants?kind=applications&sort=amount&project=HC-1"), "HC-1-C", "HC-1-B", "HC-1-A")
	want("facilities", rows(bureau, "/grants?kind=facilities"), "HC-1-POWER", "HC-1-WATER", "HC-3-GAS")
	want("committed facilities", rows(bureau, "/grants?kind=facilities&status=committed"), "HC-3-GAS")
	want("registered facilities of HC-1", rows(bureau, "/grants?kind=facilities&status=registered&project=HC-1"), "HC-1-POWER", "HC-1-WATER")
	r := bureau.get("/grants?kind=facilities&lang=en")
	wantBody(t, "facilities in English", r, "<td class=\"text\">gas</td>", "committed", "registered")
	wantNotBody(t, "facilities in English", r, "燃气")

	officer := f.loggedIn("officer")
	want("officer, pages of 2", every(officer, "/grants?kind=applications&size=2"), "HC-1-A", "HC-1-B", "HC-1-C", "HC-3-A", "HC-3-B")
	wantStatus(t, "officer, other district", officer.get("/grants?district=wendeng"), http.StatusForbidden)
	r = officer.get("/grants?kind=applications&status=approved&lang=zh")
	wantBody(t, "statuses in Chinese", r, "已批准", "每页最多 200 行")
}

// grantFixture is a fixture (passwords set) and its programme with the
// grant rules of ../funding/testdata/grants/grants-citywide.yaml for 环翠区
// (grantRules of projects_bonds_test.go; the fixture already has a
// city-wide rule set).
func grantFixture(t *testing.T) (*fixture, *funding.Programme) {
	t.Helper()
	f := withPasswords(newFixture(t))
	p := funding.New(ledger.New(f.db))
	if _, _, err := p.LoadRuleSetBytes(context.Background(), "hc-grants.yaml", []byte(grantRules(t)), "bureau"); err != nil {
		t.Fatal(err)
	}
	return f, p
}

// sevenFloorUnit is funding's test unit (building 3): 7 floors of 2
// households, whose consent just meets the thresholds.
func sevenFloorUnit(code, project, unit string, cost decimal.Decimal, appliedOn string) funding.ElevatorApplicationInput {
	dec := decimal.RequireFromString
	return funding.ElevatorApplicationInput{Code: code, Project: project, Building: "3", Unit: unit, HouseholdsPerFloor: []int{2, 2, 2, 2, 2, 2, 2},
		EstimatedCost: cost, OwnersTotal: 12, OwnersParticipating: 8, OwnersApproving: 6,
		AreaTotalM2: dec("1000.00"), AreaParticipatingM2: dec("666.67"), AreaApprovingM2: dec("500.01"), AppliedOn: date(appliedOn)}
}
