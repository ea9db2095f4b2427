package recon

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
	Duplicates  int                 `json:"duplicates"` // lines already stored from an earlier file (either way below)
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

	// Detected: the profile was found from the header (--profile auto),
	// with every built-in profile's score.
	Detected []ProfileScore `json:"detected,omitempty"`
	// Rows under the header that are not lines (totals, page marks,
	// repeated headers, notices): counted, the first MaxSkippedListed
	// listed.
	SkippedRows int          `json:"rows_skipped"`
	Skipped     []SkippedRow `json:"skipped,omitempty"`
	// SameAsStored: lines of this file already stored from a file of
	// another layout (same date, direction, amount and running balance;
	// the reference or serial differ or are missing). They are among
	// Duplicates and are not added. At most MaxSameListed are listed.
	SameAsStoredCount int        `json:"same_as_stored_count"`
	SameAsStored      []SameLine `json:"same_as_stored,omitempty"`
	// Continuity with the account's other statements (see Import).
	Previous    *StatementLink `json:"previous,omitempty"`
	Next        *StatementLink `json:"next,omitempty"`
	Gaps        []DateGap      `json:"gaps,omitempty"`
	Breaks      []Break        `json:"breaks,omitempty"`       // accepted with BreakReason
	BreakReason string         `json:"break_reason,omitempty"` // the reason recorded for accepting Breaks
}

// MaxSameListed bounds the SameAsStored lines an ImportResult lists.
const MaxSameListed = 100

// SameLine is a line of the file found already stored.
type SameLine struct {
	Row      int    `json:"row"`     // row in this file
	LineID   int64  `json:"line_id"` // the stored line
	ImportID int64  `json:"import_id"`
	File     string `json:"file"` // the file it came from
}

// StatementLink names the account's statement before or after this one.
type StatementLink struct {
	ImportID  int64               `json:"import_id"`
	File      string              `json:"file"`
	FirstDate time.Time           `json:"first_date"`
	LastDate  time.Time           `json:"last_date"`
	Opening   decimal.NullDecimal `json:"opening_balance"`
	Closing   decimal.NullDecimal `json:"closing_balance"`
}

// DateGap is a run of days between two consecutive statements that
// neither covers (days without lines are not listed by banks, so a gap
// may hold no money; with the balances continuous it holds none).
type DateGap struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Days int       `json:"days"`
}

// Break is a balance that does not follow on: this file's opening and
// the previous statement's closing, or this file's closing and the next
// statement's opening.
type Break struct {
	With      string          `json:"with"` // "previous" or "next"
	ImportID  int64           `json:"import_id"`
	File      string          `json:"file"`
	Theirs    decimal.Decimal `json:"their_balance"` // the previous closing, or the next opening
	Ours      decimal.Decimal `json:"our_balance"`   // this opening, or this closing
	Different decimal.Decimal `json:"difference"`    // ours - theirs
}

func (b Break) String() string {
	if b.With == "previous" {
		return fmt.Sprintf("opening balance %s does not follow the closing balance %s of import %d (%s): difference %s",
			b.Ours.StringFixed(2), b.Theirs.StringFixed(2), b.ImportID, b.File, b.Different.StringFixed(2))
	}
	return fmt.Sprintf("closing balance %s does not lead to the opening balance %s of import %d (%s): difference %s",
		b.Ours.StringFixed(2), b.Theirs.StringFixed(2), b.ImportID, b.File, b.Different.StringFixed(2))
}

// ImportRequest asks to import one statement file.
type ImportRequest struct {
	BankAccount string
	Profile     *Profile // nil: found from the header (DetectProfile)
	File        string   // the file's name, for messages and the record
	Data        []byte
	Actor       string
	// AcceptBreak is a person's reason for importing a statement whose
	// balances do not follow on from the account's previous statement (or
	// lead to its next one). Without it such a file is refused
	// (ErrDiscontinuous); with it the file is stored and the reason and
	// the breaks are recorded. It is not recorded when there is no break.
	AcceptBreak string
}

// ImportFile reads a statement file and imports it (see Import).
func (r *Recon) ImportFile(ctx context.Context, bankAccount string, p *Profile, path, actor string) (ImportResult, error) {
	return r.ImportFileWith(ctx, ImportRequest{BankAccount: bankAccount, Profile: p, File: path, Actor: actor})
}

