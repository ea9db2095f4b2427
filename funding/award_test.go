package funding_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

// TestUtilityFacilityAward: award 30% of the cost, at most 300,000 per
// facility, from the district. The power facility (500,000.00) belongs to
// the old employer: the power utility funds the works (500,000.00) and is
// awarded 30% × 500,000 = 150,000.00; the water facility (200,000.00) is
// the water utility's own: it funds the works, no award. The award is paid
// only after the ownership passed to the utility, on completion.
func TestUtilityFacilityAward(t *testing.T) {
	t.Parallel()
	const proj = "UT-P1"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	power := funding.FacilityInput{Code: "UT-P1-POWER", Project: proj, Kind: "power", Description: "配电线路 power lines", Cost: d("500000.00"),
		Utility: "国网威海供电公司", Owner: "原产权单位 old employer", RegisteredOn: date("2020-06-20")}
	water := funding.FacilityInput{Code: "UT-P1-WATER", Project: proj, Kind: "water", Cost: d("200000.00"), Utility: "威海水务",
		Owner: "威海水务", OwnedByUtility: true, RegisteredOn: date("2020-06-20")}
	for _, in := range []funding.FacilityInput{power, water} {
		if _, err := p.RegisterFacility(ctx, in, "officer"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.RegisterFacility(ctx, power, "officer"); err != nil {
		t.Errorf("register again: %v", err)
	}
	c, err := p.CommitFacility(ctx, power.Code, date("2020-07-01"), "officer")
	if err != nil || !c.Award.Equal(d("150000.00")) || c.AwardSource != "district" || !c.Contribution.Equal(d("500000.00")) {
		t.Fatalf("commit power: %+v %v", c, err)
	}
	c, err = p.CommitFacility(ctx, water.Code, date("2020-07-01"), "officer")
	if err != nil || !c.Award.IsZero() || !c.Contribution.Equal(d("200000.00")) {
		t.Fatalf("commit water: %+v %v", c, err)
	}
	if again, err := p.CommitFacility(ctx, power.Code, date("2020-07-02"), "officer"); err != nil || !again.Unchanged {
		t.Errorf("commit again: %+v %v", again, err)
	}
	balance(t, p, "budget:grant:receivable:award:huancui:"+proj+":UT-P1-POWER:district", "150000.00")
	balance(t, p, "budget:grant:committed:contribution:huancui:"+proj+":UT-P1-POWER:utility:power", "500000.00")
	balance(t, p, "budget:grant:committed:contribution:huancui:"+proj+":UT-P1-WATER:utility:water", "200000.00")

	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BANK-D", Name: "区财政"}, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PayAward(ctx, power.Code, date("2021-04-01"), "BANK-D", "", "officer"); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Errorf("award paid before the transfer: %v", err)
	}
	if _, err := p.TransferOwnership(ctx, power.Code, "国网威海供电公司", date("2021-03-15"), "officer", ""); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Errorf("transfer before completion: %v", err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-03-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	f, err := p.TransferOwnership(ctx, power.Code, "国网威海供电公司", date("2021-03-15"), "officer", "移交协议 handover agreement")
	if err != nil || !f.OwnedByUtility || f.Owner != "国网威海供电公司" || !f.OwnerSince.Equal(date("2021-03-15")) {
		t.Fatalf("transfer: %+v %v", f, err)
	}
	if _, err := p.TransferOwnership(ctx, power.Code, "someone", date("2021-03-16"), "officer", ""); !errors.Is(err, funding.ErrStatus) {
		t.Errorf("second transfer: %v", err)
	}
	if _, err := p.TransferOwnership(ctx, water.Code, "威海水务", date("2021-03-16"), "officer", ""); !errors.Is(err, funding.ErrStatus) {
		t.Errorf("transfer of a utility-owned facility: %v", err)
	}
	// The history keeps the first owner.
	var owners []string
	if err := p.Ledger().DB().Select(&owners, `SELECT owner FROM utility_facility_events WHERE facility = $1 AND owner IS NOT NULL ORDER BY id`, power.Code); err != nil ||
		len(owners) != 2 || owners[0] != power.Owner {
		t.Errorf("ownership history %v %v", owners, err)
	}
	pay, err := p.PayAward(ctx, power.Code, date("2021-04-01"), "BANK-D", "凭证 1", "officer")
	if err != nil || !pay.Total.Equal(d("150000.00")) {
		t.Fatalf("pay award: %+v %v", pay, err)
	}
	balance(t, p, "budget:grant:paid:award:huancui:"+proj+":UT-P1-POWER:district", "150000.00")
	balance(t, p, "grant:expense:award:huancui:"+proj+":UT-P1-POWER:district", "150000.00")
	if again, err := p.PayAward(ctx, power.Code, date("2021-04-01"), "BANK-D", "凭证 1", "officer"); err != nil || !again.Replayed {
		t.Errorf("pay again: %+v %v", again, err)
	}
}

// TestPropertyReward: table 90 → 50,000, 80 → 30,000, 70 → 10,000.
func TestPropertyReward(t *testing.T) {
	t.Parallel()
	const proj = "PM-P1"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	in := funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("85"), Evaluator: "住建局", ScoredOn: date("2022-01-15")}
	r, err := p.ScoreProperty(ctx, in, "bureau")
	if err != nil || !r.Reward.Equal(d("30000.00")) || r.Source != "district" || r.Explanation == "" {
		t.Fatalf("score 85: %+v %v", r, err)
	}
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2021:district", "30000.00")
	if again, err := p.ScoreProperty(ctx, in, "bureau"); err != nil || !again.Unchanged {
		t.Errorf("same score again: %+v %v", again, err)
	}
	in.Score = d("86")
	if _, err := p.ScoreProperty(ctx, in, "bureau"); !errors.Is(err, funding.ErrExists) {
		t.Errorf("another score for the same period: %v", err)
	}
	in.Period, in.Score = "2022-H1", d("69.99")
	if r, err := p.ScoreProperty(ctx, in, "bureau"); err != nil || !r.Reward.IsZero() || r.EntryID.Valid {
		t.Errorf("score below the table: %+v %v", r, err)
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BANK-D", Name: "区财政"}, "officer"); err != nil {
		t.Fatal(err)
	}
	// Paying the 2021 reward moves the 30,000.00 from receivable to paid;
	// paying again changes nothing; a period without a reward pays nothing.
	pay, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "BANK-D", "奖励-2021", "bureau")
	if err != nil || !pay.Total.Equal(d("30000.00")) || pay.Replayed {
		t.Fatalf("pay reward: %+v %v", pay, err)
	}
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2021:district", "0")
	balance(t, p, "budget:grant:paid:reward:huancui:"+proj+":2021:district", "30000.00")
	if again, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "BANK-D", "奖励-2021", "bureau"); err != nil || !again.Replayed {
		t.Errorf("pay reward again: %+v %v", again, err)
	}
	if _, err := p.PayReward(ctx, proj, "2022-H1", date("2022-08-01"), "BANK-D", "", "bureau"); !errors.Is(err, funding.ErrConditionNotMet) {
		t.Errorf("pay a period without reward: %v", err)
	}
}

