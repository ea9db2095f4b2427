// Package consolidation keeps a province's copy of its cities' books with
// PostgreSQL's own logical replication, and rolls them up there. Each city's
// cluster publishes every table of its database (Publish: wal_level =
// logical, one publication); the provincial cluster holds one database per
// city (city_<name>), made with the same migrations, emptied, and
// subscribed to that city's publication (Subscribe). A city that goes
// offline keeps its replication slot, so the province catches up when it is
// back. Consolidate then verifies each city's hash chain on the province's
// copy (ledger.Verify, read-only) and rolls its trial balance up by
// district (funding.TrialBalanceRollup), city by city.
package consolidation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundledger/funding"
	"fundledger/internal/pgserver"
	"fundledger/ledger"
	"fundledger/migrations"
)

// Publication is the name of a city's publication.
const Publication = "fundledger_city"

// Errors callers tell apart.
var (
	ErrCityName = errors.New("city name must be lower-case letters, digits and _ (at most 40), starting with a letter")
	ErrBehind   = errors.New("province has not caught up with the city")
)

var cityName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Database is the provincial database that holds a city's copy.
func Database(city string) string { return "city_" + city }

// Publish makes a city's cluster publish every table of its database
// dbname: wal_level = logical (a restart when it was not), replica
// identity FULL for a table without a primary key, and the publication.
// Publishing again changes nothing.
func Publish(ctx context.Context, srv *pgserver.Server, dbname string) error {
	db, err := sqlx.Open("postgres", srv.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("consolidation: %w", err)
	}
	defer db.Close()
	var level string
	if err := db.GetContext(ctx, &level, `SHOW wal_level`); err != nil {
		return fmt.Errorf("consolidation: %w", err)
	}
	if level != "logical" {
		if _, err := db.ExecContext(ctx, `ALTER SYSTEM SET wal_level = logical`); err != nil {
			return fmt.Errorf("consolidation: %w", err)
		}
		db.Close()
		if err := srv.Restart(ctx); err != nil {
			return fmt.Errorf("consolidation: restart for wal_level = logical: %w", err)
		}
	}
	city, err := sqlx.Open("postgres", srv.ConnString(dbname))
	if err != nil {
		return fmt.Errorf("consolidation: %w", err)
	}
	defer city.Close()
	var noKey []string
	if err := city.SelectContext(ctx, &noKey, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relreplident = 'd'
		  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)`); err != nil {
		return fmt.Errorf("consolidation: %w", err)
	}
	for _, t := range noKey {
		if _, err := city.ExecContext(ctx, `ALTER TABLE `+pq.QuoteIdentifier(t)+` REPLICA IDENTITY FULL`); err != nil {
			return fmt.Errorf("consolidation: %w", err)
		}
	}
	if _, err := city.ExecContext(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '`+Publication+`') THEN
			CREATE PUBLICATION `+Publication+` FOR ALL TABLES;
		END IF; END $$`); err != nil {
		return fmt.Errorf("consolidation: publish: %w", err)
	}
	return nil
}

// Subscribe creates the province's database for a city, with the schema
// of the migrations and no rows, and subscribes it to the city's
// publication at cityDSN (a connection string the provincial server can
// use). It returns the city's database in the province.
func Subscribe(ctx context.Context, province *pgserver.Server, city, cityDSN string) (*sqlx.DB, error) {
	if !cityName.MatchString(city) {
		return nil, fmt.Errorf("%w: %q", ErrCityName, city)
	}
	if err := province.EnsureDatabase(ctx, Database(city)); err != nil {
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	db, err := sqlx.Open("postgres", province.ConnString(Database(city)))
	if err != nil {
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	var subscribed bool
	if err := db.GetContext(ctx, &subscribed, `SELECT EXISTS (SELECT 1 FROM pg_subscription WHERE subname = $1)`, "fl_"+city); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	if subscribed {
		return db, nil
	}
	if err := migrations.Up(ctx, db.DB); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	// The migrations seed some rows (the annex's districts, the version
	// table); the city's copy brings its own. Emptied as the replication
	// apply writes: without user triggers.
	var tables []string
	if err := db.SelectContext(ctx, &tables, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: empty the copy: %w", err)
	}
	if err := tx.Commit(); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: %w", err)
	}
	// CREATE SUBSCRIPTION takes no parameters; the DSN is quoted as a literal.
	if _, err := db.ExecContext(ctx, `CREATE SUBSCRIPTION `+pq.QuoteIdentifier("fl_"+city)+` CONNECTION `+pq.QuoteLiteral(cityDSN)+
		` PUBLICATION `+Publication+` WITH (copy_data = true)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("consolidation: subscribe to %s: %w", city, err)
	}
	return db, nil
}

// WaitCaughtUp waits until the province's copy of a city holds everything
// the city had committed when called: every table copied, and the
// position the subscription has applied, as the city's WAL sender sees it
// (pg_stat_replication.replay_lsn, which PostgreSQL's own TAP tests
// wait on), past the city's WAL position then. The subscriber's
// latest_end_lsn is not enough: it is the end of WAL the city last
// reported, which can pass the target before the copy has applied it.
func WaitCaughtUp(ctx context.Context, cityDB, copyDB *sqlx.DB, city string, timeout time.Duration) error {
	var target string
	if err := cityDB.GetContext(ctx, &target, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return fmt.Errorf("consolidation: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var copied, applied bool
		if err := copyDB.GetContext(ctx, &copied, `SELECT NOT EXISTS (SELECT 1 FROM pg_subscription_rel WHERE srsubstate <> 'r')`); err != nil {
			return fmt.Errorf("consolidation: %w", err)
		}
		if err := cityDB.GetContext(ctx, &applied, `SELECT coalesce(bool_or(replay_lsn >= $2::pg_lsn AND state = 'streaming'), false)
			FROM pg_stat_replication WHERE application_name = $1`, "fl_"+city, target); err != nil {
			return fmt.Errorf("consolidation: %w", err)
		}
		if copied && applied {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s, WAL position %s, after %s", ErrBehind, city, target, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// CityReport is one city's part of the provincial consolidation.
type CityReport struct {
	City   string              `json:"city"`
	Verify ledger.VerifyReport `json:"verify"`
	Rollup []funding.Rollup    `json:"rollup"` // per book, by district (all of the city's provinces' nodes)
}

// Consolidate verifies each city's hash chain on the province's copy and
// rolls its books up by district, cities in name order.
func Consolidate(ctx context.Context, copies map[string]*sqlx.DB) ([]CityReport, error) {
	names := make([]string, 0, len(copies))
	for n := range copies {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []CityReport
	for _, name := range names {
		p := funding.New(ledger.New(copies[name]))
		rep := CityReport{City: name}
		var err error
		if rep.Verify, err = p.Ledger().Verify(ctx); err != nil {
			return out, fmt.Errorf("consolidation: verify %s: %w", name, err)
		}
		regions, err := funding.Regions(ctx, copies[name])
		if err != nil {
			return out, fmt.Errorf("consolidation: %s: %w", name, err)
		}
		seen := map[[2]string]bool{}
		for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
			for _, r := range regions {
				k := [2]string{r.Province, r.City}
				if seen[k] {
					continue
				}
				seen[k] = true
				ru, err := p.TrialBalanceRollup(ctx, funding.RollupRequest{Book: b, Province: r.Province, City: r.City})
				if err != nil {
					return out, fmt.Errorf("consolidation: %s: %w", name, err)
				}
				rep.Rollup = append(rep.Rollup, ru)
			}
			clear(seen)
		}
		out = append(out, rep)
	}
	return out, nil
}
