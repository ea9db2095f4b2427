package recon

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/internal/pgcopy"
	"fundledger/ledger"
)

// PostingRef names a posting: its entry and line.
type PostingRef struct {
	EntryID int64 `json:"entry_id"`
	Line    int   `json:"line"`
}

func (p PostingRef) String() string { return fmt.Sprintf("%d/%d", p.EntryID, p.Line) }

// ParsePostingRef reads ENTRY/LINE, or ENTRY alone (Line 0: the entry's
// only cash posting for the bank account).
func ParsePostingRef(s string) (PostingRef, error) {
	e, l, hasLine := strings.Cut(strings.TrimSpace(s), "/")
	id, err := strconv.ParseInt(e, 10, 64)
	if err != nil || id <= 0 {
		return PostingRef{}, fmt.Errorf("%w: posting %q: want ENTRY or ENTRY/LINE", ErrPostingRef, s)
	}
	ref := PostingRef{EntryID: id}
	if hasLine {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > 32767 {
			return PostingRef{}, fmt.Errorf("%w: posting %q: want ENTRY or ENTRY/LINE", ErrPostingRef, s)
		}
		ref.Line = n
	}
	return ref, nil
}

// Issue is something matching could not decide without guessing: a person
// looks at the lines and postings it names.
type Issue struct {
	Kind string `json:"kind"`
	Note string `json:"note"`
	// Figures are the note's figures in order, for a page to write it in
	// its reader's language: released {pass} (or none);
	// reference_many_to_many {reference, lines, postings};
	// reference_amounts_differ {reference, lines' sum, postings' sum};
	// ambiguous_amount_date {in|out, amount, window days};
	// ambiguous_sum {postings|lines, amount, window days}; none for the others.
	Figures  []string     `json:"figures,omitempty"`
	Lines    []int64      `json:"lines,omitempty"`    // statement line ids
	Postings []PostingRef `json:"postings,omitempty"` // ledger postings
}

// PassResult counts what one pass matched.
type PassResult struct {
	Pass     int             `json:"pass"`
	Matches  int             `json:"matches"`
	Lines    int             `json:"lines"`
	Postings int             `json:"postings"`
	Amount   decimal.Decimal `json:"amount"` // sum of the matched lines' amounts
}

// RunRequest asks for a matching run.
type RunRequest struct {
	BankAccount string
	Period      Period
	WindowDays  int // the date window of passes 2 and 3, 0 to MaxWindowDays
	Actor       string
	DryRun      bool // compute and report, write nothing
}

// RunResult says what a run matched and what it left for a person.
type RunResult struct {
	RunID       int64        `json:"run_id,omitempty"`
	BankAccount string       `json:"bank_account"`
	Period      string       `json:"period"`
	WindowDays  int          `json:"window_days"`
	DryRun      bool         `json:"dry_run,omitempty"`
	Lines       int          `json:"lines"`    // unmatched lines looked at (the period and its margin)
	Postings    int          `json:"postings"` // unmatched postings looked at
	Passes      []PassResult `json:"passes"`
	Matched     int          `json:"matched"` // matches made
	IssueCount  int          `json:"issue_count"`
	Issues      []Issue      `json:"issues,omitempty"` // at most MaxIssues
	Elapsed     string       `json:"elapsed"`
	// Where the time went: loading both sides, matching in memory, writing.
	LoadTime  time.Duration `json:"load_ns"`
	MatchTime time.Duration `json:"match_ns"`
	WriteTime time.Duration `json:"write_ns"`
}

// margin is how far around the period a run loads items: far enough that
// every item a match of the period could involve, and every competitor of
// those items, is seen.
func margin(window int) int { return max(ReferenceWindowDays, 3*window) }

var epoch = ledger.Date(1970, 1, 1)

func dayNumber(t time.Time) int32 { return int32(t.Sub(epoch).Hours() / 24) }

// loaded holds one run's items and their identities.
type loaded struct {
	lineIDs []int64
	postIDs []PostingRef
	eng     engine
}

