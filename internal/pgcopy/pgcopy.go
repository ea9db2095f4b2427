// Package pgcopy streams rows into a table with COPY FROM STDIN inside a
// transaction (lib/pq's CopyIn): the bulk writers' path, for the ledger's
// batches and reconciliation's matches. The server parses and stores rows
// while the caller is still producing the next ones.
package pgcopy

import (
	"context"
	"database/sql"

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
