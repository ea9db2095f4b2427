// Package migrations owns the database schema: numbered, forward-only SQL
// files embedded in the binary and applied with goose. A file that has
// landed on main is never edited; changes come as a new file.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed *.sql
var files embed.FS

// FS is the set of migration files, for tools that need to hash or list them.
func FS() fs.FS { return files }

// Up applies every migration not yet applied, in order, each in its own
// transaction. It is safe to call on every start: applied files are skipped.
func Up(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: apply: %w", err)
	}
	return nil
}

// Version reports the highest applied migration version.
func Version(ctx context.Context, db *sql.DB) (int64, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	return p.GetDBVersion(ctx)
}
