package funding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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

func (p *Programme) bankAccountExists(ctx context.Context, code string) error {
	var n int
	if err := p.db.GetContext(ctx, &n, `SELECT count(*) FROM bank_accounts WHERE code = $1`, code); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("bank account %q: %w (register it with `fundledger bank add`)", code, ErrNotFound)
	}
	return nil
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
	what := fmt.Sprintf("receipt %q for project %s from %s", r.IdempotencyKey, r.Project, r.Source)
	if err := checkInput(what, r); err != nil {
		return Movement{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	if _, ok := rules.LookupSource(r.Source); !ok {
		return Movement{}, fmt.Errorf("%w: %s: unknown source %q", ErrInvalid, what, r.Source)
	}
	if err := p.bankAccountExists(ctx, r.BankAccount); err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	acc := accountsOf(pr)
	on := civil(r.ReceivedOn)
	outstanding, err := p.ledger.Balance(ctx, acc.receivable(r.Source), on)
	if err != nil {
		return Movement{}, fmt.Errorf("%w: %s: source %s has no commitment for this project (approve its budget first)", ErrNotEarmarked, what, r.Source)
	}
	meta := map[string]string{"kind": "receipt", "project": pr.Code, "district": pr.District, "source": r.Source,
		"bank_account": r.BankAccount, "reference": r.Reference}
	memo := r.Memo
	if memo == "" {
		memo = fmt.Sprintf("资金到位 %s received for %s", sourceLabel(r.Source), pr.Code)
	}
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.cash(r.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.revenue(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.available(r.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.receivable(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
	}
	out, err := p.ledger.PostBatch(ctx, entries)
	// The database refuses a receivable below zero; say it in the officer's terms.
	if errors.Is(err, ledger.ErrOverdraft) && strings.Contains(err.Error(), acc.receivable(r.Source)) {
		return Movement{}, fmt.Errorf("%w: %s: %s exceeds the outstanding commitment of %s as of %s",
			ErrExceedsCommitment, what, r.Amount.StringFixed(2), outstanding.StringFixed(2), on.Format(ledger.DateLayout))
	}
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	return Movement{FinancialEntry: out[0].ID, BudgetEntry: out[1].ID, Replayed: out[0].Replayed && out[1].Replayed}, nil
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
// not let that source pay that category (专款专用), and when the source's
// earmarked cash would go below zero.
func (p *Programme) Disburse(ctx context.Context, r DisbursementRequest) (Movement, error) {
	what := fmt.Sprintf("payment %q for project %s from %s", r.IdempotencyKey, r.Project, r.Source)
	if err := checkInput(what, r); err != nil {
		return Movement{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.bankAccountExists(ctx, r.BankAccount); err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	appr, err := p.latestApproval(ctx, p.db, pr.Code)
	if err != nil {
		return Movement{}, fmt.Errorf("%s: the project has no approved budget: %w", what, err)
	}
	rs, _, err := p.RuleSet(ctx, appr.RuleSetID)
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	if !rs.MayPay(r.Category, r.WorkItem, r.Source) {
		item := ""
		if r.WorkItem != "" {
			item = ", work item " + r.WorkItem
		}
		return Movement{}, fmt.Errorf("%w (专款专用): %s: under rule set %s %s (id %d) %s (%s) may not pay %s (%s)%s",
			ErrNotEarmarked, what, rs.Name, rs.Version, appr.RuleSetID, r.Source, sourceLabel(r.Source), r.Category, categoryLabel(r.Category), item)
	}
	if err := p.ensureSourceAccounts(ctx, pr, r.Source, r.Category); err != nil {
		return Movement{}, err
	}
	acc := accountsOf(pr)
	on := civil(r.PaidOn)
	meta := map[string]string{"kind": "disbursement", "project": pr.Code, "district": pr.District, "source": r.Source,
		"category": r.Category, "work_item": r.WorkItem, "payee": r.Payee, "bank_account": r.BankAccount, "reference": r.Reference,
		"rule_set_id": fmt.Sprint(appr.RuleSetID)}
	memo := r.Memo
	if memo == "" {
		memo = fmt.Sprintf("拨付 %s %s paid to %s from %s", pr.Code, categoryLabel(r.Category), r.Payee, sourceLabel(r.Source))
	}
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.expense(r.Category, r.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.cash(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.spent(r.Category, r.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.available(r.Source), Side: ledger.Credit, Amount: r.Amount}}},
	}
	out, err := p.ledger.PostBatch(ctx, entries)
	if errors.Is(err, ledger.ErrOverdraft) {
		cash, berr := p.ledger.Balance(ctx, acc.cash(r.Source), on)
		if berr == nil {
			return Movement{}, fmt.Errorf("%w: %s: %s exceeds the earmarked cash of %s (%s): %s available on %s",
				ledger.ErrOverdraft, what, r.Amount.StringFixed(2), r.Source, sourceLabel(r.Source), cash.StringFixed(2), on.Format(ledger.DateLayout))
		}
	}
	if err != nil {
		return Movement{}, fmt.Errorf("%s: %w", what, err)
	}
	return Movement{FinancialEntry: out[0].ID, BudgetEntry: out[1].ID, Replayed: out[0].Replayed && out[1].Replayed}, nil
}
