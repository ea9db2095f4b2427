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
	Kind        string // text, number, date, amount, select, checkbox, file
	Required    bool
	Options     []stepOption
	Value       string
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
	fields func(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error)
	// run makes the funding call (under a dry-run context for a preview);
	// done says what was done, for the page.
	run func(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (done string, err error)
	// notes: what the page shows about the checks that apply (budget
	// lines, the rule set's explanation), read fresh for the page.
	notes func(s *Server, ctx context.Context, lang string, sc stepScope) (stepNotes, error)
	// direct: the funding call writes outside a ledger transaction (so a
	// dry run could not roll it back): its preview runs nothing and says
	// so; the confirm saves.
	direct bool
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
	Voucher  string
	Replayed bool
	Postings []previewPosting
}

type previewPosting struct {
	Account, Name, Side string
	Amount              decimal.Decimal
}

type stepPage struct {
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
	Direct     bool // previewed without running (officerStep.direct)
	Preview    []previewEntry
	Done       string
	Notes      stepNotes
}

func (s *Server) officerSteps() []officerStep {
	steps := []officerStep{
		{name: "register", fields: registerFields, run: registerRun},
		{name: "approve", fields: approveFields, run: approveRun, notes: approveNotes},
		{name: "receive", fields: receiveFields, run: receiveRun, notes: cashNotes},
		{name: "pay", fields: payFields, run: payRun, notes: payNotes},
		{name: "reverse", fields: reverseFields, run: reverseRun},
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
		s.mux.Handle("GET "+base, s.htmlHeaders(s.browser(func(w http.ResponseWriter, r *http.Request) { s.stepPage(w, r, st) })))
		s.mux.Handle("POST "+base, s.htmlHeaders(s.browser(func(w http.ResponseWriter, r *http.Request) { s.stepPage(w, r, st) })))
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
	ctx := r.Context()
	lang := langOf(r)
	sc, err := s.stepScopeOf(r, st)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := stepPage{Step: st.name, Action: r.URL.Path, Scope: sc, Upload: st.name == "register"}
	if pg.Fields, err = st.fields(s, ctx, lang, sc); err != nil {
		s.page500(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if st.name == "register" {
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
		key := "web/" + principal(r).User + "/" + pg.Key
		if r.PostFormValue("action") == "post" {
			pg.Done, err = st.run(s, ctx, r, sc, key)
		} else if st.direct {
			pg.Previewed, pg.Direct = true, true
		} else {
			var entries []ledger.Entry
			entries, err = s.prog.Preview(ctx, func(ctx context.Context) error {
				_, err := st.run(s, ctx, r, sc, key)
				return err
			})
			if err == nil {
				pg.Previewed = true
				pg.Preview = s.previewEntries(ctx, entries)
			}
		}
		if err != nil {
			code, text := userMessage(lang, err)
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
			s.log.Info("step refused", "step", st.name, "user", principal(r).User, "reason", err.Error())
		}
		if pg.Done != "" {
			pg.Key = randomToken() // the next form is a new request
		}
	}
	if pg.Key == "" {
		pg.Key = randomToken()
	}
	if st.notes != nil {
		if pg.Notes, err = st.notes(s, ctx, lang, sc); err != nil {
			s.page500(w, r, err)
			return
		}
	}
	title := sc.District.NameZh
	if sc.Project != nil {
		title = sc.Project.Code + " " + sc.Project.Name
	}
	s.render(w, r, status, "officer_step.html", pageData{Title: "step." + st.name, TitleText: title, Data: pg})
}

// faultField is the form field an error is about.
func faultField(err error) string {
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
		pe := previewEntry{Book: string(e.Book), Date: e.EffectiveDate, Memo: e.Memo, Voucher: e.Voucher, Replayed: e.Replayed}
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

// Fields shared by the steps.

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

func formValue(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

func amountField(r *http.Request, name string) (decimal.Decimal, error) {
	d, err := parseAmount(name, formValue(r, name))
	if err != nil {
		return d, &fieldError{name, err}
	}
	return d, nil
}

func dayField(r *http.Request, name string) (time.Time, error) {
	t, err := parseDay(name, formValue(r, name))
	if err != nil {
		return t, &fieldError{name, err}
	}
	return t, nil
}

func requiredField(r *http.Request, lang, name, label string) (string, error) {
	v := formValue(r, name)
	if v == "" {
		return "", &fieldError{name, invalid(name, "v.required", msg(lang, label))}
	}
	return v, nil
}

func intField(r *http.Request, name string) (int, error) {
	v := formValue(r, name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &fieldError{name, invalid(name, "v.integer", name)}
	}
	return n, nil
}

// Register projects.

func registerFields(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
	return []stepField{
		{Name: "code", Label: "reg.code", Kind: "text"},
		{Name: "name", Label: "reg.name", Kind: "text"},
		{Name: "address", Label: "reg.address", Kind: "text"},
		{Name: "completed_on", Label: "reg.completed_on", Kind: "date"},
		{Name: "households", Label: "col.households", Kind: "number"},
		{Name: "floor_area_m2", Label: "reg.floor_area", Kind: "amount"},
		{Name: "buildings", Label: "reg.buildings", Kind: "number"},
		{Name: "elevators", Label: "reg.elevators", Kind: "number"},
		{Name: "plan_year", Label: "proj.planyear", Kind: "number"},
		{Name: "state_owned_land", Label: "reg.state_owned", Kind: "checkbox"},
		{Name: "slated_for_demolition", Label: "reg.demolition", Kind: "checkbox"},
		{Name: "file", Label: "reg.file", Kind: "file"},
	}, nil
}

// projectRow is a project of an uploaded file (JSON list or CSV with
// these column names).
type projectRow struct {
	funding.ProjectInput
	CompletedOn  string `json:"completed_on"`
	RegisteredOn string `json:"registered_on"`
}

func registerRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	var ins []funding.ProjectInput
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, MaxUploadBytes))
		if err != nil {
			return "", &fieldError{"file", err}
		}
		if ins, err = projectFile(hdr.Filename, data, sc.District.Code); err != nil {
			return "", err
		}
	} else {
		in := funding.ProjectInput{District: sc.District.Code, Parties: map[string]string{}}
		var err error
		if in.Code, err = requiredField(r, lang, "code", "reg.code"); err != nil {
			return "", err
		}
		if in.Name, err = requiredField(r, lang, "name", "reg.name"); err != nil {
			return "", err
		}
		in.Address = formValue(r, "address")
		if in.CompletedOn, err = dayField(r, "completed_on"); err != nil {
			return "", err
		}
		for _, x := range []struct {
			name string
			to   *int
		}{{"households", &in.Households}, {"buildings", &in.Buildings}, {"elevators", &in.Elevators}, {"plan_year", &in.PlanYear}} {
			if *x.to, err = intField(r, x.name); err != nil {
				return "", err
			}
		}
		if v := formValue(r, "floor_area_m2"); v != "" {
			if in.FloorAreaM2, err = parseDecimal("floor_area_m2", v); err != nil {
				return "", &fieldError{"floor_area_m2", err}
			}
		}
		in.StateOwnedLand = r.PostFormValue("state_owned_land") != ""
		in.SlatedForDemolition = r.PostFormValue("slated_for_demolition") != ""
		ins = []funding.ProjectInput{in}
	}
	prs, err := s.prog.RegisterProjects(ctx, ins, principal(r).User)
	if err != nil {
		return "", err
	}
	codes := make([]string, len(prs))
	for i, p := range prs {
		codes[i] = p.Code
	}
	return text(lang, "reg.done", len(prs), strings.Join(codes, "、")), nil
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

func approveFields(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
	return []stepField{
		{Name: "approved_on", Label: "appr.date", Kind: "date", Required: true, Value: today()},
		{Name: "basic", Label: "appr.basic", Kind: "amount"},
		{Name: "improvement", Label: "appr.improvement", Kind: "amount"},
		{Name: "upgrade", Label: "appr.upgrade", Kind: "amount"},
	}, nil
}

func approveRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	on, err := dayField(r, "approved_on")
	if err != nil {
		return "", err
	}
	req := funding.ApprovalRequest{Project: sc.Project.Code, ApprovedOn: on, Actor: principal(r).User}
	for _, c := range []string{"basic", "improvement", "upgrade"} {
		if formValue(r, c) == "" {
			continue
		}
		a, err := amountField(r, c)
		if err != nil {
			return "", err
		}
		req.Lines = append(req.Lines, funding.BudgetLineInput{Category: c, Amount: a})
	}
	if len(req.Lines) == 0 {
		return "", &fieldError{"basic", invalid("basic", "v.lines")}
	}
	ap, err := s.prog.Approve(ctx, req)
	if err != nil {
		return "", err
	}
	if ap.Unchanged {
		return msg(lang, "appr.unchanged"), nil
	}
	return text(lang, "appr.done", ap.Version, report.Amount(ap.Total)), nil
}

func approveNotes(s *Server, ctx context.Context, lang string, sc stepScope) (stepNotes, error) {
	var n stepNotes
	ap, err := s.prog.LatestApproval(ctx, sc.Project.Code)
	if err != nil || ap == nil {
		return n, nil // no approval yet: nothing to explain
	}
	al := ap.Allocation
	n.RuleSet = fmt.Sprintf("%s %s (%s) v%d", al.RuleSet.Name, al.RuleSet.Version, day(ap.ApprovedOn), ap.Version)
	n.Explain = al.Steps
	return n, nil
}

// Receipts.

func receiveFields(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
	srcs, err := projectSources(ctx, s, sc)
	if err != nil {
		return nil, err
	}
	banks, err := s.bankOptions(ctx, sc.District.Code)
	if err != nil {
		return nil, err
	}
	return []stepField{
		{Name: "source", Label: "rcpt.source", Kind: "select", Required: true, Options: sourceOptions(lang, srcs)},
		{Name: "amount", Label: "rcpt.amount", Kind: "amount", Required: true},
		{Name: "date", Label: "rcpt.date", Kind: "date", Required: true, Value: today()},
		{Name: "bank_account", Label: "rcpt.bank", Kind: "select", Required: true, Options: banks},
		{Name: "reference", Label: "rcpt.reference", Kind: "text"},
		{Name: "memo", Label: "rcpt.memo", Kind: "text"},
	}, nil
}

func receiveRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	req := funding.ReceiptRequest{Project: sc.Project.Code, Reference: formValue(r, "reference"), Memo: formValue(r, "memo"),
		IdempotencyKey: key, Actor: principal(r).User}
	var err error
	if req.Source, err = requiredField(r, lang, "source", "rcpt.source"); err != nil {
		return "", err
	}
	if req.Amount, err = amountField(r, "amount"); err != nil {
		return "", err
	}
	if req.ReceivedOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if req.BankAccount, err = requiredField(r, lang, "bank_account", "rcpt.bank"); err != nil {
		return "", err
	}
	m, err := s.prog.Receive(ctx, req)
	if err != nil {
		return "", err
	}
	return movementDone(ctx, s, lang, m), nil
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

func cashNotes(s *Server, ctx context.Context, lang string, sc stepScope) (stepNotes, error) {
	rep, err := s.prog.ProjectReport(ctx, sc.Project.Code, time.Time{})
	if err != nil {
		return stepNotes{}, err
	}
	return stepNotes{Cash: rep.Sources}, nil
}

// Payments.

func payFields(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
	srcs, err := projectSources(ctx, s, sc)
	if err != nil {
		return nil, err
	}
	banks, err := s.bankOptions(ctx, sc.District.Code)
	if err != nil {
		return nil, err
	}
	return []stepField{
		{Name: "source", Label: "rcpt.source", Kind: "select", Required: true, Options: sourceOptions(lang, srcs)},
		{Name: "category", Label: "col.category", Kind: "select", Required: true, Options: categoryOptions(lang)},
		{Name: "work_item", Label: "pay.work_item", Kind: "text"},
		{Name: "amount", Label: "rcpt.amount", Kind: "amount", Required: true},
		{Name: "date", Label: "pay.date", Kind: "date", Required: true, Value: today()},
		{Name: "payee", Label: "pay.payee", Kind: "text", Required: true},
		{Name: "bank_account", Label: "pay.bank", Kind: "select", Required: true, Options: banks},
		{Name: "reference", Label: "rcpt.reference", Kind: "text"},
		{Name: "memo", Label: "rcpt.memo", Kind: "text"},
	}, nil
}

func payRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	req := funding.DisbursementRequest{Project: sc.Project.Code, WorkItem: formValue(r, "work_item"),
		Reference: formValue(r, "reference"), Memo: formValue(r, "memo"), IdempotencyKey: key, Actor: principal(r).User}
	var err error
	if req.Source, err = requiredField(r, lang, "source", "rcpt.source"); err != nil {
		return "", err
	}
	if req.Category, err = requiredField(r, lang, "category", "col.category"); err != nil {
		return "", err
	}
	if _, ok := rules.LookupCategory(req.Category); !ok {
		return "", &fieldError{"category", invalid("category", "v.category")}
	}
	if req.Amount, err = amountField(r, "amount"); err != nil {
		return "", err
	}
	if req.PaidOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if req.Payee, err = requiredField(r, lang, "payee", "pay.payee"); err != nil {
		return "", err
	}
	if req.BankAccount, err = requiredField(r, lang, "bank_account", "pay.bank"); err != nil {
		return "", err
	}
	m, err := s.prog.Disburse(ctx, req)
	if err != nil {
		return "", err
	}
	return movementDone(ctx, s, lang, m), nil
}

