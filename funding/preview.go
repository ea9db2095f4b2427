package funding

import (
	"context"
	"errors"

	"fundledger/ledger"
)

// Preview runs do — one or more of this programme's writes, called with
// the context it is given — as a dry run: every check runs as for real
// (rule set, 专款专用, cash, budget lines, closed periods, the database's
// own constraints) and every transaction is then rolled back. It returns
// the entries that would be posted; a refusal is returned as the write
// would return it. Nothing is stored but accounts a real post would also
// create. Posting afterwards with the same idempotency key is the real
// thing.
func (p *Programme) Preview(ctx context.Context, do func(ctx context.Context) error) ([]ledger.Entry, error) {
	dctx, dry := ledger.WithDryRun(ctx)
	err := do(dctx)
	if err != nil && !errors.Is(err, ledger.ErrDryRun) {
		return nil, err
	}
	return dry.Entries(), nil
}
