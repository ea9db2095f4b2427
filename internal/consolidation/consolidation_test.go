package consolidation_test

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/consolidation"
	"fundledger/internal/pgserver"
	"fundledger/ledger"
	"fundledger/migrations"
)

// clusters is a fresh directory the server user may use; the clusters in
// it are stopped (in the order given) when the test ends.
func clusters(t *testing.T, names ...string) string {
	t.Helper()
	parent := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	base, err := os.MkdirTemp(parent, "consolidation-test-")
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
		for _, d := range names {
			if err := pgserver.Stop(ctx, filepath.Join(base, d)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
			_ = os.RemoveAll(pgserver.SocketDir(filepath.Join(base, d)))
		}
		_ = os.RemoveAll(base)
	})
	return base
}

type city struct {
	name, district, cityZh string
	srv                    *pgserver.Server
	db                     *sqlx.DB
	l                      *ledger.Ledger
	works                  decimal.Decimal // what was posted to works, by hand
}

func startCity(t *testing.T, c *city, dir string) {
	t.Helper()
	ctx := context.Background()
	srv, err := pgserver.Start(ctx, pgserver.Options{DataDir: dir})
	if err != nil {
		t.Skipf("no PostgreSQL server here: %v", err)
	}
	if err := srv.EnsureDatabase(ctx, "fundledger"); err != nil {
		t.Fatal(err)
	}
	db, err := sqlx.Open("postgres", srv.ConnString("fundledger"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.srv, c.db, c.l = srv, db, ledger.New(db)
}

// post moves n amounts in from revenue and out to the district's works, and
// seals them into the chain.
func (c *city) post(t *testing.T, round string, n int) {
	t.Helper()
	var batch []ledger.Entry
	for i := range n {
		amt := decimal.New(int64(10000+137*i), -2)
		c.works = c.works.Add(amt)
		day := ledger.Date(2021, 4, 1+i%28)
		batch = append(batch,
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: day, Actor: "test", IdempotencyKey: fmt.Sprintf("%s-in-%d", round, i),
				Postings: []ledger.Posting{{AccountCode: "cash:" + c.district, Side: ledger.Debit, Amount: amt}, {AccountCode: "revenue:grants", Side: ledger.Credit, Amount: amt}}},
			ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: day, Actor: "test", IdempotencyKey: fmt.Sprintf("%s-out-%d", round, i),
				Postings: []ledger.Posting{{AccountCode: "expense:works:" + c.district, Side: ledger.Debit, Amount: amt}, {AccountCode: "cash:" + c.district, Side: ledger.Credit, Amount: amt}}})
	}
	ctx := context.Background()
	if _, err := c.l.PostBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := c.l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestProvincialConsolidation: two city clusters publish their books by
// logical replication to one provincial cluster, which verifies each
// city's hash chain on its copy and rolls the books up by district. The
// figures must be the ones posted (counted here) and the cities' own; a
// city that goes offline keeps its last figures in the province and
// catches up when it is back.
func TestProvincialConsolidation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three PostgreSQL clusters")
	}
	t.Parallel()
	ctx := context.Background()
	base := clusters(t, "province", "weihai", "yantai")
	cities := []*city{
		{name: "weihai", district: "huancui", cityZh: "威海市"},
		{name: "yantai", district: "zhifu", cityZh: "烟台市"},
	}
	for _, c := range cities {
		startCity(t, c, filepath.Join(base, c.name))
		if err := migrations.Up(ctx, c.db.DB); err != nil {
			t.Fatal(err)
		}
		if c.district == "zhifu" {
			if err := funding.AddDistrict(ctx, c.db, funding.District{Code: "zhifu", NameZh: "芝罘区"}, "test"); err != nil {
				t.Fatal(err)
			}
			if err := funding.PlaceDistrict(ctx, c.db, funding.Region{District: "zhifu", City: "烟台市", Province: "山东省"}, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.l.CreateAccounts(ctx, []ledger.Account{
			{Code: "cash:" + c.district, Type: ledger.Asset, NoOverdraft: true, Dimensions: ledger.Dimensions{District: c.district}},
			{Code: "revenue:grants", Type: ledger.Revenue},
			{Code: "expense:works:" + c.district, Type: ledger.Expense, Dimensions: ledger.Dimensions{District: c.district}},
		}, "test"); err != nil {
			t.Fatal(err)
		}
		c.post(t, "r1", 40)
		if err := consolidation.Publish(ctx, c.srv, "fundledger"); err != nil {
			t.Fatal(err)
		}
	}
	province, err := pgserver.Start(ctx, pgserver.Options{DataDir: filepath.Join(base, "province")})
	if err != nil {
		t.Fatal(err)
	}
	copies := map[string]*sqlx.DB{}
	for _, c := range cities {
		db, err := consolidation.Subscribe(ctx, province, c.name, c.srv.ConnString("fundledger"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		copies[c.name] = db
	}
	// check consolidates and compares each city's copy with the city's own
	// books and the amounts posted; offline cities are compared with what
	// they held when they went offline.
	check := func(stage string, offline map[string]bool) {
		t.Helper()
		reps, err := consolidation.Consolidate(ctx, copies)
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 2 {
			t.Fatalf("%s: %d cities consolidated", stage, len(reps))
		}
		for i, c := range cities { // cities and reports are both in name order
			rep := reps[i]
			if !rep.Verify.OK || rep.Verify.Entries == 0 || rep.Verify.UnsealedEntries != 0 {
				t.Errorf("%s: %s's chain on the province's copy: %+v", stage, c.name, rep.Verify)
			}
			if !offline[c.name] {
				own, err := c.l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if own.HeadHash != rep.Verify.HeadHash || own.Entries != rep.Verify.Entries {
					t.Errorf("%s: %s head %s (%d entries) in the city, %s (%d) in the province", stage, c.name, own.HeadHash, own.Entries, rep.Verify.HeadHash, rep.Verify.Entries)
				}
			}
			var got decimal.Decimal
			found := false
			for _, r := range rep.Rollup {
				for _, row := range r.Rows {
					if r.Book == ledger.BookFinancial && row.District == c.district {
						if row.City != c.cityZh {
							t.Errorf("%s: district %s under city %s, want %s", stage, c.district, row.City, c.cityZh)
						}
						got, found = row.Debit, true
					}
				}
			}
			// cash goes back to zero, so the district's debit balance is its works.
			if !found || !got.Equal(c.works) {
				t.Errorf("%s: %s/%s debit %s in the province (found %v), posted %s", stage, c.name, c.district, got, found, c.works)
			}
		}
	}
	for _, c := range cities {
		if err := consolidation.WaitCaughtUp(ctx, c.db, copies[c.name], c.name, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	check("after the first sync", nil)

	// Yantai goes offline; Weihai goes on posting.
	yantai := cities[1]
	yantai.db.Close()
	if err := pgserver.Stop(ctx, yantai.srv.DataDir); err != nil {
		t.Fatal(err)
	}
	cities[0].post(t, "r2", 25)
	if err := consolidation.WaitCaughtUp(ctx, cities[0].db, copies["weihai"], "weihai", time.Minute); err != nil {
		t.Fatal(err)
	}
	check("yantai offline", map[string]bool{"yantai": true})

	// Yantai is back and posts what it did meanwhile; the province catches up.
	startCity(t, yantai, yantai.srv.DataDir)
	yantai.post(t, "r2", 35)
	if err := consolidation.WaitCaughtUp(ctx, yantai.db, copies["yantai"], "yantai", time.Minute); err != nil {
		t.Fatal(err)
	}
	check("yantai back", nil)
}
