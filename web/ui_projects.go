package web

// The project page: money by source and category, recent entries, and the
// receipt form (a double submit posts once; a refusal is shown in the
// page's language, next to the form as filled in).

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"fundledger/funding"
	"fundledger/ledger"
)

type entryRow struct {
	listRow // voucher, source, category, party, direction, signed amount
	Actor   string
}

// receiptInput is the receipt form as filled in.
type receiptInput struct {
	Source, Amount, ReceivedOn, BankAccount, Reference, Memo, Key string
}

type projectData struct {
	Project  funding.Project
	District funding.District
	Report   funding.ProjectReport
	Entries  []entryRow
	CanWrite bool
	// CanStep: the user may take the officer's steps on the project.
	CanStep bool
	Banks   []funding.BankAccount
	Form    receiptInput
	Error   string // a message (already in words)
	// ErrorField is the form field the message is about (amount,
	// received_on, source, bank_account), marked aria-invalid.
	ErrorField string
	Done       string // entry id of a receipt just recorded
	Replayed   bool
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) {
	s.showProject(w, r, http.StatusOK, r.PathValue("code"), receiptInput{}, "", "")
}

// showProject renders the project page; form and problem re-show a
// refused receipt form.
func (s *Server) showProject(w http.ResponseWriter, r *http.Request, status int, code string, form receiptInput, problem, field string) {
	pr, err := s.prog.Project(r.Context(), code)
	if err == nil {
		err = principal(r).CheckRead(pr.District)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rep, err := s.prog.ProjectReport(r.Context(), code, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d, err := funding.LookupDistrict(r.Context(), s.db, pr.District)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	pd := projectData{Project: pr, District: d, Report: rep, CanWrite: principal(r).CanWrite(pr.District) && len(rep.Sources) > 0,
		CanStep: principal(r).CanWrite(pr.District), Form: form, Error: problem, ErrorField: field, Done: r.URL.Query().Get("entry"), Replayed: r.URL.Query().Get("replayed") == "1"}
	if pd.Entries, err = s.recentEntries(r, pr, rep); err != nil {
		s.page500(w, r, err)
		return
	}
	// The district's accounts and the city's (funding.BankAccounts).
	if pd.Banks, err = s.prog.BankAccounts(r.Context(), pr.District); err != nil {
		s.page500(w, r, err)
		return
	}
	if pd.Form.Key == "" {
		pd.Form.Key = randomToken()
	}
	if pd.Form.ReceivedOn == "" {
		pd.Form.ReceivedOn = time.Now().Format(ledger.DateLayout)
	}
	s.render(w, r, status, "project.html", pageData{Title: "proj.title", TitleText: pr.Code + " " + pr.Name, Data: pd})
}

// recentEntries: the last RecentEntries financial-book entries touching
// the project's cash accounts (one per source), newest first.
func (s *Server) recentEntries(r *http.Request, pr funding.Project, rep funding.ProjectReport) ([]entryRow, error) {
	l := ledger.New(s.db)
	byID := map[int64]entryRow{}
	for _, src := range rep.Sources {
		acct := "cash:" + pr.District + ":" + pr.Code + ":" + src.Source
		var after int64
		for range 100 { // at most 100 pages of 1000
			es, err := l.Entries(r.Context(), ledger.EntryFilter{Book: ledger.BookFinancial, Account: acct, AfterID: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				row := entryRow{listRow: entryListRow(e), Actor: e.Actor}
				if row.Party == "" && row.Direction == "in" && row.Source != "" {
					row.Party = sourceName(langOf(r), row.Source) // a receipt's payer is its source
				}
				byID[e.ID] = row
				after = e.ID
			}
			if len(es) < 1000 {
				break
			}
		}
	}
	out := make([]entryRow, 0, len(byID))
	for _, e := range byID {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entryRow) int { return int(b.ID - a.ID) })
	if len(out) > RecentEntries {
		out = out[:RecentEntries]
	}
	return out, nil
}

var formKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// receiptForm records a receipt from the project page's form (behind
// browser(): the CSRF token is checked). The form's hidden key makes a
// double submit post once; success redirects back (303) to the page.
func (s *Server) receiptForm(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	p := principal(r)
	in := receiptInput{Source: r.PostFormValue("source"), Amount: strings.TrimSpace(r.PostFormValue("amount")),
		ReceivedOn: r.PostFormValue("received_on"), BankAccount: r.PostFormValue("bank_account"),
		Reference: strings.TrimSpace(r.PostFormValue("reference")), Memo: strings.TrimSpace(r.PostFormValue("memo")),
		Key: r.PostFormValue("key")}
	pr, err := s.prog.Project(r.Context(), code)
	if err == nil {
		err = p.CheckWrite(pr.District)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if !formKeyRE.MatchString(in.Key) {
		s.errorPage(w, r, http.StatusBadRequest, "err.csrf")
		return
	}
	req := funding.ReceiptRequest{Project: code, Source: in.Source, BankAccount: in.BankAccount, Reference: in.Reference,
		Memo: in.Memo, IdempotencyKey: "web/" + p.User + "/" + in.Key, Actor: p.User}
	var problem, field string
	lang := langOf(r)
	switch {
	case in.Source == "":
		problem, field = text(lang, "v.required", msg(lang, "rcpt.source")), "source"
	case in.BankAccount == "":
		problem, field = text(lang, "v.required", msg(lang, "rcpt.bank")), "bank_account"
	}
	if problem == "" {
		if req.Amount, err = parseAmount("amount", in.Amount); err != nil {
			_, problem = userMessage(lang, err)
			field = "amount"
		} else if req.ReceivedOn, err = parseDay("received_on", in.ReceivedOn); err != nil {
			_, problem = userMessage(lang, err)
			field = "received_on"
		}
	}
	if problem == "" {
		m, err := s.prog.Receive(r.Context(), req)
		if err == nil {
			q := fmt.Sprintf("?entry=%d", m.FinancialEntry)
			if m.Replayed {
				q += "&replayed=1"
			}
			http.Redirect(w, r, "/projects/"+code+q, http.StatusSeeOther)
			return
		}
		status, text := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		problem = text
		s.log.Info("receipt refused", "user", p.User, "project", code, "status", status, "reason", err.Error())
	}
	s.showProject(w, r, http.StatusUnprocessableEntity, code, in, problem, field)
}

// districtDownload serves the district report as XLSX or CSV; without
// ?district= it covers every district the user may read.
