package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// BankAccount is a bank account that receives or pays programme money.
type BankAccount struct {
	Code     string `db:"code" json:"code" validate:"required,max=64"`
	Name     string `db:"name" json:"name" validate:"required,max=200"`
	Bank     string `db:"bank" json:"bank" validate:"max=200"`
	Number   string `db:"number" json:"number" validate:"max=64"`
	District string `db:"district" json:"district"`
}

// AddBankAccount registers a bank account; adding the same one again
// changes nothing.
func (p *Programme) AddBankAccount(ctx context.Context, b BankAccount, actor string) error {
	if err := checkInput("add bank account", b); err != nil {
		return err
	}
	var district any
	if b.District != "" {
		d, err := LookupDistrict(ctx, p.db, b.District)
		if err != nil {
			return fmt.Errorf("add bank account %s: %w", b.Code, err)
		}
		district = d.Code
	}
	_, err := p.db.ExecContext(ctx, `
		INSERT INTO bank_accounts (code, name, bank, number, district, created_by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (code) DO NOTHING`, b.Code, b.Name, b.Bank, b.Number, district, actor)
	if err != nil {
		return fmt.Errorf("add bank account %s: %w", b.Code, err)
	}
	return nil
}

// MaxBankAccounts bounds one listing of bank accounts.
const MaxBankAccounts = 10000

// BankAccounts lists the registered bank accounts by code, those of one
// district (code or Chinese name) and the city's own (no district) when
// district is given.
func (p *Programme) BankAccounts(ctx context.Context, district string) ([]BankAccount, error) {
	code := ""
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return nil, fmt.Errorf("bank accounts: %w", err)
		}
		code = d.Code
	}
	var out []BankAccount
	err := p.db.SelectContext(ctx, &out, `
		SELECT code, name, bank, number, coalesce(district, '') AS district FROM bank_accounts
		WHERE $1 = '' OR district = $1 OR district IS NULL
		ORDER BY code COLLATE "C" LIMIT $2`, code, MaxBankAccounts)
	if err != nil {
		return nil, fmt.Errorf("bank accounts: %w", err)
	}
	return out, nil
}

// LookupBankAccount is the bank account of a code (ErrNotFound when none);
// District is "" for the city's own.
func LookupBankAccount(ctx context.Context, db sqlx.QueryerContext, code string) (BankAccount, error) {
	var b BankAccount
	err := sqlx.GetContext(ctx, db, &b, `SELECT code, name, bank, number, coalesce(district, '') AS district FROM bank_accounts WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("bank account %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("bank account %q: %w", code, err)
	}
	return b, nil
}

// DistrictBankAccounts lists a district's own bank accounts (by its code;
// not the city's), by code, at most MaxBankAccounts.
func DistrictBankAccounts(ctx context.Context, db sqlx.QueryerContext, district string) ([]BankAccount, error) {
	var out []BankAccount
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT code, name, bank, number, district FROM bank_accounts WHERE district = $1
		ORDER BY code LIMIT $2`, district, MaxBankAccounts); err != nil {
		return nil, fmt.Errorf("bank accounts of %s: %w", district, err)
	}
	return out, nil
}

// lookups caches, for one batch of requests, the projects, bank accounts
// and approvals they refer to, so that a batch costs few round trips.
type lookups struct {
	p        *Programme
	projects map[string]Project
	banks    map[string]error
	// bankDistricts: per bank account, its district's code and name ("" a city account).
	bankDistricts map[string][2]string
	approvals     map[string]*Approval
}

func (p *Programme) lookups() *lookups {
	return &lookups{p: p, projects: map[string]Project{}, banks: map[string]error{}, approvals: map[string]*Approval{}}
}

func (l *lookups) project(ctx context.Context, code string) (Project, error) {
	if pr, ok := l.projects[code]; ok {
		return pr, nil
	}
	pr, err := l.p.Project(ctx, code)
	if err == nil {
		l.projects[code] = pr
	}
	return pr, err
}

func (l *lookups) bank(ctx context.Context, code string) error {
	if err, ok := l.banks[code]; ok {
		return err
	}
	var n int
	if err := l.p.db.GetContext(ctx, &n, `SELECT count(*) FROM bank_accounts WHERE code = $1`, code); err != nil {
		return err
	}
	var err error
	if n == 0 {
		err = fmt.Errorf("bank account %q: %w (register it with `fundledger bank add`)", code, ErrNotFound)
	}
	l.banks[code] = err
	return err
}

