package pgserver

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// connectAs runs psql as OS user osUser (through runuser; we are root) on
// dsn and returns what it printed and whether it connected.
func connectAs(t *testing.T, ctx context.Context, s *Server, osUser, dsn string) (string, bool) {
	t.Helper()
	psql := filepath.Join(s.bins.Dir, "psql")
	if !isExecutable(psql) {
		p, err := exec.LookPath("psql")
		if err != nil {
			t.Fatalf("psql not found: %v", err)
		}
		psql = p
	}
	cmd := exec.CommandContext(ctx, s.as.runuser, "-u", osUser, "--", psql, "-w", "-XAtc", "SELECT current_user", dsn)
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil
}

// ownerConnects checks that this process (the owner) can use the superuser.
func ownerConnects(t *testing.T, ctx context.Context, s *Server) {
	t.Helper()
	db, err := sql.Open("postgres", s.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var super bool
	if err := db.QueryRowContext(ctx, "SELECT usesuper FROM pg_user WHERE usename = current_user").Scan(&super); err != nil || !super {
		t.Fatalf("owner cannot connect as superuser: super=%v err=%v", super, err)
	}
}

// makeLikeOldRelease puts the running cluster in the state older
// fundledger releases left it in: trust for everyone, an open socket
// directory and socket file.
func makeLikeOldRelease(t *testing.T, ctx context.Context, s *Server) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.DataDir, hbaFileName), []byte("local all all trust\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(filepath.Join(s.DataDir, identFileName))
	if err := os.Chmod(s.SocketDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(s.SocketDir, ".s.PGSQL.5432"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds (a reload is asynchronous).
func waitFor(t *testing.T, what string, cond func() (string, bool)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msg, ok := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestOnlyOwnerConnects connects as the OS user nobody to a fresh cluster
// and to clusters upgraded in place from the old trust set-up (running
// and stopped), and expects to be refused, while the owner connects. Each
// of the two guards (closed socket directory, peer authentication) is
// checked on its own by opening the other.
func TestOnlyOwnerConnects(t *testing.T) {
	requireBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("acting as another OS user needs root")
	}
	cases := []struct {
		name    string
		upgrade string // "", "running" or "stopped"
	}{
		{"fresh cluster", ""},
		{"old trust cluster, running, adopted", "running"},
		{"old trust cluster, stopped, restarted", "stopped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			dataDir := filepath.Join(tempBase(t), "data")
			s, err := Start(ctx, Options{DataDir: dataDir, Log: testLog{t}})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			dsn := s.ConnString("postgres")
			if tc.upgrade != "" {
				makeLikeOldRelease(t, ctx, s)
				// The probe works: under the old set-up nobody is superuser.
				waitFor(t, "nobody connects to the old trust set-up", func() (string, bool) {
					out, ok := connectAs(t, ctx, s, "nobody", dsn)
					return out, ok && out == "postgres"
				})
				if tc.upgrade == "stopped" {
					if err := s.Stop(ctx); err != nil {
						t.Fatal(err)
					}
				}
				s, err = Start(ctx, Options{DataDir: dataDir, Log: testLog{t}})
				if err != nil {
					t.Fatalf("Start on the old data directory: %v", err)
				}
				if s.Adopted != (tc.upgrade == "running") {
					t.Fatalf("Adopted = %v, upgrade of a %s server", s.Adopted, tc.upgrade)
				}
			}
			if fi, err := os.Stat(s.SocketDir); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("socket directory mode %v, want 0700 (%v)", fi.Mode().Perm(), err)
			}
			for _, role := range []string{"postgres", "nobody"} {
				waitFor(t, "nobody refused as role "+role, func() (string, bool) {
					out, ok := connectAs(t, ctx, s, "nobody", strings.Replace(dsn, "user=postgres", "user="+role, 1))
					return out, !ok && strings.Contains(out, "Permission denied")
				})
			}
			ownerConnects(t, ctx, s)
			// The server user may connect too (it owns the files anyway).
			if out, ok := connectAs(t, ctx, s, ServerUser, dsn); !ok || out != "postgres" {
				t.Errorf("server user %s refused: %s", ServerUser, out)
			}

			// Second guard alone: open the directory and the socket file;
			// peer authentication still refuses nobody as the superuser.
			if err := os.Chmod(s.SocketDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(s.SocketDir, ".s.PGSQL.5432"), 0o777); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "peer authentication refuses nobody", func() (string, bool) {
				out, ok := connectAs(t, ctx, s, "nobody", dsn)
				return out, !ok && strings.Contains(out, "Peer authentication failed")
			})
			ownerConnects(t, ctx, s)
		})
	}
}
