package rules

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/amount"
)

// Grant sections of a rule set (all optional): elevator retrofit grants
// (加装电梯), 以奖代补 awards for utility facilities, property-management
// rewards and the evaluation-driven allocation of a pool over districts.
// Every function here is pure and exact: amounts are decimals in yuan,
// rounded to the fen by largest remainder (apportion), never by floats.

// Errors of the grant functions; returned errors wrap them.
var (
	// ErrNoSection: the rule set has no section for what was asked (e.g. no elevator:).
	ErrNoSection = errors.New("rule set has no such section")
	// ErrBadInput: negative or inconsistent quantities given to a grant function.
	ErrBadInput = errors.New("bad input")
)

// Limits on grant inputs.
const (
	MaxFloors             = 100
	MaxHouseholdsPerFloor = 50
	MaxDistricts          = 100
	maxCoefficient        = 100 // a floor or score coefficient is at most 100
)

// Ratio is an exact fraction Num/Den in (0, 1], written "2/3" or "0.75" in
// a rule file, so that a Civil Code threshold of two thirds is exactly 2/3,
// not 66.67%.
type Ratio struct {
	Num, Den int64
}

// String renders the ratio as written: "2/3".
func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Met reports whether part/whole ≥ Num/Den, exactly (part × Den ≥ whole × Num).
// A whole of zero never meets a threshold.
func (r Ratio) Met(part, whole decimal.Decimal) bool {
	if !whole.IsPositive() || r.Den <= 0 {
		return false
	}
	return part.Mul(decimal.NewFromInt(r.Den)).GreaterThanOrEqual(whole.Mul(decimal.NewFromInt(r.Num)))
}

// parseRatio reads "a/b" (integers, 0 < a ≤ b) or a decimal in (0, 1] with
// at most 4 decimals.
func parseRatio(s string) (Ratio, error) {
	s = strings.TrimSpace(s)
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
		d, err2 := strconv.ParseInt(strings.TrimSpace(den), 10, 32)
		if err1 != nil || err2 != nil || n <= 0 || d <= 0 || n > d {
			return Ratio{}, fmt.Errorf("want a fraction a/b with 0 < a ≤ b, got %q", s)
		}
		return Ratio{n, d}, nil
	}
	v, err := amount.Format{Places: 4}.Parse(s)
	if err != nil || !v.IsPositive() || v.GreaterThan(decimal.NewFromInt(1)) || !v.Equal(v.Truncate(4)) {
		return Ratio{}, fmt.Errorf("want a fraction such as 2/3 or a decimal in (0, 1] with at most 4 decimals, got %q", s)
	}
	return Ratio{v.Shift(4).IntPart(), 10000}, nil
}

// ElevatorRule is the elevator section of a rule set.
type ElevatorRule struct {
	Consent ConsentRule
	Grant   GrantRule
	// PipeRelocation is an optional extra grant on the cost of moving pipes
	// out of the elevator's way (管线迁移); nil when not granted.
	PipeRelocation *GrantRule
	// FloorCoefficients weigh each household's part of the residents' share
	// by floor: index 0 is the ground floor; floors above the list take the
	// last coefficient.
	FloorCoefficients []decimal.Decimal
}

// ConsentRule holds the owners' consent thresholds (Civil Code art. 278:
// participation of ≥ 2/3 of owners and of floor area; approval by ≥ 3/4 of
// the participating owners and of their area).
type ConsentRule struct {
	ParticipationOwners, ParticipationArea Ratio // of all owners / all area
	ApprovalOwners, ApprovalArea           Ratio // of participating owners / area
}

// GrantRule is min(Pct% × cost, CapPerElevator × elevators), split among
// sources by SplitShare pct (adding up to 100).
type GrantRule struct {
	Pct            decimal.Decimal
	CapPerElevator *decimal.Decimal // nil: no cap
	Split          []SplitShare
}

// SplitShare is one source's percentage of a grant or award.
type SplitShare struct {
	Source string
	Pct    decimal.Decimal
}

