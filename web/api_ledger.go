package web

// Ledger-level operations, the plan import and financing balance plans: the
// JSON API of the CLI commands account, post, reverse, verify, plan import
// and bond plan import (cmd/fundledger).
//
// Accounts and entries written here bypass the funding rules (earmarks,
// commitments, eligibility): only the finance bureau writes them. Everyone
// reads accounts and entries; verify is for the finance bureau and the
// auditor. As everywhere, every write requires an Idempotency-Key header
// (scoped to the user) and the actor is the authenticated user.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
)

func (s *Server) ledgerRoutes() []route {
	return []route{
		{"GET", "/api/accounts", false, s.listAccounts},
		{"POST", "/api/accounts", false, s.postAccount},
		{"GET", "/api/entries", false, s.listEntries},
		{"POST", "/api/entries", false, s.postEntry},
		{"POST", "/api/entries/{id}/reverse", false, s.postReverse},
		{"GET", "/api/verify", false, s.verifyLedger},
		{"POST", "/api/plan-imports", false, s.postPlanImport},
		{"POST", "/api/bond-plans", false, s.postBondPlans},
	}
}

// registerLedgerAPI adds ledgerRoutes to the server's mux, behind authentication.
func (s *Server) registerLedgerAPI() {
	for _, r := range s.ledgerRoutes() {
		h := r.handler
		if !r.public {
			h = s.authenticated(h)
		}
		s.mux.Handle(r.method+" "+r.path, h)
	}
}

// seal chains the entries just posted into a block, as the CLI does after
// every post. The write has succeeded by then: a failure is logged, not
// answered (the next seal picks the entries up).
func (s *Server) seal(r *http.Request) {
	if _, err := s.prog.Ledger().Seal(r.Context()); err != nil {
		s.log.Error("seal after write failed", "method", r.Method, "path", r.URL.Path, "user", principal(r).User, "error", err.Error())
	}
}

// Accounts.

type accountJSON struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Book        string `json:"book"`
	Type        string `json:"type"`
	NormalSide  string `json:"normal_side"`
	NoOverdraft bool   `json:"no_overdraft"`
	District    string `json:"district,omitempty"`
	Project     string `json:"project,omitempty"`
	Source      string `json:"source,omitempty"`
	Category    string `json:"category,omitempty"`
	Bond        string `json:"bond,omitempty"`
	CreatedBy   string `json:"created_by"`
}

func accountOut(a ledger.Account) accountJSON {
	return accountJSON{ID: a.ID, Code: a.Code, Name: a.Name, Book: string(a.Book), Type: string(a.Type), NormalSide: string(a.NormalSide),
		NoOverdraft: a.NoOverdraft, District: a.District, Project: a.Project, Source: a.Source, Category: a.Category, Bond: a.Bond,
		CreatedBy: a.CreatedBy}
}

func bookParam(r *http.Request) (ledger.Book, error) {
	switch b := ledger.Book(r.URL.Query().Get("book")); b {
	case "", ledger.BookFinancial, ledger.BookBudget:
		return b, nil
	default:
		return "", badRequest("bad_parameter", "book", "book: financial or budget")
	}
}

// listAccounts lists accounts in code order (ledger.Accounts), a page at a
// time: ?prefix= (the code or codes below it), ?book=, ?after=, ?limit=.
func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	limit, err := pageLimit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	book, err := bookParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	accts, err := s.prog.Ledger().Accounts(r.Context(), ledger.AccountFilter{Book: book, CodePrefix: r.URL.Query().Get("prefix")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	after := r.URL.Query().Get("after")
	out := page[accountJSON]{Items: []accountJSON{}}
	for _, a := range accts {
		if after != "" && a.Code <= after {
			continue
		}
		if len(out.Items) == limit {
			out.Next = out.Items[limit-1].Code
			break
		}
		out.Items = append(out.Items, accountOut(a))
	}
	writeJSON(w, http.StatusOK, out)
}

type accountBody struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	NoOverdraft bool   `json:"no_overdraft"`
	District    string `json:"district"`
	Project     string `json:"project"`
	Source      string `json:"source"`
	Category    string `json:"category"`
	Bond        string `json:"bond"`
}

// postAccount creates an account (ledger.CreateAccount): the finance bureau
// only. The same account again answers 200 with Idempotent-Replayed: true;
// the code with other attributes 409.
func (s *Server) postAccount(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "create ledger accounts"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b accountBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"code", b.Code}, [2]string{"type", b.Type}); err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.prog.Ledger()
	_, existed := l.Account(r.Context(), b.Code)
	a, err := l.CreateAccount(r.Context(), ledger.Account{Code: b.Code, Name: b.Name, Type: ledger.AccountType(b.Type), NoOverdraft: b.NoOverdraft,
		Dimensions: ledger.Dimensions{District: b.District, Project: b.Project, Source: b.Source, Category: b.Category, Bond: b.Bond}},
		principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.seal(r)
	writeJSON(w, replayed(w, existed == nil), accountOut(a))
}

// Entries.

