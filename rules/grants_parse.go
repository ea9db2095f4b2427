package rules

import (
	"github.com/shopspring/decimal"
)

// The file layer of the grant sections (see doc.go for the format).

type fileElevator struct {
	Consent           *fileConsent `yaml:"consent" validate:"required"`
	Grant             *fileGrant   `yaml:"grant" validate:"required"`
	PipeRelocation    *fileGrant   `yaml:"pipe_relocation"`
	FloorCoefficients []*scalar    `yaml:"floor_coefficients" validate:"required,min=1,max=100,dive,required"`
}

type fileConsent struct {
	Participation *fileThresholds `yaml:"participation" validate:"required"`
	Approval      *fileThresholds `yaml:"approval" validate:"required"`
}

type fileThresholds struct {
	Owners *scalar `yaml:"owners" validate:"required"`
	Area   *scalar `yaml:"area" validate:"required"`
}

type fileGrant struct {
	Pct            *scalar      `yaml:"pct" validate:"required"`
	CapPerElevator *scalar      `yaml:"cap_per_elevator"`
	Split          []*fileSplit `yaml:"split" validate:"required,min=1,max=20,dive,required"`
}

type fileSplit struct {
	Source string  `yaml:"source" validate:"required,source"`
	Pct    *scalar `yaml:"pct" validate:"required"`
}

type fileUtilityAward struct {
	Pct            *scalar `yaml:"pct" validate:"required"`
	CapPerFacility *scalar `yaml:"cap_per_facility"`
	Source         string  `yaml:"source" validate:"omitempty,source"`
}

type filePropertyRewards struct {
	Source string           `yaml:"source" validate:"omitempty,source"`
	Table  []*fileRewardRow `yaml:"table" validate:"required,min=1,max=100,dive,required"`
}

type fileRewardRow struct {
	MinScore *scalar `yaml:"min_score" validate:"required"`
	Amount   *scalar `yaml:"amount" validate:"required"`
}

type fileEvaluation struct {
	Source            string            `yaml:"source" validate:"omitempty,source"`
	Factors           *fileFactors      `yaml:"factors" validate:"required"`
	ScoreCoefficients []*fileScoreCoeff `yaml:"score_coefficients" validate:"required,min=1,max=100,dive,required"`
}

type fileFactors struct {
	Area        *scalar `yaml:"area"`
	Households  *scalar `yaml:"households"`
	Buildings   *scalar `yaml:"buildings"`
	Communities *scalar `yaml:"communities"`
}

type fileScoreCoeff struct {
	MinScore    *scalar `yaml:"min_score" validate:"required"`
	Coefficient *scalar `yaml:"coefficient" validate:"required"`
}

// Default payers when a section names none.
const (
	defaultAwardSource      = SourceDistrict
	defaultAllocationSource = SourceMunicipal
)

var maxCoeff = decimal.NewFromInt(maxCoefficient)

// checkGrantSections checks the optional sections and sets them on rs.
func (c *checker) checkGrantSections(fr *fileRuleSet, rs *RuleSet) {
	if fr.Elevator != nil {
		rs.Elevator = c.checkElevator(path{key("elevator")}, fr.Elevator)
	}
	if fr.UtilityAward != nil {
		rs.UtilityAward = c.checkUtilityAward(path{key("utility_award")}, fr.UtilityAward)
	}
	if fr.PropertyRewards != nil {
		rs.PropertyRewards = c.checkPropertyRewards(path{key("property_rewards")}, fr.PropertyRewards)
	}
	if fr.EvaluationAllocation != nil {
		rs.EvaluationAllocation = c.checkEvaluation(path{key("evaluation_allocation")}, fr.EvaluationAllocation)
	}
}

func (c *checker) ratio(p path, s *scalar) Ratio {
	if s == nil {
		return Ratio{}
	}
	r, err := parseRatio(s.text)
	if err != nil {
		c.errorf(p, "%s", err.Error())
	}
	return r
}

