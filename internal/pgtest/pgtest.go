// Package pgtest is the database harness for integration tests: every
// call to DB or URL returns a fresh, fully migrated database, cloned from a
// template that is migrated once (github.com/peterldowns/pgtestdb), so tests
// may run with t.Parallel() and never see each other's data.
//
// The server is the one named by $DATABASE_URL when that is set (the role
// must be allowed to create roles and databases). Otherwise one throwaway
// server is started per test binary with internal/pgserver, in a temporary
// directory (on /dev/shm when available) with fsync off. Packages using the
// harness call Main from TestMain so that the server is stopped and its
// directory removed when the tests finish:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// A watchdog process also stops and removes the throwaway server if the
// test binary dies without reaching the end of Main (panic, timeout,
// SIGKILL).
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // driver "postgres"
	"github.com/peterldowns/pgtestdb"
	"github.com/pressly/goose/v3"

	"fundledger/internal/pgserver"
	"fundledger/migrations"
)

// DriverName is the database/sql driver the harness uses (lib/pq).
const DriverName = "postgres"

// DB returns a connection pool to a fresh database that has all migrations
// applied. The database is dropped when the test ends (it is kept if the
// test failed, for inspection, when an external $DATABASE_URL server is
// used). The test fails if no server is available.
func DB(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := DBWithURL(t)
	return db
}

// URL returns the key/value DSN of a fresh migrated database, for tests
// that open their own connection pools (e.g. several pools for concurrency
// tests). lib/pq and psql accept it. Pools opened on it must be closed
// before the test ends (t.Cleanup registered after calling URL runs first);
// connections still open at that point are terminated.
func URL(t testing.TB) string {
	t.Helper()
	conf := pgtestdb.Custom(t, baseConfig(t), migrator{})
	return DSN(*conf)
}

// DBWithURL is DB and URL for the same database: a pool plus its DSN.
func DBWithURL(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	dsn := URL(t)
	db, err := sqlx.Open(DriverName, dsn)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dsn
}

