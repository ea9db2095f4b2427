package recon

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundledger/ledger"
)

// MaxMatchItems bounds the lines and postings of one manual match.
const MaxMatchItems = 1000

// MatchRequest is a person's match of statement lines to postings.
type MatchRequest struct {
	BankAccount string
	Lines       []int64      // statement line ids
	Postings    []PostingRef // Line 0: the entry's only cash posting for the bank account
	Reason      string
	Actor       string
}

// Match records a person's match. The lines must be the bank account's,
// the postings its cash postings, none of them in an active match, and the
// lines' signed amounts must add up to the postings' (ErrUnbalanced).
func (r *Recon) Match(ctx context.Context, req MatchRequest) (int64, error) {
	what := fmt.Sprintf("match on %s", req.BankAccount)
	switch {
	case len(req.Lines) == 0 || len(req.Postings) == 0:
		return 0, fmt.Errorf("%s: %w: %d statement lines and %d postings chosen", what, ErrMatchEmpty, len(req.Lines), len(req.Postings))
	case len(req.Lines)+len(req.Postings) > MaxMatchItems:
		return 0, fmt.Errorf("%s: %w: %d items, at most %d", what, ErrMatchTooLarge, len(req.Lines)+len(req.Postings), MaxMatchItems)
	}
	if err := checkReasonActor(what, req.Reason, req.Actor); err != nil {
		return 0, err
	}
	if err := r.checkBankAccount(ctx, r.db, req.BankAccount); err != nil {
		return 0, err
	}
	var id int64
	err := inTx(ctx, r.db, func(tx *sqlx.Tx) error {
		if err := lockBankAccount(ctx, tx, req.BankAccount); err != nil {
			return err
		}
		var lines []struct {
			ID      int64  `db:"id"`
			Account string `db:"bank_account"`
			In      bool   `db:"is_in"`
			Amount  string `db:"amount"`
		}
		if err := tx.SelectContext(ctx, &lines, `SELECT id, bank_account, direction = 'in' AS is_in, amount::text AS amount
			FROM recon_statement_lines WHERE id = ANY($1)`, pq.Int64Array(req.Lines)); err != nil {
			return err
		}
		var sum int64
		found := map[int64]bool{}
		for _, l := range lines {
			if l.Account != req.BankAccount {
				return fmt.Errorf("%w: statement line %d is a line of bank account %s, not %s", ErrLineOtherAccount, l.ID, l.Account, req.BankAccount)
			}
			f, err := parseFen(l.Amount)
			if err != nil {
				return err
			}
			if !l.In {
				f = -f
			}
			sum += f
			found[l.ID] = true
		}
		seen := map[int64]bool{}
		for _, lid := range req.Lines {
			if !found[lid] {
				return fmt.Errorf("%w: statement line %d", ErrLineNotFound, lid)
			}
			if seen[lid] {
				return fmt.Errorf("%w: statement line %d is named twice", ErrItemNamedTwice, lid)
			}
			seen[lid] = true
		}
		entries := make([]int64, len(req.Postings))
		for i, p := range req.Postings {
			entries[i] = p.EntryID
		}
		var posts []struct {
			Entry  int64  `db:"entry_id"`
			Line   int    `db:"line"`
			Debit  bool   `db:"debit"`
			Amount string `db:"amount"`
		}
		if err := tx.SelectContext(ctx, &posts, `SELECT p.entry_id, p.line, p.side = 'D' AS debit, p.amount::text AS amount `+
			cashFrom+` WHERE `+cashWhere+` AND p.entry_id = ANY($2) ORDER BY p.entry_id, p.line`,
			req.BankAccount, pq.Int64Array(entries)); err != nil {
			return err
		}
		byEntry := map[int64][]int{}
		for i, p := range posts {
			byEntry[p.Entry] = append(byEntry[p.Entry], i)
		}
		resolved := make([]PostingRef, len(req.Postings))
		used := map[PostingRef]bool{}
		for i, ref := range req.Postings {
			cands := byEntry[ref.EntryID]
			k := -1
			for _, c := range cands {
				if ref.Line == 0 || posts[c].Line == ref.Line {
					if k >= 0 {
						return fmt.Errorf("%w: entry %d has more than one cash posting for %s: name one as ENTRY/LINE", ErrPostingAmbiguous, ref.EntryID, req.BankAccount)
					}
					k = c
				}
			}
			if k < 0 {
				return fmt.Errorf("%w: posting %s is not a cash posting of an entry paid through bank account %s", ErrPostingNotFound, ref, req.BankAccount)
			}
			p := posts[k]
			resolved[i] = PostingRef{EntryID: p.Entry, Line: p.Line}
			if used[resolved[i]] {
				return fmt.Errorf("%w: posting %s is named twice", ErrItemNamedTwice, resolved[i])
			}
			used[resolved[i]] = true
			f, err := parseFen(p.Amount)
			if err != nil {
				return err
			}
			if !p.Debit {
				f = -f
			}
			sum -= f
		}
		if sum != 0 {
			return fmt.Errorf("%w: the lines and the postings differ by %s", ErrUnbalanced, fenString(sum))
		}
		if err := checkNotMatched(ctx, tx, req.Lines, resolved); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, `INSERT INTO recon_matches (bank_account, actor, reason) VALUES ($1, $2, $3) RETURNING id`,
			req.BankAccount, req.Actor, req.Reason); err != nil {
			return err
		}
		n := max(len(req.Lines), len(resolved))
		var lID, eID, pLine pq.Int64Array
		for j := 0; j < n; j++ {
			if j < len(req.Lines) {
				lID = append(lID, req.Lines[j])
			} else {
				lID = append(lID, 0)
			}
			if j < len(resolved) {
				eID, pLine = append(eID, resolved[j].EntryID), append(pLine, int64(resolved[j].Line))
			} else {
				eID, pLine = append(eID, 0), append(pLine, 0)
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO recon_match_items (match_id, line_id, entry_id, posting_line)
			SELECT $1, nullif(u.l, 0), nullif(u.e, 0), nullif(u.pl, 0)::smallint
			  FROM unnest($2::bigint[], $3::bigint[], $4::int[]) AS u(l, e, pl)`, id, lID, eID, pLine)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return id, nil
}

// Unmatch revokes a match: a row in recon_unmatches, with the reason and
// who; the match itself stays. Its items are unmatched again, and only a
// person matches them again.
func (r *Recon) Unmatch(ctx context.Context, matchID int64, reason, actor string) error {
	what := fmt.Sprintf("unmatch %d", matchID)
	if err := checkReasonActor(what, reason, actor); err != nil {
		return err
	}
	err := inTx(ctx, r.db, func(tx *sqlx.Tx) error {
		var account string
		err := tx.GetContext(ctx, &account, `SELECT bank_account FROM recon_matches WHERE id = $1`, matchID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: match %d", ErrMatchNotFound, matchID)
		}
		if err != nil {
			return err
		}
		if err := lockBankAccount(ctx, tx, account); err != nil {
			return err
		}
		var undone struct {
			Actor  string    `db:"actor"`
			Reason string    `db:"reason"`
			At     time.Time `db:"at"`
		}
		err = tx.GetContext(ctx, &undone, `SELECT actor, reason, at FROM recon_unmatches WHERE match_id = $1`, matchID)
		if err == nil {
			return fmt.Errorf("%w: match %d was already undone on %s by %s (reason: %s)", ErrRevoked, matchID,
				undone.At.UTC().Format("2006-01-02 15:04 UTC"), undone.Actor, undone.Reason)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO recon_unmatches (match_id, reason, actor) VALUES ($1, $2, $3)`, matchID, reason, actor)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, dbError(err))
	}
	return nil
}

