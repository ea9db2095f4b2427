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

// runUser runs the CLI with the user commands added (as main.go wires them).
func runUser(t *testing.T, url, stdin string, args ...string) (string, error) {
	t.Helper()
	a := &app{}
	root := a.rootCmd()
	if !hasCommand(root.Commands(), "user") {
		root.AddCommand(a.userCmd(), a.serveCmd())
	}
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"--database-url", url, "--actor", "cli-test"}, args...))
	err := root.Execute()
	if a.db != nil {
		a.db.Close()
	}
	return out.String(), err
}

func hasCommand[T interface{ Name() string }](cs []T, name string) bool {
	for _, c := range cs {
		if c.Name() == name {
			return true
		}
	}
	return false
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
