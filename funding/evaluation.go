package funding

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Third-party evaluation (第三方评价) and the allocation of a year's pool.
//
// AllocatePool splits the pool of year Y over the districts by the city-wide
// rule set's evaluation_allocation formula (rules.EvaluationRule), using the
// evaluated year E = Y − 1: the districts' quantities are those of the
// projects of plan year E (floor area, households, buildings, communities
// renovated that year) and their scores those of E. The commitments go to
// the budget book, per district: Dr budget:grant:receivable:pool:D:Y:S /
// Cr budget:grant:committed:pool:D:Y:S. A re-run with the same result
// changes nothing; a different result (new scores, projects or pool) is a
// new version that posts only the difference.

// EvaluationInput is one district's evaluation score for a year.
type EvaluationInput struct {
	District  string          `json:"district" validate:"required"` // code or Chinese name
	Year      int             `json:"year" validate:"gte=2000,lte=2100"`
	Score     decimal.Decimal `json:"score"`
	Evaluator string          `json:"evaluator" validate:"max=200"`
	ScoredOn  time.Time       `json:"scored_on" validate:"required"`
	Note      string          `json:"note" validate:"max=500"`
}

// EvaluationScore is a district's score in force for a year.
type EvaluationScore struct {
	District     string          `db:"district" json:"district"`
	DistrictName string          `db:"district_name" json:"district_name"`
	Year         int             `db:"year" json:"year"`
	Score        decimal.Decimal `db:"score" json:"score"`
	Evaluator    string          `db:"evaluator" json:"evaluator"`
	ScoredOn     time.Time       `db:"scored_on" json:"scored_on"`
}

func checkScore(what string, s decimal.Decimal) error {
	if s.IsNegative() || s.GreaterThan(decimal.NewFromInt(100)) || !s.Equal(s.Truncate(2)) {
		return fmt.Errorf("%w: %s: score %s: want 0 to 100 with at most 2 decimals", ErrInvalid, what, s)
	}
	return nil
}