// UtilityAwardRule is the 以奖代补 award for utility facilities that the
// utility does not own: min(Pct% × approved cost, CapPerFacility), paid by Source.
type UtilityAwardRule struct {
	Pct            decimal.Decimal
	CapPerFacility *decimal.Decimal
	Source         string
}

// PropertyRewardRule maps a property-management assessment score to a
// reward: the first row (rows by descending MinScore) whose MinScore the
// score reaches; below the last row, nothing.
type PropertyRewardRule struct {
	Source string
	Table  []RewardRow
}

// RewardRow is one row of the reward table.
type RewardRow struct {
	MinScore decimal.Decimal
	Amount   decimal.Decimal
}

// EvaluationRule allocates a pool over districts. The formula:
//
//	base(d)   = Σ_k w_k/100 × x_k(d) / Σ_d' x_k(d')   (factors k with a non-zero total)
//	weight(d) = base(d) × coefficient(score(d))
//	amount(d) = pool × weight(d) / Σ_d' weight(d')    (to the fen, largest remainder)
//
// where x_k are the district's quantities (area, households, buildings,
// communities), w_k the factor weights (adding up to 100), and the
// coefficient that of the first ScoreCoefficients row whose MinScore the
// score reaches (rows by descending MinScore; below the last row: 0).
type EvaluationRule struct {
	Source            string
	Weights           FactorWeights
	ScoreCoefficients []ScoreCoefficient
}

// FactorWeights are the factor weights in percent; they add up to 100.
type FactorWeights struct {
	Area, Households, Buildings, Communities decimal.Decimal
}

// ScoreCoefficient is one row of the score adjustment.
type ScoreCoefficient struct {
	MinScore    decimal.Decimal
	Coefficient decimal.Decimal
}

// ---- exact apportionment ----

// apportion splits totalFen whole fen in proportion to weights (≥ 0, not all
// zero): each gets the floor of its exact share, and the fens left over go
// one each to the largest remainders; equal remainders go to the lower
// rank (rank[i], then index). Exact: rationals throughout. It also returns
// the exact shares in fen.
func apportion(totalFen int64, weights []*big.Rat, rank []int) ([]int64, []*big.Rat, error) {
	sum := new(big.Rat)
	for _, w := range weights {
		if w.Sign() < 0 {
			return nil, nil, fmt.Errorf("negative weight %s: %w", w.RatString(), ErrBadInput)
		}
		sum.Add(sum, w)
	}
	if sum.Sign() == 0 {
		return nil, nil, fmt.Errorf("all weights are zero: nothing to apportion by: %w", ErrBadInput)
	}
	n := len(weights)
	out := make([]int64, n)
	exact := make([]*big.Rat, n)
	rem := make([]*big.Rat, n)
	total := new(big.Rat).SetInt64(totalFen)
	var floors int64
	for i, w := range weights {
		e := new(big.Rat).Mul(total, w)
		e.Quo(e, sum)
		exact[i] = e
		q := new(big.Int).Quo(e.Num(), e.Denom()) // e ≥ 0: truncation is floor
		out[i] = q.Int64()
		floors += out[i]
		rem[i] = new(big.Rat).Sub(e, new(big.Rat).SetInt(q))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if c := rem[i].Cmp(rem[j]); c != 0 {
			return c > 0
		}
		if rank != nil && rank[i] != rank[j] {
			return rank[i] < rank[j]
		}
		return i < j
	})
	missing := totalFen - floors
	if missing < 0 || missing > int64(n) {
		return nil, nil, fmt.Errorf("apportion: %d fen left over from %d: %w", missing, totalFen, errInternal)
	}
	for k := int64(0); k < missing; k++ {
		out[order[k]]++
	}
	return out, exact, nil
}

func toFen(d decimal.Decimal) int64              { return d.Shift(2).IntPart() }
func fromFen(f int64) decimal.Decimal            { return decimal.New(f, -2) }
func ratOf(d decimal.Decimal) *big.Rat           { r, _ := new(big.Rat).SetString(d.String()); return r }
func ratFen(r *big.Rat) string                   { return decimal.NewFromBigRat(r, 4).Shift(-2).String() }
func pctOf(d decimal.Decimal) *big.Rat           { return new(big.Rat).Quo(ratOf(d), big.NewRat(100, 1)) }
func floorFen(d decimal.Decimal) decimal.Decimal { return d.Truncate(2) }

