package ledger

// A dry run: the transactions of a request run as for real (the same
// checks, triggers and deferred constraints) and are then rolled back, so a
// person can see what would be posted before posting it. A rolled-back
// transaction stores nothing and takes no voucher number (entry ids may
// show a gap: sequences do not roll back).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// ErrDryRun is what a transaction of a dry run returns once it has run
// every check and been rolled back: the request would have succeeded.
var ErrDryRun = errors.New("dry run: rolled back, nothing stored")

// DryRun collects the entries a dry run would have posted.
type DryRun struct {
	mu      sync.Mutex
	entries []Entry
}

type dryRunKey struct{}

// WithDryRun returns a context under which every transaction of this
// package (InTx, Post, PostBatch, Reverse) is rolled back after its checks
// and answers ErrDryRun (a caller that makes several may go on after
// ErrDryRun; the entries of each are kept); the entries it would have posted are in the
// returned DryRun. Accounts are created for real (CreateAccount(s)): they
// are structure, created once, and a later real post needs them.
func WithDryRun(ctx context.Context) (context.Context, *DryRun) {
	d := &DryRun{}
	return context.WithValue(ctx, dryRunKey{}, d), d
}

func dryRunOf(ctx context.Context) *DryRun {
	d, _ := ctx.Value(dryRunKey{}).(*DryRun)
	return d
}

// withoutDryRun: a context whose transactions commit.
func withoutDryRun(ctx context.Context) context.Context {
	if dryRunOf(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, dryRunKey{}, (*DryRun)(nil))
}

// Entries are the entries the dry run would have posted, in order (an
// entry already posted under the same key comes back with Replayed set).
func (d *DryRun) Entries() []Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Entry(nil), d.entries...)
}

// mark and truncate drop what a failed attempt of a transaction noted (a
// request of several transactions keeps what each earlier one noted).
func (d *DryRun) mark() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}

func (d *DryRun) truncate(n int) {
	d.mu.Lock()
	if n < len(d.entries) {
		d.entries = d.entries[:n]
	}
	d.mu.Unlock()
}

// note records entries written in the dry run's transaction.
func noteDryRun(ctx context.Context, entries []Entry) {
	d := dryRunOf(ctx)
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range entries {
		e.Postings = append([]Posting(nil), e.Postings...)
		d.entries = append(d.entries, e)
	}
}

// EntryIDByKey is the id of the entry posted under an idempotency key
// (ErrNotFound when none): the entries one request posted share a key
// prefix (funding: "<key>/financial", "<key>/budget").
func (l *Ledger) EntryIDByKey(ctx context.Context, key string) (int64, error) {
	var id int64
	err := l.db.GetContext(ctx, &id, `SELECT id FROM entries WHERE idempotency_key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("entry with key %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("entry with key %q: %w", key, err)
	}
	return id, nil
}