// ImportFileWith reads req.File and imports it (see ImportStatement).
func (r *Recon) ImportFileWith(ctx context.Context, req ImportRequest) (ImportResult, error) {
	f, err := os.Open(req.File)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement: %w", err)
	}
	defer f.Close()
	req.Data, err = io.ReadAll(io.LimitReader(f, MaxStatementFileSize+1))
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement %s: %w", req.File, err)
	}
	return r.ImportStatement(ctx, req)
}

// Import validates a statement file for a bank account and stores its
// lines (ImportStatement with no reason to accept a break).
func (r *Recon) Import(ctx context.Context, bankAccount string, p *Profile, name string, data []byte, actor string) (ImportResult, error) {
	return r.ImportStatement(ctx, ImportRequest{BankAccount: bankAccount, Profile: p, File: name, Data: data, Actor: actor})
}

// ImportStatement validates a statement file for a bank account and
// stores its lines. A file with any error is refused whole (RowErrors).
//
// Duplicates: a line already stored for the account is not added again,
// so importing the same file twice, or files that overlap, stores each
// line once; the same file content a second time stores nothing at all. A
// line is already stored when a stored line has its Fingerprint, or —
// for a file of another layout, that lacks the reference or serial or
// writes them differently — when a stored line not already claimed has
// the same date, direction, amount and running balance (SameAsStored).
//
// Continuity: the account's previous statement is the stored import with
// the latest last date before this file's first date; its closing balance
// must be this file's opening balance. Likewise this file's closing
// balance must be the opening balance of the next statement (the earliest
// first date after this file's last), when a file is imported out of
// order. A break is refused (ErrDiscontinuous, with both figures) unless
// req.AcceptBreak gives a reason, which is recorded with the breaks. Days
// between this file and its neighbours are listed (Gaps). Files without
// running balances are not checked.
func (r *Recon) ImportStatement(ctx context.Context, req ImportRequest) (ImportResult, error) {
	bankAccount, p, name, data, actor := req.BankAccount, req.Profile, req.File, req.Data, req.Actor
	if actor == "" {
		return ImportResult{}, fmt.Errorf("%w: import statement: actor is required", ErrActorRequired)
	}
	if len(req.AcceptBreak) > MaxReasonBytes {
		return ImportResult{}, fmt.Errorf("%w: import statement: the reason for accepting a break is %d bytes, at most %d", ErrReasonTooLong, len(req.AcceptBreak), MaxReasonBytes)
	}
	if err := r.checkBankAccount(ctx, r.db, bankAccount); err != nil {
		return ImportResult{}, err
	}
	var detected []ProfileScore
	if p == nil {
		var err error
		if p, detected, err = DetectProfile(name, data); err != nil {
			return ImportResult{}, err
		}
	}
	st, err := ParseStatement(name, data, p, bankAccount)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{BankAccount: bankAccount, File: name, Profile: p.Name, SHA256: st.SHA256, Lines: len(st.Lines),
		Opening: st.Opening, Closing: st.Closing, Descending: st.Descending, ImportedBy: actor,
		Detected: detected, SkippedRows: st.SkippedRows, Skipped: st.Skipped}
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
		if err := continuity(ctx, tx, st, &res); err != nil {
			return err
		}
		if len(res.Breaks) > 0 {
			if strings.TrimSpace(req.AcceptBreak) == "" {
				msgs := make([]string, len(res.Breaks))
				for i, b := range res.Breaks {
					msgs[i] = b.String()
				}
				return fmt.Errorf("%w: %s; if this is right, import it again with the reason (--accept-break)",
					ErrDiscontinuous, strings.Join(msgs, "; "))
			}
			res.BreakReason = req.AcceptBreak
		}
		add, err := newLines(ctx, tx, st, &res)
		if err != nil {
			return err
		}
		res.Added, res.Duplicates = len(add), len(st.Lines)-len(add)
		var first, last, reason, breaks any
		if len(st.Lines) > 0 {
			first, last = res.FirstDate.Format(ledger.DateLayout), res.LastDate.Format(ledger.DateLayout)
		}
		if len(res.Breaks) > 0 {
			reason = res.BreakReason
			b, _ := json.Marshal(res.Breaks)
			breaks = string(b)
		}
		if err := tx.QueryRowxContext(ctx, `
			INSERT INTO recon_imports (bank_account, profile, file_name, sha256, lines_read, lines_added, first_date, last_date,
			                           opening_balance, closing_balance, imported_by, continuity_reason, continuity_breaks,
			                           rows_skipped, lines_same_as_stored)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id, imported_at`,
			bankAccount, p.Name, name, st.SHA256, len(st.Lines), len(add), first, last,
			nullDecimal(st.Opening), nullDecimal(st.Closing), actor, reason, breaks,
			st.SkippedRows, res.SameAsStoredCount).Scan(&res.ImportID, &res.ImportedAt); err != nil {
			return err
		}
		return insertLines(ctx, tx, res.ImportID, bankAccount, add)
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import statement %s for %s: %w", name, bankAccount, dbError(err))
	}
	return res, nil
}

