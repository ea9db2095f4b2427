package report_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The golden CSVs are snapshots the program wrote, so `-update` would
// accept any change to them. TestGoldenAnchors holds them to figures worked
// out by hand from the demo's inputs, and to identities between columns and
// between reports, so that a changed rounding or a lost amount fails even
// after the files were rewritten. It reads only the files (no database): the
// golden test keeps the files equal to what the program writes.

// The demo's 高区 projects of 2020 (inputs): the plan's 高区 row has 8
// communities and 3,046 households, split over the projects by the demo's
// weights; each budget is households × 19,600 yuan × the project's factor
// (90 + 13·i mod 21, in %), all of it received, and 70% of every share paid.
var gaoquProjects = []struct {
	code       string
	households int64
	factorPct  int64
}{
	{"WH-GQ-2020-001", 408, 99}, {"WH-GQ-2020-002", 381, 91}, {"WH-GQ-2020-003", 354, 104}, {"WH-GQ-2020-004", 326, 96},
	{"WH-GQ-2020-005", 299, 109}, {"WH-GQ-2020-006", 272, 101}, {"WH-GQ-2020-007", 517, 93}, {"WH-GQ-2020-008", 489, 106},
}

// budget of a 高区 project: households × 19,600 × factor / 100, whole yuan
// (19,600 / 100 = 196, so the product is exact).
func gaoquBudget(households, factorPct int64) decimal.Decimal {
	return decimal.NewFromInt(households * 196 * factorPct)
}

func pct(s string) decimal.Decimal { return decimal.RequireFromString(s).Shift(-2) }

// paid70 is the demo's payment of a share: 70%, half up to the fen.
func paid70(share decimal.Decimal) decimal.Decimal { return share.Mul(pct("70")).Round(2) }

