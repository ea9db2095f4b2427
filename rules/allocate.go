package rules

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// MaxBudgetLines bounds the budget lines of one Allocate call.
const MaxBudgetLines = 10000

var (
	fen = decimal.New(1, -2)
	// errInternal marks a broken postcondition: a bug in this package, never bad input.
	errInternal = errors.New("rules: internal error")
)

// Project is what Allocate needs to know of a project: the quantities caps
// are expressed in.
type Project struct {
	Code        string
	District    string
	Households  int
	FloorAreaM2 decimal.Decimal
	Elevators   int
}

// BudgetLine is one approved cost of a project. Amount is in yuan, > 0, with
// at most 2 decimals. WorkItem is optional (e.g. "elevator"); it selects the
// work item's rule when the rule set has one.
type BudgetLine struct {
	Category string
	WorkItem string
	Amount   decimal.Decimal
}

// SourceAmount is what one source owes, in yuan to the fen.
type SourceAmount struct {
	Source string
	Amount decimal.Decimal
}

// GroupAllocation is the split of the budget lines that share one rule.
type GroupAllocation struct {
	Category string
	WorkItem string          // "" when the category rule applies
	Lines    []int           // indexes of the budget lines in the group
	Cost     decimal.Decimal // sum of the lines
	Shares   []SourceAmount  // canonical source order; only amounts > 0; they add up to Cost exactly
}

// RuleSetRef names the rule set version that produced an allocation.
type RuleSetRef struct {
	Name     string
	Version  string
	District string
	Hash     string // hex SHA-256 of the rule file
}

// Allocation is the split of a project's cost among funding sources.
type Allocation struct {
	Project string
	RuleSet RuleSetRef
	Total   decimal.Decimal   // sum of all budget lines
	Groups  []GroupAllocation // by category (canonical order), category rule first, then work items by name
	Totals  []SourceAmount    // per source over the project, canonical order, amounts > 0
	Steps   []string          // how every number was obtained, for people
	// Notes are the Steps as kinds with figures, for a page to write them
	// in its reader's language (web's catalogue).
	Notes []Note `json:"Notes,omitempty"`
}

// Note is one step of an allocation's explanation: its kind (Note*), the
// group it concerns (Category code and WorkItem, empty for the whole
// project) and its figures in order: amounts as decimals, percentages,
// counts, and funding sources by their codes.
type Note struct {
	Kind     string   `json:"kind"`
	Category string   `json:"category,omitempty"`
	WorkItem string   `json:"work_item,omitempty"`
	Args     []string `json:"args,omitempty"`
}

// Kinds of Note, with their figures.
const (
	NoteRuleSet        = "rule_set"        // name, version, project, households, floor area m², elevators, budget lines, total
	NoteGroup          = "group"           // budget lines ("#0 #1"), cost
	NoteFixed          = "fixed"           // amount, source
	NoteFixedCut       = "fixed_cut"       // amount, source, what was left
	NotePct            = "pct"             // base, pct, part, source
	NoteWithinCap      = "within_cap"      // source, amount, cap
	NoteCapped         = "capped"          // source, amount, cap, excess
	NoteExcessLast     = "excess_last"     // excess, source
	NoteExcessUncapped = "excess_uncapped" // excess, source
	NoteExcessRoom     = "excess_room"     // amount, source, room, left
	NoteRounding       = "rounding"        // floors' sum, fen to hand out
	NoteRoundingFen    = "rounding_fen"    // source, remainder in fen
	NoteResult         = "result"          // cost, then source and amount pairs
)