// Legacy returns a pool on the schema "legacy" of a fresh database, migrated
// only up to version, and the goose provider that migrates it further: for
// tests of what a migration makes of books written before it.
func Legacy(t testing.TB, version int64) (*sqlx.DB, *goose.Provider) {
	t.Helper()
	ctx := context.Background()
	admin, dsn := DBWithURL(t)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA legacy`); err != nil {
		t.Fatalf("pgtest: legacy schema: %v", err)
	}
	db, err := sqlx.Open(DriverName, dsn+" search_path=legacy")
	if err != nil {
		t.Fatalf("pgtest: open legacy schema: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	gp, err := goose.NewProvider(goose.DialectPostgres, db.DB, migrations.FS())
	if err != nil {
		t.Fatalf("pgtest: migrations: %v", err)
	}
	if _, err := gp.UpTo(ctx, version); err != nil {
		t.Fatalf("pgtest: migrate the legacy schema to %d: %v", version, err)
	}
	return db, gp
}

// Main runs the tests of a package and then stops the throwaway server (if
// one was started) and removes its directory, and exits with the tests'
// exit code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// migrator is the pgtestdb.Migrator for fundledger's schema.
type migrator struct{}

// Hash identifies the template: it changes whenever a migration file is
// added, renamed or edited.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS(), p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("pgtest: hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Migrate applies every migration to the template database.
func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return migrations.Up(ctx, db)
}

// ---- server selection ----

var (
	srvOnce sync.Once
	srvConf pgtestdb.Config
	srvErr  error

	mu       sync.Mutex
	srv      *pgserver.Server
	srvBase  string   // temp directory holding the data directory
	watchdog *os.File // write end of the watchdog's stdin
)

// baseConfig returns the connection config of the server the harness uses,
// starting the throwaway server on first use.
func baseConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	srvOnce.Do(func() {
		if u := os.Getenv("DATABASE_URL"); u != "" {
			srvConf, srvErr = ParseConfig(u)
			if srvErr != nil {
				srvErr = fmt.Errorf("DATABASE_URL: %w", srvErr)
				return
			}
			if err := ping(srvConf); err != nil {
				srvErr = fmt.Errorf("DATABASE_URL server (%s) does not answer: %w", redact(srvConf), err)
			}
			return
		}
		srvConf, srvErr = startServer()
	})
	if srvErr != nil {
		hint := "Install the PostgreSQL server (apt-get install -y postgresql) or set DATABASE_URL to a server " +
			"where the user may create roles and databases."
		if os.Getenv("DATABASE_URL") != "" {
			hint = "Fix DATABASE_URL, or unset it to run a throwaway server."
		}
		t.Fatalf("pgtest: no database server for integration tests: %v\n%s", srvErr, hint)
	}
	return srvConf
}

// ping checks that the server in c answers, within a time limit.
func ping(c pgtestdb.Config) error {
	db, err := sql.Open(c.DriverName, DSN(c))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// redact is DSN(c) without the password, for error messages.
func redact(c pgtestdb.Config) string {
	if c.Password != "" {
		c.Password = "xxxxx"
	}
	return DSN(c)
}

func startServer() (pgtestdb.Config, error) {
	parent := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	base, err := os.MkdirTemp(parent, "fundledger-pgtest-")
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("temp dir: %w", err)
	}
	if os.Geteuid() == 0 {
		// The server runs as postgres, which must own its directory.
		u, err := user.Lookup(pgserver.ServerUser)
		if err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			err = os.Chown(base, uid, gid)
		}
		if err != nil {
			_ = os.RemoveAll(base)
			return pgtestdb.Config{}, fmt.Errorf("prepare %s for user %s: %w", base, pgserver.ServerUser, err)
		}
	}
	dataDir := filepath.Join(base, "data")

	mu.Lock()
	srvBase = base
	mu.Unlock()
	// Arm the watchdog before the server exists, so a crash at any later
	// point still cleans up.
	if err := startWatchdog(dataDir, base, pgserver.SocketDir(dataDir)); err != nil {
		_ = os.RemoveAll(base)
		return pgtestdb.Config{}, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := pgserver.Start(ctx, pgserver.Options{DataDir: dataDir, Fsync: false, Log: io.Discard})
	if err != nil {
		return pgtestdb.Config{}, err
	}
	mu.Lock()
	srv = s
	mu.Unlock()

	return pgtestdb.Config{
		DriverName: DriverName,
		Host:       "", // unix socket: passed as the host option below
		Port:       strconv.Itoa(s.Port),
		User:       pgserver.ServerUser,
		Database:   "postgres",
		Options: url.Values{
			"host":    {s.SocketDir},
			"sslmode": {"disable"},
		}.Encode(),
		ForceTerminateConnections: true,
	}, nil
}

// shutdown stops the throwaway server, if any, and removes its files.
func shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	var firstErr error
	if srvBase != "" {
		dataDir := filepath.Join(srvBase, "data")
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		err := pgserver.Stop(ctx, dataDir)
		cancel()
		if err != nil {
			firstErr = fmt.Errorf("stop test server: %w", err)
		}
		if err := os.RemoveAll(srvBase); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("remove %s: %w", srvBase, err)
		}
		_ = os.RemoveAll(pgserver.SocketDir(dataDir))
		srv, srvBase = nil, ""
	}
	if watchdog != nil {
		// Tell the watchdog all is done, then let it go.
		_, _ = watchdog.WriteString("done\n")
		_ = watchdog.Close()
		watchdog = nil
	}
	return firstErr
}

// watchdogScript runs in its own process group with its stdin connected to
// a pipe this process holds open. "done" means we cleaned up ourselves;
// end-of-file means this process died: stop the server (SIGINT is
// PostgreSQL's fast shutdown; we may signal it, being root or its owner)
// and remove its directories.
const watchdogScript = `
read -r line
[ "$line" = done ] && exit 0
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; then
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i+1)); done
fi
rm -rf "$2"
rm -rf "$3"
exit 0
`

func startWatchdog(dataDir, base, socketDir string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("watchdog pipe: %w", err)
	}
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", dataDir, base, socketDir)
	cmd.Stdin = r
	// Not our stdout/stderr: `go test` waits for those to close.
	cmd.Stdout, cmd.Stderr = nil, nil
	// Own process group, so a Ctrl-C meant for `go test` does not kill it
	// before it can clean up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("start watchdog: %w", err)
	}
	r.Close()
	go func() { _ = cmd.Wait() }()
	mu.Lock()
	watchdog = w
	mu.Unlock()
	return nil
}

// ---- connection strings ----

// DSN renders a pgtestdb.Config (as built by ParseConfig, or as returned by
// pgtestdb.Custom) as a key/value connection string for lib/pq and psql.
func DSN(c pgtestdb.Config) string {
	u, err := url.Parse(c.URL())
	if err != nil {
		return c.URL()
	}
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+quoteDSN(v))
		}
	}
	q := u.Query()
	host := u.Hostname()
	if h := q.Get("host"); h != "" {
		host = h
	}
	port := u.Port()
	if p := q.Get("port"); p != "" {
		port = p
	}
	add("host", host)
	add("port", port)
	if u.User != nil {
		add("user", u.User.Username())
		pw, _ := u.User.Password()
		add("password", pw)
	}
	add("dbname", strings.TrimPrefix(u.Path, "/"))
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "host", "port":
			continue
		}
		add(k, q.Get(k))
	}
	return strings.Join(parts, " ")
}

func quoteDSN(v string) string {
	if !strings.ContainsAny(v, " \t\n\r'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// ParseConfig turns a lib/pq connection string, either a URL
// (postgres://user:pass@host:5432/db?sslmode=disable) or key/value
// ("host=/tmp/x port=5432 user=postgres dbname=db"), into a
// pgtestdb.Config. Unix-socket hosts and other parameters travel in
// Options, because pgtestdb builds a URL whose host part cannot hold a
// path. User and password are kept URL-escaped for the same reason.
func ParseConfig(s string) (pgtestdb.Config, error) {
	params := map[string]string{}
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			return pgtestdb.Config{}, err
		}
		if u.User != nil {
			params["user"] = u.User.Username()
			if pw, ok := u.User.Password(); ok {
				params["password"] = pw
			}
		}
		if h := u.Hostname(); h != "" {
			params["host"] = h
		}
		if p := u.Port(); p != "" {
			params["port"] = p
		}
		if db := strings.TrimPrefix(u.Path, "/"); db != "" {
			params["dbname"] = db
		}
		for k, vs := range u.Query() {
			if len(vs) > 0 {
				params[k] = vs[len(vs)-1]
			}
		}
	} else {
		kv, err := parseKeyValue(s)
		if err != nil {
			return pgtestdb.Config{}, err
		}
		params = kv
	}

	c := pgtestdb.Config{
		DriverName:                DriverName,
		Port:                      "5432",
		Database:                  "postgres",
		ForceTerminateConnections: true,
	}
	opts := url.Values{}
	for k, v := range params {
		switch k {
		case "host":
			if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "@") || strings.Contains(v, ",") {
				opts.Set("host", v) // socket path or host list
			} else if strings.Contains(v, ":") {
				c.Host = "[" + v + "]" // IPv6 literal
			} else {
				c.Host = v
			}
		case "port":
			if strings.Contains(v, ",") {
				opts.Set("port", v)
			} else {
				c.Port = v
			}
		case "user", "password":
			// Escaped for the userinfo part of pgtestdb's URL.
			esc := url.User(v).String()
			if k == "user" {
				c.User = esc
			} else {
				c.Password = strings.TrimPrefix(url.UserPassword("", v).String(), ":")
			}
		case "dbname":
			c.Database = v
		default:
			opts.Set(k, v)
		}
	}
	c.Options = opts.Encode()
	if c.Host != "" {
		if _, _, err := net.SplitHostPort(c.Host + ":" + c.Port); err != nil {
			return pgtestdb.Config{}, fmt.Errorf("bad host/port %q/%q: %w", c.Host, c.Port, err)
		}
	}
	return c, nil
}

// parseKeyValue parses a libpq key/value connection string.
func parseKeyValue(s string) (map[string]string, error) {
	out := map[string]string{}
	i := 0
	skipSpace := func() {
		for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) >= 0 {
			i++
		}
	}
	for {
		skipSpace()
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && strings.IndexByte(" \t\n\r", s[i]) < 0 {
			i++
		}
		key := s[start:i]
		skipSpace()
		if i >= len(s) || s[i] != '=' || key == "" {
			return nil, fmt.Errorf("malformed connection string near %q", s[start:])
		}
		i++ // '='
		skipSpace()
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '\'' {
					i++
					closed = true
					break
				}
				val.WriteByte(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted value for %q", key)
			}
		} else {
			for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) < 0 {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		out[key] = val.String()
	}
}
