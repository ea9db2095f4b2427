package web

// Ledger accounts: list (narrowed to the caller's districts) and create
// (the finance bureau's; accounts made here bypass the funding rules).

import (
	"context"

	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerAccounts() {
	const tag = apiTag("ledger")
	register(s, tag.read("/api/accounts", "Accounts by code; a district officer sees only its districts' accounts"), s.listAccounts)
	register(s, tag.bureauCreate("/api/accounts", "create ledger accounts", "Create an account (ledger.CreateAccount)"), s.postAccount)
}

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

type BookQuery struct {
	Book string `query:"book" enum:"financial,budget," doc:"financial or budget; both when absent"`
}

type accountsIn struct {
	PageQuery
	BookQuery
	Prefix string `query:"prefix" doc:"the code or the codes below it"`
}

// listAccounts lists accounts in code order, a page at a time.
func (s *Server) listAccounts(ctx context.Context, in *accountsIn) (*bodyOut[page[accountJSON]], error) {
	accts, err := s.prog.Ledger().Accounts(ctx, ledger.AccountFilter{Book: ledger.Book(in.Book), CodePrefix: in.Prefix,
		Districts: readScope(ctx), After: in.After, Limit: in.Limit + 1})
	if err != nil {
		return nil, err
	}
	out := page[accountJSON]{Items: []accountJSON{}}
	for _, a := range accts {
		if len(out.Items) == in.Limit {
			out.Next = out.Items[in.Limit-1].Code
			break
		}
		out.Items = append(out.Items, accountOut(a))
	}
	return ok(out), nil
}

// postAccount: the same account again answers 200 with
// Idempotent-Replayed: true; the code with other attributes 409.
func (s *Server) postAccount(ctx context.Context, in *writeIn[requests.Account]) (*writeOut[accountJSON], error) {
	b := in.Body
	l := s.prog.Ledger()
	_, existed := l.Account(ctx, b.Code)
	a, err := l.CreateAccount(ctx, ledger.Account{Code: b.Code, Name: b.Name, Type: ledger.AccountType(b.Type), NoOverdraft: b.NoOverdraft,
		Dimensions: ledger.Dimensions{District: b.District, Project: b.Project, Source: b.Source, Category: b.Category, Bond: b.Bond}},
		principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	s.seal(ctx)
	return written(accountOut(a), existed == nil), nil
}

// seal chains the entries just posted into a block, as the CLI does after
// every post. The write has succeeded by then: a failure is logged, not
// answered (the next seal picks the entries up).
func (s *Server) seal(ctx context.Context) {
	if _, err := s.prog.Ledger().Seal(ctx); err != nil {
		ri, _ := ctx.Value(reqKey{}).(reqInfo)
		s.log.Error("seal after write failed", "method", ri.method, "path", ri.path, "user", principalOf(ctx).User, "error", err.Error())
	}
}
