package web

// The reconciliation worklist (same rules as every page: html/template,
// embedded, no script, session auth with CSRF and an Origin check on every
// form):
//
//	GET  /recon/{bank}?period=2021-03   unmatched statement lines and ledger postings,
//	                                    open issues of a dry run, matches of the period
//	POST /recon/{bank}/match            manual match (checked lines and postings, reason)
//	POST /recon/{bank}/unmatch          revoke a match (match id, reason)
//
// A bank account with a district is read by whoever reads the district and
// changed by whoever changes it; one without a district only by the finance
// bureau (auditors read it).

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/recon"
)

// Reconciliation worklist.

type bankAccount struct {
	Code     string         `db:"code"`
	Name     string         `db:"name"`
	Bank     string         `db:"bank"`
	District sql.NullString `db:"district"`
}

// bankFor loads a bank account and checks the user may read it (write:
// change it).
func (s *Server) bankFor(r *http.Request, write bool) (bankAccount, error) {
	fb, err := funding.LookupBankAccount(r.Context(), s.db, r.PathValue("bank"))
	b := bankAccount{Code: fb.Code, Name: fb.Name, Bank: fb.Bank, District: sql.NullString{String: fb.District, Valid: fb.District != ""}}
	if errors.Is(err, funding.ErrNotFound) {
		return b, fmt.Errorf("bank account %q: %w", r.PathValue("bank"), recon.ErrNotFound)
	}
	if err != nil {
		return b, err
	}
	p := principal(r)
	switch {
	case b.District.Valid && write:
		return b, p.CheckWrite(b.District.String)
	case b.District.Valid:
		return b, p.CheckRead(b.District.String)
	case write && p.Role != access.FinanceBureau, !write && !p.AllDistricts():
		return b, fmt.Errorf("%w: %s (%s) may not use bank account %s (no district)", access.ErrDenied, p.User, p.Role, b.Code)
	}
	return b, nil
}

// bankPage is bankFor for a page: on a refusal it shows it (uiFail) and
// returns false.
func (s *Server) bankPage(w http.ResponseWriter, r *http.Request, write bool) (bankAccount, bool) {
	b, err := s.bankFor(r, write)
	if err != nil {
		s.uiFail(w, r, err)
		return b, false
	}
	return b, true
}

// bankPeriodPage is bankPage and the page's period (periodOf), with its
// text.
func (s *Server) bankPeriodPage(w http.ResponseWriter, r *http.Request, write bool) (bankAccount, recon.Period, string, bool) {
	b, ok := s.bankPage(w, r, write)
	if !ok {
		return b, recon.Period{}, "", false
	}
	per, perText, err := periodOf(r)
	if err != nil {
		s.uiFail(w, r, err)
		return b, per, perText, false
	}
	return b, per, perText, true
}

type reconItem struct {
	recon.ReportItem
	Key string // checkbox value: line id or ENTRY/LINE
}

type reconData struct {
	Bank         bankAccount
	Period       string
	Report       recon.Report
	Lines        []reconItem
	Postings     []reconItem
	Matches      []recon.Match
	CanWrite     bool
	Error        string
	Reason       string
	Checked      map[string]bool
	Done, Undone string

	// Statement upload and reconciliation runs (the bureau's, or the
	// district's officer's).
	Profiles     []string
	Profile      string
	Upload       *recon.ImportResult
	UploadErrors []rowProblem
	UploadError  string
	Run          *recon.RunResult
	RunError     string
	Window       int
	Ran          string
}

func (d reconData) IsChecked(key string) bool { return d.Checked[key] }

func periodOf(r *http.Request) (recon.Period, string, error) {
	v := strings.TrimSpace(r.FormValue("period"))
	if v == "" {
		v = time.Now().AddDate(0, -1, 0).Format("2006-01")
	}
	p, err := recon.ParsePeriod(v)
	return p, v, err
}

func (s *Server) reconPage(w http.ResponseWriter, r *http.Request) {
	s.showRecon(w, r, http.StatusOK, "", nil)
}

