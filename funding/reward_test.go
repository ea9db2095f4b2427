package funding_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fundledger/funding"
)

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		period, start, end, says string
	}{
		{"2021", "2021-01-01", "2022-01-01", ""},
		{"2021-H1", "2021-01-01", "2021-07-01", ""},
		{"2021-H2", "2021-07-01", "2022-01-01", ""},
		{"2021-Q3", "2021-07-01", "2021-10-01", ""},
		{"2021-Q4", "2021-10-01", "2022-01-01", ""},
		{"2021-02", "2021-02-01", "2021-03-01", ""},
		{"2021-12", "2021-12-01", "2022-01-01", ""},
		{"2021-13", "", "", "there is no month 13 (01 to 12)"},
		{"2021-00", "", "", "there is no month 00"},
		{"2021-7", "", "", "two digits (2021-07)"},
		{"2021-Q5", "", "", "there is no quarter Q5"},
		{"2021-H3", "", "", "there is no half year H3"},
		{"21", "", "", "not a period"},
		{"2021-S1", "", "", "not a period"},
		{"1999", "", "", "outside 2000–2100"},
	}
	for _, c := range cases {
		s, e, err := funding.ParsePeriod(c.period)
		if c.says != "" {
			refused(t, c.period, err, funding.ErrPeriod, c.says, "YYYY-Q1")
			refused(t, c.period, err, funding.ErrInvalid)
			continue
		}
		if err != nil || !s.Equal(date(c.start)) || !e.Equal(date(c.end)) {
			t.Errorf("%s: %s – %s %v, want %s – %s", c.period, s, e, err, c.start, c.end)
		}
	}
}

// TestRewardPeriods (today 2022-03-15): no period that has not begun
// (2030, 2022-Q2), today's own period is fine (2022-Q1); the periods of one
// project do not overlap (2021 scored: 2021-H1, 2021-Q3, 2021-07 refused;
// 2022-Q1 fine); an assessment is not dated before its period begins; a
// bad period is told in words.
func TestRewardPeriods(t *testing.T) {
	t.Parallel()
	const proj = "PM-PER"
	p := grantProgramme(t, proj)
	p.SetClock(func() time.Time { return date("2022-03-15") })
	ctx := context.Background()
	score := func(period, on, s string) error {
		_, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: period, Score: d(s), ScoredOn: date(on)}, "bureau")
		return err
	}
	refused(t, "2030", score("2030", "2022-01-15", "90"), funding.ErrFuturePeriod, "begins on 2030-01-01", "after today (2022-03-15)")
	refused(t, "2022-Q2", score("2022-Q2", "2022-03-15", "90"), funding.ErrFuturePeriod, "begins on 2022-04-01")
	refused(t, "2021-13", score("2021-13", "2022-01-15", "90"), funding.ErrPeriod, "there is no month 13")
	refused(t, "2021-Q3 scored in June", score("2021-Q3", "2021-06-30", "90"), funding.ErrOutOfOrder, "scored on 2021-06-30", "begins on 2021-07-01")
	if err := score("2021", "2022-01-15", "85"); err != nil {
		t.Fatal(err)
	}
	for _, period := range []string{"2021-H1", "2021-Q3", "2021-07"} {
		refused(t, period, score(period, "2022-01-15", "95"), funding.ErrPeriodOverlap, "overlaps 2021")
		refused(t, period, score(period, "2022-01-15", "95"), funding.ErrExists)
	}
	if err := score("2022-Q1", "2022-03-15", "75"); err != nil {
		t.Errorf("today's quarter: %v", err)
	}
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2021:district", "30000.00")
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2022-Q1:district", "10000.00")

	// The database refuses the same by itself.
	db := p.Ledger().DB()
	for _, c := range []struct{ period, on, says string }{
		{"2021-13", "2022-01-15", "want YYYY"},
		{"2021-H2", "2022-01-15", "overlaps 2021"},
		{"2023", "2022-01-15", "before the period begins on 2023-01-01"},
	} {
		_, err := db.ExecContext(ctx, `INSERT INTO property_scores (project, period, score, scored_on, rule_set_id, source, reward, actor)
			SELECT $1, $2, 90, $3, id, 'district', 0, 'raw' FROM rule_sets LIMIT 1`, proj, c.period, c.on)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("raw score for %s: %v, want %q", c.period, err, c.says)
		}
	}
}

