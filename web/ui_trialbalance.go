package web

// The trial balance in the browser, rolled up and drilled down:
//
//	GET /ledger?book=financial&as_of=2021-03-31
//	        account class (type) → district → project → accounts, each level a
//	        table of debit and credit turnover and the balance, as of a date
//	GET /ledger/accounts/{code}?from=&to=
//	        an account's register (ledger.Register), at most MaxRegisterRows rows
//
// A district officer sees his districts' accounts only; the finance bureau
// and the auditor see every account.

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// MaxTrialRows bounds the rows of one level of the trial balance page
// (a page); MaxRegisterRows the rows of a register page.
const (
	MaxTrialRows    = 200
	MaxRegisterRows = 200
	maxTrialGroups  = 50000 // groups read for one level
)

var trialMessages = map[string][2]string{
	"tb.title":       {"试算平衡表", "Trial balance"},
	"tb.book":        {"账簿", "Book"},
	"tb.financial":   {"财务会计", "Financial"},
	"tb.budget":      {"预算会计", "Budget"},
	"tb.class":       {"科目类别", "Account class"},
	"tb.district":    {"区市", "District"},
	"tb.project":     {"项目", "Project"},
	"tb.account":     {"账户", "Account"},
	"tb.debit":       {"借方发生额", "Debit turnover"},
	"tb.credit":      {"贷方发生额", "Credit turnover"},
	"tb.balance":     {"余额", "Balance"},
	"tb.dr":          {"借", "Dr"},
	"tb.cr":          {"贷", "Cr"},
	"tb.all":         {"全部", "All"},
	"tb.none":        {"（无）", "(none)"},
	"tb.city":        {"市级（无区）", "City level (no district)"},
	"tb.total":       {"合计", "Total"},
	"tb.limit":       {"每页最多 200 行。", "At most 200 rows a page."},
	"tb.next":        {"下一页", "Next page"},
	"tb.prev":        {"上一页", "Previous page"},
	"tb.search":      {"按代码或名称查找", "Find by code or name"},
	"tb.sort":        {"排序", "Sort"},
	"tb.sort.code":   {"按代码", "By code"},
	"tb.sort.amount": {"按余额（大到小）", "By balance (largest first)"},
	"tb.register":    {"明细账", "Register"},
	"tb.from":        {"起始日期", "From"},
	"tb.to":          {"截止日期", "To"},
	"tb.entry":       {"分录", "Entry"},
	"tb.voucher":     {"凭证号", "Voucher"},
	"tb.side":        {"借贷", "Dr/Cr"},
	"tb.truncated":   {"只显示前 200 行；请缩小日期范围。", "Only the first 200 rows are shown; narrow the dates."},
	"tb.asof":        {"截至日期", "As of"},
	"col.month":      {"月份", "Month"},
}

var accountClassNames = map[ledger.AccountType][2]string{
	ledger.Asset: {"资产", "Assets"}, ledger.Liability: {"负债", "Liabilities"}, ledger.NetAssets: {"净资产", "Net assets"},
	ledger.Revenue: {"收入", "Revenue"}, ledger.Expense: {"费用", "Expenses"},
	ledger.BudgetAsset: {"预算资产", "Budget assets"}, ledger.BudgetRevenue: {"预算收入", "Budget revenue"},
	ledger.BudgetExpense: {"预算支出", "Budget expenditure"}, ledger.BudgetBalance: {"预算结余", "Budget balance"},
}

func className(lang, t string) string {
	n, ok := accountClassNames[ledger.AccountType(t)]
	if !ok {
		return t
	}
	return inLanguage(lang, n[0], n[1])
}

// tbRow is one row of a level: a class, district, project or account.
type tbRow struct {
	Key, Label    string
	Link          string
	Debit, Credit decimal.Decimal
}

func (r tbRow) Net() decimal.Decimal { return r.Debit.Sub(r.Credit) }

type tbData struct {
	Book, AsOf                      string
	Type, District, Project, Search string
	Sort                            string
	Level                           string // message key of the level's first column
	Crumbs                          []tbRow
	Rows                            []tbRow
	Total                           tbRow
	Page, Pages                     int
	PrevLink, NextLink              string
	Limit                           int
}

