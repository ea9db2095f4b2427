package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"fundledger/access"
	"fundledger/internal/pgtest"
)

// TestExpiredTokenRefused: a token whose time is up is refused
// (ErrUnauthenticated), one that is still valid is accepted. The first is
// issued for one nanosecond: it has expired by the time it is presented.
func TestExpiredTokenRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := access.New(pgtest.DB(t))
	if err := s.AddUser(ctx, "zhao.min", access.FinanceBureau, "", "admin"); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{access.KindAPIToken, access.KindSession} {
		tok, secret, err := s.IssueToken(ctx, "zhao.min", kind, "short", time.Nanosecond, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresAt == nil {
			t.Fatalf("%s: no expiry recorded", kind)
		}
		if _, err := s.Authenticate(ctx, secret, kind); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("%s expired: %v, want ErrUnauthenticated", kind, err)
		}
		_, secret, err = s.IssueToken(ctx, "zhao.min", kind, "long", time.Hour, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := s.Authenticate(ctx, secret, kind); err != nil || p.User != "zhao.min" {
			t.Errorf("%s valid for an hour: %+v %v", kind, p, err)
		}
	}
}