// splitBy splits amount (whole fen) among the shares by pct, largest
// remainder, ties to the earlier share.
func splitBy(amount decimal.Decimal, shares []SplitShare) ([]SourceAmount, error) {
	if amount.IsZero() {
		return nil, nil
	}
	w := make([]*big.Rat, len(shares))
	for i, s := range shares {
		w[i] = ratOf(s.Pct)
	}
	fens, _, err := apportion(toFen(amount), w, nil)
	if err != nil {
		return nil, err
	}
	out := make([]SourceAmount, 0, len(shares))
	for i, s := range shares {
		if fens[i] > 0 {
			out = append(out, SourceAmount{Source: s.Source, Amount: fromFen(fens[i])})
		}
	}
	return out, nil
}

// ---- elevator grants ----

// GrantInput is what an elevator grant is computed on.
type GrantInput struct {
	Elevators int             // elevators added (usually 1 per unit)
	Cost      decimal.Decimal // cost of the elevator works, yuan to the fen
	PipeCost  decimal.Decimal // cost of relocating pipes (0 if none), yuan to the fen
}

// Grant is a computed elevator grant.
type Grant struct {
	Exact  decimal.Decimal // Pct × Cost before the cap, exact
	Cap    decimal.Decimal // CapPerElevator × Elevators (zero when uncapped)
	Capped bool
	Amount decimal.Decimal // the grant, to the fen (floor)
	Extra  decimal.Decimal // pipe relocation extra, to the fen (zero when none)
	// Shares is the grant split among sources, then ExtraShares the extra.
	Shares      []SourceAmount
	ExtraShares []SourceAmount
	// Totals adds both per source, canonical source order.
	Totals []SourceAmount
	Total  decimal.Decimal // Amount + Extra
	Steps  []string
}

func checkMoney(what string, d decimal.Decimal, mayBeZero bool) error {
	switch {
	case d.Sign() < 0 || (!mayBeZero && d.IsZero()):
		return fmt.Errorf("%s %s must be positive: %w", what, d, ErrBadInput)
	case !d.Equal(d.Truncate(2)):
		return fmt.Errorf("%s %s has more than 2 decimals: %w", what, d, ErrBadInput)
	case d.GreaterThan(maxMoney):
		return fmt.Errorf("%s %s is larger than %s: %w", what, d, maxMoney, ErrBadInput)
	}
	return nil
}

// capped computes min(pct × base, cap × n) floored to the fen.
func (g GrantRule) capped(label string, base decimal.Decimal, n int, steps *[]string) (exact, limit, amount decimal.Decimal, isCapped bool) {
	exact = base.Mul(g.Pct).Shift(-2)
	amount = exact
	if g.CapPerElevator != nil {
		limit = g.CapPerElevator.Mul(decimal.NewFromInt(int64(n)))
		if exact.GreaterThan(limit) {
			amount, isCapped = limit, true
		}
	}
	amount = floorFen(amount)
	if g.CapPerElevator != nil {
		*steps = append(*steps, fmt.Sprintf("%s: min(%s%% × %s = %s, %s/elevator × %d = %s) = %s%s", label, g.Pct, fmtNum(base), fmtNum(exact),
			fmtNum(*g.CapPerElevator), n, fmtNum(limit), fmtNum(amount), map[bool]string{true: " (capped)", false: ""}[isCapped]))
	} else {
		*steps = append(*steps, fmt.Sprintf("%s: %s%% × %s = %s → %s (no cap)", label, g.Pct, fmtNum(base), fmtNum(exact), fmtNum(amount)))
	}
	return exact, limit, amount, isCapped
}