// Allocate splits a project's budget lines among funding sources under rs.
//
// Lines are grouped by the rule that applies to them (the work item's rule
// when the category has one for it, else the category rule); each group's
// cost is split: fixed shares first, the rest by pct exactly, then caps with
// their overflow chains, then rounding to the fen by largest remainder (ties
// broken by canonical source order). Each group's shares add up exactly to
// its cost, and no capped amount is exceeded.
//
// Errors wrap ErrBadProject, ErrWrongDistrict, ErrUnknownCategory,
// ErrBadAmount or ErrNoRule, naming the budget line index where there is one.
func Allocate(p Project, lines []BudgetLine, rs *RuleSet) (Allocation, error) {
	if rs == nil || rs.hash == "" {
		// Only Parse makes a rule set: validated, and with the hash that
		// records which version produced the allocation.
		return Allocation{}, fmt.Errorf("allocate %s: rule set not loaded by Parse or LoadFile", p.Code)
	}
	if err := checkProject(p, rs); err != nil {
		return Allocation{}, fmt.Errorf("allocate %s: %w", p.Code, err)
	}
	if len(lines) > MaxBudgetLines {
		return Allocation{}, fmt.Errorf("allocate %s: %d budget lines, more than %d: %w", p.Code, len(lines), MaxBudgetLines, ErrBadAmount)
	}

	type groupKey struct{ category, item string }
	groups := make(map[groupKey]*GroupAllocation)
	total := decimal.Zero
	for i, l := range lines {
		if _, ok := LookupCategory(l.Category); !ok {
			return Allocation{}, fmt.Errorf("allocate %s: budget line %d: category %q: %w", p.Code, i, l.Category, ErrUnknownCategory)
		}
		if err := checkAmount(l.Amount); err != nil {
			return Allocation{}, fmt.Errorf("allocate %s: budget line %d: %w", p.Code, i, err)
		}
		_, item, ok := rs.RuleFor(l.Category, l.WorkItem)
		if !ok {
			return Allocation{}, fmt.Errorf("allocate %s: budget line %d: category %s in rule set %s (%s): %w",
				p.Code, i, l.Category, rs.Name, rs.file, ErrNoRule)
		}
		k := groupKey{l.Category, item}
		g := groups[k]
		if g == nil {
			g = &GroupAllocation{Category: l.Category, WorkItem: item, Cost: decimal.Zero}
			groups[k] = g
		}
		g.Lines = append(g.Lines, i)
		g.Cost = g.Cost.Add(l.Amount)
		total = total.Add(l.Amount)
	}

	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.category != b.category {
			return categoryIndex[a.category] < categoryIndex[b.category]
		}
		return a.item < b.item // "" (the category rule) sorts first
	})

	a := Allocation{
		Project: p.Code,
		RuleSet: RuleSetRef{Name: rs.Name, Version: rs.Version, District: rs.District, Hash: rs.hash},
		Total:   total,
	}
	hash := rs.hash
	if len(hash) > 12 {
		hash = hash[:12]
	}
	a.Steps = append(a.Steps, fmt.Sprintf("rule set %s version %s (%s, sha256 %s…); project %s: %d households, %s m², %d elevators; %d budget lines, total %s",
		rs.Name, rs.Version, rs.file, hash, p.Code, p.Households, fmtNum(p.FloorAreaM2), p.Elevators, len(lines), fmtNum(total)))
	a.Notes = append(a.Notes, Note{Kind: NoteRuleSet, Args: []string{rs.Name, rs.Version, p.Code, strconv.Itoa(p.Households), fmtNum(p.FloorAreaM2),
		strconv.Itoa(p.Elevators), strconv.Itoa(len(lines)), fmtNum(total)}})

	totals := make(map[string]decimal.Decimal)
	for _, k := range keys {
		g := groups[k]
		rule, _, _ := rs.RuleFor(k.category, k.item)
		label, rulePath := k.category, "categories."+k.category
		if k.item != "" {
			label += "/" + k.item
			rulePath += ".items." + k.item
		}
		lineRefs := make([]string, len(g.Lines))
		for i, n := range g.Lines {
			lineRefs[i] = fmt.Sprintf("#%d", n)
		}
		a.Steps = append(a.Steps, fmt.Sprintf("%s: budget lines %s, cost %s, rule %s", label, strings.Join(lineRefs, " "), fmtNum(g.Cost), rulePath))
		a.Notes = append(a.Notes, Note{Kind: NoteGroup, Category: k.category, WorkItem: k.item, Args: []string{strings.Join(lineRefs, " "), fmtNum(g.Cost)}})

		sp := &split{p: p, label: label, rule: rule, group: Note{Category: k.category, WorkItem: k.item}}
		exact := sp.exact(g.Cost)
		rounded := sp.round(g.Cost, exact)
		if err := sp.check(g.Cost, exact, rounded); err != nil {
			return Allocation{}, fmt.Errorf("allocate %s: %s: %w", p.Code, label, err)
		}
		a.Steps = append(a.Steps, sp.steps...)
		a.Notes = append(a.Notes, sp.notes...)
		g.Shares = amounts(rounded)
		parts := make([]string, len(g.Shares))
		result := Note{Kind: NoteResult, Category: k.category, WorkItem: k.item, Args: []string{fmtNum(g.Cost)}}
		for i, s := range g.Shares {
			parts[i] = s.Source + " " + fmtNum(s.Amount)
			result.Args = append(result.Args, s.Source, fmtNum(s.Amount))
			totals[s.Source] = totals[s.Source].Add(s.Amount)
		}
		a.Steps = append(a.Steps, fmt.Sprintf("%s: result %s (sum %s)", label, strings.Join(parts, ", "), fmtNum(g.Cost)))
		a.Notes = append(a.Notes, result)
		a.Groups = append(a.Groups, *g)
	}
	a.Totals = amounts(totals)
	sum := decimal.Zero
	for _, t := range a.Totals {
		sum = sum.Add(t.Amount)
	}
	if !sum.Equal(total) {
		return Allocation{}, fmt.Errorf("allocate %s: totals add up to %s, cost is %s: %w", p.Code, sum, total, errInternal)
	}
	return a, nil
}

