package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
)

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDoc)
}

// Wire forms: amounts are strings with two decimals, dates YYYY-MM-DD.

type moneyJSON = string

func money(d decimal.Decimal) moneyJSON { return d.StringFixed(2) }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(ledger.DateLayout)
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

type projectReportJSON struct {
	Project         projectJSON    `json:"project"`
	AsOf            string         `json:"as_of,omitempty"`
	ApprovalVersion int            `json:"approval_version"`
	RuleSetID       int64          `json:"rule_set_id"`
	Sources         []sourceJSON   `json:"sources"`
	Categories      []categoryJSON `json:"categories"`
	Total           sourceJSON     `json:"total"`
}

type districtReportJSON struct {
	AsOf       string         `json:"as_of,omitempty"`
	Sources    []sourceJSON   `json:"sources"`
	Categories []categoryJSON `json:"categories"`
}

type page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"` // pass as ?after= for the next page
}

// Query parameters.

func asOf(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := ledger.ParseDate(v)
	if err != nil {
		return time.Time{}, badRequest("bad_parameter", "as_of", "as_of: want a date YYYY-MM-DD")
	}
	return t, nil
}

func pageLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return DefaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPageSize {
		return 0, badRequest("bad_parameter", "limit", fmt.Sprintf("limit: want 1 to %d", MaxPageSize))
	}
	return n, nil
}

// district resolves a ?district= (code or Chinese name) and checks that the
// caller may read it; "" when absent.
func (s *Server) district(r *http.Request) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get("district"))
	if v == "" {
		return "", nil
	}
	d, err := funding.LookupDistrict(r.Context(), s.db, v)
	if err != nil {
		return "", err
	}
	return d.Code, principal(r).CheckRead(d.Code)
}

// Handlers.