func payNotes(s *Server, ctx context.Context, lang string, sc stepScope) (stepNotes, error) {
	n, err := cashNotes(s, ctx, lang, sc)
	if err != nil {
		return n, err
	}
	n.Lines, err = s.prog.BudgetLines(ctx, sc.Project.Code, time.Time{})
	return n, err
}

// Reversal.

func reverseFields(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
	return []stepField{
		{Name: "entry", Label: "rev.entry", Kind: "text", Required: true},
		{Name: "reason", Label: "rev.reason", Kind: "text", Required: true},
		{Name: "date", Label: "rev.date", Kind: "date"},
	}, nil
}

func reverseRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	ref, err := requiredField(r, lang, "entry", "rev.entry")
	if err != nil {
		return "", err
	}
	reason, err := requiredField(r, lang, "reason", "rev.reason")
	if err != nil {
		return "", err
	}
	var on time.Time
	if formValue(r, "date") != "" {
		if on, err = dayField(r, "date"); err != nil {
			return "", err
		}
	}
	l := s.prog.Ledger()
	var e ledger.Entry
	if id, perr := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); perr == nil {
		e, err = l.Entry(ctx, id)
	} else if v, perr := ledger.ParseVoucher(ref); perr == nil {
		e, err = l.EntryByVoucher(ctx, v)
	} else {
		return "", &fieldError{"entry", invalid("entry", "v.entry", msg(lang, "rev.entry"))}
	}
	if err != nil {
		return "", &fieldError{"entry", err}
	}
	// Only an entry of this project (its metadata or its accounts' project).
	if e.Metadata["project"] != sc.Project.Code {
		return "", &fieldError{"entry", fmt.Errorf("%w: entry %d is not of project %s", funding.ErrNotFound, e.ID, sc.Project.Code)}
	}
	// A receipt or payment posted a financial and a budget entry under
	// one key: both are reversed (a replay of this form finishes a pair
	// half reversed: each reversal has its own key).
	ids := []int64{e.ID}
	for _, pair := range [][2]string{{"/financial", "/budget"}, {"/budget", "/financial"}} {
		if base, ok := strings.CutSuffix(e.IdempotencyKey, pair[0]); ok {
			if id, err := l.EntryIDByKey(ctx, base+pair[1]); err == nil {
				ids = append(ids, id)
			}
		}
	}
	var vouchers []string
	dry := false
	for _, id := range ids {
		rev, err := l.Reverse(ctx, id, ledger.ReverseRequest{Reason: reason, Actor: principal(r).User, Date: on,
			IdempotencyKey: key + "/" + strconv.FormatInt(id, 10)})
		switch {
		case errors.Is(err, ledger.ErrDryRun):
			dry = true
		case err != nil:
			return "", err
		case rev.Voucher != "":
			vouchers = append(vouchers, rev.Voucher)
		default:
			vouchers = append(vouchers, fmt.Sprintf("#%d", rev.ID))
		}
	}
	if dry {
		return "", ledger.ErrDryRun
	}
	return msg(lang, "step.posted") + " " + strings.Join(vouchers, "、"), nil
}