func checkProject(p Project, rs *RuleSet) error {
	if p.Households < 0 || p.Elevators < 0 || p.FloorAreaM2.Sign() < 0 {
		return fmt.Errorf("households %d, elevators %d, floor area %s m²: none may be negative: %w",
			p.Households, p.Elevators, p.FloorAreaM2, ErrBadProject)
	}
	if rs.District != "" && rs.District != p.District {
		return fmt.Errorf("project of district %q, rule set %s is for %q: %w", p.District, rs.Name, rs.District, ErrWrongDistrict)
	}
	return nil
}

func checkAmount(d decimal.Decimal) error {
	switch {
	case d.Sign() <= 0:
		return fmt.Errorf("amount %s is not positive: %w", d, ErrBadAmount)
	case !d.Equal(d.Truncate(2)):
		return fmt.Errorf("amount %s has more than 2 decimals: %w", d, ErrBadAmount)
	case d.GreaterThan(maxMoney):
		return fmt.Errorf("amount %s is larger than %s: %w", d, maxMoney, ErrBadAmount)
	}
	return nil
}

// amounts lists the positive amounts in canonical source order.
func amounts(m map[string]decimal.Decimal) []SourceAmount {
	out := make([]SourceAmount, 0, len(m))
	for _, src := range canonical(m) {
		if m[src].Sign() > 0 {
			out = append(out, SourceAmount{Source: src, Amount: m[src]})
		}
	}
	return out
}

// canonical returns the keys of m in canonical source order.
func canonical(m map[string]decimal.Decimal) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return sourceIndex[keys[i]] < sourceIndex[keys[j]] })
	return keys
}

// split splits the cost of one group under one rule, writing its steps.
type split struct {
	p      Project
	label  string
	rule   *Rule
	caps   map[string]decimal.Decimal // source -> cap of its share, for capped pct shares
	steps  []string
	capLog map[string]string // source -> how its share cap was computed
	group  Note              // the group's category and work item
	notes  []Note
}

func (sp *split) logf(format string, args ...any) {
	sp.steps = append(sp.steps, sp.label+": "+fmt.Sprintf(format, args...))
}

// note records a step of the split as a Note (logf writes it for people).
func (sp *split) note(kind string, args ...string) {
	n := sp.group
	n.Kind, n.Args = kind, args
	sp.notes = append(sp.notes, n)
}