func (s *Server) trialBalancePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := langOf(r)
	d := tbData{Book: q.Get("book"), AsOf: strings.TrimSpace(q.Get("as_of")), Type: q.Get("type"), Search: strings.TrimSpace(q.Get("q")),
		Sort: q.Get("sort"), Limit: MaxTrialRows}
	if d.Book != string(ledger.BookBudget) {
		d.Book = string(ledger.BookFinancial)
	}
	var asOf time.Time
	if d.AsOf != "" {
		var err error
		if asOf, err = ledger.ParseDate(d.AsOf); err != nil {
			s.uiFail(w, r, fmt.Errorf("%w: as_of %q", funding.ErrInvalid, d.AsOf))
			return
		}
	}
	_, hasDistrict := q["district"]
	_, hasProject := q["project"]
	d.District, d.Project = q.Get("district"), q.Get("project")
	p := principal(r)
	f := ledger.BalanceFilter{AsOf: asOf, AccountFilter: ledger.AccountFilter{Book: ledger.Book(d.Book), Limit: maxTrialGroups}}
	if !p.AllDistricts() {
		ds, err := s.readableDistricts(r)
		if err != nil {
			s.page500(w, r, err)
			return
		}
		f.Districts = []string{}
		for _, x := range ds {
			f.Districts = append(f.Districts, x.Code)
		}
	}
	if hasDistrict && d.District != "" {
		if !p.CanRead(d.District) {
			s.errorPage(w, r, http.StatusForbidden, "err.forbidden")
			return
		}
		f.District = d.District
	}
	if hasProject && d.Project != "" {
		f.Project = d.Project
	}
	// The level: what the rows are.
	group, level := ledger.ByType, "tb.class"
	switch {
	case d.Type == "":
	case !hasDistrict:
		group, level = ledger.ByDistrict, "tb.district"
	case !hasProject:
		group, level = ledger.ByProject, "tb.project"
	default:
		group, level = ledger.ByAccount, "tb.account"
	}
	d.Level = level
	f.GroupBy = []string{ledger.ByType, ledger.ByDistrict, ledger.ByProject}
	if group == ledger.ByAccount {
		f.GroupBy = append(f.GroupBy, ledger.ByAccount)
	}
	rows, err := s.prog.Ledger().Balances(r.Context(), f)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	base := url.Values{"book": {d.Book}}
	if d.AsOf != "" {
		base.Set("as_of", d.AsOf)
	}
	link := func(extra map[string]string) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		for k, x := range extra {
			v.Set(k, x)
		}
		return "/ledger?" + v.Encode()
	}
	names, err := s.districtNames(r, lang)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	byKey := map[string]*tbRow{}
	var order []string
	for _, b := range rows {
		g := b.Group
		if d.Type != "" && g[ledger.ByType] != d.Type {
			continue
		}
		if hasDistrict && g[ledger.ByDistrict] != d.District {
			continue
		}
		if hasProject && g[ledger.ByProject] != d.Project {
			continue
		}
		key := g[group]
		row := byKey[key]
		if row == nil {
			row = &tbRow{Key: key, Debit: decimal.Zero, Credit: decimal.Zero}
			switch group {
			case ledger.ByType:
				row.Label, row.Link = className(lang, key), link(map[string]string{"type": key})
			case ledger.ByDistrict:
				row.Label = names[key]
				if key == "" {
					row.Label = msg(lang, "tb.city")
				}
				row.Link = link(map[string]string{"type": d.Type, "district": key})
			case ledger.ByProject:
				row.Label = key
				if key == "" {
					row.Label = msg(lang, "tb.none")
				}
				row.Link = link(map[string]string{"type": d.Type, "district": d.District, "project": key})
			default:
				row.Label = key
				v := url.Values{}
				if d.AsOf != "" {
					v.Set("to", d.AsOf)
				}
				row.Link = "/ledger/accounts/" + url.PathEscape(key)
				if len(v) > 0 {
					row.Link += "?" + v.Encode()
				}
			}
			byKey[key] = row
			order = append(order, key)
		}
		row.Debit = row.Debit.Add(b.Debit)
		row.Credit = row.Credit.Add(b.Credit)
	}
	d.Total = tbRow{Debit: decimal.Zero, Credit: decimal.Zero}
	for _, k := range order {
		row := byKey[k]
		if d.Search != "" && !strings.Contains(strings.ToLower(row.Key+" "+row.Label), strings.ToLower(d.Search)) {
			continue
		}
		d.Rows = append(d.Rows, *row)
		d.Total.Debit = d.Total.Debit.Add(row.Debit)
		d.Total.Credit = d.Total.Credit.Add(row.Credit)
	}
	if d.Sort == "amount" {
		slices.SortStableFunc(d.Rows, func(a, b tbRow) int { return b.Net().Abs().Cmp(a.Net().Abs()) })
	} else {
		d.Sort = "code"
		slices.SortStableFunc(d.Rows, func(a, b tbRow) int { return cmp.Compare(a.Key, b.Key) })
	}
	// Crumbs: the levels above.
	d.Crumbs = append(d.Crumbs, tbRow{Label: msg(lang, "tb.all"), Link: link(nil)})
	if d.Type != "" {
		d.Crumbs = append(d.Crumbs, tbRow{Label: className(lang, d.Type), Link: link(map[string]string{"type": d.Type})})
	}
	if hasDistrict {
		l := names[d.District]
		if d.District == "" {
			l = msg(lang, "tb.city")
		}
		d.Crumbs = append(d.Crumbs, tbRow{Label: l, Link: link(map[string]string{"type": d.Type, "district": d.District})})
	}
	if hasProject {
		l := d.Project
		if l == "" {
			l = msg(lang, "tb.none")
		}
		d.Crumbs = append(d.Crumbs, tbRow{Label: l, Link: link(map[string]string{"type": d.Type, "district": d.District, "project": d.Project})})
	}
	// Paging.
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Pages = max(1, (len(d.Rows)+MaxTrialRows-1)/MaxTrialRows)
	d.Page = min(max(d.Page, 1), d.Pages)
	pageLink := func(n int) string {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		v.Set("page", strconv.Itoa(n))
		return "/ledger?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevLink = pageLink(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextLink = pageLink(d.Page + 1)
	}
	d.Rows = d.Rows[(d.Page-1)*MaxTrialRows : min(len(d.Rows), d.Page*MaxTrialRows)]
	if group == ledger.ByAccount {
		s.nameAccountRows(r.Context(), lang, d.Rows)
	}
	s.render(w, r, http.StatusOK, "ledger.html", pageData{Title: "tb.title", Data: d})
}