// Run matches the statement lines of a bank account to its cash postings
// for a period, in three passes (see the engine): (1) exact reference, (2)
// same amount and direction within the window, one candidate on each
// side, (3) one item against several of the other side by exact sum
// within the window, bounded. Items already in an active match are left
// alone, so a run again changes nothing already matched; items of a
// revoked match are matched only by a person. Every match made records the
// run and its pass.
func (r *Recon) Run(ctx context.Context, req RunRequest) (RunResult, error) {
	start := time.Now()
	if req.WindowDays < 0 || req.WindowDays > MaxWindowDays {
		return RunResult{}, fmt.Errorf("%w: window of %d days: want 0 to %d", ErrRunWindow, req.WindowDays, MaxWindowDays)
	}
	if req.Period.From.IsZero() || req.Period.To.Before(req.Period.From) {
		return RunResult{}, fmt.Errorf("%w: recon run: a period is required", ErrRunNoPeriod)
	}
	if req.Actor == "" && !req.DryRun {
		return RunResult{}, fmt.Errorf("%w: recon run: actor is required", ErrActorRequired)
	}
	res := RunResult{BankAccount: req.BankAccount, Period: req.Period.String(), WindowDays: req.WindowDays, DryRun: req.DryRun}
	if err := r.checkBankAccount(ctx, r.db, req.BankAccount); err != nil {
		return res, err
	}
	work := func(q sqlx.QueryerContext, tx *sqlx.Tx) error {
		t0 := time.Now()
		ld, err := load(ctx, q, r.db, req)
		if err != nil {
			return err
		}
		t1 := time.Now()
		ld.eng.loadParties = func(ls, ps []int32) error { return loadParties(ctx, q, ld, ls, ps) }
		if err := ld.eng.run(); err != nil {
			return err
		}
		summarise(&res, ld)
		t2 := time.Now()
		res.LoadTime, res.MatchTime = t1.Sub(t0), t2.Sub(t1)
		defer func() { res.WriteTime = time.Since(t2) }()
		if tx == nil {
			return nil
		}
		summary, _ := json.Marshal(map[string]any{"lines": res.Lines, "postings": res.Postings, "passes": res.Passes,
			"matched": res.Matched, "issue_count": res.IssueCount})
		if err := tx.GetContext(ctx, &res.RunID, `
			INSERT INTO recon_runs (bank_account, period_from, period_to, window_days, summary, actor)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			req.BankAccount, req.Period.From.Format(ledger.DateLayout), req.Period.To.Format(ledger.DateLayout),
			req.WindowDays, string(summary), req.Actor); err != nil {
			return err
		}
		return writeMatches(ctx, tx, req.BankAccount, res.RunID, ld)
	}
	var err error
	if req.DryRun {
		err = work(r.db, nil)
	} else {
		err = inTx(ctx, r.db, func(tx *sqlx.Tx) error {
			if err := lockBankAccount(ctx, tx, req.BankAccount); err != nil {
				return err
			}
			return work(tx, tx)
		})
	}
	if err != nil {
		return RunResult{}, fmt.Errorf("recon run %s %s: %w", req.BankAccount, req.Period, dbError(err))
	}
	res.Elapsed = time.Since(start).Round(time.Millisecond).String()
	return res, nil
}

func summarise(res *RunResult, ld *loaded) {
	e := &ld.eng
	res.Lines, res.Postings = len(e.lines), len(e.posts)
	res.Passes = []PassResult{{Pass: PassReference}, {Pass: PassAmountDate}, {Pass: PassSum}}
	for _, p := range e.proposals {
		pr := &res.Passes[p.pass-1]
		pr.Matches++
		pr.Lines += len(p.lines)
		pr.Postings += len(p.posts)
		var fen int64
		for _, i := range p.lines {
			fen += e.lines[i].fen
		}
		pr.Amount = pr.Amount.Add(decimal.New(fen, -2))
	}
	res.Matched = len(e.proposals)
	// Items released from a revoked match that are still unmatched.
	var rl, rp []int32
	for i := range e.lines {
		if it := &e.lines[i]; it.has(flagBlocked) && !it.has(flagDone|flagListed) && e.inPeriod(it) {
			rl = append(rl, int32(i))
		}
	}
	for i := range e.posts {
		if it := &e.posts[i]; it.has(flagBlocked) && !it.has(flagDone|flagListed) && e.inPeriod(it) {
			rp = append(rp, int32(i))
		}
	}
	for len(rl) > 0 || len(rp) > 0 {
		nl, np := min(len(rl), MaxIssueItems), min(len(rp), MaxIssueItems)
		e.addIssue(IssueReleased, "released from a revoked match: match by hand", rl[:nl], rp[:np])
		rl, rp = rl[nl:], rp[np:]
	}
	res.IssueCount = e.issueCount
	for _, is := range e.issues {
		out := Issue{Kind: is.kind, Note: is.note, Figures: is.figures}
		for _, i := range is.lines {
			out.Lines = append(out.Lines, ld.lineIDs[i])
		}
		for _, i := range is.posts {
			out.Postings = append(out.Postings, ld.postIDs[i])
		}
		res.Issues = append(res.Issues, out)
	}
}

// parseFen reads a NUMERIC's text (at most two decimals) as fen, exactly.
func parseFen(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 || whole == "" {
		return 0, fmt.Errorf("amount %q is not whole fen", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e15 {
		return 0, fmt.Errorf("amount %q: %v", s, err)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %v", s, err)
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	return v, nil
}

// Item states when loaded: free, released from a revoked match (blocked),
// or in an active match (not loaded).
const (
	stateFree     = 0
	stateReleased = 1
	stateActive   = 2
)

// lineSource selects a bank account's statement lines with their match
// state; $1 the bank account.
const lineStates = `
	SELECT i.line_id, max(CASE WHEN i.active THEN 2 ELSE 1 END) AS state
	  FROM recon_match_items i
	  JOIN recon_matches m ON m.id = i.match_id AND m.bank_account = $1
	 WHERE i.line_id IS NOT NULL
	 GROUP BY i.line_id`

const postingStates = `
	SELECT i.entry_id, i.posting_line, max(CASE WHEN i.active THEN 2 ELSE 1 END) AS state
	  FROM recon_match_items i
	  JOIN recon_matches m ON m.id = i.match_id AND m.bank_account = $1
	 WHERE i.entry_id IS NOT NULL
	 GROUP BY i.entry_id, i.posting_line`

// cashFrom and cashWhere select the ledger's side of bank account $1:
// financial postings on cash: accounts of entries whose metadata names the
// bank account, or that reverse such an entry. Aliases: p the posting, a
// its account, e its entry, o the entry e reverses (if any).
const cashFrom = `
	  FROM postings p
	  JOIN accounts a ON a.id = p.account_id AND a.code LIKE 'cash:%'
	  JOIN entries e ON e.id = p.entry_id
	  LEFT JOIN entries o ON o.id = e.reverses_entry_id`

const cashWhere = `p.book = 'financial' AND coalesce(e.metadata->>'bank_account', o.metadata->>'bank_account') = $1`

const postingRefExpr = `coalesce(nullif(e.metadata->>'reference', ''), o.metadata->>'reference', '')`

// postingPartyExpr and postingPartyAcctExpr: the counterparty of a cash
// posting, from its entry's metadata (payee of a payment, payer of a
// receipt, or counterparty) or that of the entry it reverses.
const postingPartyExpr = `coalesce(nullif(e.metadata->>'payee', ''), nullif(e.metadata->>'payer', ''), nullif(e.metadata->>'counterparty', ''),
	nullif(o.metadata->>'payee', ''), nullif(o.metadata->>'payer', ''), o.metadata->>'counterparty', '')`
const postingPartyAcctExpr = `coalesce(nullif(e.metadata->>'payee_account', ''), nullif(e.metadata->>'payer_account', ''),
	nullif(e.metadata->>'counterparty_account', ''), nullif(o.metadata->>'payee_account', ''), nullif(o.metadata->>'payer_account', ''),
	o.metadata->>'counterparty_account', '')`

// parties numbers the counterparty names and accounts of one run.
type parties struct{ names, accounts map[string]int32 }

func (p *parties) id(m *map[string]int32, s string) int32 {
	if s == "" {
		return 0
	}
	if *m == nil {
		*m = map[string]int32{}
	}
	id, ok := (*m)[s]
	if !ok {
		id = int32(len(*m) + 1)
		(*m)[s] = id
	}
	return id
}

// set gives an item its counterparty: the name folded (width, case,
// white space), the account with only its letters and digits.
func (p *parties) set(it *item, name, acct string) {
	if name != "" {
		it.party = p.id(&p.names, strings.ToLower(strings.ReplaceAll(foldText(name), " ", "")))
	}
	if acct != "" {
		it.partyAcct = p.id(&p.accounts, strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '\u00a0' {
				return -1
			}
			return r
		}, foldText(acct)))
	}
}

// load reads both sides of the run: the statement lines through q, and
// at the same time the postings through q2 (another connection: the two
// queries and their reading overlap on two cores). Each query reads
// committed rows under its own snapshot, as two statements of one READ
// COMMITTED transaction would; the bank account's lock, held by the run,
// keeps the match states still.
func load(ctx context.Context, q, q2 sqlx.QueryerContext, req RunRequest) (*loaded, error) {
	m := margin(req.WindowDays)
	from, to := req.Period.From.AddDate(0, 0, -m), req.Period.To.AddDate(0, 0, m)
	ld := &loaded{eng: engine{from: dayNumber(req.Period.From), to: dayNumber(req.Period.To), window: int32(req.WindowDays)}}
	args := []any{req.BankAccount, from.Format(ledger.DateLayout), to.Format(ledger.DateLayout)}
	done := make(chan error, 1)
	go func() { done <- loadPostings(ctx, q2, args, ld) }()
	errL := loadLines(ctx, q, args, ld)
	errP := <-done
	if errL != nil {
		return nil, errL
	}
	if errP != nil {
		return nil, errP
	}
	return ld, nil
}

// partiesBatch bounds the ids one query of loadParties names.
const partiesBatch = 50000

// loadParties gives the lines ls and postings ps (indexes into ld) their
// counterparties: a line's 对方户名 and 对方账号, a posting's payee or
// payer (and account) from its entry's metadata.
func loadParties(ctx context.Context, q sqlx.QueryerContext, ld *loaded, ls, ps []int32) error {
	var pt parties
	for start := 0; start < len(ls); start += partiesBatch {
		part := ls[start:min(start+partiesBatch, len(ls))]
		ids := make(pq.Int64Array, len(part))
		for i, k := range part {
			ids[i] = ld.lineIDs[k]
		}
		rows, err := q.QueryxContext(ctx, `
			SELECT u.ord, l.counterparty, l.counterparty_account
			  FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, ord)
			  JOIN recon_statement_lines l ON l.id = u.id`, ids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ord int
			var name, acct string
			if err := rows.Scan(&ord, &name, &acct); err != nil {
				rows.Close()
				return err
			}
			pt.set(&ld.eng.lines[part[ord-1]], name, acct)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for start := 0; start < len(ps); start += partiesBatch {
		part := ps[start:min(start+partiesBatch, len(ps))]
		entries := make(pq.Int64Array, len(part))
		for i, k := range part {
			entries[i] = ld.postIDs[k].EntryID
		}
		rows, err := q.QueryxContext(ctx, `
			SELECT u.ord, `+postingPartyExpr+`, `+postingPartyAcctExpr+`
			  FROM unnest($1::bigint[]) WITH ORDINALITY AS u(entry_id, ord)
			  JOIN entries e ON e.id = u.entry_id
			  LEFT JOIN entries o ON o.id = e.reverses_entry_id`, entries)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ord int
			var name, acct string
			if err := rows.Scan(&ord, &name, &acct); err != nil {
				rows.Close()
				return err
			}
			pt.set(&ld.eng.posts[part[ord-1]], name, acct)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func loadLines(ctx context.Context, q sqlx.QueryerContext, args []any, ld *loaded) error {
	rows, err := q.QueryxContext(ctx, `
		SELECT l.id, l.value_date - DATE '1970-01-01', l.direction = 'in', l.amount::text, l.reference, coalesce(s.state, 0)
		  FROM recon_statement_lines l
		  LEFT JOIN (`+lineStates+`) s ON s.line_id = l.id
		 WHERE l.bank_account = $1 AND l.value_date BETWEEN $2 AND $3 AND coalesce(s.state, 0) < 2`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var it item
		var amt string
		var state int
		if err := rows.Scan(&id, &it.day, &it.in, &amt, &it.ref, &state); err != nil {
			rows.Close()
			return err
		}
		if it.fen, err = parseFen(amt); err != nil {
			rows.Close()
			return err
		}
		if state == stateReleased {
			it.flags = flagBlocked
		}
		ld.lineIDs = append(ld.lineIDs, id)
		ld.eng.lines = append(ld.eng.lines, it)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

func loadPostings(ctx context.Context, q sqlx.QueryerContext, args []any, ld *loaded) error {
	rows, err := q.QueryxContext(ctx, `
		SELECT p.entry_id, p.line, p.effective_date - DATE '1970-01-01', p.side = 'D', p.amount::text, `+postingRefExpr+`, coalesce(s.state, 0)
		`+cashFrom+`
		  LEFT JOIN (`+postingStates+`) s ON s.entry_id = p.entry_id AND s.posting_line = p.line
		 WHERE `+cashWhere+` AND p.effective_date BETWEEN $2 AND $3 AND coalesce(s.state, 0) < 2`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ref PostingRef
		var it item
		var amt string
		var state int
		if err := rows.Scan(&ref.EntryID, &ref.Line, &it.day, &it.in, &amt, &it.ref, &state); err != nil {
			return err
		}
		if it.fen, err = parseFen(amt); err != nil {
			return err
		}
		if state == stateReleased {
			it.flags = flagBlocked
		}
		ld.postIDs = append(ld.postIDs, ref)
		ld.eng.posts = append(ld.eng.posts, it)
	}
	return rows.Err()
}

// matchBatch bounds the matches written by one COPY.
const matchBatch = 200000

// writeMatches stores the engine's proposals as matches of run runID,
// with COPY (about twice as fast as INSERT here), in batches.
//
// The matches are written in the order of their first statement line's id
// (and get increasing ids in that order): the lines were loaded, and the
// postings mostly lie, in the same order, so each index of
// recon_match_items grows at its right edge instead of at random places
// (about 5% less server CPU for 200,000 matches).
func writeMatches(ctx context.Context, tx *sqlx.Tx, bankAccount string, runID int64, ld *loaded) error {
	ps := ld.eng.proposals
	slices.SortFunc(ps, func(a, b proposal) int { return cmp.Compare(ld.lineIDs[a.lines[0]], ld.lineIDs[b.lines[0]]) })
	for i := range ps {
		slices.SortFunc(ps[i].lines, func(a, b int32) int { return cmp.Compare(ld.lineIDs[a], ld.lineIDs[b]) })
	}
	for start := 0; start < len(ps); start += matchBatch {
		part := ps[start:min(start+matchBatch, len(ps))]
		ids, err := pgcopy.NextIDs(ctx, tx, "recon_matches_id_seq", len(part))
		if err != nil {
			return err
		}
		if err := pgcopy.Rows(ctx, tx, "recon_matches", []string{"id", "bank_account", "run_id", "pass"}, func(put func(...any) error) error {
			for k, p := range part {
				if err := put(ids[k], bankAccount, runID, p.pass); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := pgcopy.Rows(ctx, tx, "recon_match_items", []string{"match_id", "line_id", "entry_id", "posting_line"}, func(put func(...any) error) error {
			for k, p := range part {
				for j := 0; j < max(len(p.lines), len(p.posts)); j++ {
					var line, entry, pline any
					if j < len(p.lines) {
						line = ld.lineIDs[p.lines[j]]
					}
					if j < len(p.posts) {
						ref := ld.postIDs[p.posts[j]]
						entry, pline = ref.EntryID, ref.Line
					}
					if err := put(ids[k], line, entry, pline); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