func (s *Server) showRecon(w http.ResponseWriter, r *http.Request, status int, problem string, checked map[string]bool) {
	b, per, perText, ok := s.bankPeriodPage(w, r, false)
	if !ok {
		return
	}
	rc := recon.New(s.db)
	rep, err := rc.Report(r.Context(), recon.ReportRequest{BankAccount: b.Code, Period: per, WindowDays: recon.DefaultWindowDays})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	d := reconData{Bank: b, Period: perText, Report: rep, Error: problem, Checked: checked, Reason: r.PostFormValue("reason"),
		Done: r.URL.Query().Get("matched"), Undone: r.URL.Query().Get("unmatched"), Ran: r.URL.Query().Get("ran"),
		Window: recon.DefaultWindowDays}
	if extra, ok := r.Context().Value(reconExtraKey{}).(*reconData); ok {
		d.Profile, d.Upload, d.UploadErrors, d.UploadError = extra.Profile, extra.Upload, extra.UploadErrors, extra.UploadError
		d.Run, d.RunError = extra.Run, extra.RunError
		if extra.Run != nil || extra.RunError != "" { // the run form's own window
			d.Window = extra.Window
		}
	}
	for _, pr := range recon.Profiles() {
		d.Profiles = append(d.Profiles, pr.Name)
	}
	p := principal(r)
	d.CanWrite = (b.District.Valid && p.CanWrite(b.District.String)) || (!b.District.Valid && p.Role == access.FinanceBureau)
	for _, it := range slices.Concat(rep.BankIn.Items, rep.BankOut.Items) {
		d.Lines = append(d.Lines, reconItem{it, strconv.FormatInt(it.LineID, 10)})
	}
	for _, it := range slices.Concat(rep.BookIn.Items, rep.BookOut.Items) {
		key := ""
		if it.Posting != nil {
			key = it.Posting.String()
		}
		d.Postings = append(d.Postings, reconItem{it, key})
	}
	byDate := func(a, b reconItem) int { return a.Date.Compare(b.Date) }
	slices.SortStableFunc(d.Lines, byDate)
	slices.SortStableFunc(d.Postings, byDate)
	if d.Matches, err = rc.Matches(r.Context(), recon.MatchFilter{BankAccount: b.Code, Period: per, IncludeRevoked: true, Limit: 500}); err != nil {
		s.uiFail(w, r, err)
		return
	}
	s.render(w, r, status, "recon.html", pageData{Title: "recon.title", TitleText: b.Code, Data: d})
}

// reconMatchForm records a manual match (CSRF checked by browser()).
func (s *Server) reconMatchForm(w http.ResponseWriter, r *http.Request) {
	b, _, perText, ok := s.bankPeriodPage(w, r, true)
	if !ok {
		return
	}
	req := recon.MatchRequest{BankAccount: b.Code, Reason: strings.TrimSpace(r.PostFormValue("reason")), Actor: principal(r).User}
	checked := map[string]bool{}
	var problem string
	for _, v := range r.PostForm["line"] {
		checked[v] = true
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			problem = fmt.Sprintf("statement line %q: not a line id", v)
			continue
		}
		req.Lines = append(req.Lines, id)
	}
	for _, v := range r.PostForm["posting"] {
		checked["p"+v] = true
		ref, err := recon.ParsePostingRef(v)
		if err != nil {
			_, problem = userMessage(langOf(r), err)
			continue
		}
		req.Postings = append(req.Postings, ref)
	}
	if problem == "" {
		id, err := recon.New(s.db).Match(r.Context(), req)
		if err == nil {
			s.log.Info("manual match", "user", req.Actor, "bank_account", b.Code, "match", id)
			http.Redirect(w, r, fmt.Sprintf("/recon/%s?period=%s&matched=%d", url.PathEscape(b.Code), url.QueryEscape(perText), id), http.StatusSeeOther)
			return
		}
		if !isUserError(err) {
			s.uiFail(w, r, err)
			return
		}
		s.log.Info("manual match refused", "user", req.Actor, "bank_account", b.Code, "reason", err.Error())
		_, problem = userMessage(langOf(r), err)
		s.showRecon(w, r, http.StatusUnprocessableEntity, problem, checked)
		return
	}
	s.log.Info("manual match refused", "user", req.Actor, "bank_account", b.Code, "reason", problem)
	s.showRecon(w, r, http.StatusUnprocessableEntity, problem, checked)
}

