package funding_test

import (
	"context"
	"errors"
	"testing"

	"fundledger/funding"
	"fundledger/ledger"
)

const grantRules = "testdata/grants/grants-citywide.yaml"

// grantProgramme is a programme with the grant test rules loaded and one
// project of 环翠区 (huancui).
func grantProgramme(t *testing.T, project string) *funding.Programme {
	t.Helper()
	p := newProgramme(t)
	ctx := context.Background()
	if _, _, err := p.LoadRuleSet(ctx, grantRules, "bureau"); err != nil {
		t.Fatal(err)
	}
	if project != "" {
		if _, err := p.RegisterProject(ctx, sampleProject(project), "officer"); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// sevenFloors is a unit of 7 floors, 2 households each, 12 owners (the
// ground floor's 2 are owners too, they just pay nothing) whose consent
// just meets the thresholds: 8/12 participate (8 × 3 = 24 ≥ 12 × 2),
// 666.67 of 1,000 m² (× 3 = 2,000.01 ≥ 2,000); 6 of 8 approve (6 × 4 = 24 ≥
// 8 × 3), 500.01 of 666.67 m² (× 4 = 2,000.04 ≥ 666.67 × 3 = 2,000.01).
func sevenFloors(code, project string) funding.ElevatorApplicationInput {
	return funding.ElevatorApplicationInput{
		Code: code, Project: project, Building: "3", Unit: "2", HouseholdsPerFloor: []int{2, 2, 2, 2, 2, 2, 2},
		EstimatedCost: d("500000.00"), OwnersTotal: 12, OwnersParticipating: 8, OwnersApproving: 6,
		AreaTotalM2: d("1000.00"), AreaParticipatingM2: d("666.67"), AreaApprovingM2: d("500.01"), AppliedOn: date("2020-06-20"),
	}
}

func households(t *testing.T, p *funding.Programme, app string) map[string]funding.HouseholdPosition {
	t.Helper()
	hs, err := p.ElevatorHouseholds(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]funding.HouseholdPosition{}
	for _, h := range hs {
		out[h.Household] = h
	}
	return out
}

// TestElevatorGrantLifecycle follows one application from approval to the
// payment of its grant. Numbers by hand (grant 40%, at most 250,000 per
// elevator, municipal and district halves; floor coefficients 0, 0.4, 0.7,
// 1.0, 1.2, 1.4, 1.6, two households per floor: Σ 12.6):
//
//	approval on the estimated 500,000.00: grant 200,000.00 (below the cap):
//	municipal 100,000.00, district 100,000.00; residents 300,000.00, one
//	coefficient unit 300,000 / 12.6 = 23,809.5238…: floors 2..7 get
//	9,523.8095…, 16,666.6666…, 23,809.5238…, 28,571.4285…, 33,333.3333…,
//	38,095.2380…; floored they add up to 2 × 149,999.96, and the 8 fen go to
//	the largest remainders (floors 2, 5, 7, 3): 9,523.81, 16,666.67,
//	23,809.52, 28,571.43, 33,333.33, 38,095.24 (2 × 150,000.00).
//
//	acceptance on the final 700,000.00: 40% = 280,000 > 250,000, so the
//	grant is 250,000.00, halves of 125,000.00 (+25,000.00 each posted);
//	residents 450,000.00 (+150,000.00 posted); unit 35,714.2857…: floors
//	2..7 get 14,285.71, 25,000.00, 35,714.29, 42,857.14, 50,000.00,
//	57,142.86 (the 4 fen to floors 7 and 4, remainders 0.71 and 0.57).
func TestElevatorGrantLifecycle(t *testing.T) {
	t.Parallel()
	const proj, app = "EL-P1", "EL-P1-3-2"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	if _, err := p.ApplyElevator(ctx, sevenFloors(app, proj), "officer"); err != nil {
		t.Fatal(err)
	}
	g, err := p.ApproveElevator(ctx, app, date("2020-07-01"), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Consent.OK || !g.Grant.Total.Equal(d("200000.00")) || !g.ResidentsShare.Equal(d("300000.00")) || g.EntryID == 0 || g.FinancialEntryID == 0 {
		t.Fatalf("approval: %+v", g)
	}
	const acc = "huancui:" + proj + ":" + app
	balance(t, p, "budget:grant:receivable:elevator:"+acc+":municipal", "100000.00")
	balance(t, p, "budget:grant:committed:elevator:"+acc+":district", "100000.00")
	balance(t, p, "grant:receivable:residents:"+acc, "300000.00")
	want := map[string]string{"101": "0.00", "201": "9523.81", "301": "16666.67", "401": "23809.52", "501": "28571.43",
		"601": "33333.33", "701": "38095.24", "702": "38095.24"}
	hs := households(t, p, app)
	for h, w := range want {
		if !hs[h].Share.Equal(d(w)) {
			t.Errorf("approval: household %s share %s, want %s", h, hs[h].Share, w)
		}
	}

	// The grant is paid only after acceptance.
	pay := funding.ElevatorPaymentRequest{Application: app, PaidOn: date("2020-12-01"), Payee: "某电梯公司", BankAccount: "BANK-1", Actor: "officer"}
	if _, err := p.PayElevatorGrant(ctx, pay); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Fatalf("payment before acceptance: %v", err)
	}

	// Household 701 pays its share in full; one fen more is refused.
	c := funding.ContributionRequest{Application: app, Household: "701", Amount: d("38095.24"), ReceivedOn: date("2020-08-01"),
		IdempotencyKey: "hh-701-1", Actor: "officer"}
	if _, err := p.ReceiveContribution(ctx, c); err != nil {
		t.Fatal(err)
	}
	if m, err := p.ReceiveContribution(ctx, c); err != nil || !m.Replayed {
		t.Errorf("same contribution again: %+v %v", m, err)
	}
	c.IdempotencyKey, c.Amount = "hh-701-2", d("0.01")
	if _, err := p.ReceiveContribution(ctx, c); !errors.Is(err, funding.ErrExceedsCommitment) {
		t.Errorf("overpayment: %v", err)
	}
	balance(t, p, "grant:cash:residents:"+acc, "38095.24")

	// Acceptance with the final cost: re-computed, differences posted.
	g, err = p.AcceptElevator(ctx, app, d("700000.00"), d("0"), date("2021-05-01"), "inspector")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Grant.Capped || !g.Grant.Total.Equal(d("250000.00")) || len(g.Deltas) != 2 || !g.Deltas[0].Now.Sub(g.Deltas[0].Previous).Equal(d("25000.00")) {
		t.Errorf("acceptance: %+v", g)
	}
	balance(t, p, "budget:grant:receivable:elevator:"+acc+":municipal", "125000.00")
	balance(t, p, "budget:grant:receivable:elevator:"+acc+":district", "125000.00")
	balance(t, p, "grant:receivable:residents:"+acc, "411904.76") // 450,000.00 − 38,095.24 received
	want = map[string]string{"201": "14285.71", "301": "25000.00", "401": "35714.29", "501": "42857.14", "601": "50000.00", "701": "57142.86", "702": "57142.86"}
	hs = households(t, p, app)
	for h, w := range want {
		if !hs[h].Share.Equal(d(w)) {
			t.Errorf("acceptance: household %s share %s, want %s", h, hs[h].Share, w)
		}
	}
	if !hs["701"].Outstanding.Equal(d("19047.62")) || !hs["701"].Paid.Equal(d("38095.24")) {
		t.Errorf("household 701 after acceptance: %+v", hs["701"])
	}
	if again, err := p.AcceptElevator(ctx, app, d("700000.00"), d("0"), date("2021-05-01"), "inspector"); err != nil || !again.Unchanged {
		t.Errorf("acceptance again: %+v %v", again.Unchanged, err)
	}
	if _, err := p.AcceptElevator(ctx, app, d("690000.00"), d("0"), date("2021-05-02"), "inspector"); !errors.Is(err, funding.ErrExists) {
		t.Errorf("second acceptance with another cost: %v", err)
	}

	// Paid after acceptance (not dated before it); paying again changes nothing.
	pay.PaidOn = date("2021-04-30")
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BANK-1", Name: "专户"}, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PayElevatorGrant(ctx, pay); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Errorf("payment dated before the acceptance: %v", err)
	}
	pay.PaidOn = date("2021-05-10")
	paid, err := p.PayElevatorGrant(ctx, pay)
	if err != nil || !paid.Total.Equal(d("250000.00")) {
		t.Fatalf("payment: %+v %v", paid, err)
	}
	balance(t, p, "budget:grant:receivable:elevator:"+acc+":municipal", "0")
	balance(t, p, "budget:grant:paid:elevator:"+acc+":district", "125000.00")
	balance(t, p, "grant:expense:elevator:"+acc+":municipal", "125000.00")
	balance(t, p, "grant:cash:elevator:"+acc+":municipal", "0")
	if again, err := p.PayElevatorGrant(ctx, pay); err != nil || !again.Replayed || again.EntryID != paid.EntryID {
		t.Errorf("payment again: %+v %v", again, err)
	}
	a, err := p.ElevatorApplication(ctx, app)
	if err != nil || a.Status != funding.ElevatorPaid {
		t.Errorf("status: %+v %v", a.Status, err)
	}
	// The report: paid in full; residents owe 450,000.00 − 38,095.24.
	rep, err := p.GrantsReport(ctx, "环翠区", date("2021-12-31"))
	if err != nil || len(rep.Applications) != 1 || !rep.Applications[0].GrantPaid.Equal(d("250000.00")) ||
		!rep.Buildings[0].Outstanding.Equal(d("411904.76")) || rep.StatusCounts[funding.ElevatorPaid] != 1 {
		t.Errorf("grants report: %+v %v", rep, err)
	}
	// Both books still balance.
	for _, book := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		tb, err := p.Ledger().TrialBalance(ctx, book, date("2021-12-31"))
		if err != nil || !tb.TotalDebit.Equal(tb.TotalCredit) {
			t.Errorf("%s trial balance: %s / %s %v", book, tb.TotalDebit, tb.TotalCredit, err)
		}
	}
}

