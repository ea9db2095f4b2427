package web

// The grants in the browser:
//
//   - the grants panel of the project page: the project's elevator
//     applications (with the grant committed and paid and the residents'
//     share outstanding, from the grants report) and its utility facilities
//     (with their award). project.html has an empty "grantpanel" block;
//     this fills it, the way ui_districts.go fills the district page's bond
//     panel;
//   - the grants lists, in the one list shape of ui_entries.go (query →
//     one funding call → render):
//
//	GET /grants?kind=applications|facilities|rewards &q= &district= &project= &status= &from= &to= &sort=code|date|amount &size= &page=
//
// A page holds at most MaxListPage rows; the filters run in SQL
// (funding.GrantFilter), scoped to the districts the user reads.

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
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
<tbody>{{range .Facilities}}<tr id="facility-{{.Code}}"><td class="text">{{.Code}}</td><td class="text">{{fkname $l .Kind}}</td><td class="text">{{.Owner}}</td><td>{{amt .Award}}</td><td class="text">{{t $l (print "gfac." .Status)}}</td></tr>
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
		gp.Facilities = append(gp.Facilities, grantFacility{Facility: f, Status: f.FacilityStatus()})
	}
	return gp, nil
}

// grantKind is a grants list, and the statuses it filters on.
type grantKind struct {
	kind, prefix string // prefix: the message keys of its statuses
	statuses     []string
}

var grantKinds = []grantKind{
	{"applications", "gapp.", []string{"applied", "approved", "refused", "accepted", "paid"}},
	{"facilities", "gfac.", []string{"registered", "committed", "transferred", "paid"}},
	{"rewards", "grew.", []string{"scored", "paid"}},
}

type grantsData struct {
	Kind         string
	Kinds        []string
	Sorts        []string
	Filter       listFilter
	Page         int
	Prev, Next   template.URL
	Districts    []funding.District
	Statuses     []stepOption
	Applications []funding.ElevatorApplication
	Facilities   []funding.Facility
	Rewards      []funding.PropertyRewardRow
	Limit        int
	Error        string
}

// grantsPage is a page of one of the grants lists.
func (s *Server) grantsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := langOf(r)
	q := r.URL.Query()
	d := grantsData{Filter: listFilterOf(q), Limit: MaxListPage, Kind: q.Get("kind"), Sorts: []string{"code", "date", "amount"}}
	k := slices.IndexFunc(grantKinds, func(x grantKind) bool { return x.kind == d.Kind })
	if k < 0 {
		k, d.Kind = 0, grantKinds[0].kind
	}
	for _, x := range grantKinds {
		d.Kinds = append(d.Kinds, x.kind)
	}
	d.Statuses = []stepOption{{"", msg(lang, "list.all")}}
	for _, st := range grantKinds[k].statuses {
		d.Statuses = append(d.Statuses, stepOption{st, msg(lang, grantKinds[k].prefix+st)})
	}
	var err error
	if d.Districts, err = s.readableDistricts(r); err != nil {
		s.page500(w, r, err)
		return
	}
	gf := funding.GrantFilter{Districts: readScope(ctx), Project: d.Filter.Project, Status: d.Filter.Status, Search: d.Filter.Q,
		Sort: d.Filter.Sort, Limit: d.Filter.Size + 1}
	if !slices.Contains(d.Sorts, gf.Sort) {
		gf.Sort, d.Filter.Sort = "code", "code"
	}
	if gf.District, err = s.districtParam(ctx, d.Filter.District); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if gf.From, gf.To, err = d.Filter.dates(); err != nil {
		d.Error = text(lang, "v.date")
	}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(d.Page, 1)
	gf.Offset = (d.Page - 1) * d.Filter.Size
	n := 0
	switch d.Kind {
	case "applications":
		d.Applications, err = s.prog.ElevatorApplicationList(ctx, gf)
		n = len(d.Applications)
		d.Applications = d.Applications[:min(n, d.Filter.Size)]
	case "facilities":
		d.Facilities, err = s.prog.FacilityList(ctx, gf)
		n = len(d.Facilities)
		d.Facilities = d.Facilities[:min(n, d.Filter.Size)]
	default:
		d.Rewards, err = s.prog.PropertyRewardList(ctx, gf)
		n = len(d.Rewards)
		d.Rewards = d.Rewards[:min(n, d.Filter.Size)]
	}
	if err != nil {
		s.page500(w, r, err)
		return
	}
	if d.Page > 1 {
		d.Prev = listLink("/grants", q, "page", strconv.Itoa(d.Page-1))
	}
	if n > d.Filter.Size {
		d.Next = listLink("/grants", q, "page", strconv.Itoa(d.Page+1))
	}
	s.render(w, r, http.StatusOK, "grants.html", pageData{Title: "list.grants", Data: d})
}

var grantListMessages = map[string][2]string{
	"nav.grants":             {"补助", "Grants"},
	"list.grants":            {"补助查询", "Grants"},
	"list.gsearch":           {"搜索（编号、项目、单位、产权人）", "Search (code, project, utility, owner)"},
	"list.kind":              {"补助类别", "Kind of grant"},
	"list.kind.applications": {"加装电梯申请", "Elevator applications"},
	"list.kind.facilities":   {"专营设施以奖代补", "Utility facility awards"},
	"list.kind.rewards":      {"物业考核奖励", "Property rewards"},
	"list.sort.code":         {"按编号", "By code"},
	"list.sort.date":         {"按日期（最新在前）", "By date (newest first)"},
	"list.sort.amount":       {"按金额（大到小）", "By amount (largest first)"},
	"list.prev":              {"上一页", "Previous page"},
	"list.page":              {"第 %d 页", "Page %d"},
	"grew.scored":            {"已评分", "scored"},
	"grew.paid":              {"已拨付", "paid"},
	"col.period":             {"考核期", "Period"},
	"col.score":              {"得分", "Score"},
	"col.reward":             {"奖励", "Reward"},
	"col.applied_on":         {"申请日期", "Applied on"},
	"col.registered_on":      {"登记日期", "Registered on"},
	"col.scored_on":          {"评分日期", "Scored on"},
	"col.est_cost":           {"估算造价", "Estimated cost"},
	"col.utility":            {"专营单位", "Utility"},
}
