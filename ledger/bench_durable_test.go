package ledger_test

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/internal/cputime"
	"fundledger/internal/database"
	"fundledger/internal/pgserver"
	"fundledger/ledger"
)

// durableClients is the number of concurrent clients of
// BenchmarkPostDurableClients.
const durableClients = 4

// durableDB starts a private durable server (fsync and synchronous commit
// on, the data directory on the machine's disk under /var/tmp, not
// /dev/shm) with a migrated database, stopped and removed at the end.
func durableDB(b *testing.B) *sqlx.DB {
	b.Helper()
	base, err := os.MkdirTemp("/var/tmp", "fundledger-durable-")
	if err != nil {
		b.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(pgserver.ServerUser)
		if err != nil {
			b.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(base, uid, gid); err != nil {
			b.Fatal(err)
		}
	}
	data := filepath.Join(base, "data")
	ctx := context.Background()
	b.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		if err := pgserver.Stop(stop, data); err != nil {
			b.Errorf("stop durable server: %v", err)
		}
		_ = os.RemoveAll(base)
		_ = os.RemoveAll(pgserver.SocketDir(data))
	})
	db, err := database.Open(ctx, database.Options{DataDir: data})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkPostDurableClients: single-entry posting (Post, one entry of two
// postings a transaction) from 4 clients on a durable server, against the
// server's commit ceiling measured in the same run: bare single-row INSERT
// commits into a plain table from the same 4 clients. Rounds of a few
// seconds alternate between the two. Reported: entries/s, inserts/s and
// their ratio.
func BenchmarkPostDurableClients(b *testing.B) {
	db := durableDB(b)
	db.SetMaxOpenConns(2 * durableClients)
	l := ledger.New(db)
	ctx := context.Background()
	const pairs = 100
	var accts []ledger.Account
	var fund []ledger.Entry
	for i := range pairs {
		accts = append(accts,
			ledger.Account{Code: fmt.Sprintf("cash:d%d", i), Type: ledger.Asset, NoOverdraft: true},
			ledger.Account{Code: fmt.Sprintf("revenue:d%d", i), Type: ledger.Revenue},
			ledger.Account{Code: fmt.Sprintf("expense:d%d", i), Type: ledger.Expense})
		fund = append(fund, transfer(fmt.Sprintf("fund%d", i), "2020-01-01", fmt.Sprintf("revenue:d%d", i), fmt.Sprintf("cash:d%d", i), "900000000.00"))
	}
	if err := l.CreateAccounts(ctx, accts, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := l.PostBatch(ctx, fund); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE bench_commits (id bigserial PRIMARY KEY, client int NOT NULL, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		b.Fatal(err)
	}
	round := 3 * time.Second
	if s := os.Getenv("FUNDLEDGER_BENCH_ROUND_S"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 600 {
			round = time.Duration(n) * time.Second
		}
	}
	var seq atomic.Int64
	// run lets the clients do op until the round is over; it returns the
	// operations done and the time taken.
	run := func(op func(client int) error) (int64, time.Duration) {
		var done atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Value
		start := time.Now()
		deadline := start.Add(round)
		for c := range durableClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					if err := op(c); err != nil {
						failed.Store(err)
						return
					}
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			b.Fatal(err)
		}
		return done.Load(), time.Since(start)
	}
	post := func(c int) error {
		i := seq.Add(1)
		a := (int(i)*durableClients + c) % pairs
		_, err := l.Post(ctx, transfer(fmt.Sprintf("p%d", i), "2021-01-02", fmt.Sprintf("cash:d%d", a), fmt.Sprintf("expense:d%d", a), "1.23"))
		return err
	}
	insert := func(c int) error {
		_, err := db.ExecContext(ctx, `INSERT INTO bench_commits (client) VALUES ($1)`, c)
		return err
	}
	var posts, inserts int64
	var postTime, insertTime time.Duration
	b.ResetTimer()
	for range b.N {
		n, t := run(post)
		posts, postTime = posts+n, postTime+t
		n, t = run(insert)
		inserts, insertTime = inserts+n, insertTime+t
	}
	b.StopTimer()
	postRate, insertRate := float64(posts)/postTime.Seconds(), float64(inserts)/insertTime.Seconds()
	b.ReportMetric(postRate, "entries/s")
	b.ReportMetric(insertRate, "inserts/s")
	b.ReportMetric(postRate/insertRate, "posts/inserts")
	b.Logf("%d clients, rounds of %s; load average %s", durableClients, round, cputime.LoadAverage())
}
