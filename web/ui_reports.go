package web

// The reports pages:
//
//	GET  /reports                       the reports, with as-of and district inputs
//	GET  /reports/{name}                a report as HTML tables; {name}.csv or {name}.xlsx downloads it
//
// Reports are narrowed to one district for a district officer (the first
// granted when none is asked for).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
)

// Reports.

// reportDef is a report of the reports page.
type reportDef struct {
	Name  string
	Title string // message key
	build func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error)
}

func statementDef(name, title string) reportDef {
	return reportDef{Name: name, Title: title, build: func(ctx context.Context, s *Server, _ access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		st, ok := report.LookupStatement(name)
		if !ok {
			return nil, fmt.Errorf("report %s: %w", name, funding.ErrNotFound)
		}
		return st.Build(ctx, s.prog, report.Options{AsOf: asOf, District: district, Amount: amt})
	}}
}

var reportDefs = []reportDef{
	{Name: "district", Title: "rep.district-rep", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.prog.DistrictReport(ctx, district, asOf)
		if err != nil {
			return nil, err
		}
		rep.Sources = slices.DeleteFunc(rep.Sources, func(x funding.DistrictSourcePosition) bool { return !p.CanRead(x.District) })
		rep.Categories = slices.DeleteFunc(rep.Categories, func(x funding.DistrictCategoryPosition) bool { return !p.CanRead(x.District) })
		return report.DistrictReport(rep, amt), nil
	}},
	{Name: "plan-progress", Title: "rep.plan-progress", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		pp, err := s.prog.PlanProgress(ctx, asOf)
		if errors.Is(err, funding.ErrNotFound) {
			return []report.Table{{Title: "改造计划进度 Plan progress", Notes: []string{"尚未导入改造计划。 No plan has been imported."}}}, nil
		}
		if err != nil {
			return nil, err
		}
		if district != "" {
			keep := func(x funding.PlanProgressRow) bool { return x.DistrictCode != district }
			pp.Rows = slices.DeleteFunc(pp.Rows, keep)
			pp.Unplanned = slices.DeleteFunc(pp.Unplanned, keep)
		}
		return report.PlanProgressTables(pp), nil
	}},
	{Name: "bonds", Title: "rep.bonds", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.bondReport(ctx, asOf)
		if err != nil {
			return nil, err
		}
		if district != "" {
			rep.Projects = slices.DeleteFunc(rep.Projects, func(u funding.BondUnitPosition) bool { return u.District != district })
			rep.Districts = slices.DeleteFunc(rep.Districts, func(u funding.BondUnitPosition) bool { return u.Code != district })
			if !p.AllDistricts() { // the city-wide bonds and total are not the officer's
				rep.Bonds = nil
				rep.Total = funding.BondUnitPosition{Name: "—"}
				if len(rep.Districts) == 1 {
					rep.Total = rep.Districts[0]
					rep.Districts = nil
				}
			}
		}
		ts := report.BondReport(rep, amt)
		if district != "" && !p.AllDistricts() {
			for i := range ts[:2] {
				ts[i].Notes = []string{"债券明细仅对财政局和审计人员显示。 Bond details are shown to the finance bureau and auditors only."}
			}
		}
		return ts, nil
	}},
	{Name: "grants", Title: "rep.grants", build: func(ctx context.Context, s *Server, _ access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.prog.GrantsReport(ctx, district, asOf)
		if err != nil {
			return nil, err
		}
		return report.GrantsReport(rep, amt), nil
	}},
	statementDef("trial-balances", "rep.trial-balances"),
	statementDef("balance-sheet", "rep.balance-sheet"),
	statementDef("budget-vs-actual", "rep.budget-vs-act"),
	statementDef("sources", "rep.sources"),
	statementDef("earmark", "rep.earmark"),
}

func (s *Server) bondReport(ctx context.Context, asOf time.Time) (funding.BondReport, error) {
	if asOf.IsZero() {
		asOf = ledger.Date(time.Now().Year(), time.Now().Month(), time.Now().Day())
	}
	return s.prog.BondReport(ctx, funding.BondReportOptions{AsOf: asOf})
}

func lookupReport(name string) (reportDef, bool) {
	for _, d := range reportDefs {
		if d.Name == name {
			return d, true
		}
	}
	return reportDef{}, false
}

// reportParams reads ?as_of= and ?district=; a district officer gets his
// first district when he names none.
func (s *Server) reportParams(r *http.Request) (district string, asOf time.Time, asOfText string, err error) {
	q := r.URL.Query()
	if asOfText = strings.TrimSpace(q.Get("as_of")); asOfText != "" {
		if asOf, err = ledger.ParseDate(asOfText); err != nil {
			return "", asOf, asOfText, fmt.Errorf("%w: as_of %q: want YYYY-MM-DD", funding.ErrInvalid, asOfText)
		}
	}
	p := principal(r)
	if v := strings.TrimSpace(q.Get("district")); v != "" {
		d, err := funding.LookupDistrict(r.Context(), s.db, v)
		if err == nil {
			err = p.CheckRead(d.Code)
		}
		return d.Code, asOf, asOfText, err
	}
	if p.AllDistricts() {
		return "", asOf, asOfText, nil
	}
	ds, err := s.readableDistricts(r)
	if err != nil {
		return "", asOf, asOfText, err
	}
	if len(ds) == 0 {
		return "", asOf, asOfText, fmt.Errorf("%w: %s has no district", access.ErrDenied, p.User)
	}
	return ds[0].Code, asOf, asOfText, nil
}

