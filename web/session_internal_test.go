package web

import (
	"fmt"
	"testing"
	"time"
)

func TestLoginLimits(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := newLimiter()
	l.now = func() time.Time { return now }
	const ip, other = "10.0.0.7", "10.0.0.8"
	for range LoginFreeFailures {
		if w := l.loginWait("ann", ip); w != 0 {
			t.Fatalf("waiting %v before the free failures are used", w)
		}
		l.loginFailed("ann", ip)
	}
	// Growing delays for ann at ip: 1, 2, 4, 8, 15, 15 minutes.
	for i, want := range []time.Duration{1, 2, 4, 8, 15, 15} {
		if i > 0 {
			l.loginFailed("ann", ip)
		}
		if w := l.loginWait("ann", ip); w != want*time.Minute {
			t.Fatalf("after %d failures: wait %v, want %v", LoginFreeFailures+i, w, want*time.Minute)
		}
		// A locked user does not lock others behind the same address, nor
		// ann from another address.
		if w := l.loginWait("bob", ip); w != 0 {
			t.Fatalf("bob waits %v behind ann's address", w)
		}
		if w := l.loginWait("ann", other); w != 0 {
			t.Fatalf("ann waits %v at another address", w)
		}
		now = now.Add(want * time.Minute)
		if w := l.loginWait("ann", ip); w != 0 {
			t.Fatalf("ann still waits %v after the delay", w)
		}
	}
	// A success forgets the pair; so does a quiet window.
	l.reset(pairKey("ann", ip))
	if w := l.loginWait("ann", ip); w != 0 {
		t.Fatal("waiting after a success")
	}
	for range LoginFreeFailures + 1 {
		l.loginFailed("cy", ip)
	}
	now = now.Add(LoginMaxDelay + LoginWindow)
	l.loginFailed("cy", ip)
	if w := l.loginWait("cy", ip); w != 0 {
		t.Fatalf("a failure after a quiet window waits %v", w)
	}

	// The address's ceiling: many users, one failure each.
	l = newLimiter()
	l.now = func() time.Time { return now }
	for i := range LoginIPCeiling {
		if w := l.loginWait(fmt.Sprintf("u%d", i), ip); w != 0 {
			t.Fatalf("address refused after %d failures", i)
		}
		l.loginFailed(fmt.Sprintf("u%d", i), ip)
	}
	if w := l.loginWait("anyone", ip); w != LoginWindow {
		t.Fatalf("address at its ceiling: wait %v, want %v", w, LoginWindow)
	}
	if w := l.loginWait("anyone", other); w != 0 {
		t.Fatalf("another address waits %v", w)
	}
	if LoginIPCeiling < 10*LoginFreeFailures {
		t.Errorf("the address ceiling %d is not much higher than a user's %d", LoginIPCeiling, LoginFreeFailures)
	}

	// The map stays bounded: forgotten keys go first, then the oldest.
	l = newLimiter()
	l.now = func() time.Time { return now }
	for i := range LoginMaxKeys + 50 {
		now = now.Add(time.Millisecond)
		l.fail(fmt.Sprintf("k:%d", i), 1, time.Minute, time.Minute)
	}
	if n := l.size(); n > LoginMaxKeys {
		t.Fatalf("%d keys, bound %d", n, LoginMaxKeys)
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
