package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The hash chain. Each entry stores the SHA-256 of its canonical content
// when it is posted. Sealing gathers committed, unsealed entries into a
// block whose hash covers the previous block's hash and the (id, content
// hash) of each of its entries. Posting never waits for the chain: sealing
// runs after a batch, from the CLI, and before verify, one sealer at a time.
//
// What Verify then guarantees: every entry's stored rows (and, from hash
// version 2, its recorded_at) still hash to the content hash recorded when
// it was posted; every sealed entry's content hash is the one its block
// sealed; the blocks form an unbroken chain ending in HeadHash. Rewriting
// history without detection would need rewriting every block after the
// change, so a head hash written down before the rewrite exposes it. The
// ledger writes one down itself: every period event (each month close)
// records the head it was made at, and Verify checks that every recorded
// head is still a block of the chain; a hash kept outside the database
// (printed by verify, by a report) is checked with VerifyOptions.Expect.
// Entries posted since the last seal are covered by the first guarantee
// only.
//
// Sealing is where a forger would launder an entry: whatever is in the
// queue gets a block, and from then on looks as old and as sound as the
// rest. So the sealer seals only entries it can account for as written
// through the posting path (accountedSQL says what that means) and holds
// back the others, which Verify reports.

const (
	genesisHash   = "0000000000000000000000000000000000000000000000000000000000000000"
	maxBlockSize  = 100000
	maxSealRounds = 1000
	verifyPage    = 10000
	sealLockKey   = 0x46554e44 // "FUND": one sealer at a time
)

// SealResult says what Seal did. Held lists entries left unsealed because
// they cannot be accounted for (see accountedSQL); Verify reports them too.
type SealResult struct {
	Blocks   int           `json:"blocks"`
	Entries  int           `json:"entries"`
	HeadHash string        `json:"head_hash"`
	Held     []Unaccounted `json:"held,omitempty"`
}

// Unaccounted is an entry waiting to be sealed that did not come through
// the posting path as far as the database can tell, and why.
type Unaccounted struct {
	EntryID int64  `db:"id" json:"entry_id"`
	Key     string `db:"idempotency_key" json:"idempotency_key"`
	Reason  string `db:"reason" json:"reason"`
	txid    string
}

type unaccountedRow struct {
	Unaccounted
	TxID string `db:"txid"`
}

func (u Unaccounted) String() string {
	return fmt.Sprintf("entry %d (key %q) waits to be sealed but cannot be accounted for: %s", u.EntryID, u.Key, u.Reason)
}