// ComputeGrant computes an elevator grant: min(pct × cost, cap × elevators) floored
// to the fen, split among its sources by largest remainder; plus the pipe
// relocation extra, computed the same way on the pipe cost, when the rule
// has one.
func (e *ElevatorRule) ComputeGrant(in GrantInput) (Grant, error) {
	if e == nil {
		return Grant{}, fmt.Errorf("elevator grant: %w (elevator:)", ErrNoSection)
	}
	if in.Elevators <= 0 || in.Elevators > 100 {
		return Grant{}, fmt.Errorf("elevator grant: %d elevators, want 1 to 100: %w", in.Elevators, ErrBadInput)
	}
	if err := checkMoney("cost", in.Cost, false); err != nil {
		return Grant{}, fmt.Errorf("elevator grant: %w", err)
	}
	if err := checkMoney("pipe cost", in.PipeCost, true); err != nil {
		return Grant{}, fmt.Errorf("elevator grant: %w", err)
	}
	var g Grant
	g.Exact, g.Cap, g.Amount, g.Capped = e.Grant.capped("grant", in.Cost, in.Elevators, &g.Steps)
	var err error
	if g.Shares, err = splitBy(g.Amount, e.Grant.Split); err != nil {
		return Grant{}, fmt.Errorf("elevator grant: %w", err)
	}
	g.Steps = append(g.Steps, "grant split: "+describeShares(g.Shares, e.Grant.Split))
	if e.PipeRelocation != nil && in.PipeCost.IsPositive() {
		_, _, g.Extra, _ = e.PipeRelocation.capped("pipe relocation extra", in.PipeCost, in.Elevators, &g.Steps)
		if g.ExtraShares, err = splitBy(g.Extra, e.PipeRelocation.Split); err != nil {
			return Grant{}, fmt.Errorf("elevator grant: pipe relocation: %w", err)
		}
		g.Steps = append(g.Steps, "extra split: "+describeShares(g.ExtraShares, e.PipeRelocation.Split))
	} else if in.PipeCost.IsPositive() {
		g.Steps = append(g.Steps, "pipe relocation: the rule set grants no extra")
	}
	totals := map[string]decimal.Decimal{}
	for _, s := range append(append([]SourceAmount(nil), g.Shares...), g.ExtraShares...) {
		totals[s.Source] = totals[s.Source].Add(s.Amount)
	}
	g.Totals = amounts(totals)
	g.Total = g.Amount.Add(g.Extra)
	return g, nil
}

func describeShares(got []SourceAmount, rule []SplitShare) string {
	m := map[string]decimal.Decimal{}
	for _, s := range got {
		m[s.Source] = s.Amount
	}
	parts := make([]string, len(rule))
	for i, s := range rule {
		parts[i] = fmt.Sprintf("%s %s%% = %s", s.Source, s.Pct, fmtNum(m[s.Source]))
	}
	return strings.Join(parts, ", ") + " (largest remainder, ties to the earlier source)"
}

// ConsentInput is the owners' consent of one building unit.
type ConsentInput struct {
	OwnersTotal, OwnersParticipating, OwnersApproving int
	AreaTotal, AreaParticipating, AreaApproving       decimal.Decimal // m²
}

// ConsentCheck is one threshold checked.
type ConsentCheck struct {
	Name      string // participation_owners, participation_area, approval_owners, approval_area
	Part      decimal.Decimal
	Whole     decimal.Decimal
	Threshold Ratio
	Met       bool
}

// ConsentResult says whether consent is given, threshold by threshold.
type ConsentResult struct {
	OK     bool
	Checks []ConsentCheck
}

// String explains the result in one line.
func (r ConsentResult) String() string {
	parts := make([]string, len(r.Checks))
	for i, c := range r.Checks {
		mark := "met"
		if !c.Met {
			mark = "MISSED"
		}
		parts[i] = fmt.Sprintf("%s %s/%s ≥ %s %s", c.Name, c.Part, c.Whole, c.Threshold, mark)
	}
	return strings.Join(parts, "; ")
}

