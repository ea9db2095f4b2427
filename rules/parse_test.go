package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// header is lines 1-6 of most test files; the body starts at line 7.
const header = `name: t
version: "1"
effective_from: 2020-01-01
categories:
  basic:
    shares:
`

// TestParseErrors checks the exact message of each error, position included.
// Every line:col was counted by hand on the YAML of its case: columns are
// 1-based and count from the first character of the line; a scalar is
// reported at its value, a mapping or a missing field at its key (or at the
// `{` of a flow mapping).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "ErrPctSum",
			// line 10 is "        pct: 35": 8 spaces + "pct: " puts 35 at column 14.
			yaml: header + `      - source: central
        pct: 60
      - source: district
        pct: 35
`,
			want: []string{"t.yaml:10:14: categories.basic.shares[1].pct: pct shares sum to 95, want 100"},
		},
		{
			name: "ErrUnknownSource",
			// line 7: 6 spaces + "- " puts source at 9, "source: " is 8 wide: value at 17.
			yaml: header + `      - source: centrall
        pct: 100
`,
			want: []string{`t.yaml:7:17: categories.basic.shares[0].source: unknown source "centrall"`},
		},
		{
			name: "ErrNegativeCap",
			// line 9: "        cap: {per_household: -50}": { at 14, per_household at 15, value at 15+15=30.
			yaml: header + `      - source: central
        pct: 100
        cap: {per_household: -50}
        overflow: [district]
`,
			want: []string{"t.yaml:9:30: categories.basic.shares[0].cap.per_household: must not be negative, got -50"},
		},
		{
			name: "ErrCappedWithoutOverflow",
			// reported at the key cap: line 9, column 9.
			yaml: header + `      - source: central
        pct: 100
        cap: {per_project: 1000}
`,
			want: []string{"t.yaml:9:9: categories.basic.shares[0].cap: a capped share needs an overflow chain (overflow: [...]) for the excess"},
		},
		{
			name: "ErrLastLinkCapped",
			// line 12: 10 spaces, "- " puts { at 13; "source: district, " is 18 wide from 14: cap at 32.
			yaml: header + `      - source: central
        pct: 100
        cap: {per_project: 1000}
        overflow:
          - municipal
          - {source: district, cap: {per_household: 10}}
`,
			want: []string{"t.yaml:12:32: categories.basic.shares[0].overflow[1].cap: the last overflow link must be uncapped: it takes whatever remains"},
		},
		{
			name: "ErrLastLinkIsCappedShare",
			// line 10: "        overflow: [district]": [ at 19, district at 20.
			yaml: header + `      - source: central
        pct: 50
        cap: {per_project: 1000}
        overflow: [district]
      - source: district
        pct: 50
        cap: {per_project: 1000}
        overflow: [municipal]
`,
			want: []string{"t.yaml:10:20: categories.basic.shares[0].overflow[0]: the last overflow link district is capped as shares[1]: the last link must be able to take any amount"},
		},
		{
			name: "ErrOverflowIntoItself",
			// line 11: 10 spaces + "- " puts central at 13.
			yaml: header + `      - source: central
        pct: 100
        cap: {per_project: 1000}
        overflow:
          - central
          - district
`,
			want: []string{"t.yaml:11:13: categories.basic.shares[0].overflow[0]: share central overflows into itself"},
		},
		{
			name: "ErrPctAndFixed",
			// line 7: { at 9, "source: central, " 17 wide from 10: pct at 27, value at 32.
			yaml: header + `      - {source: central, pct: 100, fixed: 5}
`,
			want: []string{"t.yaml:7:32: categories.basic.shares[0].pct: a share has exactly one of pct and fixed, not both"},
		},
		{
			name: "ErrNoPctNoFixed",
			// pct is missing: reported at the share, the { at column 9.
			yaml: header + `      - {source: employer}
      - {source: central, pct: 100}
`,
			want: []string{"t.yaml:7:9: categories.basic.shares[0].pct: a share needs pct or fixed"},
		},
		{
			name: "ErrRepeatedSource",
			// line 8: { at 9, source at 10, value at 18.
			yaml: header + `      - {source: central, pct: 50}
      - {source: central, pct: 50}
`,
			want: []string{"t.yaml:8:18: categories.basic.shares[1].source: source central repeated in one rule (also shares[0])"},
		},
		{
			name: "ErrFixedCapped",
			// line 8: { at 9, "source: employer, " 18 wide from 10: fixed at 28, "fixed: 5, " 10 wide: cap at 38.
			yaml: header + `      - {source: central, pct: 100}
      - {source: employer, fixed: 5, cap: {per_project: 4}}
`,
			want: []string{"t.yaml:8:38: categories.basic.shares[1].cap: a fixed share cannot be capped: its amount is its cap"},
		},
		{
			name: "ErrTooManyDecimals",
			// line 7: pct value at 32 as in ErrPctAndFixed; 33.33333 + 66.66667 = 100 but has 5 decimals.
			yaml: header + `      - {source: central, pct: 33.33333}
      - {source: district, pct: 66.66667}
`,
			want: []string{
				"t.yaml:7:32: categories.basic.shares[0].pct: at most 4 decimals, got 33.33333",
				// line 8: "source: district, " is 18 wide from 10: pct at 28, value at 33.
				"t.yaml:8:33: categories.basic.shares[1].pct: at most 4 decimals, got 66.66667",
			},
		},
		{
			name: "ErrUnknownCategory",
			yaml: `name: t
version: "1"
effective_from: 2020-01-01
categories:
  basik:
    shares:
      - {source: central, pct: 100}
`,
			want: []string{`t.yaml:5:3: categories.basik: unknown category "basik" (want basic, improvement or upgrade)`},
		},
		{
			name: "ErrBadWorkItem",
			// line 9: "    items:" then "      Elevator:" at column 7.
			yaml: header + `      - {source: central, pct: 100}
    items:
      Elevator:
        shares:
          - {source: central, pct: 100}
`,
			want: []string{`t.yaml:9:7: categories.basic.items.Elevator: work item "Elevator": want lowercase letters, digits and _ (e.g. elevator)`},
		},
		{
			name: "ErrEffectiveToBeforeFrom",
			// "effective_to: " is 14 wide: value at 15.
			yaml: `name: t
version: "1"
effective_from: 2021-01-01
effective_to: 2020-12-31
categories:
  basic:
    shares:
      - {source: central, pct: 100}
`,
			want: []string{"t.yaml:4:15: effective_to: 2020-12-31 is before effective_from 2021-01-01"},
		},
		{
			name: "ErrBadDate",
			// "effective_from: " is 16 wide: value at 17.
			yaml: `name: t
version: "1"
effective_from: 2020-13-01
categories:
  basic:
    shares:
      - {source: central, pct: 100}
`,
			want: []string{`t.yaml:3:17: effective_from: not a date (want YYYY-MM-DD): "2020-13-01"`},
		},
		{
			name: "ErrNameRequired",
			// name is missing: reported at the start of the mapping, line 1 column 1.
			yaml: `version: "1"
effective_from: 2020-01-01
categories:
  basic:
    shares:
      - {source: central, pct: 100}
`,
			want: []string{"t.yaml:1:1: name: is required"},
		},
		{
			name: "ErrUnknownField",
			// decoding stops at the first unknown key; goccy/go-yaml reports its position.
			yaml: `name: t
version: "1"
effective_from: 2020-01-01
districts: 环翠区
categories:
  basic:
    shares:
      - {source: central, pct: 100}
`,
			want: []string{`t.yaml:4:1: unknown field "districts"`},
		},
		{
			name: "ErrYAMLTag",
			// line 7: pct at 27 as in ErrPctAndFixed, the tag !!str at 32.
			yaml: header + `      - {source: central, pct: !!str 100}
`,
			want: []string{"t.yaml:7:32: YAML tags (!...) have no meaning in a rule file"},
		},
		{
			name: "ErrSyntax",
			yaml: "name: t\ncategories: [1, 2\nversion: x\n",
			want: []string{"t.yaml:3:1: ',' or ']' must be specified"},
		},
		{
			name: "ErrSeveral",
			// all errors at once, in file order: unknown source (line 7), bad
			// cap (line 9, value at 28: "cap: {per_project: " runs 14..27), sum 90 (line 12).
			yaml: header + `      - source: nobody
        pct: 50
        cap: {per_project: x}
        overflow: [district]
      - source: district
        pct: 40
`,
			want: []string{
				`t.yaml:7:17: categories.basic.shares[0].source: unknown source "nobody"`,
				`t.yaml:9:28: categories.basic.shares[0].cap.per_project: not a number: "x": only digits, one point and a leading '-' are allowed (such as 1234.56)`,
				"t.yaml:12:14: categories.basic.shares[1].pct: pct shares sum to 90, want 100",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded (%s), want errors:\n%s", rs.Name, strings.Join(tt.want, "\n"))
			}
			if !errors.Is(err, ErrInvalidRuleSet) {
				t.Errorf("errors.Is(err, ErrInvalidRuleSet) = false for %v", err)
			}
			var list *ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an *ErrorList", err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestParseErrorLimit: 40 bad shares, each with an unknown source and a
// negative pct, give 80 errors; MaxErrors (50) are kept, 30 counted.
func TestParseErrorLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 20 {
		fmt.Fprintf(&b, "      - {source: x%d, pct: -1}\n", i)
	}
	b.WriteString("  improvement:\n    shares:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "      - {source: y%d, pct: -1}\n", i)
	}
	_, err := Parse("t.yaml", []byte(b.String()))
	var list *ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want *ErrorList, got %v", err)
	}
	if len(list.Errors) != MaxErrors || list.Dropped != 30 || list.Len() != 80 {
		t.Errorf("kept %d, dropped %d, len %d; want %d, 30, 80", len(list.Errors), list.Dropped, list.Len(), MaxErrors)
	}
	if !strings.HasSuffix(err.Error(), "\n... and 30 more errors") {
		t.Errorf("message does not end with the dropped count: %s", err)
	}
	// Sorted by position: line 7 is "      - {source: x0, pct: -1}", { at 9, x0 at 18, pct at 22, -1 at 27.
	if got := list.Errors[0].Error(); got != `t.yaml:7:18: categories.basic.shares[0].source: unknown source "x0"` {
		t.Errorf("first error %q", got)
	}
	if got := list.Errors[1].Error(); got != `t.yaml:7:27: categories.basic.shares[0].pct: must not be negative, got -1` {
		t.Errorf("second error %q", got)
	}
}