// MaxReasonBytes bounds the reason of a match, an unmatch or an accepted
// break.
const MaxReasonBytes = 2000

// checkReasonActor refuses a manual match or unmatch without a reason,
// with one longer than MaxReasonBytes, or without whom it is by.
func checkReasonActor(what, reason, actor string) error {
	switch {
	case reason == "":
		return fmt.Errorf("%s: %w", what, ErrReasonRequired)
	case len(reason) > MaxReasonBytes:
		return fmt.Errorf("%s: %w: %d bytes, at most %d", what, ErrReasonTooLong, len(reason), MaxReasonBytes)
	case actor == "":
		return fmt.Errorf("%s: %w", what, ErrActorRequired)
	}
	return nil
}

// Match is a stored match with how it was made and, when revoked, how.
type Match struct {
	ID          int64        `json:"id"`
	BankAccount string       `json:"bank_account"`
	RunID       int64        `json:"run_id,omitempty"`
	Pass        int          `json:"pass,omitempty"` // 0: a person
	Actor       string       `json:"actor"`
	Reason      string       `json:"reason,omitempty"`
	At          time.Time    `json:"at"`
	Lines       []int64      `json:"lines"`
	Postings    []PostingRef `json:"postings"`
	Revoked     bool         `json:"revoked,omitempty"`
	RevokedBy   string       `json:"revoked_by,omitempty"`
	RevokedWhy  string       `json:"revoked_reason,omitempty"`
	RevokedAt   *time.Time   `json:"revoked_at,omitempty"`
}

