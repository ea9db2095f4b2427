package web

// The district pages: the home redirect, the dashboard (money by source
// with a chart, categories, plan progress, projects, the bond and bank
// panels) and the district report download.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/report"
)

// Pages.

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ds, err := s.readableDistricts(r)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	if len(ds) == 0 {
		s.errorPage(w, r, http.StatusForbidden, "err.nodistricts")
		return
	}
	http.Redirect(w, r, "/districts/"+ds[0].Code, http.StatusSeeOther)
}

// bar is one source's bars in the chart (heights in px of a 160 px plot).
type bar struct {
	Source                       string
	X                            int
	Committed, Received, Paid    int
	CommittedY, ReceivedY, PaidY int
}

type chart struct {
	Width, Height int
	Bars          []bar
	Max           decimal.Decimal
}

const chartPlot = 160

func newChart(ss []funding.SourcePosition) chart {
	c := chart{Height: chartPlot + 60, Max: decimal.Zero}
	for _, s := range ss {
		c.Max = decimal.Max(c.Max, s.Committed, s.Received, s.Disbursed)
	}
	scale := func(d decimal.Decimal) int {
		if !c.Max.IsPositive() {
			return 0
		}
		return int(d.Mul(decimal.NewFromInt(chartPlot)).Div(c.Max).Round(0).IntPart())
	}
	for i, s := range ss {
		b := bar{Source: s.Source, X: 50 + i*90, Committed: scale(s.Committed), Received: scale(s.Received), Paid: scale(s.Disbursed)}
		b.CommittedY, b.ReceivedY, b.PaidY = 10+chartPlot-b.Committed, 10+chartPlot-b.Received, 10+chartPlot-b.Paid
		c.Bars = append(c.Bars, b)
	}
	c.Width = max(300, 60+len(ss)*90)
	return c
}

type dashboardData struct {
	District   funding.District
	Sources    []funding.SourcePosition
	Total      funding.SourcePosition
	Categories []funding.CategoryPosition
	Chart      chart
	Plan       []funding.PlanProgressRow
	Milestones []funding.PlanMilestoneProgress
	NoPlan     bool
	Projects   []funding.Project
	CanWrite   bool
}