func TestParseOK(t *testing.T) {
	src := header + `      - {source: employer, fixed: 1000.50}
      - source: central
        pct: 33.3333
        cap: {per_household: 12.5, per_project: 100000}
        overflow:
          - {source: municipal, cap: {per_m2: 3.25}}
          - district
      - {source: district, pct: 66.6667}
    items:
      elevator:
        shares:
          - {source: "resident:direct", pct: 100}
`
	rs, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := rs.Categories[CategoryBasic]
	if len(c.Shares) != 3 || len(c.Items) != 1 {
		t.Fatalf("shares %d, items %d", len(c.Shares), len(c.Items))
	}
	s := c.Shares[1]
	if s.Source != "central" || s.Pct.String() != "33.3333" || s.Fixed != nil ||
		s.Cap.PerHousehold.String() != "12.5" || s.Cap.PerProject.String() != "100000" || s.Cap.PerM2 != nil {
		t.Errorf("share 1 = %+v", s)
	}
	if len(s.Overflow) != 2 || s.Overflow[0].Source != "municipal" || s.Overflow[0].Cap.PerM2.String() != "3.25" ||
		s.Overflow[1].Source != "district" || s.Overflow[1].Cap.IsSet() {
		t.Errorf("overflow = %+v", s.Overflow)
	}
	if c.Shares[0].Fixed.String() != "1000.5" {
		t.Errorf("fixed = %v", c.Shares[0].Fixed)
	}
	if !rs.EffectiveFrom.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) || rs.EffectiveTo != nil {
		t.Errorf("effective %v..%v", rs.EffectiveFrom, rs.EffectiveTo)
	}
	if _, ok := rs.Categories[CategoryUpgrade]; ok {
		t.Error("upgrade rule out of nowhere")
	}
}

