package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"fundledger/access"
	"fundledger/internal/pgtest"
)

func TestMain(m *testing.M) {
	access.BcryptCost = bcrypt.MinCost
	pgtest.Main(m)
}

func TestUsersPasswordsGrantsTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	s := access.New(db)

	if err := s.AddUser(ctx, "li.wei", access.DistrictOfficer, "correct horse battery", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "li.wei", access.Auditor, "", "admin"); !errors.Is(err, access.ErrExists) {
		t.Errorf("duplicate user: %v", err)
	}
	if err := s.AddUser(ctx, "Bad Name", access.Auditor, "", "admin"); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
	if err := s.AddUser(ctx, "shortpw", access.Auditor, "short", "admin"); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("short password: %v", err)
	}
	if err := s.AddUser(ctx, "norole", access.Role("admin"), "", "admin"); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("unknown role: %v", err)
	}
	if err := s.AddUser(ctx, "audit", access.Auditor, "", "admin"); err != nil {
		t.Fatal(err)
	}

	// Passwords: right one verifies, wrong ones, unknown users and users
	// without a password do not; the hash is bcrypt, never the password.
	if p, err := s.VerifyPassword(ctx, "li.wei", "correct horse battery"); err != nil || p.User != "li.wei" || p.Role != access.DistrictOfficer {
		t.Errorf("right password: %+v %v", p, err)
	}
	for _, c := range [][2]string{{"li.wei", "correct horse batterY"}, {"li.wei", ""}, {"nobody", "correct horse battery"}, {"audit", ""}} {
		if _, err := s.VerifyPassword(ctx, c[0], c[1]); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("verify %q/%q: %v", c[0], c[1], err)
		}
	}
	var stored string
	if err := db.Get(&stored, `SELECT password_hash FROM users WHERE name = 'li.wei'`); err != nil || !strings.HasPrefix(stored, "$2") || strings.Contains(stored, "horse") {
		t.Errorf("stored hash %q %v", stored, err)
	}
	if err := s.SetPassword(ctx, "li.wei", "another long secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyPassword(ctx, "li.wei", "correct horse battery"); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("old password after change: %v", err)
	}
	if _, err := s.VerifyPassword(ctx, "li.wei", "another long secret"); err != nil {
		t.Errorf("new password: %v", err)
	}

	// Grants are events; the latest per district decides.
	if err := s.Grant(ctx, "li.wei", "huancui", true, "", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, "li.wei", "huancui", true, "", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, "li.wei", "wendeng", true, "", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, "li.wei", "wendeng", false, "moved", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, "li.wei", "nowhere", true, "", "admin"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("unknown district: %v", err)
	}
	if err := s.Grant(ctx, "audit", "huancui", true, "", "admin"); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("grant to auditor: %v", err)
	}
	p, err := s.Principal(ctx, "li.wei")
	if err != nil {
		t.Fatal(err)
	}
	if !p.CanRead("huancui") || !p.CanWrite("huancui") || p.CanRead("wendeng") || p.CanWrite("rushan") {
		t.Errorf("officer rights: %+v", p)
	}
	var events int
	if err := db.Get(&events, `SELECT count(*) FROM user_grants WHERE user_name = 'li.wei'`); err != nil || events != 3 {
		t.Errorf("grant events: %d %v", events, err)
	}
	if _, err := db.Exec(`DELETE FROM user_grants`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("grants deletable: %v", err)
	}
	if _, err := db.Exec(`UPDATE users SET role = 'finance_bureau' WHERE name = 'li.wei'`); err == nil {
		t.Error("role changed in place")
	}
	a, _ := s.Principal(ctx, "audit")
	if !a.CanRead("rushan") || a.CanWrite("rushan") || a.CanWriteAny() {
		t.Errorf("auditor rights: %+v", a)
	}

	// Tokens: only the SHA-256 is stored; revoked and expired ones fail.
	tok, secret, err := s.IssueToken(ctx, "li.wei", access.KindAPIToken, "laptop", 0, "admin")
	if err != nil || !strings.HasPrefix(secret, access.TokenPrefix) || len(secret) < 40 {
		t.Fatalf("issue: %+v %q %v", tok, secret, err)
	}
	var leaked int
	if err := db.Get(&leaked, `SELECT count(*) FROM credentials WHERE position($1::bytea IN secret_hash) > 0 OR label = $2`, []byte(secret), secret); err != nil || leaked != 0 {
		t.Errorf("secret stored: %d %v", leaked, err)
	}
	if p, err := s.Authenticate(ctx, secret, access.KindAPIToken); err != nil || p.User != "li.wei" || p.Credential != tok.ID {
		t.Errorf("authenticate: %+v %v", p, err)
	}
	if _, err := s.Authenticate(ctx, secret, access.KindSession); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("token used as session: %v", err)
	}
	if _, err := s.Authenticate(ctx, secret+"x", access.KindAPIToken); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("wrong token: %v", err)
	}
	if err := s.Revoke(ctx, tok.ID, "lost", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, tok.ID, "again", "admin"); err != nil {
		t.Errorf("revoke twice: %v", err)
	}
	if err := s.Revoke(ctx, 999999, "", "admin"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
	if _, err := s.Authenticate(ctx, secret, access.KindAPIToken); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	sess, ssecret, err := s.IssueToken(ctx, "audit", access.KindSession, "", -1, "audit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, ssecret, access.KindSession); err != nil {
		t.Errorf("session without expiry: %v", err)
	}
	if err := s.RevokeSecret(ctx, ssecret, "audit"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, ssecret, access.KindSession); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("session after logout: %v", err)
	}
	toks, err := s.Tokens(ctx, "")
	if err != nil || len(toks) != 2 || toks[0].RevokedAt == nil || toks[1].ID != sess.ID {
		t.Errorf("tokens: %+v %v", toks, err)
	}
	if _, err := db.Exec(`DELETE FROM credential_revocations`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("revocation deletable: %v", err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[1].Name != "li.wei" || len(users[1].Districts) != 1 || !users[1].HasPassword || users[0].HasPassword {
		t.Errorf("users: %+v %v", users, err)
	}
}
