// Package pgserver owns fundledger's private PostgreSQL cluster: the
// "embedded default database" and the throwaway servers of the test harness.
// It runs the system's server binaries (pg_ctl, initdb, postgres): it
// initialises a data directory, writes the cluster settings it relies on
// (unix socket only, in a short per-data-directory socket directory under
// /tmp of mode 0700; the superuser "postgres" admitted only by peer
// authentication from the OS user running fundledger and root, see
// access.go), starts the server with
// pg_ctl, adopts a server that is already running on the data directory
// (found through postmaster.pid) instead of starting a second one, and
// stops it. The server deliberately outlives the process that started it,
// so data persists between commands until Stop is called.
//
// When the process runs as root, every server program runs as the
// "postgres" user (through runuser) and the data and socket directories
// are owned by that user.
package pgserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// DefaultPort is the port used when Options.Port is zero. The server does
// not listen on TCP at all; the port only names the socket file
// (<socket dir>/.s.PGSQL.<port>).
const DefaultPort = 5432

// ServerUser is the database superuser created by initdb, and the OS user
// that runs the server when this process is root.
const ServerUser = "postgres"

const (
	initdbTimeout = 2 * time.Minute
	startTimeout  = 60 * time.Second // passed to pg_ctl -t; our own limit adds a margin
	stopTimeout   = 60 * time.Second
	lockTimeout   = 2 * time.Minute // another process starting/stopping the same cluster
	pingTimeout   = 3 * time.Second
	confFileName  = "fundledger.conf"
	// ArchiveConfFile is the file in the data directory, included by
	// fundledger.conf, where internal/backup keeps its settings (WAL
	// archiving, recovery). This package never writes it.
	ArchiveConfFile = "fundledger-archive.conf"
	logFileName     = "server.log"
)

// ErrNotTraversable is wrapped by the error Start returns when, running as
// root, a parent directory of the data directory cannot be entered by the
// postgres user.
var ErrNotTraversable = errors.New("directory not traversable by the server user")

// Options configure Start.
type Options struct {
	// DataDir is the cluster directory (PG_VERSION, postgresql.conf, ...).
	// It is created and initialised if it does not hold a cluster yet.
	// Empty means DefaultDataDir().
	DataDir string
	// Fsync enables fsync. When false, synchronous_commit and
	// full_page_writes are turned off too: fast, but a crash of the machine
	// (not of the server) can lose or corrupt data. Use false for tests.
	Fsync bool
	// Port names the socket (.s.PGSQL.<port>); default 5432. No TCP port is
	// opened, so servers on different data directories never clash.
	Port int
	// Log receives progress messages and the output of initdb/pg_ctl.
	// Nil discards them. The server's own log is DataDir/server.log.
	Log io.Writer
}

// Server is a running cluster, started or adopted by Start.
type Server struct {
	DataDir   string // absolute
	SocketDir string // where the socket .s.PGSQL.<Port> lives
	Port      int
	PID       int // postmaster PID
	// Adopted is true when the server was already running and Start just
	// attached to it.
	Adopted bool

	bins Binaries
	as   *runAs
	log  io.Writer
}

// runAs is the unprivileged account programs are run as when we are root.
type runAs struct {
	name    string
	uid     int
	gid     int
	groups  map[int]bool
	runuser string
}

// DefaultDataDir returns the cluster directory fundledger uses when none is
// configured: $FUNDLEDGER_DATA if set; /var/lib/fundledger as root;
// otherwise $XDG_DATA_HOME/fundledger or ~/.local/share/fundledger.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("FUNDLEDGER_DATA"); d != "" {
		return filepath.Abs(d)
	}
	if os.Geteuid() == 0 {
		return "/var/lib/fundledger", nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "fundledger"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("pgserver: default data directory: %w (set FUNDLEDGER_DATA)", err)
	}
	return filepath.Join(home, ".local", "share", "fundledger"), nil
}

