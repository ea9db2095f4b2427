package pgcopy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lib/pq"

	"fundledger/internal/pgcopy"
	"fundledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestRowsAndNextIDs(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE t (id bigint NOT NULL, note text)`); err != nil {
		t.Fatal(err)
	}
	ids, err := pgcopy.NextIDs(ctx, tx, "entries_id_seq", 3)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh sequence gives 1, 2, 3.
	if len(ids) != 3 || ids[0] != 1 || ids[1] != 2 || ids[2] != 3 {
		t.Fatalf("ids = %v, want [1 2 3]", ids)
	}
	notes := []any{"tab\there, newline\nthere", nil, `back\slash 中文`}
	err = pgcopy.Rows(ctx, tx, "t", []string{"id", "note"}, func(put func(...any) error) error {
		for i, id := range ids {
			if err := put(id, notes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID   int64   `db:"id"`
		Note *string `db:"note"`
	}
	if err := tx.SelectContext(ctx, &got, `SELECT id, note FROM t ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Note != nil || *got[0].Note != notes[0] || *got[2].Note != notes[2] {
		t.Errorf("rows came back as %+v", got)
	}

	// The server's refusal comes back from Rows.
	err = pgcopy.Rows(ctx, tx, "t", []string{"id", "note"}, func(put func(...any) error) error {
		return put(nil, "no id")
	})
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code != "23502" {
		t.Errorf("NULL id: got %v, want not-null violation 23502", err)
	}
}