// TestPropertyScoreCorrection: 2021 scored 85 (reward 30,000.00), corrected
// to 91 with a reason (50,000.00): the correction posts the 20,000.00
// difference only, the history keeps both versions; a correction to 65
// (no reward) would post −50,000.00, but the reward is paid by then, so
// it is refused.
func TestPropertyScoreCorrection(t *testing.T) {
	t.Parallel()
	const proj = "PM-COR"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	if _, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("85"), Evaluator: "住建局", ScoredOn: date("2022-01-15")}, "bureau"); err != nil {
		t.Fatal(err)
	}
	_, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("91"), ScoredOn: date("2022-01-20")}, "bureau")
	refused(t, "score again", err, funding.ErrExists, "already scored 85 on 2022-01-15", "reward correct")
	corr := funding.PropertyScoreCorrection{Project: proj, Period: "2021", Score: d("91"), Reason: "复核 review of the assessment", CorrectedOn: date("2022-01-20")}
	noReason := corr
	noReason.Reason = ""
	_, err = p.CorrectPropertyScore(ctx, noReason, "bureau")
	refused(t, "no reason", err, funding.ErrInvalid, "reason")
	early := corr
	early.CorrectedOn = date("2022-01-14")
	_, err = p.CorrectPropertyScore(ctx, early, "bureau")
	refused(t, "dated before the score", err, funding.ErrOutOfOrder, "2022-01-14", "2022-01-15")
	none := corr
	none.Period = "2020"
	_, err = p.CorrectPropertyScore(ctx, none, "bureau")
	refused(t, "nothing to correct", err, funding.ErrOutOfOrder, "no score to correct")

	r, err := p.CorrectPropertyScore(ctx, corr, "bureau")
	if err != nil || r.Version != 2 || !r.Reward.Equal(d("50000.00")) || !r.PreviousReward.Equal(d("30000.00")) || !r.EntryID.Valid {
		t.Fatalf("correct: %+v %v", r, err)
	}
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2021:district", "50000.00")
	var posted []string
	if err := p.Ledger().DB().Select(&posted, `SELECT to_char(amount, 'FM999999990.00') FROM postings WHERE entry_id = $1`, r.EntryID.Int64); err != nil ||
		len(posted) != 2 || posted[0] != "20000.00" || posted[1] != "20000.00" {
		t.Errorf("the correction posted %v %v, want the difference 20000.00", posted, err)
	}
	if again, err := p.CorrectPropertyScore(ctx, corr, "bureau"); err != nil || !again.Unchanged || again.Version != 2 {
		t.Errorf("the same correction again: %+v %v", again, err)
	}
	hist, err := p.PropertyScoreHistory(ctx, proj)
	if err != nil || len(hist) != 2 || !hist[0].Score.Equal(d("85")) || hist[1].Reason != corr.Reason || !hist[1].Reward.Equal(d("50000.00")) {
		t.Errorf("history %+v %v", hist, err)
	}

	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	_, err = p.PayReward(ctx, proj, "2021", date("2022-01-19"), "HC-BANK", "", "bureau")
	refused(t, "paid before the corrected score", err, funding.ErrOutOfOrder, "2022-01-19", "score in force (2022-01-20, version 2)")
	pay, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "HC-BANK", "奖励-2021", "bureau")
	if err != nil || !pay.Total.Equal(d("50000.00")) {
		t.Fatalf("pay: %+v %v", pay, err)
	}
	balance(t, p, "budget:grant:receivable:reward:huancui:"+proj+":2021:district", "0")
	down := corr
	down.Score, down.CorrectedOn = d("65"), date("2022-03-01")
	_, err = p.CorrectPropertyScore(ctx, down, "bureau")
	refused(t, "correction after payment", err, funding.ErrAlreadyPaid, "2022-03-01", fmt.Sprintf("already paid on 2022-02-01 (entry %d)", pay.EntryID))
}