func TestHash(t *testing.T) {
	src := []byte(header + "      - {source: central, pct: 100}\n")
	rs, err := Parse("t.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	if rs.Hash() != hex.EncodeToString(sum[:]) {
		t.Errorf("Hash() = %s", rs.Hash())
	}
	raw := rs.Raw()
	raw[0] = 'X'
	if string(rs.Raw()) != string(src) {
		t.Error("Raw() does not return a copy")
	}
	// A comment changes the bytes, so the version, though not the rules.
	rs2, err := Parse("t.yaml", append([]byte("# comment\n"), src...))
	if err != nil {
		t.Fatal(err)
	}
	if rs2.Hash() == rs.Hash() {
		t.Error("different bytes, same hash")
	}
}

func loadExamples(t *testing.T) (city, huancui *RuleSet) {
	t.Helper()
	city, err := LoadFile("examples/weihai-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	huancui, err = LoadFile("examples/huancui-2021.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return city, huancui
}

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestExamples checks the example files say what the plan says: government
// (central + provincial + municipal + district) funds basic mainly (85-90%),
// improvement partly (about half) and upgrade not at all.
func TestExamples(t *testing.T) {
	city, huancui := loadExamples(t)
	if err := CheckOverlap([]*RuleSet{city, huancui}); err != nil {
		t.Fatal(err)
	}
	if city.District != "" || huancui.District != "环翠区" {
		t.Errorf("districts %q, %q", city.District, huancui.District)
	}
	for _, rs := range []*RuleSet{city, huancui} {
		if !strings.Contains(string(rs.Raw()), "EXAMPLE VALUES ONLY") ||
			!strings.Contains(string(rs.Raw()), "具体改造标准由各区市、开发区结合实际自行确定") {
			t.Errorf("%s: header does not say the values are examples", rs.File())
		}
		gov := func(cat string) int64 {
			var sum int64
			for _, s := range rs.Categories[cat].Shares {
				if src, _ := LookupSource(s.Source); src.Kind == KindGovernment && s.Pct != nil {
					sum += s.Pct.IntPart()
				}
			}
			return sum
		}
		if g := gov(CategoryBasic); g < 85 || g > 90 {
			t.Errorf("%s: government basic %d%%", rs.File(), g)
		}
		if g := gov(CategoryImprovement); g < 40 || g > 60 {
			t.Errorf("%s: government improvement %d%%", rs.File(), g)
		}
		if g := gov(CategoryUpgrade); g != 0 {
			t.Errorf("%s: government upgrade %d%%", rs.File(), g)
		}
		el := rs.Categories[CategoryImprovement].Items["elevator"].Shares[0]
		if el.Pct.String() != "40" || el.Cap.PerElevator.String() != "250000" {
			t.Errorf("%s: elevator grant %v%% cap %v", rs.File(), el.Pct, el.Cap.PerElevator)
		}
	}
}

func TestSelect(t *testing.T) {
	city, huancui := loadExamples(t)
	sets := []*RuleSet{huancui, city}
	tests := []struct {
		district, on string
		want         *RuleSet
		err          error
	}{
		{"环翠区", "2020-10-01", city, nil},    // before Huancui's own set: city-wide
		{"环翠区", "2020-12-31", city, nil},    // last day before it
		{"环翠区", "2021-01-01", huancui, nil}, // first day of it
		{"环翠区", "2026-06-01", huancui, nil}, // open-ended
		{"文登区", "2021-03-01", city, nil},    // no own set
		{"文登区", "2025-12-31", city, nil},    // last day of the city-wide set
		{"文登区", "2026-01-01", nil, ErrNoRuleSet},
		{"文登区", "2020-06-10", nil, ErrNoRuleSet}, // the day before the plan
	}
	for _, tt := range tests {
		t.Run(tt.district+"/"+tt.on, func(t *testing.T) {
			got, err := Select(sets, tt.district, day(tt.on))
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("Select = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
	// A date late in the day in another zone is still that civil date.
	late := time.Date(2020, 12, 31, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))
	if got, _ := Select(sets, "环翠区", late); got != city {
		t.Errorf("2020-12-31 23:59 CST selected %v", got)
	}
	// Two sets of one district in force: ambiguous, never a silent pick.
	dup, err := Parse("dup.yaml", huancui.Raw())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Select([]*RuleSet{huancui, dup}, "环翠区", day("2022-01-01")); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("want ErrAmbiguous, got %v", err)
	}
}

func TestCheckOverlap(t *testing.T) {
	mk := func(name, district, from, to string) *RuleSet {
		src := fmt.Sprintf("name: %s\nversion: \"1\"\ndistrict: %q\neffective_from: %s\n", name, district, from)
		if to != "" {
			src += "effective_to: " + to + "\n"
		}
		src += "categories:\n  basic:\n    shares:\n      - {source: central, pct: 100}\n"
		rs, err := Parse(name+".yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	a := mk("a", "", "2020-01-01", "2020-12-31")
	b := mk("b", "", "2020-12-31", "")           // shares 2020-12-31 with a
	c := mk("c", "", "2019-01-01", "2019-12-31") // before a: fine
	h1 := mk("h1", "环翠区", "2020-01-01", "2020-12-31")
	h2 := mk("h2", "环翠区", "2021-01-01", "")           // starts the day after h1 ends: fine
	h3 := mk("h3", "环翠区", "2022-05-01", "2022-05-01") // one day inside h2's open range

	if err := CheckOverlap([]*RuleSet{a, c, h1, h2}); err != nil {
		t.Errorf("no overlap, got %v", err)
	}
	err := CheckOverlap([]*RuleSet{h3, b, a, c, h1, h2})
	if !errors.Is(err, ErrOverlap) {
		t.Fatalf("want ErrOverlap, got %v", err)
	}
	// Positioned at effective_from of the later set: line 4, "effective_from: " is 16 wide.
	want := []string{
		"b.yaml:4:17: effective_from: city-wide in force 2020-12-31..open-ended overlaps a (a.yaml) in force 2020-01-01..2020-12-31",
		"h3.yaml:4:17: effective_from: 环翠区 in force 2022-05-01..2022-05-01 overlaps h2 (h2.yaml) in force 2021-01-01..open-ended",
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestMayPay(t *testing.T) {
	city, _ := loadExamples(t)
	zero, err := Parse("z.yaml", []byte(header+"      - {source: central, pct: 100}\n      - {source: district, pct: 0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rs                     *RuleSet
		category, item, source string
		want                   bool
	}{
		{city, "basic", "", "central", true},
		{city, "basic", "", "resident:public_income", true}, // overflow link only
		{city, "basic", "roads", "central", true},           // no item rule: category rule
		{city, "basic", "utility_pipework", "utility:gas", true},
		{city, "basic", "utility_pipework", "central", false}, // the item rule overrides
		{city, "basic", "", "utility:gas", false},
		{city, "improvement", "elevator", "provincial", true},
		{city, "improvement", "elevator", "resident:direct", true},
		{city, "improvement", "elevator", "central", false},
		{city, "upgrade", "", "district", false}, // market-run
		{city, "upgrade", "", "social_capital", true},
		{city, "nonsense", "", "central", false},
		{zero, "basic", "", "district", false}, // pct 0 entitles nobody
		{zero, "improvement", "", "central", false},
	}
	for _, tt := range tests {
		if got := tt.rs.MayPay(tt.category, tt.item, tt.source); got != tt.want {
			t.Errorf("MayPay(%s, %s, %s) = %v", tt.category, tt.item, tt.source, got)
		}
	}
}

func TestSources(t *testing.T) {
	src := Sources()
	if len(src) != 20 || src[0].Code != "central" || src[len(src)-1].Code != "dept:sports" {
		t.Fatalf("sources %v", src)
	}
	s, ok := LookupSource("policy_bank")
	if !ok || s.NameZH != "政策性银行贷款" || s.Kind != KindDebt {
		t.Errorf("policy_bank = %+v", s)
	}
	if _, ok := LookupSource("utility"); ok {
		t.Error("utility is not a source")
	}
	src[0].Code = "changed"
	if Sources()[0].Code != "central" {
		t.Error("Sources() does not return a copy")
	}
	if c, ok := LookupCategory("improvement"); !ok || c.NameZH != "完善类" || len(Categories()) != 3 {
		t.Errorf("improvement = %+v", c)
	}
	if SourceOrder("district") != 3 || SourceOrder("x") != -1 {
		t.Error("SourceOrder")
	}
}

// FuzzParse: Parse never panics, and what it accepts has shares adding to 100.
func FuzzParse(f *testing.F) {
	f.Add([]byte(header + "      - {source: central, pct: 100}\n"))
	f.Add([]byte(header + "      - {source: central, pct: 60, cap: {per_household: 1}, overflow: [district, {source: x}]}\n"))
	f.Add([]byte("categories: {basic: {shares: [{source: central, fixed: -1}]}}"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		for _, cr := range rs.Categories {
			if cr == nil || len(cr.Shares) == 0 {
				t.Fatalf("accepted an empty rule: %s", data)
			}
		}
	})
}
