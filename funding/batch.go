package funding

// Batches: every file command (projects, elevator applications, utility
// facilities, bonds) checks every item before it writes any, lists every
// refused item, and writes all items in one transaction, so a file is
// stored whole or not at all.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// MaxBatchItems bounds the items of one batch (one file).
const MaxBatchItems = 10000

// ItemError is one refused item of a batch.
type ItemError struct {
	Item int    // 1-based place in the batch (the file)
	Key  string // its code, when it has one
	Err  error
}

func (e ItemError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("item %d (%s): %v", e.Item, e.Key, e.Err)
	}
	return fmt.Sprintf("item %d: %v", e.Item, e.Err)
}

func (e ItemError) Unwrap() error { return e.Err }

// ItemErrors is every refused item of a batch. Nothing of the batch was
// stored. errors.Is sees each item's error (ErrIneligible, ErrInvalid…).
type ItemErrors []ItemError

func (es ItemErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error() + "; nothing was stored"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d items refused; nothing was stored:", len(es))
	for _, e := range es {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es ItemErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// maxItemErrors bounds the refusals listed for one batch.
const maxItemErrors = 100

// inBatch runs check on every item (no writes; it may read) and, when none
// is refused, write on every item in one transaction. A code that appears
// twice in the batch is refused. The first write error aborts the
// transaction and is returned as the item's refusal.
func inBatch[T any](ctx context.Context, p *Programme, what string, items []T, key func(T) string,
	check func(i int, item T) error, write func(tx *sqlx.Tx, i int, item T) error) error {
	if len(items) == 0 {
		return fmt.Errorf("%w: %s: no items", ErrInvalid, what)
	}
	if len(items) > MaxBatchItems {
		return fmt.Errorf("%w: %s: %d items, at most %d in one batch", ErrInvalid, what, len(items), MaxBatchItems)
	}
	if errs := checkItems(items, key, check); len(errs) > 0 {
		return errs
	}
	var failed *ItemError
	err := p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		failed = nil
		for i, it := range items {
			if err := write(tx, i, it); err != nil {
				failed = &ItemError{Item: i + 1, Key: key(it), Err: err}
				return err
			}
		}
		return nil
	})
	if failed != nil && err != nil {
		return ItemErrors{*failed}
	}
	return err
}

// checkItems runs check on every item and lists every refusal (at most
// maxItemErrors), a code that appears twice in the batch among them.
func checkItems[T any](items []T, key func(T) string, check func(i int, item T) error) ItemErrors {
	var errs ItemErrors
	seen := make(map[string]int, len(items))
	for i, it := range items {
		if len(errs) == maxItemErrors {
			errs = append(errs, ItemError{Item: i + 1, Err: fmt.Errorf("more than %d items refused; the rest were not checked", maxItemErrors)})
			break
		}
		k := key(it)
		if first, dup := seen[k]; dup && k != "" {
			errs = append(errs, ItemError{Item: i + 1, Key: k, Err: fmt.Errorf("%w: the code %s is also item %d of this batch", ErrInvalid, k, first)})
			continue
		}
		seen[k] = i + 1
		if err := check(i, it); err != nil {
			errs = append(errs, ItemError{Item: i + 1, Key: k, Err: err})
		}
	}
	return errs
}

// single unwraps the refusal of a one-item batch, so the single-item
// functions return the item's own error.
func single(err error) error {
	var es ItemErrors
	if errors.As(err, &es) && len(es) == 1 {
		return es[0].Err
	}
	return err
}