type reportsData struct {
	Reports    []reportDef
	District   string
	AsOf       string
	AllAllowed bool
	Query      string // district and as_of, for the links
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	district, _, asOfText, err := s.reportParams(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	d := reportsData{Reports: reportDefs, District: district, AsOf: asOfText, AllAllowed: principal(r).AllDistricts(),
		Query: reportQuery(district, asOfText)}
	s.render(w, r, http.StatusOK, "reports.html", pageData{Title: "rep.title", Data: d})
}

func reportQuery(district, asOf string) string {
	v := url.Values{}
	if district != "" {
		v.Set("district", district)
	}
	if asOf != "" {
		v.Set("as_of", asOf)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// htmlTable is a report.Table with its headers in one language.
type htmlTable struct {
	Title   string
	Headers []string
	Numeric []bool
	Rows    [][]string
	Notes   []string
}

type reportData struct {
	Report   reportDef
	Tables   []htmlTable
	District string
	AsOf     string
	Query    string
	AllAllow bool
}

// tableTitle is a report table's title, written in both languages for
// the files ("试算平衡表 Trial balance — 财务会计 financial book, as of
// 2020-07-31 — 环翠区"), in the language: each part in its language, a
// district by its name in the language, the date last.
func tableTitle(lang, title string, ds []funding.District) string {
	var parts []string
	asOf := ""
	for _, p := range strings.Split(title, " — ") {
		if head, date, ok := strings.Cut(p, ", as of "); ok {
			p, asOf = head, date
		}
		for _, d := range ds {
			if p == d.NameZh {
				p = districtName(lang, d)
			}
		}
		parts = append(parts, report.CellInLang(p, lang))
	}
	out := strings.Join(parts, " — ")
	switch {
	case asOf == "":
		return out
	case lang == langEn:
		return out + ", as of " + asOf
	case asOf == "all dates":
		return out + "（不限日期）"
	}
	return out + "（截至 " + asOf + "）"
}

func header(c report.Column, lang string) string {
	switch {
	case lang == report.LangEn && c.En != "":
		return c.En
	case c.Zh != "":
		return c.Zh
	}
	return c.Key
}

// reportPage shows a report (GET /reports/{name}) or downloads it
// ({name}.csv, {name}.xlsx).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	name, format := r.PathValue("name"), ""
	for _, f := range []string{report.FormatCSV, report.FormatXLSX} {
		if n, ok := strings.CutSuffix(name, "."+f); ok {
			name, format = n, f
		}
	}
	def, ok := lookupReport(name)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	district, asOf, asOfText, err := s.reportParams(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	p := principal(r)
	amt := report.Amount // grouped for reading, plain for files
	if format != "" {
		amt = report.Plain
	}
	ts, err := def.build(r.Context(), s, p, district, asOf, amt)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	lang := langOf(r)
	if format != "" {
		var buf bytes.Buffer
		if err := report.RenderAll(&buf, ts, format, lang); err != nil {
			s.page500(w, r, err)
			return
		}
		file := name
		if district != "" {
			file += "-" + district
		}
		if asOfText != "" {
			file += "-" + strings.ReplaceAll(asOfText, "-", "")
		}
		sendFile(w, file, format, buf.Bytes())
		return
	}
	d := reportData{Report: def, District: district, AsOf: asOfText, Query: reportQuery(district, asOfText), AllAllow: p.AllDistricts()}
	ds, err := funding.Districts(r.Context(), s.db)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	for _, t := range ts {
		// Accounts' names ("基础类支出 works paid from 中央补助"), balance
		// sheet sections ("资产 Assets"), districts (环翠区).
		for i, c := range t.Columns {
			for _, row := range t.Rows {
				switch {
				case i >= len(row):
				case c.Key == "district":
					row[i] = districtNamed(lang, row[i], ds)
				case c.Key == "name" && c.Bilingual:
					row[i] = accountName(lang, row[i])
				case c.Key == "section":
					row[i] = report.CellInLang(row[i], lang)
				}
			}
		}
		t = t.InLang(lang)
		ht := htmlTable{Title: tableTitle(lang, t.Title, ds), Rows: t.Rows}
		for _, n := range t.Notes {
			ht.Notes = append(ht.Notes, report.CellInLang(n, lang))
		}
		for _, c := range t.Columns {
			ht.Headers = append(ht.Headers, header(c, lang))
			ht.Numeric = append(ht.Numeric, c.Numeric)
		}
		d.Tables = append(d.Tables, ht)
	}
	s.render(w, r, http.StatusOK, "report.html", pageData{Title: def.Title, Data: d})
}
