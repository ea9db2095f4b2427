package rules

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// Property tests: random valid rule sets (generated as YAML and parsed, so
// the parser is exercised too) and random budgets, with fixed seeds so that
// a failure replays. Checked for every allocation:
//   - each group's shares add up exactly to its cost, the totals to the total;
//   - every amount is positive and whole fen;
//   - no share cap is exceeded, nor a link cap of a source that only ever
//     receives through capped links;
//   - rounding is largest remainder: each amount is its exact amount floored,
//     plus at most one fen, and the fens went to the largest remainders,
//     ties to the earlier source in canonical order;
//   - same input, same output (Steps included); the order of the budget
//     lines does not change any amount.

var workItems = []string{"", "elevator", "parking", "utility_pipework", "roads"}

// randDec returns a random non-negative decimal below max (an integer) with
// up to places decimals.
func randDec(r *rand.Rand, max int64, places int32) decimal.Decimal {
	scale := int64(1)
	for range places {
		scale *= 10
	}
	return decimal.New(r.Int63n(max*scale+1), -places)
}

func genCap(r *rand.Rand) string {
	var parts []string
	for len(parts) == 0 {
		if r.Intn(3) == 0 {
			parts = append(parts, "per_household: "+randDec(r, 3000, int32(r.Intn(5))).String())
		}
		if r.Intn(4) == 0 {
			parts = append(parts, "per_m2: "+randDec(r, 400, int32(r.Intn(5))).String())
		}
		if r.Intn(4) == 0 {
			parts = append(parts, "per_elevator: "+randDec(r, 300000, int32(r.Intn(3))).String())
		}
		if r.Intn(3) == 0 {
			parts = append(parts, "per_project: "+randDec(r, 5000000, int32(r.Intn(3))).String())
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// genRule writes a random valid list of shares at the given indent.
func genRule(r *rand.Rand, b *strings.Builder, indent string) {
	all := Sources()
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	k := 1 + r.Intn(7)
	chosen := all[:k]
	nFixed := r.Intn(min(3, k)) // at least one pct share remains
	// pct parts: cut 100 × 10^places at m−1 random points (parts may be 0).
	m := k - nFixed
	places := int32([]int{0, 2, 4}[r.Intn(3)])
	unit := decimal.New(1, -places)
	total := decimal.NewFromInt(100).Div(unit).IntPart()
	cuts := []int64{0, total}
	for range m - 1 {
		cuts = append(cuts, r.Int63n(total+1))
	}
	slices.Sort(cuts)
	capped := make(map[string]bool)
	for i := nFixed; i < k; i++ {
		if r.Intn(5) < 2 {
			capped[chosen[i].Code] = true
		}
	}
	fmt.Fprintf(b, "%sshares:\n", indent)
	for i, s := range chosen {
		fmt.Fprintf(b, "%s  - source: %q\n", indent, s.Code)
		if i < nFixed {
			fmt.Fprintf(b, "%s    fixed: %s\n", indent, randDec(r, 50000, 2))
			continue
		}
		j := i - nFixed
		fmt.Fprintf(b, "%s    pct: %s\n", indent, decimal.NewFromInt(cuts[j+1]-cuts[j]).Mul(unit))
		if !capped[s.Code] {
			continue
		}
		fmt.Fprintf(b, "%s    cap: %s\n", indent, genCap(r))
		// The chain: distinct sources other than s; the last one uncapped and
		// not a capped share.
		var lastCands []string
		for _, o := range Sources() {
			if o.Code != s.Code && !capped[o.Code] {
				lastCands = append(lastCands, o.Code)
			}
		}
		last := lastCands[r.Intn(len(lastCands))]
		inChain := map[string]bool{s.Code: true, last: true}
		fmt.Fprintf(b, "%s    overflow:\n", indent)
		for range r.Intn(3) {
			o := Sources()[r.Intn(len(sources))].Code
			if inChain[o] {
				continue
			}
			inChain[o] = true
			switch r.Intn(3) {
			case 0:
				fmt.Fprintf(b, "%s      - %q\n", indent, o)
			default:
				fmt.Fprintf(b, "%s      - {source: %q, cap: %s}\n", indent, o, genCap(r))
			}
		}
		if r.Intn(2) == 0 {
			fmt.Fprintf(b, "%s      - %q\n", indent, last)
		} else {
			fmt.Fprintf(b, "%s      - {source: %q}\n", indent, last)
		}
	}
}

func genRuleSet(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("name: random\nversion: \"1\"\neffective_from: 2020-01-01\ncategories:\n")
	for _, c := range Categories() {
		fmt.Fprintf(&b, "  %s:\n", c.Code)
		genRule(r, &b, "    ")
		items := workItems[1:4]
		n := r.Intn(3)
		if n > 0 {
			b.WriteString("    items:\n")
		}
		for _, it := range items[:n] {
			fmt.Fprintf(&b, "      %s:\n", it)
			genRule(r, &b, "        ")
		}
	}
	return b.String()
}

func genBudget(r *rand.Rand) (Project, []BudgetLine) {
	p := Project{
		Code:        "R",
		Households:  r.Intn(2001),
		FloorAreaM2: randDec(r, 200000, 2),
		Elevators:   r.Intn(6),
	}
	lines := make([]BudgetLine, 1+r.Intn(8))
	for i := range lines {
		var fen int64
		switch r.Intn(4) {
		case 0:
			fen = 1 + r.Int63n(100) // up to 1 yuan
		case 1:
			fen = 1 + r.Int63n(10_000_000) // up to 100,000 yuan
		case 2:
			fen = 1 + r.Int63n(1_000_000_000) // up to 10 million
		default:
			fen = 1 + r.Int63n(100_000_000_000) // up to 1 billion
		}
		lines[i] = BudgetLine{
			Category: categories[r.Intn(len(categories))].Code,
			WorkItem: workItems[r.Intn(len(workItems))],
			Amount:   decimal.New(fen, -2),
		}
	}
	return p, lines
}

// testCap computes a cap the plain way, independently of capAmount.
func testCap(c Cap, p Project) decimal.Decimal {
	var vals []decimal.Decimal
	if c.PerHousehold != nil {
		vals = append(vals, c.PerHousehold.Mul(decimal.NewFromInt(int64(p.Households))))
	}
	if c.PerM2 != nil {
		vals = append(vals, c.PerM2.Mul(p.FloorAreaM2))
	}
	if c.PerElevator != nil {
		vals = append(vals, c.PerElevator.Mul(decimal.NewFromInt(int64(p.Elevators))))
	}
	if c.PerProject != nil {
		vals = append(vals, *c.PerProject)
	}
	return decimal.Min(vals[0], vals[1:]...).RoundFloor(2)
}

func checkAllocation(t *testing.T, p Project, lines []BudgetLine, rs *RuleSet, a Allocation) {
	t.Helper()
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	if !a.Total.Equal(total) {
		t.Fatalf("total %s, lines add up to %s", a.Total, total)
	}
	perSource := make(map[string]decimal.Decimal)
	groupsCost := decimal.Zero
	for _, g := range a.Groups {
		groupsCost = groupsCost.Add(g.Cost)
		sum := decimal.Zero
		amount := make(map[string]decimal.Decimal)
		for i, s := range g.Shares {
			if s.Amount.Sign() <= 0 || !s.Amount.Equal(s.Amount.Truncate(2)) {
				t.Fatalf("%s/%s: %s amount %s", g.Category, g.WorkItem, s.Source, s.Amount)
			}
			if i > 0 && SourceOrder(g.Shares[i-1].Source) >= SourceOrder(s.Source) {
				t.Fatalf("shares not in canonical order: %v", g.Shares)
			}
			sum = sum.Add(s.Amount)
			amount[s.Source] = s.Amount
			perSource[s.Source] = perSource[s.Source].Add(s.Amount)
		}
		if !sum.Equal(g.Cost) {
			t.Fatalf("%s/%s: shares add up to %s, cost %s", g.Category, g.WorkItem, sum, g.Cost)
		}
		rule, _, _ := rs.RuleFor(g.Category, g.WorkItem)
		isShare := make(map[string]bool)
		for _, s := range rule.Shares {
			isShare[s.Source] = true
			if s.Pct != nil && s.Cap.IsSet() {
				if c := testCap(s.Cap, p); amount[s.Source].GreaterThan(c) {
					t.Fatalf("%s/%s: %s %s above its cap %s", g.Category, g.WorkItem, s.Source, amount[s.Source], c)
				}
			}
		}
		// A source that is no share and only ever a capped link holds at most
		// its largest link cap.
		linkMax := make(map[string]decimal.Decimal)
		uncapped := make(map[string]bool)
		for _, s := range rule.Shares {
			for _, l := range s.Overflow {
				if !l.Cap.IsSet() {
					uncapped[l.Source] = true
					continue
				}
				if c := testCap(l.Cap, p); c.GreaterThan(linkMax[l.Source]) {
					linkMax[l.Source] = c
				} else if _, ok := linkMax[l.Source]; !ok {
					linkMax[l.Source] = c
				}
			}
		}
		for src, c := range linkMax {
			if !isShare[src] && !uncapped[src] && amount[src].GreaterThan(c) {
				t.Fatalf("%s/%s: link %s holds %s above its link cap %s", g.Category, g.WorkItem, src, amount[src], c)
			}
		}
		checkLargestRemainder(t, p, rule, g, amount)
	}
	if !groupsCost.Equal(total) {
		t.Fatalf("groups cost %s, total %s", groupsCost, total)
	}
	sum := decimal.Zero
	for _, s := range a.Totals {
		sum = sum.Add(s.Amount)
		if !s.Amount.Equal(perSource[s.Source]) {
			t.Fatalf("total of %s %s, groups give %s", s.Source, s.Amount, perSource[s.Source])
		}
	}
	if !sum.Equal(total) || len(a.Totals) != len(perSource) {
		t.Fatalf("totals add up to %s over %d sources, want %s over %d", sum, len(a.Totals), total, len(perSource))
	}
}

// checkLargestRemainder recomputes the exact split of the group and checks
// the rounding against the method's definition.
func checkLargestRemainder(t *testing.T, p Project, rule *Rule, g GroupAllocation, rounded map[string]decimal.Decimal) {
	t.Helper()
	exact := (&split{p: p, label: "check", rule: rule}).exact(g.Cost)
	var up, down []string // sources that got an extra fen, and those with a remainder that did not
	rem := make(map[string]decimal.Decimal)
	for src, e := range exact {
		if e.Sign() < 0 {
			t.Fatalf("%s exact %s negative", src, e)
		}
		floor := e.RoundFloor(2)
		rem[src] = e.Sub(floor)
		switch diff := rounded[src].Sub(floor); {
		case diff.IsZero():
			if rem[src].Sign() > 0 {
				down = append(down, src)
			}
		case diff.Equal(fen):
			up = append(up, src)
		default:
			t.Fatalf("%s: exact %s rounded to %s", src, e, rounded[src])
		}
	}
	for _, u := range up {
		for _, dn := range down {
			c := rem[u].Cmp(rem[dn])
			if c < 0 || c == 0 && SourceOrder(u) > SourceOrder(dn) {
				t.Fatalf("%s (remainder %s) got a fen before %s (remainder %s)", u, rem[u], dn, rem[dn])
			}
		}
	}
}

// TestPropertyRandomRuleSets: 3 seeds × 400 random rule sets × 4 random
// budgets = 4,800 allocations.
func TestPropertyRandomRuleSets(t *testing.T) {
	for _, seed := range []int64{1, 2, 20200611} {
		r := rand.New(rand.NewSource(seed))
		for i := range 400 {
			src := genRuleSet(r)
			rs, err := Parse(fmt.Sprintf("seed%d-%d.yaml", seed, i), []byte(src))
			if err != nil {
				t.Fatalf("seed %d #%d: generated rule set refused: %v\n%s", seed, i, err, src)
			}
			for j := range 4 {
				p, lines := genBudget(r)
				a, err := Allocate(p, lines, rs)
				if err != nil {
					t.Fatalf("seed %d #%d.%d: %v\n%s", seed, i, j, err, src)
				}
				checkAllocation(t, p, lines, rs, a)

				again, err := Allocate(p, lines, rs)
				if err != nil || fmt.Sprintf("%v", again) != fmt.Sprintf("%v", a) {
					t.Fatalf("seed %d #%d.%d: same input, different output", seed, i, j)
				}
				shuffled := slices.Clone(lines)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				b, err := Allocate(p, shuffled, rs)
				if err != nil || fmtShares(b.Totals) != fmtShares(a.Totals) || len(b.Groups) != len(a.Groups) {
					t.Fatalf("seed %d #%d.%d: line order changed the totals", seed, i, j)
				}
				for k := range a.Groups {
					if fmtShares(b.Groups[k].Shares) != fmtShares(a.Groups[k].Shares) {
						t.Fatalf("seed %d #%d.%d: line order changed group %d", seed, i, j, k)
					}
				}
			}
		}
	}
}

// TestPropertyExamples runs random budgets through the example rule sets.
func TestPropertyExamples(t *testing.T) {
	city, huancui := loadExamples(t)
	r := rand.New(rand.NewSource(2021))
	for i := range 2000 {
		rs, district := city, "文登区"
		if i%2 == 1 {
			rs, district = huancui, "环翠区"
		}
		p, lines := genBudget(r)
		p.District = district
		a, err := Allocate(p, lines, rs)
		if err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
		checkAllocation(t, p, lines, rs, a)
	}
}
