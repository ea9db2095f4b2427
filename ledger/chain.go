package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// The hash chain. Each entry stores the SHA-256 of its canonical content
// when it is posted. Sealing gathers committed, unsealed entries into a
// block whose hash covers the previous block's hash and the (id, content
// hash) of each of its entries. Posting never waits for the chain: sealing
// runs after a batch, from the CLI, and before verify, one sealer at a time.
//
// What Verify then guarantees: every entry's stored rows still hash to the
// content hash recorded when it was posted; every sealed entry's content
// hash is the one its block sealed; the blocks form an unbroken chain ending
// in HeadHash. Rewriting history without detection would need rewriting
// every block after the change, which a HeadHash written down elsewhere
// (the verify output, a report) exposes. Entries posted since the last seal
// are covered by the first guarantee only.

const (
	genesisHash   = "0000000000000000000000000000000000000000000000000000000000000000"
	maxBlockSize  = 100000
	maxSealRounds = 1000
	verifyPage    = 10000
	sealLockKey   = 0x46554e44 // "FUND": one sealer at a time
)

// SealResult says what Seal did.
type SealResult struct {
	Blocks   int    `json:"blocks"`
	Entries  int    `json:"entries"`
	HeadHash string `json:"head_hash"`
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

// Seal chains every committed, unsealed entry into blocks.
func (l *Ledger) Seal(ctx context.Context) (SealResult, error) {
	var res SealResult
	for round := 0; round < maxSealRounds; round++ {
		n, head, err := l.sealBlock(ctx)
		if err != nil {
			return res, fmt.Errorf("seal: %w", err)
		}
		res.HeadHash = head
		if n == 0 {
			return res, nil
		}
		res.Blocks++
		res.Entries += n
	}
	return res, nil
}

func (l *Ledger) sealBlock(ctx context.Context) (int, string, error) {
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, "", err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLockKey); err != nil {
		return 0, "", err
	}
	prev := genesisHash
	if err := tx.GetContext(ctx, &prev, `SELECT coalesce((SELECT hash FROM chain_blocks ORDER BY id DESC LIMIT 1), $1)`, genesisHash); err != nil {
		return 0, "", err
	}
	// Whole committed transactions, oldest first, up to maxBlockSize entries
	// (a bigger transaction makes a bigger block: it is never split).
	var txs []struct {
		TxID  string `db:"txid"`
		MinID int64  `db:"min_id"`
		MaxID int64  `db:"max_id"`
	}
	if err := tx.SelectContext(ctx, &txs, `SELECT txid::text AS txid, min_id, max_id FROM tx_entries ORDER BY min_id LIMIT $1`, maxBlockSize); err != nil {
		return 0, "", err
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Hash string `db:"content_hash"`
	}
	var done []string
	for _, t := range txs {
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
			return 0, "", err
		}
		rows = append(rows, part...)
		done = append(done, t.TxID)
	}
	if len(rows) == 0 {
		return 0, prev, tx.Commit()
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
		return 0, "", err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO chain_block_entries (entry_id, block_id) SELECT unnest($1::bigint[]), $2`, pq.Array(ids), blockID); err != nil {
		return 0, "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tx_entries WHERE txid = ANY($1::xid8[])`, pq.Array(done)); err != nil {
		return 0, "", err
	}
	return len(ids), h, tx.Commit()
}

// VerifyReport is the outcome of Verify. OK is false when any problem was
// found; FirstBadEntry names the first entry whose rows no longer match.
type VerifyReport struct {
	OK              bool     `json:"ok"`
	Entries         int      `json:"entries"`
	Blocks          int      `json:"blocks"`
	UnsealedEntries int      `json:"unsealed_entries"`
	HeadHash        string   `json:"head_hash"`
	FirstBadEntry   int64    `json:"first_bad_entry,omitempty"`
	Problems        []string `json:"problems,omitempty"`
}

const maxProblems = 20

func (r *VerifyReport) problem(format string, args ...any) {
	r.OK = false
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify recomputes every entry's content hash from its stored rows, the
// chain of blocks, and the derived day balances, and checks that every entry
// balances. It only reads.
func (l *Ledger) Verify(ctx context.Context) (VerifyReport, error) {
	rep := VerifyReport{OK: true, HeadHash: genesisHash}
	if err := l.verifyEntries(ctx, &rep); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if err := l.verifyBlocks(ctx, &rep); err != nil {
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
			if got := e.contentHash(); got != r.ContentHash {
				if rep.FirstBadEntry == 0 {
					rep.FirstBadEntry = r.ID
				}
				rep.problem("entry %d (key %q): its rows hash to %s, but %s was recorded when it was posted", r.ID, r.IdempotencyKey, got[:16], r.ContentHash[:16])
			}
		}
		after = rows[len(rows)-1].ID
	}
}

func (l *Ledger) verifyBlocks(ctx context.Context, rep *VerifyReport) error {
	var blocks []struct {
		ID    int64  `db:"id"`
		Prev  string `db:"prev_hash"`
		Hash  string `db:"hash"`
		Count int    `db:"entry_count"`
	}
	if err := l.db.SelectContext(ctx, &blocks, `SELECT id, prev_hash, hash, entry_count FROM chain_blocks ORDER BY id`); err != nil {
		return err
	}
	prev := genesisHash
	for _, b := range blocks {
		rep.Blocks++
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
			return err
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
		return err
	}
	for _, id := range orphan {
		rep.problem("entry %d is neither sealed nor waiting to be sealed", id)
	}
	return l.db.GetContext(ctx, &rep.UnsealedEntries, `
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
	return nil
}