// CheckConsent checks the owners' consent against the thresholds: the
// participating owners and area against all, the approving ones against the
// participating ones. Exact comparisons (part × b ≥ whole × a).
func (e *ElevatorRule) CheckConsent(in ConsentInput) (ConsentResult, error) {
	if e == nil {
		return ConsentResult{}, fmt.Errorf("consent: %w (elevator:)", ErrNoSection)
	}
	if in.OwnersTotal <= 0 || in.OwnersParticipating < 0 || in.OwnersApproving < 0 ||
		in.OwnersParticipating > in.OwnersTotal || in.OwnersApproving > in.OwnersParticipating {
		return ConsentResult{}, fmt.Errorf("consent: owners %d approving of %d participating of %d: want 0 ≤ approving ≤ participating ≤ total, total > 0: %w",
			in.OwnersApproving, in.OwnersParticipating, in.OwnersTotal, ErrBadInput)
	}
	if !in.AreaTotal.IsPositive() || in.AreaParticipating.Sign() < 0 || in.AreaApproving.Sign() < 0 ||
		in.AreaParticipating.GreaterThan(in.AreaTotal) || in.AreaApproving.GreaterThan(in.AreaParticipating) {
		return ConsentResult{}, fmt.Errorf("consent: area %s approving of %s participating of %s m²: want 0 ≤ approving ≤ participating ≤ total, total > 0: %w",
			in.AreaApproving, in.AreaParticipating, in.AreaTotal, ErrBadInput)
	}
	n := func(i int) decimal.Decimal { return decimal.NewFromInt(int64(i)) }
	r := ConsentResult{OK: true, Checks: []ConsentCheck{
		{Name: "participation_owners", Part: n(in.OwnersParticipating), Whole: n(in.OwnersTotal), Threshold: e.Consent.ParticipationOwners},
		{Name: "participation_area", Part: in.AreaParticipating, Whole: in.AreaTotal, Threshold: e.Consent.ParticipationArea},
		{Name: "approval_owners", Part: n(in.OwnersApproving), Whole: n(in.OwnersParticipating), Threshold: e.Consent.ApprovalOwners},
		{Name: "approval_area", Part: in.AreaApproving, Whole: in.AreaParticipating, Threshold: e.Consent.ApprovalArea},
	}}
	for i := range r.Checks {
		c := &r.Checks[i]
		c.Met = c.Threshold.Met(c.Part, c.Whole)
		r.OK = r.OK && c.Met
	}
	return r, nil
}

// HouseholdShare is one household's part of the residents' share.
type HouseholdShare struct {
	Household   string // floor and position: "301" is floor 3, household 1
	Floor       int    // 1 = ground floor
	Position    int    // 1-based on its floor
	Coefficient decimal.Decimal
	Exact       string // exact share in yuan, as a decimal to 4 places after the fen (for the explanation)
	Amount      decimal.Decimal
}

// Apportionment is the residents' share split among households.
type Apportionment struct {
	Total      decimal.Decimal
	Households []HouseholdShare // by floor, then position
	Steps      []string
}

// Coefficient returns the coefficient of a floor (1 = ground floor).
func (e *ElevatorRule) Coefficient(floor int) decimal.Decimal {
	c := e.FloorCoefficients
	if floor-1 < len(c) {
		return c[floor-1]
	}
	return c[len(c)-1]
}

// HouseholdLabel names a household by floor and position the way flats are
// numbered: floor 3, household 1 → "301".
func HouseholdLabel(floor, position int) string { return fmt.Sprintf("%d%02d", floor, position) }

