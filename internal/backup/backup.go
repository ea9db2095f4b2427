// Package backup owns the backups of fundledger's embedded cluster
// (internal/pgserver): continuous WAL archiving into a backup directory,
// base backups taken with PostgreSQL's pg_basebackup, and point-in-time
// restore (restore_command plus recovery_target_time) of the data
// directory from them. It uses only PostgreSQL's own tools.
//
// A backup directory holds
//
//	wal/                       every WAL segment the server completed since
//	                           archiving was switched on (archive_command),
//	                           gzipped: <segment>.gz
//	base/<UTC time>/           one base backup: base.tar.gz, pg_wal.tar.gz,
//	                           backup_manifest, and fundledger-backup.json
//	                           (when it started and finished)
//
// A restore can stop at any time after the end of the oldest base backup
// for which the WAL is complete. The data directory being replaced is
// moved aside (<data dir>.before-restore-<time>), never deleted.
package backup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver

	"fundledger/internal/pgserver"
)

// Named errors callers tell apart.
var (
	// ErrNoBackup: the backup directory holds no base backup (old enough
	// for the requested time).
	ErrNoBackup = errors.New("no base backup to restore from")
	// ErrUnsafePath: the backup directory's path has characters that
	// cannot go into archive_command safely.
	ErrUnsafePath = errors.New("backup directory path may not hold ' % \\ or control characters")
	// ErrTargetInFuture: the restore time is later than now.
	ErrTargetInFuture = errors.New("restore time is in the future")
)

const (
	walDirName     = "wal"
	baseDirName    = "base"
	infoFileName   = "fundledger-backup.json"
	stampLayout    = "20060102T150405Z"
	archiveTimeout = 60 // seconds: a quiet server still archives its WAL at least this often
	baseTimeout    = 30 * time.Minute
	archiveWait    = 60 * time.Second
	recoveryWait   = 10 * time.Minute
	pgTimeLayout   = "2006-01-02 15:04:05.999999-07:00"
)

// safePath: an absolute path that can be single-quoted for the shell and
// holds no % (archive_command's escape) or backslash.
var safePath = regexp.MustCompile(`^/[^'%\\\x00-\x1f\x7f]*$`)

// Base is one base backup in a backup directory.
type Base struct {
	Name     string    `json:"name"`     // directory name under base/
	Started  time.Time `json:"started"`  // before pg_basebackup began
	Finished time.Time `json:"finished"` // after it ended: the earliest time a restore may stop at
	Dir      string    `json:"-"`        // absolute path
}

// DefaultDir is the backup directory used when none is given:
// $FUNDLEDGER_BACKUP, else <data dir>-backup next to the data directory
// (put it on another disk for real protection).
func DefaultDir(dataDir string) (string, error) {
	if d := os.Getenv("FUNDLEDGER_BACKUP"); d != "" {
		return filepath.Abs(d)
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("backup: data directory %q: %w", dataDir, err)
	}
	return abs + "-backup", nil
}

func checkDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("backup: directory %q: %w", dir, err)
	}
	if !safePath.MatchString(abs) {
		return "", fmt.Errorf("backup: %s: %w", abs, ErrUnsafePath)
	}
	return abs, nil
}

// archiveSettings is the content of pgserver.ArchiveConfFile: archiving
// into dir, and, when restoring, where recovery finds WAL and where it stops.
func archiveSettings(dir string, restoring bool, target *time.Time) []byte {
	var b strings.Builder
	b.WriteString("# Written by fundledger (internal/backup); `fundledger backup` and `restore` rewrite it.\n")
	b.WriteString("archive_mode = on\n")
	fmt.Fprintf(&b, "archive_command = '%s'\n", confQuote(archiveCommand(dir)))
	fmt.Fprintf(&b, "archive_timeout = %d\n", archiveTimeout)
	if restoring {
		fmt.Fprintf(&b, "restore_command = '%s'\n", confQuote(restoreCommand(dir)))
		if target != nil {
			fmt.Fprintf(&b, "recovery_target_time = '%s'\n", target.UTC().Format(pgTimeLayout))
		}
		b.WriteString("recovery_target_action = 'promote'\n")
	}
	return []byte(b.String())
}

// archiveCommand compresses a completed WAL segment into dir/wal/<name>.gz
// (a segment closed early by archive_timeout is mostly padding and shrinks
// to almost nothing). It never overwrites a segment already archived, and
// writes, flushes, then renames so that a half-written file never carries
// a segment's name. dir has passed checkDir: it can be single-quoted.
func archiveCommand(dir string) string {
	w := "'" + filepath.Join(dir, walDirName) + "'/%f.gz"
	return fmt.Sprintf("test ! -f %[1]s && gzip -c %%p > %[1]s.part && sync %[1]s.part && mv %[1]s.part %[1]s", w)
}

// restoreCommand is archiveCommand's inverse, for recovery.
func restoreCommand(dir string) string {
	w := "'" + filepath.Join(dir, walDirName) + "'/%f.gz"
	return fmt.Sprintf("test -f %[1]s && gzip -dc %[1]s > %%p", w)
}

// confQuote escapes a value for a single-quoted postgresql.conf string.
func confQuote(v string) string { return strings.ReplaceAll(v, "'", "''") }

