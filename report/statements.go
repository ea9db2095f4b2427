package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

// Options are what every statement takes: the date (zero: everything), a
// district (code or Chinese name, "" all), the header language (zh, en or
// "" both; Chinese names of districts and sources are always kept) and the
// amount format (Amount for text tables, Plain for CSV, JSON and XLSX; nil:
// Plain).
type Options struct {
	AsOf     time.Time
	District string
	Lang     string
	Amount   func(decimal.Decimal) string
}

func (o Options) amt() func(decimal.Decimal) string {
	if o.Amount == nil {
		return Plain
	}
	return o.Amount
}

// title picks the Chinese or English part of a title (both by default).
func (o Options) title(zh, en string) string {
	switch o.Lang {
	case LangZh:
		return zh
	case LangEn:
		return en
	}
	return zh + " " + en
}

func (o Options) asOf() string {
	if o.AsOf.IsZero() {
		return "all dates"
	}
	return o.AsOf.Format(ledger.DateLayout)
}

// suffix is the title's "as of …, district …" part.
func (o Options) suffix(districtName string) string {
	s := ", as of " + o.asOf()
	if districtName != "" {
		s = " — " + districtName + s
	}
	return s
}

// Statement is a named report that finance officers run.
type Statement struct {
	Name  string
	Short string
	Build func(ctx context.Context, p *funding.Programme, o Options) ([]Table, error)
}

// Statements lists the statements of this file by name (the CLI's
// `report NAME` and the golden tests use it).
var Statements = []Statement{
	{"trial-balances", "Trial balances of both books", TrialBalances},
	{"balance-sheet", "Balance sheet (资产负债表) of the financial book", BalanceSheet},
	{"budget-vs-actual", "Approved budget vs committed, received, disbursed, available", BudgetVsActual},
	{"sources", "Per source: committed, received, disbursed, left per district", Sources},
	{"earmark", "Earmark compliance (专款专用) of every disbursement", EarmarkCompliance},
}

// LookupStatement finds a statement by name.
func LookupStatement(name string) (Statement, bool) {
	for _, s := range Statements {
		if s.Name == name {
			return s, true
		}
	}
	return Statement{}, false
}

func district(ctx context.Context, p *funding.Programme, name string) (funding.District, error) {
	if name == "" {
		return funding.District{}, nil
	}
	return funding.LookupDistrict(ctx, p.Ledger().DB(), name)
}

// TrialBalances is the trial balance of the financial and the budget book.
// With a district, it lists only that district's accounts (the totals then
// need not agree: an entry may post to accounts of several districts or to
// accounts without one, such as bond accounts).
func TrialBalances(ctx context.Context, p *funding.Programme, o Options) ([]Table, error) {
	d, err := district(ctx, p, o.District)
	if err != nil {
		return nil, err
	}
	var out []Table
	for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		tb, err := p.Ledger().TrialBalance(ctx, b, o.AsOf)
		if err != nil {
			return nil, err
		}
		if d.Code != "" {
			accts, err := p.Ledger().Accounts(ctx, ledger.AccountFilter{Book: b, Dimensions: ledger.Dimensions{District: d.Code}})
			if err != nil {
				return nil, err
			}
			in := map[string]bool{}
			for _, a := range accts {
				in[a.Code] = true
			}
			lines := tb.Lines[:0:0]
			tb.TotalDebit, tb.TotalCredit = decimal.Zero, decimal.Zero
			for _, l := range tb.Lines {
				if in[l.Account.Code] {
					lines = append(lines, l)
					tb.TotalDebit, tb.TotalCredit = tb.TotalDebit.Add(l.Debit), tb.TotalCredit.Add(l.Credit)
				}
			}
			tb.Lines = lines
		}
		t := TrialBalance(tb, o.amt())
		if d.Code != "" {
			t.Title += " — " + d.NameZh
		}
		out = append(out, t)
	}
	return out, nil
}

