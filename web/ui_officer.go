package web

// The district officer's steps in the browser: register projects (a form
// or a JSON/CSV file, all or nothing), approve a budget (with the rule
// set's explanation), record a receipt, pay, reverse an entry. Every step
// is one form in the same shape; its first button previews (the very same
// funding call run as a dry run, funding.Programme.Preview: the entries it
// would post, the budget lines it draws on, or the refusal next to the
// field at fault), its second posts for real with the same idempotency
// key, so a preview followed by a post posts once.
//
//	GET  /districts/{code}/register      POST the same (preview | post)
//	GET  /projects/{code}/approve        POST the same
//	GET  /projects/{code}/receive        POST the same
//	GET  /projects/{code}/pay            POST the same
//	GET  /projects/{code}/reverse        POST the same

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/jsoninput"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/rules"
)

// MaxUploadBytes bounds a project file upload.
const MaxUploadBytes = 4 << 20

// MaxUploadProjects bounds the projects of one upload.
const MaxUploadProjects = 1000

// stepField is one input of a step's form.
type stepField struct {
	Name, Label string // label: message key
	Kind        string // text, number, date, amount, decimal, select, checkbox, file
	Required    bool
	Options     []stepOption
	Value       string
	// A field of a row of a list (rows:"N"): the list's label (message
	// key) and the row, from 1; the row is optional, so is the field.
	Group string
	Row   int
}

type stepOption struct{ Value, Label string }

// stepScope is what a step works on: a district, and for project steps a
// project.
type stepScope struct {
	District funding.District
	Project  *funding.Project
}

// officerStep is one step: its form and the funding call it makes.
type officerStep struct {
	name   string // path segment and message key suffix
	fields func(c stepCall) ([]stepField, error)
	// run makes the funding call (under a dry-run context for a preview);
	// done says what was done, for the page.
	run func(c stepCall) (done string, err error)
	// notes: what the page shows about the checks that apply (budget
	// lines, the rule set's explanation), read fresh for the page.
	notes func(c stepCall) (stepNotes, error)
}

// stepCall is one request of a step: the server, the request's context
// (a dry run's for a preview), the scope, the form's idempotency key.
type stepCall struct {
	*Server
	ctx   context.Context
	r     *http.Request
	scope stepScope
	key   string
	lang  string
	actor string
}

// formStep is a step whose form is the struct F (see decodeForm): its
// inputs rendered from F's tags, the posted values decoded into an F (an
// application or facility it names, of:"application|facility", checked to
// be of the page's project) and handed to run, the one funding call; what
// run says is done is shown only when it did not fail.
func formStep[F any](name string, run func(c stepCall, f F) (string, error)) officerStep {
	return officerStep{name: name,
		fields: func(c stepCall) ([]stepField, error) { return formFieldsOf[F](c.stepOptions) },
		run: func(c stepCall) (string, error) {
			var f F
			if err := decodePosted(c.r, &f); err != nil {
				return "", err
			}
			if err := c.ofThisProject(&f); err != nil {
				return "", err
			}
			done, err := run(c, f)
			if err != nil {
				return "", err
			}
			return done, nil
		}}
}

// withNotes is the step with the figures of its checks.
func (st officerStep) withNotes(notes func(c stepCall) (stepNotes, error)) officerStep {
	st.notes = notes
	return st
}

// stepNotes are the figures the checks use, shown next to the form.
type stepNotes struct {
	Lines   []funding.BudgetLine // 无预算不支出: budget, paid, remaining per line
	Explain []string             // the rule set's explanation of the latest approval
	RuleSet string
	Cash    []funding.SourcePosition
}

// fieldError is an input refused before any funding call, at its field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// previewEntry is an entry as a preview or a result shows it.
type previewEntry struct {
	Book     string
	Date     time.Time
	Memo     string
	Meta     map[string]string // the entry's metadata, for its memo
	Voucher  string
	Replayed bool
	Postings []previewPosting
}

type previewPosting struct {
	Account, Name, Side string
	Amount              decimal.Decimal
}

