// Package replica sets up PostgreSQL's own streaming replication for
// fundledger's embedded cluster: a hot standby cloned from a running
// primary with pg_basebackup -R (which writes standby.signal and
// primary_conninfo), started with internal/pgserver, and a wait until the
// standby has replayed everything the primary had written. Reports and
// lists may then read from the standby (serve --read-database-url); every
// write still goes to the primary, and the standby refuses writes itself.
package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/internal/pgserver"
	"fundledger/migrations"
)

// ErrBehind is returned when a standby has not caught up in time.
var ErrBehind = errors.New("standby has not caught up")

// Limits.
const (
	cloneTimeout = 10 * time.Minute
	pollEvery    = 100 * time.Millisecond
)

// StartStandby clones the running primary into dataDir (which must not
// hold a cluster) with pg_basebackup, streaming the WAL written meanwhile,
// and starts it as a hot standby of the primary on port (the socket's
// name; no TCP port is opened).
func StartStandby(ctx context.Context, primary *pgserver.Server, dataDir string, port int, log io.Writer) (*pgserver.Server, error) {
	if _, err := os.Stat(dataDir + "/PG_VERSION"); err == nil {
		return nil, fmt.Errorf("replica: %s already holds a cluster", dataDir)
	}
	if err := primary.OwnDir(dataDir); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	out, err := primary.Run(ctx, cloneTimeout, primary.Program("pg_basebackup"),
		"-h", primary.SocketDir, "-p", fmt.Sprint(primary.Port), "-U", pgserver.ServerUser, "-w",
		"-D", dataDir, "-R", "-X", "stream", "-c", "fast", "--no-password")
	if err != nil {
		return nil, fmt.Errorf("replica: pg_basebackup: %w\n%s", err, out)
	}
	standby, err := pgserver.Start(ctx, pgserver.Options{DataDir: dataDir, Port: port, Log: log})
	if err != nil {
		return nil, fmt.Errorf("replica: start standby: %w", err)
	}
	return standby, nil
}

// WaitCaughtUp waits until the standby has replayed the primary's WAL up to
// where it was when called (so it sees every transaction committed before
// the call), or timeout passes (ErrBehind).
func WaitCaughtUp(ctx context.Context, primary, standby *sql.DB, timeout time.Duration) error {
	var target string
	if err := primary.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		return fmt.Errorf("replica: primary position: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var replayed sql.NullString
		var caught sql.NullBool
		if err := standby.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_replay_lsn() >= $1::pg_lsn`, target).
			Scan(&replayed, &caught); err != nil {
			return fmt.Errorf("replica: standby position: %w", err)
		}
		if caught.Valid && caught.Bool {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: replayed %s of %s after %s", ErrBehind, replayed.String, target, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// ErrNotStandby is returned by OpenStandby for a server that is not a hot
// standby in recovery, or whose schema is not the primary's.
var ErrNotStandby = errors.New("not a hot standby of this database")

// maxReadConns bounds the connections to a standby.
const maxReadConns = 20

// OpenStandby connects to a hot standby for reads and checks that it is
// one (in recovery) and that its schema version is the primary's: reports
// read there must use the same tables.
func OpenStandby(ctx context.Context, dsn string, primary *sqlx.DB) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("replica: open read database: %w", err)
	}
	db.SetMaxOpenConns(maxReadConns)
	var inRecovery bool
	if err := db.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil {
		db.Close()
		return nil, fmt.Errorf("replica: connect to read database: %w", err)
	}
	if !inRecovery {
		db.Close()
		return nil, fmt.Errorf("%w: the read database is not in recovery (give a standby made with pg_basebackup -R)", ErrNotStandby)
	}
	want, err := migrations.Version(ctx, primary.DB)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("replica: %w", err)
	}
	got, err := migrations.Version(ctx, db.DB)
	if err != nil || got != want {
		db.Close()
		return nil, fmt.Errorf("%w: its schema is at version %d (%v), the primary's at %d", ErrNotStandby, got, err, want)
	}
	return db, nil
}
