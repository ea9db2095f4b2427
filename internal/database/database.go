// Package database opens fundledger's database: the server named by a URL,
// or else the embedded default, a private PostgreSQL cluster started from the
// system's binaries in the data directory; and brings its schema up to date.
package database

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the "postgres" driver

	"fundledger/internal/pgserver"
	"fundledger/migrations"
)

// Name is the database fundledger uses in its embedded cluster.
const Name = "fundledger"

// Limits on the connection pool; the CLI needs few, the server more.
const (
	maxOpenConns    = 16
	connMaxIdleTime = 5 * time.Minute
	pingTimeout     = 15 * time.Second
)

// Options say where the database is.
type Options struct {
	URL     string    // DATABASE_URL or --database-url; empty: embedded default
	DataDir string    // embedded cluster's directory; empty: pgserver.DefaultDataDir()
	Log     io.Writer // progress of starting the embedded server
}

// Open connects, starting the embedded server when no URL is given, and
// applies pending migrations.
func Open(ctx context.Context, o Options) (*sqlx.DB, error) {
	dsn := o.URL
	if dsn == "" {
		srv, err := StartEmbedded(ctx, o)
		if err != nil {
			return nil, err
		}
		if err := srv.EnsureDatabase(ctx, Name); err != nil {
			return nil, fmt.Errorf("embedded database: %w", err)
		}
		dsn = srv.ConnString(Name)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	// Keep as many idle as may be open (database/sql keeps 2): a new
	// backend loads the catalogs and compiles the ledger's trigger
	// functions again, 100-150 ms on a loaded machine, which concurrent
	// posters paid at nearly every post.
	db.SetMaxIdleConns(maxOpenConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := migrations.Up(ctx, db.DB); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// StartEmbedded starts (or adopts) the embedded cluster, durable (fsync on).
func StartEmbedded(ctx context.Context, o Options) (*pgserver.Server, error) {
	dir := o.DataDir
	if dir == "" {
		var err error
		if dir, err = pgserver.DefaultDataDir(); err != nil {
			return nil, err
		}
	}
	srv, err := pgserver.Start(ctx, pgserver.Options{DataDir: dir, Fsync: true, Log: o.Log})
	if err != nil {
		return nil, fmt.Errorf("embedded database in %s: %w", dir, err)
	}
	return srv, nil
}

// DataDir returns the embedded cluster's directory for these options.
func DataDir(o Options) (string, error) {
	if o.DataDir != "" {
		return o.DataDir, nil
	}
	return pgserver.DefaultDataDir()
}
