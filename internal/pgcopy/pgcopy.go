// Package pgcopy streams rows into a table with COPY FROM STDIN inside a
// transaction (lib/pq's CopyIn), and draws the ids such rows need first:
// the bulk writers' path, for the ledger's batches and reconciliation's
// matches. The server parses and stores rows while the caller is still
// producing the next ones.
package pgcopy

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// Preparer is a transaction (*sql.Tx, *sqlx.Tx): COPY runs only inside one.
type Preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Rows runs one COPY of the columns cols into table in tx; rows calls put
// once per row with the values in the order of cols (nil for NULL). The
// server's refusals (a constraint, a trigger) may only come back from the
// final flush, after the last row: Rows returns them, as *pq.Error.
func Rows(ctx context.Context, tx Preparer, table string, cols []string, rows func(put func(values ...any) error) error) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return err
	}
	put := func(values ...any) error {
		_, err := stmt.ExecContext(ctx, values...)
		return err
	}
	if err := rows(put); err != nil {
		stmt.Close()
		return err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return err
	}
	return stmt.Close()
}

// Queryer runs a query returning one row (*sql.Tx, *sqlx.Tx).
type Queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// NextIDs draws n values from sequence in one round trip, in the order the
// sequence gives them. COPY cannot return the ids it assigns, so a writer
// that needs them (to refer to the rows, or to report them) draws them first
// and copies them in.
func NextIDs(ctx context.Context, q Queryer, sequence string, n int) ([]int64, error) {
	var ids pq.Int64Array
	if err := q.QueryRowContext(ctx, `SELECT array_agg(nextval($1::regclass)) FROM generate_series(1, $2)`, sequence, n).Scan(&ids); err != nil {
		return nil, fmt.Errorf("draw %d ids from %s: %w", n, sequence, err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("draw %d ids from %s: got %d", n, sequence, len(ids))
	}
	return ids, nil
}