var officerMessages = map[string][2]string{
	"step.register":     {"登记项目", "Register projects"},
	"step.approve":      {"批复预算", "Approve the budget"},
	"step.receive":      {"登记资金到位", "Record a receipt"},
	"step.pay":          {"支付（拨付）", "Pay (disburse)"},
	"step.reverse":      {"冲销分录", "Reverse an entry"},
	"step.preview":      {"预览", "Preview"},
	"step.post":         {"确认过账", "Confirm and post"},
	"step.previewtitle": {"将要过账的分录（尚未保存）", "Entries that would be posted (nothing stored yet)"},
	"step.previewnone":  {"检查通过，不产生分录。", "The checks pass; no entry would be posted."},
	"step.posted":       {"已过账，凭证", "Posted, voucher"},
	"step.replayed":     {"该表单已提交过，未重复过账。凭证", "This form was already posted; nothing was posted twice. Voucher"},
	"step.row":          {"第", "Row"},
	"step.refused":      {"被拒绝的行（全部未登记）", "Refused rows (nothing was registered)"},
	"step.checks":       {"适用的检查", "The checks that apply"},
	"step.lines":        {"预算指标（无预算不支出）", "Budget lines (no payment without budget)"},
	"step.cash":         {"各来源专款（专款专用）", "Earmarked cash by source (专款专用)"},
	"step.explain":      {"资金分担规则说明", "How the rule set split the budget"},
	"step.steps":        {"操作", "Steps"},
	"step.replayednote": {"（已过账）", "(already posted)"},
	"step.side.debit":   {"借", "Dr"},
	"step.side.credit":  {"贷", "Cr"},
	"step.file.or":      {"或上传文件（JSON 或 CSV，全部成功或全部不登记）", "Or upload a file (JSON or CSV, all or nothing)"},
	"col.account":       {"科目", "Account"},
	"col.side":          {"借贷", "Side"},
	"col.voucher":       {"凭证号", "Voucher"},
	"col.remaining":     {"尚余", "Remaining"},
	"reg.code":          {"项目编号", "Project code"},
	"reg.name":          {"小区名称", "Community name"},
	"reg.address":       {"地址", "Address"},
	"reg.completed_on":  {"建成日期", "Completed on"},
	"reg.floor_area":    {"建筑面积（平方米）", "Floor area (m²)"},
	"reg.buildings":     {"楼栋数", "Buildings"},
	"reg.elevators":     {"电梯数", "Elevators"},
	"reg.state_owned":   {"国有土地", "State-owned land"},
	"reg.demolition":    {"列入拆迁", "Slated for demolition"},
	"reg.file":          {"项目文件", "Project file"},
	"reg.done":          {"已登记 %d 个项目：%s", "%d project(s) registered: %s"},
	"appr.date":         {"批复日期", "Approved on"},
	"appr.basic":        {"基础类（元）", "Basic (yuan)"},
	"appr.improvement":  {"完善类（元）", "Improvement (yuan)"},
	"appr.upgrade":      {"提升类（元）", "Upgrade (yuan)"},
	"appr.done":         {"已批复预算（第 %d 版），合计 %s 元", "Budget approved (version %d), total %s"},
	"appr.unchanged":    {"与现行批复相同，未作改动。", "The same as the approval in force: nothing changed."},
	"pay.work_item":     {"工程子项", "Work item"},
	"pay.date":          {"支付日期", "Paid on"},
	"pay.payee":         {"收款单位", "Payee"},
	"pay.bank":          {"付款账户", "Paying bank account"},
	"rev.entry":         {"分录号或凭证号", "Entry id or voucher"},
	"rev.reason":        {"冲销理由", "Reason"},
	"rev.date":          {"冲销日期（空：原分录日期）", "Reversal date (empty: the entry's own)"},
	"v.integer":         {"%s：须为整数。", "%s: must be a whole number."},
	"v.entry":           {"%s：请填写分录号或凭证号。", "%s: give an entry id or a voucher number."},
}

func init() {
	// The dry run's answer never reaches a person (Preview turns it into
	// the entries it collected); catalogued all the same.
	dry := catalogued{ledger.ErrDryRun, "ledger.ErrDryRun", http.StatusConflict, "dry_run",
		"这只是预览：没有保存任何内容。", "This was a preview: nothing was stored."}
	errorCatalogue = append(errorCatalogue, dry)
	messages["err."+dry.name] = [2]string{dry.zh, dry.en}
	for k, v := range officerMessages {
		if _, taken := messages[k]; !taken {
			messages[k] = v
		}
	}
}