type stepPage struct {
	Lang       string
	Step       string
	Action     string
	Scope      stepScope
	Fields     []stepField
	Key        string
	Upload     bool
	Error      string
	ErrorField string
	Refused    []string // the rows of a batch refused, one message each
	Previewed  bool
	Preview    []previewEntry
	Done       string
	Notes      stepNotes
}

// View is the step's inputs for the template "formfields".
func (pg stepPage) View() formView {
	return formView{Lang: pg.Lang, ID: "f", Fields: pg.Fields, Error: pg.Error, Field: pg.ErrorField, Upload: pg.Upload}
}

func (s *Server) officerSteps() []officerStep {
	steps := []officerStep{
		{name: "register", fields: func(c stepCall) ([]stepField, error) { return formFieldsOf[registerForm](c.stepOptions) }, run: registerRun},
		formStep("approve", approveRun).withNotes(approveNotes),
		formStep("receive", receiveRun).withNotes(cashNotes),
		formStep("pay", payRun).withNotes(payNotes),
		formStep("reverse", reverseRun),
	}
	return append(steps, grantSteps()...)
}

// registerOfficerUI adds the step pages (called from registerMoreUI).
func (s *Server) registerOfficerUI() {
	for _, st := range s.officerSteps() {
		base := "/projects/{code}/" + st.name
		if st.name == "register" {
			base = "/districts/{code}/register"
		}
		page := s.htmlHeaders(s.browser(func(w http.ResponseWriter, r *http.Request) { s.stepPage(w, r, st) }))
		s.mux.Handle("GET "+base, page)
		s.mux.Handle("POST "+base, page)
	}
	s.registerListsUI()
}

// stepScopeOf loads the district or project of the path; the user must
// be able to write it.
func (s *Server) stepScopeOf(r *http.Request, st officerStep) (stepScope, error) {
	ctx := r.Context()
	code := r.PathValue("code")
	var sc stepScope
	district := code
	if st.name != "register" {
		pr, err := s.prog.Project(ctx, code)
		if err != nil {
			return sc, err
		}
		sc.Project = &pr
		district = pr.District
	}
	d, err := funding.LookupDistrict(ctx, s.db, district)
	if err != nil {
		return sc, err
	}
	sc.District = d
	return sc, principal(r).CheckWrite(d.Code)
}

func (s *Server) stepPage(w http.ResponseWriter, r *http.Request, st officerStep) {
	lang := langOf(r)
	sc, err := s.stepScopeOf(r, st)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	c := stepCall{Server: s, ctx: r.Context(), r: r, scope: sc, lang: lang, actor: principal(r).User}
	pg := stepPage{Lang: lang, Step: st.name, Action: r.URL.Path, Scope: sc, Upload: st.name == "register"}
	if pg.Fields, err = st.fields(c); err != nil {
		s.page500(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if pg.Upload {
			r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
			_ = r.ParseMultipartForm(MaxUploadBytes)
		}
		pg.Key = r.PostFormValue("key")
		if !formKeyRE.MatchString(pg.Key) {
			s.errorPage(w, r, http.StatusBadRequest, "err.csrf")
			return
		}
		for i := range pg.Fields {
			pg.Fields[i].Value = strings.TrimSpace(r.PostFormValue(pg.Fields[i].Name))
		}
		c.key = "web/" + c.actor + "/" + pg.Key
		if r.PostFormValue("action") == "post" {
			pg.Done, err = st.run(c)
		} else {
			var entries []ledger.Entry
			entries, err = s.prog.Preview(c.ctx, func(ctx context.Context) error {
				dry := c
				dry.ctx = ctx
				_, err := st.run(dry)
				return err
			})
			if err == nil {
				pg.Previewed = true
				pg.Preview = s.previewEntries(c.ctx, entries)
			}
		}
		if err != nil {
			code, text := stepMessage(lang, err)
			if code >= 500 {
				s.page500(w, r, err)
				return
			}
			status = http.StatusUnprocessableEntity
			pg.Error, pg.ErrorField = text, faultField(err)
			var ies funding.ItemErrors
			if errors.As(err, &ies) {
				for _, ie := range ies {
					_, t := userMessage(lang, ie.Err)
					pg.Refused = append(pg.Refused, fmt.Sprintf("%s %d (%s): %s", msg(lang, "step.row"), ie.Item, ie.Key, t))
				}
			}
			s.log.Info("step refused", "step", st.name, "user", c.actor, "reason", err.Error())
		}
		if pg.Done != "" {
			pg.Key = randomToken() // the next form is a new request
		}
	}
	if pg.Key == "" {
		pg.Key = randomToken()
	}
	if st.notes != nil {
		if pg.Notes, err = st.notes(c); err != nil {
			s.page500(w, r, err)
			return
		}
	}
	title := districtName(langOf(r), sc.District)
	if sc.Project != nil {
		title = sc.Project.Code + " " + sc.Project.Name
	}
	s.render(w, r, status, "officer_step.html", pageData{Title: "step." + st.name, TitleText: title, Data: pg})
}

// stepMessage is the message for a person of a step's refusal, and its
// status: an input refused by the form's decoder names its label.
func stepMessage(lang string, err error) (int, string) {
	var fe *formError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, fe.message(lang)
	}
	return userMessage(lang, err)
}