// accountClass is an account's code without its dimension segments: the
// segments before the first that names its district, project, source,
// category or bond (cash:huancui:P:central → cash).
func accountClass(code string, g map[string]string) string {
	dims := map[string]bool{}
	for _, k := range []string{ledger.ByDistrict, ledger.ByProject, ledger.BySource, ledger.ByCategory, ledger.ByBond} {
		if g[k] != "" {
			dims[g[k]] = true
		}
	}
	segs := strings.Split(code, ":")
	for i, s := range segs {
		if i > 0 && dims[s] {
			return strings.Join(segs[:i], ":")
		}
	}
	return code
}

// BalanceSheet is the financial book's balance sheet (资产负债表) from the
// account types, per account class: assets; liabilities; net assets; and,
// since the book is not closed into net assets at year end, the current
// surplus (本期盈余) = revenue − expense. Assets = liabilities + net
// assets + current surplus; the note says whether it holds.
func BalanceSheet(ctx context.Context, p *funding.Programme, o Options) ([]Table, error) {
	d, err := district(ctx, p, o.District)
	if err != nil {
		return nil, err
	}
	rows, err := p.Ledger().Balances(ctx, ledger.BalanceFilter{
		AccountFilter: ledger.AccountFilter{Book: ledger.BookFinancial, Dimensions: ledger.Dimensions{District: d.Code}},
		AsOf:          o.AsOf,
		GroupBy:       []string{ledger.ByType, ledger.ByAccount, ledger.ByDistrict, ledger.ByProject, ledger.BySource, ledger.ByCategory, ledger.ByBond},
	})
	if err != nil {
		return nil, fmt.Errorf("balance sheet: %w", err)
	}
	type class struct {
		name     string
		accounts int
		balance  decimal.Decimal
	}
	byType := map[ledger.AccountType][]*class{}
	idx := map[string]*class{}
	total := map[ledger.AccountType]decimal.Decimal{}
	for _, r := range rows {
		typ := ledger.AccountType(r.Group[ledger.ByType])
		bal := r.Net()
		if typ.NormalSide() == ledger.Credit {
			bal = bal.Neg()
		}
		name := accountClass(r.Group[ledger.ByAccount], r.Group)
		c := idx[string(typ)+"\x00"+name]
		if c == nil {
			c = &class{name: name}
			idx[string(typ)+"\x00"+name] = c
			byType[typ] = append(byType[typ], c)
		}
		c.accounts++
		c.balance = c.balance.Add(bal)
		total[typ] = total[typ].Add(bal)
	}
	amt := o.amt()
	t := Table{Title: o.title("资产负债表", "Balance sheet") + " — " + bookNames[ledger.BookFinancial] + o.suffix(d.NameZh),
		Columns: []Column{
			{Key: "section", Zh: "项目", En: "Section"}, {Key: "class", Zh: "科目类别", En: "Account class"},
			{Key: "accounts", Zh: "科目数", En: "Accounts", Numeric: true}, {Key: "balance", Zh: "余额", En: "Balance", Numeric: true},
		}}
	section := func(typ ledger.AccountType, zh, en string) {
		for _, c := range byType[typ] {
			t.Rows = append(t.Rows, []string{zh + " " + en, c.name, strconv.Itoa(c.accounts), amt(c.balance)})
		}
		t.Rows = append(t.Rows, []string{zh + "合计 Total " + strings.ToLower(en), "", "", amt(total[typ])})
	}
	section(ledger.Asset, "资产", "Assets")
	section(ledger.Liability, "负债", "Liabilities")
	section(ledger.NetAssets, "净资产", "Net assets")
	section(ledger.Revenue, "收入", "Revenue")
	section(ledger.Expense, "费用", "Expense")
	surplus := total[ledger.Revenue].Sub(total[ledger.Expense])
	t.Rows = append(t.Rows, []string{"本期盈余 Current surplus (revenue − expense)", "", "", amt(surplus)})
	right := total[ledger.Liability].Add(total[ledger.NetAssets]).Add(surplus)
	t.Rows = append(t.Rows, []string{"负债和净资产合计 Total liabilities, net assets and current surplus", "", "", amt(right)})
	if total[ledger.Asset].Equal(right) {
		t.Notes = append(t.Notes, "资产 = 负债 + 净资产 + 本期盈余(收入 − 费用): 平衡 Assets = liabilities + net assets + current surplus (revenue − expense): balanced.")
	} else {
		t.Notes = append(t.Notes, fmt.Sprintf("资产 ≠ 负债 + 净资产 + 本期盈余: differs by %s%s", total[ledger.Asset].Sub(right).StringFixed(2),
			map[bool]string{true: " (a district's accounts alone need not balance: entries may post across districts or to accounts without one)", false: ""}[d.Code != ""]))
	}
	return []Table{t}, nil
}

