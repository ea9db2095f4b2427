package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tempBase returns a fresh directory on /dev/shm (else the temp dir) that
// the server user can use, removed (after stopping any server in it) when
// the test ends.
func tempBase(t *testing.T) string {
	t.Helper()
	parent := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	base, err := os.MkdirTemp(parent, "pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(ServerUser)
		if err != nil {
			t.Fatalf("running as root needs user %q: %v", ServerUser, err)
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
		if err := Stop(ctx, filepath.Join(base, "data")); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		_ = os.RemoveAll(SocketDir(filepath.Join(base, "data")))
		_ = os.RemoveAll(base)
	})
	return base
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func requireBinaries(t *testing.T) {
	t.Helper()
	if _, err := FindBinaries(); err != nil {
		// Fail, not skip: the server is a hard requirement of fundledger.
		t.Fatal(err)
	}
}

func TestServerLifecycle(t *testing.T) {
	requireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := filepath.Join(tempBase(t), "data")

	s, err := Start(ctx, Options{DataDir: dataDir, Log: testLog{t}})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if s.Adopted {
		t.Errorf("first Start adopted a server")
	}
	if s.PID <= 0 || s.Port != DefaultPort || s.SocketDir != SocketDir(dataDir) {
		t.Errorf("server = %+v", s)
	}
	if _, err := os.Stat(filepath.Join(s.SocketDir, ".s.PGSQL.5432")); err != nil {
		t.Errorf("socket file: %v", err)
	}
	if fi, err := os.Stat(s.SocketDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode: %v %v", fi.Mode(), err)
	}

	st, err := Status(dataDir)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if !st.Running || st.PID != s.PID || st.SocketDir != s.SocketDir || st.Port != 5432 || st.DataDir != dataDir {
		t.Errorf("Status = %+v, server = %+v", st, s)
	}
	if want := "host=" + s.SocketDir + " port=5432 user=postgres dbname=postgres sslmode=disable"; st.ConnString != want {
		t.Errorf("Status.ConnString = %q, want %q", st.ConnString, want)
	}

	// A second Start (as from the next CLI command) adopts the server.
	s2, err := Start(ctx, Options{DataDir: dataDir})
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if !s2.Adopted || s2.PID != s.PID || s2.SocketDir != s.SocketDir {
		t.Errorf("second Start = %+v, want adoption of PID %d", s2, s.PID)
	}

	// EnsureDatabase is idempotent and race-safe.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.EnsureDatabase(ctx, "ledger test")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("EnsureDatabase: %v", err)
		}
	}

	db, err := sql.Open("postgres", s.ConnString("ledger test"))
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	for setting, want := range map[string]string{
		"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
		"max_connections": "200", "shared_buffers": "128MB", "listen_addresses": "",
		"server_encoding": "UTF8",
	} {
		var got string
		if err := db.QueryRowContext(ctx, "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// psql accepts the same DSN.
	if psql, err := exec.LookPath("psql"); err == nil {
		out, err := exec.CommandContext(ctx, psql, s.ConnString("ledger test"), "-XAtc", "SELECT v FROM kept").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "42" {
			t.Errorf("psql: %v: %s", err, out)
		}
	}

	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	st, err = Status(dataDir)
	if err != nil || st.Running || st.PID != 0 {
		t.Fatalf("after Stop: %+v, %v", st, err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	// A stale postmaster.pid naming a dead process does not prevent a start.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	writePIDFile(t, dataDir, dead.Process.Pid)
	if st, _ := Status(dataDir); st.Running {
		t.Fatalf("stale pid file reported as running: %+v", st)
	}
	s3, err := Start(ctx, Options{DataDir: dataDir})
	if err != nil {
		t.Fatalf("Start with stale postmaster.pid: %v", err)
	}
	if s3.Adopted || s3.PID == s.PID {
		t.Errorf("Start with stale pid file = %+v", s3)
	}

	// A server whose postmaster was killed outright is restarted, with
	// the data intact.
	if err := syscall.Kill(s3.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s4, err := Start(ctx, Options{DataDir: dataDir, Log: testLog{t}})
	if err != nil {
		t.Fatalf("Start after SIGKILL: %v", err)
	}
	if s4.Adopted || s4.PID == s3.PID {
		t.Errorf("Start after SIGKILL = %+v", s4)
	}
	db, err = sql.Open("postgres", s4.ConnString("ledger test"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Errorf("data after restart: %d, %v", v, err)
	}
}

func TestStalePIDOfOtherProgram(t *testing.T) {
	requireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dataDir := filepath.Join(tempBase(t), "data")
	s, err := Start(ctx, Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// PID reuse: the lock file names a live process that is not postgres.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	writePIDFile(t, dataDir, sleeper.Process.Pid)
	if st, err := Status(dataDir); err != nil || st.Running {
		t.Fatalf("Status with reused PID = %+v, %v", st, err)
	}
	s2, err := Start(ctx, Options{DataDir: dataDir})
	if err != nil {
		t.Fatalf("Start with reused PID in postmaster.pid: %v", err)
	}
	if s2.PID == sleeper.Process.Pid {
		t.Errorf("adopted the sleeper")
	}
}

func writePIDFile(t *testing.T, dataDir string, pid int) {
	t.Helper()
	content := fmt.Sprintf("%d\n%s\n%d\n5432\n%s\n\n        0         0\nready   \n",
		pid, dataDir, time.Now().Unix(), SocketDir(dataDir))
	p := filepath.Join(dataDir, "postmaster.pid")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		fi, err := os.Stat(dataDir)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if err := os.Chown(p, int(st.Uid), int(st.Gid)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParentNotTraversable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the parent-directory check applies when running as root (the server then runs as postgres)")
	}
	requireBinaries(t)
	parent := "/dev/shm"
	if _, err := os.Stat(parent); err != nil {
		parent = os.TempDir()
	}
	// Like /root: mode 0700, owned by root.
	private, err := os.MkdirTemp(parent, "pgserver-private-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(private)
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(private, "fundledger", "data")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = Start(ctx, Options{DataDir: dataDir})
	if err == nil {
		_ = Stop(ctx, dataDir)
		t.Fatal("Start succeeded under a 0700 root-owned directory")
	}
	if !errors.Is(err, ErrNotTraversable) {
		t.Fatalf("err = %v, want ErrNotTraversable", err)
	}
	if !strings.Contains(err.Error(), "cannot enter "+private+" ") {
		t.Errorf("error does not name the directory %s: %v", private, err)
	}
	t.Log(err)
	fi, err := os.Stat(private)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the private directory was modified: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		t.Errorf("initdb ran anyway")
	}
}

func TestSocketDir(t *testing.T) {
	long := "/" + strings.Repeat("very-long-directory-name/", 20) + "data"
	d := SocketDir(long)
	if !strings.HasPrefix(d, "/tmp/fundledger-") || len(d) != len("/tmp/fundledger-")+8 {
		t.Errorf("SocketDir = %q", d)
	}
	if len(d+"/.s.PGSQL.65535") > 107 {
		t.Errorf("socket path too long: %q", d)
	}
	if SocketDir("/a/b") == SocketDir("/a/c") {
		t.Error("different data directories share a socket directory")
	}
	if SocketDir("/a/b/../b") != SocketDir("/a/b") {
		t.Error("SocketDir does not clean the path")
	}
}

func TestConnStringQuoting(t *testing.T) {
	s := &Server{SocketDir: "/tmp/fundledger-0123abcd", Port: 5433}
	if got, want := s.ConnString("ledger"), "host=/tmp/fundledger-0123abcd port=5433 user=postgres dbname=ledger sslmode=disable"; got != want {
		t.Errorf("ConnString = %q, want %q", got, want)
	}
	if got, want := s.ConnString(`it's a db\`), `host=/tmp/fundledger-0123abcd port=5433 user=postgres dbname='it\'s a db\\' sslmode=disable`; got != want {
		t.Errorf("ConnString = %q, want %q", got, want)
	}
}

func TestFindBinariesMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := systemRoot
	systemRoot = t.TempDir()
	defer func() { systemRoot = old }()
	_, err := FindBinaries()
	if !errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("err = %v", err)
	}
}

func TestFindBinariesHighestVersion(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := systemRoot
	systemRoot = t.TempDir()
	defer func() { systemRoot = old }()
	for _, v := range []string{"9.6", "15", "13", "16"} {
		bin := filepath.Join(systemRoot, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		progs := []string{"pg_ctl", "initdb", "postgres"}
		if v == "16" {
			progs = progs[:2] // incomplete installation: skipped
		}
		for _, p := range progs {
			if err := os.WriteFile(filepath.Join(bin, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := FindBinaries()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(systemRoot, "15", "bin"); b.Dir != want {
		t.Errorf("Dir = %s, want %s", b.Dir, want)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("FUNDLEDGER_DATA", "/srv/ledger")
	if d, err := DefaultDataDir(); err != nil || d != "/srv/ledger" {
		t.Errorf("with FUNDLEDGER_DATA: %q, %v", d, err)
	}
	t.Setenv("FUNDLEDGER_DATA", "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	d, err := DefaultDataDir()
	want := "/xdg/fundledger"
	if os.Geteuid() == 0 {
		want = "/var/lib/fundledger"
	}
	if err != nil || d != want {
		t.Errorf("DefaultDataDir = %q, %v; want %q", d, err, want)
	}
}