// facility registers a facility of project proj (环翠区) on 2021-06-20
// owned by the old employer, cost 20,000.00: award 30% = 6,000.00.
func facility(t *testing.T, p *funding.Programme, code, proj string) funding.FacilityInput {
	t.Helper()
	in := funding.FacilityInput{Code: code, Project: proj, Kind: "heating", Cost: d("20000.00"), Utility: "威海热电",
		Owner: "原产权单位 old employer", RegisteredOn: date("2021-06-20")}
	if _, err := p.RegisterFacility(context.Background(), in, "officer"); err != nil {
		t.Fatal(err)
	}
	return in
}

// refused checks an error's kind and that its message says each of parts.
func refused(t *testing.T, what string, err, kind error, parts ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
		return
	}
	for _, s := range parts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s: %q does not say %q", what, err, s)
		}
	}
	for _, s := range []string{"violates", "constraint", "SQLSTATE", "pq:", "would overdraw"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("%s: %q speaks of %q", what, err, s)
		}
	}
}

// TestFacilityStepsInOrder: register → commit → completed → transfer →
// pay, each by sequence and by date. The cases of issue 19: a commitment
// before the registration, a transfer before the commitment (by date and
// by sequence), a payment before the commitment and before the transfer;
// each refused with ErrOutOfOrder naming the step and both dates. A
// transfer tried before committing leaves the award intact: 30% of
// 20,000.00 = 6,000.00, owned by the old employer at registration.
func TestFacilityStepsInOrder(t *testing.T) {
	t.Parallel()
	const proj = "UT-ORD"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	f := facility(t, p, "WD2-HEAT", proj)
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, "officer"); err != nil {
		t.Fatal(err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-08-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	_, err := p.PayAward(ctx, f.Code, date("2021-08-15"), "HC-BANK", "", "officer")
	refused(t, "pay before the commitment", err, funding.ErrOutOfOrder, "2021-08-15", "no award is committed yet")
	_, err = p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-10"), "officer", "")
	refused(t, "transfer before the commitment", err, funding.ErrOutOfOrder, "2021-08-10", "not committed yet")
	_, err = p.CommitFacility(ctx, f.Code, date("2021-06-19"), "officer")
	refused(t, "commitment before the registration", err, funding.ErrOutOfOrder, "2021-06-19", "registration on 2021-06-20")

	c, err := p.CommitFacility(ctx, f.Code, date("2021-08-20"), "officer")
	if err != nil || !c.Award.Equal(d("6000.00")) || !c.Contribution.Equal(d("20000.00")) {
		t.Fatalf("commit after a refused transfer: %+v %v", c, err)
	}
	_, err = p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-10"), "officer", "")
	refused(t, "transfer dated before the commitment", err, funding.ErrOutOfOrder, "2021-08-10", "commitment (or its latest correction) on 2021-08-20")
	_, err = p.PayAward(ctx, f.Code, date("2021-08-15"), "HC-BANK", "", "officer")
	refused(t, "pay dated before the commitment", err, funding.ErrOutOfOrder, "2021-08-15", "commitment (or its latest correction) on 2021-08-20")
	_, err = p.PayAward(ctx, f.Code, date("2021-08-25"), "HC-BANK", "", "officer")
	refused(t, "pay before the transfer", err, funding.ErrOutOfOrder, "2021-08-25", "no transfer is recorded")
	if _, err := p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-30"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	_, err = p.PayAward(ctx, f.Code, date("2021-08-29"), "HC-BANK", "", "officer")
	refused(t, "pay dated before the transfer", err, funding.ErrOutOfOrder, "2021-08-29", "transfer on 2021-08-30")
	pay, err := p.PayAward(ctx, f.Code, date("2021-09-01"), "HC-BANK", "V-1", "officer")
	if err != nil || !pay.Total.Equal(d("6000.00")) {
		t.Fatalf("pay: %+v %v", pay, err)
	}
	if again, err := p.PayAward(ctx, f.Code, date("2021-09-01"), "HC-BANK", "V-1", "officer"); err != nil || !again.Replayed || again.EntryID != pay.EntryID {
		t.Errorf("the same payment again: %+v %v", again, err)
	}
	_, err = p.PayAward(ctx, f.Code, date("2021-09-05"), "HC-BANK", "V-2", "officer")
	refused(t, "a second payment", err, funding.ErrAlreadyPaid, fmt.Sprintf("already paid on 2021-09-01 (entry %d", pay.EntryID))
	balance(t, p, "budget:grant:paid:award:huancui:"+proj+":WD2-HEAT:district", "6000.00")
	balance(t, p, "budget:grant:receivable:award:huancui:"+proj+":WD2-HEAT:district", "0")
}

// TestFacilityTransferBeforeCompletion: the transfer waits for the
// project's completion (by status and by date).
func TestFacilityTransferBeforeCompletion(t *testing.T) {
	t.Parallel()
	const proj = "UT-CMP"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	f := facility(t, p, "CMP-HEAT", proj)
	if _, err := p.CommitFacility(ctx, f.Code, date("2021-07-01"), "officer"); err != nil {
		t.Fatal(err)
	}
	_, err := p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-10"), "officer", "")
	refused(t, "transfer before completion", err, funding.ErrOutOfOrder, "2021-08-10", "project UT-CMP is planned")
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-09-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusAccepted, date("2021-10-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	_, err = p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-10"), "officer", "")
	refused(t, "transfer dated before completion (project since accepted)", err, funding.ErrOutOfOrder, "2021-08-10", "completion of project UT-CMP on 2021-09-01")
	if _, err := p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-09-01"), "officer", ""); err != nil {
		t.Errorf("transfer on the day of completion: %v", err)
	}
}