func (s *Server) districtPage(w http.ResponseWriter, r *http.Request) {
	d, err := funding.LookupDistrict(r.Context(), s.db, r.PathValue("code"))
	if err == nil {
		err = principal(r).CheckRead(d.Code)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rep, err := s.prog.DistrictReport(r.Context(), d.Code, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	dd := dashboardData{District: d, CanWrite: principal(r).CanWrite(d.Code)}
	for _, x := range rep.Sources {
		dd.Sources = append(dd.Sources, x.SourcePosition)
		addPosition(&dd.Total, x.SourcePosition)
	}
	for _, x := range rep.Categories {
		dd.Categories = append(dd.Categories, x.CategoryPosition)
	}
	dd.Chart = newChart(dd.Sources)
	pp, err := s.prog.PlanProgress(r.Context(), time.Time{})
	switch {
	case errors.Is(err, funding.ErrNotFound):
		dd.NoPlan = true
	case err != nil:
		s.page500(w, r, err)
		return
	default:
		for _, row := range pp.Rows {
			if row.DistrictCode == d.Code {
				dd.Plan = append(dd.Plan, row)
			}
		}
		dd.Milestones = pp.Milestones
	}
	if dd.Projects, err = s.prog.Projects(r.Context(), funding.ProjectFilter{District: d.Code, Limit: 500}); err != nil {
		s.page500(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "district.html", pageData{Title: "dash.title", TitleText: districtName(langOf(r), d), Data: dd})
}

func addPosition(dst *funding.SourcePosition, x funding.SourcePosition) {
	dst.Committed = dst.Committed.Add(x.Committed)
	dst.Received = dst.Received.Add(x.Received)
	dst.Disbursed = dst.Disbursed.Add(x.Disbursed)
	dst.Available = dst.Available.Add(x.Available)
	dst.Outstanding = dst.Outstanding.Add(x.Outstanding)
}

func (s *Server) districtDownload(w http.ResponseWriter, r *http.Request) {
	format := report.FormatCSV
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		format = report.FormatXLSX
	}
	p := principal(r)
	district := ""
	if v := strings.TrimSpace(r.URL.Query().Get("district")); v != "" {
		d, err := funding.LookupDistrict(r.Context(), s.db, v)
		if err == nil {
			err = p.CheckRead(d.Code)
		}
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		district = d.Code
	}
	scope := readScope(r.Context())
	if district != "" {
		scope = []string{district}
	}
	rep, err := s.prog.DistrictsReport(r.Context(), scope, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := report.RenderAllWith(&buf, report.DistrictReport(rep, report.Plain), format, langOf(r), s.provenance(r.Context(), rep.AsOf)); err != nil {
		s.page500(w, r, err)
		return
	}
	name := "district-report"
	if district != "" {
		name += "-" + district
	}
	sendFile(w, name+"-"+time.Now().Format("20060102"), format, buf.Bytes())
}

// registerMoreUI adds the pages of this file (called from registerUI,
// after s.pages is parsed).

// Bond coverage panel of the district dashboard.

type bondPanel struct {
	Row       funding.BondUnitPosition
	Found     bool
	Ratio     string
	Flag      string // ok, below, repaid
	Threshold decimal.Decimal
	AsOf      time.Time
}

const bondPanelTemplate = `{{$l := .Lang}}{{with bondpanel .Data.District.Code}}
<section class="card" id="bond-panel">
<h2>{{t $l "bond.title"}}</h2>
{{if .Found}}{{with .Row}}
<table class="money" id="bond-coverage">
<thead><tr><th>{{t $l "bond.allocated"}}</th><th>{{t $l "bond.outstanding"}}</th><th>{{t $l "bond.reserve"}}</th><th>{{t $l "bond.revenue"}}</th><th>{{t $l "bond.debt"}}</th><th>{{t $l "col.coverage"}}</th><th>{{t $l "col.flag"}}</th></tr></thead>
<tbody><tr><td>{{amt .Allocated}}</td><td>{{amt .Outstanding}}</td><td>{{amt .Coverage.Reserve}}</td><td>{{amt .Coverage.RemainingRevenue}}</td><td>{{amt .Coverage.RemainingDebtService}}</td>{{end}}
<td id="bond-ratio">{{.Ratio}}</td><td id="bond-flag" class="bond-{{.Flag}}">{{t $l (print "bond." .Flag)}}</td></tr></tbody>
</table>
{{else}}<p id="bond-none">{{t $l "bond.none"}}</p>{{end}}
<p class="note">{{t $l "bond.threshold"}} {{.Threshold}} · {{t $l "rep.asof"}} {{day .AsOf}} · <a href="/reports/bonds?district={{$.Data.District.Code}}">{{t $l "rep.view"}}</a></p>
</section>
{{end}}`

// bondPanelFor is the district's roll-up row of the bond report as of
// today; nil when the report cannot be made (it never fails the page).
// Called from the template, so without the request's context: bounded by
// its own timeout.
func (s *Server) bondPanelFor(district string) *bondPanel {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := s.bondReport(ctx, time.Time{})
	if err != nil {
		s.log.Warn("bond panel", "district", district, "error", err.Error())
		return nil
	}
	bp := &bondPanel{Threshold: rep.Threshold, AsOf: rep.AsOf}
	for _, u := range rep.Districts {
		if u.Code == district {
			bp.Row, bp.Found = u, true
		}
	}
	c := bp.Row.Coverage
	switch {
	case !c.Ratio.Valid:
		bp.Ratio, bp.Flag = "—", "repaid"
	case c.Below:
		bp.Ratio, bp.Flag = c.Ratio.Decimal.StringFixed(funding.BondRatioPlaces), "below"
	default:
		bp.Ratio, bp.Flag = c.Ratio.Decimal.StringFixed(funding.BondRatioPlaces), "ok"
	}
	return bp
}

// Bank account panel of the district dashboard.

type bankPanel struct {
	Accounts []bankAccount
	Period   string // the current month, YYYY-MM
}

const bankPanelTemplate = `{{$l := .Lang}}{{with bankpanel .Data.District.Code}}{{$p := .Period}}
<section class="card" id="bank-panel">
<h2>{{t $l "bank.title"}}</h2>
{{if .Accounts}}
<table id="bank-accounts">
<thead><tr><th>{{t $l "col.code"}}</th><th>{{t $l "col.name"}}</th><th>{{t $l "col.bank"}}</th><th>{{t $l "recon.title"}}</th></tr></thead>
<tbody>{{range .Accounts}}<tr><td>{{.Code}}</td><td>{{.Name}}</td><td>{{.Bank}}</td><td><a href="/recon/{{.Code}}?period={{$p}}" id="recon-{{.Code}}">{{t $l "bank.recon"}} {{$p}}</a></td></tr>
{{end}}</tbody>
</table>
{{else}}<p id="bank-none">{{t $l "bank.none"}}</p>{{end}}
</section>
{{end}}`

// bankPanelFor lists the district's bank accounts; nil when they cannot be
// read (it never fails the page). Called from the template, so without the
// request's context: bounded by its own timeout.
func (s *Server) bankPanelFor(district string) *bankPanel {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bp := &bankPanel{Period: time.Now().Format("2006-01")}
	accounts, err := funding.DistrictBankAccounts(ctx, s.db, district)
	for _, b := range accounts {
		bp.Accounts = append(bp.Accounts, bankAccount{Code: b.Code, Name: b.Name, Bank: b.Bank, District: sql.NullString{String: b.District, Valid: true}})
	}
	if err != nil {
		s.log.Warn("bank panel", "district", district, "error", err.Error())
		return nil
	}
	return bp
}
