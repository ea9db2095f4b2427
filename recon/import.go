package recon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Recon reconciles the bank accounts kept in one database.
type Recon struct {
	db *sqlx.DB
}

// New returns the reconciliation of the books in db.
func New(db *sqlx.DB) *Recon { return &Recon{db: db} }

// ImportResult says what an import stored.
type ImportResult struct {
	ImportID    int64               `json:"import_id"`
	BankAccount string              `json:"bank_account"`
	File        string              `json:"file"`
	Profile     string              `json:"profile"`
	SHA256      string              `json:"sha256"`
	Lines       int                 `json:"lines"`      // lines in the file
	Added       int                 `json:"added"`      // new lines stored
	Duplicates  int                 `json:"duplicates"` // lines already stored from an earlier file
	FirstDate   time.Time           `json:"first_date"`
	LastDate    time.Time           `json:"last_date"`
	Opening     decimal.NullDecimal `json:"opening_balance"`
	Closing     decimal.NullDecimal `json:"closing_balance"`
	Descending  bool                `json:"descending,omitempty"`
	// AlreadyImported: a file with the same content was imported for this
	// account before; nothing was stored and ImportID is that import.
	AlreadyImported bool      `json:"already_imported,omitempty"`
	ImportedAt      time.Time `json:"imported_at"`
	ImportedBy      string    `json:"imported_by"`
}

// ImportFile reads a statement file and imports it (see Import).
func (r *Recon) ImportFile(ctx context.Context, bankAccount string, p *Profile, path, actor string) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxStatementFileSize+1))
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement %s: %w", path, err)
	}
	return r.Import(ctx, bankAccount, p, path, data, actor)
}