func (s *Server) listDistricts(w http.ResponseWriter, r *http.Request) {
	ds, err := funding.Districts(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	out := []funding.District{}
	for _, d := range ds {
		if p.CanRead(d.Code) {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, page[funding.District]{Items: out})
}

// listProjects pages through the projects the caller may read, by code.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	limit, err := pageLimit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	district, err := s.district(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var year int
	if v := r.URL.Query().Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil {
			s.fail(w, r, badRequest("bad_parameter", "year", "year: want a number"))
			return
		}
	}
	after := r.URL.Query().Get("after")
	p := principal(r)
	var all []funding.Project
	switch {
	case district != "" || p.AllDistricts():
		all, err = s.prog.Projects(r.Context(), funding.ProjectFilter{District: district, PlanYear: year})
	default: // an officer: the granted districts only
		for d := range p.Districts {
			ps, perr := s.prog.Projects(r.Context(), funding.ProjectFilter{District: d, PlanYear: year})
			if perr != nil {
				err = perr
				break
			}
			all = append(all, ps...)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.SortFunc(all, func(a, b funding.Project) int { return strings.Compare(a.Code, b.Code) })
	out := page[projectJSON]{Items: []projectJSON{}}
	for _, x := range all {
		if x.Code <= after || !p.CanRead(x.District) {
			continue
		}
		if len(out.Items) == limit {
			out.Next = out.Items[limit-1].Code
			break
		}
		out.Items = append(out.Items, projectOut(x))
	}
	writeJSON(w, http.StatusOK, out)
}

// readableProject loads a project and checks the caller may read it: 404
// when it does not exist, 403 when it is in a district not granted.
func (s *Server) readableProject(r *http.Request, code string) (funding.Project, error) {
	pr, err := s.prog.Project(r.Context(), code)
	if err != nil {
		return funding.Project{}, err
	}
	return pr, principal(r).CheckRead(pr.District)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	pr, err := s.readableProject(r, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectOut(pr))
}

func (s *Server) projectReport(w http.ResponseWriter, r *http.Request) {
	on, err := asOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	if _, err := s.readableProject(r, code); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.prog.ProjectReport(r.Context(), code, on)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := projectReportJSON{Project: projectOut(rep.Project), AsOf: day(rep.AsOf), ApprovalVersion: rep.ApprovalVersion,
		RuleSetID: rep.RuleSetID, Sources: []sourceJSON{}, Categories: []categoryJSON{}, Total: sourceOut(rep.Total)}
	for _, x := range rep.Sources {
		out.Sources = append(out.Sources, sourceOut(x))
	}
	for _, x := range rep.Categories {
		out.Categories = append(out.Categories, categoryOut(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) districtReport(w http.ResponseWriter, r *http.Request) {
	on, err := asOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	district, err := s.district(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	if district == "" && !p.AllDistricts() && len(p.Districts) == 0 {
		writeJSON(w, http.StatusOK, districtReportJSON{AsOf: day(on), Sources: []sourceJSON{}, Categories: []categoryJSON{}})
		return
	}
	rep, err := s.prog.DistrictReport(r.Context(), district, on)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := districtReportJSON{AsOf: day(rep.AsOf), Sources: []sourceJSON{}, Categories: []categoryJSON{}}
	for _, x := range rep.Sources {
		if p.CanRead(x.District) {
			j := sourceOut(x.SourcePosition)
			j.District, j.DistrictName = x.District, x.DistrictName
			out.Sources = append(out.Sources, j)
		}
	}
	for _, x := range rep.Categories {
		if p.CanRead(x.District) {
			j := categoryOut(x.CategoryPosition)
			j.District, j.DistrictName = x.District, x.DistrictName
			out.Categories = append(out.Categories, j)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// Writes.

var keyRE = regexp.MustCompile(`^[\x21-\x7e]{1,80}$`)

// writeKey checks that the caller may write at all and returns the ledger
// idempotency key for the request's Idempotency-Key header, scoped to the
// user so that two users' keys never collide.
func writeKey(r *http.Request) (string, error) {
	p := principal(r)
	if !p.CanWriteAny() {
		return "", fmt.Errorf("%w: %s (%s) may not write", access.ErrDenied, p.User, p.Role)
	}
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", badRequest("idempotency_key_required", "Idempotency-Key", "every write needs an Idempotency-Key header")
	}
	if !keyRE.MatchString(k) {
		return "", badRequest("bad_idempotency_key", "Idempotency-Key", "Idempotency-Key: 1 to 80 printable ASCII characters, no spaces")
	}
	return "api/" + p.User + "/" + k, nil
}

// decode reads a JSON object into v, refusing unknown fields and trailing data.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apiError{status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil {
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badRequest("bad_json", te.Field, fmt.Sprintf("%s: want a %s", te.Field, te.Type))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return badRequest("bad_json", f, "unknown field "+f)
	}
	return badRequest("bad_json", "", "body: "+err.Error())
}

func required(fields ...[2]string) error {
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			return invalid(f[0], f[0]+" is required")
		}
	}
	return nil
}

func parseAmount(field, v string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(v)
	if err != nil || strings.ContainsAny(v, "eE") {
		return d, invalid(field, field+": want a decimal string such as \"1234.50\"")
	}
	if !d.IsPositive() || !d.Equal(d.Round(2)) {
		return d, invalid(field, field+": must be positive with at most two decimals")
	}
	return d, nil
}

// readWrite is the prologue of a write: the Idempotency-Key must be there
// and the body must decode.
func readWrite(r *http.Request, body any) error {
	if _, err := writeKey(r); err != nil {
		return err
	}
	return decode(r, body)
}

// requiredDay parses a date field that must be given.
func requiredDay(field, v string) (time.Time, error) {
	if err := required([2]string{field, v}); err != nil {
		return time.Time{}, err
	}
	return parseDay(field, v)
}

func parseDay(field, v string) (time.Time, error) {
	t, err := ledger.ParseDate(v)
	if err != nil {
		return t, invalid(field, field+": want a date YYYY-MM-DD")
	}
	return t, nil
}

// writableProject loads a project and checks the caller may change it.
func (s *Server) writableProject(r *http.Request, code string) error {
	pr, err := s.prog.Project(r.Context(), code)
	if err != nil {
		return err
	}
	return principal(r).CheckWrite(pr.District)
}

type receiptBody struct {
	Project     string `json:"project"`
	Source      string `json:"source"`
	Amount      string `json:"amount"`
	ReceivedOn  string `json:"received_on"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
	Memo        string `json:"memo"`
}

type movementJSON struct {
	Kind           string `json:"kind"`
	Project        string `json:"project"`
	IdempotencyKey string `json:"idempotency_key"`
	FinancialEntry int64  `json:"financial_entry"`
	BudgetEntry    int64  `json:"budget_entry"`
	Actor          string `json:"actor"`
}

func (s *Server) writeMovement(w http.ResponseWriter, r *http.Request, kind, project string, m funding.Movement) {
	if m.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, movementJSON{Kind: kind, Project: project, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		FinancialEntry: m.FinancialEntry, BudgetEntry: m.BudgetEntry, Actor: principal(r).User})
}

func (s *Server) postReceipt(w http.ResponseWriter, r *http.Request) {
	key, err := writeKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b receiptBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"source", b.Source}, [2]string{"amount", b.Amount},
		[2]string{"received_on", b.ReceivedOn}, [2]string{"bank_account", b.BankAccount}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.ReceiptRequest{Project: b.Project, Source: b.Source, BankAccount: b.BankAccount, Reference: b.Reference,
		Memo: b.Memo, IdempotencyKey: key, Actor: principal(r).User}
	if req.Amount, err = parseAmount("amount", b.Amount); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ReceivedOn, err = parseDay("received_on", b.ReceivedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.prog.Receive(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeMovement(w, r, "receipt", b.Project, m)
}

type disbursementBody struct {
	Project     string `json:"project"`
	Source      string `json:"source"`
	Category    string `json:"category"`
	WorkItem    string `json:"work_item"`
	Amount      string `json:"amount"`
	PaidOn      string `json:"paid_on"`
	Payee       string `json:"payee"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
	Memo        string `json:"memo"`
}

func (s *Server) postDisbursement(w http.ResponseWriter, r *http.Request) {
	key, err := writeKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b disbursementBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"source", b.Source}, [2]string{"category", b.Category},
		[2]string{"amount", b.Amount}, [2]string{"paid_on", b.PaidOn}, [2]string{"payee", b.Payee},
		[2]string{"bank_account", b.BankAccount}); err != nil {
		s.fail(w, r, err)
		return
	}
	if !slices.Contains([]string{"basic", "improvement", "upgrade"}, b.Category) {
		s.fail(w, r, invalid("category", "category: want basic, improvement or upgrade"))
		return
	}
	req := funding.DisbursementRequest{Project: b.Project, Source: b.Source, Category: b.Category, WorkItem: b.WorkItem,
		Payee: b.Payee, BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo, IdempotencyKey: key, Actor: principal(r).User}
	if req.Amount, err = parseAmount("amount", b.Amount); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.PaidOn, err = parseDay("paid_on", b.PaidOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.prog.Disburse(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeMovement(w, r, "disbursement", b.Project, m)
}
