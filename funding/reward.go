package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Property-management rewards: a score per project and period gives a
// reward by the rule set's table (property_rewards:), committed from its
// source; the reward is paid once, after the score.
//
// Periods: YYYY (the year), YYYY-H1 / YYYY-H2 (half years), YYYY-Q1 …
// YYYY-Q4 (quarters) and YYYY-MM (months, 01 to 12). A period is scored
// once it has begun (not later than today's, whatever the date of the
// assessment), the assessment is not dated before the period begins, and
// the periods scored for one project do not overlap (2021, 2021-H1 and
// 2021-Q3 cover the same months: only one of them is scored).
//
// A wrong score is corrected with a reason (CorrectPropertyScore): a new
// version of the period's score, whose reward is computed under the rule
// set of the first score; only the difference is posted, and every version
// stays (the same pattern as a budget re-approval). A paid reward is not
// corrected.

// PeriodForms documents the period forms, for help texts.
const PeriodForms = "YYYY (a year: 2021), YYYY-H1 or YYYY-H2 (a half year), YYYY-Q1 … YYYY-Q4 (a quarter) or YYYY-MM (a month, 01 to 12)"

var periodPattern = regexp.MustCompile(`^([0-9]{4})(?:-(H[0-9]+|Q[0-9]+|[0-9]{1,2}))?$`)

// ParsePeriod returns the first day of a reward period and the first day
// after it; ErrPeriod with a message for a person otherwise.
func ParsePeriod(period string) (start, end time.Time, err error) {
	bad := func(why string) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: period %q: %s; write %s", ErrPeriod, period, why, PeriodForms)
	}
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		return bad("not a period")
	}
	y, _ := strconv.Atoi(m[1])
	if y < 2000 || y > 2100 {
		return bad(fmt.Sprintf("year %d is outside 2000–2100", y))
	}
	rest := m[2]
	switch {
	case rest == "":
		start = ledger.Date(y, time.January, 1)
		return start, start.AddDate(1, 0, 0), nil
	case rest[0] == 'H':
		n, _ := strconv.Atoi(rest[1:])
		if rest != "H1" && rest != "H2" {
			return bad(fmt.Sprintf("there is no half year H%d (H1 or H2)", n))
		}
		start = ledger.Date(y, time.Month((n-1)*6+1), 1)
		return start, start.AddDate(0, 6, 0), nil
	case rest[0] == 'Q':
		n, _ := strconv.Atoi(rest[1:])
		if len(rest) != 2 || n < 1 || n > 4 {
			return bad(fmt.Sprintf("there is no quarter Q%d (Q1 to Q4)", n))
		}
		start = ledger.Date(y, time.Month((n-1)*3+1), 1)
		return start, start.AddDate(0, 3, 0), nil
	}
	n, _ := strconv.Atoi(rest)
	if n < 1 || n > 12 {
		return bad(fmt.Sprintf("there is no month %s (01 to 12)", rest))
	}
	if len(rest) != 2 {
		return bad(fmt.Sprintf("write the month with two digits (%d-%02d)", y, n))
	}
	start = ledger.Date(y, time.Month(n), 1)
	return start, start.AddDate(0, 1, 0), nil
}

// PropertyScoreInput is a property-management assessment of a project.
type PropertyScoreInput struct {
	Project   string          `json:"project" validate:"required"`
	Period    string          `json:"period" validate:"required,max=7"` // 2021, 2021-H1, 2021-Q3, 2021-07
	Score     decimal.Decimal `json:"score"`
	Evaluator string          `json:"evaluator" validate:"max=200"`
	ScoredOn  time.Time       `json:"scored_on" validate:"required"`
}

// PropertyReward is a scored period and its reward (the version in force,
// or the version just recorded).
type PropertyReward struct {
	Project     string          `db:"project" json:"project"`
	Period      string          `db:"period" json:"period"`
	Version     int             `db:"version" json:"version"`
	Score       decimal.Decimal `db:"score" json:"score"`
	Reward      decimal.Decimal `db:"reward" json:"reward"`
	Source      string          `db:"source" json:"source"`
	Explanation string          `db:"explanation" json:"explanation"`
	RuleSetID   int64           `db:"rule_set_id" json:"rule_set_id"`
	ScoredOn    time.Time       `db:"scored_on" json:"scored_on"`
	Reason      string          `db:"reason" json:"reason,omitempty"`
	EntryID     sql.NullInt64   `db:"entry_id" json:"-"`
	Unchanged   bool            `db:"-" json:"unchanged,omitempty"`
	// A correction: the score and reward it replaced.
	PreviousScore  decimal.Decimal `db:"-" json:"previous_score,omitzero"`
	PreviousReward decimal.Decimal `db:"-" json:"previous_reward,omitzero"`
}

