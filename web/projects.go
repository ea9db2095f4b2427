package web

// Districts, projects (register, status, reports), budget approvals and the
// plan import: as the CLI's district, project, budget and plan commands.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerProjects() {
	const tag = apiTag("projects")
	register(s, tag.read("/api/districts", "The districts the caller reads"), s.listDistricts)
	register(s, tag.read("/api/projects", "Projects of the districts the caller reads, by code"), s.listProjects)
	register(s, tag.read("/api/projects/{code}", "A project"), s.getProject)
	register(s, tag.read("/api/projects/{code}/report", "A project's money by source and category"), s.projectReport)
	register(s, tag.create("/api/projects", "Register a project (funding.RegisterProject)"), s.postProject)
	register(s, tag.write("/api/projects/{code}/status", "Move a project to a status (funding.SetStatus)"), s.postProjectStatus)
	register(s, tag.create("/api/projects/{code}/approvals", "Approve a project's budget (funding.Approve)"), s.postApproval)
	register(s, tag.read("/api/projects/{code}/approval", "A project's latest budget approval"), s.getApproval)
	register(s, tag.bureauCreate("/api/plan-imports", "import the plan", "Import the plan table, CSV (UTF-8 or GBK) or XLSX (funding.ImportPlan)"), s.postPlanImport)
}

type projectJSON struct {
	Code                string            `json:"code"`
	Name                string            `json:"name"`
	District            string            `json:"district"`
	DistrictName        string            `json:"district_name"`
	Address             string            `json:"address"`
	CompletedOn         string            `json:"completed_on"`
	StateOwnedLand      bool              `json:"state_owned_land"`
	SlatedForDemolition bool              `json:"slated_for_demolition"`
	Households          int               `json:"households"`
	FloorAreaM2         string            `json:"floor_area_m2"`
	Buildings           int               `json:"buildings"`
	Elevators           int               `json:"elevators"`
	PlanYear            int               `json:"plan_year"`
	Priority            bool              `json:"priority"`
	Status              string            `json:"status"`
	StatusOn            string            `json:"status_on"`
	Parties             map[string]string `json:"parties,omitempty"`
}

func projectOut(p funding.Project) projectJSON {
	return projectJSON{Code: p.Code, Name: p.Name, District: p.District, DistrictName: p.DistrictName, Address: p.Address,
		CompletedOn: day(p.CompletedOn), StateOwnedLand: p.StateOwnedLand, SlatedForDemolition: p.SlatedForDemolition,
		Households: p.Households, FloorAreaM2: p.FloorAreaM2.StringFixed(2), Buildings: p.Buildings, Elevators: p.Elevators,
		PlanYear: p.PlanYear, Priority: p.Priority, Status: p.Status, StatusOn: day(p.StatusOn), Parties: p.Parties}
}

type sourceJSON struct {
	District     string    `json:"district,omitempty"`
	DistrictName string    `json:"district_name,omitempty"`
	Source       string    `json:"source"`
	SourceName   string    `json:"source_name"`
	Committed    moneyJSON `json:"committed"`
	Received     moneyJSON `json:"received"`
	Disbursed    moneyJSON `json:"disbursed"`
	Available    moneyJSON `json:"available"`
	Outstanding  moneyJSON `json:"outstanding"`
}

func sourceOut(s funding.SourcePosition) sourceJSON {
	return sourceJSON{Source: s.Source, SourceName: s.SourceName, Committed: money(s.Committed), Received: money(s.Received),
		Disbursed: money(s.Disbursed), Available: money(s.Available), Outstanding: money(s.Outstanding)}
}

type categoryJSON struct {
	District     string    `json:"district,omitempty"`
	DistrictName string    `json:"district_name,omitempty"`
	Category     string    `json:"category"`
	CategoryName string    `json:"category_name"`
	Budget       moneyJSON `json:"budget"`
	Paid         moneyJSON `json:"paid"`
}

func categoryOut(c funding.CategoryPosition) categoryJSON {
	return categoryJSON{Category: c.Category, CategoryName: c.CategoryName, Budget: money(c.Budget), Paid: money(c.Paid)}
}

func (s *Server) listDistricts(ctx context.Context, _ *struct{}) (*bodyOut[page[funding.District]], error) {
	ds, err := funding.Districts(ctx, s.db)
	if err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	out := page[funding.District]{Items: []funding.District{}}
	for _, d := range ds {
		if p.CanRead(d.Code) {
			out.Items = append(out.Items, d)
		}
	}
	return ok(out), nil
}

type projectsIn struct {
	PageQuery
	District string `query:"district" doc:"district code or Chinese name"`
	Year     int    `query:"year" doc:"plan year"`
}

