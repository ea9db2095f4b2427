package web

// Receipts (资金到位) and disbursements (拨付): as the CLI's receive and
// pay commands. Officers only in their granted districts; the ledger's
// idempotency key is the caller's Idempotency-Key scoped to the user.

import (
	"context"
	"net/http"

	"fundledger/funding"
)

func (s *Server) registerPayments() {
	const tag = "payments"
	register(s, op{method: http.MethodPost, path: "/api/receipts", kind: opWrite, tag: tag, status: http.StatusCreated,
		summary: "Record money received for a project from a source (funding.Receive)"}, s.postReceipt)
	register(s, op{method: http.MethodPost, path: "/api/disbursements", kind: opWrite, tag: tag, status: http.StatusCreated,
		summary: "Pay out of a project's source for a category (funding.Disburse)"}, s.postDisbursement)
}

type movementJSON struct {
	Kind           string `json:"kind"`
	Project        string `json:"project"`
	IdempotencyKey string `json:"idempotency_key"`
	FinancialEntry int64  `json:"financial_entry"`
	BudgetEntry    int64  `json:"budget_entry"`
	Actor          string `json:"actor"`
}

// movementOut answers a receipt or payment 201, replayed or not (then
// with Idempotent-Replayed: true).
func movementOut(out *writeOut[movementJSON], err error) (*writeOut[movementJSON], error) {
	if out != nil {
		out.Status = http.StatusCreated
	}
	return out, err
}

// movement is the body of a receipt or payment.
func movement(ctx context.Context, kind, project, key string) func(funding.Movement) (movementJSON, bool) {
	return func(m funding.Movement) (movementJSON, bool) {
		return movementJSON{Kind: kind, Project: project, IdempotencyKey: key, FinancialEntry: m.FinancialEntry, BudgetEntry: m.BudgetEntry,
			Actor: principalOf(ctx).User}, m.Replayed
	}
}

type receiptIn struct {
	KeyHeader
	Body struct {
		Project     string `json:"project" minLength:"1"`
		Source      string `json:"source" minLength:"1"`
		Amount      Amount `json:"amount" minLength:"1" doc:"yuan, a decimal string with at most two decimals"`
		ReceivedOn  Date   `json:"received_on" minLength:"1" doc:"YYYY-MM-DD"`
		BankAccount string `json:"bank_account" minLength:"1"`
		Reference   string `json:"reference,omitempty"`
		Memo        string `json:"memo,omitempty"`
	}
}

func (s *Server) postReceipt(ctx context.Context, in *receiptIn) (*writeOut[movementJSON], error) {
	b := in.Body
	return movementOut(wrote(right(s.writableProject(ctx, b.Project)), func() (funding.Movement, error) {
		return s.prog.Receive(ctx, funding.ReceiptRequest{Project: b.Project, Source: b.Source, Amount: b.Amount.Dec(), ReceivedOn: b.ReceivedOn.Time(),
			BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo, IdempotencyKey: idemKey(ctx), Actor: principalOf(ctx).User})
	}, movement(ctx, "receipt", b.Project, in.IdempotencyKey)))
}

type disbursementIn struct {
	KeyHeader
	Body struct {
		Project     string `json:"project" minLength:"1"`
		Source      string `json:"source" minLength:"1"`
		Category    string `json:"category" enum:"basic,improvement,upgrade"`
		WorkItem    string `json:"work_item,omitempty"`
		Amount      Amount `json:"amount" minLength:"1" doc:"yuan, a decimal string with at most two decimals"`
		PaidOn      Date   `json:"paid_on" minLength:"1" doc:"YYYY-MM-DD"`
		Payee       string `json:"payee" minLength:"1"`
		BankAccount string `json:"bank_account" minLength:"1"`
		Reference   string `json:"reference,omitempty"`
		Memo        string `json:"memo,omitempty"`
	}
}

func (s *Server) postDisbursement(ctx context.Context, in *disbursementIn) (*writeOut[movementJSON], error) {
	b := in.Body
	return movementOut(wrote(right(s.writableProject(ctx, b.Project)), func() (funding.Movement, error) {
		return s.prog.Disburse(ctx, funding.DisbursementRequest{Project: b.Project, Source: b.Source, Category: b.Category, WorkItem: b.WorkItem,
			Amount: b.Amount.Dec(), PaidOn: b.PaidOn.Time(), Payee: b.Payee, BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo,
			IdempotencyKey: idemKey(ctx), Actor: principalOf(ctx).User})
	}, movement(ctx, "disbursement", b.Project, in.IdempotencyKey)))
}
