package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fundledger/internal/pgserver"
)

// RestoreOptions say what to restore, from where, up to when.
type RestoreOptions struct {
	DataDir string // the embedded cluster's directory (replaced)
	Dir     string // the backup directory
	// Target is the moment to restore to: the books as they were then.
	// Nil restores everything archived.
	Target *time.Time
	Log    io.Writer
}

// Restored says what Restore did.
type Restored struct {
	Base       Base   // the base backup it started from
	MovedAside string // where the replaced data directory now is ("" if there was none)
	// ToEnd is true when all archived WAL was replayed: no Target, or no
	// transaction committed after it (then the state is the same).
	ToEnd  bool
	Server *pgserver.Server // the running, restored server
}

// errTargetNotReached: recovery ran out of WAL before a commit later than
// the target; every archived change then precedes the target.
var errTargetNotReached = errors.New("recovery ended before the target time")

// Restore replaces the embedded cluster in o.DataDir with the latest base
// backup that finished before o.Target, replays the archived WAL up to
// o.Target and starts the server. A running server is first made to
// archive its current WAL and stopped; the data directory it used is
// moved aside, never deleted.
func Restore(ctx context.Context, o RestoreOptions) (Restored, error) {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	dir, err := checkDir(o.Dir)
	if err != nil {
		return Restored{}, err
	}
	if o.Target != nil && o.Target.After(time.Now()) {
		return Restored{}, fmt.Errorf("backup: %s: %w", o.Target.UTC().Format(pgTimeLayout), ErrTargetInFuture)
	}
	bases, err := List(dir)
	if err != nil {
		return Restored{}, err
	}
	base, err := choose(bases, o.Target)
	if err != nil {
		return Restored{}, fmt.Errorf("backup: %s: %w", dir, err)
	}

	srv, err := pgserver.Open(o.DataDir, log)
	if err != nil {
		return Restored{}, fmt.Errorf("backup: %w", err)
	}
	if srv.PID != 0 {
		// Everything committed so far into the archive, then stop.
		if err := archiveNow(ctx, srv, dir); err != nil {
			fmt.Fprintf(log, "backup: warning: could not archive the current WAL before stopping: %v\n", err)
		}
		if err := pgserver.Stop(ctx, srv.DataDir); err != nil {
			return Restored{}, fmt.Errorf("backup: %w", err)
		}
	}
	res := Restored{Base: base}
	if _, err := os.Stat(srv.DataDir); err == nil {
		res.MovedAside = srv.DataDir + ".before-restore-" + time.Now().UTC().Format(stampLayout)
		if err := os.Rename(srv.DataDir, res.MovedAside); err != nil {
			return Restored{}, fmt.Errorf("backup: move the current data directory aside: %w", err)
		}
		fmt.Fprintf(log, "backup: the data directory being replaced is kept in %s\n", res.MovedAside)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Restored{}, fmt.Errorf("backup: %w", err)
	}

	target := o.Target
	res.Server, err = restoreInto(ctx, srv, dir, base, target, log)
	if errors.Is(err, errTargetNotReached) {
		fmt.Fprintf(log, "backup: nothing was committed after %s; restoring everything archived (the same books)\n",
			target.UTC().Format(pgTimeLayout))
		if err := os.RemoveAll(srv.DataDir); err != nil {
			return res, fmt.Errorf("backup: %w", err)
		}
		target = nil
		res.Server, err = restoreInto(ctx, srv, dir, base, nil, log)
	}
	if err != nil {
		return res, err
	}
	res.ToEnd = target == nil
	return res, nil
}

// choose picks the latest base backup that finished before target (the
// latest of all when target is nil).
func choose(bases []Base, target *time.Time) (Base, error) {
	if len(bases) == 0 {
		return Base{}, ErrNoBackup
	}
	if target == nil {
		return bases[len(bases)-1], nil
	}
	for i := len(bases) - 1; i >= 0; i-- {
		if !bases[i].Finished.After(*target) {
			return bases[i], nil
		}
	}
	return Base{}, fmt.Errorf("%w: the oldest finished at %s, after %s",
		ErrNoBackup, bases[0].Finished.Format(pgTimeLayout), target.UTC().Format(pgTimeLayout))
}

// restoreInto unpacks base into the (absent) data directory, sets up
// recovery and starts the server, waiting until recovery has ended.
func restoreInto(ctx context.Context, h *pgserver.Server, dir string, base Base, target *time.Time, log io.Writer) (*pgserver.Server, error) {
	if err := h.OwnDir(h.DataDir); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(log, "backup: unpacking base backup %s\n", base.Name)
	for _, x := range []struct{ archive, into string }{
		{"base.tar.gz", h.DataDir},
		{"pg_wal.tar.gz", filepath.Join(h.DataDir, "pg_wal")},
	} {
		out, err := h.Run(ctx, baseTimeout, "tar", "-xzf", filepath.Join(base.Dir, x.archive), "-C", x.into)
		if err != nil {
			return nil, fmt.Errorf("backup: unpack %s: %w\n%s", filepath.Join(base.Dir, x.archive), err, out)
		}
	}
	if _, err := h.WriteFile(pgserver.ArchiveConfFile, archiveSettings(dir, true, target)); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := h.WriteFile("recovery.signal", nil); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	logFile := filepath.Join(h.DataDir, "server.log")
	var logStart int64
	if fi, err := os.Stat(logFile); err == nil {
		logStart = fi.Size()
	}
	notReached := func() bool {
		b, err := os.ReadFile(logFile)
		return err == nil && int64(len(b)) >= logStart &&
			strings.Contains(string(b[logStart:]), "recovery ended before configured recovery target was reached")
	}
	fmt.Fprintf(log, "backup: replaying archived WAL")
	if target != nil {
		fmt.Fprintf(log, " up to %s", target.UTC().Format(pgTimeLayout))
	}
	fmt.Fprintln(log)
	srv, err := pgserver.Start(ctx, pgserver.Options{DataDir: h.DataDir, Fsync: true, Log: log})
	if err != nil {
		if notReached() {
			return nil, errTargetNotReached
		}
		return nil, fmt.Errorf("backup: start the restored server: %w", err)
	}
	deadline := time.Now().Add(recoveryWait)
	for {
		st, err := pgserver.Status(h.DataDir)
		if err == nil && !st.Running {
			if notReached() {
				return nil, errTargetNotReached
			}
			return nil, fmt.Errorf("backup: the restored server stopped during recovery%s", srv.LogTail())
		}
		inRecovery, qerr := queryString(ctx, srv, "SELECT pg_is_in_recovery()::text")
		if qerr == nil && inRecovery == "false" {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("backup: recovery still running after %s%s", recoveryWait, srv.LogTail())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	// Recovery is over: back to plain archiving (the restored history
	// continues on a new timeline in the same archive).
	if _, err := srv.WriteFile(pgserver.ArchiveConfFile, archiveSettings(dir, false, nil)); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := srv.Reload(ctx); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return srv, nil
}
