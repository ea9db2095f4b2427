package pgserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// What other packages (internal/backup) need to work on a cluster as its
// owner: run the server's programs as the server user, give directories to
// that user, and restart or reload the server.

// Open returns a handle on the cluster in dataDir without starting or
// adopting a server: enough to run programs as the server user, prepare
// directories and call Stop. PID, SocketDir and Port are those of a server
// running there, if any.
func Open(dataDir string, log io.Writer) (*Server, error) {
	abs, err := absDataDir(dataDir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = io.Discard
	}
	bins, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	as, err := currentRunAs()
	if err != nil {
		return nil, err
	}
	s := &Server{DataDir: abs, SocketDir: SocketDir(abs), Port: DefaultPort, bins: bins, as: as, log: log}
	if st, err := Status(abs); err == nil && st.Running {
		s.adopt(st)
	}
	return s, nil
}

// Program returns the path of a PostgreSQL program (pg_basebackup,
// pg_verifybackup, ...) of the same installation as the server.
func (s *Server) Program(name string) string {
	return filepath.Join(s.bins.Dir, name)
}

// Run runs a program as the server user (directly when this process is not
// root) with a time limit, returning its combined output.
func (s *Server) Run(ctx context.Context, timeout time.Duration, prog string, args ...string) (string, error) {
	return s.run(ctx, timeout, prog, args...)
}

// WriteFile replaces a file in the data directory (mode 0600, owned by the
// server user) unless it already has this content, and reports whether it
// changed.
func (s *Server) WriteFile(name string, content []byte) (bool, error) {
	return s.writeDataFile(name, content)
}

// OwnDir creates dir (and its parents) if needed, mode 0700, and makes it,
// with everything in it, belong to the server user; when this process is
// root it first checks that the server user can reach it.
func (s *Server) OwnDir(dir string) error {
	if s.as != nil {
		if err := s.as.checkParents(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgserver: create parent of %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgserver: create %s: %w", dir, err)
	}
	if s.as != nil {
		if err := s.as.checkParents(dir); err != nil {
			return err
		}
		if err := chownTree(dir, s.as.uid, s.as.gid); err != nil {
			return fmt.Errorf("pgserver: chown -R %s %s: %w", s.as.name, dir, err)
		}
	}
	return nil
}

// Restart restarts the running server (fast shutdown, then start), for
// settings that only take effect at server start. Sessions are cut.
func (s *Server) Restart(ctx context.Context) error {
	unlock, err := lockDir(ctx, s.DataDir)
	if err != nil {
		return err
	}
	defer unlock()
	logFile := filepath.Join(s.DataDir, logFileName)
	out, err := s.run(ctx, stopTimeout+startTimeout+15*time.Second, s.bins.PgCtl,
		"restart", "-m", "fast", "-w", "-t", strconv.Itoa(int(startTimeout/time.Second)),
		"-D", s.DataDir, "-l", logFile)
	if err != nil {
		return fmt.Errorf("pgserver: pg_ctl restart: %w\n%s%s", err, indent(out), logTail(logFile))
	}
	st, err := Status(s.DataDir)
	if err != nil {
		return err
	}
	if !st.Running {
		return fmt.Errorf("pgserver: server exited right after restarting%s", logTail(logFile))
	}
	s.PID, s.SocketDir, s.Port = st.PID, st.SocketDir, st.Port
	return nil
}

// LogTail returns the last lines of the server log, for error messages.
func (s *Server) LogTail() string {
	return logTail(filepath.Join(s.DataDir, logFileName))
}
