package web

// Ledger entries: list (narrowed to the caller's districts), post and
// reverse (the finance bureau's; entries posted here bypass the funding
// rules), and verify (the finance bureau and the auditor).

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerEntries() {
	const tag = apiTag("ledger")
	register(s, tag.read("/api/entries", "Entries with their postings in the order recorded; a district officer sees only entries of its districts"), s.listEntries)
	register(s, tag.bureauCreate("/api/entries", "post ledger entries", "Post one balanced entry (ledger.Post)"), s.postEntry)
	register(s, tag.bureauCreate("/api/entries/{id}/reverse", "reverse ledger entries", "Reverse an entry (ledger.Reverse)"), s.postReverse)
	register(s, tag.read("/api/verify", "Recompute the hashes, the chain and the balances (ledger.Verify); finance bureau and auditor"), s.verifyLedger)
}

type postingJSON struct {
	Account string    `json:"account" minLength:"1"`
	Side    string    `json:"side" enum:"D,C"`
	Amount  moneyJSON `json:"amount" minLength:"1"`
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

type entriesIn struct {
	PageQuery
	BookQuery
	From    string `query:"from" doc:"effective date YYYY-MM-DD, inclusive"`
	To      string `query:"to" doc:"effective date YYYY-MM-DD, inclusive"`
	Account string `query:"account" doc:"entries with a posting on this account"`
}

func (s *Server) listEntries(ctx context.Context, in *entriesIn) (*bodyOut[page[entryJSON]], error) {
	f := ledger.EntryFilter{Book: ledger.Book(in.Book), Account: in.Account, Limit: in.Limit + 1, Districts: readScope(ctx)}
	var err error
	if f.From, err = dateParam("from", in.From); err != nil {
		return nil, err
	}
	if f.To, err = dateParam("to", in.To); err != nil {
		return nil, err
	}
	if in.After != "" {
		if f.AfterID, err = strconv.ParseInt(in.After, 10, 64); err != nil || f.AfterID < 0 {
			return nil, badParam("after", "v.param", "after")
		}
	}
	es, err := s.prog.Ledger().Entries(ctx, f)
	if err != nil {
		return nil, err
	}
	out := page[entryJSON]{Items: []entryJSON{}}
	for _, e := range es {
		if len(out.Items) == in.Limit {
			out.Next = strconv.FormatInt(out.Items[in.Limit-1].ID, 10)
			break
		}
		out.Items = append(out.Items, entryOut(e))
	}
	return ok(out), nil
}

// postEntry: the same request again answers 200 with Idempotent-Replayed:
// true, another request with the same key 409.
func (s *Server) postEntry(ctx context.Context, in *writeIn[requests.Entry]) (*writeOut[entryJSON], error) {
	b := in.Body
	e := ledger.Entry{Book: ledger.Book(b.Book), Memo: b.Memo, Actor: principalOf(ctx).User, IdempotencyKey: idemKey(ctx), Metadata: b.Metadata}
	var err error
	e.EffectiveDate = b.EffectiveDate.Time()
	for _, p := range b.Postings {
		e.Postings = append(e.Postings, ledger.Posting{AccountCode: p.Account, Side: ledger.Side(p.Side), Amount: p.Amount.Dec()})
	}
	out, err := s.prog.Ledger().Post(ctx, e)
	if err != nil {
		return nil, err
	}
	s.seal(ctx)
	return written(entryOut(out), out.Replayed), nil
}

type reverseIn struct {
	KeyHeader
	IDPath
	Body requests.Reversal
}

// postReverse answers the reversal of the entry named; a receipt's or a
// payment's other entry is reversed with it, in the same transaction
// (funding.ReversePayment). The same request with the same key answers
// 200 with Idempotent-Replayed: true; an entry reversed already 409.
func (s *Server) postReverse(ctx context.Context, in *reverseIn) (*writeOut[entryJSON], error) {
	id, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound("entry " + in.ID)
	}
	return wrote(nil, func() (funding.PaymentReversed, error) {
		return s.prog.ReversePayment(ctx, funding.PaymentReversal{Entry: id, Reason: in.Body.Reason, Date: in.Body.Date.Time(),
			Actor: principalOf(ctx).User, IdempotencyKey: idemKey(ctx)})
	}, func(got funding.PaymentReversed) (entryJSON, bool) {
		s.seal(ctx)
		return entryOut(got.Reversals[0]), got.Replayed
	})
}

// verifyLedger only reads and seals nothing.
func (s *Server) verifyLedger(ctx context.Context, _ *struct{}) (*bodyOut[ledger.VerifyReport], error) {
	if p := principalOf(ctx); p.Role != access.FinanceBureau && p.Role != access.Auditor {
		return nil, fmt.Errorf("%w: %s (%s) may not verify the ledger", access.ErrDenied, p.User, p.Role)
	}
	rep, err := s.prog.Ledger().Verify(ctx)
	if err != nil {
		return nil, err
	}
	if rep.Problems == nil {
		rep.Problems = []string{}
	}
	return ok(rep), nil
}
