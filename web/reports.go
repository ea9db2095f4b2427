package web

// Reports: the district report (JSON) and the statements of package report
// as JSON, CSV or XLSX. A district officer reads one of its districts at a
// time; the city-wide reports (plan, bonds) are for the roles that read
// every district.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
)

func (s *Server) registerReports() {
	const tag = apiTag("reports")
	register(s, tag.read("/api/reports/district", "Money by district and source, and by district and category, of the districts the caller reads"), s.districtReport)
	register(s, tag.read("/api/reports/{name}", "A statement (trial-balances, balance-sheet, budget-vs-actual, sources, earmark, plan, bonds, grants) as JSON, CSV or XLSX"), s.statement)
}

type districtReportJSON struct {
	AsOf       string         `json:"as_of,omitempty"`
	Sources    []sourceJSON   `json:"sources"`
	Categories []categoryJSON `json:"categories"`
}

type districtReportIn struct {
	AsOfQuery
	District string `query:"district" doc:"district code or Chinese name; all the caller reads when absent"`
}

func (s *Server) districtReport(ctx context.Context, in *districtReportIn) (*bodyOut[districtReportJSON], error) {
	on, district, err := s.asOfDistrict(ctx, in.AsOf, in.District)
	if err != nil {
		return nil, err
	}
	out := districtReportJSON{AsOf: day(on), Sources: []sourceJSON{}, Categories: []categoryJSON{}}
	scope := readScope(ctx)
	if district != "" {
		scope = []string{district}
	}
	rep, err := s.prog.DistrictsReport(ctx, scope, on)
	if err != nil {
		return nil, err
	}
	out.AsOf = day(rep.AsOf)
	for _, x := range rep.Sources {
		j := sourceOut(x.SourcePosition)
		j.District, j.DistrictName = x.District, x.DistrictName
		out.Sources = append(out.Sources, j)
	}
	for _, x := range rep.Categories {
		j := categoryOut(x.CategoryPosition)
		j.District, j.DistrictName = x.District, x.DistrictName
		out.Categories = append(out.Categories, j)
	}
	return ok(out), nil
}

type statementIn struct {
	AsOfQuery
	Name     string `path:"name"`
	District string `query:"district" doc:"district code or Chinese name; a district officer with more than one district must name one"`
	Format   string `query:"format" enum:"json,csv,xlsx" default:"json"`
	Lang     string `query:"lang" enum:"zh,en,"`
}

type fileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// cityWideReports cover every district at once: the finance bureau and
// auditors only.
var cityWideReports = map[string]bool{"plan": true, "bonds": true}

func (s *Server) statement(ctx context.Context, in *statementIn) (*fileOut, error) {
	st, found := report.LookupStatement(in.Name)
	if !found {
		st, found = extraReport(in.Name)
	}
	if !found {
		return nil, notFound("report " + in.Name)
	}
	p := principalOf(ctx)
	if cityWideReports[st.Name] && !p.AllDistricts() {
		err := fmt.Errorf("%w: %s (%s) may not read the city-wide %s report", access.ErrDenied, p.User, p.Role, st.Name)
		pr := &problem{Status: http.StatusForbidden, Code: "forbidden", key: "v.city_wide", cause: err}
		return nil, pr
	}
	on, district, err := s.asOfDistrict(ctx, in.AsOf, in.District)
	if err != nil {
		return nil, err
	}
	if district == "" && !p.AllDistricts() {
		// An officer sees one district at a time: the only one granted, or the one asked for.
		scope := readScope(ctx)
		if len(scope) != 1 {
			err := fmt.Errorf("%w: %s (%s) must name one of the granted districts (?district=)", access.ErrDenied, p.User, p.Role)
			return nil, &problem{Status: http.StatusForbidden, Code: "forbidden", key: "v.one_district", cause: err}
		}
		district = scope[0]
	}
	ts, err := st.Build(ctx, s.prog, report.Options{AsOf: on, District: district, Lang: in.Lang, Amount: report.Plain})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.RenderAllWith(&buf, ts, in.Format, in.Lang, s.provenance(ctx, on)); err != nil {
		return nil, err
	}
	name := st.Name
	if district != "" {
		name += "-" + district
	}
	if !on.IsZero() {
		name += "-" + day(on)
	}
	out := &fileOut{Body: buf.Bytes()}
	switch in.Format {
	case report.FormatCSV:
		out.ContentType = "text/csv; charset=utf-8"
		out.ContentDisposition = `attachment; filename="` + name + `.csv"`
	case report.FormatXLSX:
		out.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		out.ContentDisposition = `attachment; filename="` + name + `.xlsx"`
	default:
		out.ContentType = "application/json; charset=utf-8"
	}
	return out, nil
}

// extraReport: the reports that are not in report.Statements, as the
// CLI's `report plan`, `report bonds` and `report grants` build them.
func extraReport(name string) (report.Statement, bool) {
	switch name {
	case "plan":
		return report.Statement{Name: name, Build: func(ctx context.Context, p *funding.Programme, o report.Options) ([]report.Table, error) {
			at := o.AsOf
			if at.IsZero() {
				at = time.Now()
			}
			pp, err := p.PlanProgress(ctx, at)
			if err != nil {
				return nil, err
			}
			return report.PlanProgressTables(pp), nil
		}}, true
	case "bonds":
		return report.Statement{Name: name, Build: func(ctx context.Context, p *funding.Programme, o report.Options) ([]report.Table, error) {
			at := o.AsOf
			if at.IsZero() {
				at = time.Now()
			}
			rep, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: at, Threshold: funding.DefaultBondCoverageThreshold})
			if err != nil {
				return nil, err
			}
			return report.BondReport(rep, o.Amount), nil
		}}, true
	case "grants":
		return report.Statement{Name: name, Build: func(ctx context.Context, p *funding.Programme, o report.Options) ([]report.Table, error) {
			rep, err := p.GrantsReport(ctx, o.District, o.AsOf)
			if err != nil {
				return nil, err
			}
			return report.GrantsReport(rep, o.Amount), nil
		}}, true
	}
	return report.Statement{}, false
}

// provenance names, in a download, the day it is as of and the ledger head
// hash it was made from (after sealing what is committed), as the CLI's
// reports do; the hash is left out when it cannot be read.
func (s *Server) provenance(ctx context.Context, asOf time.Time) report.RenderOptions {
	o := report.RenderOptions{} // a CSV stays one table a program reads; XLSX and text carry it
	if !asOf.IsZero() {
		o.Provenance.AsOf = asOf.Format(ledger.DateLayout)
	}
	if h, err := s.prog.Ledger().SealedHead(ctx); err == nil {
		o.Provenance.HeadHash = h
	}
	return o
}

// asOfDistrict reads a report's ?as_of= (zero when absent) and ?district=
// (code or Chinese name; "" when absent).
func (s *Server) asOfDistrict(ctx context.Context, asOf, district string) (time.Time, string, error) {
	on, err := dateParam("as_of", asOf)
	if err != nil {
		return on, "", err
	}
	code, err := s.districtParam(ctx, district)
	return on, code, err
}