// Apportion splits the residents' share among the households of a unit by
// floor coefficients: household i gets total × c(floor i) / Σ c, floored to
// the fen; the fens left over go one each to the largest remainders, equal
// remainders to the higher floor first, then the lower position. The
// amounts add up to total exactly; a household of coefficient 0 pays nothing.
// householdsPerFloor[0] is the ground floor.
func (e *ElevatorRule) Apportion(total decimal.Decimal, householdsPerFloor []int) (Apportionment, error) {
	if e == nil {
		return Apportionment{}, fmt.Errorf("apportion: %w (elevator:)", ErrNoSection)
	}
	if err := checkMoney("residents' share", total, true); err != nil {
		return Apportionment{}, fmt.Errorf("apportion: %w", err)
	}
	if len(householdsPerFloor) == 0 || len(householdsPerFloor) > MaxFloors {
		return Apportionment{}, fmt.Errorf("apportion: %d floors, want 1 to %d: %w", len(householdsPerFloor), MaxFloors, ErrBadInput)
	}
	a := Apportionment{Total: total}
	var weights []*big.Rat
	var ranks []int
	sumCoef := decimal.Zero
	for f, n := range householdsPerFloor {
		if n < 0 || n > MaxHouseholdsPerFloor {
			return Apportionment{}, fmt.Errorf("apportion: floor %d has %d households, want 0 to %d: %w", f+1, n, MaxHouseholdsPerFloor, ErrBadInput)
		}
		c := e.Coefficient(f + 1)
		for k := 1; k <= n; k++ {
			a.Households = append(a.Households, HouseholdShare{Household: HouseholdLabel(f+1, k), Floor: f + 1, Position: k, Coefficient: c})
			weights = append(weights, ratOf(c))
			// Ties: higher floor first, then lower position.
			ranks = append(ranks, (MaxFloors-f)*(MaxHouseholdsPerFloor+1)+k)
			sumCoef = sumCoef.Add(c)
		}
	}
	if len(a.Households) == 0 {
		return Apportionment{}, fmt.Errorf("apportion: no households: %w", ErrBadInput)
	}
	if total.IsZero() {
		for i := range a.Households {
			a.Households[i].Amount, a.Households[i].Exact = decimal.Zero, "0"
		}
		a.Steps = append(a.Steps, "residents' share is 0: nobody pays")
		return a, nil
	}
	fens, exact, err := apportion(toFen(total), weights, ranks)
	if err != nil {
		return Apportionment{}, fmt.Errorf("apportion: every household has coefficient 0: %w", err)
	}
	a.Steps = append(a.Steps, fmt.Sprintf("residents' share %s over %d households, Σ coefficients %s: household share = %s × coefficient / %s",
		fmtNum(total), len(a.Households), sumCoef, fmtNum(total), sumCoef))
	var floorsSum int64
	for i := range a.Households {
		h := &a.Households[i]
		h.Amount = fromFen(fens[i])
		h.Exact = ratFen(exact[i])
		floorsSum += new(big.Int).Quo(exact[i].Num(), exact[i].Denom()).Int64()
	}
	if left := toFen(total) - floorsSum; left > 0 {
		var got []string
		for i, h := range a.Households {
			if big.NewRat(fens[i], 1).Cmp(exact[i]) > 0 {
				got = append(got, h.Household)
			}
		}
		a.Steps = append(a.Steps, fmt.Sprintf("rounding: floors leave %d fen, +0.01 each to the largest remainders (ties: higher floor, then lower position): %s",
			left, strings.Join(got, ", ")))
	}
	return a, nil
}

// ---- 以奖代补 awards and rewards ----

// Award is a computed utility-facility award.
type Award struct {
	Exact  decimal.Decimal
	Capped bool
	Amount decimal.Decimal
	Source string
	Step   string
}

// Award computes the award for a facility the utility does not own:
// min(pct × cost, cap per facility), floored to the fen.
func (u *UtilityAwardRule) Award(cost decimal.Decimal) (Award, error) {
	if u == nil {
		return Award{}, fmt.Errorf("utility award: %w (utility_award:)", ErrNoSection)
	}
	if err := checkMoney("cost", cost, false); err != nil {
		return Award{}, fmt.Errorf("utility award: %w", err)
	}
	var steps []string
	exact, _, amount, capped := GrantRule{Pct: u.Pct, CapPerElevator: u.CapPerFacility}.capped("award", cost, 1, &steps)
	step := strings.Replace(steps[0], "/elevator × 1", " per facility", 1)
	return Award{Exact: exact, Capped: capped, Amount: amount, Source: u.Source, Step: step}, nil
}