// TestFacilityStepsGuardedByDatabase: raw SQL cannot record the steps out
// of order either (migrations/00011_grant_steps.sql).
func TestFacilityStepsGuardedByDatabase(t *testing.T) {
	t.Parallel()
	const proj = "UT-SQL"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	f := facility(t, p, "SQL-HEAT", proj)
	db := p.Ledger().DB()
	ins := func(kind, on string) error {
		owner := map[bool]any{true: "威海热电", false: nil}[kind == "transferred"]
		owned := map[bool]any{true: true, false: nil}[kind == "transferred"]
		_, err := db.ExecContext(ctx, `INSERT INTO utility_facility_events (facility, kind, owner, owned_by_utility, effective_on, award, contribution, actor)
			VALUES ($1, $2, $3, $4, $5, 0, 1, 'raw')`, f.Code, kind, owner, owned, on)
		return err
	}
	for _, c := range []struct{ kind, on, says string }{
		{"transferred", "2021-08-10", "before any commitment"},
		{"paid", "2021-08-10", "before any commitment"},
		{"committed", "2021-06-19", "before the registration on 2021-06-20"},
	} {
		if err := ins(c.kind, c.on); err == nil || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), c.on) {
			t.Errorf("raw %s on %s: %v, want %q", c.kind, c.on, err, c.says)
		}
	}
	if _, err := p.CommitFacility(ctx, f.Code, date("2021-08-20"), "officer"); err != nil {
		t.Fatal(err)
	}
	if err := ins("transferred", "2021-08-21"); err == nil || !strings.Contains(err.Error(), "before the completion") {
		t.Errorf("raw transfer before completion: %v", err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-08-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	if err := ins("transferred", "2021-08-19"); err == nil || !strings.Contains(err.Error(), "2021-08-20") {
		t.Errorf("raw transfer dated before the commitment: %v", err)
	}
}

// TestFacilityCostCorrection: the cost of the power facility corrected
// from 500,000.00 (award 30% = 150,000.00) to 1,200,000.00 (30% =
// 360,000.00, capped at 300,000.00): the correction posts only the
// differences, 700,000.00 of contribution and 150,000.00 of award; then
// back down to 400,000.00 (award 120,000.00): −800,000.00 and −180,000.00.
// The history keeps the three costs and the reasons.
func TestFacilityCostCorrection(t *testing.T) {
	t.Parallel()
	const proj = "UT-COR"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	in := funding.FacilityInput{Code: "COR-POWER", Project: proj, Kind: "power", Cost: d("500000.00"), Utility: "国网威海供电公司",
		Owner: "原产权单位", RegisteredOn: date("2021-03-01")}
	if _, err := p.RegisterFacility(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	corr := funding.FacilityCorrection{Facility: in.Code, Cost: d("1200000.00"), Reason: "决算审计 final audit", CorrectedOn: date("2021-05-01"), Actor: "officer"}
	_, err := p.CorrectFacilityCost(ctx, corr)
	refused(t, "correction before the commitment", err, funding.ErrOutOfOrder, "2021-05-01", "nothing is committed yet")
	if _, err := p.CommitFacility(ctx, in.Code, date("2021-04-01"), "officer"); err != nil {
		t.Fatal(err)
	}
	noReason := corr
	noReason.Reason = ""
	_, err = p.CorrectFacilityCost(ctx, noReason)
	refused(t, "correction without a reason", err, funding.ErrInvalid, "reason")
	early := corr
	early.CorrectedOn = date("2021-03-31")
	_, err = p.CorrectFacilityCost(ctx, early)
	refused(t, "correction dated before the commitment", err, funding.ErrOutOfOrder, "2021-03-31", "2021-04-01")

	c, err := p.CorrectFacilityCost(ctx, corr)
	if err != nil || !c.Award.Equal(d("300000.00")) || !c.Contribution.Equal(d("1200000.00")) || !c.PreviousAward.Equal(d("150000.00")) || c.Version != 2 {
		t.Fatalf("correction up: %+v %v", c, err)
	}
	award := "budget:grant:receivable:award:huancui:" + proj + ":COR-POWER:district"
	contrib := "budget:grant:receivable:contribution:huancui:" + proj + ":COR-POWER:utility:power"
	balance(t, p, award, "300000.00")
	balance(t, p, contrib, "1200000.00")
	var posted []decimal.Decimal
	if err := p.Ledger().DB().Select(&posted, `SELECT amount FROM postings WHERE entry_id = $1 AND side = 'D' ORDER BY amount`, c.EntryID); err != nil ||
		len(posted) != 2 || !posted[0].Equal(d("150000.00")) || !posted[1].Equal(d("700000.00")) {
		t.Errorf("the correction posted %v %v, want the differences 150000.00 and 700000.00", posted, err)
	}
	if again, err := p.CorrectFacilityCost(ctx, corr); err != nil || !again.Unchanged {
		t.Errorf("the same correction again: %+v %v", again, err)
	}
	down := funding.FacilityCorrection{Facility: in.Code, Cost: d("400000.00"), Reason: "复核 review", CorrectedOn: date("2021-05-02"), Actor: "officer"}
	if c, err := p.CorrectFacilityCost(ctx, down); err != nil || !c.Award.Equal(d("120000.00")) || c.Version != 3 {
		t.Fatalf("correction down: %+v %v", c, err)
	}
	balance(t, p, award, "120000.00")
	balance(t, p, contrib, "400000.00")
	var history []struct {
		Cost   string `db:"cost"`
		Reason string `db:"reason"`
	}
	if err := p.Ledger().DB().Select(&history, `SELECT cost::text, reason FROM utility_facility_events WHERE facility = $1 AND cost IS NOT NULL ORDER BY id`, in.Code); err != nil ||
		len(history) != 3 || history[0].Cost != "500000.00" || history[1].Reason != corr.Reason || history[2].Cost != "400000.00" {
		t.Errorf("history %+v %v", history, err)
	}
	f, err := p.Facility(ctx, in.Code)
	if err != nil || !f.Cost.Equal(d("400000.00")) || !f.RegisteredCost.Equal(d("500000.00")) || f.Corrections != 2 {
		t.Errorf("facility after corrections: %+v %v", f, err)
	}
	// Registering the facility again as first registered still changes nothing.
	if _, err := p.RegisterFacility(ctx, in, "officer"); err != nil {
		t.Errorf("register again after corrections: %v", err)
	}
	// Paid: no more corrections.
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "CITY", Name: "市财政专户"}, "officer"); err != nil {
		t.Fatal(err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-06-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.TransferOwnership(ctx, in.Code, "国网威海供电公司", date("2021-06-02"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	pay, err := p.PayAward(ctx, in.Code, date("2021-06-03"), "CITY", "", "officer")
	if err != nil || !pay.Total.Equal(d("120000.00")) {
		t.Fatalf("pay the corrected award: %+v %v", pay, err)
	}
	late := down
	late.Cost, late.CorrectedOn = d("450000.00"), date("2021-07-01")
	_, err = p.CorrectFacilityCost(ctx, late)
	refused(t, "correction after payment", err, funding.ErrAlreadyPaid, "2021-07-01", "already paid on 2021-06-03")
}

// TestFacilityContribution: the utilities' own contributions are settled
// — the heating utility's 20,000.00 in kind (it did the works), the power
// utility's 500,000.00 in cash through the district's account — and the
// grants report then shows nothing outstanding for contributions.
func TestFacilityContribution(t *testing.T) {
	t.Parallel()
	const proj = "UT-CON"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	heat := facility(t, p, "CON-HEAT", proj)
	power := funding.FacilityInput{Code: "CON-POWER", Project: proj, Kind: "power", Cost: d("500000.00"), Utility: "国网威海供电公司",
		Owner: "国网威海供电公司", OwnedByUtility: true, RegisteredOn: date("2021-03-01")}
	if _, err := p.RegisterFacility(ctx, power, "officer"); err != nil {
		t.Fatal(err)
	}
	for _, b := range []funding.BankAccount{{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, {Code: "RS-BANK", Name: "乳山市专户", District: "乳山市"}} {
		if err := p.AddBankAccount(ctx, b, "officer"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.RecordFacilityContribution(ctx, funding.FacilityContributionRequest{Facility: heat.Code, On: date("2021-07-01"), InKind: true, Actor: "officer"})
	refused(t, "contribution before the commitment", err, funding.ErrOutOfOrder, "2021-07-01", "no contribution is committed yet")
	for _, code := range []string{heat.Code, power.Code} {
		if _, err := p.CommitFacility(ctx, code, date("2021-07-01"), "officer"); err != nil {
			t.Fatal(err)
		}
	}
	outstanding := func() decimal.Decimal {
		t.Helper()
		rep, err := p.GrantsReport(ctx, "环翠区", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range rep.Districts {
			if x.Kind == funding.GrantContribution {
				return x.Outstanding
			}
		}
		t.Fatalf("no contribution line in %+v", rep.Districts)
		return decimal.Zero
	}
	if o := outstanding(); !o.Equal(d("520000.00")) {
		t.Errorf("outstanding before: %s, want 520000.00", o)
	}
	got, err := p.RecordFacilityContribution(ctx, funding.FacilityContributionRequest{Facility: heat.Code, On: date("2021-09-01"), InKind: true, Reference: "验收单 1", Actor: "officer"})
	if err != nil || !got.Total.Equal(d("20000.00")) {
		t.Fatalf("in kind: %+v %v", got, err)
	}
	cash := funding.FacilityContributionRequest{Facility: power.Code, On: date("2021-09-02"), BankAccount: "RS-BANK", Actor: "officer"}
	_, err = p.RecordFacilityContribution(ctx, cash)
	refused(t, "cash into another district's account", err, funding.ErrBankDistrict, "RS-BANK", "乳山市", "环翠区")
	cash.BankAccount = "HC-BANK"
	got, err = p.RecordFacilityContribution(ctx, cash)
	if err != nil || !got.Total.Equal(d("500000.00")) {
		t.Fatalf("cash: %+v %v", got, err)
	}
	if o := outstanding(); !o.IsZero() {
		t.Errorf("outstanding after: %s, want 0", o)
	}
	balance(t, p, "grant:expense:contribution:huancui:"+proj+":CON-HEAT:utility:heating", "20000.00")
	balance(t, p, "grant:cash:contribution:huancui:"+proj+":CON-POWER:utility:power", "500000.00")
	if again, err := p.RecordFacilityContribution(ctx, cash); err != nil || !again.Replayed {
		t.Errorf("the same contribution again: %+v %v", again, err)
	}
	cash.On = date("2021-09-03")
	_, err = p.RecordFacilityContribution(ctx, cash)
	refused(t, "a second contribution", err, funding.ErrAlreadyPaid, "already recorded on 2021-09-02")
}

// TestPaymentBankAccountDistrict: a payment of a 环翠区 project goes through
// 环翠区's account or a city account (no district), never 乳山市's — for an
// award, a receipt and a disbursement alike.
func TestPaymentBankAccountDistrict(t *testing.T) {
	t.Parallel()
	const proj = "UT-BNK"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	for _, b := range []funding.BankAccount{{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, {Code: "RS-BANK", Name: "乳山市专户", District: "乳山市"},
		{Code: "CITY-BANK", Name: "市财政专户"}} {
		if err := p.AddBankAccount(ctx, b, "officer"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Receive(ctx, funding.ReceiptRequest{Project: proj, Source: "central", Amount: d("100.00"), ReceivedOn: date("2021-03-01"),
		BankAccount: "RS-BANK", IdempotencyKey: "r-1", Actor: "officer"})
	refused(t, "receipt", err, funding.ErrBankDistrict, "RS-BANK", "乳山市", "project UT-BNK (环翠区)")
	_, err = p.Disburse(ctx, funding.DisbursementRequest{Project: proj, Source: "central", Category: "basic", Amount: d("100.00"), PaidOn: date("2021-03-01"),
		Payee: "施工单位", BankAccount: "RS-BANK", IdempotencyKey: "d-1", Actor: "officer"})
	refused(t, "disbursement", err, funding.ErrBankDistrict, "RS-BANK")

	f := facility(t, p, "BNK-HEAT", proj)
	if _, err := p.CommitFacility(ctx, f.Code, date("2021-07-01"), "officer"); err != nil {
		t.Fatal(err)
	}
	if err := p.SetStatus(ctx, proj, funding.StatusCompleted, date("2021-08-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.TransferOwnership(ctx, f.Code, "威海热电", date("2021-08-02"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	_, err = p.PayAward(ctx, f.Code, date("2021-08-03"), "RS-BANK", "", "officer")
	refused(t, "award", err, funding.ErrBankDistrict, "RS-BANK", "乳山市")
	for _, bank := range []string{"CITY-BANK", "HC-BANK"} {
		g := facility(t, p, "BNK-"+bank, proj)
		if _, err := p.CommitFacility(ctx, g.Code, date("2021-07-01"), "officer"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.TransferOwnership(ctx, g.Code, "威海热电", date("2021-08-02"), "officer", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := p.PayAward(ctx, g.Code, date("2021-08-03"), bank, "", "officer"); err != nil {
			t.Errorf("award through %s: %v", bank, err)
		}
	}
}