var budgetActualColumns = []Column{
	{Key: "approved", Zh: "批复预算", En: "Approved", Numeric: true},
	{Key: "committed", Zh: "下达", En: "Committed", Numeric: true},
	{Key: "received", Zh: "到位", En: "Received", Numeric: true},
	{Key: "disbursed", Zh: "拨付", En: "Disbursed", Numeric: true},
	{Key: "available", Zh: "结余", En: "Available", Numeric: true},
	{Key: "outstanding", Zh: "待到位", En: "Outstanding", Numeric: true},
	{Key: "disbursed_pct", Zh: "执行进度", En: "Disbursed %", Numeric: true},
}

func budgetActualCells(b funding.BudgetActual, amt func(decimal.Decimal) string) []string {
	return []string{amt(b.Approved), amt(b.Committed), amt(b.Received), amt(b.Disbursed), amt(b.Available), amt(b.Outstanding), percent(b.Disbursed, b.Approved)}
}

func addBudgetActual(dst *funding.BudgetActual, b funding.BudgetActual) {
	dst.Approved = dst.Approved.Add(b.Approved)
	addPosition(&dst.SourcePosition, b.SourcePosition)
}

func sourceName(code string) string {
	if s, ok := rules.LookupSource(code); ok {
		return s.NameZH + " " + code
	}
	return code
}

func categoryName(code string) string {
	if c, ok := rules.LookupCategory(code); ok {
		return c.NameZH + " " + code
	}
	return code
}

// BudgetVsActual is the approved budget against what was committed,
// received, disbursed and is available: per district, per project, per
// project and source (approved = the source's share), and per district and
// category (approved budget lines, committed shares, disbursed).
func BudgetVsActual(ctx context.Context, p *funding.Programme, o Options) ([]Table, error) {
	r, err := p.BudgetVsActual(ctx, o.District, o.AsOf)
	if err != nil {
		return nil, err
	}
	dn := districtName(ctx, p, o.District)
	amt := o.amt()
	dist := Table{Title: o.title("预算执行 按区市", "Budget vs actual by district") + o.suffix(dn),
		Columns: append([]Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}}, budgetActualColumns...)}
	var all funding.BudgetActual
	for _, d := range r.Districts {
		dist.Rows = append(dist.Rows, append([]string{d.DistrictName}, budgetActualCells(d, amt)...))
		addBudgetActual(&all, d)
	}
	dist.Rows = append(dist.Rows, append([]string{"合计 Total"}, budgetActualCells(all, amt)...))

	proj := Table{Title: o.title("预算执行 按项目", "Budget vs actual by project") + o.suffix(dn),
		Columns: append([]Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "project", Zh: "项目", En: "Project"},
			{Key: "project_name", Zh: "名称", En: "Name"}}, budgetActualColumns...)}
	for _, b := range r.Projects {
		proj.Rows = append(proj.Rows, append([]string{b.DistrictName, b.Project, b.ProjectName}, budgetActualCells(b, amt)...))
	}
	proj.Rows = append(proj.Rows, append([]string{"合计 Total", "", ""}, budgetActualCells(all, amt)...))

	src := Table{Title: o.title("预算执行 按项目和资金来源", "Budget vs actual by project and source") + o.suffix(dn),
		Columns: append([]Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "project", Zh: "项目", En: "Project"},
			{Key: "source", Zh: "资金来源", En: "Source", Bilingual: true}}, budgetActualColumns...)}
	var srcAll funding.BudgetActual
	for _, b := range r.ProjectSources {
		src.Rows = append(src.Rows, append([]string{b.DistrictName, b.Project, sourceName(b.Source)}, budgetActualCells(b, amt)...))
		addBudgetActual(&srcAll, b)
	}
	src.Rows = append(src.Rows, append([]string{"合计 Total", "", ""}, budgetActualCells(srcAll, amt)...))

	cat := Table{Title: o.title("预算执行 按区市和类别", "Budget vs actual by district and category") + o.suffix(dn),
		Columns: []Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "category", Zh: "类别", En: "Category", Bilingual: true},
			{Key: "approved", Zh: "批复预算", En: "Approved", Numeric: true}, {Key: "committed", Zh: "下达", En: "Committed", Numeric: true},
			{Key: "disbursed", Zh: "拨付", En: "Disbursed", Numeric: true}, {Key: "unpaid", Zh: "未拨付", En: "Unpaid", Numeric: true},
			{Key: "disbursed_pct", Zh: "执行进度", En: "Disbursed %", Numeric: true}}}
	var catAll funding.BudgetActual
	for _, c := range r.Categories {
		cat.Rows = append(cat.Rows, []string{c.DistrictName, categoryName(c.Category), amt(c.Approved), amt(c.Committed), amt(c.Disbursed),
			amt(c.Approved.Sub(c.Disbursed)), percent(c.Disbursed, c.Approved)})
		addBudgetActual(&catAll, c)
	}
	cat.Rows = append(cat.Rows, []string{"合计 Total", "", amt(catAll.Approved), amt(catAll.Committed), amt(catAll.Disbursed),
		amt(catAll.Approved.Sub(catAll.Disbursed)), percent(catAll.Disbursed, catAll.Approved)})
	if !srcAll.Approved.Equal(all.Approved) {
		src.Notes = append(src.Notes, fmt.Sprintf("注意 the sources' shares (%s) differ from the approved budgets (%s)", Plain(srcAll.Approved), Plain(all.Approved)))
	}
	return []Table{dist, cat, proj, src}, nil
}

