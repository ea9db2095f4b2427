package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/shopspring/decimal"
)

// RuleSet is one versioned cost-sharing rule set, as loaded from one file.
// Build it with Parse or LoadFile only: they validate it. Treat it as read-only.
type RuleSet struct {
	Name        string
	Version     string // label chosen by the author; Hash is the real version
	Description string
	// District is the district the set is for (e.g. 环翠区); "" is the city-wide default.
	District string
	// EffectiveFrom is the first day the set is in force (a civil date, at 00:00 UTC).
	EffectiveFrom time.Time
	// EffectiveTo is the last day the set is in force, inclusive; nil when open-ended.
	EffectiveTo *time.Time
	// Categories holds the rule of each category, keyed by category code.
	Categories map[string]*CategoryRule
	// Optional grant sections; nil when the file has none (grants.go).
	Elevator             *ElevatorRule       // 加装电梯 grants, consent, floor coefficients
	UtilityAward         *UtilityAwardRule   // 以奖代补 for utility facilities
	PropertyRewards      *PropertyRewardRule // property-management rewards by score
	EvaluationAllocation *EvaluationRule     // next year's pool over districts by evaluation
	// LoanInterestSubsidy: 贷款贴息 rules, one per level (loansubsidy.go); nil when none.
	LoanInterestSubsidy []LoanSubsidyRule

	file string    // name the set was loaded under, for messages
	raw  []byte    // file bytes as loaded
	hash string    // hex SHA-256 of raw
	ast  *ast.File // for positions in later checks (CheckOverlap)
}

// CategoryRule is the rule of one category, plus rules for work items that
// override it for budget lines of that work item.
type CategoryRule struct {
	Rule
	Items map[string]*Rule // keyed by work item, e.g. "elevator"
}

// Rule is an ordered list of shares. Fixed shares are taken first, in order;
// the rest is split by the pct shares, whose pct add up to exactly 100.
type Rule struct {
	Shares []Share
}

// Share is one source's part of a rule: exactly one of Pct and Fixed is set.
type Share struct {
	Source string
	Pct    *decimal.Decimal // percent of what is left after fixed shares, e.g. 33.33
	Fixed  *decimal.Decimal // amount in yuan, taken first, never more than what is left
	// Cap limits the source's total in a group (only pct shares may be capped).
	Cap Cap
	// Overflow is where the excess over Cap goes, link by link; set iff Cap is.
	// The last link is uncapped and takes whatever remains.
	Overflow []Link
}

// Link is one step of an overflow chain. A capped link takes excess only
// while the source's total in the group (its own share and what it got from
// earlier overflow included) is below the link's cap, and when the source is
// a capped share too, below that share cap. A link cap limits what flows
// through that link; it does not stop the same source from taking more as
// the uncapped last link of another chain. Share caps are never exceeded:
// Parse refuses a capped share as the last link of a chain.
type Link struct {
	Source string
	Cap    Cap
}

// Cap is a set of limits; when several are given the smallest applies.
// Each is nil when not given. The resulting amount is truncated down to the fen.
type Cap struct {
	PerHousehold *decimal.Decimal // yuan per household
	PerM2        *decimal.Decimal // yuan per m² of floor area
	PerElevator  *decimal.Decimal // yuan per elevator
	PerProject   *decimal.Decimal // yuan, absolute
}

// IsSet reports whether any limit is given.
func (c Cap) IsSet() bool {
	return c.PerHousehold != nil || c.PerM2 != nil || c.PerElevator != nil || c.PerProject != nil
}

// Hash is the hex SHA-256 of the file bytes as loaded: the content version
// of the rule set, stored with every allocation it produced.
func (rs *RuleSet) Hash() string { return rs.hash }

// Raw returns a copy of the file bytes as loaded.
func (rs *RuleSet) Raw() []byte { return append([]byte(nil), rs.raw...) }

// File is the name the rule set was loaded under.
func (rs *RuleSet) File() string { return rs.file }

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// InForce reports whether the set is in force on the civil date of on (in on's location).
func (rs *RuleSet) InForce(on time.Time) bool {
	d := civilDate(on)
	if d.Before(rs.EffectiveFrom) {
		return false
	}
	return rs.EffectiveTo == nil || !d.After(*rs.EffectiveTo)
}

