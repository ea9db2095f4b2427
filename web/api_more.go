package web

// More of the JSON API: periods, rule sets, budget approvals and the
// finance statements. Each handler calls the package function the CLI
// command of the same name calls (cmd/fundledger).
//
// Idempotency: every write requires an Idempotency-Key header. Budget
// approvals and rule set loads are idempotent by content (the same lines or
// the same file change nothing the second time); period close and reopen are
// idempotent by state (closing a month the same user already closed last
// answers 200 with Idempotent-Replayed: true and records nothing).

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
	"fundledger/report"
	"fundledger/rules"
)

// moreRoutes are the endpoints of this file; the OpenAPI document lists them.
func (s *Server) moreRoutes() []route {
	return []route{
		{"GET", "/api/periods", false, s.listPeriods},
		{"POST", "/api/periods/{month}/close", false, s.closePeriod},
		{"POST", "/api/periods/{month}/reopen", false, s.reopenPeriod},
		{"GET", "/api/rule-sets", false, s.listRuleSets},
		{"GET", "/api/rule-sets/{id}", false, s.getRuleSet},
		{"POST", "/api/rule-sets", false, s.postRuleSet},
		{"POST", "/api/projects/{code}/approvals", false, s.postApproval},
		{"GET", "/api/projects/{code}/approval", false, s.getApproval},
		{"GET", "/api/reports/{name}", false, s.statement},
		{"POST", "/api/bank-accounts/{code}/statements", false, s.postStatement},
		{"POST", "/api/bank-accounts/{code}/recon-runs", false, s.postReconRun},
		{"GET", "/api/bank-accounts/{code}/matches", false, s.listMatches},
		{"POST", "/api/bank-accounts/{code}/matches", false, s.postMatch},
		{"POST", "/api/matches/{id}/unmatch", false, s.postUnmatch},
		{"GET", "/api/bonds", false, s.listBonds},
		{"GET", "/api/bonds/{code}/schedule", false, s.bondSchedule},
		{"GET", "/api/elevator-applications/{code}", false, s.elevatorApplication},
	}
}

// registerMoreAPI adds moreRoutes to the server's mux, behind authentication.
func (s *Server) registerMoreAPI() {
	for _, r := range s.moreRoutes() {
		h := r.handler
		if !r.public {
			h = s.authenticated(h)
		}
		s.mux.Handle(r.method+" "+r.path, h)
	}
}

// bureauWrite is writeKey for the finance bureau's own operations (period
// close, rule sets): any other role is refused with 403.
func bureauWrite(r *http.Request, what string) (string, error) {
	p := principal(r)
	if p.Role != access.FinanceBureau {
		return "", fmt.Errorf("%w: %s (%s) may not %s", access.ErrDenied, p.User, p.Role, what)
	}
	return writeKey(r)
}

// Periods.

type periodJSON struct {
	Period string `json:"period"`
	Closed bool   `json:"closed"`
}

type periodEventJSON struct {
	Period string `json:"period"`
	Action string `json:"action"`
	Actor  string `json:"actor"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at"`
}

type periodsJSON struct {
	Items   []periodJSON      `json:"items"`
	History []periodEventJSON `json:"history"`
}