// exact returns each source's exact amount: fixed shares, pct shares, caps
// and overflow, before any rounding. All arithmetic is exact (pct has at most
// 4 decimals, so cost × pct / 100 terminates).
func (sp *split) exact(cost decimal.Decimal) map[string]decimal.Decimal {
	amt := make(map[string]decimal.Decimal)
	remaining := cost

	// 1. Fixed shares, in order, never more than what is left.
	for _, s := range sp.rule.Shares {
		if s.Fixed == nil {
			continue
		}
		take := *s.Fixed
		if take.GreaterThan(remaining) {
			sp.logf("fixed %s → %s cut to %s (only %s left)", fmtNum(take), s.Source, fmtNum(remaining), fmtNum(remaining))
			sp.note(NoteFixedCut, fmtNum(take), s.Source, fmtNum(remaining))
			take = remaining
		} else {
			sp.logf("fixed %s → %s", fmtNum(take), s.Source)
			sp.note(NoteFixed, fmtNum(take), s.Source)
		}
		amt[s.Source] = amt[s.Source].Add(take)
		remaining = remaining.Sub(take)
	}

	// 2. The rest by pct, exactly.
	base := remaining
	for _, s := range sp.rule.Shares {
		if s.Pct == nil {
			continue
		}
		part := base.Mul(*s.Pct).Shift(-2)
		sp.logf("%s × %s%% = %s → %s", fmtNum(base), s.Pct.String(), fmtNum(part), s.Source)
		sp.note(NotePct, fmtNum(base), s.Pct.String(), fmtNum(part), s.Source)
		amt[s.Source] = amt[s.Source].Add(part)
	}

	// 3. Caps, share by share in rule order; the excess flows down the chain.
	sp.caps = make(map[string]decimal.Decimal)
	sp.capLog = make(map[string]string)
	for _, s := range sp.rule.Shares {
		if s.Pct != nil && s.Cap.IsSet() {
			sp.caps[s.Source], sp.capLog[s.Source] = capAmount(s.Cap, sp.p)
		}
	}
	for _, s := range sp.rule.Shares {
		limit, capped := sp.caps[s.Source]
		if s.Pct == nil || !capped {
			continue
		}
		have := amt[s.Source]
		if !have.GreaterThan(limit) {
			sp.logf("%s %s within its cap %s", s.Source, fmtNum(have), sp.capLog[s.Source])
			sp.note(NoteWithinCap, s.Source, fmtNum(have), fmtNum(limit))
			continue
		}
		excess := have.Sub(limit)
		amt[s.Source] = limit
		sp.logf("%s %s capped at %s; excess %s", s.Source, fmtNum(have), sp.capLog[s.Source], fmtNum(excess))
		sp.note(NoteCapped, s.Source, fmtNum(have), fmtNum(limit), fmtNum(excess))
		for k, l := range s.Overflow {
			if excess.Sign() == 0 {
				break
			}
			if k == len(s.Overflow)-1 {
				amt[l.Source] = amt[l.Source].Add(excess)
				sp.logf("excess %s → %s (last link: takes the rest)", fmtNum(excess), l.Source)
				sp.note(NoteExcessLast, fmtNum(excess), l.Source)
				excess = decimal.Zero
				break
			}
			lim, why, limited := sp.linkLimit(l)
			if !limited {
				amt[l.Source] = amt[l.Source].Add(excess)
				sp.logf("excess %s → %s (uncapped link)", fmtNum(excess), l.Source)
				sp.note(NoteExcessUncapped, fmtNum(excess), l.Source)
				excess = decimal.Zero
				break
			}
			room := decimal.Max(decimal.Zero, lim.Sub(amt[l.Source]))
			take := decimal.Min(excess, room)
			amt[l.Source] = amt[l.Source].Add(take)
			excess = excess.Sub(take)
			sp.logf("excess: %s → %s (room %s under %s), %s left", fmtNum(take), l.Source, fmtNum(room), why, fmtNum(excess))
			sp.note(NoteExcessRoom, fmtNum(take), l.Source, fmtNum(room), fmtNum(excess))
		}
	}
	return amt
}

// linkLimit is the most a link's source may hold in the group: its link cap
// and, when it is a capped share too, its share cap; the smaller applies.
func (sp *split) linkLimit(l Link) (decimal.Decimal, string, bool) {
	var lim decimal.Decimal
	var why []string
	limited := false
	if l.Cap.IsSet() {
		c, desc := capAmount(l.Cap, sp.p)
		lim, limited = c, true
		why = append(why, "link cap "+desc)
	}
	if c, ok := sp.caps[l.Source]; ok {
		if !limited || c.LessThan(lim) {
			lim = c
		}
		limited = true
		why = append(why, "its share cap "+fmtNum(c))
	}
	return lim, strings.Join(why, " and "), limited
}

