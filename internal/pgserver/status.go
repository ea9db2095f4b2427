package pgserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// State describes what Status found in a data directory.
type State struct {
	Running    bool   // a live postmaster owns the data directory
	PID        int    // postmaster PID (0 when not running)
	DataDir    string // absolute data directory
	SocketDir  string // socket directory in use (from postmaster.pid), or the one Start would use
	Port       int    // port (socket name suffix) in use, or 0 when unknown
	ConnString string // DSN for the "postgres" database; empty when not running

	// pmStatus is line 8 of postmaster.pid: "starting", "ready", "stopping"
	// or "standby" (empty for very old servers or a half-written file).
	pmStatus string
	// stalePID is set when postmaster.pid names a live process that is not
	// a postgres server (the PID was reused after a crash or reboot).
	stalePID int
}

// Status reports whether a server is running on dataDir by reading
// postmaster.pid and checking that the process it names is alive and is a
// postgres process, which is what `pg_ctl status` does (plus the PID-reuse
// check). It needs no server binaries and never starts anything. A missing
// data directory is simply "not running".
func Status(dataDir string) (State, error) {
	abs, err := absDataDir(dataDir)
	if err != nil {
		return State{}, err
	}
	st := State{DataDir: abs, SocketDir: SocketDir(abs)}

	pf, err := readPIDFile(filepath.Join(abs, "postmaster.pid"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("pgserver: status of %s: %w", abs, err)
	}
	if pf.pid <= 0 {
		// Being written right now or garbage; postgres itself treats a
		// garbled lock file as stale.
		return st, nil
	}
	switch processState(pf.pid) {
	case procDead:
		return st, nil
	case procOther:
		st.stalePID = pf.pid
		return st, nil
	}
	st.Running = true
	st.PID = pf.pid
	st.pmStatus = pf.status
	if pf.socketDir != "" {
		st.SocketDir = pf.socketDir
	}
	st.Port = pf.port
	st.ConnString = connString(st.SocketDir, st.Port, "postgres")
	return st, nil
}

type pidFile struct {
	pid       int
	dataDir   string
	port      int
	socketDir string
	status    string
}

// readPIDFile parses postmaster.pid. Its layout (see pidfile.h):
// 1 PID, 2 data dir, 3 start time, 4 port, 5 first socket dir,
// 6 first listen address, 7 shmem key, 8 status.
func readPIDFile(path string) (pidFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	line := func(i int) string {
		if i < len(lines) {
			return strings.TrimSpace(lines[i])
		}
		return ""
	}
	var pf pidFile
	pf.pid, _ = strconv.Atoi(line(0))
	pf.dataDir = line(1)
	pf.port, _ = strconv.Atoi(line(3))
	pf.socketDir = line(4)
	pf.status = line(7)
	return pf, nil
}

type procState int

const (
	procDead     procState = iota // no such process, or a zombie
	procPostgres                  // alive, and a postgres process (or unknown: no /proc)
	procOther                     // alive, but some other program
)

// processState tells whether pid is a live postgres process.
func processState(pid int) procState {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return procDead
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Stat("/proc/self"); err == nil {
				return procDead // /proc works, the process went away
			}
		}
		return procPostgres // cannot tell; trust kill(0)
	}
	// Format: "pid (comm) S ..."; comm may contain spaces and parens.
	s := string(stat)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 >= len(s) {
		return procPostgres
	}
	if s[end+2] == 'Z' || s[end+2] == 'X' {
		return procDead
	}
	comm := s[open+1 : end]
	if comm == "postgres" || comm == "postmaster" {
		return procPostgres
	}
	return procOther
}