// SocketDir returns the socket directory Start uses for dataDir:
// /tmp/fundledger-<first 8 hex digits of sha256(absolute dataDir)>. It is
// short because a unix socket path is limited to 107 bytes.
func SocketDir(dataDir string) string {
	abs, err := absDataDir(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	return "/tmp/fundledger-" + hex.EncodeToString(sum[:])[:8]
}

// Start returns a running server on opts.DataDir: it adopts a server that
// is already running there (e.g. left by an earlier or killed process),
// otherwise it initialises the directory if needed and starts one with
// pg_ctl. The server keeps running after this process exits; call Stop to
// stop it. An adopted server keeps the settings it was started with (its
// socket directory and port are read from postmaster.pid); Fsync and Port
// take effect at the next real start. Start calls from several processes
// on one data directory are serialised with a lock on the directory.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return nil, err
		}
		opts.DataDir = d
	}
	dataDir, err := absDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if opts.Port == 0 {
		opts.Port = DefaultPort
	}
	if opts.Port < 1 || opts.Port > 65535 {
		return nil, fmt.Errorf("pgserver: invalid port %d", opts.Port)
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}

	bins, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	as, err := currentRunAs()
	if err != nil {
		return nil, err
	}
	s := &Server{DataDir: dataDir, Port: opts.Port, bins: bins, as: as, log: logw}

	if as != nil {
		// Check before creating anything, and again after creating
		// missing parents (a restrictive umask could make them unusable).
		if err := as.checkParents(dataDir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return nil, fmt.Errorf("pgserver: create parent of data directory: %w", err)
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("pgserver: create data directory: %w", err)
	}
	if as != nil {
		if err := as.checkParents(dataDir); err != nil {
			return nil, err
		}
		if err := os.Lchown(dataDir, as.uid, as.gid); err != nil {
			return nil, fmt.Errorf("pgserver: chown data directory to %s: %w", as.name, err)
		}
	}

	unlock, err := lockDir(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Adopt a running server, or wait for one that is starting/stopping.
	st, err := s.waitSettled(ctx)
	if err != nil {
		return nil, err
	}
	if st.Running {
		fmt.Fprintf(logw, "pgserver: adopted running server (PID %d) on %s\n", st.PID, dataDir)
		s.adopt(st)
		if err := s.secureAdopted(ctx); err != nil {
			return nil, err
		}
		return s, nil
	}
	if st.stalePID != 0 {
		// postgres would refuse to start: the PID in the lock file belongs
		// to another program now (PID reuse after a crash or reboot).
		fmt.Fprintf(logw, "pgserver: removing stale postmaster.pid (PID %d is not a postgres process)\n", st.stalePID)
		if err := os.Remove(filepath.Join(dataDir, "postmaster.pid")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pgserver: remove stale postmaster.pid: %w", err)
		}
	}

	s.SocketDir = SocketDir(dataDir)
	if err := s.ensureSocketDir(); err != nil {
		return nil, err
	}

	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := s.initdb(ctx, opts.Fsync); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}

	if err := s.writeConfig(opts.Fsync); err != nil {
		return nil, err
	}
	if _, err := s.writeAccess(); err != nil {
		return nil, err
	}
	if as != nil {
		if err := chownTree(dataDir, as.uid, as.gid); err != nil {
			return nil, fmt.Errorf("pgserver: chown -R %s %s: %w", as.name, dataDir, err)
		}
	}

	if err := s.pgCtlStart(ctx); err != nil {
		// Another process may have won a race we could not see (e.g. a
		// server started by hand); adopt it if it is healthy.
		if st, serr := Status(dataDir); serr == nil && st.Running && s.ping(ctx, st) == nil {
			s.adopt(st)
			return s, nil
		}
		return nil, err
	}
	logFile := filepath.Join(dataDir, logFileName)

	st, err = Status(dataDir)
	if err != nil {
		return nil, err
	}
	if !st.Running {
		return nil, fmt.Errorf("pgserver: server exited right after starting%s", logTail(logFile))
	}
	if err := s.ping(ctx, st); err != nil {
		return nil, fmt.Errorf("pgserver: server started (PID %d) but does not answer on %s: %w%s",
			st.PID, st.SocketDir, err, logTail(logFile))
	}
	s.PID, s.SocketDir, s.Port = st.PID, st.SocketDir, st.Port
	return s, nil
}

