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
