package web

// Lists a person can work with: the entries and the projects of the
// districts the user reads, searched, filtered, sorted and paged on the
// server (the filters run in SQL: ledger.EntryFilter, funding.ProjectFilter).
//
//	GET /entries   ?district= &project= &source= &category= &q= &from= &to= &book= &sort=new|old &size= &cursor=
//	GET /projects  ?district= &status= &year= &q= &size= &after=
//
// A page holds at most MaxListPage rows (DefaultListPage unless ?size=).

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

// MaxListPage and DefaultListPage bound a list page.
const (
	MaxListPage     = 200
	DefaultListPage = 50
)

func (s *Server) registerListsUI() {
	s.handlePages(
		route{"GET", "/entries", false, s.browser(s.entriesPage)},
		route{"GET", "/projects", false, s.browser(s.projectsPage)},
		route{"GET", "/grants", false, s.browser(s.grantsPage)},
	)
}

// listRow is an entry as the list shows it.
type listRow struct {
	ID        int64
	Date      time.Time
	Voucher   string
	Book      string
	Project   string
	Source    string
	Category  string
	Party     string // the payee, or the payer (the source) of a receipt
	Direction string // in, out or none (message key suffix)
	Amount    decimal.Decimal
	Memo      string            // as stored; pages show it with memo (memos.go)
	Meta      map[string]string // the entry's metadata, for its memo
	Reverses  int64
	// ReversesVoucher: the voucher number of the entry a reversal undoes,
	// when its memo does not name it already.
	ReversesVoucher string
}

type listFilter struct {
	District, Project, Source, Category, Status, Q, From, To, Book, Sort, Year string
	Size                                                                       int
}

type entriesData struct {
	Filter     listFilter
	Rows       []listRow
	Next       template.URL // the next page, "" on the last (from url.Values)
	Districts  []funding.District
	Sources    []stepOption
	Categories []stepOption
	Error      string
	Limit      int
}

// listFilterOf reads a list page's query: search, filters, sort and
// page size (every list page reads its own among them).
func listFilterOf(q url.Values) listFilter {
	return listFilter{District: q.Get("district"), Project: strings.TrimSpace(q.Get("project")), Source: q.Get("source"),
		Category: q.Get("category"), Status: q.Get("status"), Q: strings.TrimSpace(q.Get("q")), From: q.Get("from"), To: q.Get("to"),
		Book: q.Get("book"), Sort: q.Get("sort"), Year: q.Get("year"), Size: listSize(q.Get("size"))}
}

// dates are the filter's from and to (zero when empty).
func (f listFilter) dates() (from, to time.Time, err error) {
	if from, err = optionalDay("from", f.From); err != nil {
		return
	}
	to, err = optionalDay("to", f.To)
	return
}

// listLink is the list at path with the query, one parameter set.
func listLink(path string, q url.Values, key, value string) template.URL {
	next := cloneQuery(q)
	next.Set(key, value)
	return template.URL(path + "?" + next.Encode())
}

func listSize(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return DefaultListPage
	}
	return min(n, MaxListPage)
}

// entryListRow: the signed amount is the entry's movement of cash (the
// project's earmarked cash and the bank accounts): + in, − out; an entry
// that moves no cash shows its debit total and no direction.
func entryListRow(e ledger.Entry) listRow {
	row := listRow{ID: e.ID, Date: e.EffectiveDate, Voucher: e.Voucher, Book: string(e.Book), Project: e.Metadata["project"],
		Source: e.Metadata["source"], Category: e.Metadata["category"], Party: e.Metadata["payee"], Memo: e.Memo, Meta: e.Metadata, Reverses: e.Reverses}
	var cash, debits decimal.Decimal
	for _, p := range e.Postings {
		amt := p.Amount
		if p.Side == ledger.Debit {
			debits = debits.Add(amt)
		} else {
			amt = amt.Neg()
		}
		if strings.HasPrefix(p.AccountCode, "cash:") {
			cash = cash.Add(amt)
		}
	}
	switch {
	case cash.IsPositive():
		row.Direction, row.Amount = "in", cash
	case cash.IsNegative():
		row.Direction, row.Amount = "out", cash
	default:
		row.Direction, row.Amount = "none", debits
	}
	return row
}

