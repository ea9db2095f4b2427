package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/internal/pgcopy"
)

// Ledger reads and writes the books in one PostgreSQL database.
type Ledger struct {
	db *sqlx.DB
	// MaxAttempts bounds how often a transaction that lost a race
	// (serialization failure, deadlock) is tried in all.
	MaxAttempts int
}

// New returns a Ledger over db, whose schema must be migrated.
func New(db *sqlx.DB) *Ledger { return &Ledger{db: db, MaxAttempts: 5} }

// DB returns the database handle, for packages that keep their own tables
// next to the ledger's and write them in the same transaction.
func (l *Ledger) DB() *sqlx.DB { return l.db }

// Post records one entry. Posting the same request again with the same
// idempotency key returns the original entry with Replayed set; the same key
// with a different request is ErrIdempotencyConflict.
func (l *Ledger) Post(ctx context.Context, e Entry) (Entry, error) {
	out, what, err := prepare([]Entry{e})
	if err != nil {
		return Entry{}, err
	}
	// The common case in one statement and one round trip; anything else
	// (a replay, a conflict, an unknown account) takes the general path,
	// which explains itself.
	if dryRunOf(ctx) == nil {
		ok, err := l.postOne(ctx, &out[0])
		if err != nil {
			return Entry{}, fmt.Errorf("%s: %w", what, err)
		}
		if ok {
			return out[0], nil
		}
	}
	if err := l.inTx(ctx, func(tx *sqlx.Tx) error { return insertEntries(ctx, tx, out) }); err != nil {
		return Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	return out[0], nil
}

// postOneSQL writes one entry and its postings in a single statement, run
// outside an explicit transaction: it inserts the entry unless its key
// exists or an account is missing, then the postings; the triggers (which
// lock the no_overdraft accounts' running totals in id order) and the
// deferred balance check run as for any insert, and the implicit commit
// ends it.
var postOneSQL = `
WITH acc AS (
    SELECT id, code FROM accounts WHERE code = ANY($1::text[])
), ins AS (
    INSERT INTO entries (book, effective_date, memo, actor, idempotency_key, reverses_entry_id, corrects_entry_id, metadata,
                         hash_version, content_hash)
    SELECT $2, $3::date, $4, $5, $6, nullif($7::bigint, 0), nullif($8::bigint, 0), $9::jsonb,
           2, sha256(convert_to('` + hashV2Prefix + `' || $10 || E'\n' || ` + recordedAtNow + ` || E'\n', 'UTF8'))
     WHERE (SELECT count(*) FROM acc) = cardinality($1::text[])
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, recorded_at, encode(content_hash, 'hex') AS content_hash
), pst AS (
    INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
    SELECT ins.id, u.line, acc.id, u.side, u.amount, $3::date, $2
      FROM ins CROSS JOIN unnest($11::text[], $12::text[], $13::numeric[]) WITH ORDINALITY AS u(code, side, amount, line)
      JOIN acc ON acc.code = u.code
)
SELECT id, recorded_at, content_hash FROM ins`

// recordedAtNow is recorded_at of a new entry (now()) as hash version 2
// writes it.
var recordedAtNow = fmt.Sprintf(recordedAtSQL, "now()")

// postOne tries the one-statement path; ok is false when it wrote nothing
// (the key exists, or an account is unknown) and the caller must take the
// general path. It tries again after a lost race, like inTx.
func (l *Ledger) postOne(ctx context.Context, e *Entry) (ok bool, err error) {
	seen := map[string]bool{}
	var codes, pCodes, pSides, pAmounts []string
	for _, p := range e.Postings {
		if !seen[p.AccountCode] {
			seen[p.AccountCode] = true
			codes = append(codes, p.AccountCode)
		}
		pCodes = append(pCodes, p.AccountCode)
		pSides = append(pSides, string(p.Side))
		pAmounts = append(pAmounts, p.Amount.StringFixed(2))
	}
	meta, err := e.metadataJSON()
	if err != nil {
		return false, err
	}
	attempts := max(l.MaxAttempts, 1)
	for attempt := 1; ; attempt++ {
		var id int64
		var at time.Time
		var stored string
		err = l.db.QueryRowContext(ctx, postOneSQL, pq.Array(codes), string(e.Book), e.EffectiveDate.Format(DateLayout), e.Memo, e.Actor,
			e.IdempotencyKey, e.Reverses, e.Corrects, meta, e.fingerprint, pq.Array(pCodes), pq.Array(pSides), pq.Array(pAmounts)).Scan(&id, &at, &stored)
		switch {
		case err == nil:
			// The database computed the version 2 hash; Verify will
			// recompute it in Go, so the two must agree now.
			if want := storedHash(hashV2, e.fingerprint, at); stored != want {
				return true, fmt.Errorf("entry %d stored with hash %s, want %s: the hash layouts of Go and SQL disagree", id, stored, want)
			}
			e.ID, e.RecordedAt, e.ContentHash, e.HashVersion = id, at, stored, hashV2
			return true, nil
		case errors.Is(err, sql.ErrNoRows):
			return false, nil
		case retryable(err) && attempt < attempts:
			if werr := backoff(ctx, attempt); werr != nil {
				return false, werr
			}
		default:
			return false, dbError(err)
		}
	}
}

// PostBatch records many entries in one transaction: all or none. Entries
// whose key was already used with the same request are returned as replayed;
// one conflicting key fails the whole batch.
func (l *Ledger) PostBatch(ctx context.Context, entries []Entry) ([]Entry, error) {
	out, what, err := prepare(entries)
	if err != nil {
		return nil, err
	}
	// Bulk loads bring new keys: insert without ON CONFLICT, whose
	// speculative insertion costs about as much again per entry. A key that
	// exists makes the unique index refuse the statement; then the batch is
	// done again the careful way, which returns the entries already posted
	// as replayed (or reports the conflict).
	err = l.inTx(ctx, func(tx *sqlx.Tx) error { return insertFresh(ctx, tx, out) })
	if keyExists(err) {
		err = l.inTx(ctx, func(tx *sqlx.Tx) error { return insertEntries(ctx, tx, out) })
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// InTx runs fn in one transaction, tries it again when it lost a race with
// another writer (at most MaxAttempts times in all), and maps database
// refusals to this package's errors. Packages that keep their own records
// of a business event use it to write them and the event's entries
// (PostInTx) atomically.
func (l *Ledger) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return l.inTx(ctx, fn) }

// PostInTx records entries inside the caller's transaction (see InTx).
func PostInTx(ctx context.Context, tx *sqlx.Tx, entries []Entry) ([]Entry, error) {
	out, what, err := prepare(entries)
	if err != nil {
		return nil, err
	}
	if err := insertEntries(ctx, tx, out); err != nil {
		return nil, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return out, nil
}

// prepare checks and hashes a copy of the entries.
func prepare(entries []Entry) ([]Entry, string, error) {
	what := fmt.Sprintf("post batch of %d entries", len(entries))
	if len(entries) == 1 {
		what = fmt.Sprintf("post entry %q", entries[0].IdempotencyKey)
	}
	if len(entries) == 0 || len(entries) > MaxEntriesPerBatch {
		return nil, what, fmt.Errorf("%w: %s: want 1 to %d entries", ErrInvalid, what, MaxEntriesPerBatch)
	}
	out := make([]Entry, len(entries))
	errs := make([]error, len(entries))
	// Checking and hashing is CPU work that the database waits for: spread
	// big batches over the processors.
	workers := 1
	if len(entries) >= 1000 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	chunk := (len(entries) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(entries))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				e := entries[i]
				e.Postings = append([]Posting(nil), e.Postings...)
				if err := e.Check(); err != nil {
					errs[i] = err
					continue
				}
				e.ID, e.RecordedAt, e.Replayed, e.HashVersion = 0, time.Time{}, false, 0
				e.fingerprint = e.contentHash()
				e.ContentHash = e.fingerprint
				out[i] = e
			}
		}()
	}
	wg.Wait()
	seen := make(map[string]int, len(entries))
	for i := range out {
		if errs[i] != nil {
			return nil, what, fmt.Errorf("%s: %w", what, errs[i])
		}
		if j, dup := seen[out[i].IdempotencyKey]; dup {
			return nil, what, fmt.Errorf("%w: %s: entries %d and %d share the key %q", ErrInvalid, what, j+1, i+1, out[i].IdempotencyKey)
		}
		seen[out[i].IdempotencyKey] = i
	}
	return out, what, nil
}