// accountedSQL lists the entries of the seal queue ($1: of the transactions
// whose first entry id is at most $1, or NULL for all) that cannot be accounted for as posted
// through the ledger, with the first reason found. What the database
// guarantees for every entry inserted while its triggers run (00001,
// 00007): created_txid is the inserting transaction and recorded_at its
// start; the queue row (tx_entries) is written by the entries trigger in
// that same transaction and by nothing else; the id comes from the
// entries sequence; a closed month refuses new entries, and (00009) a
// close first waits for and seals every entry of its month. An entry or
// queue row written behind the triggers (session_replication_role, a
// disabled trigger) can fake the columns, but not all of the following,
// which are read from the database's own bookkeeping:
//   - the transaction named by created_txid (and by the queue row) must
//     exist and have committed here: pg_xact_status, checked only below
//     the snapshot's xmax, since a txid from the future is an error there;
//   - the entry row and the queue row must have been written by that very
//     transaction: their xmin (the inserting transaction, kept by the
//     server, not settable) must be created_txid's. A row inserted by
//     another transaction claiming an older one, or changed afterwards
//     (an UPDATE writes a new row version with a new xmin), fails this;
//   - the id must have been drawn from the sequence;
//   - recorded_at cannot lie in the future (beyond a clock step);
//   - the entry must not be dated in a month (city-wide, or for a district
//     it posts to) that is closed by a close recorded under 00009: such a
//     close sealed every entry of the month and refuses later ones, so an
//     unsealed entry there was not posted.
//
// What stays possible: a superuser who writes, behind the triggers, a new
// entry into an open month under his own transaction, with a true
// recorded_at and consistent derived rows, makes an entry the database
// cannot tell from one posted by raw SQL through the triggers (which the
// ledger accepts). It is recorded as new, at its true time, in the open
// journal; it cannot be slipped into history that a recorded or
// written-down head hash covers. The ledger itself never writes entries
// from a subtransaction (whose xmin would differ from created_txid).
const accountedSQL = `
SELECT x.id, x.idempotency_key, x.txid, x.reason FROM (
  SELECT e.id, e.idempotency_key, t.txid::text AS txid, CASE
    WHEN t.txid >= pg_snapshot_xmax(pg_current_snapshot())
      THEN 'the transaction it names has not begun yet (created_txid ' || t.txid::text || ')'
    WHEN pg_xact_status(t.txid) IS DISTINCT FROM 'committed'
      THEN 'the transaction it names (' || t.txid::text || ') is not known to have committed in this database'
    WHEN e.xmin::text <> (e.created_txid::text::numeric % 4294967296)::text
      THEN 'its row was not written by the transaction it names (inserted or changed behind the ledger''s triggers)'
    WHEN t.xmin::text <> (t.txid::text::numeric % 4294967296)::text
      THEN 'its seal-queue row was not written by the transaction it names'
    WHEN e.id > (SELECT last_value FROM entries_id_seq)
      THEN 'its id was not drawn from the entries sequence'
    WHEN e.recorded_at > now() + interval '5 minutes'  -- a clock stepped back a little is not a forgery
      THEN 'it is recorded in the future (' || e.recorded_at::text || ')'
    WHEN EXISTS (SELECT 1 FROM periods pr
                  WHERE pr.period = date_trunc('month', e.effective_date)::date AND pr.closed
                    AND (SELECT pe.head_hash FROM period_events pe WHERE pe.period = pr.period AND pe.district IS NULL
                          ORDER BY pe.id DESC LIMIT 1) IS NOT NULL)
      THEN 'it is dated in ' || to_char(e.effective_date, 'YYYY-MM') || ', closed after every entry of that month was sealed'
    WHEN EXISTS (SELECT 1 FROM district_periods dp
                  WHERE dp.closed AND dp.period = date_trunc('month', e.effective_date)::date)
     AND EXISTS (SELECT 1 FROM postings po JOIN accounts a ON a.id = po.account_id
                   JOIN district_periods dp ON dp.period = date_trunc('month', e.effective_date)::date
                                           AND dp.district = a.district AND dp.closed
                  WHERE po.entry_id = e.id
                    AND (SELECT pe.head_hash FROM period_events pe WHERE pe.period = dp.period AND pe.district = dp.district
                          ORDER BY pe.id DESC LIMIT 1) IS NOT NULL)
      THEN 'it posts to a district whose month ' || to_char(e.effective_date, 'YYYY-MM') || ' was closed after every entry of that month was sealed'
  END AS reason
  FROM tx_entries t JOIN entries e ON e.id BETWEEN t.min_id AND t.max_id AND e.created_txid = t.txid
 WHERE $1::bigint IS NULL OR t.min_id <= $1::bigint
) x WHERE x.reason IS NOT NULL ORDER BY x.id LIMIT $2`

// maxHeld bounds the unaccounted entries listed in a report.
const maxHeld = 100

// unaccounted returns up to limit unaccounted entries of the queue (of the
// transactions whose first entry id is at most upTo; 0 means all), each
// with its transaction.
func unaccounted(ctx context.Context, q sqlx.QueryerContext, upTo int64, limit int) ([]Unaccounted, error) {
	var arg any // NULL: the whole queue
	if upTo > 0 {
		arg = upTo
	}
	var rows []unaccountedRow
	if err := sqlx.SelectContext(ctx, q, &rows, accountedSQL, arg, limit); err != nil {
		return nil, fmt.Errorf("account for the seal queue: %w", err)
	}
	out := make([]Unaccounted, len(rows))
	for i, r := range rows {
		out[i] = r.Unaccounted
		out[i].txid = r.TxID
	}
	return out, nil
}

