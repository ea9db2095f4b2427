package web

// Receipts (资金到位) and disbursements (拨付): as the CLI's receive and
// pay commands. Officers only in their granted districts; the ledger's
// idempotency key is the caller's Idempotency-Key scoped to the user.

import (
	"context"
	"net/http"

	"fundledger/funding"
	"fundledger/requests"
)

func (s *Server) registerPayments() {
	const tag = apiTag("payments")
	register(s, tag.create("/api/receipts", "Record money received for a project from a source (funding.Receive)"), s.postReceipt)
	register(s, tag.create("/api/disbursements", "Pay out of a project's source for a category (funding.Disburse)"), s.postDisbursement)
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

// movement answers a receipt or payment: its kind, project and the
// Idempotency-Key as the caller sent it.
func movement[Q any](kind, project, key string) func(context.Context, Q, funding.Movement) (movementJSON, bool) {
	return func(ctx context.Context, _ Q, m funding.Movement) (movementJSON, bool) {
		return movementJSON{Kind: kind, Project: project, IdempotencyKey: key, FinancialEntry: m.FinancialEntry, BudgetEntry: m.BudgetEntry,
			Actor: principalOf(ctx).User}, m.Replayed
	}
}

func (s *Server) postReceipt(ctx context.Context, in *writeIn[requests.Receipt]) (*writeOut[movementJSON], error) {
	return movementOut(write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.Receive, in.Body.Request(caller(ctx, "")),
		movement[funding.ReceiptRequest]("receipt", in.Body.Project, in.IdempotencyKey)))
}

func (s *Server) postDisbursement(ctx context.Context, in *writeIn[requests.Disbursement]) (*writeOut[movementJSON], error) {
	return movementOut(write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.Disburse, in.Body.Request(caller(ctx, "")),
		movement[funding.DisbursementRequest]("disbursement", in.Body.Project, in.IdempotencyKey)))
}
