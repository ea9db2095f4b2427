package simulate_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/internal/simulate"
	"fundledger/ledger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	communities = 100
	cities      = 2
	seed        = 7
)

// fingerprint digests every posting by its entry's key, book and date, the
// account, side and amount: equal books give equal digests whatever the
// entry ids and recording times (the hash chain covers recorded_at, so two
// runs' head hashes differ by design).
func fingerprint(t *testing.T, db *sqlx.DB) (string, int) {
	t.Helper()
	rows, err := db.Query(`SELECT e.idempotency_key, e.book, e.effective_date::text, a.code, p.side, p.amount::text
		FROM postings p JOIN entries e ON e.id = p.entry_id JOIN accounts a ON a.id = p.account_id
		ORDER BY e.idempotency_key COLLATE "C", a.code COLLATE "C", p.side, p.amount`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var f [6]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5]); err != nil {
			t.Fatal(err)
		}
		for _, s := range f {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// TestSimulateInvariants runs a small programme and checks it against
// figures computed from the generated inputs, not from the ledger's code:
// each book's postings balance, each district's commitments equal the sum
// of its communities' budget lines, every community is a project, and a
// second run changes nothing.
func TestSimulateInvariants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	p := funding.New(ledger.New(db))
	res, err := simulate.Run(ctx, p, simulate.Options{Communities: communities, Cities: cities, Seed: seed, Chunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != communities || res.Approvals != communities || res.Resumed != 0 {
		t.Fatalf("result %+v: want %d communities done and approved, none resumed", res, communities)
	}
	var unbalanced []string
	if err := db.Select(&unbalanced, `SELECT e.book FROM postings p JOIN entries e ON e.id = p.entry_id
		GROUP BY e.book HAVING sum(CASE WHEN p.side = 'D' THEN p.amount ELSE -p.amount END) <> 0`); err != nil {
		t.Fatal(err)
	}
	if len(unbalanced) > 0 {
		t.Errorf("books whose debits and credits differ: %v", unbalanced)
	}
	for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		tb, err := p.Ledger().TrialBalance(ctx, b, ledger.Date(2026, 12, 31))
		if err != nil {
			t.Fatal(err)
		}
		if !tb.TotalDebit.Equal(tb.TotalCredit) || tb.TotalDebit.IsZero() {
			t.Errorf("%s trial balance: debits %s, credits %s", b, tb.TotalDebit, tb.TotalCredit)
		}
	}
	want := map[string]decimal.Decimal{}
	for i := range communities {
		c := simulate.Generate(seed, cities, i)
		want[c.Project.District] = want[c.Project.District].Add(c.Total())
	}
	rep, err := p.DistrictReport(ctx, "", ledger.Date(2026, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]decimal.Decimal{}
	for _, s := range rep.Sources {
		got[s.District] = got[s.District].Add(s.Committed)
	}
	// 100 communities are 5 district batches over 2 cities' 7 districts.
	if len(want) < 4 {
		t.Fatalf("only %d districts drawn for %d batches: the generator does not spread batches", len(want), communities/simulate.BatchSize)
	}
	for d, w := range want {
		if !got[d].Equal(w) {
			t.Errorf("district %s committed %s, want %s (Σ of its communities' budget lines)", d, got[d], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d districts with commitments, want %d", len(got), len(want))
	}
	var projects int
	if err := db.Get(&projects, `SELECT count(*) FROM projects`); err != nil {
		t.Fatal(err)
	}
	if projects != communities {
		t.Errorf("%d projects, want %d", projects, communities)
	}
	// Bank statements: every receipt and payment is a line of its month's
	// statement and reconciliation matched it; the bank's own lines (fees,
	// interest, a transfer nobody recorded) are left for a person; each
	// account's lines add up to its last statement's closing balance.
	var lines []struct {
		Memo    string `db:"memo"`
		Total   int    `db:"total"`
		Matched int    `db:"matched"`
	}
	if err := db.Select(&lines, `SELECT l.memo, count(*) AS total, count(mi.line_id) AS matched
		FROM recon_statement_lines l LEFT JOIN recon_match_items mi ON mi.line_id = l.id AND mi.active GROUP BY l.memo`); err != nil {
		t.Fatal(err)
	}
	movements := map[string]int{"资金到位": res.Receipts, "拨付工程款": res.Payments}
	noise := 0
	for _, l := range lines {
		want, ok := movements[l.Memo]
		switch {
		case ok && (l.Total != want || l.Matched != want):
			t.Errorf("statement lines %q: %d, %d matched; want %d, all matched", l.Memo, l.Total, l.Matched, want)
		case !ok && l.Matched != 0:
			t.Errorf("statement lines %q: %d of %d matched; the bank's own lines have nothing in the books", l.Memo, l.Matched, l.Total)
		case !ok:
			noise += l.Total
		}
	}
	if noise < res.Statements || res.Matched != res.Receipts+res.Payments || res.Unmatched != noise {
		t.Errorf("%d noise lines, %d statements, %d matched, %d left: want a fee a statement at least, every movement matched, the noise left", noise, res.Statements, res.Matched, res.Unmatched)
	}
	var breaks []string
	if err := db.Select(&breaks, `SELECT l.bank_account FROM recon_statement_lines l GROUP BY l.bank_account
		HAVING sum(CASE WHEN l.direction = 'in' THEN l.amount ELSE -l.amount END) <>
		       (SELECT i.closing_balance FROM recon_imports i WHERE i.bank_account = l.bank_account ORDER BY i.last_date DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if len(breaks) > 0 {
		t.Errorf("bank accounts whose statement lines do not add up to the last closing balance: %v", breaks)
	}
	before, n := fingerprint(t, db)
	again, err := simulate.Run(ctx, p, simulate.Options{Communities: communities, Cities: cities, Seed: seed, Chunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	if again.Resumed != communities || again.Approvals != 0 {
		t.Errorf("second run %+v: want everything found done", again)
	}
	if after, m := fingerprint(t, db); after != before || m != n {
		t.Errorf("a second run changed the books: %d postings → %d", n, m)
	}
	regions, err := funding.Regions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(regions) != 6+res.Districts { // Weihai's six and the simulated ones
		t.Errorf("%d regions, want %d", len(regions), 6+res.Districts)
	}
}

// cancelAfter cancels a run's context once the progress bar has been drawn
// n times (the first draw is before any chunk).
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(b []byte) (int, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return len(b), nil
}

// TestSimulateDeterministicAndResumable builds the same programme twice in
// two databases, once straight and once interrupted after a chunk and
// started again, with different chunk sizes: the books must be the same
// posting for posting.
func TestSimulateDeterministicAndResumable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 60
	dbA, dbB := pgtest.DB(t), pgtest.DB(t)
	if _, err := simulate.Run(ctx, funding.New(ledger.New(dbA)), simulate.Options{Communities: n, Cities: cities, Seed: seed, Chunk: 25}); err != nil {
		t.Fatal(err)
	}
	pb := funding.New(ledger.New(dbB))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	part, err := simulate.Run(cctx, pb, simulate.Options{Communities: n, Cities: cities, Seed: seed, Chunk: 20, Workers: 1, Progress: &cancelAfter{n: 2, cancel: cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err %v, want context.Canceled", err)
	}
	if part.Done < 20 || part.Done >= n || part.Done%20 != 0 {
		t.Fatalf("interrupted run did %d communities, want whole chunks of 20, at least one, not all", part.Done)
	}
	rest, err := simulate.Run(ctx, pb, simulate.Options{Communities: n, Cities: cities, Seed: seed, Chunk: 20})
	if err != nil {
		t.Fatal(err)
	}
	if rest.Resumed != part.Done || rest.Done != n {
		t.Errorf("resumed run %+v: want resumed at %d, done %d", rest, part.Done, n)
	}
	fa, na := fingerprint(t, dbA)
	fb, nb := fingerprint(t, dbB)
	if fa != fb || na != nb || na == 0 {
		t.Errorf("straight run: %d postings %s; interrupted and resumed: %d postings %s", na, fa, nb, fb)
	}
	// Cancelled with three chunks in flight: each stops wherever it is
	// (registered, approved, received, or done and not recorded), and the
	// run started again replays them to the same books.
	dbC := pgtest.DB(t)
	pc := funding.New(ledger.New(dbC))
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	part, err = simulate.Run(cctx, pc, simulate.Options{Communities: n, Cities: cities, Seed: seed, Chunk: 10, Workers: 3, Progress: &cancelAfter{n: 2, cancel: cancel}})
	if !errors.Is(err, context.Canceled) || part.Done >= n {
		t.Fatalf("run cancelled in flight: err %v, %d done; want context.Canceled before the end", err, part.Done)
	}
	if _, err := simulate.Run(ctx, pc, simulate.Options{Communities: n, Cities: cities, Seed: seed, Chunk: 10, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	if fc, nc := fingerprint(t, dbC); fc != fa || nc != na {
		t.Errorf("straight run: %d postings %s; cancelled in flight and resumed: %d postings %s", na, fa, nc, fc)
	}
	// A district batch: one district and approval day, its own households.
	head, tail := simulate.Generate(seed, cities, 0), simulate.Generate(seed, cities, simulate.BatchSize-1)
	if head.Project.District != tail.Project.District || !head.ApprovedOn.Equal(tail.ApprovedOn) || head.Total().Equal(tail.Total()) {
		t.Errorf("batch 0: first community %s approved %s total %s, last %s approved %s total %s: want one district and day, their own budgets",
			head.Project.District, head.ApprovedOn, head.Total(), tail.Project.District, tail.ApprovedOn, tail.Total())
	}
	other := simulate.Generate(seed+1, cities, 0)
	if same := simulate.Generate(seed, cities, 0); other.Total().Equal(same.Total()) && other.Project.Households == same.Project.Households {
		t.Errorf("seeds %d and %d draw the same first community", seed, seed+1)
	}
}

// TestSimulateOptions: out-of-range options are refused before anything is
// written.
func TestSimulateOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []simulate.Options{
		{Communities: 0, Cities: 1},
		{Communities: 10, Cities: 0},
		{Communities: simulate.MaxCommunities + 1, Cities: 1},
		{Communities: 10, Cities: simulate.MaxCities + 1},
		{Communities: 10, Cities: 1, Chunk: simulate.MaxChunk + 1},
		{Communities: 10, Cities: 2, StatementCities: 3},
		{Communities: 10, Cities: 2, StatementCities: -2},
	} {
		if _, err := simulate.Run(context.Background(), nil, o); !errors.Is(err, simulate.ErrInvalid) {
			t.Errorf("options %+v: err %v, want ErrInvalid", o, err)
		}
	}
}

// TestSimulateOneRunAtATime: while a session holds the programme's lock (a
// run in progress), another run is refused before it writes anything.
func TestSimulateOneRunAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended('fundledger simulate 7 20 1', 0))`); err != nil {
		t.Fatal(err)
	}
	p := funding.New(ledger.New(db))
	if _, err := simulate.Run(ctx, p, simulate.Options{Communities: 20, Cities: 1, Seed: seed}); !errors.Is(err, simulate.ErrRunning) {
		t.Fatalf("second run: err %v, want ErrRunning", err)
	}
	var districts int
	if err := db.Get(&districts, `SELECT count(*) FROM districts WHERE code LIKE 'sim\_%'`); err != nil {
		t.Fatal(err)
	}
	if districts != 0 {
		t.Errorf("the refused run added %d districts", districts)
	}
}