// continuity finds the statements before and after st (see
// ImportStatement), the gaps of days between them and the breaks in the
// balances.
func continuity(ctx context.Context, tx *sqlx.Tx, st *Statement, res *ImportResult) error {
	if len(st.Lines) == 0 {
		return nil
	}
	first, last := res.FirstDate.Format(ledger.DateLayout), res.LastDate.Format(ledger.DateLayout)
	get := func(query string, arg string) (*StatementLink, error) {
		var row struct {
			ID      int64               `db:"id"`
			File    string              `db:"file_name"`
			First   time.Time           `db:"first_date"`
			Last    time.Time           `db:"last_date"`
			Opening decimal.NullDecimal `db:"opening_balance"`
			Closing decimal.NullDecimal `db:"closing_balance"`
		}
		err := tx.GetContext(ctx, &row, `SELECT id, file_name, first_date, last_date, opening_balance, closing_balance
			FROM recon_imports WHERE bank_account = $1 AND first_date IS NOT NULL AND `+query, st.BankAccount, arg)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &StatementLink{ImportID: row.ID, File: row.File, FirstDate: row.First, LastDate: row.Last, Opening: row.Opening, Closing: row.Closing}, nil
	}
	var err error
	if res.Previous, err = get(`last_date < $2 ORDER BY last_date DESC, id DESC LIMIT 1`, first); err != nil {
		return err
	}
	if res.Next, err = get(`first_date > $2 ORDER BY first_date, id LIMIT 1`, last); err != nil {
		return err
	}
	gap := func(from, to time.Time) {
		if days := int(to.Sub(from).Hours()/24) + 1; days > 0 {
			res.Gaps = append(res.Gaps, DateGap{From: from, To: to, Days: days})
		}
	}
	if pv := res.Previous; pv != nil {
		gap(pv.LastDate.AddDate(0, 0, 1), res.FirstDate.AddDate(0, 0, -1))
		if pv.Closing.Valid && st.Opening.Valid && !pv.Closing.Decimal.Equal(st.Opening.Decimal) {
			res.Breaks = append(res.Breaks, Break{With: "previous", ImportID: pv.ImportID, File: pv.File,
				Theirs: pv.Closing.Decimal, Ours: st.Opening.Decimal, Different: st.Opening.Decimal.Sub(pv.Closing.Decimal)})
		}
	}
	if nx := res.Next; nx != nil {
		gap(res.LastDate.AddDate(0, 0, 1), nx.FirstDate.AddDate(0, 0, -1))
		if nx.Opening.Valid && st.Closing.Valid && !nx.Opening.Decimal.Equal(st.Closing.Decimal) {
			res.Breaks = append(res.Breaks, Break{With: "next", ImportID: nx.ImportID, File: nx.File,
				Theirs: nx.Opening.Decimal, Ours: st.Closing.Decimal, Different: st.Closing.Decimal.Sub(nx.Opening.Decimal)})
		}
	}
	return nil
}

