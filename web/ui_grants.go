package web

// The grants panel of the project page: the project's elevator
// applications (with the grant committed and paid and the residents' share
// outstanding, from the grants report) and its utility facilities (with
// their award). project.html has an empty "grantpanel" block; this fills
// it, the way ui_districts.go fills the district page's bond panel.

import (
	"context"
	"html/template"
	"time"

	"fundledger/funding"
)

// registerGrantsUI redefines the project page's "grantpanel" block
// (called from registerMoreUI, after s.pages is parsed).
func (s *Server) registerGrantsUI() {
	t := template.Must(s.pages["project.html"].Clone())
	t.Funcs(template.FuncMap{"grantpanel": s.grantPanelFor})
	template.Must(t.New("grantpanel").Parse(grantPanelTemplate))
	s.pages["project.html"] = t
}

// grantApplication is an elevator application with its money from the
// grants report (zero when the report has no row for it).
type grantApplication struct {
	funding.ElevatorApplication
	Position funding.ApplicationPosition
}

// grantFacility is a utility facility with its status: registered,
// committed, transferred (owned by the utility) or paid.
type grantFacility struct {
	funding.Facility
	Status string
}

type grantPanel struct {
	Applications []grantApplication
	Facilities   []grantFacility
}

const grantPanelTemplate = `{{$l := .Lang}}{{with grantpanel .Data.Project.District .Data.Project.Code}}
<section class="card" id="grant-panel">
<h2>{{t $l "grant.title"}}</h2>
{{if .Applications}}
<h3>{{t $l "grant.elevators"}}</h3>
<table class="money" id="grant-elevators">
<thead><tr><th>{{t $l "col.code"}}</th><th>{{t $l "grant.unit"}}</th><th>{{t $l "col.status"}}</th><th>{{t $l "grant.committed"}}</th><th>{{t $l "grant.paid"}}</th><th>{{t $l "grant.residents"}}</th></tr></thead>
<tbody>{{range .Applications}}<tr id="elevator-{{.Code}}"><td class="text">{{.Code}}</td><td class="text">{{.Building}}/{{.Unit}}</td><td class="text">{{t $l (print "gapp." .Status)}}</td><td>{{amt .Position.GrantCommitted}}</td><td>{{amt .Position.GrantPaid}}</td><td>{{amt .Position.ResidentsOutstanding}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Facilities}}
<h3>{{t $l "grant.facilities"}}</h3>
<table class="money" id="grant-facilities">
<thead><tr><th>{{t $l "col.code"}}</th><th>{{t $l "col.kind"}}</th><th>{{t $l "grant.owner"}}</th><th>{{t $l "grant.award"}}</th><th>{{t $l "col.status"}}</th></tr></thead>
<tbody>{{range .Facilities}}<tr id="facility-{{.Code}}"><td class="text">{{.Code}}</td><td class="text">{{.Kind}}</td><td class="text">{{.Owner}}</td><td>{{amt .Award}}</td><td class="text">{{t $l (print "gfac." .Status)}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if not (or .Applications .Facilities)}}<p id="grant-none">{{t $l "grant.none"}}</p>{{end}}
</section>
{{end}}`

// grantPanelFor is the project's elevator applications and utility
// facilities; nil when they cannot be read (it never fails the page).
// Called from the template, so without the request's context: bounded by
// its own timeout. The page has already checked the user may read the
// project's district.
func (s *Server) grantPanelFor(district, project string) *grantPanel {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gp, err := s.grantPanel(ctx, district, project)
	if err != nil {
		s.log.Warn("grant panel", "project", project, "error", err.Error())
		return nil
	}
	return gp
}

func (s *Server) grantPanel(ctx context.Context, district, project string) (*grantPanel, error) {
	gp := &grantPanel{}
	apps, err := s.prog.ElevatorApplications(ctx, district)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		if a.Project == project {
			gp.Applications = append(gp.Applications, grantApplication{ElevatorApplication: a})
		}
	}
	if len(gp.Applications) > 0 {
		rep, err := s.prog.GrantsReport(ctx, district, time.Time{})
		if err != nil {
			return nil, err
		}
		pos := map[string]funding.ApplicationPosition{}
		for _, x := range rep.Applications {
			pos[x.Code] = x
		}
		for i := range gp.Applications {
			gp.Applications[i].Position = pos[gp.Applications[i].Code]
		}
	}
	fs, err := s.prog.Facilities(ctx, project)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		st := "registered"
		switch {
		case f.AwardPaid:
			st = "paid"
		case f.OwnedByUtility:
			st = "transferred"
		case f.Committed:
			st = "committed"
		}
		gp.Facilities = append(gp.Facilities, grantFacility{Facility: f, Status: st})
	}
	return gp, nil
}