func isUserError(err error) bool {
	for _, e := range []error{recon.ErrInvalid, recon.ErrUnbalanced, recon.ErrAlreadyMatched, recon.ErrRevoked, recon.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// reconUnmatchForm revokes a match of this bank account.
func (s *Server) reconUnmatchForm(w http.ResponseWriter, r *http.Request) {
	b, _, perText, ok := s.bankPeriodPage(w, r, true)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("match"), 10, 64)
	if err != nil || id <= 0 {
		s.showRecon(w, r, http.StatusUnprocessableEntity, "match: not a match id", nil)
		return
	}
	acct, err := recon.New(s.db).MatchAccount(r.Context(), id)
	if errors.Is(err, recon.ErrNotFound) || (err == nil && acct != b.Code) {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	if err != nil {
		s.page500(w, r, err)
		return
	}
	actor := principal(r).User
	if err := recon.New(s.db).Unmatch(r.Context(), id, strings.TrimSpace(r.PostFormValue("reason")), actor); err != nil {
		if !isUserError(err) {
			s.uiFail(w, r, err)
			return
		}
		s.log.Info("unmatch refused", "user", actor, "bank_account", b.Code, "match", id, "reason", err.Error())
		_, problem := userMessage(langOf(r), err)
		s.showRecon(w, r, http.StatusUnprocessableEntity, problem, nil)
		return
	}
	s.log.Info("unmatch", "user", actor, "bank_account", b.Code, "match", id)
	http.Redirect(w, r, fmt.Sprintf("/recon/%s?period=%s&unmatched=%d", url.PathEscape(b.Code), url.QueryEscape(perText), id), http.StatusSeeOther)
}

// uiFail is pageFail that shows a refusal of the packages (an input, a
// match already made or revoked) as 422 with the catalogue's message.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := classify(err)
	if c, ok := catalogueEntry(err); ok && (status == http.StatusUnprocessableEntity || status == http.StatusConflict) {
		s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "user", principal(r).User, "reason", err.Error())
		s.render(w, r, http.StatusUnprocessableEntity, "error.html", pageData{Title: "err.title",
			Data: errorData{Status: http.StatusUnprocessableEntity, Message: "err." + c.name}})
		return
	}
	s.pageFail(w, r, err)
}

// codeName is a stored code (an issue's kind, a pass, a role)
// in the reader's language: the message "<prefix><code>", or the code as
// it is when the catalogue has no word for it.
func codeName(lang, prefix string, code any) string {
	key := prefix + fmt.Sprint(code)
	if _, ok := messages[key]; !ok {
		return fmt.Sprint(code)
	}
	return msg(lang, key)
}

// worklistMessages are the words of the reconciliation worklist.
var worklistMessages = map[string][2]string{
	"pass.1":                         {"自动：参考号", "Automatic: reference"},
	"rc.actor.auto":                  {"自动匹配", "Automatic"},
	"rc.sum.what":                    {"明细", "Items"},
	"rc.sum.count":                   {"笔数", "Count"},
	"rc.sum.matched":                 {"其中已匹配", "Of which matched"},
	"rc.sum.balance":                 {"余额", "Balance"},
	"pass.2":                         {"自动：金额与日期", "Automatic: amount and date"},
	"pass.3":                         {"自动：合计金额", "Automatic: sum"},
	"issue.released":                 {"撤销匹配后待人工处理", "Released by an unmatch: for a person"},
	"issue.reference_amounts_differ": {"参考号相同但金额不同", "Same reference, different amounts"},
	"issue.reference_many_to_many":   {"多笔流水与多笔账目参考号相同", "Several lines and postings share a reference"},
	"issue.ambiguous_amount_date":    {"同日同额有多个候选", "Several candidates of the same amount and date"},
	"issue.ambiguous_sum":            {"多组明细合计相同", "Several sets add up to the amount"},
	"issue.contested_sum":            {"一笔明细属于两个合计", "An item belongs to two sums"},
	"issue.search_bounded":           {"候选过多，未穷尽搜索", "Too many candidates to search every sum"},
	"role.finance_bureau":            {"财政局", "Finance bureau"},
	"role.district_officer":          {"区县经办人", "District officer"},
	"role.auditor":                   {"审计", "Auditor"},
	// The banks' statement layouts (recon/profiles).
	"profile.abc":      {"中国农业银行", "Agricultural Bank of China"},
	"profile.boc":      {"中国银行", "Bank of China"},
	"profile.bocom":    {"交通银行", "Bank of Communications"},
	"profile.ccb":      {"中国建设银行", "China Construction Bank"},
	"profile.icbc":     {"中国工商银行", "Industrial and Commercial Bank of China"},
	"profile.rcb":      {"农村商业银行", "Rural commercial bank"},
	"profile.treasury": {"国库集中支付", "Treasury payment list"},
	"profile.generic":  {"通用银行明细", "Generic bank export"},
}