// Import validates a statement file for a bank account and stores its
// lines. A file with any error is refused whole (RowErrors). Lines already
// stored for the account (same Fingerprint) are not added again, so
// importing the same file twice, or files that overlap, stores each line
// once; the same file content a second time stores nothing at all.
func (r *Recon) Import(ctx context.Context, bankAccount string, p *Profile, name string, data []byte, actor string) (ImportResult, error) {
	if actor == "" {
		return ImportResult{}, fmt.Errorf("%w: import statement: actor is required", ErrInvalid)
	}
	if p == nil {
		return ImportResult{}, fmt.Errorf("%w: import statement: no profile", ErrInvalid)
	}
	if err := r.checkBankAccount(ctx, r.db, bankAccount); err != nil {
		return ImportResult{}, err
	}
	st, err := ParseStatement(name, data, p, bankAccount)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{BankAccount: bankAccount, File: name, Profile: p.Name, SHA256: st.SHA256, Lines: len(st.Lines),
		Opening: st.Opening, Closing: st.Closing, Descending: st.Descending, ImportedBy: actor}
	if n := len(st.Lines); n > 0 {
		res.FirstDate, res.LastDate = st.Lines[0].Date, st.Lines[n-1].Date
	}
	err = inTx(ctx, r.db, func(tx *sqlx.Tx) error {
		if err := lockBankAccount(ctx, tx, bankAccount); err != nil {
			return err
		}
		var prev struct {
			ID    int64     `db:"id"`
			Added int       `db:"lines_added"`
			At    time.Time `db:"imported_at"`
			By    string    `db:"imported_by"`
			File  string    `db:"file_name"`
		}
		err := tx.GetContext(ctx, &prev, `SELECT id, lines_added, imported_at, imported_by, file_name FROM recon_imports
			WHERE bank_account = $1 AND sha256 = $2`, bankAccount, st.SHA256)
		if err == nil {
			res.ImportID, res.AlreadyImported, res.Duplicates = prev.ID, true, len(st.Lines)
			res.ImportedAt, res.ImportedBy, res.File = prev.At, prev.By, prev.File
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		fps := make([][]byte, len(st.Lines))
		for i := range st.Lines {
			fps[i] = st.Lines[i].Fingerprint[:]
		}
		var have [][]byte
		if err := tx.SelectContext(ctx, &have, `SELECT fingerprint FROM recon_statement_lines
			WHERE bank_account = $1 AND fingerprint = ANY($2::bytea[])`, bankAccount, pq.ByteaArray(fps)); err != nil {
			return err
		}
		stored := make(map[[32]byte]bool, len(have))
		for _, h := range have {
			stored[[32]byte(h)] = true
		}
		var add []Line
		for _, l := range st.Lines {
			if !stored[l.Fingerprint] {
				add = append(add, l)
			}
		}
		res.Added, res.Duplicates = len(add), len(st.Lines)-len(add)
		var first, last any
		if len(st.Lines) > 0 {
			first, last = res.FirstDate.Format(ledger.DateLayout), res.LastDate.Format(ledger.DateLayout)
		}
		if err := tx.QueryRowxContext(ctx, `
			INSERT INTO recon_imports (bank_account, profile, file_name, sha256, lines_read, lines_added, first_date, last_date,
			                           opening_balance, closing_balance, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, imported_at`,
			bankAccount, p.Name, name, st.SHA256, len(st.Lines), len(add), first, last,
			nullDecimal(st.Opening), nullDecimal(st.Closing), actor).Scan(&res.ImportID, &res.ImportedAt); err != nil {
			return err
		}
		return insertLines(ctx, tx, res.ImportID, bankAccount, add)
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement %s for %s: %w", name, bankAccount, dbError(err))
	}
	return res, nil
}

func nullDecimal(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal.StringFixed(2)
}

// insertLines stores lines in date order, in batches.
func insertLines(ctx context.Context, tx *sqlx.Tx, importID int64, bankAccount string, ls []Line) error {
	const batch = 10000
	for start := 0; start < len(ls); start += batch {
		part := ls[start:min(start+batch, len(ls))]
		n := len(part)
		rows, occ := make([]int64, n), make([]int64, n)
		dates, dirs, amts, bals := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		cps, cpas, refs, memos, serials := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		fps := make([][]byte, n)
		for i, l := range part {
			rows[i], occ[i] = int64(l.Row), int64(l.Occurrence)
			dates[i], dirs[i], amts[i] = l.Date.Format(ledger.DateLayout), l.Direction, l.Amount.StringFixed(2)
			if l.Balance.Valid {
				bals[i] = l.Balance.Decimal.StringFixed(2)
			}
			cps[i], cpas[i], refs[i], memos[i], serials[i] = l.Counterparty, l.CounterpartyAccount, l.Reference, l.Memo, l.Serial
			fps[i] = l.Fingerprint[:]
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO recon_statement_lines (import_id, bank_account, source_row, value_date, direction, amount, balance,
			       counterparty, counterparty_account, reference, memo, serial, occurrence, fingerprint)
			SELECT $1, $2, u.row, u.d, u.dir, u.amt, nullif(u.bal, '')::numeric, u.cp, u.cpa, u.ref, u.memo, u.serial, u.occ, u.fp
			  FROM unnest($3::int[], $4::date[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[],
			              $11::text[], $12::text[], $13::int[], $14::bytea[])
			       WITH ORDINALITY AS u(row, d, dir, amt, bal, cp, cpa, ref, memo, serial, occ, fp, ord)
			 ORDER BY u.ord`,
			importID, bankAccount, pq.Int64Array(rows), pq.StringArray(dates), pq.StringArray(dirs), pq.StringArray(amts),
			pq.StringArray(bals), pq.StringArray(cps), pq.StringArray(cpas), pq.StringArray(refs), pq.StringArray(memos),
			pq.StringArray(serials), pq.Int64Array(occ), pq.ByteaArray(fps)); err != nil {
			return err
		}
	}
	return nil
}

// checkBankAccount returns ErrNotFound for an unknown bank account.
func (r *Recon) checkBankAccount(ctx context.Context, q sqlx.QueryerContext, code string) error {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM bank_accounts WHERE code = $1`, code); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("bank account %q: %w (register it with `fundledger bank add`)", code, ErrNotFound)
	}
	return nil
}

// lockBankAccount serialises the writers of one bank account's
// reconciliation (imports, runs, manual matches) until the transaction
// ends. The triggers of 00004 take the same lock for matches.
func lockBankAccount(ctx context.Context, tx *sqlx.Tx, code string) error {
	var got string
	err := tx.GetContext(ctx, &got, `SELECT code FROM bank_accounts WHERE code = $1 FOR NO KEY UPDATE`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("bank account %q: %w", code, ErrNotFound)
	}
	return err
}

// inTx runs fn in a transaction, retrying a serialization failure or
// deadlock a few times.
func inTx(ctx context.Context, db *sqlx.DB, fn func(*sqlx.Tx) error) error {
	const attempts = 3
	var err error
	for i := 0; i < attempts; i++ {
		err = tryTx(ctx, db, fn)
		var pe *pq.Error
		if err == nil || !errors.As(err, &pe) || (pe.Code != "40001" && pe.Code != "40P01") {
			return err
		}
	}
	return err
}

func tryTx(ctx context.Context, db *sqlx.DB, fn func(*sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