// Reward looks up the reward for a property-management score (0 to 100):
// the amount of the first row whose min_score the score reaches; row is its
// index, -1 (and amount 0) when the score is below every row.
func (p *PropertyRewardRule) Reward(score decimal.Decimal) (amount decimal.Decimal, row int, step string, err error) {
	if p == nil {
		return decimal.Zero, -1, "", fmt.Errorf("property reward: %w (property_rewards:)", ErrNoSection)
	}
	if score.Sign() < 0 || score.GreaterThan(hundred) {
		return decimal.Zero, -1, "", fmt.Errorf("property reward: score %s, want 0 to 100: %w", score, ErrBadInput)
	}
	for i, r := range p.Table {
		if score.GreaterThanOrEqual(r.MinScore) {
			return r.Amount, i, fmt.Sprintf("score %s ≥ %s (row %d) → reward %s from %s", score, r.MinScore, i+1, fmtNum(r.Amount), p.Source), nil
		}
	}
	return decimal.Zero, -1, fmt.Sprintf("score %s is below the lowest row (%s): no reward", score, p.Table[len(p.Table)-1].MinScore), nil
}

// ---- evaluation-driven allocation ----

// DistrictFactors are one district's quantities and evaluation score.
type DistrictFactors struct {
	District    string // a name or code, echoed back
	AreaM2      decimal.Decimal
	Households  int
	Buildings   int
	Communities int
	Score       decimal.Decimal // 0 to 100
}

// DistrictAllocation is one district's part of a pool.
type DistrictAllocation struct {
	District    string
	Base        decimal.Decimal // Σ weighted factor shares, rounded to 6 decimals for display
	Coefficient decimal.Decimal
	Weight      decimal.Decimal // base × coefficient, 6 decimals for display
	Share       decimal.Decimal // weight / Σ weight, 6 decimals for display
	Amount      decimal.Decimal
	Explanation string
}

// PoolAllocation is a pool split over districts.
type PoolAllocation struct {
	Pool      decimal.Decimal
	Source    string
	Districts []DistrictAllocation // input order
	Steps     []string
}

// Coefficient returns the score coefficient: the first row whose MinScore
// the score reaches; 0 below every row.
func (r *EvaluationRule) Coefficient(score decimal.Decimal) (decimal.Decimal, int) {
	for i, row := range r.ScoreCoefficients {
		if score.GreaterThanOrEqual(row.MinScore) {
			return row.Coefficient, i
		}
	}
	return decimal.Zero, -1
}

func rat6(r *big.Rat) decimal.Decimal { return decimal.NewFromBigRat(r, 6) }