func blockHash(prev string, ids []int64, hashes []string) string {
	var b strings.Builder
	b.WriteString("fundledger-block-v1\n")
	b.WriteString(prev)
	b.WriteByte('\n')
	for i := range ids {
		b.WriteString(strconv.FormatInt(ids[i], 10))
		b.WriteByte(' ')
		b.WriteString(hashes[i])
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Seal chains every committed, unsealed entry that can be accounted for
// into blocks, each block in its own transaction; the others are held
// back and listed in the result.
func (l *Ledger) Seal(ctx context.Context) (SealResult, error) {
	var res SealResult
	for round := 0; round < maxSealRounds; round++ {
		tx, err := l.db.BeginTxx(ctx, nil)
		if err != nil {
			return res, fmt.Errorf("seal: %w", err)
		}
		n, head, held, err := sealBlock(ctx, tx)
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			_ = tx.Rollback()
			return res, fmt.Errorf("seal: %w", err)
		}
		res.HeadHash, res.Held = head, held
		if n == 0 {
			return res, nil
		}
		res.Blocks++
		res.Entries += n
	}
	return res, nil
}

// sealAll seals in tx (which holds the sealer's lock after the first
// block) until nothing that can be accounted for is left.
func sealAll(ctx context.Context, tx *sqlx.Tx) error {
	for round := 0; round < maxSealRounds; round++ {
		n, _, _, err := sealBlock(ctx, tx)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// sealBlock seals one block in tx and returns how many entries it sealed,
// the head after it, and the entries it held back.
func sealBlock(ctx context.Context, tx *sqlx.Tx) (int, string, []Unaccounted, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLockKey); err != nil {
		return 0, "", nil, err
	}
	prev := genesisHash
	if err := tx.GetContext(ctx, &prev, `SELECT coalesce((SELECT hash FROM chain_blocks ORDER BY id DESC LIMIT 1), $1)`, genesisHash); err != nil {
		return 0, "", nil, err
	}
	// Whole committed transactions, oldest first, up to maxBlockSize entries
	// (a bigger transaction makes a bigger block: it is never split).
	var txs []struct {
		TxID  string `db:"txid"`
		MinID int64  `db:"min_id"`
		MaxID int64  `db:"max_id"`
	}
	if err := tx.SelectContext(ctx, &txs, `SELECT txid::text AS txid, min_id, max_id FROM tx_entries ORDER BY min_id LIMIT $1`, maxBlockSize); err != nil {
		return 0, "", nil, err
	}
	if len(txs) == 0 {
		return 0, prev, nil, nil
	}
	// Every unaccounted entry of the candidates (the queue's first
	// transactions by entry id, at most maxBlockSize), so that none of
	// their transactions is sealed; only the first maxHeld are reported.
	held, err := unaccounted(ctx, tx, txs[len(txs)-1].MinID, math.MaxInt32)
	if err != nil {
		return 0, "", nil, err
	}
	heldTx := make(map[string]bool, len(held))
	for _, u := range held {
		heldTx[u.txid] = true
	}
	held = held[:min(len(held), maxHeld)]
	var rows []struct {
		ID   int64  `db:"id"`
		Hash string `db:"content_hash"`
	}
	var done []string
	for _, t := range txs {
		if heldTx[t.TxID] {
			continue // a whole transaction or nothing of it
		}
		if len(rows) > 0 && len(rows)+int(t.MaxID-t.MinID+1) > maxBlockSize {
			break
		}
		var part []struct {
			ID   int64  `db:"id"`
			Hash string `db:"content_hash"`
		}
		if err := tx.SelectContext(ctx, &part, `
			SELECT id, encode(content_hash, 'hex') AS content_hash FROM entries
			 WHERE id BETWEEN $1 AND $2 AND created_txid = $3::xid8 ORDER BY id`, t.MinID, t.MaxID, t.TxID); err != nil {
			return 0, "", nil, err
		}
		rows = append(rows, part...)
		done = append(done, t.TxID)
	}
	if len(rows) == 0 {
		return 0, prev, held, nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	ids, hashes := make([]int64, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], hashes[i] = r.ID, r.Hash
	}
	h := blockHash(prev, ids, hashes)
	var blockID int64
	if err := tx.GetContext(ctx, &blockID,
		`INSERT INTO chain_blocks (prev_hash, hash, entry_count) VALUES ($1, $2, $3) RETURNING id`, prev, h, len(ids)); err != nil {
		return 0, "", nil, err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO chain_block_entries (entry_id, block_id) SELECT unnest($1::bigint[]), $2`, pq.Array(ids), blockID); err != nil {
		return 0, "", nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tx_entries WHERE txid = ANY($1::xid8[])`, pq.Array(done)); err != nil {
		return 0, "", nil, err
	}
	return len(ids), h, held, nil
}

// Head is the newest block of the chain: its hash, its id and the highest
// entry id sealed so far (0 and the genesis hash when nothing is sealed).
type Head struct {
	Hash        string `db:"hash" json:"hash"`
	BlockID     int64  `db:"block_id" json:"block_id"`
	LastEntryID int64  `db:"last_entry_id" json:"last_entry_id"`
}

// Head returns the chain's head as it is now: two index probes, cheap
// enough to print on every report and export. Entries posted since the
// last seal are not covered by it.
func (l *Ledger) Head(ctx context.Context) (Head, error) {
	h := Head{Hash: genesisHash}
	err := l.db.GetContext(ctx, &h, `
		SELECT coalesce(b.hash, $1) AS hash, coalesce(b.id, 0) AS block_id,
		       coalesce((SELECT max(entry_id) FROM chain_block_entries), 0) AS last_entry_id
		  FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id, hash FROM chain_blocks ORDER BY id DESC LIMIT 1) b ON true`, genesisHash)
	if err != nil {
		return Head{}, fmt.Errorf("chain head: %w", err)
	}
	return h, nil
}

// SealedHead seals every committed entry it can account for, then returns
// the head hash, which then covers them: the hash a report or an export
// names as what it was made from.
func (l *Ledger) SealedHead(ctx context.Context) (string, error) {
	if _, err := l.Seal(ctx); err != nil {
		return "", fmt.Errorf("sealed head: %w", err)
	}
	return l.HeadHash(ctx)
}

// HeadHash returns the hash of the chain's newest block (see Head).
func (l *Ledger) HeadHash(ctx context.Context) (string, error) {
	h, err := l.Head(ctx)
	return h.Hash, err
}

// VerifyReport is the outcome of Verify. OK is false when any problem was
// found; FirstBadEntry names the first entry whose rows no longer match.
// Anchors lists the head hashes the chain was checked against: those
// recorded by period events, and the one asked for (VerifyOptions).
type VerifyReport struct {
	OK              bool          `json:"ok"`
	Entries         int           `json:"entries"`
	Blocks          int           `json:"blocks"`
	UnsealedEntries int           `json:"unsealed_entries"`
	HeadHash        string        `json:"head_hash"`
	FirstBadEntry   int64         `json:"first_bad_entry,omitempty"`
	Anchor          *AnchorCheck  `json:"anchor,omitempty"`
	Anchors         int           `json:"anchors_checked"`
	Unaccounted     []Unaccounted `json:"unaccounted,omitempty"`
	Problems        []string      `json:"problems,omitempty"`
}

// AnchorCheck is the outcome of checking the chain against a head hash
// written down earlier: Found when a block of the chain has that hash (and
// then, with the report OK, every entry sealed up to that block is as it
// was when the hash was written down).
type AnchorCheck struct {
	Hash    string `json:"hash"`
	Source  string `json:"source"` // "expected", or the close it was read from
	Found   bool   `json:"found"`
	BlockID int64  `json:"block_id,omitempty"`
}

// VerifyOptions name a head hash to verify against: Expect, a hash written
// down earlier (64 hex digits), or AsOfClose, the month whose latest close
// (city-wide, or of District when set) recorded the hash. At most one.
type VerifyOptions struct {
	Expect    string
	AsOfClose time.Time
	District  string
}

const maxProblems = 20

func (r *VerifyReport) problem(format string, args ...any) {
	r.OK = false
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify recomputes every entry's content hash from its stored rows, the
// chain of blocks, and the derived day balances, checks that every entry
// balances, that every head hash recorded by a period event is a block of
// the chain, and that every entry waiting to be sealed can be accounted
// for. It only reads.
func (l *Ledger) Verify(ctx context.Context) (VerifyReport, error) {
	return l.VerifyAgainst(ctx, VerifyOptions{})
}

// VerifyAgainst is Verify, and checks the chain against the head hash the
// options name: the report is not OK when no block has that hash, that is
// when history up to it was rewritten (or the hash is not of this ledger).
func (l *Ledger) VerifyAgainst(ctx context.Context, opts VerifyOptions) (VerifyReport, error) {
	rep := VerifyReport{OK: true, HeadHash: genesisHash}
	anchor, err := l.anchor(ctx, opts)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if err := l.verifyEntries(ctx, &rep); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	blocks, err := l.verifyBlocks(ctx, &rep)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if err := l.verifyAnchors(ctx, &rep, blocks, anchor); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if err := l.verifyDerived(ctx, &rep); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if err := l.verifyVouchers(ctx, &rep); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	return rep, nil
}

// anchor resolves the options to the hash to check, nil for none.
func (l *Ledger) anchor(ctx context.Context, opts VerifyOptions) (*AnchorCheck, error) {
	switch {
	case opts.Expect != "" && !opts.AsOfClose.IsZero():
		return nil, fmt.Errorf("%w: verify against an expected hash or a close, not both", ErrInvalid)
	case opts.Expect != "":
		h := strings.ToLower(strings.TrimSpace(opts.Expect))
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("%w: expected head hash %q: want 64 hexadecimal digits", ErrInvalid, opts.Expect)
		}
		return &AnchorCheck{Hash: h, Source: "expected"}, nil
	case !opts.AsOfClose.IsZero():
		month := time.Date(opts.AsOfClose.Year(), opts.AsOfClose.Month(), 1, 0, 0, 0, 0, time.UTC)
		what := "close of " + month.Format("2006-01")
		if opts.District != "" {
			what += " by district " + opts.District
		}
		var hash string
		err := l.db.GetContext(ctx, &hash, `
			SELECT head_hash FROM period_events
			 WHERE period = $1 AND action = 'close' AND district IS NOT DISTINCT FROM nullif($2, '') AND head_hash IS NOT NULL
			 ORDER BY id DESC LIMIT 1`, month.Format(DateLayout), strings.TrimSpace(opts.District))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: no %s recorded a head hash", ErrNotFound, what)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return &AnchorCheck{Hash: hash, Source: what}, nil
	}
	return nil, nil
}

// verifyAnchors checks that every head hash recorded by a period event,
// and the one asked for, is the hash of a block of the chain (blocks: hash
// to block id, as verifyBlocks found them; the genesis hash stands for the
// empty chain). A recorded head that is no longer in the chain means a
// block up to it was rewritten after the event.
func (l *Ledger) verifyAnchors(ctx context.Context, rep *VerifyReport, blocks map[string]int64, want *AnchorCheck) error {
	var recorded []struct {
		ID      int64     `db:"id"`
		Period  time.Time `db:"period"`
		Action  string    `db:"action"`
		Scope   string    `db:"district"`
		Hash    string    `db:"head_hash"`
		BlockID int64     `db:"head_block_id"`
	}
	if err := l.db.SelectContext(ctx, &recorded, `
		SELECT id, period, action, coalesce(district, '') AS district, head_hash, coalesce(head_block_id, 0) AS head_block_id
		  FROM period_events WHERE head_hash IS NOT NULL ORDER BY id LIMIT $1`, maxPeriodEvents); err != nil {
		return err
	}
	for _, r := range recorded {
		rep.Anchors++
		id, ok := blocks[r.Hash]
		switch {
		case !ok:
			rep.problem("the %s of %s%s (period event %d) recorded head %s, which is no longer a block of the chain: history up to it was rewritten",
				r.Action, r.Period.Format("2006-01"), scopeText(r.Scope), r.ID, r.Hash)
		case id != r.BlockID:
			rep.problem("the %s of %s%s (period event %d) recorded head %s as block %d, but it is block %d",
				r.Action, r.Period.Format("2006-01"), scopeText(r.Scope), r.ID, r.Hash[:16], r.BlockID, id)
		}
	}
	if want != nil {
		rep.Anchor = want
		id, ok := blocks[want.Hash]
		want.Found, want.BlockID = ok, id
		if !ok {
			rep.problem("the %s head hash %s is not a block of the chain: history up to it was rewritten, or the hash is not of this ledger",
				want.Source, want.Hash)
		}
	}
	return nil
}

func scopeText(district string) string {
	if district == "" {
		return ""
	}
	return " by district " + district
}

func (l *Ledger) verifyEntries(ctx context.Context, rep *VerifyReport) error {
	var after int64
	for {
		var rows []entryRow
		if err := l.db.SelectContext(ctx, &rows, `SELECT `+entryColumns+` FROM entries e WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
			after, verifyPage); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		var ps []postingRow
		if err := l.db.SelectContext(ctx, &ps, `
			SELECT p.entry_id, a.code, p.side, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id
			 WHERE p.entry_id BETWEEN $1 AND $2 ORDER BY p.entry_id, p.line`, rows[0].ID, rows[len(rows)-1].ID); err != nil {
			return err
		}
		byEntry := make(map[int64][]Posting, len(rows))
		for _, p := range ps {
			byEntry[p.EntryID] = append(byEntry[p.EntryID], p.posting())
		}
		for _, r := range rows {
			rep.Entries++
			e, err := r.entry()
			if err != nil {
				rep.problem("entry %d: %v", r.ID, err)
				continue
			}
			e.Postings = byEntry[r.ID]
			got := storedHash(r.HashVersion, e.contentHash(), r.RecordedAt)
			if got == "" {
				rep.problem("entry %d (key %q): unknown hash version %d", r.ID, r.IdempotencyKey, r.HashVersion)
				continue
			}
			if got != r.ContentHash {
				if rep.FirstBadEntry == 0 {
					rep.FirstBadEntry = r.ID
				}
				rep.problem("entry %d (key %q): its rows hash to %s, but %s was recorded when it was posted", r.ID, r.IdempotencyKey, got[:16], r.ContentHash[:16])
			}
		}
		after = rows[len(rows)-1].ID
	}
}

func (l *Ledger) verifyBlocks(ctx context.Context, rep *VerifyReport) (map[string]int64, error) {
	var blocks []struct {
		ID    int64  `db:"id"`
		Prev  string `db:"prev_hash"`
		Hash  string `db:"hash"`
		Count int    `db:"entry_count"`
	}
	if err := l.db.SelectContext(ctx, &blocks, `SELECT id, prev_hash, hash, entry_count FROM chain_blocks ORDER BY id`); err != nil {
		return nil, err
	}
	byHash := make(map[string]int64, len(blocks)+1)
	byHash[genesisHash] = 0
	prev := genesisHash
	for _, b := range blocks {
		rep.Blocks++
		byHash[b.Hash] = b.ID
		if b.Prev != prev {
			rep.problem("block %d: links to %s, but the block before it hashes to %s", b.ID, b.Prev[:16], prev[:16])
		}
		var rows []struct {
			ID   int64  `db:"id"`
			Hash string `db:"content_hash"`
		}
		if err := l.db.SelectContext(ctx, &rows, `
			SELECT e.id, encode(e.content_hash, 'hex') AS content_hash FROM chain_block_entries c JOIN entries e ON e.id = c.entry_id
			 WHERE c.block_id = $1 ORDER BY e.id`, b.ID); err != nil {
			return nil, err
		}
		ids, hashes := make([]int64, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			ids[i], hashes[i] = r.ID, r.Hash
		}
		if len(rows) != b.Count {
			rep.problem("block %d: sealed %d entries, %d found", b.ID, b.Count, len(rows))
		}
		if got := blockHash(b.Prev, ids, hashes); got != b.Hash {
			rep.problem("block %d (entries %v…): recomputed hash %s differs from the sealed %s; an entry's content hash was changed", b.ID, firstIDs(ids), got[:16], b.Hash[:16])
		}
		prev = b.Hash
	}
	rep.HeadHash = prev
	var orphan []int64
	if err := l.db.SelectContext(ctx, &orphan, `
		SELECT e.id FROM entries e
		 WHERE NOT EXISTS (SELECT 1 FROM chain_block_entries c WHERE c.entry_id = e.id)
		   AND NOT EXISTS (SELECT 1 FROM tx_entries t WHERE t.txid = e.created_txid)
		 ORDER BY e.id LIMIT 10`); err != nil {
		return nil, err
	}
	for _, id := range orphan {
		rep.problem("entry %d is neither sealed nor waiting to be sealed", id)
	}
	held, err := unaccounted(ctx, l.db, 0, maxHeld)
	if err != nil {
		return nil, err
	}
	rep.Unaccounted = held
	for _, u := range held {
		rep.problem("%s", u)
	}
	return byHash, l.db.GetContext(ctx, &rep.UnsealedEntries, `
		SELECT count(*) FROM tx_entries t JOIN entries e ON e.id BETWEEN t.min_id AND t.max_id AND e.created_txid = t.txid`)
}

func firstIDs(ids []int64) []int64 {
	if len(ids) > 3 {
		return ids[:3]
	}
	return ids
}

func (l *Ledger) verifyDerived(ctx context.Context, rep *VerifyReport) error {
	var unbalanced []struct {
		ID     int64  `db:"id"`
		N      int    `db:"n"`
		Debit  string `db:"debit"`
		Credit string `db:"credit"`
	}
	if err := l.db.SelectContext(ctx, &unbalanced, `
		SELECT e.id, count(p.line) AS n,
		       coalesce(sum(p.amount) FILTER (WHERE p.side = 'D'), 0)::text AS debit,
		       coalesce(sum(p.amount) FILTER (WHERE p.side = 'C'), 0)::text AS credit
		  FROM entries e LEFT JOIN postings p ON p.entry_id = e.id
		 GROUP BY e.id
		HAVING count(p.line) < 2 OR coalesce(sum(p.amount) FILTER (WHERE p.side = 'D'), 0)
		                       <> coalesce(sum(p.amount) FILTER (WHERE p.side = 'C'), 0)
		 ORDER BY e.id LIMIT 10`); err != nil {
		return err
	}
	for _, u := range unbalanced {
		rep.problem("entry %d is unbalanced: %d postings, debits %s, credits %s", u.ID, u.N, u.Debit, u.Credit)
	}
	var drift []struct {
		Code string `db:"code"`
		Day  string `db:"day"`
	}
	if err := l.db.SelectContext(ctx, &drift, `
		WITH actual AS (
			SELECT p.account_id, e.effective_date AS day,
			       coalesce(sum(p.amount) FILTER (WHERE p.side = 'D'), 0) AS debit,
			       coalesce(sum(p.amount) FILTER (WHERE p.side = 'C'), 0) AS credit
			  FROM postings p JOIN entries e ON e.id = p.entry_id GROUP BY 1, 2)
		SELECT a.code, to_char(coalesce(x.day, b.day), 'YYYY-MM-DD') AS day
		  FROM actual x FULL JOIN account_day_balances b ON b.account_id = x.account_id AND b.day = x.day
		  JOIN accounts a ON a.id = coalesce(x.account_id, b.account_id)
		 WHERE x.debit IS DISTINCT FROM b.debit OR x.credit IS DISTINCT FROM b.credit
		 ORDER BY 2, 1 LIMIT 10`); err != nil {
		return err
	}
	for _, d := range drift {
		rep.problem("account %s, %s: stored day balance differs from its postings", d.Code, d.Day)
	}
	return l.verifyDistrictTotals(ctx, rep)
}