// inTx runs fn in a transaction, again when it lost a race, at most
// MaxAttempts times.
func (l *Ledger) inTx(ctx context.Context, fn func(*sqlx.Tx) error) error {
	attempts := max(l.MaxAttempts, 1)
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		err = l.tryTx(ctx, fn)
		if err == nil || !retryable(err) || attempt == attempts {
			break
		}
		if werr := backoff(ctx, attempt); werr != nil {
			return werr
		}
	}
	return dbError(err)
}

// backoff waits a little, with jitter, so that racers do not meet again.
func backoff(ctx context.Context, attempt int) error {
	wait := time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.IntN(5000))*time.Microsecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

func (l *Ledger) tryTx(ctx context.Context, fn func(*sqlx.Tx) error) error {
	dry := dryRunOf(ctx)
	mark := 0
	if dry != nil {
		mark = dry.mark()
	}
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		if dry != nil {
			dry.truncate(mark)
		}
		return err
	}
	if dry != nil {
		// The deferred checks (balance, overdraft) run now, as at a commit.
		_, err := tx.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`)
		_ = tx.Rollback()
		if err != nil {
			dry.truncate(mark)
			return err
		}
		return ErrDryRun
	}
	return tx.Commit()
}

type accountRef struct {
	ID          int64     `db:"id"`
	Code        string    `db:"code"`
	Book        Book      `db:"book"`
	NoOverdraft bool      `db:"no_overdraft"`
	Now         time.Time `db:"now"`
}

// resolveAccounts looks up every account the entries post to and checks
// the entries' books against them. It does not lock them: the postings
// trigger locks the no_overdraft accounts' running totals, in id order
// (migration 00016), which makes concurrent posters queue rather than
// deadlock, for raw SQL as for this package. The same round trip reads
// now(), the transaction's start, which is every new entry's recorded_at.
func resolveAccounts(ctx context.Context, tx *sqlx.Tx, entries []Entry) (map[string]accountRef, time.Time, error) {
	codes := map[string]struct{}{}
	for _, e := range entries {
		for _, p := range e.Postings {
			codes[p.AccountCode] = struct{}{}
		}
	}
	codeList := make([]string, 0, len(codes))
	for c := range codes {
		codeList = append(codeList, c)
	}
	var refs []accountRef
	if err := tx.SelectContext(ctx, &refs, `
		SELECT id, code, book, no_overdraft, now() AS now FROM accounts WHERE code = ANY($1) ORDER BY id`, pq.Array(codeList)); err != nil {
		return nil, time.Time{}, fmt.Errorf("resolve accounts: %w", err)
	}
	byCode := make(map[string]accountRef, len(refs))
	var now time.Time
	for _, r := range refs {
		byCode[r.Code] = r
		now = r.Now
	}
	for _, e := range entries {
		for i, p := range e.Postings {
			r, ok := byCode[p.AccountCode]
			if !ok {
				return nil, now, fmt.Errorf("entry %q: posting %d: account %s: %w", e.IdempotencyKey, i+1, p.AccountCode, ErrNotFound)
			}
			if r.Book != e.Book {
				return nil, now, fmt.Errorf("entry %q: posting %d: %w: account %s is in the %s book, the entry in the %s book",
					e.IdempotencyKey, i+1, ErrBookMismatch, p.AccountCode, r.Book, e.Book)
			}
		}
	}
	return byCode, now, nil
}

// entryArrays are the entries' values as arrays, one element per entry,
// for an INSERT … SELECT unnest(…).
type entryArrays struct {
	books, dates, memos, actors, keys, metas, hashes []string
	reverses, corrects                               []int64
}

func newEntryArrays(entries []Entry, now time.Time) (entryArrays, error) {
	n := len(entries)
	a := entryArrays{books: make([]string, n), dates: make([]string, n), memos: make([]string, n), actors: make([]string, n),
		keys: make([]string, n), metas: make([]string, n), hashes: make([]string, n), reverses: make([]int64, n), corrects: make([]int64, n)}
	for i, e := range entries {
		meta, err := e.metadataJSON()
		if err != nil {
			return a, err
		}
		a.books[i], a.dates[i], a.memos[i], a.actors[i], a.keys[i] = string(e.Book), e.EffectiveDate.Format(DateLayout), e.Memo, e.Actor, e.IdempotencyKey
		a.metas[i], a.hashes[i], a.reverses[i], a.corrects[i] = meta, storedHash(hashV2, e.fingerprint, now), e.Reverses, e.Corrects
	}
	return a, nil
}

// Targetlist unnest: several unnest calls in FROM would each materialise
// their array in a tuplestore first; in the SELECT list they run in lockstep.
const entryUnnest = `
		SELECT unnest($1::text[]) AS b, unnest($2::date[]) AS d, unnest($3::text[]) AS m, unnest($4::text[]) AS a,
		       unnest($5::text[]) AS k, unnest($6::bigint[]) AS r, unnest($7::bigint[]) AS c, unnest($8::text[]) AS md,
		       unnest($9::text[]) AS h`

func (a entryArrays) args() []any {
	return []any{pq.Array(a.books), pq.Array(a.dates), pq.Array(a.memos), pq.Array(a.actors), pq.Array(a.keys),
		pq.Array(a.reverses), pq.Array(a.corrects), pq.Array(a.metas), pq.Array(a.hashes)}
}

const insertPostingsSQL = `
		INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
		SELECT unnest($1::bigint[]), unnest($2::smallint[]), unnest($3::bigint[]), unnest($4::text[]), unnest($5::numeric[]),
		       unnest($6::date[]), unnest($7::text[])`

// postingArgs returns the parameters of insertPostingsSQL for the postings
// of the entries with inserted set; nil when there are none.
func postingArgs(entries []Entry, byCode map[string]accountRef, inserted []bool) []any {
	count := 0
	for i, e := range entries {
		if inserted[i] {
			count += len(e.Postings)
		}
	}
	if count == 0 {
		return nil
	}
	pEntry, pAccount, pLine := make([]int64, 0, count), make([]int64, 0, count), make([]int64, 0, count)
	pSide, pAmount, pDate, pBook := make([]string, 0, count), make([]string, 0, count), make([]string, 0, count), make([]string, 0, count)
	for i, e := range entries {
		if !inserted[i] {
			continue
		}
		date := e.EffectiveDate.Format(DateLayout)
		for line, p := range e.Postings {
			pEntry = append(pEntry, e.ID)
			pLine = append(pLine, int64(line+1))
			pDate = append(pDate, date)
			pBook = append(pBook, string(e.Book))
			pAccount = append(pAccount, byCode[p.AccountCode].ID)
			pSide = append(pSide, string(p.Side))
			pAmount = append(pAmount, p.Amount.StringFixed(2))
		}
	}
	return []any{pq.Array(pEntry), pq.Array(pLine), pq.Array(pAccount), pq.Array(pSide), pq.Array(pAmount), pq.Array(pDate), pq.Array(pBook)}
}

// insertFresh writes entries whose keys are all expected to be new, the
// bulk path. Their ids are drawn from the sequence first, so that nothing
// has to be read back, and entries and postings are streamed with COPY: the
// server parses and stores rows while Go still encodes the next ones, and
// no parameter arrays are built and taken apart again. The triggers and the
// deferred balance check run as for any insert. A key that is already used
// fails the entries' COPY with a unique violation (see keyExists).
func insertFresh(ctx context.Context, tx *sqlx.Tx, entries []Entry) (err error) {
	defer func() {
		if err == nil {
			noteDryRun(ctx, entries)
		}
	}()
	byCode, now, err := resolveAccounts(ctx, tx, entries)
	if err != nil {
		return err
	}
	// The server keeps the statement's new rows for the triggers (and
	// sorts and hashes them) in memory up to work_mem: the default 4 MB
	// spills a batch of 10,000 entries to temporary files.
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return err
	}
	ids, err := pgcopy.NextIDs(ctx, tx, "entries_id_seq", len(entries))
	if err != nil {
		return err
	}
	for i := range entries {
		entries[i].ID, entries[i].RecordedAt = ids[i], now
		entries[i].ContentHash, entries[i].HashVersion = storedHash(hashV2, entries[i].fingerprint, now), hashV2
	}
	err = pgcopy.Rows(ctx, tx, "entries", []string{"id", "book", "effective_date", "memo", "actor", "idempotency_key",
		"reverses_entry_id", "corrects_entry_id", "metadata", "hash_version", "content_hash"}, func(put func(...any) error) error {
		for i := range entries {
			e := &entries[i]
			meta, err := e.metadataJSON()
			if err != nil {
				return err
			}
			if err := put(e.ID, string(e.Book), e.EffectiveDate.Format(DateLayout), e.Memo, e.Actor, e.IdempotencyKey,
				nullID(e.Reverses), nullID(e.Corrects), meta, hashV2, `\x`+e.ContentHash); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	err = pgcopy.Rows(ctx, tx, "postings", []string{"entry_id", "line", "account_id", "side", "amount", "effective_date", "book"},
		func(put func(...any) error) error {
			for _, e := range entries {
				date := e.EffectiveDate.Format(DateLayout)
				for line, p := range e.Postings {
					if err := put(e.ID, int64(line+1), byCode[p.AccountCode].ID, string(p.Side), p.Amount.StringFixed(2), date, string(e.Book)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("insert postings: %w", err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertEntries writes entries (checked, hashed) in tx and fills their IDs;
// an entry whose key was already used by the same request comes back
// replayed, by another request ErrIdempotencyConflict.
func insertEntries(ctx context.Context, tx *sqlx.Tx, entries []Entry) (err error) {
	defer func() {
		if err == nil {
			noteDryRun(ctx, entries)
		}
	}()
	byCode, now, err := resolveAccounts(ctx, tx, entries)
	if err != nil {
		return err
	}
	cols, err := newEntryArrays(entries, now)
	if err != nil {
		return err
	}
	n := len(entries)
	index := make(map[string]int, n)
	for i, e := range entries {
		index[e.IdempotencyKey] = i
	}
	rows, err := tx.QueryContext(ctx, `
		INSERT INTO entries (book, effective_date, memo, actor, idempotency_key, reverses_entry_id, corrects_entry_id, metadata, hash_version, content_hash)
		SELECT b, d, m, a, k, nullif(r, 0), nullif(c, 0), md::jsonb, 2, decode(h, 'hex') FROM (`+entryUnnest+`) u
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id, idempotency_key`, cols.args()...)
	if err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	inserted := make([]bool, n)
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return err
		}
		i := index[key]
		entries[i].ID, entries[i].ContentHash, entries[i].HashVersion, inserted[i] = id, cols.hashes[i], hashV2, true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}

	var replayKeys []string
	for i, ok := range inserted {
		if !ok {
			replayKeys = append(replayKeys, cols.keys[i])
		} else {
			entries[i].RecordedAt = now
		}
	}
	if len(replayKeys) > 0 {
		var prior []struct {
			ID         int64     `db:"id"`
			Key        string    `db:"idempotency_key"`
			Version    int       `db:"hash_version"`
			Hash       string    `db:"content_hash"`
			RecordedAt time.Time `db:"recorded_at"`
		}
		if err := tx.SelectContext(ctx, &prior,
			`SELECT id, idempotency_key, hash_version, encode(content_hash, 'hex') AS content_hash, recorded_at FROM entries WHERE idempotency_key = ANY($1)`,
			pq.Array(replayKeys)); err != nil {
			return fmt.Errorf("read prior entries: %w", err)
		}
		for _, p := range prior {
			i := index[p.Key]
			// The same request: its fingerprint, stored the way the prior
			// entry was (version and recorded_at), gives the prior hash.
			if p.Hash != storedHash(p.Version, entries[i].fingerprint, p.RecordedAt) {
				return fmt.Errorf("%w: key %q was used by entry %d for another request", ErrIdempotencyConflict, p.Key, p.ID)
			}
			entries[i].ID, entries[i].RecordedAt, entries[i].ContentHash, entries[i].HashVersion, entries[i].Replayed = p.ID, p.RecordedAt, p.Hash, p.Version, true
		}
	}

	args := postingArgs(entries, byCode, inserted)
	if args == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, insertPostingsSQL, args...); err != nil {
		return fmt.Errorf("insert postings: %w", err)
	}
	return nil
}

// ReverseRequest says how to reverse an entry.
type ReverseRequest struct {
	Reason string
	Actor  string
	// Date of the reversal; zero means the reversed entry's own date. A
	// reversal of an entry in a closed period must be dated in an open one.
	Date time.Time
	// IdempotencyKey defaults to "reversal-of:<id>", so a repeated request
	// returns the first reversal.
	IdempotencyKey string
}

// Reverse posts an entry that undoes entry id: the same postings with the
// sides swapped, pointing at the entry it reverses. An entry is reversed at
// most once (ErrAlreadyReversed).
func (l *Ledger) Reverse(ctx context.Context, id int64, r ReverseRequest) (Entry, error) {
	if r.Reason == "" {
		return Entry{}, fmt.Errorf("%w: reverse entry %d: a reason is required", ErrInvalid, id)
	}
	orig, err := l.Entry(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("reverse entry %d: %w", id, err)
	}
	rev := Entry{
		Book:           orig.Book,
		EffectiveDate:  r.Date,
		Actor:          r.Actor,
		IdempotencyKey: r.IdempotencyKey,
		Reverses:       id,
		Metadata:       map[string]string{"reason": r.Reason},
	}
	rev.Memo = ReversalMemo(rev.Metadata, orig.Voucher, r.Reason)
	if rev.EffectiveDate.IsZero() {
		rev.EffectiveDate = orig.EffectiveDate
	}
	if rev.IdempotencyKey == "" {
		rev.IdempotencyKey = "reversal-of:" + strconv.FormatInt(id, 10)
	}
	for _, p := range orig.Postings {
		rev.Postings = append(rev.Postings, Posting{AccountCode: p.AccountCode, Side: p.Side.Opposite(), Amount: p.Amount})
	}
	return l.Post(ctx, rev)
}

// Entry returns a stored entry with its postings.
func (l *Ledger) Entry(ctx context.Context, id int64) (Entry, error) {
	var row entryRow
	err := l.db.GetContext(ctx, &row, `SELECT `+entryColumns+` FROM entries e WHERE e.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("entry %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	e, err := row.entry()
	if err != nil {
		return Entry{}, err
	}
	var ps []postingRow
	if err := l.db.SelectContext(ctx, &ps, `
		SELECT p.entry_id, a.code, p.side, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id
		 WHERE p.entry_id = $1 ORDER BY p.line`, id); err != nil {
		return Entry{}, fmt.Errorf("entry %d: postings: %w", id, err)
	}
	for _, p := range ps {
		e.Postings = append(e.Postings, p.posting())
	}
	return e, nil
}

const entryColumns = `e.id, e.book, e.effective_date, e.recorded_at, e.memo, e.actor, e.idempotency_key,
	coalesce(e.reverses_entry_id, 0) AS reverses, coalesce(e.corrects_entry_id, 0) AS corrects,
	e.metadata::text AS metadata, e.hash_version, encode(e.content_hash, 'hex') AS content_hash,
	coalesce((SELECT v.seq FROM entry_vouchers v WHERE v.entry_id = e.id), 0) AS voucher_seq`

type entryRow struct {
	ID             int64     `db:"id"`
	Book           Book      `db:"book"`
	EffectiveDate  time.Time `db:"effective_date"`
	RecordedAt     time.Time `db:"recorded_at"`
	Memo           string    `db:"memo"`
	Actor          string    `db:"actor"`
	IdempotencyKey string    `db:"idempotency_key"`
	Reverses       int64     `db:"reverses"`
	Corrects       int64     `db:"corrects"`
	Metadata       string    `db:"metadata"`
	HashVersion    int       `db:"hash_version"`
	ContentHash    string    `db:"content_hash"`
	VoucherSeq     int       `db:"voucher_seq"`
}

func (r entryRow) entry() (Entry, error) {
	e := Entry{ID: r.ID, Book: r.Book, EffectiveDate: Civil(r.EffectiveDate), RecordedAt: r.RecordedAt, Memo: r.Memo,
		Actor: r.Actor, IdempotencyKey: r.IdempotencyKey, Reverses: r.Reverses, Corrects: r.Corrects, ContentHash: r.ContentHash,
		HashVersion: r.HashVersion}
	e.Voucher = voucherOf(r.Book, e.EffectiveDate, r.VoucherSeq).String()
	if err := json.Unmarshal([]byte(r.Metadata), &e.Metadata); err != nil {
		return Entry{}, fmt.Errorf("entry %d: metadata: %w", r.ID, err)
	}
	if len(e.Metadata) == 0 {
		e.Metadata = nil
	}
	return e, nil
}

type postingRow struct {
	EntryID int64           `db:"entry_id"`
	Code    string          `db:"code"`
	Side    Side            `db:"side"`
	Amount  decimal.Decimal `db:"amount"`
}

func (p postingRow) posting() Posting {
	return Posting{AccountCode: p.Code, Side: p.Side, Amount: p.Amount}
}

// EntryFilter selects entries for a journal listing; zero fields match all.
type EntryFilter struct {
	Book     Book
	From, To time.Time // effective dates, inclusive
	Account  string    // only entries with a posting on this account
	AfterID  int64     // page after this entry id
	Limit    int       // at most MaxPage; 0 means 1000
	// Districts narrows the listing to entries with a posting on an
	// account of these districts and none on another district's account (a
	// reader's granted districts, a handful); nil: every entry.
	Districts []string
	// Project, Source and Category match the entry's metadata (what
	// funding writes: "project", "source", "category"); Search matches the
	// memo, the payee or the reference (case-insensitive substring).
	Project, Source, Category, Search string
	// Newest lists newest first: then BeforeID (not AfterID) pages.
	Newest   bool
	BeforeID int64
}

// Entries lists entries with their postings in id order (the order they
// were recorded), a page at a time.
func (l *Ledger) Entries(ctx context.Context, f EntryFilter) ([]Entry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	limit = pageLimit(limit)
	after, order := f.AfterID, "ASC"
	if f.Newest {
		after, order = 0, "DESC"
	}
	var rows []entryRow
	// m.meta: the entry's metadata, or for a reversal the reversed entry's
	// (a reversal belongs to the project, source and payee it undoes).
	err := l.db.SelectContext(ctx, &rows, `SELECT `+entryColumns+` FROM entries e
		CROSS JOIN LATERAL (SELECT coalesce((SELECT o.metadata FROM entries o WHERE o.id = e.reverses_entry_id), '{}'::jsonb) || e.metadata AS meta) m
		WHERE e.id > $1 AND ($2 = '' OR e.book = $2)
		  AND ($3::date IS NULL OR e.effective_date >= $3::date) AND ($4::date IS NULL OR e.effective_date <= $4::date)
		  AND ($5 = '' OR EXISTS (SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
		                           WHERE p.entry_id = e.id AND a.code = $5))
		  AND ($7::text[] IS NULL OR (
		        EXISTS (SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
		                 WHERE p.entry_id = e.id AND a.district = ANY($7::text[]))
		    AND NOT EXISTS (SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
		                 WHERE p.entry_id = e.id AND a.district IS NOT NULL AND NOT a.district = ANY($7::text[]))))
		  AND ($8 = '' OR m.meta->>'project' = $8) AND ($9 = '' OR m.meta->>'source' = $9)
		  AND ($10 = '' OR m.meta->>'category' = $10)
		  AND ($11 = '' OR strpos(lower(e.memo || ' ' || coalesce(m.meta->>'payee', '') || ' ' || coalesce(m.meta->>'reference', '')), lower($11)) > 0)
		  AND ($12 = 0 OR e.id < $12)
		ORDER BY e.id `+order+` LIMIT $6`, after, string(f.Book), SQLDate(f.From), SQLDate(f.To), f.Account, limit, pq.Array(f.Districts),
		f.Project, f.Source, f.Category, f.Search, f.BeforeID)
	if err != nil {
		return nil, fmt.Errorf("entries: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var ps []postingRow
	if err := l.db.SelectContext(ctx, &ps, `
		SELECT p.entry_id, a.code, p.side, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id
		 WHERE p.entry_id = ANY($1) ORDER BY p.entry_id, p.line`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("entries: postings: %w", err)
	}
	byEntry := make(map[int64][]Posting, len(rows))
	for _, p := range ps {
		byEntry[p.EntryID] = append(byEntry[p.EntryID], p.posting())
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		e.Postings = byEntry[r.ID]
		out = append(out, e)
	}
	return out, nil
}
