package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/peterldowns/pgtestdb"
)

func TestMain(m *testing.M) { Main(m) }

func TestParallelIsolation(t *testing.T) {
	for i := range 6 {
		t.Run(fmt.Sprintf("db%d", i), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := DB(t)

			// The migration ran in the template.
			var migrated bool
			if err := db.GetContext(ctx, &migrated,
				"SELECT to_regclass('public.goose_db_version') IS NOT NULL"); err != nil {
				t.Fatal(err)
			}
			if !migrated {
				t.Fatal("goose_db_version missing: migrations did not run")
			}
			var version int64
			if err := db.GetContext(ctx, &version,
				"SELECT max(version_id) FROM goose_db_version WHERE is_applied"); err != nil || version < 1 {
				t.Fatalf("applied version = %d, %v", version, err)
			}

			// Same table name in every database: no clash, own data only.
			if _, err := db.ExecContext(ctx, "CREATE TABLE scratch (owner int NOT NULL)"); err != nil {
				t.Fatalf("create table: %v", err)
			}
			if _, err := db.ExecContext(ctx, "INSERT INTO scratch VALUES ($1)", i); err != nil {
				t.Fatal(err)
			}
			var owners []int
			if err := db.SelectContext(ctx, &owners, "SELECT owner FROM scratch"); err != nil {
				t.Fatal(err)
			}
			if len(owners) != 1 || owners[0] != i {
				t.Fatalf("scratch = %v, want [%d]", owners, i)
			}
		})
	}
}

func TestDBWithURLSecondPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dsn := DBWithURL(t)
	if !strings.Contains(dsn, "dbname=") || !strings.Contains(dsn, "host=") {
		t.Fatalf("DSN = %q", dsn)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE shared (v int); INSERT INTO shared VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(DriverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	var v int
	if err := raw.QueryRowContext(ctx, "SELECT v FROM shared").Scan(&v); err != nil || v != 7 {
		t.Fatalf("second pool sees %d, %v", v, err)
	}

	// URL gives yet another, separate database.
	other, err := sql.Open(DriverName, URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	var exists bool
	if err := other.QueryRowContext(ctx, "SELECT to_regclass('public.shared') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatal("URL returned the same database as DBWithURL")
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		in   string
		want pgtestdb.Config
		dsn  string
	}{
		{
			in: "postgres://app:s3cr%40t@db.example:6543/ledger?sslmode=disable",
			want: pgtestdb.Config{Host: "db.example", Port: "6543", User: "app", Password: "s3cr%40t",
				Database: "ledger", Options: "sslmode=disable"},
			dsn: "host=db.example port=6543 user=app password=s3cr@t dbname=ledger sslmode=disable",
		},
		{
			in:   "postgresql://localhost/ledger",
			want: pgtestdb.Config{Host: "localhost", Port: "5432", Database: "ledger"},
			dsn:  "host=localhost port=5432 dbname=ledger",
		},
		{
			in:   "postgres://[::1]:5433/x",
			want: pgtestdb.Config{Host: "[::1]", Port: "5433", Database: "x"},
			dsn:  "host=::1 port=5433 dbname=x",
		},
		{
			in: "host=/tmp/fundledger-0123abcd port=5432 user=postgres dbname=postgres sslmode=disable",
			want: pgtestdb.Config{Port: "5432", User: "postgres", Database: "postgres",
				Options: "host=%2Ftmp%2Ffundledger-0123abcd&sslmode=disable"},
			dsn: "host=/tmp/fundledger-0123abcd port=5432 user=postgres dbname=postgres sslmode=disable",
		},
		{
			in: `user = 'o\'brien' password='with space' host=db dbname=l application_name=x`,
			want: pgtestdb.Config{Host: "db", Port: "5432", User: "o%27brien", Password: "with%20space",
				Database: "l", Options: "application_name=x"},
			dsn: `host=db port=5432 user='o\'brien' password='with space' dbname=l application_name=x`,
		},
	}
	for _, tt := range tests {
		got, err := ParseConfig(tt.in)
		if err != nil {
			t.Errorf("ParseConfig(%q): %v", tt.in, err)
			continue
		}
		tt.want.DriverName = DriverName
		tt.want.ForceTerminateConnections = true
		if got.Host != tt.want.Host || got.Port != tt.want.Port || got.User != tt.want.User ||
			got.Password != tt.want.Password || got.Database != tt.want.Database || got.Options != tt.want.Options ||
			got.DriverName != tt.want.DriverName || !got.ForceTerminateConnections {
			t.Errorf("ParseConfig(%q) =\n %+v\nwant\n %+v", tt.in, got, tt.want)
		}
		if _, err := url.Parse(got.URL()); err != nil {
			t.Errorf("pgtestdb URL %q does not parse: %v", got.URL(), err)
		}
		if d := DSN(got); d != tt.dsn {
			t.Errorf("DSN(ParseConfig(%q)) = %q, want %q", tt.in, d, tt.dsn)
		}
	}
	for _, bad := range []string{"host", "user='x", "postgres://%zz"} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("ParseConfig(%q) succeeded", bad)
		}
	}
}

func TestMigratorHashStable(t *testing.T) {
	a, err := migrator{}.Hash()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := migrator{}.Hash()
	if a != b || len(a) != 16 {
		t.Errorf("Hash = %q, %q", a, b)
	}
}

func TestDatabaseURLOverride(t *testing.T) {
	if os.Getenv("DATABASE_URL") != "" {
		t.Skip("DATABASE_URL is set; the throwaway-server path is not in use")
	}
	// The throwaway server listens on a unix socket only.
	conf := baseConfig(t)
	if conf.Host != "" || !strings.Contains(conf.Options, "host=%2Ftmp%2Ffundledger-") {
		t.Errorf("base config = %+v", conf)
	}
}
