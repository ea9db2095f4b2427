package replica_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgserver"
	"fundledger/internal/replica"
	"fundledger/ledger"
	"fundledger/migrations"
)

// serverDir is a fresh directory the server user may use, on /dev/shm
// when there is one.
func serverDir(t *testing.T) string {
	t.Helper()
	parent := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	base, err := os.MkdirTemp(parent, "replica-test-")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(pgserver.ServerUser)
		if err != nil {
			t.Skipf("running as root needs user %q: %v", pgserver.ServerUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(base, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		for _, d := range []string{"standby", "primary"} { // the standby first: it follows the primary
			if err := pgserver.Stop(ctx, filepath.Join(base, d)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
			_ = os.RemoveAll(pgserver.SocketDir(filepath.Join(base, d)))
		}
		_ = os.RemoveAll(base)
	})
	return base
}

// startPrimary starts a migrated primary (unless -short, or no server
// binaries are found: the test is skipped) in a fresh serverDir, returned
// with the server and a pool on its database.
func startPrimary(t *testing.T) (string, *pgserver.Server, *sqlx.DB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts two PostgreSQL clusters")
	}
	t.Parallel()
	ctx := context.Background()
	base := serverDir(t)
	primary, err := pgserver.Start(ctx, pgserver.Options{DataDir: filepath.Join(base, "primary")})
	if err != nil {
		t.Skipf("no PostgreSQL server here: %v", err)
	}
	if err := primary.EnsureDatabase(ctx, "fundledger"); err != nil {
		t.Fatal(err)
	}
	pdb := open(t, primary.ConnString("fundledger"))
	if err := migrations.Up(ctx, pdb.DB); err != nil {
		t.Fatal(err)
	}
	return base, primary, pdb
}

func open(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// post writes n transfers from revenue to a no_overdraft cash account of
// district huancui and on to works, keyed by prefix.
func post(t *testing.T, l *ledger.Ledger, prefix string, n int) {
	t.Helper()
	var batch []ledger.Entry
	for i := range n {
		amount := decimal.RequireFromString(fmt.Sprintf("%d.%02d", 100+i, i%100))
		batch = append(batch,
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: ledger.Date(2021, 3, 1+i%28), Actor: "test", IdempotencyKey: fmt.Sprintf("%s-in-%d", prefix, i),
				Postings: []ledger.Posting{{AccountCode: "cash:huancui", Side: ledger.Debit, Amount: amount}, {AccountCode: "revenue:grants", Side: ledger.Credit, Amount: amount}}},
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: ledger.Date(2021, 3, 1+i%28), Actor: "test", IdempotencyKey: fmt.Sprintf("%s-out-%d", prefix, i),
				Postings: []ledger.Posting{{AccountCode: "expense:works:huancui", Side: ledger.Debit, Amount: amount}, {AccountCode: "cash:huancui", Side: ledger.Credit, Amount: amount}}})
	}
	if _, err := l.PostBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// TestStandbyServesReports starts a primary and a streaming hot standby
// from the system's binaries, writes on the primary before and after the
// clone, and checks that once the standby has caught up the rolled-up and
// the flat trial balance read there equal the primary's, that the figures
// are the ones posted (counted here), and that the standby refuses writes.
func TestStandbyServesReports(t *testing.T) {
	ctx := context.Background()
	base, primary, pdb := startPrimary(t)
	l := ledger.New(pdb)
	if err := l.CreateAccounts(ctx, []ledger.Account{
		{Code: "cash:huancui", Type: ledger.Asset, NoOverdraft: true, Dimensions: ledger.Dimensions{District: "huancui"}},
		{Code: "revenue:grants", Type: ledger.Revenue},
		{Code: "expense:works:huancui", Type: ledger.Expense, Dimensions: ledger.Dimensions{District: "huancui"}},
	}, "test"); err != nil {
		t.Fatal(err)
	}
	post(t, l, "before", 50)
	standby, err := replica.StartStandby(ctx, primary, filepath.Join(base, "standby"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	sdb := open(t, standby.ConnString("fundledger"))
	post(t, l, "after", 30) // streamed, not in the clone
	if err := replica.WaitCaughtUp(ctx, pdb.DB, sdb.DB, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Replayed up to the primary's position, the standby shows the last
	// commit once its snapshot catches up too: wait for the entry count
	// (a bounded wait; the figures below are then compared exactly).
	for deadline := time.Now().Add(time.Minute); ; {
		var np, ns int
		if err := pdb.GetContext(ctx, &np, `SELECT count(*) FROM entries`); err != nil {
			t.Fatal(err)
		}
		if err := sdb.GetContext(ctx, &ns, `SELECT count(*) FROM entries`); err != nil {
			t.Fatal(err)
		}
		if ns == np || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// By hand: entry i moves 100+i yuan and i%100 fen in and out again, so
	// works holds Σ over both runs and cash is back to zero.
	want := decimal.RequireFromString("0")
	for _, n := range []int{50, 30} {
		for i := range n {
			want = want.Add(decimal.RequireFromString(fmt.Sprintf("%d.%02d", 100+i, i%100)))
		}
	}
	rollups := map[string]funding.Rollup{}
	flats := map[string]ledger.TrialBalance{}
	for name, db := range map[string]*sqlx.DB{"primary": pdb, "standby": sdb} {
		p := funding.New(ledger.New(db))
		r, err := p.TrialBalanceRollup(ctx, funding.RollupRequest{Book: ledger.BookFinancial, Province: "山东省", City: "威海市"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rollups[name] = r
		if flats[name], err = p.Ledger().TrialBalance(ctx, ledger.BookFinancial, time.Time{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if fmt.Sprint(rollups["primary"]) != fmt.Sprint(rollups["standby"]) || fmt.Sprint(flats["primary"]) != fmt.Sprint(flats["standby"]) {
		t.Errorf("standby differs:\nprimary %+v\nstandby %+v", rollups["primary"], rollups["standby"])
	}
	if r := rollups["standby"]; len(r.Rows) != 1 || r.Rows[0].District != "huancui" || !r.Rows[0].Debit.Equal(want) {
		t.Errorf("standby's Weihai districts: %+v, want huancui with debit %s (works)", r.Rows, want)
	}
	// serve --read-database-url opens the standby this way; the primary is
	// refused as a read database.
	rdb, err := replica.OpenStandby(ctx, standby.ConnString("fundledger"), pdb)
	if err != nil {
		t.Fatalf("open the standby for reads: %v", err)
	}
	rdb.Close()
	if _, err := replica.OpenStandby(ctx, primary.ConnString("fundledger"), pdb); !errors.Is(err, replica.ErrNotStandby) {
		t.Errorf("the primary as read database: %v, want ErrNotStandby", err)
	}
	if _, err := sdb.Exec(`INSERT INTO district_regions (district, city, province) VALUES ('wendeng', 'x', 'y')`); err == nil ||
		!strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write on the standby: %v, want it refused as read-only", err)
	}
}
