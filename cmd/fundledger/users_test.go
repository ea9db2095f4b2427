package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"fundledger/access"
	"fundledger/internal/pgtest"
)

// runUser runs the CLI with standard error left out of what it returns
// (a token printed is the whole output).
func runUser(t *testing.T, url, stdin string, args ...string) (string, error) {
	t.Helper()
	return execute(stdin, []string{"--database-url", url, "--actor", "cli-test"}, &bytes.Buffer{}, args...)
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	if _, err := runUser(t, url, "a long enough password\n", "user", "add", "li.wei", "--role", "district_officer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := runUser(t, url, "", "user", "add", "zhao", "--role", "root"); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
	if out, err := runUser(t, url, "", "user", "grant", "li.wei", "--district", "环翠区"); err != nil || !strings.Contains(out, "huancui") {
		t.Errorf("grant: %q %v", out, err)
	}
	tok, err := runUser(t, url, "", "user", "token", "li.wei", "--label", "laptop")
	tok = strings.TrimSpace(tok)
	if err != nil || !strings.HasPrefix(tok, access.TokenPrefix) {
		t.Fatalf("token: %q %v", tok, err)
	}
	out, err := runUser(t, url, "", "user", "list", "--format", "csv")
	if err != nil || !strings.Contains(out, "li.wei,district_officer,huancui,true,1,cli-test") {
		t.Errorf("list: %q %v", out, err)
	}
	db, err := sqlx.Open(pgtest.DriverName, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := access.New(db)
	ctx := context.Background()
	if p, err := s.Authenticate(ctx, tok, access.KindAPIToken); err != nil || !p.CanWrite("huancui") {
		t.Errorf("token from the CLI: %+v %v", p, err)
	}
	if _, err := s.VerifyPassword(ctx, "li.wei", "a long enough password"); err != nil {
		t.Errorf("password from stdin: %v", err)
	}
	if _, err := runUser(t, url, "", "user", "revoke-token", "1", "--reason", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok, access.KindAPIToken); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
}