// TestElevatorConsentMissed: 7 of 12 owners participate (7 × 3 = 21 < 24):
// refused, recorded, nothing committed; the grant can be neither accepted
// nor paid.
func TestElevatorConsentMissed(t *testing.T) {
	t.Parallel()
	const proj, app = "EL-P2", "EL-P2-1-1"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	in := sevenFloors(app, proj)
	in.OwnersParticipating = 7
	if _, err := p.ApplyElevator(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApproveElevator(ctx, app, date("2020-07-01"), "officer"); !errors.Is(err, funding.ErrConsent) {
		t.Fatalf("approve without consent: %v", err)
	}
	a, err := p.ElevatorApplication(ctx, app)
	if err != nil || a.Status != funding.ElevatorRefused {
		t.Errorf("status %q %v", a.Status, err)
	}
	if _, err := p.AcceptElevator(ctx, app, d("500000.00"), d("0"), date("2021-01-01"), "officer"); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Errorf("accept a refused application: %v", err)
	}
	if _, err := p.Ledger().Account(ctx, "budget:grant:committed:elevator:huancui:"+proj+":"+app+":municipal"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("refused application has grant accounts: %v", err)
	}
	// The same data again is fine; other data under the code is not.
	if _, err := p.ApplyElevator(ctx, in, "officer"); err != nil {
		t.Errorf("apply again: %v", err)
	}
	in.OwnersParticipating = 8
	if _, err := p.ApplyElevator(ctx, in, "officer"); !errors.Is(err, funding.ErrExists) {
		t.Errorf("apply again with other data: %v", err)
	}
}