// civilDate is the calendar date of t in t's own location, at 00:00 UTC.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RuleFor returns the rule that applies to a budget line of that category
// and work item: the work item's rule when the category has one, else the
// category rule. key is the work item used ("" for the category rule).
func (rs *RuleSet) RuleFor(category, workItem string) (rule *Rule, key string, ok bool) {
	cr, ok := rs.Categories[category]
	if !ok || cr == nil {
		return nil, "", false
	}
	if workItem != "" {
		if r, ok := cr.Items[workItem]; ok && r != nil {
			return r, workItem, true
		}
	}
	return &cr.Rule, "", true
}

// MayPay reports whether the source may pay costs of that category and work
// item under this rule set (专款专用): it is a share of the applicable rule
// with a positive pct or fixed amount, or a link of one of its overflow chains.
// A share of pct 0 is documentation only and does not entitle the source.
func (rs *RuleSet) MayPay(category, workItem, source string) bool {
	r, _, ok := rs.RuleFor(category, workItem)
	if !ok {
		return false
	}
	for _, s := range r.Shares {
		if s.Source == source {
			if s.Pct != nil && s.Pct.Sign() > 0 || s.Fixed != nil && s.Fixed.Sign() > 0 {
				return true
			}
		}
		for _, l := range s.Overflow {
			if l.Source == source {
				return true
			}
		}
	}
	return false
}

// Select returns the rule set in force on that date for the district: the
// district's own set wins over the city-wide one (District ""). It returns
// ErrNoRuleSet when none is in force and ErrAmbiguous when two sets of the
// same district are (CheckOverlap would have said so).
func Select(sets []*RuleSet, district string, on time.Time) (*RuleSet, error) {
	var own, city []*RuleSet
	for _, rs := range sets {
		if rs == nil || !rs.InForce(on) {
			continue
		}
		switch rs.District {
		case district:
			own = append(own, rs)
		case "":
			city = append(city, rs)
		}
	}
	day := civilDate(on).Format(dateLayout)
	for _, found := range [][]*RuleSet{own, city} {
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return nil, fmt.Errorf("select rule set for %q on %s: %s and %s: %w",
				district, day, found[0].file, found[1].file, ErrAmbiguous)
		}
	}
	return nil, fmt.Errorf("select rule set for %q on %s: %w", district, day, ErrNoRuleSet)
}

// CheckOverlap reports every pair of rule sets of the same district whose
// effective ranges share a day. Each error is positioned at the
// effective_from of the later set. The error wraps ErrOverlap.
func CheckOverlap(sets []*RuleSet) error {
	sorted := make([]*RuleSet, 0, len(sets))
	for _, rs := range sets {
		if rs != nil {
			sorted = append(sorted, rs)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.District != b.District {
			return a.District < b.District
		}
		return a.EffectiveFrom.Before(b.EffectiveFrom)
	})
	list := &ErrorList{kind: ErrOverlap}
	for i, a := range sorted {
		for _, b := range sorted[i+1:] {
			if b.District != a.District {
				break
			}
			// Sorted by start: b starts on or after a, so they overlap iff a
			// is open-ended or ends on or after b's start.
			if a.EffectiveTo != nil && a.EffectiveTo.Before(b.EffectiveFrom) {
				continue
			}
			district := a.District
			if district == "" {
				district = "city-wide"
			}
			e := b.errorAt(path{key("effective_from")}, fmt.Sprintf(
				"%s in force %s overlaps %s (%s) in force %s",
				district, rangeString(b), a.Name, a.file, rangeString(a)))
			list.add(e)
		}
	}
	return list.err()
}

func rangeString(rs *RuleSet) string {
	to := "open-ended"
	if rs.EffectiveTo != nil {
		to = rs.EffectiveTo.Format(dateLayout)
	}
	return rs.EffectiveFrom.Format(dateLayout) + ".." + to
}