// listProjects pages through the projects the caller may read, by code.
func (s *Server) listProjects(ctx context.Context, in *projectsIn) (*bodyOut[page[projectJSON]], error) {
	district, err := s.districtParam(ctx, in.District)
	if err != nil {
		return nil, err
	}
	f := funding.ProjectFilter{District: district, PlanYear: in.Year, Districts: readScope(ctx), ByCode: true, After: in.After, Limit: in.Limit + 1}
	all, err := s.prog.Projects(ctx, f)
	if err != nil {
		return nil, err
	}
	out := page[projectJSON]{Items: []projectJSON{}}
	for _, x := range all {
		if len(out.Items) == in.Limit {
			out.Next = out.Items[in.Limit-1].Code
			break
		}
		out.Items = append(out.Items, projectOut(x))
	}
	return ok(out), nil
}

type CodePath struct {
	Code string `path:"code" maxLength:"100"`
}

func (s *Server) getProject(ctx context.Context, in *CodePath) (*bodyOut[projectJSON], error) {
	pr, err := s.readableProject(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	return ok(projectOut(pr)), nil
}

type projectReportJSON struct {
	Project         projectJSON    `json:"project"`
	AsOf            string         `json:"as_of,omitempty"`
	ApprovalVersion int            `json:"approval_version"`
	RuleSetID       int64          `json:"rule_set_id"`
	Sources         []sourceJSON   `json:"sources"`
	Categories      []categoryJSON `json:"categories"`
	Total           sourceJSON     `json:"total"`
}

type projectReportIn struct {
	CodePath
	AsOfQuery
}

func (s *Server) projectReport(ctx context.Context, in *projectReportIn) (*bodyOut[projectReportJSON], error) {
	on, err := dateParam("as_of", in.AsOf)
	if err != nil {
		return nil, err
	}
	if _, err := s.readableProject(ctx, in.Code); err != nil {
		return nil, err
	}
	rep, err := s.prog.ProjectReport(ctx, in.Code, on)
	if err != nil {
		return nil, err
	}
	out := projectReportJSON{Project: projectOut(rep.Project), AsOf: day(rep.AsOf), ApprovalVersion: rep.ApprovalVersion,
		RuleSetID: rep.RuleSetID, Sources: []sourceJSON{}, Categories: []categoryJSON{}, Total: sourceOut(rep.Total)}
	for _, x := range rep.Sources {
		out.Sources = append(out.Sources, sourceOut(x))
	}
	for _, x := range rep.Categories {
		out.Categories = append(out.Categories, categoryOut(x))
	}
	return ok(out), nil
}

// postProject registers a project: officers only in their granted
// districts. The same project again with the same data answers 200 with
// Idempotent-Replayed: true.
func (s *Server) postProject(ctx context.Context, in *writeIn[requests.Project]) (*writeOut[projectJSON], error) {
	b := in.Body
	if err := notBlank([2]string{"code", b.Code}, [2]string{"name", b.Name}, [2]string{"district", b.District}); err != nil {
		return nil, err
	}
	pi, err := input(b.Input())
	if err != nil {
		return nil, err
	}
	d, err := funding.LookupDistrict(ctx, s.db, b.District)
	pi.District = d.Code
	return created(firstErr(err, principalOf(ctx).CheckWrite(d.Code)), func() error { return right(s.prog.Project(ctx, b.Code)) },
		func() (funding.Project, error) { return s.prog.RegisterProject(ctx, pi, principalOf(ctx).User) }, projectOut)
}

// postProjectStatus moves a project forward; the status it already has
// changes nothing.
func (s *Server) postProjectStatus(ctx context.Context, in *codeWriteIn[requests.ProjectStatus]) (*bodyOut[projectJSON], error) {
	on := in.Body.On.Time()
	if on.IsZero() {
		y, m, d := time.Now().Date()
		on = ledger.Date(y, m, d)
	}
	if _, err := s.writableProject(ctx, in.Code); err != nil {
		return nil, err
	}
	if err := s.prog.SetStatus(ctx, in.Code, in.Body.Status, on, principalOf(ctx).User, in.Body.Note); err != nil {
		return nil, err
	}
	pr, err := s.prog.Project(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	return ok(projectOut(pr)), nil
}

// Budget approvals.

type budgetLineJSON struct {
	Category    string `json:"category" enum:"basic,improvement,upgrade"`
	WorkItem    string `json:"work_item,omitempty"`
	Description string `json:"description,omitempty"`
	Amount      string `json:"amount" minLength:"1"`
}

type sourceAmountJSON struct {
	Source   string    `json:"source"`
	Amount   moneyJSON `json:"amount,omitempty"`
	Previous moneyJSON `json:"previous,omitempty"`
	Now      moneyJSON `json:"now,omitempty"`
}

type approvalJSON struct {
	Project    string             `json:"project"`
	Version    int                `json:"version"`
	ApprovedOn string             `json:"approved_on"`
	RuleSetID  int64              `json:"rule_set_id"`
	RuleSet    string             `json:"rule_set"`
	Total      moneyJSON          `json:"total"`
	Lines      []budgetLineJSON   `json:"lines"`
	Sources    []sourceAmountJSON `json:"sources"`
	Deltas     []sourceAmountJSON `json:"deltas"`
	Steps      []string           `json:"steps"`
	EntryID    int64              `json:"entry_id,omitempty"`
	Unchanged  bool               `json:"unchanged,omitempty"`
}

func approvalOut(a funding.Approval) approvalJSON {
	out := approvalJSON{Project: a.Project, Version: a.Version, ApprovedOn: day(a.ApprovedOn), RuleSetID: a.RuleSetID,
		RuleSet: strings.TrimSpace(a.Allocation.RuleSet.Name + " " + a.Allocation.RuleSet.Version), Total: money(a.Total),
		Lines: []budgetLineJSON{}, Sources: []sourceAmountJSON{}, Deltas: []sourceAmountJSON{}, Steps: a.Allocation.Steps,
		EntryID: a.EntryID, Unchanged: a.Unchanged}
	if out.Steps == nil {
		out.Steps = []string{}
	}
	for _, l := range a.Lines {
		out.Lines = append(out.Lines, budgetLineJSON{Category: l.Category, WorkItem: l.WorkItem, Description: l.Description, Amount: money(l.Amount)})
	}
	for _, t := range a.Allocation.Totals {
		out.Sources = append(out.Sources, sourceAmountJSON{Source: t.Source, Amount: money(t.Amount)})
	}
	for _, d := range a.Deltas {
		out.Deltas = append(out.Deltas, sourceAmountJSON{Source: d.Source, Previous: money(d.Previous), Now: money(d.Now)})
	}
	return out
}

// postApproval approves a budget; the same lines again change nothing
// (200, Idempotent-Replayed: true).
func (s *Server) postApproval(ctx context.Context, in *codeWriteIn[requests.Approval]) (*writeOut[approvalJSON], error) {
	lines, refused := requests.Inputs("line", in.Body.Lines)
	if len(refused) > 0 {
		return nil, invalid("lines", "v.schema", "lines", refused[0])
	}
	return wrote(right(s.writableProject(ctx, in.Code)), func() (funding.Approval, error) {
		return s.prog.Approve(ctx, funding.ApprovalRequest{Project: in.Code, ApprovedOn: in.Body.ApprovedOn.Time(), Lines: lines, Actor: principalOf(ctx).User})
	}, func(ap funding.Approval) (approvalJSON, bool) { return approvalOut(ap), ap.Unchanged })
}

func (s *Server) getApproval(ctx context.Context, in *CodePath) (*bodyOut[approvalJSON], error) {
	if _, err := s.readableProject(ctx, in.Code); err != nil {
		return nil, err
	}
	ap, err := s.prog.LatestApproval(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	return ok(approvalOut(*ap)), nil
}

// Uploads of files: the raw body, named ?name=.

type UploadIn struct {
	KeyHeader
	Name    string `query:"name" doc:"the file's name (letters, digits, '.', '_', '-')"`
	RawBody []byte `contentType:"application/octet-stream"`
}

// upload checks the name and the body of an upload.
func upload(name string, data []byte, fallback string) (string, error) {
	if name == "" {
		name = fallback
	}
	if name == "" {
		return "", badParam("name", "v.required", "name")
	}
	if !ruleFileRE.MatchString(name) || name == "." || name == ".." {
		return "", badParam("name", "v.filename")
	}
	if len(data) == 0 {
		return "", invalid("body", "v.file")
	}
	return name, nil
}

// postPlanImport imports the plan table from the raw body. A file imported
// before answers 200 with Idempotent-Replayed: true.
func (s *Server) postPlanImport(ctx context.Context, in *UploadIn) (*writeOut[funding.PlanImportResult], error) {
	name, err := upload(in.Name, in.RawBody, "")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fundledger-plan-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, in.RawBody, 0o600); err != nil {
		return nil, err
	}
	res, err := s.prog.ImportPlan(ctx, path, principalOf(ctx).User)
	if err != nil {
		var pe funding.PlanErrors
		if errors.As(err, &pe) {
			p := invalid("body", "err.funding.ErrInvalid")
			p.cause = err
			return nil, p
		}
		return nil, err
	}
	return written(res, res.AlreadyImported), nil
}