// bankFor checks that a bank account may carry money of a project of a
// district (code and Chinese name; what names the project): it is
// registered, and it is either the district's own account or a city
// account (one registered without a district, such as 市财政's). Any other
// district's account is ErrBankDistrict.
func (l *lookups) bankFor(ctx context.Context, code, district, districtName, what string) error {
	if err := l.bank(ctx, code); err != nil {
		return err
	}
	if l.bankDistricts == nil {
		l.bankDistricts = map[string][2]string{}
	}
	owner, ok := l.bankDistricts[code]
	if !ok {
		var b struct {
			District string `db:"district"`
			Name     string `db:"name"`
		}
		if err := l.p.db.GetContext(ctx, &b, `SELECT coalesce(a.district, '') AS district, coalesce(d.name_zh, '') AS name
			FROM bank_accounts a LEFT JOIN districts d ON d.code = a.district WHERE a.code = $1`, code); err != nil {
			return fmt.Errorf("bank account %q: %w", code, err)
		}
		owner = [2]string{b.District, b.Name}
		l.bankDistricts[code] = owner
	}
	if owner[0] == "" || owner[0] == district {
		return nil
	}
	return fmt.Errorf("%w: bank account %s belongs to %s; money of %s (%s) goes through an account of %s or a city account (registered without a district)",
		ErrBankDistrict, code, owner[1], what, districtName, districtName)
}

func (l *lookups) approval(ctx context.Context, project string) (*Approval, error) {
	if a, ok := l.approvals[project]; ok {
		return a, nil
	}
	a, err := l.p.latestApproval(ctx, l.p.db, project)
	if err == nil {
		l.approvals[project] = a
	}
	return a, err
}

// maxMovements bounds one batch of receipts or payments (two entries each).
const maxMovements = ledger.MaxEntriesPerBatch / 2

func movements(out []ledger.Entry) []Movement {
	ms := make([]Movement, len(out)/2)
	for i := range ms {
		f, b := out[2*i], out[2*i+1]
		ms[i] = Movement{FinancialEntry: f.ID, BudgetEntry: b.ID, Replayed: f.Replayed && b.Replayed}
	}
	return ms
}

