package main

import (
	"context"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundledger/internal/backup"
	"fundledger/internal/pgserver"
)

// embeddedBase returns a fresh directory (on /dev/shm when there is one)
// the server user may use, for an embedded cluster of the test's own; the
// cluster is stopped and everything removed when the test ends.
func embeddedBase(t testing.TB) string {
	t.Helper()
	parent := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	base, err := os.MkdirTemp(parent, "fundledger-backup-test-")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(pgserver.ServerUser)
		if err != nil {
			t.Fatal(err)
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
		if err := pgserver.Stop(ctx, filepath.Join(base, "data")); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		_ = os.RemoveAll(pgserver.SocketDir(filepath.Join(base, "data")))
		_ = os.RemoveAll(base)
	})
	return base
}

// runEmbedded executes the CLI in-process on the embedded cluster in dataDir.
func runEmbedded(t testing.TB, dataDir, stdin string, args ...string) (string, error) {
	t.Helper()
	return execute(stdin, []string{"--database-url", "", "--data-dir", dataDir, "--actor", "backup-test"}, nil, args...)
}

// embedded binds runEmbedded to dataDir.
func embedded(t testing.TB, dataDir string) runner {
	return func(stdin string, args ...string) (string, error) {
		t.Helper()
		return runEmbedded(t, dataDir, stdin, args...)
	}
}

var headHashRE = regexp.MustCompile(`head hash ([0-9a-f]{64})`)

// TestRestoreToTimeBetweenBatches posts two batches on a real embedded
// cluster with a base backup and WAL archiving, notes a time between them,
// restores to that time and expects verify to print the head hash (and the
// balance) that held then, not the later ones.
func TestRestoreToTimeBetweenBatches(t *testing.T) {
	t.Parallel()
	base := embeddedBase(t)
	// A backup directory with a space and Chinese in its name: quoting.
	data, dir := filepath.Join(base, "data"), filepath.Join(base, "备份 backup")
	must := must(t, embedded(t, data))
	head := func() string {
		t.Helper()
		out := must("", "verify")
		m := headHashRE.FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "OK:") {
			t.Fatalf("verify: %s", out)
		}
		return m[1]
	}
	batch := func(key, amount string) string {
		return `[{"book":"financial","effective_date":"2021-03-01","idempotency_key":"` + key + `-a","memo":"receipt",
		  "postings":[{"account":"cash:x","side":"D","amount":"` + amount + `"},{"account":"revenue:x","side":"C","amount":"` + amount + `"}]},
		 {"book":"financial","effective_date":"2021-03-02","idempotency_key":"` + key + `-b","memo":"receipt",
		  "postings":[{"account":"cash:x","side":"D","amount":"1.00"},{"account":"revenue:x","side":"C","amount":"1.00"}]}]`
	}

	must("", "account", "create", "cash:x", "--type", "asset")
	must("", "account", "create", "revenue:x", "--type", "revenue")
	beforeBackup := time.Now()
	time.Sleep(50 * time.Millisecond)
	if out := must("", "backup", "--dir", dir); !strings.Contains(out, "base backup ") {
		t.Fatalf("backup: %s", out)
	}
	must(batch("first", "100.00"), "post")
	head1 := head()
	time.Sleep(1100 * time.Millisecond)
	between := time.Now()
	time.Sleep(1100 * time.Millisecond)
	must(batch("second", "50.00"), "post")
	head2 := head()
	if head1 == head2 {
		t.Fatalf("the second batch did not change the head hash %s", head1)
	}
	// By hand: 100.00 + 1.00 after the first batch, + 50.00 + 1.00 after the second.
	if out := must("", "balance", "cash:x"); !strings.Contains(out, "152.00") {
		t.Fatalf("balance before restore: %s", out)
	}

	// A time before the only base backup cannot be restored to.
	_, err := runEmbedded(t, data, "", "restore", "--yes", "--dir", dir, "--to", beforeBackup.UTC().Format(time.RFC3339Nano))
	if !errors.Is(err, backup.ErrNoBackup) {
		t.Fatalf("restore before the backup: %v, want ErrNoBackup", err)
	}

	out := must("", "restore", "--yes", "--dir", dir, "--to", between.UTC().Format("2006-01-02 15:04:05.999999Z07:00"))
	if !strings.Contains(out, "up to ") || !strings.Contains(out, "the replaced data directory is kept in "+data+".before-restore-") {
		t.Fatalf("restore: %s", out)
	}
	if got := head(); got != head1 {
		t.Errorf("after restoring to %s: head hash %s, want %s (the one before the second batch; after it: %s)",
			between.Format(time.RFC3339Nano), got, head1, head2)
	}
	if out := must("", "balance", "cash:x"); !strings.Contains(out, "101.00") {
		t.Errorf("balance after restore: %s, want 101.00", out)
	}
	// The restored books take new writes (the server was promoted).
	must(batch("third", "7.00"), "post")
	if out := must("", "balance", "cash:x"); !strings.Contains(out, "109.00") {
		t.Errorf("balance after a post on the restored books: %s, want 109.00", out)
	}
	head3 := head()
	// Restoring to a time after the last commit replays everything (on
	// the restored timeline): the same books.
	out = must("", "restore", "--yes", "--dir", dir, "--to", time.Now().UTC().Format(time.RFC3339Nano))
	if !strings.Contains(out, "with every archived change") {
		t.Errorf("restore to now: %s", out)
	}
	if got := head(); got != head3 {
		t.Errorf("after restoring to now: head hash %s, want %s", got, head3)
	}
	// The data directory is lost (server stopped, directory gone): the
	// backup directory alone brings the books back.
	must("", "db", "stop")
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	out = must("", "restore", "--yes", "--dir", dir)
	if strings.Contains(out, "kept in") {
		t.Errorf("restore into a missing data directory moved something aside: %s", out)
	}
	if got := head(); got != head3 {
		t.Errorf("after restoring a lost data directory: head hash %s, want %s", got, head3)
	}
	if out := must("", "balance", "cash:x"); !strings.Contains(out, "109.00") {
		t.Errorf("balance after restoring a lost data directory: %s, want 109.00", out)
	}
}

func TestParseRestoreTime(t *testing.T) {
	want := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-12-02 07:00:00+00", true},
		{"2026-12-02 15:00:00+08", true},
		{"2026-12-02 15:00:00+08:00", true},
		{"2026-12-02T07:00:00Z", true},
		{"2026-12-02 07:00+00", true},
		{"2026-12-02 07:00:00", false}, // no offset: ambiguous
		{"yesterday", false},
	} {
		got, err := parseRestoreTime(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(want)) {
			t.Errorf("parseRestoreTime(%q) = %v, %v", tc.in, got, err)
		}
	}
}