// newLines returns the lines of st that are not stored yet (see
// ImportStatement), and lists in res those found stored from a file of
// another layout. It reads the account's stored lines of st's dates once.
func newLines(ctx context.Context, tx *sqlx.Tx, st *Statement, res *ImportResult) ([]Line, error) {
	if len(st.Lines) == 0 {
		return nil, nil
	}
	type stored struct {
		id, importID int64
		file         string
		fp           [32]byte
		key          string
		claimed      bool
	}
	rows, err := tx.QueryxContext(ctx, `
		SELECT l.id, l.import_id, i.file_name, l.fingerprint, l.value_date, l.direction, l.amount::text, coalesce(l.balance::text, '')
		  FROM recon_statement_lines l JOIN recon_imports i ON i.id = l.import_id
		 WHERE l.bank_account = $1 AND l.value_date BETWEEN $2 AND $3
		 ORDER BY l.id`, st.BankAccount, res.FirstDate.Format(ledger.DateLayout), res.LastDate.Format(ledger.DateLayout))
	if err != nil {
		return nil, err
	}
	var have []*stored
	byFP := map[[32]byte]*stored{}
	byKey := map[string][]*stored{}
	for rows.Next() {
		var s stored
		var fp []byte
		var day time.Time
		var dir, amt, bal string
		if err := rows.Scan(&s.id, &s.importID, &s.file, &fp, &day, &dir, &amt, &bal); err != nil {
			rows.Close()
			return nil, err
		}
		s.fp = [32]byte(fp)
		if bal != "" {
			a, _ := decimal.NewFromString(amt)
			b, _ := decimal.NewFromString(bal)
			s.key = sameKey(day, dir, a, b)
		}
		have = append(have, &s)
		byFP[s.fp] = &s
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, s := range have {
		if s.key != "" {
			byKey[s.key] = append(byKey[s.key], s)
		}
	}
	isNew := make([]bool, len(st.Lines))
	for i, l := range st.Lines {
		if s, ok := byFP[l.Fingerprint]; ok {
			s.claimed = true
		} else {
			isNew[i] = true
		}
	}
	var add []Line
	for i, l := range st.Lines {
		if !isNew[i] {
			continue
		}
		if l.Balance.Valid {
			var same *stored
			for _, s := range byKey[sameKey(l.Date, l.Direction, l.Amount, l.Balance.Decimal)] {
				if !s.claimed {
					same = s
					break
				}
			}
			if same != nil {
				same.claimed = true
				res.SameAsStoredCount++
				if len(res.SameAsStored) < MaxSameListed {
					res.SameAsStored = append(res.SameAsStored, SameLine{Row: l.Row, LineID: same.id, ImportID: same.importID, File: same.file})
				}
				continue
			}
		}
		add = append(add, l)
	}
	return add, nil
}

// sameKey identifies a line across layouts: date, direction, amount and
// the running balance after it.
func sameKey(day time.Time, dir string, amount, balance decimal.Decimal) string {
	return day.Format(ledger.DateLayout) + "\x00" + dir + "\x00" + amount.StringFixed(2) + "\x00" + balance.StringFixed(2)
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
		return fmt.Errorf("%w: bank account %q (register it with `fundledger bank add`)", ErrBankAccountUnknown, code)
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
		return fmt.Errorf("%w: bank account %q", ErrBankAccountUnknown, code)
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

// StoredImport is one statement file imported for a bank account, as
// recon_imports records it.
type StoredImport struct {
	ID         int64        `db:"id" json:"id"`
	File       string       `db:"file_name" json:"file"`
	Profile    string       `db:"profile" json:"profile"`
	Lines      int          `db:"lines_read" json:"lines"`
	Added      int          `db:"lines_added" json:"added"`
	First      sql.NullTime `db:"first_date" json:"first_date"`
	Last       sql.NullTime `db:"last_date" json:"last_date"`
	ImportedAt time.Time    `db:"imported_at" json:"imported_at"`
	ImportedBy string       `db:"imported_by" json:"imported_by"`
}

// MaxImportsListed bounds the imports one call of Imports returns.
const MaxImportsListed = 1000

// ImportFilter selects a bank account's imports: file names containing
// Search (case folded), newest first unless Oldest, Limit of them (1 to
// MaxImportsListed) after skipping Offset.
type ImportFilter struct {
	BankAccount string
	Search      string
	Oldest      bool
	Limit       int
	Offset      int
}

// Imports lists the statement files imported for a bank account.
func (r *Recon) Imports(ctx context.Context, f ImportFilter) ([]StoredImport, error) {
	if f.Limit < 1 || f.Limit > MaxImportsListed || f.Offset < 0 {
		return nil, fmt.Errorf("%w: imports: limit %d (1 to %d), offset %d", ErrInvalid, f.Limit, MaxImportsListed, f.Offset)
	}
	order := "id DESC"
	if f.Oldest {
		order = "id"
	}
	var out []StoredImport
	err := r.db.SelectContext(ctx, &out, `
		SELECT i.id, i.file_name, i.profile, i.lines_read, i.lines_added, i.first_date, i.last_date,
		       i.imported_at, i.imported_by
		  FROM recon_imports i
		 WHERE i.bank_account = $1 AND ($2 = '' OR strpos(lower(i.file_name), lower($2)) > 0)
		 ORDER BY `+order+` LIMIT $3 OFFSET $4`, f.BankAccount, f.Search, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("imports of %s: %w", f.BankAccount, err)
	}
	return out, nil
}
