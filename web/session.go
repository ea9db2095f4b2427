package web

// Browser sessions: password login, the session cookie, logout, CSRF
// tokens on every form and the login rate limit.
//
// The session cookie holds a credential secret of kind "session" (only its
// SHA-256 is stored, by package access). Every form carries a synchroniser
// token derived from the session secret (SHA-256 with a fixed label: it
// reveals nothing of the secret, survives a restart of the server and dies
// with the session). The login form, which has no session yet, uses a
// double-submit token: a random value in a short-lived cookie that the form
// must repeat. Cookies are HttpOnly, SameSite=Strict, Path=/, and Secure
// when the request came over TLS or the server was told it sits behind a
// TLS proxy (SecureCookies).

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"fundledger/access"
)

// Session and login limits.
const (
	SessionTTL       = 12 * time.Hour
	LoginMaxFailures = 5                // failed logins per user or per remote address…
	LoginWindow      = 15 * time.Minute // …within this window, then 429 until it has passed
	LoginMaxKeys     = 10000            // bound of the limiter's memory
)

// Cookie and form field names.
const (
	sessionCookie = "fl_session"
	loginCookie   = "fl_login" // double-submit CSRF value of the login form
	langCookie    = "fl_lang"
	csrfField     = "csrf"
)

// SecureCookies marks every cookie Secure even on plain HTTP requests: for a
// server behind a TLS-terminating proxy. (Requests over TLS get Secure
// cookies anyway.)
func (s *Server) SecureCookies(on bool) { s.secureCookies = on }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies || r.TLS != nil})
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfFor is the synchroniser token of a session secret.
func csrfFor(secret string) string {
	h := sha256.Sum256([]byte("fundledger csrf v1\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// session is the browser session of a request.
type session struct {
	secret string
	csrf   string
}

type sessionKey struct{}

func sessionOf(r *http.Request) session {
	s, _ := r.Context().Value(sessionKey{}).(session)
	return s
}

// browser requires a valid session cookie: a GET without one is sent to the
// login page, anything else gets 401. Every non-GET must carry the session's
// CSRF token in the form (403 otherwise, before anything else is looked at).
func (s *Server) browser(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var p access.Principal
		if err == nil {
			p, err = s.access.Authenticate(r.Context(), c.Value, access.KindSession)
		}
		if err != nil {
			if !errors.Is(err, http.ErrNoCookie) && !errors.Is(err, access.ErrUnauthenticated) {
				s.page500(w, r, err)
				return
			}
			if c != nil {
				s.setCookie(w, r, sessionCookie, "", -1)
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.log.Warn("browser request unauthenticated", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			s.errorPage(w, r, http.StatusUnauthorized, "err.unauthenticated")
			return
		}
		sess := session{secret: c.Value, csrf: csrfFor(c.Value)}
		ctx := context.WithValue(context.WithValue(r.Context(), principalKey{}, p), sessionKey{}, sess)
		r = r.WithContext(ctx)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameToken(r.PostFormValue(csrfField), sess.csrf) {
				s.log.Warn("request denied", "method", r.Method, "path", r.URL.Path, "status", http.StatusForbidden,
					"user", p.User, "role", string(p.Role), "remote", r.RemoteAddr, "reason", "missing or wrong CSRF token")
				s.errorPage(w, r, http.StatusForbidden, "err.csrf")
				return
			}
		}
		next(w, r)
	}
}

// safeNext keeps a post-login redirect on this site.
func safeNext(v string) string {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/\\") || strings.ContainsAny(v, "\r\n") {
		return "/"
	}
	return v
}

type loginData struct {
	User, Next, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := s.access.Authenticate(r.Context(), c.Value, access.KindSession); err == nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	s.renderLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// renderLogin shows the login form with a fresh double-submit token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	tok := randomToken()
	s.setCookie(w, r, loginCookie, tok, int((30 * time.Minute).Seconds()))
	s.render(w, r, status, "login.html", pageData{Title: "login.title", CSRF: tok, Data: d})
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), c.Value) {
		s.log.Warn("request denied", "method", r.Method, "path", r.URL.Path, "status", http.StatusForbidden,
			"remote", r.RemoteAddr, "reason", "missing or wrong CSRF token on login")
		s.errorPage(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("user"))
	next := safeNext(r.PostFormValue("next"))
	ip := remoteIP(r)
	userKey, ipKey := "user:"+name, "ip:"+ip
	if !s.limiter.allowed(userKey) || !s.limiter.allowed(ipKey) {
		s.log.Warn("login rate-limited", "user", name, "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", "900")
		s.renderLogin(w, r, http.StatusTooManyRequests, loginData{User: name, Next: next, Error: "login.limited"})
		return
	}
	p, err := s.access.VerifyPassword(r.Context(), name, r.PostFormValue("password"))
	if err != nil {
		if !errors.Is(err, access.ErrUnauthenticated) {
			s.page500(w, r, err)
			return
		}
		s.limiter.fail(userKey)
		s.limiter.fail(ipKey)
		s.log.Warn("login failed", "user", name, "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, loginData{User: name, Next: next, Error: "login.wrong"})
		return
	}
	s.limiter.reset(userKey)
	_, secret, err := s.access.IssueToken(r.Context(), p.User, access.KindSession, "browser "+ip, SessionTTL, p.User)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	s.setCookie(w, r, sessionCookie, secret, int(SessionTTL.Seconds()))
	s.log.Info("login", "user", p.User, "role", string(p.Role), "remote", r.RemoteAddr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout revokes the session (behind browser(): CSRF already checked).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := s.access.RevokeSecret(r.Context(), sessionOf(r).secret, p.User); err != nil && !errors.Is(err, access.ErrNotFound) {
		s.page500(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// limiter counts failed logins per key (user name, remote address) in a
// fixed window, in memory, for at most LoginMaxKeys keys: when full, expired
// windows are dropped first, then the oldest window.
type limiter struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

func newLimiter() *limiter { return &limiter{now: time.Now, seen: map[string]*window{}} }

func (l *limiter) allowed(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.seen[key]
	if !ok {
		return true
	}
	if l.now().Sub(w.start) >= LoginWindow {
		delete(l.seen, key)
		return true
	}
	return w.failures < LoginMaxFailures
}

func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if w, ok := l.seen[key]; ok && now.Sub(w.start) < LoginWindow {
		w.failures++
		return
	}
	if len(l.seen) >= LoginMaxKeys {
		var oldest string
		for k, w := range l.seen {
			if now.Sub(w.start) >= LoginWindow {
				delete(l.seen, k)
			} else if oldest == "" || w.start.Before(l.seen[oldest].start) {
				oldest = k
			}
		}
		if len(l.seen) >= LoginMaxKeys {
			delete(l.seen, oldest)
		}
	}
	l.seen[key] = &window{start: now, failures: 1}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, key)
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}