// MaxPage bounds the matches one call returns.
const MaxPage = 10000

// MatchFilter selects matches.
type MatchFilter struct {
	BankAccount    string
	Period         Period // zero: all dates; else matches with an item dated in the period
	IncludeRevoked bool
	Limit          int // 0 or more than MaxPage: MaxPage
}

// Matches lists a bank account's matches, oldest first.
func (r *Recon) Matches(ctx context.Context, f MatchFilter) ([]Match, error) {
	limit := f.Limit
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var from, to any
	if !f.Period.From.IsZero() {
		from, to = f.Period.From.Format(ledger.DateLayout), f.Period.To.Format(ledger.DateLayout)
	}
	var rows []struct {
		ID         int64        `db:"id"`
		RunID      int64        `db:"run_id"`
		Pass       int          `db:"pass"`
		Actor      string       `db:"actor"`
		Reason     string       `db:"reason"`
		At         time.Time    `db:"at"`
		Revoked    bool         `db:"revoked"`
		RevokedBy  string       `db:"revoked_by"`
		RevokedWhy string       `db:"revoked_reason"`
		RevokedAt  sql.NullTime `db:"revoked_at"`
	}
	err := r.db.SelectContext(ctx, &rows, `
		SELECT m.id, coalesce(m.run_id, 0) AS run_id, coalesce(m.pass, 0) AS pass, coalesce(m.actor, r.actor) AS actor, m.reason, m.at,
		       u.match_id IS NOT NULL AS revoked, coalesce(u.actor, '') AS revoked_by, coalesce(u.reason, '') AS revoked_reason, u.at AS revoked_at
		  FROM recon_matches m
		  LEFT JOIN recon_runs r ON r.id = m.run_id
		  LEFT JOIN recon_unmatches u ON u.match_id = m.id
		 WHERE m.bank_account = $1 AND ($4 OR u.match_id IS NULL)
		   AND ($2::date IS NULL OR EXISTS (
		        SELECT 1 FROM recon_match_items i
		          LEFT JOIN recon_statement_lines l ON l.id = i.line_id
		          LEFT JOIN postings p ON p.entry_id = i.entry_id AND p.line = i.posting_line
		         WHERE i.match_id = m.id
		           AND (l.value_date BETWEEN $2 AND $3 OR p.effective_date BETWEEN $2 AND $3)))
		 ORDER BY m.id LIMIT $5`, f.BankAccount, from, to, f.IncludeRevoked, limit)
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", f.BankAccount, err)
	}
	out := make([]Match, len(rows))
	ids := make([]int64, len(rows))
	pos := map[int64]int{}
	for i, x := range rows {
		out[i] = Match{ID: x.ID, BankAccount: f.BankAccount, RunID: x.RunID, Pass: x.Pass, Actor: x.Actor, Reason: x.Reason, At: x.At,
			Revoked: x.Revoked, RevokedBy: x.RevokedBy, RevokedWhy: x.RevokedWhy}
		if x.RevokedAt.Valid {
			t := x.RevokedAt.Time
			out[i].RevokedAt = &t
		}
		ids[i] = x.ID
		pos[x.ID] = i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var items []struct {
		Match int64         `db:"match_id"`
		Line  sql.NullInt64 `db:"line_id"`
		Entry sql.NullInt64 `db:"entry_id"`
		PLine sql.NullInt64 `db:"posting_line"`
	}
	if err := r.db.SelectContext(ctx, &items, `SELECT match_id, line_id, entry_id, posting_line FROM recon_match_items
		WHERE match_id = ANY($1) ORDER BY match_id, line_id NULLS LAST, entry_id, posting_line`, pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("matches of %s: %w", f.BankAccount, err)
	}
	for _, it := range items {
		m := &out[pos[it.Match]]
		if it.Line.Valid {
			m.Lines = append(m.Lines, it.Line.Int64)
		}
		if it.Entry.Valid {
			m.Postings = append(m.Postings, PostingRef{EntryID: it.Entry.Int64, Line: int(it.PLine.Int64)})
		}
	}
	for i := range out {
		slices.Sort(out[i].Lines)
		slices.SortFunc(out[i].Postings, func(a, b PostingRef) int {
			return cmp.Or(cmp.Compare(a.EntryID, b.EntryID), cmp.Compare(a.Line, b.Line))
		})
	}
	return out, nil
}