func (c *checker) checkElevator(p path, fe *fileElevator) *ElevatorRule {
	e := &ElevatorRule{}
	if fe.Consent != nil {
		cp := p.with(key("consent"))
		if t := fe.Consent.Participation; t != nil {
			e.Consent.ParticipationOwners = c.ratio(cp.with(key("participation"), key("owners")), t.Owners)
			e.Consent.ParticipationArea = c.ratio(cp.with(key("participation"), key("area")), t.Area)
		}
		if t := fe.Consent.Approval; t != nil {
			e.Consent.ApprovalOwners = c.ratio(cp.with(key("approval"), key("owners")), t.Owners)
			e.Consent.ApprovalArea = c.ratio(cp.with(key("approval"), key("area")), t.Area)
		}
	}
	if fe.Grant != nil {
		e.Grant = c.checkGrant(p.with(key("grant")), fe.Grant)
	}
	if fe.PipeRelocation != nil {
		g := c.checkGrant(p.with(key("pipe_relocation")), fe.PipeRelocation)
		e.PipeRelocation = &g
	}
	anyPositive := false
	for i, s := range fe.FloorCoefficients {
		if s == nil {
			continue
		}
		fp := p.with(key("floor_coefficients"), idx(i))
		d, ok := c.number(fp, s, ratePlaces, false)
		if ok && d.GreaterThan(maxCoeff) {
			c.errorf(fp, "a coefficient is at most %s, got %s", maxCoeff, d)
		}
		anyPositive = anyPositive || d.IsPositive()
		e.FloorCoefficients = append(e.FloorCoefficients, d)
	}
	if len(fe.FloorCoefficients) > 0 && !anyPositive {
		c.errorf(p.with(key("floor_coefficients")), "at least one floor coefficient must be positive: someone pays the residents' share")
	}
	return e
}

func (c *checker) checkGrant(p path, fg *fileGrant) GrantRule {
	var g GrantRule
	if fg.Pct != nil {
		g.Pct, _ = c.number(p.with(key("pct")), fg.Pct, pctPlaces, true)
	}
	if fg.CapPerElevator != nil {
		if d, ok := c.number(p.with(key("cap_per_elevator")), fg.CapPerElevator, moneyPlaces, false); ok {
			g.CapPerElevator = &d
		}
	}
	g.Split = c.checkSplit(p.with(key("split")), fg.Split)
	return g
}

// checkSplit checks a list of {source, pct} adding up to 100, no source twice.
func (c *checker) checkSplit(p path, fs []*fileSplit) []SplitShare {
	var out []SplitShare
	sum := decimal.Zero
	known := true
	seen := map[string]int{}
	last := -1
	for i, s := range fs {
		if s == nil {
			continue
		}
		sp := p.with(idx(i))
		if j, dup := seen[s.Source]; dup && s.Source != "" {
			c.errorf(sp.with(key("source")), "source %s repeated (also [%d])", s.Source, j)
		}
		seen[s.Source] = i
		var pct decimal.Decimal
		if s.Pct != nil {
			var ok bool
			if pct, ok = c.number(sp.with(key("pct")), s.Pct, pctPlaces, true); !ok {
				known = false
			}
			last = i
		}
		sum = sum.Add(pct)
		out = append(out, SplitShare{Source: s.Source, Pct: pct})
	}
	if known && len(fs) > 0 && !sum.Equal(hundred) {
		q := p
		if last >= 0 {
			q = p.with(idx(last), key("pct"))
		}
		c.errorf(q, "split pct sum to %s, want 100", sum.String())
	}
	return out
}