// capAmount is the smallest of the cap's limits for the project, truncated
// down to the fen, with a description of how it was computed.
func capAmount(c Cap, p Project) (decimal.Decimal, string) {
	type term struct {
		v    decimal.Decimal
		desc string
	}
	var terms []term
	if c.PerHousehold != nil {
		v := c.PerHousehold.Mul(decimal.NewFromInt(int64(p.Households)))
		terms = append(terms, term{v, fmt.Sprintf("%s/household × %d = %s", fmtNum(*c.PerHousehold), p.Households, fmtNum(v))})
	}
	if c.PerM2 != nil {
		v := c.PerM2.Mul(p.FloorAreaM2)
		terms = append(terms, term{v, fmt.Sprintf("%s/m² × %s m² = %s", fmtNum(*c.PerM2), fmtNum(p.FloorAreaM2), fmtNum(v))})
	}
	if c.PerElevator != nil {
		v := c.PerElevator.Mul(decimal.NewFromInt(int64(p.Elevators)))
		terms = append(terms, term{v, fmt.Sprintf("%s/elevator × %d = %s", fmtNum(*c.PerElevator), p.Elevators, fmtNum(v))})
	}
	if c.PerProject != nil {
		terms = append(terms, term{*c.PerProject, fmt.Sprintf("%s/project", fmtNum(*c.PerProject))})
	}
	if len(terms) == 0 {
		// Parse refuses an empty cap; a hand-built one limits nothing.
		return maxMoney, "no limit"
	}
	best := terms[0].v
	descs := make([]string, len(terms))
	for i, t := range terms {
		descs[i] = t.desc
		if t.v.LessThan(best) {
			best = t.v
		}
	}
	floored := best.Truncate(2) // non-negative: truncation is floor
	desc := descs[0]
	if len(descs) > 1 {
		desc = "min(" + strings.Join(descs, ", ") + ") = " + fmtNum(best)
	}
	if !floored.Equal(best) {
		desc += " → " + fmtNum(floored) + " (down to the fen)"
	}
	return floored, desc
}

// round rounds the exact amounts to the fen by largest remainder: floor each,
// then give the missing fens one each to the largest remainders, ties to the
// earlier source in canonical order.
func (sp *split) round(cost decimal.Decimal, exact map[string]decimal.Decimal) map[string]decimal.Decimal {
	srcs := canonical(exact)
	rounded := make(map[string]decimal.Decimal, len(srcs))
	rem := make(map[string]decimal.Decimal, len(srcs))
	floors := decimal.Zero
	for _, s := range srcs {
		f := exact[s].Truncate(2) // amounts are non-negative: truncation is floor
		rounded[s] = f
		rem[s] = exact[s].Sub(f)
		floors = floors.Add(f)
	}
	missing := cost.Sub(floors).Shift(2).IntPart() // whole fens, < len(srcs)
	if missing <= 0 {
		return rounded
	}
	order := append([]string(nil), srcs...)
	sort.SliceStable(order, func(i, j int) bool { return rem[order[i]].GreaterThan(rem[order[j]]) })
	plural := "s"
	if missing == 1 {
		plural = ""
	}
	sp.logf("rounding: floors add up to %s, %d fen%s to hand out by largest remainder", fmtNum(floors), missing, plural)
	sp.note(NoteRounding, fmtNum(floors), strconv.FormatInt(missing, 10))
	for i := int64(0); i < missing && i < int64(len(order)); i++ {
		s := order[i]
		rounded[s] = rounded[s].Add(fen)
		sp.logf("rounding: +0.01 to %s (remainder %s fen)", s, rem[s].Shift(2).String())
		sp.note(NoteRoundingFen, s, rem[s].Shift(2).String())
	}
	return rounded
}

// check asserts the postconditions of a group's split.
func (sp *split) check(cost decimal.Decimal, exact, rounded map[string]decimal.Decimal) error {
	sumExact, sum := decimal.Zero, decimal.Zero
	for s, v := range exact {
		sumExact = sumExact.Add(v)
		if v.Sign() < 0 {
			return fmt.Errorf("%s exact amount %s is negative: %w", s, v, errInternal)
		}
	}
	for s, v := range rounded {
		sum = sum.Add(v)
		if v.Sign() < 0 || !v.Equal(v.Truncate(2)) {
			return fmt.Errorf("%s amount %s is negative or not in fen: %w", s, v, errInternal)
		}
		if v.Sub(exact[s]).Abs().GreaterThanOrEqual(fen) {
			return fmt.Errorf("%s rounded %s from %s: %w", s, v, exact[s], errInternal)
		}
		if c, ok := sp.caps[s]; ok && v.GreaterThan(c) {
			return fmt.Errorf("%s amount %s above its cap %s: %w", s, v, c, errInternal)
		}
	}
	if !sumExact.Equal(cost) || !sum.Equal(cost) {
		return fmt.Errorf("shares add up to %s (exact %s), cost is %s: %w", sum, sumExact, cost, errInternal)
	}
	return nil
}

// fmtNum formats a decimal with thousands separators and at least 2
// decimals: 1234567.891 → 1,234,567.891; 25000 → 25,000.00.
func fmtNum(d decimal.Decimal) string {
	var s string
	if d.Equal(d.Truncate(2)) {
		s = d.StringFixed(2)
	} else {
		s = d.String()
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return sign + b.String()
}