func (s *Server) districtNames(r *http.Request, lang string) (map[string]string, error) {
	ds, err := funding.Districts(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, x := range ds {
		out[x.Code] = districtName(lang, x)
	}
	return out, nil
}

type registerData struct {
	Account   ledger.Account
	Class     string
	From, To  string
	Lines     []ledger.RegisterLine
	Truncated bool
	Back      string
}

// accountRegisterPage shows an account's register.
func (s *Server) accountRegisterPage(w http.ResponseWriter, r *http.Request) {
	l := s.prog.Ledger()
	a, err := l.Account(r.Context(), r.PathValue("code"))
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	p := principal(r)
	if !p.AllDistricts() && (a.District == "" || !p.CanRead(a.District)) {
		s.errorPage(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	q := r.URL.Query()
	d := registerData{Account: a, Class: className(langOf(r), string(a.Type)), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	var f ledger.RegisterFilter
	for _, x := range []struct {
		text string
		t    *time.Time
	}{{d.From, &f.From}, {d.To, &f.To}} {
		if x.text == "" {
			continue
		}
		if *x.t, err = ledger.ParseDate(x.text); err != nil {
			s.uiFail(w, r, fmt.Errorf("%w: date %q", funding.ErrInvalid, x.text))
			return
		}
	}
	f.Limit = MaxRegisterRows + 1
	if d.Lines, err = l.Register(r.Context(), a.Code, f); err != nil {
		s.uiFail(w, r, err)
		return
	}
	if len(d.Lines) > MaxRegisterRows {
		d.Lines, d.Truncated = d.Lines[:MaxRegisterRows], true
	}
	back := url.Values{"book": {string(a.Book)}, "type": {string(a.Type)}, "district": {a.District}, "project": {a.Project}}
	if d.To != "" {
		back.Set("as_of", d.To)
	}
	d.Back = "/ledger?" + back.Encode()
	s.render(w, r, http.StatusOK, "register.html", pageData{Title: "tb.register", TitleText: a.Code, Data: d})
}