// TestElevatorPipeRelocation: 2 elevators, cost 1,400,000.00 (40% =
// 560,000 > 2 × 250,000: capped at 500,000.00), pipe relocation 70,000.00
// (50% = 35,000 ≤ 2 × 30,000: 35,000.00 to the district), other
// contributions 100,000.00: residents 1,400,000 + 70,000 − 535,000 −
// 100,000 = 835,000.00.
func TestElevatorPipeRelocation(t *testing.T) {
	t.Parallel()
	const proj, app = "EL-P3", "EL-P3-5-1"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	in := sevenFloors(app, proj)
	in.Elevators, in.EstimatedCost, in.EstimatedPipeCost, in.OtherContributions = 2, d("1400000.00"), d("70000.00"), d("100000.00")
	if _, err := p.ApplyElevator(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	g, err := p.ApproveElevator(ctx, app, date("2020-07-01"), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Grant.Amount.Equal(d("500000.00")) || !g.Grant.Extra.Equal(d("35000.00")) || !g.ResidentsShare.Equal(d("835000.00")) {
		t.Errorf("grant %s extra %s residents %s", g.Grant.Amount, g.Grant.Extra, g.ResidentsShare)
	}
	balance(t, p, "budget:grant:receivable:elevator:huancui:"+proj+":"+app+":district", "285000.00")
	balance(t, p, "budget:grant:receivable:elevator:huancui:"+proj+":"+app+":municipal", "250000.00")
	if again, err := p.ApproveElevator(ctx, app, date("2020-07-02"), "officer"); err != nil || !again.Unchanged || again.EntryID != g.EntryID {
		t.Errorf("approve again: %+v %v", again.Unchanged, err)
	}
}