func TestGoldenAnchors(t *testing.T) {
	t.Parallel()
	// The inputs themselves, against the plan's row.
	var households int64
	total := decimal.Zero
	for _, p := range gaoquProjects {
		households += p.households
		total = total.Add(gaoquBudget(p.households, p.factorPct))
	}
	if households != 3046 {
		t.Fatalf("高区 households %d, the plan's row says 3,046", households)
	}
	// 19,600 × (408×99 + 381×91 + 354×104 + 326×96 + 299×109 + 272×101 +
	// 517×93 + 489×106) / 100 = 196 × 303,153 = 59,417,988.
	if !total.Equal(decimal.NewFromInt(59417988)) {
		t.Fatalf("高区 budget %s, by hand 59,417,988", total)
	}

	bva := readGolden(t, "budget-vs-actual.csv")
	t.Run("budget-vs-actual", func(t *testing.T) {
		districts := bva.table("区市 District", "批复预算 Approved")
		checkSums(t, districts, 1)
		for _, r := range districts.rows {
			approved, committed, received, disbursed := r.amount(t, 1), r.amount(t, 2), r.amount(t, 3), r.amount(t, 4)
			r.want(t, 5, received.Sub(disbursed)) // available
			r.want(t, 6, committed.Sub(received)) // outstanding
			r.wantPercent(t, 7, disbursed, approved)
		}
		gq := districts.row(t, "高区")
		gq.want(t, 1, total)
		gq.want(t, 3, total) // all received
		cats := bva.table("区市 District", "类别 Category")
		checkSums(t, cats, 2)
		for _, c := range []struct{ name, share string }{{"基础类 basic", "70"}, {"完善类 improvement", "25"}, {"提升类 upgrade", "5"}} {
			// basic is 60% plus utility pipework 10%.
			r := cats.row(t, "高区", c.name)
			r.want(t, 2, total.Mul(pct(c.share)))
			r.wantPercent(t, 6, r.amount(t, 4), r.amount(t, 2))
		}
		projects := bva.table("区市 District", "项目 Project", "名称 Name")
		checkSums(t, projects, 3)
		for _, p := range gaoquProjects {
			r := projects.row(t, "高区", p.code)
			r.want(t, 3, gaoquBudget(p.households, p.factorPct))
			r.want(t, 7, r.amount(t, 5).Sub(r.amount(t, 6)))
		}
	})

	t.Run("trial-balances", func(t *testing.T) {
		// 高区 under the city-wide example rules: central pays 40% of basic
		// (60% of the budget) and 15% of improvement (25%); the power
		// company 15% of utility pipework (10%). Each paid 70%, to the fen.
		tbs := readGolden(t, "trial-balances.csv").tables
		if len(tbs) != 2 {
			t.Fatalf("trial-balances: %d tables, want the financial and the budget book", len(tbs))
		}
		for _, tb := range tbs {
			checkSums(t, tb, 3)
			sum := tb.row(t, "合计 Total")
			if !sum.amount(t, 3).Equal(sum.amount(t, 4)) {
				t.Errorf("trial balance: debits %s, credits %s", sum.cells[3], sum.cells[4])
			}
		}
		// Both books, in one table to look accounts up.
		tb := goldenTable{header: tbs[0].header, rows: append(append([]goldenRow(nil), tbs[0].rows...), tbs[1].rows...)}
		for _, p := range gaoquProjects {
			b := gaoquBudget(p.households, p.factorPct)
			centralBasic, centralImprovement := b.Mul(pct("60")).Mul(pct("40")), b.Mul(pct("25")).Mul(pct("15"))
			power := b.Mul(pct("10")).Mul(pct("15"))
			tb.row(t, "budget:committed:gaoqu:"+p.code+":central").want(t, 4, centralBasic.Add(centralImprovement))
			tb.row(t, "expense:gaoqu:"+p.code+":basic:central").want(t, 3, paid70(centralBasic))
			tb.row(t, "expense:gaoqu:"+p.code+":improvement:central").want(t, 3, paid70(centralImprovement))
			tb.row(t, "cash:gaoqu:"+p.code+":central").want(t, 3, centralBasic.Add(centralImprovement).Sub(paid70(centralBasic)).Sub(paid70(centralImprovement)))
			tb.row(t, "cash:gaoqu:"+p.code+":utility:power").want(t, 3, power.Sub(paid70(power)))
		}
		// By hand for the first: 7,916,832 × 60% × 40% = 1,900,039.68 and
		// × 25% × 15% = 296,881.20 committed; paid 1,330,027.78 (of
		// 1,330,027.776) and 207,816.84; left 659,076.26.
		tb.row(t, "cash:gaoqu:WH-GQ-2020-001:central").want(t, 3, decimal.RequireFromString("659076.26"))
		committed := decimal.Zero
		for _, r := range tb.rows {
			if strings.HasPrefix(r.cells[0], "budget:committed:gaoqu:") {
				committed = committed.Add(r.amount(t, 4))
			}
		}
		if !committed.Equal(total) {
			t.Errorf("高区 commitments add up to %s, the budgets to %s", committed, total)
		}
		// The financial book's debits: cash and works paid, that is all
		// that was received: the budgets.
		tbs[0].row(t, "合计 Total").want(t, 3, total)
	})

	bvaTotal := bva.table("区市 District", "批复预算 Approved").row(t, "合计 Total")
	approved, received, disbursed, available := bvaTotal.amount(t, 1), bvaTotal.amount(t, 3), bvaTotal.amount(t, 4), bvaTotal.amount(t, 5)

	t.Run("sources", func(t *testing.T) {
		src := readGolden(t, "sources.csv").table("资金来源 Source", "区市数 Districts")
		sum := decimal.Zero
		for _, r := range src.rows {
			if strings.HasPrefix(r.cells[0], "合计") {
				continue
			}
			r.want(t, 5, r.amount(t, 3).Sub(r.amount(t, 4))) // available = received − disbursed
			r.want(t, 7, r.amount(t, 2).Sub(r.amount(t, 4))) // left = committed − disbursed
			sum = sum.Add(r.amount(t, 2))
		}
		// The split of every budget over its sources adds up to the budget.
		if !sum.Equal(approved) {
			t.Errorf("sources committed add up to %s, the approved budgets to %s", sum, approved)
		}
	})

	t.Run("earmark", func(t *testing.T) {
		em := readGolden(t, "earmark.csv").table("区市 District", "资金来源 Source", "检查笔数 Checked")
		checkSums(t, em, 3)
		for _, r := range em.rows {
			if r.cells[4] != "0" {
				t.Errorf("earmark exceptions %v", r.cells)
			}
		}
		em.row(t, "合计 Total").want(t, 3, disbursed)
	})

	t.Run("balance-sheet", func(t *testing.T) {
		bs := readGolden(t, "balance-sheet.csv").table("项目 Section", "科目类别 Account class")
		bs.row(t, "资产合计 Total assets").want(t, 3, available)
		bs.row(t, "收入合计 Total revenue").want(t, 3, received)
		bs.row(t, "费用合计 Total expense").want(t, 3, disbursed)
		bs.row(t, "资产合计 Total assets").want(t, 3, received.Sub(disbursed))
	})

	t.Run("huancui-2020", func(t *testing.T) {
		// Every demo payment falls in 2020 (approval by 2020-07-14, paid 150
		// days later), so 环翠区 at the end of 2020 is 环翠区 in the whole
		// budget-vs-actual.
		hc := bva.table("区市 District", "批复预算 Approved").row(t, "环翠区")
		g := readGolden(t, "huancui-2020.csv")
		bs := g.table("Section", "Account class")
		bs.row(t, "资产合计 Total assets").want(t, 3, hc.amount(t, 5))
		bs.row(t, "收入合计 Total revenue").want(t, 3, hc.amount(t, 3))
		bs.row(t, "费用合计 Total expense").want(t, 3, hc.amount(t, 4))
		d := g.table("District", "Approved")
		for i := 1; i <= 7; i++ {
			if d.row(t, "环翠区").cells[i] != hc.cells[i] {
				t.Errorf("huancui-2020 column %d: %s, budget-vs-actual %s", i, d.row(t, "环翠区").cells[i], hc.cells[i])
			}
		}
	})
}