func (s *Server) entriesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	lang := langOf(r)
	f := listFilterOf(q)
	if f.Book == "" {
		f.Book = string(ledger.BookFinancial)
	}
	d := entriesData{Filter: f, Limit: MaxListPage}
	var err error
	if d.Districts, err = s.readableDistricts(r); err != nil {
		s.page500(w, r, err)
		return
	}
	var codes []string
	for _, src := range rules.Sources() {
		codes = append(codes, src.Code)
	}
	d.Sources, d.Categories = sourceOptions(lang, codes), categoryOptions(lang)
	lf := ledger.EntryFilter{Book: ledger.Book(f.Book), Project: f.Project, Source: f.Source, Category: f.Category, Search: f.Q,
		Limit: f.Size + 1, Districts: readScope(ctx), Newest: f.Sort != "old"}
	if f.Book != string(ledger.BookFinancial) && f.Book != string(ledger.BookBudget) {
		lf.Book, d.Error = ledger.BookFinancial, text(lang, "v.book")
	}
	if f.District != "" {
		code, err := s.districtParam(ctx, f.District)
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		lf.Districts = []string{code}
	}
	if f.Project != "" {
		if _, err := s.readableProject(ctx, f.Project); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	if lf.From, lf.To, err = f.dates(); err != nil {
		d.Error = text(lang, "v.date")
	}
	cursor, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	if lf.Newest {
		lf.BeforeID = cursor
	} else {
		lf.AfterID = cursor
	}
	es, err := s.prog.Ledger().Entries(ctx, lf)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	if len(es) > f.Size {
		es = es[:f.Size]
		d.Next = listLink("/entries", q, "cursor", strconv.FormatInt(es[len(es)-1].ID, 10))
	}
	for _, e := range es {
		reversed := ""
		if e.Reverses != 0 && e.Metadata["project"] == "" {
			// A reversal shows the project, source and payee it undoes (not its memo).
			if o, err := s.prog.Ledger().Entry(ctx, e.Reverses); err == nil {
				reversed = o.Voucher
				for k, v := range o.Metadata {
					if _, has := e.Metadata[k]; !has && k != ledger.MemoKindKey && k != ledger.MemoArgsKey {
						if e.Metadata == nil {
							e.Metadata = map[string]string{}
						}
						e.Metadata[k] = v
					}
				}
			}
		}
		row := entryListRow(e)
		if e.Metadata[ledger.MemoKindKey] != ledger.MemoReversal {
			row.ReversesVoucher = reversed
		}
		if row.Party == "" && row.Direction == "in" && row.Source != "" {
			row.Party = sourceName(lang, row.Source) // a receipt's payer is its source
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "entries.html", pageData{Title: "list.entries", Data: d})
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if k != "lang" {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

type projectsData struct {
	Filter    listFilter
	Projects  []funding.Project
	Next      template.URL
	Districts []funding.District
	Statuses  []string
	Limit     int
	Writable  []funding.District // where the user may register projects
}

func (s *Server) projectsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := listFilterOf(q)
	d := projectsData{Filter: f, Limit: MaxListPage, Statuses: []string{"planned", "approved", "under_way", "completed", "accepted"}}
	var err error
	if d.Districts, err = s.readableDistricts(r); err != nil {
		s.page500(w, r, err)
		return
	}
	for _, x := range d.Districts {
		if principal(r).CanWrite(x.Code) {
			d.Writable = append(d.Writable, x)
		}
	}
	pf := funding.ProjectFilter{Districts: readScope(ctx), ByCode: true, After: q.Get("after"), Search: f.Q, Status: f.Status, Limit: f.Size + 1}
	if pf.District, err = s.districtParam(ctx, f.District); err != nil {
		s.pageFail(w, r, err)
		return
	}
	pf.PlanYear, _ = strconv.Atoi(f.Year)
	ps, err := s.prog.Projects(ctx, pf)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	if len(ps) > f.Size {
		ps = ps[:f.Size]
		d.Next = listLink("/projects", q, "after", ps[len(ps)-1].Code)
	}
	d.Projects = ps
	s.render(w, r, http.StatusOK, "projects.html", pageData{Title: "list.projects", Data: d})
}

var listMessages = map[string][2]string{
	"list.entries":     {"分录查询", "Entries"},
	"list.projects":    {"项目查询", "Projects"},
	"list.search":      {"搜索（摘要、收款单位、凭证号）", "Search (memo, payee, reference)"},
	"list.psearch":     {"搜索（编号、名称、地址）", "Search (code, name, address)"},
	"list.district":    {"区市", "District"},
	"list.project":     {"项目编号", "Project code"},
	"list.from":        {"起始日期", "From"},
	"list.to":          {"截止日期", "To"},
	"list.book":        {"账簿", "Book"},
	"list.sort":        {"排序", "Sort"},
	"list.sort.new":    {"最新在前", "Newest first"},
	"list.sort.old":    {"最早在前", "Oldest first"},
	"list.size":        {"每页行数（最多 200）", "Rows per page (at most 200)"},
	"list.filter":      {"查询", "Filter"},
	"list.next":        {"下一页", "Next page"},
	"list.none":        {"没有符合条件的记录。", "Nothing matches."},
	"list.all":         {"全部", "All"},
	"list.year":        {"计划年度", "Plan year"},
	"list.party":       {"收款/付款方", "Payee or payer"},
	"dir.in":           {"收", "In"},
	"dir.out":          {"付", "Out"},
	"dir.none":         {"转", "Transfer"},
	"book.financial":   {"财务账", "Financial"},
	"book.budget":      {"预算账", "Budget"},
	"list.reverses":    {"冲销", "reverses"},
	"nav.entries":      {"分录", "Entries"},
	"nav.projects":     {"项目", "Projects"},
	"list.limitstated": {"每页最多 %d 行。", "At most %d rows a page."},
}