const propertyScoreColumns = `project, period, version, score, reward, source, explanation, rule_set_id, scored_on, reason, entry_id`

// latestScore is the score in force of a project's period (nil: none).
func latestScore(ctx context.Context, db sqlx.QueryerContext, project, period string) (*PropertyReward, error) {
	var r PropertyReward
	err := sqlx.GetContext(ctx, db, &r, `SELECT `+propertyScoreColumns+` FROM property_scores WHERE project = $1 AND period = $2
		ORDER BY version DESC LIMIT 1`, project, period)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.ScoredOn = ledger.Civil(r.ScoredOn)
	return &r, nil
}

// PropertyScoreHistory lists every version of a project's scores, by
// period and version.
func (p *Programme) PropertyScoreHistory(ctx context.Context, project string) ([]PropertyReward, error) {
	var out []PropertyReward
	if err := p.db.SelectContext(ctx, &out, `SELECT `+propertyScoreColumns+` FROM property_scores WHERE project = $1
		ORDER BY period, version LIMIT 10000`, project); err != nil {
		return nil, fmt.Errorf("property scores of %s: %w", project, err)
	}
	for i := range out {
		out[i].ScoredOn = ledger.Civil(out[i].ScoredOn)
	}
	return out, nil
}

func rewardAccounts(pr Project, period string) grantAccounts {
	return grantAccounts{kind: GrantReward, ref: []string{pr.District, pr.Code, period}}
}

