package funding

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/ledger"
)

// PaymentReversal asks to reverse a receipt or a payment. A movement posts
// a financial and a budget-line entry under one key ("<key>/financial",
// "<key>/budget"); both are reversed together, in one transaction, or
// neither. An entry of no such pair is reversed alone.
type PaymentReversal struct {
	Entry  int64 // either entry of the pair
	Reason string
	// Date of the reversals; zero means each reversed entry's own date. A
	// reversal of an entry in a closed period must be dated in an open one.
	Date  time.Time
	Actor string
	// IdempotencyKey: the reversals are posted under "<key>/<entry id>";
	// empty gives each the ledger's default, "reversal-of:<entry id>". The
	// same request again returns the reversals posted (Replayed).
	IdempotencyKey string
}

// PaymentReversed is what ReversePayment posted.
type PaymentReversed struct {
	Reversed  []int64        // the entries reversed, the one named first
	Reversals []ledger.Entry // their reversals, in the same order
	Replayed  bool           // every reversal had been posted already
}

// maxReasonLength bounds a reversal's reason.
const maxReasonLength = 500

// ReversePayment reverses a payment's (or receipt's) two entries in one
// ledger transaction: both are reversed or neither. A pair reversed
// already under another key is refused (ledger.ErrAlreadyReversed), and
// nothing is posted.
func (p *Programme) ReversePayment(ctx context.Context, r PaymentReversal) (PaymentReversed, error) {
	what := fmt.Sprintf("reverse entry %d", r.Entry)
	reason := strings.TrimSpace(r.Reason)
	if reason == "" || len(reason) > maxReasonLength {
		return PaymentReversed{}, fmt.Errorf("%w: %s: a reason of 1 to %d characters is required", ErrInvalid, what, maxReasonLength)
	}
	l := p.ledger
	named, err := l.Entry(ctx, r.Entry)
	if err != nil {
		return PaymentReversed{}, fmt.Errorf("%s: %w", what, err)
	}
	origs := []ledger.Entry{named}
	for _, pair := range [][2]string{{"/financial", "/budget"}, {"/budget", "/financial"}} {
		base, ok := strings.CutSuffix(named.IdempotencyKey, pair[0])
		if !ok {
			continue
		}
		if id, err := l.EntryIDByKey(ctx, base+pair[1]); err == nil {
			other, err := l.Entry(ctx, id)
			if err != nil {
				return PaymentReversed{}, fmt.Errorf("%s: %w", what, err)
			}
			origs = append(origs, other)
		}
	}
	revs := make([]ledger.Entry, len(origs))
	out := PaymentReversed{}
	for i, o := range origs {
		revs[i] = reversalOf(o, reason, r)
		out.Reversed = append(out.Reversed, o.ID)
	}
	// PostInTx, not PostBatch: its careful path returns the reversals of
	// the same request again as replayed.
	if err := l.InTx(ctx, func(tx *sqlx.Tx) error {
		out.Reversals, err = ledger.PostInTx(ctx, tx, revs)
		return err
	}); err != nil {
		return PaymentReversed{}, fmt.Errorf("%s: %w", what, err)
	}
	out.Replayed = true
	for _, e := range out.Reversals {
		out.Replayed = out.Replayed && e.Replayed
	}
	return out, nil
}

// reversalOf is the entry that undoes o (as ledger.Reverse posts it): the
// same postings with the sides swapped, pointing at o.
func reversalOf(o ledger.Entry, reason string, r PaymentReversal) ledger.Entry {
	id := strconv.FormatInt(o.ID, 10)
	key := "reversal-of:" + id
	if r.IdempotencyKey != "" {
		key = r.IdempotencyKey + "/" + id
	}
	on := r.Date
	if on.IsZero() {
		on = o.EffectiveDate
	}
	meta := map[string]string{"reason": reason}
	rev := ledger.Entry{Book: o.Book, EffectiveDate: on, Memo: ledger.ReversalMemo(meta, o.Voucher, reason), Actor: r.Actor,
		IdempotencyKey: key, Reverses: o.ID, Metadata: meta}
	for _, ps := range o.Postings {
		rev.Postings = append(rev.Postings, ledger.Posting{AccountCode: ps.AccountCode, Side: ps.Side.Opposite(), Amount: ps.Amount})
	}
	return rev
}