// golden is a golden CSV: tables one after another, each starting with
// its header row (marked by a byte order mark).
type goldenFile struct {
	name   string
	tables []goldenTable
}

type goldenTable struct {
	header []string
	rows   []goldenRow
}

type goldenRow struct {
	where string
	cells []string
}

func readGolden(t *testing.T, name string) goldenFile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", name)
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	g := goldenFile{name: name}
	if head[0] != "表 Table" && head[0] != "Table" {
		// One table: its header, then its rows.
		g.tables = append(g.tables, goldenTable{header: head})
		for i, rec := range recs[1:] {
			g.tables[0].rows = append(g.tables[0].rows, goldenRow{where: name + " line " + itoa(i+2), cells: rec})
		}
		return g
	}
	// Several tables in one (report.Sections): the first column names each
	// row's table, the others are the union of the tables' columns. Each
	// table gets back its own columns, in its own order (knownHeaders): the
	// smallest known header that holds every column its rows fill.
	union := map[string]int{}
	for i, h := range head[1:] {
		union[h] = i + 1
	}
	type section struct {
		title  string
		filled map[string]bool
		rows   []goldenRow
	}
	var sections []*section
	byTitle := map[string]*section{}
	for i, rec := range recs[1:] {
		sec := byTitle[rec[0]]
		if sec == nil {
			sec = &section{title: rec[0], filled: map[string]bool{}}
			byTitle[rec[0]] = sec
			sections = append(sections, sec)
		}
		for j, c := range rec[1:] {
			if c != "" {
				sec.filled[head[j+1]] = true
			}
		}
		sec.rows = append(sec.rows, goldenRow{where: name + " line " + itoa(i+2), cells: rec})
	}
	for _, sec := range sections {
		var best []string
		for _, h := range knownHeaders {
			fits := true
			for _, c := range h {
				if _, ok := union[c]; !ok {
					fits = false
				}
			}
			have := map[string]bool{}
			for _, c := range h {
				have[c] = true
			}
			for c := range sec.filled {
				if !have[c] {
					fits = false
				}
			}
			if fits && (best == nil || len(h) < len(best)) {
				best = h
			}
		}
		if best == nil {
			t.Fatalf("%s: the table %q has columns of no known header: %v", name, sec.title, sec.filled)
		}
		tb := goldenTable{header: best}
		for _, r := range sec.rows {
			cells := make([]string, len(best))
			for k, c := range best {
				if u := union[c]; u < len(r.cells) {
					cells[k] = r.cells[u]
				}
			}
			tb.rows = append(tb.rows, goldenRow{where: r.where, cells: cells})
		}
		g.tables = append(g.tables, tb)
	}
	return g
}