// RecordEvaluation records a district's score for a year. A re-evaluation
// is a new row that takes over; recording the score in force again changes
// nothing.
func (p *Programme) RecordEvaluation(ctx context.Context, in EvaluationInput, actor string) (EvaluationScore, error) {
	what := fmt.Sprintf("evaluation of %s for %d", in.District, in.Year)
	if err := checkInput(what, in); err != nil {
		return EvaluationScore{}, err
	}
	if err := checkScore(what, in.Score); err != nil {
		return EvaluationScore{}, err
	}
	d, err := LookupDistrict(ctx, p.db, in.District)
	if err != nil {
		return EvaluationScore{}, fmt.Errorf("%s: %w", what, err)
	}
	cur, err := p.EvaluationScores(ctx, in.Year)
	if err != nil {
		return EvaluationScore{}, err
	}
	for _, s := range cur {
		if s.District == d.Code && s.Score.Equal(in.Score) && s.Evaluator == in.Evaluator && s.ScoredOn.Equal(ledger.Civil(in.ScoredOn)) {
			return s, nil
		}
	}
	if _, err := p.db.ExecContext(ctx, `INSERT INTO evaluation_scores (district, year, score, evaluator, scored_on, actor, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.Code, in.Year, in.Score.String(), in.Evaluator, ledger.Civil(in.ScoredOn).Format(ledger.DateLayout), actor, in.Note); err != nil {
		return EvaluationScore{}, fmt.Errorf("%s: %w", what, err)
	}
	return EvaluationScore{District: d.Code, DistrictName: d.NameZh, Year: in.Year, Score: in.Score, Evaluator: in.Evaluator, ScoredOn: ledger.Civil(in.ScoredOn)}, nil
}

// EvaluationScores lists the scores in force for a year (the latest per
// district), in district order.
func (p *Programme) EvaluationScores(ctx context.Context, year int) ([]EvaluationScore, error) {
	var out []EvaluationScore
	err := p.db.SelectContext(ctx, &out, `
		SELECT DISTINCT ON (e.district) e.district, d.name_zh AS district_name, e.year, e.score, e.evaluator, e.scored_on
		  FROM evaluation_scores e JOIN districts d ON d.code = e.district
		 WHERE e.year = $1 ORDER BY e.district, e.id DESC`, year)
	if err != nil {
		return nil, fmt.Errorf("evaluation scores %d: %w", year, err)
	}
	for i := range out {
		out[i].ScoredOn = ledger.Civil(out[i].ScoredOn)
	}
	return out, nil
}

// PoolRequest allocates the pool of a year.
type PoolRequest struct {
	Year   int             `json:"year" validate:"gte=2001,lte=2100"` // the year whose money is allocated
	Pool   decimal.Decimal `json:"pool"`
	On     time.Time       `json:"on"` // date of the commitments and of the rule set; zero: 1 January of Year
	DryRun bool            `json:"dry_run"`
	Actor  string          `json:"actor" validate:"required"`
}

// PoolLine is one district's part.
type PoolLine struct {
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	AreaM2       decimal.Decimal `json:"area_m2"`
	Households   int             `json:"households"`
	Buildings    int             `json:"buildings"`
	Communities  int             `json:"communities"`
	Score        decimal.Decimal `json:"score"`
	Scored       bool            `json:"scored"`
	Coefficient  decimal.Decimal `json:"coefficient"`
	Share        decimal.Decimal `json:"share"`
	Amount       decimal.Decimal `json:"amount"`
	Previous     decimal.Decimal `json:"previous"` // the amount of the previous version (0 if none)
	Explanation  string          `json:"explanation"`
}

// PoolResult is an allocation, computed (dry run) or posted.
type PoolResult struct {
	Year           int             `json:"year"`
	EvaluationYear int             `json:"evaluation_year"`
	Pool           decimal.Decimal `json:"pool"`
	Source         string          `json:"source"`
	On             time.Time       `json:"on"`
	RuleSetID      int64           `json:"rule_set_id"`
	RuleSet        string          `json:"rule_set"`
	Lines          []PoolLine      `json:"lines"`
	Steps          []string        `json:"steps"`
	DryRun         bool            `json:"dry_run,omitempty"`
	Version        int             `json:"version,omitempty"`
	EntryID        int64           `json:"entry_id,omitempty"`
	// Unchanged: the same allocation is already posted; nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
}

// poolLock serialises allocations of one year (pg_advisory_xact_lock(key, year)).
const poolLock = 0x504f4f4c // "POOL"

// AllocatePool computes the split of a year's pool over the districts and,
// unless DryRun, posts the commitments (see the top of this file).
func (p *Programme) AllocatePool(ctx context.Context, req PoolRequest) (PoolResult, error) {
	what := fmt.Sprintf("allocate the %d pool", req.Year)
	if err := checkInput(what, req); err != nil {
		return PoolResult{}, err
	}
	if err := checkMoneyInput(what+": pool", req.Pool, false); err != nil {
		return PoolResult{}, err
	}
	on := req.On
	if on.IsZero() {
		on = ledger.Date(req.Year, time.January, 1)
	}
	on = ledger.Civil(on)
	res := PoolResult{Year: req.Year, EvaluationYear: req.Year - 1, Pool: req.Pool, On: on, DryRun: req.DryRun}
	current, err := currentRuleSets(ctx, p.db)
	if err != nil {
		return res, err
	}
	var sets []*rules.RuleSet
	for _, c := range current {
		if c.set.District == "" {
			sets = append(sets, c.set)
		}
	}
	rs, err := rules.Select(sets, "", on)
	if err != nil {
		return res, fmt.Errorf("%w: %s: city-wide rule set: %w", ErrNoRuleSet, what, err)
	}
	for _, c := range current {
		if c.set == rs {
			res.RuleSetID = c.id
		}
	}
	res.RuleSet = rs.Name + " " + rs.Version
	if rs.EvaluationAllocation == nil {
		return res, fmt.Errorf("%w: %s: rule set %s (id %d) has no evaluation_allocation: section", ErrNoRuleSet, what, res.RuleSet, res.RuleSetID)
	}
	res.Source = rs.EvaluationAllocation.Source

	ds, err := Districts(ctx, p.db)
	if err != nil {
		return res, err
	}
	var qty []struct {
		District    string          `db:"district"`
		Area        decimal.Decimal `db:"area"`
		Households  int             `db:"households"`
		Buildings   int             `db:"buildings"`
		Communities int             `db:"communities"`
	}
	if err := p.db.SelectContext(ctx, &qty, `
		SELECT district, sum(floor_area_m2) AS area, sum(households) AS households, sum(buildings) AS buildings, count(*) AS communities
		  FROM projects WHERE plan_year = $1 GROUP BY district`, res.EvaluationYear); err != nil {
		return res, fmt.Errorf("%s: quantities: %w", what, err)
	}
	scores, err := p.EvaluationScores(ctx, res.EvaluationYear)
	if err != nil {
		return res, err
	}
	score := map[string]decimal.Decimal{}
	for _, s := range scores {
		score[s.District] = s.Score
	}
	var factors []rules.DistrictFactors
	for _, d := range ds {
		line := PoolLine{District: d.Code, DistrictName: d.NameZh}
		for _, q := range qty {
			if q.District == d.Code {
				line.AreaM2, line.Households, line.Buildings, line.Communities = q.Area, q.Households, q.Buildings, q.Communities
			}
		}
		line.Score, line.Scored = score[d.Code]
		if !line.Scored && line.Communities > 0 {
			return res, fmt.Errorf("%w: %s: %s has %d communities of plan year %d but no evaluation score for %d (fundledger evaluation record)",
				ErrInvalid, what, d.NameZh, line.Communities, res.EvaluationYear, res.EvaluationYear)
		}
		res.Lines = append(res.Lines, line)
		factors = append(factors, rules.DistrictFactors{District: d.Code, AreaM2: line.AreaM2, Households: line.Households,
			Buildings: line.Buildings, Communities: line.Communities, Score: line.Score})
	}
	pa, err := rs.EvaluationAllocation.Allocate(req.Pool, factors)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
	}
	res.Steps = append([]string{fmt.Sprintf("pool %s of %d from %s under rule set %s (id %d); quantities: projects of plan year %d; scores: evaluations of %d",
		req.Pool.StringFixed(2), req.Year, res.Source, res.RuleSet, res.RuleSetID, res.EvaluationYear, res.EvaluationYear)}, pa.Steps...)
	for i, da := range pa.Districts {
		l := &res.Lines[i]
		l.Coefficient, l.Share, l.Amount, l.Explanation = da.Coefficient, da.Share, da.Amount, da.Explanation
		if !l.Scored {
			l.Explanation = "no evaluation score and no projects: " + l.Explanation
		}
	}
	prev, err := p.latestPool(ctx, p.db, req.Year, res.Source)
	if err != nil {
		return res, err
	}
	if prev != nil {
		for i := range res.Lines {
			res.Lines[i].Previous = prev.amounts[res.Lines[i].District]
		}
		res.Version = prev.version
		if prev.pool.Equal(req.Pool) && prev.sameAmounts(res.Lines) {
			res.Unchanged, res.EntryID = true, prev.entryID
			return res, nil
		}
	}
	if req.DryRun {
		return res, nil
	}
	return p.postPool(ctx, res, prev, req.Actor)
}

type storedPool struct {
	version int
	pool    decimal.Decimal
	entryID int64
	amounts map[string]decimal.Decimal
}

func (s *storedPool) sameAmounts(lines []PoolLine) bool {
	n := 0
	for _, l := range lines {
		if !s.amounts[l.District].Equal(l.Amount) {
			return false
		}
		if _, ok := s.amounts[l.District]; ok {
			n++
		}
	}
	return n == len(s.amounts)
}

func (p *Programme) latestPool(ctx context.Context, db sqlx.QueryerContext, year int, source string) (*storedPool, error) {
	var row struct {
		ID      int64           `db:"id"`
		Version int             `db:"version"`
		Pool    decimal.Decimal `db:"pool"`
		EntryID sql.NullInt64   `db:"entry_id"`
	}
	err := sqlx.GetContext(ctx, db, &row, `SELECT id, version, pool, entry_id FROM pool_allocations WHERE year = $1 AND source = $2 ORDER BY version DESC LIMIT 1`, year, source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pool allocation %d: %w", year, err)
	}
	var lines []struct {
		District string          `db:"district"`
		Amount   decimal.Decimal `db:"amount"`
	}
	if err := sqlx.SelectContext(ctx, db, &lines, `SELECT district, amount FROM pool_allocation_lines WHERE allocation_id = $1`, row.ID); err != nil {
		return nil, err
	}
	s := &storedPool{version: row.Version, pool: row.Pool, entryID: row.EntryID.Int64, amounts: map[string]decimal.Decimal{}}
	for _, l := range lines {
		s.amounts[l.District] = l.Amount
	}
	return s, nil
}

func poolAccounts(district string, year int) grantAccounts {
	return grantAccounts{kind: GrantPool, ref: []string{district, strconv.Itoa(year)}}
}

func (p *Programme) postPool(ctx context.Context, res PoolResult, prev *storedPool, actor string) (PoolResult, error) {
	version := 1
	if prev != nil {
		version = prev.version + 1
	}
	meta := map[string]string{"kind": "pool_allocation", "year": strconv.Itoa(res.Year), "source": res.Source,
		"version": strconv.Itoa(version), "rule_set_id": strconv.FormatInt(res.RuleSetID, 10), "rule_set": res.RuleSet}
	e := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: res.On, Actor: actor,
		IdempotencyKey: fmt.Sprintf("pool:%d:%s:v%d", res.Year, res.Source, version),
		Memo: autoMemo(meta, MemoPoolAllocation, "资金分配：%s 年%s资金按考核分配，第 %s 版，合计 %s 元", txtArg(strconv.Itoa(res.Year)), srcArg(res.Source),
			txtArg(strconv.Itoa(version)), txtArg(res.Pool.StringFixed(2))),
		Metadata: meta}
	for _, l := range res.Lines {
		acc := poolAccounts(l.District, res.Year)
		diff := l.Amount.Sub(l.Previous)
		if diff.IsZero() {
			continue
		}
		if err := p.ensureGrantAccounts(ctx, acc, ledger.Dimensions{District: l.District}, fmt.Sprintf("%d年度资金分配 pool %d %s", res.Year, res.Year, l.DistrictName),
			[]string{res.Source}); err != nil {
			return res, err
		}
		dr, cr := acc.receivable(res.Source), acc.committed(res.Source)
		if diff.IsNegative() {
			dr, cr, diff = cr, dr, diff.Neg()
		}
		e.Postings = append(e.Postings, ledger.Posting{AccountCode: dr, Side: ledger.Debit, Amount: diff},
			ledger.Posting{AccountCode: cr, Side: ledger.Credit, Amount: diff})
	}
	expl, err := json.Marshal(res)
	if err != nil {
		return res, err
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, poolLock, res.Year); err != nil {
			return err
		}
		latest, err := p.latestPool(ctx, tx, res.Year, res.Source)
		if err != nil {
			return err
		}
		if (latest == nil) != (prev == nil) || latest != nil && latest.version != prev.version {
			return fmt.Errorf("%w: the %d pool was allocated meanwhile; allocate again", ErrStatus, res.Year)
		}
		var entryID any
		if len(e.Postings) > 0 {
			out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{e})
			if err != nil {
				return err
			}
			res.EntryID, entryID = out[0].ID, out[0].ID
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO pool_allocations (year, source, version, pool, allocated_on, rule_set_id, explanation, entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			res.Year, res.Source, version, res.Pool.StringFixed(2), res.On.Format(ledger.DateLayout), res.RuleSetID, string(expl), entryID, actor); err != nil {
			return err
		}
		for _, l := range res.Lines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pool_allocation_lines (allocation_id, district, score, amount, explanation) VALUES ($1, $2, $3, $4, $5)`,
				id, l.District, l.Score.String(), l.Amount.StringFixed(2), l.Explanation); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("allocate the %d pool: %w", res.Year, err)
	}
	res.Version = version
	return res, nil
}