// ScoreProperty records a project's property-management score for a period
// and commits the reward the rule set in force gives for it (budget book:
// Dr budget:grant:receivable:reward:D:P:PERIOD:S / Cr …committed…). One
// score per project and period: the same again changes nothing, another is
// ErrExists (correct it with CorrectPropertyScore). Refused: a period that
// is not one of the forms (ErrPeriod), that has not begun (ErrFuturePeriod),
// that overlaps one scored already (ErrPeriodOverlap), an assessment dated
// before the period begins (ErrOutOfOrder).
func (p *Programme) ScoreProperty(ctx context.Context, in PropertyScoreInput, actor string) (PropertyReward, error) {
	what := fmt.Sprintf("property score of %s for %s", in.Project, in.Period)
	if err := checkInput(what, in); err != nil {
		return PropertyReward{}, err
	}
	if err := checkScore(what, in.Score); err != nil {
		return PropertyReward{}, err
	}
	start, end, err := ParsePeriod(in.Period)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	prev, err := latestScore(ctx, p.db, in.Project, in.Period)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	if prev != nil {
		if !prev.Score.Equal(in.Score) {
			return *prev, fmt.Errorf("%w: %s: already scored %s on %s (version %d); correct a score with a reason (fundledger reward correct)",
				ErrExists, what, prev.Score, prev.ScoredOn.Format(ledger.DateLayout), prev.Version)
		}
		prev.Unchanged = true
		return *prev, nil
	}
	if today := p.today(); start.After(today) {
		return PropertyReward{}, fmt.Errorf("%w: %s: the period begins on %s, after today (%s); a period is scored once it has begun",
			ErrFuturePeriod, what, start.Format(ledger.DateLayout), today.Format(ledger.DateLayout))
	}
	on := ledger.Civil(in.ScoredOn)
	if on.Before(start) {
		return PropertyReward{}, fmt.Errorf("%w: %s: scored on %s, before the period begins on %s", ErrOutOfOrder, what,
			on.Format(ledger.DateLayout), start.Format(ledger.DateLayout))
	}
	var others []struct {
		Period string          `db:"period"`
		Score  decimal.Decimal `db:"score"`
	}
	if err := p.db.SelectContext(ctx, &others, `SELECT DISTINCT ON (period) period, score FROM property_scores WHERE project = $1 AND period <> $2
		ORDER BY period, version DESC LIMIT 10000`, in.Project, in.Period); err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	for _, o := range others {
		s, e, err := ParsePeriod(o.Period)
		if err == nil && s.Before(end) && start.Before(e) {
			return PropertyReward{}, fmt.Errorf("%w: %s: the period overlaps %s, already scored %s; the periods of one project do not overlap",
				ErrPeriodOverlap, what, o.Period, o.Score)
		}
	}
	pr, err := p.Project(ctx, in.Project)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	stored, err := p.ruleSetFor(ctx, pr.DistrictName, on, "property_rewards", func(rs *rules.RuleSet) bool { return rs.PropertyRewards != nil })
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	amount, _, step, err := stored.set.PropertyRewards.Reward(in.Score)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	r := PropertyReward{Project: pr.Code, Period: in.Period, Version: 1, Score: in.Score, Reward: amount, Source: stored.set.PropertyRewards.Source,
		Explanation: step, RuleSetID: stored.id, ScoredOn: on}
	acc := rewardAccounts(pr, in.Period)
	var entries []ledger.Entry
	if amount.IsPositive() {
		if err := p.ensureGrantAccounts(ctx, acc, ledger.Dimensions{District: pr.District, Project: pr.Code}, "物业考核奖励 property reward "+in.Period,
			[]string{r.Source}); err != nil {
			return r, err
		}
		meta := map[string]string{"kind": "property_reward", "project": pr.Code, "district": pr.District, "period": in.Period, "score": in.Score.String(),
			"rule_set_id": strconv.FormatInt(stored.id, 10)}
		e := commitmentEntry(acc, nil, []rules.SourceAmount{{Source: r.Source, Amount: amount}}, on, "reward:"+pr.Code+":"+in.Period,
			autoMemo(meta, MemoPropertyReward, "物业服务考核奖励：项目 %s %s 得分 %s，奖励 %s 元", txtArg(pr.Code), txtArg(in.Period), txtArg(in.Score.String()),
				txtArg(amount.StringFixed(2))), actor, meta)
		entries = append(entries, *e)
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockProject(ctx, tx, pr.Code); err != nil {
			return err
		}
		var entryID any
		if len(entries) > 0 {
			out, err := ledger.PostInTx(ctx, tx, entries)
			if err != nil {
				return err
			}
			entryID, r.EntryID = out[0].ID, sql.NullInt64{Int64: out[0].ID, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO property_scores (project, period, version, score, evaluator, scored_on, rule_set_id, source, reward, explanation, entry_id, actor)
			VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, pr.Code, in.Period, in.Score.String(), in.Evaluator, on.Format(ledger.DateLayout),
			stored.id, r.Source, amount.StringFixed(2), step, entryID, actor)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return r, nil
}

// PropertyScoreCorrection corrects the score of a period.
type PropertyScoreCorrection struct {
	Project     string          `json:"project" validate:"required"`
	Period      string          `json:"period" validate:"required,max=7"`
	Score       decimal.Decimal `json:"score"`
	Reason      string          `json:"reason" validate:"required,max=500"`
	Evaluator   string          `json:"evaluator" validate:"max=200"`
	CorrectedOn time.Time       `json:"corrected_on" validate:"required"`
}

// CorrectPropertyScore records a corrected score for a period already
// scored, with its reason: a new version whose reward comes from the rule
// set of the first score; only the difference of the reward is posted
// (budget book, up or down). The same score again changes nothing.
// Refused without a score to correct or dated before it (ErrOutOfOrder),
// and once the reward is paid (ErrAlreadyPaid).
func (p *Programme) CorrectPropertyScore(ctx context.Context, in PropertyScoreCorrection, actor string) (PropertyReward, error) {
	what := fmt.Sprintf("correct the property score of %s for %s", in.Project, in.Period)
	if err := checkInput(what, in); err != nil {
		return PropertyReward{}, err
	}
	if err := checkScore(what, in.Score); err != nil {
		return PropertyReward{}, err
	}
	if _, _, err := ParsePeriod(in.Period); err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(in.CorrectedOn)
	what += " on " + on.Format(ledger.DateLayout)
	prev, err := latestScore(ctx, p.db, in.Project, in.Period)
	if err != nil {
		return PropertyReward{}, fmt.Errorf("%s: %w", what, err)
	}
	if prev == nil {
		return PropertyReward{}, fmt.Errorf("%w: %s: the period has no score to correct; record it first (fundledger reward score)", ErrOutOfOrder, what)
	}
	paid, err := rewardPayment(ctx, p.db, in.Project, in.Period)
	if err != nil {
		return *prev, fmt.Errorf("%s: %w", what, err)
	}
	if paid != nil {
		return *prev, fmt.Errorf("%w: %s: the reward was already paid on %s (entry %d); a paid reward is not corrected",
			ErrAlreadyPaid, what, paid.PaidOn.Format(ledger.DateLayout), paid.EntryID)
	}
	if on.Before(prev.ScoredOn) {
		return *prev, fmt.Errorf("%w: %s: the correction is dated before the score it corrects (%s, version %d)", ErrOutOfOrder, what,
			prev.ScoredOn.Format(ledger.DateLayout), prev.Version)
	}
	if prev.Score.Equal(in.Score) {
		prev.Unchanged = true
		return *prev, nil
	}
	pr, err := p.Project(ctx, in.Project)
	if err != nil {
		return *prev, fmt.Errorf("%s: %w", what, err)
	}
	rs, _, err := p.RuleSet(ctx, prev.RuleSetID)
	if err != nil {
		return *prev, fmt.Errorf("%s: %w", what, err)
	}
	if rs.PropertyRewards == nil {
		return *prev, fmt.Errorf("%w: %s: the score's rule set (id %d) has no property_rewards: section", ErrNoRuleSet, what, prev.RuleSetID)
	}
	amount, _, step, err := rs.PropertyRewards.Reward(in.Score)
	if err != nil {
		return *prev, fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	r := PropertyReward{Project: pr.Code, Period: in.Period, Version: prev.Version + 1, Score: in.Score, Reward: amount, Source: prev.Source,
		Explanation: step, RuleSetID: prev.RuleSetID, ScoredOn: on, Reason: in.Reason, PreviousScore: prev.Score, PreviousReward: prev.Reward}
	acc := rewardAccounts(pr, in.Period)
	if err := p.ensureGrantAccounts(ctx, acc, ledger.Dimensions{District: pr.District, Project: pr.Code}, "物业考核奖励 property reward "+in.Period,
		[]string{r.Source}); err != nil {
		return r, err
	}
	meta := map[string]string{"kind": "property_reward_correction", "project": pr.Code, "district": pr.District, "period": in.Period,
		"score": in.Score.String(), "previous_score": prev.Score.String(), "version": strconv.Itoa(r.Version), "reason": in.Reason,
		"rule_set_id": strconv.FormatInt(prev.RuleSetID, 10)}
	e := commitmentEntry(acc, []rules.SourceAmount{{Source: prev.Source, Amount: prev.Reward}}, []rules.SourceAmount{{Source: r.Source, Amount: amount}},
		on, fmt.Sprintf("reward:%s:%s:v%d", pr.Code, in.Period, r.Version),
		autoMemo(meta, MemoPropertyRewardCorrection, "更正物业服务考核奖励：项目 %s %s 得分 %s 改为 %s，奖励 %s 元改为 %s 元：%s", txtArg(pr.Code), txtArg(in.Period),
			txtArg(prev.Score.String()), txtArg(in.Score.String()), txtArg(prev.Reward.StringFixed(2)), txtArg(amount.StringFixed(2)), txtArg(in.Reason)), actor, meta)
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		// One score of a project at a time: lock it, then check no version came meanwhile.
		if err := lockProject(ctx, tx, pr.Code); err != nil {
			return err
		}
		latest, err := latestScore(ctx, tx, pr.Code, in.Period)
		if err != nil {
			return err
		}
		if latest == nil || latest.Version != prev.Version {
			return fmt.Errorf("%w: %s: another score was recorded meanwhile; look again and correct again", ErrStatus, what)
		}
		var entryID any
		if e != nil {
			out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{*e})
			if err != nil {
				return err
			}
			entryID, r.EntryID = out[0].ID, sql.NullInt64{Int64: out[0].ID, Valid: true}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO property_scores (project, period, version, score, evaluator, scored_on, rule_set_id, source, reward,
			explanation, entry_id, actor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, pr.Code, in.Period, r.Version,
			in.Score.String(), in.Evaluator, on.Format(ledger.DateLayout), prev.RuleSetID, r.Source, amount.StringFixed(2), step, entryID, actor, in.Reason)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return r, nil
}

// rewardPaid is a recorded payment of a reward.
type rewardPaid struct {
	Version          int       `db:"version"`
	PaidOn           time.Time `db:"paid_on"`
	BankAccount      string    `db:"bank_account"`
	Reference        string    `db:"reference"`
	EntryID          int64     `db:"entry_id"`
	FinancialEntryID int64     `db:"financial_entry_id"`
}

func rewardPayment(ctx context.Context, db sqlx.QueryerContext, project, period string) (*rewardPaid, error) {
	var r rewardPaid
	err := sqlx.GetContext(ctx, db, &r, `SELECT version, paid_on, bank_account, reference, entry_id, financial_entry_id FROM property_reward_payments
		WHERE project = $1 AND period = $2`, project, period)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.PaidOn = ledger.Civil(r.PaidOn)
	return &r, nil
}

// PayReward pays a property-management reward that ScoreProperty committed
// (the score in force: budget book Dr paid / Cr receivable; financial book
// the source's money in and out to the property-service company), through
// a bank account of the project's district or a city account. It is paid
// once: the same request again changes nothing, another is ErrAlreadyPaid
// (naming the date and entry). Refused without a score or dated before the
// score in force (ErrOutOfOrder).
func (p *Programme) PayReward(ctx context.Context, project, period string, on time.Time, bankAccount, reference, actor string) (GrantPayment, error) {
	what := fmt.Sprintf("pay the property reward of %s for %s", project, period)
	if on.IsZero() || actor == "" {
		return GrantPayment{}, fmt.Errorf("%w: %s: date and actor are required", ErrInvalid, what)
	}
	on = ledger.Civil(on)
	what += " on " + on.Format(ledger.DateLayout)
	if _, _, err := ParsePeriod(period); err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	r, err := latestScore(ctx, p.db, project, period)
	if err != nil {
		return GrantPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if r == nil {
		return GrantPayment{}, fmt.Errorf("%w: %s: no score is recorded for the period, so no reward is committed; record the score first (fundledger reward score)",
			ErrOutOfOrder, what)
	}
	if !r.Reward.IsPositive() {
		return GrantPayment{}, fmt.Errorf("%w: %s: a score of %s earns no reward", ErrConditionNotMet, what, r.Score)
	}
	amounts := []rules.SourceAmount{{Source: r.Source, Amount: r.Reward}}
	pay := GrantPayment{Amounts: amounts, Total: r.Reward}
	paid, err := rewardPayment(ctx, p.db, project, period)
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	if paid != nil {
		if paid.PaidOn.Equal(on) && paid.BankAccount == bankAccount && paid.Reference == reference {
			pay.EntryID, pay.FinancialEntryID, pay.Replayed = paid.EntryID, paid.FinancialEntryID, true
			return pay, nil
		}
		return pay, fmt.Errorf("%w: %s: already paid on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what,
			paid.PaidOn.Format(ledger.DateLayout), paid.EntryID, paid.FinancialEntryID)
	}
	if on.Before(r.ScoredOn) {
		return pay, fmt.Errorf("%w: %s: the payment is dated before the score in force (%s, version %d)", ErrOutOfOrder, what,
			r.ScoredOn.Format(ledger.DateLayout), r.Version)
	}
	pr, err := p.Project(ctx, project)
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.lookups().bankFor(ctx, bankAccount, pr.District, pr.DistrictName, "project "+pr.Code); err != nil {
		return pay, fmt.Errorf("%s: %w", what, err)
	}
	meta := map[string]string{"kind": "property_reward_payment", "project": pr.Code, "district": pr.District, "period": period,
		"bank_account": bankAccount, "reference": reference, "version": strconv.Itoa(r.Version)}
	entries := paymentEntries(rewardAccounts(pr, period), amounts, on, "reward:"+pr.Code+":"+period+":paid",
		autoMemo(meta, MemoPropertyRewardPayment, "拨付物业考核奖励：项目 %s %s", txtArg(pr.Code), txtArg(period)), actor, meta)
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockProject(ctx, tx, pr.Code); err != nil {
			return err
		}
		out, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		pay.EntryID, pay.FinancialEntryID, pay.Replayed = out[0].ID, out[1].ID, out[0].Replayed
		if pay.Replayed {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO property_reward_payments (project, period, version, paid_on, amount, bank_account, reference, entry_id,
			financial_entry_id, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, pr.Code, period, r.Version, on.Format(ledger.DateLayout),
			r.Reward.StringFixed(2), bankAccount, reference, pay.EntryID, pay.FinancialEntryID, actor)
		return err
	})
	if errors.Is(err, ledger.ErrIdempotencyConflict) {
		// Paid meanwhile by another request: say when.
		if paid, perr := rewardPayment(ctx, p.db, project, period); perr == nil && paid != nil {
			return pay, fmt.Errorf("%w: %s: already paid on %s (entry %d, financial entry %d)", ErrAlreadyPaid, what,
				paid.PaidOn.Format(ledger.DateLayout), paid.EntryID, paid.FinancialEntryID)
		}
	}
	if err != nil {
		return pay, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return pay, nil
}

// lockProject serialises the scores and reward payments of one project
// within tx (the trigger of 00011 takes the same lock, later; taking it
// first keeps the order of locks the same in every transaction).
func lockProject(ctx context.Context, tx *sqlx.Tx, code string) error {
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM projects WHERE code = $1 FOR UPDATE`, code)
	return err
}
