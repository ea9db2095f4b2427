package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Who may connect. The cluster is reachable only through its unix socket
// (listen_addresses is empty), in a socket directory of mode 0700 owned by
// the server user, so other OS users cannot even reach the socket (root
// can). Behind that, pg_hba.conf admits the superuser only by peer
// authentication mapped (pg_ident.conf, map "fundledger") from the OS user
// that runs fundledger, the server user and root; any other database role
// (such as the test harness's per-database roles) needs its password
// (scram-sha-256). There is no secret on disk to leak or lose, and an
// existing data directory is brought to this state in place by Start.
const (
	hbaFileName   = "pg_hba.conf"
	identFileName = "pg_ident.conf"
	identMapName  = "fundledger"
	socketDirMode = 0o700
)

// ownerUsers returns the OS users that may connect as the superuser: root,
// the user running this process and, when that is root, the server user.
func (s *Server) ownerUsers() ([]string, error) {
	names := []string{"root"}
	add := func(n string) {
		for _, have := range names {
			if have == n {
				return
			}
		}
		names = append(names, n)
	}
	if s.as != nil {
		add(s.as.name)
		return names, nil
	}
	u, err := user.Current()
	if err != nil || u.Username == "" {
		return nil, fmt.Errorf("pgserver: the OS user running fundledger (uid %d) has no name; peer authentication needs one: %w",
			os.Geteuid(), err)
	}
	add(u.Username)
	return names, nil
}

// accessFiles returns the content of pg_hba.conf and pg_ident.conf.
func (s *Server) accessFiles() (hba, ident []byte, err error) {
	owners, err := s.ownerUsers()
	if err != nil {
		return nil, nil, err
	}
	var h strings.Builder
	h.WriteString("# Written by fundledger (internal/pgserver) on every start; edits are overwritten.\n")
	h.WriteString("# Unix socket only (listen_addresses is empty). The superuser is admitted only\n")
	h.WriteString("# as the OS users in pg_ident.conf (map " + identMapName + "); other roles need their password.\n")
	h.WriteString("# TYPE  DATABASE     USER      METHOD\n")
	fmt.Fprintf(&h, "local   all          %s  peer map=%s\n", ServerUser, identMapName)
	fmt.Fprintf(&h, "local   replication  %s  peer map=%s\n", ServerUser, identMapName)
	h.WriteString("local   all          all       scram-sha-256\n")
	var i strings.Builder
	i.WriteString("# Written by fundledger (internal/pgserver) on every start; edits are overwritten.\n")
	i.WriteString("# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\n")
	for _, o := range owners {
		fmt.Fprintf(&i, "%s  %s  %s\n", identMapName, o, ServerUser)
	}
	return []byte(h.String()), []byte(i.String()), nil
}

// writeAccess writes pg_hba.conf and pg_ident.conf, reporting whether
// either changed (a running server must then reload them).
func (s *Server) writeAccess() (changed bool, err error) {
	hba, ident, err := s.accessFiles()
	if err != nil {
		return false, err
	}
	for _, f := range []struct {
		name    string
		content []byte
	}{{hbaFileName, hba}, {identFileName, ident}} {
		c, err := s.writeDataFile(f.name, f.content)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	return changed, nil
}

// writeDataFile replaces a file in the data directory (mode 0600, owned by
// the server user) unless it already has this content.
func (s *Server) writeDataFile(name string, content []byte) (changed bool, err error) {
	path := filepath.Join(s.DataDir, name)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return false, nil
	}
	tmp := path + ".fundledger-tmp"
	if err := os.WriteFile(tmp, content, 0o600); err != nil {
		return false, fmt.Errorf("pgserver: write %s: %w", path, err)
	}
	if s.as != nil {
		if err := os.Lchown(tmp, s.as.uid, s.as.gid); err != nil {
			_ = os.Remove(tmp)
			return false, fmt.Errorf("pgserver: chown %s: %w", path, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return false, fmt.Errorf("pgserver: replace %s: %w", path, err)
	}
	return true, nil
}

// secureAdopted brings a server that was already running (perhaps started
// by an older fundledger with trust authentication and an open socket
// directory) to the access rules above: it closes the socket directory,
// rewrites pg_hba.conf and pg_ident.conf and makes the server reload them.
// The socket file's own mode (unix_socket_permissions) changes at the next
// restart; the closed directory already keeps others out.
func (s *Server) secureAdopted(ctx context.Context) error {
	if s.SocketDir == SocketDir(s.DataDir) {
		if err := s.ensureSocketDir(); err != nil {
			return err
		}
	}
	changed, err := s.writeAccess()
	if err != nil {
		return err
	}
	if !changed {
		return nil
	}
	fmt.Fprintf(s.log, "pgserver: access rules of the running server updated; reloading\n")
	return s.Reload(ctx)
}

// Reload makes the running server re-read its configuration files
// (pg_ctl reload, i.e. SIGHUP).
func (s *Server) Reload(ctx context.Context) error {
	out, err := s.run(ctx, 30*time.Second, s.bins.PgCtl, "reload", "-D", s.DataDir)
	if err != nil {
		return fmt.Errorf("pgserver: pg_ctl reload: %w\n%s", err, indent(out))
	}
	return nil
}

// ensureSocketDir creates the socket directory (mode 0700, owned by the
// server user) or checks that an existing one is ours and closes it: /tmp
// is shared, so a directory someone else owns is refused rather than used.
func (s *Server) ensureSocketDir() error {
	dir := s.SocketDir
	if err := os.Mkdir(dir, socketDirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgserver: create socket directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("pgserver: socket directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("pgserver: socket directory %s exists and is not a directory", dir)
	}
	uid, gid := os.Geteuid(), os.Getegid()
	if s.as != nil {
		uid, gid = s.as.uid, s.as.gid
	}
	owner := int(fi.Sys().(*syscall.Stat_t).Uid)
	switch {
	case owner == uid:
	case owner == 0 && os.Geteuid() == 0:
		if err := os.Lchown(dir, uid, gid); err != nil {
			return fmt.Errorf("pgserver: chown socket directory: %w", err)
		}
	default:
		return fmt.Errorf("pgserver: socket directory %s is owned by uid %d, not by the server user (uid %d); remove it",
			dir, owner, uid)
	}
	if fi.Mode().Perm() != socketDirMode {
		if err := os.Chmod(dir, socketDirMode); err != nil {
			return fmt.Errorf("pgserver: chmod socket directory: %w", err)
		}
	}
	return nil
}
