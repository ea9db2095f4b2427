package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/internal/database"
	"fundledger/internal/pgserver"
	"fundledger/internal/soak"
)

// soakClients is the number of concurrent API clients.
const soakClients = 32

// soakAccountPairs are the debit/credit account pairs the clients share.
const soakAccountPairs = 8

// runSoak starts `fundledger serve` (in-process, the real command) on a
// fresh embedded cluster, drives it with soakClients clients for d while
// the database server is restarted twice (a fast shutdown at a third, an
// immediate shutdown, as in a crash, at two thirds), then checks the books
// against the acknowledgements.
func runSoak(t testing.TB, d time.Duration) (soak.Result, soak.Findings) {
	t.Helper()
	base := embeddedBase(t)
	data := filepath.Join(base, "data")
	must := must(t, embedded(t, data))
	var pairs [][2]string
	for i := range soakAccountPairs {
		cash, rev := fmt.Sprintf("cash:soak:%d", i), fmt.Sprintf("revenue:soak:%d", i)
		must("", "account", "create", cash, "--type", "asset")
		must("", "account", "create", rev, "--type", "revenue")
		pairs = append(pairs, [2]string{cash, rev})
	}
	must("", "user", "add", "soak", "--role", "finance_bureau")
	lines := strings.Split(strings.TrimSpace(must("", "user", "token", "soak")), "\n")
	token := strings.TrimSpace(lines[len(lines)-1])

	// serve, as `fundledger serve --addr 127.0.0.1:0` would run it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		a := &app{}
		root := a.rootCmd()
		root.SetOut(pw)
		root.SetErr(pw)
		root.SetArgs([]string{"--database-url", "", "--data-dir", data, "serve", "--addr", "127.0.0.1:0"})
		err := root.ExecuteContext(ctx)
		if a.db != nil {
			a.db.Close()
		}
		pw.Close()
		served <- err
	}()
	first, err := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	addr, _, ok := strings.Cut(strings.TrimPrefix(first, "serving http://"), "/")
	if err != nil || !ok {
		t.Fatalf("serve did not start: %q %v %v", first, err, <-served)
	}

	restart := func(how string) func(context.Context) error {
		return func(ctx context.Context) error {
			if how == "fast" {
				if err := pgserver.Stop(ctx, data); err != nil {
					return err
				}
			} else {
				st, err := pgserver.Status(data)
				if err != nil || !st.Running {
					return fmt.Errorf("server not running: %v", err)
				}
				// SIGQUIT is PostgreSQL's immediate shutdown: no
				// checkpoint, recovery from the WAL at the next start.
				if err := syscall.Kill(st.PID, syscall.SIGQUIT); err != nil {
					return err
				}
				for i := 0; ; i++ {
					if st, err := pgserver.Status(data); err == nil && !st.Running {
						break
					}
					if i > 600 {
						return fmt.Errorf("postmaster %d still running 60 s after SIGQUIT", st.PID)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			_, err := pgserver.Start(ctx, pgserver.Options{DataDir: data, Fsync: true})
			return err
		}
	}
	res, err := soak.Run(ctx, soak.Config{
		BaseURL: "http://" + addr, Token: token, Clients: soakClients, Duration: d, Accounts: pairs,
		Events: []soak.Event{
			{At: d / 3, Name: "fast restart of the database server", Do: restart("fast")},
			{At: 2 * d / 3, Name: "immediate shutdown (crash) and start of the database server", Do: restart("immediate")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}

	srv, err := pgserver.Start(context.Background(), pgserver.Options{DataDir: data, Fsync: true})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlx.Open("postgres", srv.ConnString(database.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := soak.Check(context.Background(), db, "soak", res)
	if err != nil {
		t.Fatal(err)
	}
	return res, f
}

func reportSoak(t testing.TB, d time.Duration, res soak.Result, f soak.Findings) {
	t.Helper()
	var statuses []string
	for k, v := range res.ByStatus {
		statuses = append(statuses, fmt.Sprintf("%s×%d", k, v))
	}
	sort.Strings(statuses)
	host, _ := os.Hostname()
	t.Logf("soak %s, %d clients, %s/%s, %d CPUs, host %s: %d requests (%.0f/s), %d errors [%s], %d writes acknowledged, "+
		"p50 %s, p99 %s, max %s, longest wait for one acknowledgement %s; books: %d stored, %d lost, %d duplicates, %d stored unacknowledged",
		d, soakClients, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host, res.Requests, float64(res.Requests)/res.Elapsed.Seconds(),
		res.Errors, strings.Join(statuses, " "), len(res.Acked), res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond),
		res.Max.Round(time.Millisecond), res.LongestWait.Round(time.Millisecond), f.Stored, len(f.Lost), len(f.Duplicates), f.Unacknowledged)
}

// checkSoak fails the test on any lost or duplicated write, and when the
// restarts went unnoticed (no failed request: the run proved nothing).
func checkSoak(t testing.TB, res soak.Result, f soak.Findings) {
	t.Helper()
	for _, err := range res.EventErrors {
		t.Errorf("event: %v", err)
	}
	if len(res.Acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	if res.Errors == 0 {
		t.Errorf("no request failed: the database restarts were not felt")
	}
	if len(res.Rejected) > 0 || len(res.GivenUp) > 0 {
		t.Errorf("%d writes refused (%v…), %d given up", len(res.Rejected), res.Rejected[:min(3, len(res.Rejected))], len(res.GivenUp))
	}
	if !f.OK() || f.Stored != len(res.Acked)+f.Unacknowledged {
		t.Errorf("%d acknowledged, %d stored: lost %v, duplicates %v", len(res.Acked), f.Stored,
			f.Lost[:min(5, len(f.Lost))], f.Duplicates[:min(5, len(f.Duplicates))])
	}
}

// TestSoakShort is the soak in brief (20 s): no acknowledged write lost,
// none stored twice, across a fast restart and a crash of the database.
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped under -short")
	}
	t.Parallel()
	const d = 20 * time.Second
	res, f := runSoak(t, d)
	reportSoak(t, d, res, f)
	checkSoak(t, res, f)
}

// BenchmarkSoak runs the soak for $FUNDLEDGER_SOAK_DURATION (default 5m):
// `make soak`. Its figures are in the README.
func BenchmarkSoak(b *testing.B) {
	d := 5 * time.Minute
	if s := os.Getenv("FUNDLEDGER_SOAK_DURATION"); s != "" {
		v, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("FUNDLEDGER_SOAK_DURATION: %v", err)
		}
		d = v
	}
	for range b.N {
		res, f := runSoak(b, d)
		reportSoak(b, d, res, f)
		checkSoak(b, res, f)
		b.ReportMetric(float64(res.Requests), "requests")
		b.ReportMetric(float64(res.Errors), "errors")
		b.ReportMetric(float64(len(res.Acked)), "acked")
		b.ReportMetric(float64(len(f.Lost)), "lost")
		b.ReportMetric(float64(len(f.Duplicates)), "duplicates")
		b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99_ms")
	}
}