func (s *Server) listPeriods(w http.ResponseWriter, r *http.Request) {
	l := s.prog.Ledger()
	ps, err := l.Periods(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hist, err := l.PeriodHistory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := periodsJSON{Items: []periodJSON{}, History: []periodEventJSON{}}
	for _, p := range ps {
		out.Items = append(out.Items, periodJSON{Period: p.String(), Closed: p.Closed})
	}
	for _, h := range hist {
		out.History = append(out.History, periodEventJSON{Period: h.Period.Format("2006-01"), Action: h.Action, Actor: h.Actor,
			Reason: h.Reason, At: h.At.UTC().Format(time.RFC3339)})
	}
	writeJSON(w, http.StatusOK, out)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

// decodeOptional is decode for a body that may be empty.
func decodeOptional(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return decode(r, v)
}

func (s *Server) closePeriod(w http.ResponseWriter, r *http.Request)  { s.periodAction(w, r, "close") }
func (s *Server) reopenPeriod(w http.ResponseWriter, r *http.Request) { s.periodAction(w, r, "reopen") }

func (s *Server) periodAction(w http.ResponseWriter, r *http.Request, action string) {
	if _, err := bureauWrite(r, action+" periods"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b reasonBody
	if err := decodeOptional(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	month, err := ledger.ParsePeriod(r.PathValue("month"))
	if err != nil {
		s.fail(w, r, badRequest("bad_parameter", "month", "month: want YYYY-MM"))
		return
	}
	if action == "reopen" && strings.TrimSpace(b.Reason) == "" {
		s.fail(w, r, invalid("reason", "reason is required to reopen a period"))
		return
	}
	l := s.prog.Ledger()
	user := principal(r).User
	// Idempotent by state: the same user's last event on this month is this action.
	hist, err := l.PeriodHistory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var last *ledger.PeriodEvent
	for i := range hist {
		if hist[i].Period.Format("2006-01") == month.Format("2006-01") {
			last = &hist[i]
		}
	}
	out := periodJSON{Period: month.Format("2006-01"), Closed: action == "close"}
	if last != nil && last.Action == action && last.Actor == user && last.Reason == b.Reason {
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, http.StatusOK, out)
		return
	}
	if action == "close" {
		err = l.ClosePeriod(r.Context(), month, user, b.Reason)
	} else {
		err = l.ReopenPeriod(r.Context(), month, user, b.Reason)
	}
	if err != nil {
		if strings.Contains(err.Error(), "already closed") || strings.Contains(err.Error(), "is not closed") {
			err = &apiError{status: http.StatusConflict, Code: "conflict", Message: err.Error()}
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// Rule sets.

func (s *Server) listRuleSets(w http.ResponseWriter, r *http.Request) {
	sets, err := s.prog.RuleSets(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// City-wide sets for everyone; a district's own sets for those who read the district.
	out := page[funding.RuleSetInfo]{Items: []funding.RuleSetInfo{}}
	for _, x := range sets {
		if x.District == "" || principal(r).CanRead(x.District) {
			out.Items = append(out.Items, x)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type ruleSetJSON struct {
	funding.RuleSetInfo
	Text string `json:"text"`
}

func (s *Server) getRuleSet(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no rule set " + r.PathValue("id")})
		return
	}
	info, err := s.prog.RuleSetInfo(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if info.District != "" {
		if err := principal(r).CheckRead(info.District); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	_, text, err := s.prog.RuleSet(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ruleSetJSON{RuleSetInfo: info, Text: text})
}

var ruleFileRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

type ruleLoadJSON struct {
	funding.RuleSetInfo
	Loaded bool `json:"loaded"`
}

// postRuleSet stores a YAML rule file sent as the body (?name= its file name).
func (s *Server) postRuleSet(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "load rule sets"); err != nil {
		s.fail(w, r, err)
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.Contains(ct, "yaml") && !strings.HasPrefix(ct, "text/plain") {
		s.fail(w, r, &apiError{status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send application/yaml"})
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "api.yaml"
	}
	if !ruleFileRE.MatchString(name) {
		s.fail(w, r, badRequest("bad_parameter", "name", "name: a file name of letters, digits, '.', '_' or '-'"))
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(bytes.TrimSpace(data)) == 0 {
		s.fail(w, r, invalid("body", "the body is the YAML rule file"))
		return
	}
	info, loaded, err := s.prog.LoadRuleSetBytes(r.Context(), name, data, principal(r).User)
	if err != nil {
		if errors.Is(err, rules.ErrInvalidRuleSet) || errors.Is(err, rules.ErrOverlap) {
			err = invalid("body", err.Error())
		}
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if !loaded {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, ruleLoadJSON{RuleSetInfo: info, Loaded: loaded})
}

// Budget approvals.

type budgetLineJSON struct {
	Category    string `json:"category"`
	WorkItem    string `json:"work_item"`
	Description string `json:"description"`
	Amount      string `json:"amount"`
}

type approvalBody struct {
	ApprovedOn string           `json:"approved_on"`
	Lines      []budgetLineJSON `json:"lines"`
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

func (s *Server) postApproval(w http.ResponseWriter, r *http.Request) {
	var b approvalBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := requiredDay("approved_on", b.ApprovedOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(b.Lines) == 0 {
		s.fail(w, r, invalid("lines", "lines: at least one budget line is required"))
		return
	}
	req := funding.ApprovalRequest{Project: r.PathValue("code"), ApprovedOn: on, Actor: principal(r).User}
	for i, l := range b.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if l.Category != "basic" && l.Category != "improvement" && l.Category != "upgrade" {
			s.fail(w, r, invalid(field+".category", field+".category: want basic, improvement or upgrade"))
			return
		}
		amt, err := parseAmount(field+".amount", l.Amount)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.Lines = append(req.Lines, funding.BudgetLineInput{Category: l.Category, WorkItem: l.WorkItem, Description: l.Description, Amount: amt})
	}
	if err := s.writableProject(r, req.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	ap, err := s.prog.Approve(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if ap.Unchanged {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, approvalOut(ap))
}

func (s *Server) getApproval(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if _, err := s.readableProject(r, code); err != nil {
		s.fail(w, r, err)
		return
	}
	ap, err := s.prog.LatestApproval(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, approvalOut(*ap))
}

// Statements (report.Statements): GET /api/reports/{name}?as_of=&district=&format=json|csv|xlsx&lang=.

func (s *Server) statement(w http.ResponseWriter, r *http.Request) {
	st, ok := report.LookupStatement(r.PathValue("name"))
	if !ok {
		st, ok = extraReport(r.PathValue("name"))
	}
	if !ok {
		s.fail(w, r, &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no such report: " + r.PathValue("name")})
		return
	}
	if cityWideReports[st.Name] && !principal(r).AllDistricts() {
		p := principal(r)
		s.fail(w, r, fmt.Errorf("%w: %s (%s) may not read the city-wide %s report", access.ErrDenied, p.User, p.Role, st.Name))
		return
	}
	on, err := asOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = report.FormatJSON
	}
	if format != report.FormatJSON && format != report.FormatCSV && format != report.FormatXLSX {
		s.fail(w, r, badRequest("bad_parameter", "format", "format: want json, csv or xlsx"))
		return
	}
	lang := q.Get("lang")
	if lang != "" && lang != report.LangZh && lang != report.LangEn {
		s.fail(w, r, badRequest("bad_parameter", "lang", "lang: want zh or en"))
		return
	}
	district, err := s.district(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	if district == "" && !p.AllDistricts() {
		// An officer sees one district at a time: the only one granted, or the one asked for.
		if len(p.Districts) != 1 {
			s.fail(w, r, fmt.Errorf("%w: %s (%s) must name one of the granted districts (?district=)", access.ErrDenied, p.User, p.Role))
			return
		}
		for d := range p.Districts {
			district = d
		}
	}
	amount := report.Plain
	ts, err := st.Build(r.Context(), s.prog, report.Options{AsOf: on, District: district, Lang: lang, Amount: amount})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := report.RenderAll(&buf, ts, format, lang); err != nil {
		s.fail(w, r, err)
		return
	}
	name := st.Name
	if district != "" {
		name += "-" + district
	}
	if !on.IsZero() {
		name += "-" + day(on)
	}
	switch format {
	case report.FormatJSON:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	case report.FormatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	case report.FormatXLSX:
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// Reconciliation (package recon, as `fundledger recon`). A bank account's
// district decides who may read and change its statements and matches.

func (s *Server) checkBankAccount(r *http.Request, code string, write bool) error {
	var district sql.NullString
	err := s.db.GetContext(r.Context(), &district, `SELECT district FROM bank_accounts WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no bank account " + code}
	}
	if err != nil {
		return err
	}
	if write {
		return principal(r).CheckWrite(district.String)
	}
	return principal(r).CheckRead(district.String)
}

// reconErr maps the named errors of package recon.
func reconErr(err error) error {
	for _, m := range []struct {
		err    error
		status int
		code   string
	}{
		{recon.ErrNotFound, http.StatusNotFound, "not_found"},
		{recon.ErrAlreadyMatched, http.StatusConflict, "conflict"},
		{recon.ErrRevoked, http.StatusConflict, "conflict"},
		{recon.ErrUnbalanced, http.StatusUnprocessableEntity, "unbalanced"},
		{recon.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	} {
		if errors.Is(err, m.err) {
			return &apiError{status: m.status, Code: m.code, Message: err.Error()}
		}
	}
	return err
}

// postStatement imports a statement file (CSV in UTF-8 or GBK, or XLSX) sent
// as the body, through ?profile= (default generic). Idempotent by content:
// lines already stored are not added again.
func (s *Server) postStatement(w http.ResponseWriter, r *http.Request) {
	if _, err := writeKey(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	prof := q.Get("profile")
	if prof == "" {
		prof = recon.DefaultProfile
	}
	profile, err := recon.LookupProfile(prof)
	if err != nil {
		s.fail(w, r, badRequest("bad_parameter", "profile", err.Error()))
		return
	}
	name := q.Get("name")
	if name == "" {
		name = "statement"
	}
	if !ruleFileRE.MatchString(name) {
		s.fail(w, r, badRequest("bad_parameter", "name", "name: a file name of letters, digits, '.', '_' or '-'"))
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	if err := s.checkBankAccount(r, code, true); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := recon.New(s.db).Import(r.Context(), code, profile, name, data, principal(r).User)
	if err != nil {
		s.fail(w, r, reconErr(err))
		return
	}
	status := http.StatusCreated
	if res.AlreadyImported {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, res)
}

type reconRunBody struct {
	Period     string `json:"period"`
	WindowDays *int   `json:"window_days"`
	DryRun     bool   `json:"dry_run"`
}

// postReconRun runs the matcher on a bank account for a period; matches
// already made are never changed, so a second run matches nothing new.
func (s *Server) postReconRun(w http.ResponseWriter, r *http.Request) {
	var b reconRunBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"period", b.Period}); err != nil {
		s.fail(w, r, err)
		return
	}
	period, err := recon.ParsePeriod(b.Period)
	if err != nil {
		s.fail(w, r, invalid("period", "period: want YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD"))
		return
	}
	window := recon.DefaultWindowDays
	if b.WindowDays != nil {
		window = *b.WindowDays
	}
	if window < 0 || window > recon.MaxWindowDays {
		s.fail(w, r, invalid("window_days", fmt.Sprintf("window_days: 0 to %d", recon.MaxWindowDays)))
		return
	}
	code := r.PathValue("code")
	if err := s.checkBankAccount(r, code, true); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := recon.New(s.db).Run(r.Context(), recon.RunRequest{BankAccount: code, Period: period, WindowDays: window,
		Actor: principal(r).User, DryRun: b.DryRun})
	if err != nil {
		s.fail(w, r, reconErr(err))
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) listMatches(w http.ResponseWriter, r *http.Request) {
	limit, err := pageLimit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := recon.MatchFilter{BankAccount: r.PathValue("code"), IncludeRevoked: q.Get("all") == "true"}
	if v := q.Get("period"); v != "" {
		if f.Period, err = recon.ParsePeriod(v); err != nil {
			s.fail(w, r, badRequest("bad_parameter", "period", "period: want YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD"))
			return
		}
	}
	var after int64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.fail(w, r, badRequest("bad_parameter", "after", "after: want a match id"))
			return
		}
	}
	if err := s.checkBankAccount(r, f.BankAccount, false); err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := recon.New(s.db).Matches(r.Context(), f)
	if err != nil {
		s.fail(w, r, reconErr(err))
		return
	}
	out := page[recon.Match]{Items: []recon.Match{}}
	for _, m := range ms {
		if m.ID <= after {
			continue
		}
		if len(out.Items) == limit {
			out.Next = strconv.FormatInt(out.Items[limit-1].ID, 10)
			break
		}
		out.Items = append(out.Items, m)
	}
	writeJSON(w, http.StatusOK, out)
}

type matchBody struct {
	Lines    []int64  `json:"lines"`
	Postings []string `json:"postings"` // ENTRY/LINE, or ENTRY for its only cash posting
	Reason   string   `json:"reason"`
}

// postMatch records a person's match. Sent again by the same user (the
// same lines, reason), it answers the match already made.
func (s *Server) postMatch(w http.ResponseWriter, r *http.Request) {
	var b matchBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"reason", b.Reason}); err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	req := recon.MatchRequest{BankAccount: code, Lines: b.Lines, Reason: b.Reason, Actor: principal(r).User}
	for i, p := range b.Postings {
		ref, err := recon.ParsePostingRef(p)
		if err != nil {
			s.fail(w, r, invalid(fmt.Sprintf("postings[%d]", i), err.Error()))
			return
		}
		req.Postings = append(req.Postings, ref)
	}
	if err := s.checkBankAccount(r, code, true); err != nil {
		s.fail(w, r, err)
		return
	}
	rc := recon.New(s.db)
	id, err := rc.Match(r.Context(), req)
	if errors.Is(err, recon.ErrAlreadyMatched) {
		if m, ok := s.sameMatch(r, rc, req); ok {
			w.Header().Set("Idempotent-Replayed", "true")
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	if err != nil {
		s.fail(w, r, reconErr(err))
		return
	}
	ms, err := rc.Matches(r.Context(), recon.MatchFilter{BankAccount: code})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range ms {
		if m.ID == id {
			writeJSON(w, http.StatusCreated, m)
			return
		}
	}
	writeJSON(w, http.StatusCreated, recon.Match{ID: id, BankAccount: code, Actor: req.Actor, Reason: req.Reason, Lines: req.Lines, Postings: req.Postings})
}

// sameMatch finds the caller's active manual match of exactly these lines
// and reason.
func (s *Server) sameMatch(r *http.Request, rc *recon.Recon, req recon.MatchRequest) (recon.Match, bool) {
	ms, err := rc.Matches(r.Context(), recon.MatchFilter{BankAccount: req.BankAccount})
	if err != nil {
		return recon.Match{}, false
	}
	want := slices.Clone(req.Lines)
	slices.Sort(want)
	for _, m := range ms {
		got := slices.Clone(m.Lines)
		slices.Sort(got)
		if !m.Revoked && m.Pass == 0 && m.Actor == req.Actor && m.Reason == req.Reason && slices.Equal(got, want) {
			return m, true
		}
	}
	return recon.Match{}, false
}

// postUnmatch revokes a match (recorded, never deleted). Revoking again with
// the same reason answers 200 with Idempotent-Replayed: true.
func (s *Server) postUnmatch(w http.ResponseWriter, r *http.Request) {
	var b reasonBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"reason", b.Reason}); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	notFound := &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no match " + r.PathValue("id")}
	if err != nil {
		s.fail(w, r, notFound)
		return
	}
	var account string
	err = s.db.GetContext(r.Context(), &account, `SELECT bank_account FROM recon_matches WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		s.fail(w, r, notFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkBankAccount(r, account, true); err != nil {
		s.fail(w, r, err)
		return
	}
	rc := recon.New(s.db)
	err = rc.Unmatch(r.Context(), id, b.Reason, principal(r).User)
	replayed := false
	if errors.Is(err, recon.ErrRevoked) {
		replayed = true
	} else if err != nil {
		s.fail(w, r, reconErr(err))
		return
	}
	ms, err := rc.Matches(r.Context(), recon.MatchFilter{BankAccount: account, IncludeRevoked: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range ms {
		if m.ID != id {
			continue
		}
		if replayed {
			if m.RevokedBy != principal(r).User || m.RevokedWhy != b.Reason {
				s.fail(w, r, &apiError{status: http.StatusConflict, Code: "conflict", Message: fmt.Sprintf("match %d is already revoked", id)})
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeJSON(w, http.StatusOK, m)
		return
	}
	s.fail(w, r, notFound)
}

// The reports that are not in report.Statements, as the CLI's `report plan`,
// `report bonds` and `report grants` build them. plan and bonds cover every
// district at once: the finance bureau and auditors only.
var cityWideReports = map[string]bool{"plan": true, "bonds": true}

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

// Bonds and elevator grants: reads. The bond register and schedules are the
// city's and carry no district: every role reads them.

type bondJSON struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	IssueDate          string    `json:"issue_date"`
	InterestStart      string    `json:"interest_start"`
	Maturity           string    `json:"maturity"`
	Principal          moneyJSON `json:"principal"`
	CouponRatePct      string    `json:"coupon_rate_pct"`
	TermYears          int       `json:"term_years"`
	Frequency          string    `json:"frequency"`
	Repayment          string    `json:"repayment"`
	GraceYears         int       `json:"grace_years"`
	ReserveBankAccount string    `json:"reserve_bank_account,omitempty"`
	Issued             bool      `json:"issued"`
	IssuedOn           string    `json:"issued_on,omitempty"`
}

func bondOut(b funding.Bond) bondJSON {
	return bondJSON{Code: b.Code, Name: b.Name, IssueDate: day(b.IssueDate), InterestStart: day(b.InterestStart), Maturity: day(b.Maturity()),
		Principal: money(b.Principal), CouponRatePct: b.CouponRatePct.String(), TermYears: b.TermYears, Frequency: b.Frequency,
		Repayment: b.Repayment, GraceYears: b.GraceYears, ReserveBankAccount: b.ReserveBankAccount, Issued: b.Issued, IssuedOn: day(b.IssuedOn)}
}

func (s *Server) listBonds(w http.ResponseWriter, r *http.Request) {
	bs, err := s.prog.Bonds(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := page[bondJSON]{Items: []bondJSON{}}
	for _, b := range bs {
		out.Items = append(out.Items, bondOut(b))
	}
	writeJSON(w, http.StatusOK, out)
}

type scheduleLineJSON struct {
	Seq              int       `json:"seq"`
	PeriodStart      string    `json:"period_start"`
	DueDate          string    `json:"due_date"`
	OpeningPrincipal moneyJSON `json:"opening_principal"`
	Interest         moneyJSON `json:"interest"`
	Principal        moneyJSON `json:"principal"`
	Total            moneyJSON `json:"total"`
}

type scheduleJSON struct {
	Bond          bondJSON           `json:"bond"`
	Version       int                `json:"version"`
	EffectiveOn   string             `json:"effective_on"`
	Repayment     string             `json:"repayment"`
	Rounding      string             `json:"rounding"`
	Reason        string             `json:"reason,omitempty"`
	TotalInterest moneyJSON          `json:"total_interest"`
	CreatedBy     string             `json:"created_by"`
	Lines         []scheduleLineJSON `json:"lines"`
}

// bondSchedule: ?version= (default the newest).
func (s *Server) bondSchedule(w http.ResponseWriter, r *http.Request) {
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, badRequest("bad_parameter", "version", "version: want a positive number"))
			return
		}
		version = n
	}
	b, err := s.prog.Bond(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.prog.BondSchedule(r.Context(), b.Code, version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := scheduleJSON{Bond: bondOut(b), Version: sc.Version, EffectiveOn: day(sc.EffectiveOn), Repayment: sc.Repayment, Rounding: sc.Rounding,
		Reason: sc.Reason, TotalInterest: money(sc.TotalInterest), CreatedBy: sc.CreatedBy, Lines: []scheduleLineJSON{}}
	for _, l := range sc.Lines {
		out.Lines = append(out.Lines, scheduleLineJSON{Seq: l.Seq, PeriodStart: day(l.PeriodStart), DueDate: day(l.DueDate),
			OpeningPrincipal: money(l.OpeningPrincipal), Interest: money(l.Interest), Principal: money(l.Principal), Total: money(l.Total())})
	}
	writeJSON(w, http.StatusOK, out)
}

type elevatorJSON struct {
	Application funding.ElevatorApplication `json:"application"`
	Households  []funding.HouseholdPosition `json:"households"`
}

// elevatorApplication is `fundledger elevator show`: the application and its
// households' shares, paid and outstanding; officers only in their districts.
func (s *Server) elevatorApplication(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	app, err := s.prog.ElevatorApplication(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := principal(r).CheckRead(app.District); err != nil {
		s.fail(w, r, err)
		return
	}
	hs, err := s.prog.ElevatorHouseholds(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if hs == nil {
		hs = []funding.HouseholdPosition{}
	}
	writeJSON(w, http.StatusOK, elevatorJSON{Application: app, Households: hs})
}