type postingJSON struct {
	Account string    `json:"account"`
	Side    string    `json:"side"`
	Amount  moneyJSON `json:"amount"`
}

type entryJSON struct {
	ID             int64             `json:"id"`
	Book           string            `json:"book"`
	EffectiveDate  string            `json:"effective_date"`
	RecordedAt     string            `json:"recorded_at,omitempty"`
	Memo           string            `json:"memo"`
	Actor          string            `json:"actor"`
	IdempotencyKey string            `json:"idempotency_key"`
	Reverses       int64             `json:"reverses,omitempty"`
	Corrects       int64             `json:"corrects,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
	Postings       []postingJSON     `json:"postings"`
	ContentHash    string            `json:"content_hash,omitempty"`
}

func entryOut(e ledger.Entry) entryJSON {
	out := entryJSON{ID: e.ID, Book: string(e.Book), EffectiveDate: day(e.EffectiveDate), Memo: e.Memo, Actor: e.Actor,
		IdempotencyKey: e.IdempotencyKey, Reverses: e.Reverses, Corrects: e.Corrects, Metadata: e.Metadata, Postings: []postingJSON{},
		ContentHash: e.ContentHash}
	if !e.RecordedAt.IsZero() {
		out.RecordedAt = e.RecordedAt.UTC().Format(time.RFC3339)
	}
	for _, p := range e.Postings {
		out.Postings = append(out.Postings, postingJSON{Account: p.AccountCode, Side: string(p.Side), Amount: money(p.Amount)})
	}
	return out
}

func dayParam(r *http.Request, name string) (t time.Time, err error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return t, nil
	}
	if t, err = ledger.ParseDate(v); err != nil {
		return t, badRequest("bad_parameter", name, name+": want a date YYYY-MM-DD")
	}
	return t, nil
}

// listEntries lists entries with their postings in the order they were
// recorded (ledger.Entries), a page at a time: ?from=&to= (effective dates,
// inclusive), ?book=, ?account= (entries with a posting on it), ?after= (an
// entry id), ?limit=.
func (s *Server) listEntries(w http.ResponseWriter, r *http.Request) {
	limit, err := pageLimit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := ledger.EntryFilter{Account: r.URL.Query().Get("account"), Limit: limit + 1}
	if f.Book, err = bookParam(r); err != nil {
		s.fail(w, r, err)
		return
	}
	from, err := dayParam(r, "from")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, err := dayParam(r, "to")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.From, f.To = from, to
	if v := r.URL.Query().Get("after"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AfterID < 0 {
			s.fail(w, r, badRequest("bad_parameter", "after", "after: want an entry id"))
			return
		}
	}
	es, err := s.prog.Ledger().Entries(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := page[entryJSON]{Items: []entryJSON{}}
	for _, e := range es {
		if len(out.Items) == limit {
			out.Next = strconv.FormatInt(out.Items[limit-1].ID, 10)
			break
		}
		out.Items = append(out.Items, entryOut(e))
	}
	writeJSON(w, http.StatusOK, out)
}

type postingBody struct {
	Account string `json:"account"`
	Side    string `json:"side"`
	Amount  string `json:"amount"`
}

type entryBody struct {
	Book          string            `json:"book"`
	EffectiveDate string            `json:"effective_date"`
	Memo          string            `json:"memo"`
	Metadata      map[string]string `json:"metadata"`
	Postings      []postingBody     `json:"postings"`
}

// postEntry posts one balanced entry straight to the ledger (ledger.Post),
// bypassing the funding rules: the finance bureau only. The ledger's
// idempotency key is the scoped Idempotency-Key: the same request again
// answers 200 with Idempotent-Replayed: true, another request with the
// same key 409.
func (s *Server) postEntry(w http.ResponseWriter, r *http.Request) {
	key, err := bureauWrite(r, "post ledger entries")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b entryBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"book", b.Book}, [2]string{"effective_date", b.EffectiveDate}); err != nil {
		s.fail(w, r, err)
		return
	}
	e := ledger.Entry{Book: ledger.Book(b.Book), Memo: b.Memo, Actor: principal(r).User, IdempotencyKey: key, Metadata: b.Metadata}
	if e.EffectiveDate, err = parseDay("effective_date", b.EffectiveDate); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(b.Postings) < 2 {
		s.fail(w, r, invalid("postings", "postings: at least two"))
		return
	}
	for i, p := range b.Postings {
		field := fmt.Sprintf("postings[%d]", i)
		if err := required([2]string{field + ".account", p.Account}); err != nil {
			s.fail(w, r, err)
			return
		}
		side := ledger.Side(p.Side)
		if side != ledger.Debit && side != ledger.Credit {
			s.fail(w, r, invalid(field+".side", field+".side: D or C"))
			return
		}
		amt, err := parseAmount(field+".amount", p.Amount)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		e.Postings = append(e.Postings, ledger.Posting{AccountCode: p.Account, Side: side, Amount: amt})
	}
	out, err := s.prog.Ledger().Post(r.Context(), e)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.seal(r)
	writeJSON(w, replayed(w, out.Replayed), entryOut(out))
}

type reverseBody struct {
	Reason string `json:"reason"`
	Date   string `json:"date"`
}

// postReverse posts the reversal of an entry (ledger.Reverse): the same
// postings with the sides swapped, pointing at it; the finance bureau
// only. The same request with the same key answers 200 with
// Idempotent-Replayed: true; an entry reversed already 409.
func (s *Server) postReverse(w http.ResponseWriter, r *http.Request) {
	key, err := bureauWrite(r, "reverse ledger entries")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b reverseBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"reason", b.Reason}); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no entry " + r.PathValue("id")})
		return
	}
	req := ledger.ReverseRequest{Reason: b.Reason, Actor: principal(r).User, IdempotencyKey: key}
	if b.Date != "" {
		if req.Date, err = parseDay("date", b.Date); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	out, err := s.prog.Ledger().Reverse(r.Context(), id, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.seal(r)
	writeJSON(w, replayed(w, out.Replayed), entryOut(out))
}

// verifyLedger recomputes every entry's hash, the chain of blocks and the
// derived balances (ledger.Verify); it only reads, and seals nothing. The
// finance bureau and the auditor only.
func (s *Server) verifyLedger(w http.ResponseWriter, r *http.Request) {
	if p := principal(r); p.Role != access.FinanceBureau && p.Role != access.Auditor {
		s.fail(w, r, fmt.Errorf("%w: %s (%s) may not verify the ledger", access.ErrDenied, p.User, p.Role))
		return
	}
	rep, err := s.prog.Ledger().Verify(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Problems == nil {
		rep.Problems = []string{}
	}
	writeJSON(w, http.StatusOK, rep)
}

// Imports of files.

// readUpload checks ?name= and reads the raw body.
func readUpload(r *http.Request) (string, []byte, error) {
	name := r.URL.Query().Get("name")
	if name == "" {
		return "", nil, badRequest("bad_parameter", "name", "name: the file name is required")
	}
	if !ruleFileRE.MatchString(name) || name == "." || name == ".." {
		return "", nil, badRequest("bad_parameter", "name", "name: a file name of letters, digits, '.', '_' or '-'")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return "", nil, err
	}
	if len(data) == 0 {
		return "", nil, invalid("body", "the body is the file")
	}
	return name, data, nil
}

// postPlanImport imports the plan table (funding.ImportPlan) from the raw
// body, a CSV (UTF-8 or GBK) or XLSX file named ?name=: the finance bureau
// only. A file imported before answers 200 with Idempotent-Replayed: true.
func (s *Server) postPlanImport(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "import the plan"); err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := readUpload(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dir, err := os.MkdirTemp("", "fundledger-plan-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.prog.ImportPlan(r.Context(), path, principal(r).User)
	if err != nil {
		var pe funding.PlanErrors
		if errors.As(err, &pe) {
			err = invalid("body", err.Error())
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, res.AlreadyImported), res)
}

type bondPlanJSON struct {
	Project     string    `json:"project"`
	Version     int       `json:"version"`
	EffectiveOn string    `json:"effective_on"`
	FileName    string    `json:"file_name"`
	Lines       int       `json:"lines"`
	Total       moneyJSON `json:"total"`
	Unchanged   bool      `json:"unchanged"`
}

type bondPlansJSON struct {
	Plans []bondPlanJSON `json:"plans"`
	Actor string         `json:"actor"`
}

// postBondPlans imports financing balance plans (预期收益与融资平衡方案) from
// the raw body, JSON or CSV named ?name=, effective ?effective=
// (funding.ParseBondRevenuePlan, funding.ImportBondRevenuePlans): the
// finance bureau only. 201 when a new version was stored; 200 with
// Idempotent-Replayed: true when every plan was unchanged.
func (s *Server) postBondPlans(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "import financing balance plans"); err != nil {
		s.fail(w, r, err)
		return
	}
	eff := r.URL.Query().Get("effective")
	if eff == "" {
		s.fail(w, r, badRequest("bad_parameter", "effective", "effective: the date the plans take effect is required"))
		return
	}
	on, err := ledger.ParseDate(eff)
	if err != nil {
		s.fail(w, r, badRequest("bad_parameter", "effective", "effective: want a date YYYY-MM-DD"))
		return
	}
	name, data, err := readUpload(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lines, err := funding.ParseBondRevenuePlan(name, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plans, err := s.prog.ImportBondRevenuePlans(r.Context(), name, lines, on, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := bondPlansJSON{Plans: []bondPlanJSON{}, Actor: principal(r).User}
	unchanged := true
	for _, p := range plans {
		unchanged = unchanged && p.Unchanged
		out.Plans = append(out.Plans, bondPlanJSON{Project: p.Project, Version: p.Version, EffectiveOn: day(p.EffectiveOn), FileName: p.FileName,
			Lines: len(p.Lines), Total: money(p.Total), Unchanged: p.Unchanged})
	}
	writeJSON(w, replayed(w, unchanged), out)
}