// Take switches on continuous archiving into dir (restarting the server
// the first time, as archive_mode only changes at start) and takes a base
// backup of the running server srv with pg_basebackup. It then checks that
// archiving works by archiving the current WAL segment.
func Take(ctx context.Context, srv *pgserver.Server, dir string, log io.Writer) (Base, error) {
	if log == nil {
		log = io.Discard
	}
	dir, err := checkDir(dir)
	if err != nil {
		return Base{}, err
	}
	for _, d := range []string{dir, filepath.Join(dir, walDirName), filepath.Join(dir, baseDirName)} {
		if err := srv.OwnDir(d); err != nil {
			return Base{}, fmt.Errorf("backup: %w", err)
		}
	}
	if err := enableArchiving(ctx, srv, dir, log); err != nil {
		return Base{}, err
	}

	started := time.Now().UTC()
	name := started.Format(stampLayout)
	final := filepath.Join(dir, baseDirName, name)
	partial := final + ".partial"
	_ = os.RemoveAll(partial)
	fmt.Fprintf(log, "backup: pg_basebackup into %s\n", final)
	out, err := srv.Run(ctx, baseTimeout, srv.Program("pg_basebackup"),
		"-h", srv.SocketDir, "-p", fmt.Sprint(srv.Port), "-U", pgserver.ServerUser, "-w",
		"-D", partial, "-Ft", "-z", "-X", "stream", "--checkpoint=fast", "-l", "fundledger "+name)
	if err != nil {
		_ = os.RemoveAll(partial)
		return Base{}, fmt.Errorf("backup: pg_basebackup: %w\n%s", err, out)
	}
	base := Base{Name: name, Started: started, Finished: time.Now().UTC(), Dir: final}
	info, _ := json.MarshalIndent(base, "", "  ")
	if err := os.WriteFile(filepath.Join(partial, infoFileName), append(info, '\n'), 0o600); err != nil {
		return Base{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(partial, final); err != nil {
		return Base{}, fmt.Errorf("backup: %w", err)
	}
	if err := srv.OwnDir(final); err != nil {
		return Base{}, fmt.Errorf("backup: %w", err)
	}
	if err := archiveNow(ctx, srv, dir); err != nil {
		return Base{}, err
	}
	return base, nil
}

// enableArchiving writes the archive settings and makes the server use
// them: a reload when archiving is on already, else a restart.
func enableArchiving(ctx context.Context, srv *pgserver.Server, dir string, log io.Writer) error {
	changed, err := srv.WriteFile(pgserver.ArchiveConfFile, archiveSettings(dir, false, nil))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	mode, err := queryString(ctx, srv, "SHOW archive_mode")
	if err != nil {
		return err
	}
	switch {
	case mode != "on":
		fmt.Fprintf(log, "backup: switching on WAL archiving into %s (restarts the database server once)\n", dir)
		if err := srv.Restart(ctx); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	case changed:
		fmt.Fprintf(log, "backup: archiving into %s from now on\n", dir)
		if err := srv.Reload(ctx); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		// A reload is asynchronous: wait until the new command is in force.
		want := archiveCommand(dir)
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err := queryString(ctx, srv, "SHOW archive_command")
			if err != nil {
				return err
			}
			if got == want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("backup: the server did not take the new archive_command%s", srv.LogTail())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// archiveNow closes the current WAL segment and waits until it is in the
// archive, so that everything committed so far can be restored.
func archiveNow(ctx context.Context, srv *pgserver.Server, dir string) error {
	seg, err := queryString(ctx, srv, "SELECT pg_walfile_name(pg_switch_wal())")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, walDirName, seg+".gz")
	deadline := time.Now().Add(archiveWait)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			failed, _ := queryString(ctx, srv, "SELECT coalesce(last_failed_wal, '') FROM pg_stat_archiver")
			return fmt.Errorf("backup: WAL segment %s did not reach %s within %s (last failed: %q); see the server log%s",
				seg, filepath.Dir(path), archiveWait, failed, srv.LogTail())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func queryString(ctx context.Context, srv *pgserver.Server, query string) (string, error) {
	db, err := sql.Open("postgres", srv.ConnString("postgres"))
	if err != nil {
		return "", fmt.Errorf("backup: connect: %w", err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRowContext(ctx, query).Scan(&s); err != nil {
		return "", fmt.Errorf("backup: %s: %w", query, err)
	}
	return s, nil
}

// List returns the base backups in dir, oldest first.
func List(dir string) ([]Base, error) {
	dir, err := checkDir(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, baseDirName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	var out []Base
	for _, e := range entries {
		if !e.IsDir() || strings.HasSuffix(e.Name(), ".partial") {
			continue
		}
		p := filepath.Join(dir, baseDirName, e.Name())
		b, err := os.ReadFile(filepath.Join(p, infoFileName))
		if err != nil {
			continue // not finished, or not ours
		}
		var base Base
		if err := json.Unmarshal(b, &base); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", filepath.Join(p, infoFileName), err)
		}
		base.Dir = p
		out = append(out, base)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Finished.Before(out[j].Finished) })
	return out, nil
}