// TestPayRewardMessages: what a person reads when a reward payment is
// refused.
func TestPayRewardMessages(t *testing.T) {
	t.Parallel()
	const proj = "PM-PAY"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	for _, b := range []funding.BankAccount{{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, {Code: "RS-BANK", Name: "乳山市专户", District: "乳山市"}} {
		if err := p.AddBankAccount(ctx, b, "bureau"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "HC-BANK", "", "bureau")
	refused(t, "pay before the score", err, funding.ErrOutOfOrder, "2022-02-01", "no score is recorded")
	_, err = p.PayReward(ctx, proj, "2021-13", date("2022-02-01"), "HC-BANK", "", "bureau")
	refused(t, "pay a bad period", err, funding.ErrPeriod, "no month 13")
	if _, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("90"), ScoredOn: date("2022-01-15")}, "bureau"); err != nil {
		t.Fatal(err)
	}
	_, err = p.PayReward(ctx, proj, "2021", date("2022-01-14"), "HC-BANK", "", "bureau")
	refused(t, "pay dated before the score", err, funding.ErrOutOfOrder, "2022-01-14", "score in force (2022-01-15")
	_, err = p.PayReward(ctx, proj, "2021", date("2022-02-01"), "RS-BANK", "", "bureau")
	refused(t, "pay through 乳山市's account", err, funding.ErrBankDistrict, "RS-BANK", "乳山市", "环翠区")
	pay, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "HC-BANK", "", "bureau")
	if err != nil || !pay.Total.Equal(d("50000.00")) {
		t.Fatalf("pay: %+v %v", pay, err)
	}
	if again, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "HC-BANK", "", "bureau"); err != nil || !again.Replayed || again.EntryID != pay.EntryID {
		t.Errorf("the same payment again: %+v %v", again, err)
	}
	_, err = p.PayReward(ctx, proj, "2021", date("2022-02-02"), "HC-BANK", "", "bureau")
	refused(t, "a second payment", err, funding.ErrAlreadyPaid, fmt.Sprintf("already paid on 2022-02-01 (entry %d", pay.EntryID))
}

// TestPayRewardConcurrently: eight requests pay the same reward on eight
// different dates at once: one pays, the seven others are told it was
// already paid (not "idempotency key reused"), and the receivable is paid
// once (50,000.00).
func TestPayRewardConcurrently(t *testing.T) {
	t.Parallel()
	const proj = "PM-RACE"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("95"), ScoredOn: date("2022-01-15")}, "bureau"); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := p.PayReward(ctx, proj, "2021", date(fmt.Sprintf("2022-02-%02d", i+1)), "HC-BANK", "", "bureau")
			errs <- err
		}()
	}
	paid := 0
	for range 8 {
		err := <-errs
		switch {
		case err == nil:
			paid++
		case errors.Is(err, funding.ErrAlreadyPaid) && strings.Contains(err.Error(), "already paid on 2022-02-"):
		default:
			t.Errorf("racing payment: %v", err)
		}
	}
	if paid != 1 {
		t.Errorf("%d payments went through, want 1", paid)
	}
	balance(t, p, "budget:grant:paid:reward:huancui:"+proj+":2021:district", "50000.00")
}

// TestRewardStepsGuardedByDatabase: raw SQL cannot correct a paid reward,
// pay a reward other than the one in force, or pay before the score.
func TestRewardStepsGuardedByDatabase(t *testing.T) {
	t.Parallel()
	const proj = "PM-SQL"
	p := grantProgramme(t, proj)
	ctx := context.Background()
	db := p.Ledger().DB()
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "HC-BANK", Name: "环翠区专户", District: "环翠区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	r, err := p.ScoreProperty(ctx, funding.PropertyScoreInput{Project: proj, Period: "2021", Score: d("85"), ScoredOn: date("2022-01-15")}, "bureau")
	if err != nil {
		t.Fatal(err)
	}
	payRaw := func(amount, on string) error {
		_, err := db.ExecContext(ctx, `INSERT INTO property_reward_payments (project, period, version, paid_on, amount, bank_account, entry_id, financial_entry_id, actor)
			VALUES ($1, '2021', 1, $2, $3, 'HC-BANK', $4, $4, 'raw')`, proj, on, amount, r.EntryID.Int64)
		return err
	}
	if err := payRaw("30000.00", "2022-01-14"); err == nil || !strings.Contains(err.Error(), "paid on 2022-01-14 before the score in force (2022-01-15)") {
		t.Errorf("raw payment before the score: %v", err)
	}
	if err := payRaw("50000.00", "2022-02-01"); err == nil || !strings.Contains(err.Error(), "not the reward in force") {
		t.Errorf("raw payment of another amount: %v", err)
	}
	if _, err := p.PayReward(ctx, proj, "2021", date("2022-02-01"), "HC-BANK", "", "bureau"); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO property_scores (project, period, version, score, scored_on, rule_set_id, source, reward, actor, reason)
		VALUES ($1, '2021', 2, 95, '2022-03-01', $2, 'district', 50000, 'raw', 'x')`, proj, r.RuleSetID)
	if err == nil || !strings.Contains(err.Error(), "the reward was paid on 2022-02-01") {
		t.Errorf("raw correction after payment: %v", err)
	}
}
