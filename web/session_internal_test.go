package web

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterWindowAndBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := newLimiter()
	l.now = func() time.Time { return now }
	for range LoginMaxFailures {
		if !l.allowed("user:a") {
			t.Fatal("refused before the limit")
		}
		l.fail("user:a")
	}
	if l.allowed("user:a") {
		t.Fatal("allowed after the limit")
	}
	now = now.Add(LoginWindow)
	if !l.allowed("user:a") {
		t.Fatal("still refused after the window")
	}
	// The map stays bounded: expired windows go first, then the oldest.
	for i := range LoginMaxKeys + 50 {
		now = now.Add(time.Millisecond)
		l.fail(fmt.Sprintf("ip:%d", i))
	}
	if n := l.size(); n > LoginMaxKeys {
		t.Fatalf("%d keys, bound %d", n, LoginMaxKeys)
	}
	if l.allowed("ip:0") != true {
		t.Error("the oldest key was not the one dropped")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/districts/x": "/districts/x", "//evil.example": "/", "/\\evil": "/",
		"https://evil.example": "/", "": "/", "/a\r\nSet-Cookie: x": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q", in, got)
		}
	}
}