// pgCtlStart runs pg_ctl start. When the previous postmaster was killed
// outright (SIGKILL, OOM killer) postgres refuses to start for a moment:
// the dead PID is not reaped yet, or its children are still attached to
// the old shared memory. Those refusals are retried for a bounded time.
func (s *Server) pgCtlStart(ctx context.Context) error {
	logFile := filepath.Join(s.DataDir, logFileName)
	deadline := time.Now().Add(startTimeout)
	for attempt := 1; ; attempt++ {
		fmt.Fprintf(s.log, "pgserver: starting server on %s (socket %s)\n", s.DataDir, s.SocketDir)
		var logStart int64
		if fi, err := os.Stat(logFile); err == nil {
			logStart = fi.Size()
		}
		out, err := s.run(ctx, startTimeout+15*time.Second, s.bins.PgCtl,
			"start", "-w", "-t", strconv.Itoa(int(startTimeout/time.Second)),
			"-D", s.DataDir, "-l", logFile)
		if err == nil {
			return nil
		}
		newLog := readFrom(logFile, logStart)
		// `lock file "postmaster.pid" already exists` (the dead PID is not
		// reaped yet), the same for the socket's lock file, or
		// `pre-existing shared memory block ... is still in use`.
		transient := (strings.Contains(newLog, "lock file") && strings.Contains(newLog, "already exists")) ||
			strings.Contains(newLog, "pre-existing shared memory block")
		if st, serr := Status(s.DataDir); serr != nil || st.Running {
			transient = false // a live server: the caller decides
		}
		if !transient || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("pgserver: pg_ctl start (attempt %d): %w\n%s%s", attempt, err, indent(out), logTail(logFile))
		}
		fmt.Fprintf(s.log, "pgserver: previous server has not finished exiting; retrying\n")
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// readFrom returns the content of path from byte offset off (at most 64 KiB).
func readFrom(path string, off int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b := make([]byte, 64<<10)
	n, _ := f.ReadAt(b, off)
	return string(b[:n])
}

// adopt points s at the running server st describes.
func (s *Server) adopt(st State) {
	s.PID, s.SocketDir, s.Port, s.Adopted = st.PID, st.SocketDir, st.Port, true
}

// waitSettled waits (bounded) until the data directory either has no live
// server or a server that answers on its socket. A server that is starting
// up, shutting down or recovering is waited for; one that never answers is
// an error rather than a reason to start a second server.
func (s *Server) waitSettled(ctx context.Context) (State, error) {
	deadline := time.Now().Add(startTimeout)
	for {
		st, err := Status(s.DataDir)
		if err != nil {
			return st, err
		}
		if !st.Running {
			return st, nil
		}
		pingErr := s.ping(ctx, st)
		if pingErr == nil {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("pgserver: a server (PID %d, state %q) is running on %s but does not answer on %s: %w%s",
				st.PID, st.pmStatus, s.DataDir, st.SocketDir, pingErr, logTail(filepath.Join(s.DataDir, logFileName)))
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("pgserver: waiting for server on %s: %w", s.DataDir, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ping connects to the "postgres" database over the socket st names.
func (s *Server) ping(ctx context.Context, st State) error {
	if st.Port == 0 {
		return errors.New("server has not published its socket yet")
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	db, err := sql.Open("postgres", connString(st.SocketDir, st.Port, "postgres")+" connect_timeout=3")
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

func (s *Server) initdb(ctx context.Context, fsync bool) error {
	fmt.Fprintf(s.log, "pgserver: initialising a new cluster in %s\n", s.DataDir)
	base := []string{"-D", s.DataDir, "-U", ServerUser, "--auth-local=peer", "--auth-host=reject", "-E", "UTF8"}
	if !fsync {
		base = append(base, "--no-sync")
	}
	// C.UTF-8 keeps byte-order (C) collation, which is stable across glibc
	// upgrades, while giving Unicode-aware upper()/lower(). Fall back to
	// --no-locale (plain C) where that locale does not exist; initdb
	// rejects an unknown locale before writing anything.
	out, err := s.run(ctx, initdbTimeout, s.bins.Initdb, append(base, "--locale=C.UTF-8")...)
	if err != nil && strings.Contains(out, "invalid locale") {
		fmt.Fprintf(s.log, "pgserver: locale C.UTF-8 unavailable, using --no-locale\n")
		out, err = s.run(ctx, initdbTimeout, s.bins.Initdb, append(base, "--no-locale")...)
	}
	if err != nil {
		return fmt.Errorf("pgserver: initdb %s: %w\n%s", s.DataDir, err, indent(out))
	}
	return nil
}

// writeConfig (re)writes fundledger.conf with the settings this package
// relies on and makes postgresql.conf include it, so a server started by
// hand with pg_ctl behaves the same. It is rewritten on every start so a
// changed Fsync or Port takes effect.
func (s *Server) writeConfig(fsync bool) error {
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	var b strings.Builder
	b.WriteString("# Written by fundledger (internal/pgserver) on every start; edits are overwritten.\n")
	b.WriteString("listen_addresses = ''\n")
	fmt.Fprintf(&b, "unix_socket_directories = '%s'\n", strings.ReplaceAll(s.SocketDir, "'", "''"))
	b.WriteString("unix_socket_permissions = 0700\n")
	fmt.Fprintf(&b, "port = %d\n", s.Port)
	fmt.Fprintf(&b, "fsync = %s\n", onOff(fsync))
	if !fsync {
		b.WriteString("synchronous_commit = off\n")
		b.WriteString("full_page_writes = off\n")
	}
	b.WriteString("max_connections = 200\n")
	b.WriteString("shared_buffers = 128MB\n")
	b.WriteString("logging_collector = off\n")
	// Settings of internal/backup (WAL archiving, recovery); last, so they win.
	fmt.Fprintf(&b, "include_if_exists = '%s'\n", ArchiveConfFile)
	conf := filepath.Join(s.DataDir, confFileName)
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("pgserver: write %s: %w", conf, err)
	}

	main := filepath.Join(s.DataDir, "postgresql.conf")
	content, err := os.ReadFile(main)
	if err != nil {
		return fmt.Errorf("pgserver: read postgresql.conf: %w", err)
	}
	include := "include_if_exists = '" + confFileName + "'"
	for _, line := range strings.Split(string(content), "\n") {
		if strings.TrimSpace(line) == include {
			return nil
		}
	}
	f, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgserver: update postgresql.conf: %w", err)
	}
	_, err = fmt.Fprintf(f, "\n# fundledger settings (must stay last to take precedence)\n%s\n", include)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgserver: update postgresql.conf: %w", err)
	}
	return nil
}

// ConnString returns a key/value DSN for database dbname that lib/pq and
// psql both accept, e.g.
// "host=/tmp/fundledger-1a2b3c4d port=5432 user=postgres dbname=ledger sslmode=disable".
func (s *Server) ConnString(dbname string) string {
	return connString(s.SocketDir, s.Port, dbname)
}

func connString(socketDir string, port int, dbname string) string {
	if port == 0 {
		port = DefaultPort
	}
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		dsnQuote(socketDir), port, ServerUser, dsnQuote(dbname))
}

// dsnQuote quotes a key/value DSN value when needed (libpq rules).
func dsnQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// EnsureDatabase creates database name if it does not exist. Concurrent
// callers are fine: losing the creation race counts as success.
func (s *Server) EnsureDatabase(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("pgserver: EnsureDatabase: empty database name")
	}
	db, err := sql.Open("postgres", s.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("pgserver: connect: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pgserver: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.SQLState() {
		case "42P04": // duplicate_database: someone else created it first
			return nil
		case "23505": // unique_violation on pg_database: same race, caught later
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("pgserver: create database %q: %w", name, err)
	}
	return nil
}

// Stop stops the server (fast shutdown: sessions are disconnected,
// transactions rolled back). Stopping a server that is not running is not
// an error.
func (s *Server) Stop(ctx context.Context) error {
	return Stop(ctx, s.DataDir)
}

// Stop stops the server running on dataDir, if any, with
// `pg_ctl stop -m fast` and waits for it to exit. It returns nil when no
// server is running there.
func Stop(ctx context.Context, dataDir string) error {
	dataDir, err := absDataDir(dataDir)
	if err != nil {
		return err
	}
	st, err := Status(dataDir)
	if err != nil {
		return err
	}
	if !st.Running {
		return nil
	}
	bins, err := FindBinaries()
	if err != nil {
		return err
	}
	as, err := currentRunAs()
	if err != nil {
		return err
	}
	unlock, err := lockDir(ctx, dataDir)
	if err != nil {
		return err
	}
	defer unlock()

	s := &Server{DataDir: dataDir, bins: bins, as: as, log: io.Discard}
	out, stopErr := s.run(ctx, stopTimeout+15*time.Second, bins.PgCtl,
		"stop", "-m", "fast", "-w", "-t", strconv.Itoa(int(stopTimeout/time.Second)), "-D", dataDir)
	if st2, err := Status(dataDir); err == nil && !st2.Running {
		// Stopped (possibly by someone else meanwhile). Remove our socket
		// directory if it is empty; never someone else's.
		if st.SocketDir == SocketDir(dataDir) {
			_ = os.Remove(st.SocketDir)
		}
		return nil
	}
	if stopErr == nil {
		stopErr = errors.New("server still running")
	}
	return fmt.Errorf("pgserver: pg_ctl stop %s: %w\n%s%s", dataDir, stopErr, indent(out),
		logTail(filepath.Join(dataDir, logFileName)))
}

// run runs a server program (as the postgres user when we are root) with
// a time limit, returning its combined output.
func (s *Server) run(ctx context.Context, timeout time.Duration, prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name, argv := prog, args
	if s.as != nil {
		name = s.as.runuser
		argv = append([]string{"-u", s.as.name, "--", prog}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	// "/" so that the postgres user never trips over an unreadable current
	// directory (e.g. /root).
	cmd.Dir = "/"
	var buf bytes.Buffer
	w := io.MultiWriter(&buf, s.log)
	cmd.Stdout, cmd.Stderr = w, w
	// Let runuser forward a polite signal instead of being SIGKILLed.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%s %s: %w (%v)", filepath.Base(prog), strings.Join(args, " "), ctx.Err(), err)
	} else if err != nil {
		err = fmt.Errorf("%s %s: %w", filepath.Base(prog), strings.Join(args, " "), err)
	}
	return buf.String(), err
}

// currentRunAs returns nil when programs run as the current user, or the
// postgres account when we are root (initdb and postgres refuse root).
func currentRunAs() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(ServerUser)
	if err != nil {
		return nil, fmt.Errorf("pgserver: running as root, the server must run as user %q, which was not found: %w "+
			"(install the server with apt-get install -y postgresql, or run as a normal user)", ServerUser, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgserver: user %q has non-numeric uid/gid %s/%s", ServerUser, u.Uid, u.Gid)
	}
	groups := map[int]bool{gid: true}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil {
				groups[n] = true
			}
		}
	}
	ru, err := exec.LookPath("runuser")
	if err != nil {
		for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"} {
			if isExecutable(p) {
				ru, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pgserver: running as root needs runuser (util-linux) to run the server as %q: %w", ServerUser, err)
	}
	return &runAs{name: ServerUser, uid: uid, gid: gid, groups: groups, runuser: ru}, nil
}

// checkParents checks that the server user can traverse every parent of
// dataDir. It does not change any permissions.
func (a *runAs) checkParents(dataDir string) error {
	for dir := filepath.Dir(dataDir); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if errors.Is(err, fs.ErrNotExist) && dir != filepath.Dir(dir) {
			continue // not created yet; checked again once it is
		}
		if err != nil {
			return fmt.Errorf("pgserver: %w", err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		var ok bool
		switch {
		case int(st.Uid) == a.uid:
			ok = mode&0o100 != 0
		case a.groups[int(st.Gid)]:
			ok = mode&0o010 != 0
		default:
			ok = mode&0o001 != 0
		}
		if !ok {
			return fmt.Errorf("pgserver: data directory %s is unusable: the server runs as user %q, which cannot enter %s "+
				"(mode %04o, owner uid %d): %w; put the data directory elsewhere (e.g. /var/lib/fundledger, "+
				"or set FUNDLEDGER_DATA) or grant access yourself (chmod o+x %s)",
				dataDir, a.name, dir, mode, st.Uid, ErrNotTraversable, dir)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// chownTree gives every file under root that is not already owned by uid
// to uid:gid (chown -R, without touching what is already right).
func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile (e.g. a temp file)
			}
			return err
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == uid && int(st.Gid) == gid {
			return nil
		}
		if err := os.Lchown(p, uid, gid); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

// lockDir takes an exclusive flock on the data directory so that only one
// process at a time initialises, starts or stops the cluster. Waiting is
// bounded by ctx and lockTimeout.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("pgserver: lock %s: %w", dir, err)
	}
	deadline := time.Now().Add(lockTimeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("pgserver: lock %s: %w", dir, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("pgserver: lock %s: another process has held it for %s", dir, lockTimeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("pgserver: lock %s: %w", dir, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func absDataDir(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("pgserver: empty data directory")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("pgserver: data directory %q: %w", dataDir, err)
	}
	return abs, nil
}

// logTail returns the last lines of the server log, formatted to append to
// an error message, or "" if there is none.
func logTail(path string) string {
	const maxBytes, maxLines = 8 << 10, 20
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	off := fi.Size() - maxBytes
	if off < 0 {
		off = 0
	}
	b := make([]byte, fi.Size()-off)
	n, _ := f.ReadAt(b, off)
	lines := strings.Split(strings.TrimRight(string(b[:n]), "\n"), "\n")
	if off > 0 && len(lines) > 1 {
		lines = lines[1:] // first line is probably cut
	}
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	if len(lines) == 0 || (len(lines) == 1 && lines[0] == "") {
		return ""
	}
	return "\nlast lines of " + path + ":\n" + indent(strings.Join(lines, "\n"))
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}