// knownHeaders are the columns of each table the golden reports hold, in
// their order, in Chinese and English (as the reports define them).
var knownHeaders = [][]string{
	{"区市 District", "批复预算 Approved", "下达 Committed", "到位 Received", "拨付 Disbursed", "结余 Available", "待到位 Outstanding", "执行进度 Disbursed %"},
	{"区市 District", "类别 Category", "批复预算 Approved", "下达 Committed", "拨付 Disbursed", "未拨付 Unpaid", "执行进度 Disbursed %"},
	{"区市 District", "项目 Project", "名称 Name", "批复预算 Approved", "下达 Committed", "到位 Received", "拨付 Disbursed", "结余 Available", "待到位 Outstanding", "执行进度 Disbursed %"},
	{"区市 District", "项目 Project", "资金来源 Source", "批复预算 Approved", "下达 Committed", "到位 Received", "拨付 Disbursed", "结余 Available", "待到位 Outstanding", "执行进度 Disbursed %"},
	{"凭证 Entry", "日期 Date", "区市 District", "项目 Project", "资金来源 Source", "类别 Category", "工作内容 Work item", "规则 Rule set", "金额 Amount", "当日专户余额 Cash at end of day", "问题 Problem"},
	{"区市 District", "资金来源 Source", "检查笔数 Checked", "金额 Amount", "例外 Exceptions"},
	{"资金来源 Source", "区市 District", "下达 Committed", "到位 Received", "拨付 Disbursed", "结余 Available", "待到位 Outstanding", "剩余额度 Left (committed − disbursed)"},
	{"资金来源 Source", "区市数 Districts", "下达 Committed", "到位 Received", "拨付 Disbursed", "结余 Available", "待到位 Outstanding", "剩余额度 Left (committed − disbursed)"},
	{"项目 Section", "科目类别 Account class", "科目数 Accounts", "余额 Balance"},
	{"科目 Account", "名称 Name", "类型 Type", "借方余额 Debit", "贷方余额 Credit"},
	{"District", "Approved", "Committed", "Received", "Disbursed", "Available", "Outstanding", "Disbursed %"},
	{"District", "Category", "Approved", "Committed", "Disbursed", "Unpaid", "Disbursed %"},
	{"District", "Project", "Name", "Approved", "Committed", "Received", "Disbursed", "Available", "Outstanding", "Disbursed %"},
	{"District", "Project", "Source", "Approved", "Committed", "Received", "Disbursed", "Available", "Outstanding", "Disbursed %"},
	{"District", "Source", "Checked", "Amount", "Exceptions"},
	{"Entry", "Date", "District", "Project", "Source", "Category", "Work item", "Rule set", "Amount", "Cash at end of day", "Problem"},
	{"Section", "Account class", "Accounts", "Balance"},
	{"Source", "District", "Committed", "Received", "Disbursed", "Available", "Outstanding", "Left (committed − disbursed)"},
	{"Source", "Districts", "Committed", "Received", "Disbursed", "Available", "Outstanding", "Left (committed − disbursed)"},
}

// table finds the table whose header starts with these columns.
func (g goldenFile) table(header ...string) goldenTable {
	for _, tb := range g.tables {
		if len(tb.header) >= len(header) && slicesEqual(tb.header[:len(header)], header) {
			return tb
		}
	}
	panic(g.name + ": no table with header " + strings.Join(header, ","))
}

func slicesEqual(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// row finds the row whose first cells are these.
func (tb goldenTable) row(t *testing.T, key ...string) goldenRow {
	t.Helper()
	for _, r := range tb.rows {
		if len(r.cells) >= len(key) && slicesEqual(r.cells[:len(key)], key) {
			return r
		}
	}
	t.Fatalf("no row %v in the table %v", key, tb.header)
	return goldenRow{}
}

func (r goldenRow) amount(t *testing.T, col int) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(r.cells[col])
	if err != nil {
		t.Fatalf("%s column %d: %q is not an amount", r.where, col+1, r.cells[col])
	}
	return d
}

func (r goldenRow) want(t *testing.T, col int, want decimal.Decimal) {
	t.Helper()
	if got := r.cells[col]; got != want.StringFixed(2) {
		t.Errorf("%s (%s) column %d: %s, by hand %s", r.where, r.cells[0], col+1, got, want.StringFixed(2))
	}
}

// wantPercent: part ÷ whole in percent, half up to two places.
func (r goldenRow) wantPercent(t *testing.T, col int, part, whole decimal.Decimal) {
	t.Helper()
	want := part.Mul(decimal.NewFromInt(100)).DivRound(whole, 6).Round(2).StringFixed(2) + "%"
	if r.cells[col] != want {
		t.Errorf("%s (%s) column %d: %s, by hand %s", r.where, r.cells[0], col+1, r.cells[col], want)
	}
}

// checkSums: the 合计 row of a table is the sum of the rows above it in
// every amount column from col on.
func checkSums(t *testing.T, tb goldenTable, col int) {
	t.Helper()
	var sum goldenRow
	var body []goldenRow
	for _, r := range tb.rows {
		if strings.HasPrefix(r.cells[0], "合计") {
			sum = r
			break
		}
		body = append(body, r)
	}
	if sum.cells == nil {
		t.Fatalf("table %v has no 合计 row", tb.header)
	}
	for c := col; c < len(sum.cells); c++ {
		if strings.HasSuffix(sum.cells[c], "%") || sum.cells[c] == "" {
			continue
		}
		total, err := decimal.NewFromString(sum.cells[c])
		if err != nil {
			continue
		}
		s := decimal.Zero
		for _, r := range body {
			s = s.Add(r.amount(t, c))
		}
		if !s.Equal(total) {
			t.Errorf("%s: column %s of %v: rows add up to %s, the 合计 row says %s", sum.where, tb.header[c], tb.header[:1], s, sum.cells[c])
		}
	}
}