// Allocate splits pool (yuan to the fen) over the districts by the formula
// of EvaluationRule, exactly (rationals), rounding to the fen by largest
// remainder with ties to the earlier district in the input order.
func (r *EvaluationRule) Allocate(pool decimal.Decimal, ds []DistrictFactors) (PoolAllocation, error) {
	if r == nil {
		return PoolAllocation{}, fmt.Errorf("pool allocation: %w (evaluation_allocation:)", ErrNoSection)
	}
	if err := checkMoney("pool", pool, false); err != nil {
		return PoolAllocation{}, fmt.Errorf("pool allocation: %w", err)
	}
	if len(ds) == 0 || len(ds) > MaxDistricts {
		return PoolAllocation{}, fmt.Errorf("pool allocation: %d districts, want 1 to %d: %w", len(ds), MaxDistricts, ErrBadInput)
	}
	type factor struct {
		name   string
		weight decimal.Decimal
		value  func(DistrictFactors) decimal.Decimal
		unit   string
	}
	factors := []factor{
		{"area", r.Weights.Area, func(d DistrictFactors) decimal.Decimal { return d.AreaM2 }, " m²"},
		{"households", r.Weights.Households, func(d DistrictFactors) decimal.Decimal { return decimal.NewFromInt(int64(d.Households)) }, ""},
		{"buildings", r.Weights.Buildings, func(d DistrictFactors) decimal.Decimal { return decimal.NewFromInt(int64(d.Buildings)) }, ""},
		{"communities", r.Weights.Communities, func(d DistrictFactors) decimal.Decimal { return decimal.NewFromInt(int64(d.Communities)) }, ""},
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.District] {
			return PoolAllocation{}, fmt.Errorf("pool allocation: district %s twice: %w", d.District, ErrBadInput)
		}
		seen[d.District] = true
		if d.AreaM2.Sign() < 0 || d.Households < 0 || d.Buildings < 0 || d.Communities < 0 {
			return PoolAllocation{}, fmt.Errorf("pool allocation: district %s: negative quantity: %w", d.District, ErrBadInput)
		}
		if d.Score.Sign() < 0 || d.Score.GreaterThan(hundred) {
			return PoolAllocation{}, fmt.Errorf("pool allocation: district %s: score %s, want 0 to 100: %w", d.District, d.Score, ErrBadInput)
		}
	}
	pa := PoolAllocation{Pool: pool, Source: r.Source}
	totals := make([]decimal.Decimal, len(factors))
	var used []string
	for k, f := range factors {
		for _, d := range ds {
			totals[k] = totals[k].Add(f.value(d))
		}
		if f.weight.IsPositive() {
			if totals[k].IsZero() {
				pa.Steps = append(pa.Steps, fmt.Sprintf("factor %s (weight %s%%): total 0, contributes nothing", f.name, f.weight))
			} else {
				used = append(used, fmt.Sprintf("%s %s%% (total %s%s)", f.name, f.weight, fmtNum(totals[k]), f.unit))
			}
		}
	}
	pa.Steps = append(pa.Steps, "formula: amount = pool × weight / Σ weight; weight = base × coefficient(score); base = Σ factor weight × district quantity / total quantity",
		"factors: "+strings.Join(used, ", "))
	weights := make([]*big.Rat, len(ds))
	sum := new(big.Rat)
	for i, d := range ds {
		base := new(big.Rat)
		var terms []string
		for k, f := range factors {
			if !f.weight.IsPositive() || totals[k].IsZero() {
				continue
			}
			t := new(big.Rat).Mul(pctOf(f.weight), ratOf(f.value(d)))
			t.Quo(t, ratOf(totals[k]))
			base.Add(base, t)
			terms = append(terms, fmt.Sprintf("%s %s/%s × %s%%", f.name, fmtNum(f.value(d)), fmtNum(totals[k]), f.weight))
		}
		coef, row := r.Coefficient(d.Score)
		w := new(big.Rat).Mul(base, ratOf(coef))
		weights[i] = w
		sum.Add(sum, w)
		rowText := "below every row"
		if row >= 0 {
			rowText = fmt.Sprintf("≥ %s", r.ScoreCoefficients[row].MinScore)
		}
		pa.Districts = append(pa.Districts, DistrictAllocation{District: d.District, Base: rat6(base), Coefficient: coef, Weight: rat6(w),
			Explanation: fmt.Sprintf("base %s = %s; score %s %s → coefficient %s; weight %s",
				rat6(base), strings.Join(terms, " + "), d.Score, rowText, coef, rat6(w))})
	}
	if sum.Sign() == 0 {
		return PoolAllocation{}, fmt.Errorf("pool allocation: every district has weight 0 (no quantities or every score below the table): %w", ErrBadInput)
	}
	fens, exact, err := apportion(toFen(pool), weights, nil)
	if err != nil {
		return PoolAllocation{}, fmt.Errorf("pool allocation: %w", err)
	}
	var check int64
	for i := range pa.Districts {
		da := &pa.Districts[i]
		da.Share = rat6(new(big.Rat).Quo(weights[i], sum))
		da.Amount = fromFen(fens[i])
		check += fens[i]
		da.Explanation += fmt.Sprintf("; share %s of Σ weight %s → %s × share = %s", da.Share, rat6(sum), fmtNum(pool), ratFen(exact[i]))
		if big.NewRat(fens[i], 1).Cmp(exact[i]) > 0 {
			da.Explanation += " (+0.01 by largest remainder)"
		}
		da.Explanation += " → " + fmtNum(da.Amount)
	}
	if check != toFen(pool) {
		return PoolAllocation{}, fmt.Errorf("pool allocation: amounts add up to %s, pool is %s: %w", fromFen(check), pool, errInternal)
	}
	pa.Steps = append(pa.Steps, fmt.Sprintf("rounding to the fen by largest remainder, ties to the earlier district; amounts add up to the pool %s", fmtNum(pool)))
	return pa, nil
}