// faultField is the form field an error is about.
func faultField(err error) string {
	var fo *formError
	if errors.As(err, &fo) {
		return fo.Field
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	switch {
	case errors.Is(err, funding.ErrBudgetLineExceeded), errors.Is(err, ledger.ErrOverdraft), errors.Is(err, funding.ErrExceedsCommitment):
		return "amount"
	case errors.Is(err, funding.ErrNoBudgetLine):
		return "category"
	case errors.Is(err, funding.ErrNotEarmarked):
		return "source"
	case errors.Is(err, ledger.ErrPeriodClosed):
		return "date"
	}
	return ""
}

// previewEntries names the accounts of entries for the page.
func (s *Server) previewEntries(ctx context.Context, es []ledger.Entry) []previewEntry {
	out := make([]previewEntry, 0, len(es))
	l := s.prog.Ledger()
	for _, e := range es {
		pe := previewEntry{Book: string(e.Book), Date: e.EffectiveDate, Memo: e.Memo, Meta: e.Metadata, Voucher: e.Voucher, Replayed: e.Replayed}
		for _, p := range e.Postings {
			pp := previewPosting{Account: p.AccountCode, Side: string(p.Side), Amount: p.Amount}
			if a, err := l.Account(ctx, p.AccountCode); err == nil {
				pp.Name = a.Name
			}
			pe.Postings = append(pe.Postings, pp)
		}
		out = append(out, pe)
	}
	return out
}

// The options of the steps' selects (a form field's options:"…" tag).

// stepOptions are the options of a provider: the project's sources, every
// source, the categories, the district's and the city's bank accounts, the
// kinds of utility facility.
func (c stepCall) stepOptions(provider string) ([]stepOption, error) {
	switch provider {
	case "sources":
		srcs, err := projectSources(c.ctx, c.Server, c.scope)
		return sourceOptions(c.lang, srcs), err
	case "all_sources":
		var codes []string
		for _, src := range rules.Sources() {
			codes = append(codes, src.Code)
		}
		return sourceOptions(c.lang, codes), nil
	case "categories":
		return categoryOptions(c.lang), nil
	case "banks":
		return c.bankOptions(c.ctx, c.scope.District.Code)
	case "facility_kinds":
		return facilityKindOptions(c.lang), nil
	}
	return nil, fmt.Errorf("form: no options %q", provider)
}

func sourceOptions(lang string, codes []string) []stepOption {
	out := []stepOption{{"", "—"}}
	for _, c := range codes {
		out = append(out, stepOption{c, sourceName(lang, c)})
	}
	return out
}

func categoryOptions(lang string) []stepOption {
	out := []stepOption{{"", "—"}}
	for _, c := range []string{"basic", "improvement", "upgrade"} {
		out = append(out, stepOption{c, categoryName(lang, c)})
	}
	return out
}

// bankOptions: the district's and the city's accounts, with "—" first:
// the officer chooses; nothing is preselected.
func (s *Server) bankOptions(ctx context.Context, district string) ([]stepOption, error) {
	bs, err := s.prog.BankAccounts(ctx, district)
	if err != nil {
		return nil, err
	}
	out := []stepOption{{"", "—"}}
	for _, b := range bs {
		label := b.Code + " " + b.Name
		if b.District == "" {
			label += " (市 city)"
		}
		out = append(out, stepOption{b.Code, label})
	}
	return out, nil
}

func projectSources(ctx context.Context, s *Server, sc stepScope) ([]string, error) {
	if sc.Project == nil {
		return nil, nil
	}
	rep, err := s.prog.ProjectReport(ctx, sc.Project.Code, time.Time{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range rep.Sources {
		out = append(out, x.Source)
	}
	return out, nil
}

func today() string { return time.Now().Format(ledger.DateLayout) }

// Register projects.

// registerForm is a project typed in; the file input is the other way
// (a JSON or CSV file of many).
type registerForm struct {
	Code                string          `form:"code" label:"reg.code" required:"true"`
	Name                string          `form:"name" label:"reg.name" required:"true"`
	Address             string          `form:"address" label:"reg.address"`
	CompletedOn         time.Time       `form:"completed_on" label:"reg.completed_on" required:"true"`
	Households          int             `form:"households" label:"col.households"`
	FloorAreaM2         decimal.Decimal `form:"floor_area_m2" label:"reg.floor_area" kind:"decimal"`
	Buildings           int             `form:"buildings" label:"reg.buildings"`
	Elevators           int             `form:"elevators" label:"reg.elevators"`
	PlanYear            int             `form:"plan_year" label:"proj.planyear"`
	StateOwnedLand      bool            `form:"state_owned_land" label:"reg.state_owned"`
	SlatedForDemolition bool            `form:"slated_for_demolition" label:"reg.demolition"`
	File                string          `form:"file" label:"reg.file" kind:"file"`
}

// projectRow is a project of an uploaded file (JSON list or CSV with
// these column names).
type projectRow struct {
	funding.ProjectInput
	CompletedOn  string `json:"completed_on"`
	RegisteredOn string `json:"registered_on"`
}

func registerRun(c stepCall) (string, error) {
	var ins []funding.ProjectInput
	if f, hdr, err := c.r.FormFile("file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, MaxUploadBytes))
		if err != nil {
			return "", &fieldError{"file", err}
		}
		if ins, err = projectFile(hdr.Filename, data, c.scope.District.Code); err != nil {
			return "", err
		}
	} else {
		var f registerForm
		if err := decodePosted(c.r, &f); err != nil {
			return "", err
		}
		ins = []funding.ProjectInput{{District: c.scope.District.Code, Parties: map[string]string{}, Code: f.Code, Name: f.Name,
			Address: f.Address, CompletedOn: f.CompletedOn, Households: f.Households, FloorAreaM2: f.FloorAreaM2, Buildings: f.Buildings,
			Elevators: f.Elevators, PlanYear: f.PlanYear, StateOwnedLand: f.StateOwnedLand, SlatedForDemolition: f.SlatedForDemolition}}
	}
	prs, err := c.prog.RegisterProjects(c.ctx, ins, c.actor)
	if err != nil {
		return "", err
	}
	codes := make([]string, len(prs))
	for i, p := range prs {
		codes[i] = p.Code
	}
	return text(c.lang, "reg.done", len(prs), strings.Join(codes, "、")), nil
}

// projectFile reads an uploaded project file: a JSON list or a CSV whose
// header names the fields as the JSON does. Every project is in the
// page's district (a row naming another is refused by RegisterProjects'
// district check only if the district differs: here it is set).
func projectFile(name string, data []byte, district string) ([]funding.ProjectInput, error) {
	var rows []projectRow
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		var err error
		if rows, err = projectCSV(name, data); err != nil {
			return nil, &fieldError{"file", err}
		}
	} else {
		var err error
		if rows, err = jsoninput.DecodeList[projectRow](name, data); err != nil {
			return nil, &fieldError{"file", err}
		}
	}
	if len(rows) == 0 || len(rows) > MaxUploadProjects {
		return nil, &fieldError{"file", fmt.Errorf("%w: %s: want 1 to %d projects", funding.ErrInvalid, name, MaxUploadProjects)}
	}
	out := make([]funding.ProjectInput, len(rows))
	var bad funding.ItemErrors
	for i, x := range rows {
		in := x.ProjectInput
		if in.District == "" {
			in.District = district
		}
		var err error
		if in.CompletedOn, err = ledger.ParseDate(x.CompletedOn); err != nil {
			bad = append(bad, funding.ItemError{Item: i + 1, Key: in.Code, Err: invalid("completed_on", "v.date")})
		}
		if x.RegisteredOn != "" {
			if in.RegisteredOn, err = ledger.ParseDate(x.RegisteredOn); err != nil {
				bad = append(bad, funding.ItemError{Item: i + 1, Key: in.Code, Err: invalid("registered_on", "v.date")})
			}
		}
		out[i] = in
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return out, nil
}

func projectCSV(name string, data []byte) ([]projectRow, error) {
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", funding.ErrInvalid, name, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%w: %s: a header and at least one row", funding.ErrInvalid, name)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimSpace(h)] = i
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []projectRow
	for n, rec := range recs[1:] {
		x := projectRow{CompletedOn: get(rec, "completed_on"), RegisteredOn: get(rec, "registered_on")}
		x.Code, x.Name, x.District, x.Address = get(rec, "code"), get(rec, "name"), get(rec, "district"), get(rec, "address")
		for _, f := range []struct {
			k  string
			to *int
		}{{"households", &x.Households}, {"buildings", &x.Buildings}, {"elevators", &x.Elevators}, {"plan_year", &x.PlanYear}} {
			if v := get(rec, f.k); v != "" {
				if *f.to, err = strconv.Atoi(v); err != nil {
					return nil, fmt.Errorf("%w: %s: row %d: %s: not a whole number", funding.ErrInvalid, name, n+2, f.k)
				}
			}
		}
		if v := get(rec, "floor_area_m2"); v != "" {
			if x.FloorAreaM2, err = decimal.NewFromString(v); err != nil {
				return nil, fmt.Errorf("%w: %s: row %d: floor_area_m2: not a number", funding.ErrInvalid, name, n+2)
			}
		}
		x.StateOwnedLand = get(rec, "state_owned_land") == "true"
		x.SlatedForDemolition = get(rec, "slated_for_demolition") == "true"
		rows = append(rows, x)
	}
	return rows, nil
}

// Budget approval.

// approveForm is an approval: a sum per category (a line without a work
// item), lines of work items, and lines limiting what a source may pay
// for a category (the approval's source lines).
type approveForm struct {
	ApprovedOn  time.Time         `form:"approved_on" label:"appr.date" required:"true" default:"today"`
	Basic       decimal.Decimal   `form:"basic" label:"appr.basic"`
	Improvement decimal.Decimal   `form:"improvement" label:"appr.improvement"`
	Upgrade     decimal.Decimal   `form:"upgrade" label:"appr.upgrade"`
	WorkItems   []workItemLine    `form:"lines" label:"appr.lines" rows:"4"`
	SourceLines []sourceLimitLine `form:"source_lines" label:"appr.source_lines" rows:"3"`
}

// workItemLine is a budget line of a work item (工程子项).
type workItemLine struct {
	Category    string          `form:"category" label:"col.category" options:"categories" required:"true"`
	WorkItem    string          `form:"work_item" label:"pay.work_item" required:"true"`
	Description string          `form:"description" label:"gs.description"`
	Amount      decimal.Decimal `form:"amount" label:"rcpt.amount" required:"true"`
}

// sourceLimitLine is the most a source may pay for a category.
type sourceLimitLine struct {
	Category string          `form:"category" label:"col.category" options:"categories" required:"true"`
	Source   string          `form:"source" label:"col.source" options:"all_sources" required:"true"`
	Amount   decimal.Decimal `form:"amount" label:"appr.source_amount" required:"true"`
}

func approveRun(c stepCall, f approveForm) (string, error) {
	req := funding.ApprovalRequest{Project: c.scope.Project.Code, ApprovedOn: f.ApprovedOn, Actor: c.actor}
	for _, l := range []funding.BudgetLineInput{{Category: "basic", Amount: f.Basic}, {Category: "improvement", Amount: f.Improvement},
		{Category: "upgrade", Amount: f.Upgrade}} {
		if l.Amount.IsPositive() {
			req.Lines = append(req.Lines, l)
		}
	}
	for _, l := range f.WorkItems {
		req.Lines = append(req.Lines, funding.BudgetLineInput{Category: l.Category, WorkItem: l.WorkItem, Description: l.Description, Amount: l.Amount})
	}
	for _, l := range f.SourceLines {
		req.SourceLines = append(req.SourceLines, funding.SourceLineInput{Category: l.Category, Source: l.Source, Amount: l.Amount})
	}
	if len(req.Lines) == 0 {
		return "", &formError{Field: "basic", Label: "appr.basic", Key: "v.lines"}
	}
	ap, err := c.prog.Approve(c.ctx, req)
	if err != nil {
		return "", err
	}
	if ap.Unchanged {
		return msg(c.lang, "appr.unchanged"), nil
	}
	return text(c.lang, "appr.done", ap.Version, report.Amount(ap.Total)), nil
}

func approveNotes(c stepCall) (stepNotes, error) {
	var n stepNotes
	ap, err := c.prog.LatestApproval(c.ctx, c.scope.Project.Code)
	if err != nil || ap == nil {
		return n, nil // no approval yet: nothing to explain
	}
	al := ap.Allocation
	n.RuleSet = fmt.Sprintf("%s %s (%s) v%d", al.RuleSet.Name, al.RuleSet.Version, day(ap.ApprovedOn), ap.Version)
	n.Explain = explanation(c.lang, al)
	return n, nil
}

// Receipts.

type receiveForm struct {
	Source      string          `form:"source" label:"rcpt.source" options:"sources" required:"true"`
	Amount      decimal.Decimal `form:"amount" label:"rcpt.amount" required:"true"`
	Date        time.Time       `form:"date" label:"rcpt.date" required:"true" default:"today"`
	BankAccount string          `form:"bank_account" label:"rcpt.bank" options:"banks" required:"true"`
	Reference   string          `form:"reference" label:"rcpt.reference"`
	Memo        string          `form:"memo" label:"rcpt.memo"`
}

func receiveRun(c stepCall, f receiveForm) (string, error) {
	m, err := c.prog.Receive(c.ctx, funding.ReceiptRequest{Project: c.scope.Project.Code, Source: f.Source, Amount: f.Amount,
		ReceivedOn: f.Date, BankAccount: f.BankAccount, Reference: f.Reference, Memo: f.Memo, IdempotencyKey: c.key, Actor: c.actor})
	if err != nil {
		return "", err
	}
	return movementDone(c.ctx, c.Server, c.lang, m), nil
}

func movementDone(ctx context.Context, s *Server, lang string, m funding.Movement) string {
	v := fmt.Sprintf("#%d", m.FinancialEntry)
	if e, err := s.prog.Ledger().Entry(ctx, m.FinancialEntry); err == nil && e.Voucher != "" {
		v = e.Voucher
	}
	if m.Replayed {
		return msg(lang, "step.replayed") + " " + v
	}
	return msg(lang, "step.posted") + " " + v
}

func cashNotes(c stepCall) (stepNotes, error) {
	rep, err := c.prog.ProjectReport(c.ctx, c.scope.Project.Code, time.Time{})
	if err != nil {
		return stepNotes{}, err
	}
	return stepNotes{Cash: rep.Sources}, nil
}

// Payments.

type payForm struct {
	Source      string          `form:"source" label:"rcpt.source" options:"sources" required:"true"`
	Category    string          `form:"category" label:"col.category" options:"categories" required:"true"`
	WorkItem    string          `form:"work_item" label:"pay.work_item"`
	Amount      decimal.Decimal `form:"amount" label:"rcpt.amount" required:"true"`
	Date        time.Time       `form:"date" label:"pay.date" required:"true" default:"today"`
	Payee       string          `form:"payee" label:"pay.payee" required:"true"`
	BankAccount string          `form:"bank_account" label:"pay.bank" options:"banks" required:"true"`
	Reference   string          `form:"reference" label:"rcpt.reference"`
	Memo        string          `form:"memo" label:"rcpt.memo"`
}

func payRun(c stepCall, f payForm) (string, error) {
	if _, ok := rules.LookupCategory(f.Category); !ok {
		return "", &formError{Field: "category", Label: "col.category", Key: "v.category"}
	}
	m, err := c.prog.Disburse(c.ctx, funding.DisbursementRequest{Project: c.scope.Project.Code, Source: f.Source, Category: f.Category,
		WorkItem: f.WorkItem, Amount: f.Amount, PaidOn: f.Date, Payee: f.Payee, BankAccount: f.BankAccount, Reference: f.Reference,
		Memo: f.Memo, IdempotencyKey: c.key, Actor: c.actor})
	if err != nil {
		return "", err
	}
	return movementDone(c.ctx, c.Server, c.lang, m), nil
}

func payNotes(c stepCall) (stepNotes, error) {
	n, err := cashNotes(c)
	if err != nil {
		return n, err
	}
	n.Lines, err = c.prog.BudgetLines(c.ctx, c.scope.Project.Code, time.Time{})
	return n, err
}

// Reversal.

type reverseForm struct {
	Entry  string    `form:"entry" label:"rev.entry" required:"true"`
	Reason string    `form:"reason" label:"rev.reason" required:"true"`
	Date   time.Time `form:"date" label:"rev.date"`
}

func reverseRun(c stepCall, f reverseForm) (string, error) {
	l := c.prog.Ledger()
	var e ledger.Entry
	var err error
	if id, perr := strconv.ParseInt(strings.TrimPrefix(f.Entry, "#"), 10, 64); perr == nil {
		e, err = l.Entry(c.ctx, id)
	} else if v, perr := ledger.ParseVoucher(f.Entry); perr == nil {
		e, err = l.EntryByVoucher(c.ctx, v)
	} else {
		return "", &formError{Field: "entry", Label: "rev.entry", Key: "v.entry"}
	}
	if err != nil {
		return "", &fieldError{"entry", err}
	}
	// Only an entry of this project (its metadata or its accounts' project).
	if e.Metadata["project"] != c.scope.Project.Code {
		return "", &fieldError{"entry", fmt.Errorf("%w: entry %d is not of project %s", funding.ErrNotFound, e.ID, c.scope.Project.Code)}
	}
	// A receipt or payment posted a financial and a budget entry: funding
	// reverses both in one transaction, or neither.
	out, err := c.prog.ReversePayment(c.ctx, funding.PaymentReversal{Entry: e.ID, Reason: f.Reason, Date: f.Date,
		Actor: c.actor, IdempotencyKey: c.key})
	if err != nil {
		return "", err
	}
	var vouchers []string
	for _, rev := range out.Reversals {
		// Voucher numbers are assigned at commit: read them back.
		if stored, err := c.prog.Ledger().Entry(c.ctx, rev.ID); err == nil {
			rev = stored
		}
		if rev.Voucher != "" {
			vouchers = append(vouchers, rev.Voucher)
		} else {
			vouchers = append(vouchers, fmt.Sprintf("#%d", rev.ID))
		}
	}
	return msg(c.lang, "step.posted") + " " + strings.Join(vouchers, "、"), nil
}

var officerMessages = map[string][2]string{
	"step.register":      {"登记项目", "Register projects"},
	"step.approve":       {"批复预算", "Approve the budget"},
	"step.receive":       {"登记资金到位", "Record a receipt"},
	"step.pay":           {"支付（拨付）", "Pay (disburse)"},
	"step.reverse":       {"冲销分录", "Reverse an entry"},
	"step.preview":       {"预览", "Preview"},
	"step.post":          {"确认过账", "Confirm and post"},
	"step.previewtitle":  {"将要过账的分录（尚未保存）", "Entries that would be posted (nothing stored yet)"},
	"step.previewnone":   {"检查通过，不产生分录。", "The checks pass; no entry would be posted."},
	"step.posted":        {"已过账，凭证", "Posted, voucher"},
	"step.replayed":      {"该表单已提交过，未重复过账。凭证", "This form was already posted; nothing was posted twice. Voucher"},
	"step.row":           {"第", "Row"},
	"step.refused":       {"被拒绝的行（全部未登记）", "Refused rows (nothing was registered)"},
	"step.checks":        {"适用的检查", "The checks that apply"},
	"step.lines":         {"预算指标（无预算不支出）", "Budget lines (no payment without budget)"},
	"step.cash":          {"各来源专款（专款专用）", "Earmarked cash by source (each source pays only what it was given for)"},
	"step.explain":       {"资金分担规则说明", "How the rule set split the budget"},
	"step.steps":         {"操作", "Steps"},
	"step.replayednote":  {"（已过账）", "(already posted)"},
	"step.side.debit":    {"借", "Dr"},
	"step.side.credit":   {"贷", "Cr"},
	"step.file.or":       {"或上传文件（JSON 或 CSV，全部成功或全部不登记）", "Or upload a file (JSON or CSV, all or nothing)"},
	"col.account":        {"科目", "Account"},
	"col.side":           {"借贷", "Side"},
	"col.voucher":        {"凭证号", "Voucher"},
	"col.remaining":      {"尚余", "Remaining"},
	"reg.code":           {"项目编号", "Project code"},
	"reg.name":           {"小区名称", "Community name"},
	"reg.address":        {"地址", "Address"},
	"reg.completed_on":   {"建成日期", "Completed on"},
	"reg.floor_area":     {"建筑面积（平方米）", "Floor area (m²)"},
	"reg.buildings":      {"楼栋数", "Buildings"},
	"reg.elevators":      {"电梯数", "Elevators"},
	"reg.state_owned":    {"国有土地", "State-owned land"},
	"reg.demolition":     {"列入拆迁", "Slated for demolition"},
	"reg.file":           {"项目文件", "Project file"},
	"reg.done":           {"已登记 %d 个项目：%s", "%d project(s) registered: %s"},
	"appr.date":          {"批复日期", "Approved on"},
	"appr.basic":         {"基础类（元）", "Basic (yuan)"},
	"appr.improvement":   {"完善类（元）", "Improvement (yuan)"},
	"appr.upgrade":       {"提升类（元）", "Upgrade (yuan)"},
	"appr.done":          {"已批复预算（第 %d 版），合计 %s 元", "Budget approved (version %d), total %s"},
	"appr.lines":         {"工程子项预算", "Work item lines"},
	"appr.source_lines":  {"分来源限额（可不填）", "Limit by source (optional)"},
	"appr.source_amount": {"该来源最多支付（元）", "Most this source pays (yuan)"},
	"appr.unchanged":     {"与现行批复相同，未作改动。", "The same as the approval in force: nothing changed."},
	"pay.work_item":      {"工程子项", "Work item"},
	"pay.date":           {"支付日期", "Paid on"},
	"pay.payee":          {"收款单位", "Payee"},
	"pay.bank":           {"付款账户", "Paying bank account"},
	"rev.entry":          {"分录号或凭证号", "Entry id or voucher"},
	"rev.reason":         {"冲销理由", "Reason"},
	"rev.date":           {"冲销日期（空：原分录日期）", "Reversal date (empty: the entry's own)"},
	"v.integer":          {"“%s”：须为整数。", "%s: must be a whole number."},
	"v.entry":            {"“%s”：请填写分录号或凭证号。", "%s: give an entry id or a voucher number."},
}

func init() {
	// The dry run's answer never reaches a person (Preview turns it into
	// the entries it collected); catalogued all the same.
	dry := catalogued{ledger.ErrDryRun, "ledger.ErrDryRun", http.StatusConflict, "dry_run",
		"这只是预览：没有保存任何内容。", "This was a preview: nothing was stored."}
	errorCatalogue = append(errorCatalogue, dry)
	messages["err."+dry.name] = [2]string{dry.zh, dry.en}
}