// Sources is, per funding source, what it committed, paid in, what was
// disbursed from it and what is left, in total and per district: available
// is received and not yet disbursed, outstanding committed and not yet
// received, and left = committed − disbursed.
func Sources(ctx context.Context, p *funding.Programme, o Options) ([]Table, error) {
	r, err := p.DistrictReport(ctx, o.District, o.AsOf)
	if err != nil {
		return nil, err
	}
	dn := districtName(ctx, p, o.District)
	amt := o.amt()
	cols := append([]Column{{Key: "source", Zh: "资金来源", En: "Source", Bilingual: true}, {Key: "district", Zh: "区市", En: "District", Bilingual: true}}, sourceColumns...)
	cols = append(cols, Column{Key: "left", Zh: "剩余额度", En: "Left (committed − disbursed)", Numeric: true})
	cells := func(s funding.SourcePosition) []string {
		return append(sourceCells(s, amt), amt(s.Committed.Sub(s.Disbursed)))
	}
	sum := Table{Title: o.title("资金来源汇总", "Sources") + o.suffix(dn), Columns: cols}
	detail := Table{Title: o.title("资金来源 按区市", "Sources by district") + o.suffix(dn), Columns: cols}
	var all funding.SourcePosition
	for _, s := range rules.Sources() {
		var tot funding.SourcePosition
		n := 0
		for _, ds := range r.Sources {
			if ds.Source != s.Code {
				continue
			}
			detail.Rows = append(detail.Rows, append([]string{sourceName(s.Code), ds.DistrictName}, cells(ds.SourcePosition)...))
			addPosition(&tot, ds.SourcePosition)
			n++
		}
		if n == 0 {
			continue
		}
		detail.Rows = append(detail.Rows, append([]string{s.NameZH + " 小计 subtotal", ""}, cells(tot)...))
		sum.Rows = append(sum.Rows, append([]string{sourceName(s.Code), strconv.Itoa(n)}, cells(tot)...))
		addPosition(&all, tot)
	}
	sum.Columns = append([]Column{cols[0], {Key: "districts", Zh: "区市数", En: "Districts", Numeric: true}}, cols[2:]...)
	sum.Rows = append(sum.Rows, append([]string{"合计 Total", ""}, cells(all)...))
	detail.Rows = append(detail.Rows, append([]string{"合计 Total", ""}, cells(all)...))
	// Capital injections and investment subsidies: lines of their own (loans.go).
	caps, err := p.CapitalReport(ctx, o.District, o.AsOf)
	if err != nil {
		return nil, err
	}
	if len(caps) > 0 {
		return []Table{sum, detail, CapitalLines(caps, amt)}, nil
	}
	return []Table{sum, detail}, nil
}