func (c *checker) checkUtilityAward(p path, fu *fileUtilityAward) *UtilityAwardRule {
	u := &UtilityAwardRule{Source: fu.Source}
	if u.Source == "" {
		u.Source = defaultAwardSource
	}
	if fu.Pct != nil {
		u.Pct, _ = c.number(p.with(key("pct")), fu.Pct, pctPlaces, true)
	}
	if fu.CapPerFacility != nil {
		if d, ok := c.number(p.with(key("cap_per_facility")), fu.CapPerFacility, moneyPlaces, false); ok {
			u.CapPerFacility = &d
		}
	}
	return u
}

// score parses a min_score: 0 to 100, at most 2 decimals.
func (c *checker) score(p path, s *scalar) (decimal.Decimal, bool) {
	if s == nil {
		return decimal.Zero, false
	}
	return c.number(p, s, moneyPlaces, true) // 0 to 100, at most 2 decimals
}

func (c *checker) checkPropertyRewards(p path, fp *filePropertyRewards) *PropertyRewardRule {
	r := &PropertyRewardRule{Source: fp.Source}
	if r.Source == "" {
		r.Source = defaultAwardSource
	}
	var prev *decimal.Decimal
	for i, row := range fp.Table {
		if row == nil {
			continue
		}
		rp := p.with(key("table"), idx(i))
		ms, ok := c.score(rp.with(key("min_score")), row.MinScore)
		if ok && prev != nil && !ms.LessThan(*prev) {
			c.errorf(rp.with(key("min_score")), "rows go from the highest min_score down: %s is not below %s", ms, *prev)
		}
		if ok {
			prev = &ms
		}
		var amt decimal.Decimal
		if row.Amount != nil {
			amt, _ = c.number(rp.with(key("amount")), row.Amount, moneyPlaces, false)
		}
		r.Table = append(r.Table, RewardRow{MinScore: ms, Amount: amt})
	}
	return r
}

func (c *checker) checkEvaluation(p path, fe *fileEvaluation) *EvaluationRule {
	r := &EvaluationRule{Source: fe.Source}
	if r.Source == "" {
		r.Source = defaultAllocationSource
	}
	if f := fe.Factors; f != nil {
		fp := p.with(key("factors"))
		sum := decimal.Zero
		known := true
		var lastKey string
		w := func(name string, s *scalar) decimal.Decimal {
			if s == nil {
				return decimal.Zero
			}
			lastKey = name
			d, ok := c.number(fp.with(key(name)), s, pctPlaces, true)
			if !ok {
				known = false
			}
			sum = sum.Add(d)
			return d
		}
		r.Weights = FactorWeights{Area: w("area", f.Area), Households: w("households", f.Households),
			Buildings: w("buildings", f.Buildings), Communities: w("communities", f.Communities)}
		switch {
		case lastKey == "":
			c.errorf(fp, "name at least one factor: area, households, buildings, communities")
		case known && !sum.Equal(hundred):
			c.errorf(fp.with(key(lastKey)), "factor weights sum to %s, want 100", sum.String())
		}
	}
	var prev *decimal.Decimal
	for i, row := range fe.ScoreCoefficients {
		if row == nil {
			continue
		}
		rp := p.with(key("score_coefficients"), idx(i))
		ms, ok := c.score(rp.with(key("min_score")), row.MinScore)
		if ok && prev != nil && !ms.LessThan(*prev) {
			c.errorf(rp.with(key("min_score")), "rows go from the highest min_score down: %s is not below %s", ms, *prev)
		}
		if ok {
			prev = &ms
		}
		var coef decimal.Decimal
		if row.Coefficient != nil {
			var cok bool
			coef, cok = c.number(rp.with(key("coefficient")), row.Coefficient, ratePlaces, false)
			if cok && coef.GreaterThan(maxCoeff) {
				c.errorf(rp.with(key("coefficient")), "a coefficient is at most %s, got %s", maxCoeff, coef)
			}
		}
		r.ScoreCoefficients = append(r.ScoreCoefficients, ScoreCoefficient{MinScore: ms, Coefficient: coef})
	}
	return r
}