// ReceiptRequest records money arriving for a project from a source.
type ReceiptRequest struct {
	Project        string          `json:"project" validate:"required"`
	Source         string          `json:"source" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	ReceivedOn     time.Time       `json:"received_on" validate:"required"`
	BankAccount    string          `json:"bank_account" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"` // bank or treasury voucher
	Memo           string          `json:"memo" validate:"max=500"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// Movement is what a receipt or disbursement posted.
type Movement struct {
	FinancialEntry int64 `json:"financial_entry"`
	BudgetEntry    int64 `json:"budget_entry"`
	Replayed       bool  `json:"replayed,omitempty"`
}

// Receive records a receipt (资金到位): earmarked cash of the source for
// the project goes up (financial book) and the source's outstanding
// commitment goes down (budget book). A receipt larger than what is still
// committed is refused. Instalments are separate receipts.
func (p *Programme) Receive(ctx context.Context, r ReceiptRequest) (Movement, error) {
	ms, err := p.ReceiveAll(ctx, []ReceiptRequest{r})
	if err != nil {
		return Movement{}, err
	}
	return ms[0], nil
}

// ReceiveAll records receipts as one batch: all or none.
func (p *Programme) ReceiveAll(ctx context.Context, rs []ReceiptRequest) ([]Movement, error) {
	if len(rs) == 0 || len(rs) > maxMovements {
		return nil, fmt.Errorf("%w: receipts: want 1 to %d in a batch, got %d", ErrInvalid, maxMovements, len(rs))
	}
	lk := p.lookups()
	if err := prefetch(ctx, lk, rs, func(r ReceiptRequest) string { return r.Project }); err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	entries := make([]ledger.Entry, 0, 2*len(rs))
	receivables := make([]string, len(rs))
	whats := make([]string, len(rs))
	for i, r := range rs {
		what := fmt.Sprintf("receipt %q for project %s from %s", r.IdempotencyKey, r.Project, r.Source)
		whats[i] = what
		if err := checkInput(what, r); err != nil {
			return nil, err
		}
		if err := ledger.CheckAmount(r.Amount); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if _, ok := rules.LookupSource(r.Source); !ok {
			return nil, fmt.Errorf("%w: %s: unknown source %q", ErrInvalid, what, r.Source)
		}
		pr, err := lk.project(ctx, r.Project)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := lk.bankFor(ctx, r.BankAccount, pr.District, pr.DistrictName, "project "+pr.Code); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		acc := accountsOf(pr)
		receivables[i] = acc.receivable(r.Source)
		on := ledger.Civil(r.ReceivedOn)
		meta := map[string]string{"kind": "receipt", "project": pr.Code, "district": pr.District, "source": r.Source,
			"bank_account": r.BankAccount, "reference": r.Reference}
		memo := r.Memo
		if memo == "" {
			memo = autoMemo(meta, MemoReceipt, "资金到位：%s 收到%s资金", txtArg(pr.Code), srcArg(r.Source))
		}
		entries = append(entries,
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.cash(r.Source), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: acc.revenue(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
			ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.available(r.Source), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: acc.receivable(r.Source), Side: ledger.Credit, Amount: r.Amount}}})
	}
	// A source without a commitment for the project has no accounts there.
	var known []string
	if err := p.db.SelectContext(ctx, &known, `SELECT code FROM accounts WHERE code = ANY($1)`, pq.Array(receivables)); err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	have := map[string]bool{}
	for _, c := range known {
		have[c] = true
	}
	for i, r := range rs {
		if !have[receivables[i]] {
			return nil, fmt.Errorf("%w: %s: source %s has no commitment for this project (approve its budget first)", ErrNotEarmarked, whats[i], r.Source)
		}
	}
	out, err := p.ledger.PostBatch(ctx, entries)
	if errors.Is(err, ledger.ErrOverdraft) {
		// The database refuses a receivable below zero; say it in the officer's terms.
		for i, r := range rs {
			if strings.Contains(err.Error(), receivables[i]+" ") {
				on := ledger.Civil(r.ReceivedOn)
				outstanding, berr := p.ledger.Balance(ctx, receivables[i], on)
				if berr != nil {
					break
				}
				return nil, fmt.Errorf("%w: %s: %s exceeds the outstanding commitment of %s as of %s",
					ErrExceedsCommitment, whats[i], r.Amount.StringFixed(2), outstanding.StringFixed(2), on.Format(ledger.DateLayout))
			}
		}
	}
	if err != nil {
		if len(rs) == 1 {
			return nil, fmt.Errorf("%s: %w", whats[0], err)
		}
		return nil, fmt.Errorf("%d receipts: %w", len(rs), err)
	}
	return movements(out), nil
}

// DisbursementRequest pays for a category of work from one source's
// earmarked money.
type DisbursementRequest struct {
	Project        string          `json:"project" validate:"required"`
	Source         string          `json:"source" validate:"required"`
	Category       string          `json:"category" validate:"required,oneof=basic improvement upgrade"`
	WorkItem       string          `json:"work_item" validate:"max=64"`
	Amount         decimal.Decimal `json:"amount"`
	PaidOn         time.Time       `json:"paid_on" validate:"required"`
	Payee          string          `json:"payee" validate:"required,max=200"`
	BankAccount    string          `json:"bank_account" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	Memo           string          `json:"memo" validate:"max=500"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// Disburse records a payment (拨付) for a category of work from one
// source's earmarked money. It is refused when the project's rule set does
// not let that source pay that category (专款专用), when the source's
// earmarked cash would go below zero, when the project has no approved
// budget line for the category (ErrNoBudgetLine) and when the payment does
// not fit what remains of that line (ErrBudgetLineExceeded, 无预算不支出).
func (p *Programme) Disburse(ctx context.Context, r DisbursementRequest) (Movement, error) {
	ms, err := p.DisburseAll(ctx, []DisbursementRequest{r})
	if err != nil {
		return Movement{}, err
	}
	return ms[0], nil
}

// DisburseAll records payments as one batch: all or none.
func (p *Programme) DisburseAll(ctx context.Context, rs []DisbursementRequest) ([]Movement, error) {
	if len(rs) == 0 || len(rs) > maxMovements {
		return nil, fmt.Errorf("%w: payments: want 1 to %d in a batch, got %d", ErrInvalid, maxMovements, len(rs))
	}
	lk := p.lookups()
	if err := prefetch(ctx, lk, rs, func(r DisbursementRequest) string { return r.Project }); err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	lines := &lineStates{p: p, lines: map[lineKey]*lineState{}, read: map[string]bool{}}
	// A payment already recorded (a replay) is in the line's paid already.
	recorded, err := p.recordedKeys(ctx, rs)
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	entries := make([]ledger.Entry, 0, 2*len(rs))
	cashAccounts := make([]string, len(rs))
	whats := make([]string, len(rs))
	for i, r := range rs {
		what := fmt.Sprintf("payment %q for project %s from %s", r.IdempotencyKey, r.Project, r.Source)
		whats[i] = what
		if err := checkInput(what, r); err != nil {
			return nil, err
		}
		if err := ledger.CheckAmount(r.Amount); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		pr, err := lk.project(ctx, r.Project)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := lk.bankFor(ctx, r.BankAccount, pr.District, pr.DistrictName, "project "+pr.Code); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		appr, err := lk.approval(ctx, pr.Code)
		if err != nil {
			return nil, fmt.Errorf("%s: the project has no approved budget: %w", what, err)
		}
		rs, _, err := p.RuleSet(ctx, appr.RuleSetID)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if !rs.MayPay(r.Category, r.WorkItem, r.Source) {
			return nil, &EarmarkRefusal{What: what, Source: r.Source, Category: r.Category, WorkItem: r.WorkItem,
				RuleSet: fmt.Sprintf("%s %s (id %d)", rs.Name, rs.Version, appr.RuleSetID)}
		}
		var draws []lineID
		drawn, replay := recorded[r.IdempotencyKey+"/budget"]
		if !replay || drawn {
			if draws, err = lines.draws(ctx, what, pr, r.Category, r.Source); err != nil {
				return nil, err
			}
		}
		if !replay {
			if err := lines.charge(ctx, what, pr, draws, r.Amount); err != nil {
				return nil, err
			}
		}
		if err := p.ensureSourceAccounts(ctx, pr, r.Source, r.Category); err != nil {
			return nil, err
		}
		acc := accountsOf(pr)
		cashAccounts[i] = acc.cash(r.Source)
		on := ledger.Civil(r.PaidOn)
		meta := map[string]string{"kind": "disbursement", "project": pr.Code, "district": pr.District, "source": r.Source,
			"category": r.Category, "work_item": r.WorkItem, "payee": r.Payee, "bank_account": r.BankAccount, "reference": r.Reference,
			"rule_set_id": fmt.Sprint(appr.RuleSetID)}
		memo := r.Memo
		if memo == "" {
			memo = autoMemo(meta, MemoDisbursement, "拨付：%s %s工程款付给%s，资金来源%s", txtArg(pr.Code), catArg(r.Category), txtArg(r.Payee), srcArg(r.Source))
		}
		entries = append(entries,
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.expense(r.Category, r.Source), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: acc.cash(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
			ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
				Postings: append([]ledger.Posting{
					{AccountCode: acc.spent(r.Category, r.Source), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: acc.available(r.Source), Side: ledger.Credit, Amount: r.Amount}},
					lineDraws(acc, draws, r.Amount)...)})
	}
	out, err := p.ledger.PostBatch(ctx, entries)
	err = lineError(err)
	if errors.Is(err, ledger.ErrOverdraft) {
		// Earmarked cash and the budget book's "available" mirror each other;
		// name the request whose source ran short, with the cash it had.
		for i, r := range rs {
			avail := strings.Replace(cashAccounts[i], "cash:", "budget:available:", 1)
			if strings.Contains(err.Error(), cashAccounts[i]+" ") || strings.Contains(err.Error(), avail+" ") {
				on := ledger.Civil(r.PaidOn)
				cash, berr := p.ledger.Balance(ctx, cashAccounts[i], on)
				if berr != nil {
					break
				}
				return nil, fmt.Errorf("%w: %s: %s exceeds the earmarked cash of %s (%s): %s available on %s",
					ledger.ErrOverdraft, whats[i], r.Amount.StringFixed(2), r.Source, sourceLabel(r.Source), cash.StringFixed(2), on.Format(ledger.DateLayout))
			}
		}
	}
	if err != nil {
		if len(rs) == 1 {
			return nil, fmt.Errorf("%s: %w", whats[0], err)
		}
		return nil, fmt.Errorf("%d payments: %w", len(rs), err)
	}
	return movements(out), nil
}