// checkNotMatched refuses (ErrAlreadyMatched) lines or postings that are
// in an active match, naming the match and who made it.
func checkNotMatched(ctx context.Context, tx *sqlx.Tx, lines []int64, posts []PostingRef) error {
	entries, plines := make(pq.Int64Array, len(posts)), make(pq.Int64Array, len(posts))
	for i, p := range posts {
		entries[i], plines[i] = p.EntryID, int64(p.Line)
	}
	var hit []struct {
		Match int64         `db:"match_id"`
		Line  sql.NullInt64 `db:"line_id"`
		Entry sql.NullInt64 `db:"entry_id"`
		PLine sql.NullInt64 `db:"posting_line"`
		By    string        `db:"by"`
		At    time.Time     `db:"at"`
	}
	if err := tx.SelectContext(ctx, &hit, `
		SELECT i.match_id, i.line_id, i.entry_id, i.posting_line, m.at,
		       coalesce(m.actor, 'run ' || m.run_id || ' (pass ' || m.pass || ')') AS by
		  FROM recon_match_items i JOIN recon_matches m ON m.id = i.match_id
		 WHERE i.active AND (i.line_id IN (SELECT unnest($1::bigint[]))
		       OR (i.entry_id, i.posting_line) IN (SELECT e, l::smallint FROM unnest($2::bigint[], $3::bigint[]) AS u(e, l)))
		 ORDER BY i.match_id LIMIT 1`, pq.Int64Array(lines), entries, plines); err != nil {
		return err
	}
	if len(hit) == 0 {
		return nil
	}
	h := hit[0]
	what := fmt.Sprintf("posting %d/%d", h.Entry.Int64, h.PLine.Int64)
	for _, l := range lines {
		if h.Line.Valid && h.Line.Int64 == l {
			what = fmt.Sprintf("statement line %d", l)
		}
	}
	return fmt.Errorf("%w: %s is already in match %d, made on %s by %s; undo that match first (recon unmatch %d)",
		ErrAlreadyMatched, what, h.Match, h.At.UTC().Format("2006-01-02 15:04 UTC"), h.By, h.Match)
}

// MatchAccount is the bank account of match id (ErrNotFound when there is
// no such match).
func (r *Recon) MatchAccount(ctx context.Context, id int64) (string, error) {
	var acct string
	err := r.db.GetContext(ctx, &acct, `SELECT bank_account FROM recon_matches WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: match %d", ErrMatchNotFound, id)
	}
	if err != nil {
		return "", fmt.Errorf("match %d: %w", id, err)
	}
	return acct, nil
}