// EarmarkCompliance proves 专款专用: every disbursement checked against its
// rule set (may its source pay its category and work item?), against the
// accounts it posted to (the source's earmarked cash of the project), and
// against that cash at the end of its day (never below zero). The ledger
// refuses such payments, so the exceptions table should be empty; the
// summary says how many were checked.
func EarmarkCompliance(ctx context.Context, p *funding.Programme, o Options) ([]Table, error) {
	r, err := p.EarmarkCompliance(ctx, o.District, o.AsOf)
	if err != nil {
		return nil, err
	}
	dn := districtName(ctx, p, o.District)
	amt := o.amt()
	sum := Table{Title: o.title("专款专用检查", "Earmark compliance") + o.suffix(dn),
		Columns: []Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "source", Zh: "资金来源", En: "Source", Bilingual: true},
			{Key: "checked", Zh: "检查笔数", En: "Checked", Numeric: true}, {Key: "amount", Zh: "金额", En: "Amount", Numeric: true},
			{Key: "exceptions", Zh: "例外", En: "Exceptions", Numeric: true}}}
	for _, g := range r.Groups {
		sum.Rows = append(sum.Rows, []string{g.DistrictName, sourceName(g.Source), strconv.Itoa(g.Checked), amt(g.Amount), strconv.Itoa(g.Exceptions)})
	}
	sum.Rows = append(sum.Rows, []string{"合计 Total", "", strconv.Itoa(r.Checked), amt(r.Amount), strconv.Itoa(len(r.Exceptions))})
	sum.Notes = append(sum.Notes, fmt.Sprintf("检查拨付 %d 笔, 例外 %d 笔 Checked %d disbursements against their rule sets (source may pay category and work item), the accounts they posted to and the earmarked cash at the end of their day: %d exceptions.",
		r.Checked, len(r.Exceptions), r.Checked, len(r.Exceptions)))
	exc := Table{Title: o.title("专款专用例外", "Earmark exceptions") + o.suffix(dn),
		Columns: []Column{{Key: "entry", Zh: "凭证", En: "Entry", Numeric: true}, {Key: "date", Zh: "日期", En: "Date"},
			{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "project", Zh: "项目", En: "Project"}, {Key: "source", Zh: "资金来源", En: "Source", Bilingual: true},
			{Key: "category", Zh: "类别", En: "Category", Bilingual: true}, {Key: "work_item", Zh: "工作内容", En: "Work item"},
			{Key: "rule_set", Zh: "规则", En: "Rule set", Numeric: true}, {Key: "amount", Zh: "金额", En: "Amount", Numeric: true},
			{Key: "cash_after", Zh: "当日专户余额", En: "Cash at end of day", Numeric: true}, {Key: "problem", Zh: "问题", En: "Problem"}}}
	for _, e := range r.Exceptions {
		exc.Rows = append(exc.Rows, []string{strconv.FormatInt(e.EntryID, 10), e.Date.Format(ledger.DateLayout), e.DistrictName, e.Project,
			sourceName(e.Source), categoryName(e.Category), e.WorkItem, strconv.FormatInt(e.RuleSetID, 10), amt(e.Amount), amt(e.CashAfter),
			strings.Join(e.Problems, "; ")})
	}
	if len(r.Exceptions) == 0 {
		exc.Notes = append(exc.Notes, "无例外 No exceptions.")
	}
	return []Table{sum, exc}, nil
}

// districtName is the Chinese name of a district given by code or name (""
// when none is given or it is unknown: the read model reports the error).
func districtName(ctx context.Context, p *funding.Programme, name string) string {
	d, err := district(ctx, p, name)
	if err != nil {
		return ""
	}
	return d.NameZh
}
