package web_test

import (
	"bytes"
	"context"
	"net/http"
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
	f := newFixture(t)
	f.setPasswords()
	ctx := context.Background()
	p := funding.New(ledger.New(f.db))
	// ../funding/testdata/grants/grants-citywide.yaml, for 环翠区 (the
	// fixture already has a city-wide rule set): grantRules of projects_bonds_test.go.
	if _, _, err := p.LoadRuleSetBytes(ctx, "hc-grants.yaml", []byte(grantRules(t)), "bureau"); err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	in := funding.ElevatorApplicationInput{
		Code: "HC-3-3-2", Project: "HC-3", Building: "3", Unit: "2", HouseholdsPerFloor: []int{2, 2, 2, 2, 2, 2, 2},
		EstimatedCost: dec("500000.00"), OwnersTotal: 12, OwnersParticipating: 8, OwnersApproving: 6,
		AreaTotalM2: dec("1000.00"), AreaParticipatingM2: dec("666.67"), AreaApprovingM2: dec("500.01"), AppliedOn: date("2020-06-20"),
	}
	if _, err := p.ApplyElevator(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	g, err := p.ApproveElevator(ctx, "HC-3-3-2", date("2020-07-01"), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Grant.Total.Equal(dec("200000.00")) {
		t.Fatalf("grant %s, want 200000.00", g.Grant.Total)
	}

	b := f.browser()
	b.mustLogin("officer")
	r := b.get("/projects/HC-3?lang=en")
	wantStatus(t, "project with a grant", r, http.StatusOK)
	wantBody(t, "project with a grant", r, `id="grant-panel"`, "Elevator applications", `id="elevator-HC-3-3-2"`, "HC-3-3-2",
		"3/2", "approved", "200,000.00", "300,000.00")
	if bytes.Contains(r.body, []byte(`id="grant-none"`)) {
		t.Errorf("project with a grant shows the none line")
	}
	r = b.get("/projects/HC-3?lang=zh")
	wantStatus(t, "project with a grant, Chinese", r, http.StatusOK)
	wantBody(t, "project with a grant, Chinese", r, "加装电梯申请", "已承诺补助", "已批准", "200,000.00")

	r = b.get("/projects/HC-2?lang=en")
	wantStatus(t, "project without grants", r, http.StatusOK)
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
	f := newFixture(t)
	f.setPasswords()
	ctx := context.Background()
	p := funding.New(ledger.New(f.db))
	if _, _, err := p.LoadRuleSetBytes(ctx, "hc-grants.yaml", []byte(grantRules(t)), "bureau"); err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	app := funding.ElevatorApplicationInput{
		Code: "HC-3-3-2", Project: "HC-3", Building: "3", Unit: "2", HouseholdsPerFloor: []int{2, 2, 2, 2, 2, 2, 2},
		EstimatedCost: dec("500000.00"), OwnersTotal: 12, OwnersParticipating: 8, OwnersApproving: 6,
		AreaTotalM2: dec("1000.00"), AreaParticipatingM2: dec("666.67"), AreaApprovingM2: dec("500.01"), AppliedOn: date("2020-06-20"),
	}
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
	b := f.browser()
	b.mustLogin("officer")

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
