package funding_test

import (
	"context"
	"errors"
	"testing"

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
