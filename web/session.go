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
	"strconv"
	"strings"
	"sync"
	"time"

	"fundledger/access"
)

// Session and login limits.
const (
	SessionTTL = 12 * time.Hour
	// Failed sign-ins of one user from one address: after
	// LoginFreeFailures the pair waits LoginBaseDelay, and each further
	// failure doubles the wait, up to LoginMaxDelay.
	LoginFreeFailures = 5
	LoginBaseDelay    = time.Minute
	LoginMaxDelay     = 15 * time.Minute
	// A much higher ceiling per address, whatever the user names (a
	// password sprayed over many users): after LoginIPCeiling failures the
	// whole address waits LoginWindow.
	LoginIPCeiling = 100
	LoginWindow    = 15 * time.Minute // failures are forgotten after this long without one
	LoginMaxKeys   = 10000            // bound of the limiter's memory
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
			if reason := s.crossOrigin(r); reason != "" {
				s.log.Warn("request denied", "method", r.Method, "path", r.URL.Path, "status", http.StatusForbidden,
					"user", p.User, "role", string(p.Role), "remote", r.RemoteAddr, "reason", reason)
				s.errorPage(w, r, http.StatusForbidden, "err.csrf")
				return
			}
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

// crossOrigin tells why a cookie-authenticated write did not come from this
// site ("" when it did): its Origin is another origin than the server's own
// (the scheme of the request or of the TLS proxy, and its Host), or, without
// an Origin, its Sec-Fetch-Site is cross-site or same-site. A request with
// neither header (an old browser, a script) is left to the CSRF token.
func (s *Server) crossOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.secureCookies {
		scheme = "https"
	}
	own := scheme + "://" + r.Host
	if o := r.Header.Get("Origin"); o != "" {
		if o != own {
			return "Origin " + o + " is not " + own
		}
		return ""
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
		return ""
	default:
		return "Sec-Fetch-Site: " + site
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
	if reason := s.crossOrigin(r); reason != "" {
		s.log.Warn("request denied", "method", r.Method, "path", r.URL.Path, "status", http.StatusForbidden,
			"remote", r.RemoteAddr, "reason", reason)
		s.errorPage(w, r, http.StatusForbidden, "err.csrf")
		return
	}
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
	if wait := s.limiter.loginWait(name, ip); wait > 0 {
		s.log.Warn("login rate-limited", "user", name, "remote", r.RemoteAddr, "wait_s", int(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		s.renderLogin(w, r, http.StatusTooManyRequests, loginData{User: name, Next: next, Error: "login.limited"})
		return
	}
	p, err := s.access.VerifyPassword(r.Context(), name, r.PostFormValue("password"))
	if err != nil {
		if !errors.Is(err, access.ErrUnauthenticated) {
			s.page500(w, r, err)
			return
		}
		s.limiter.loginFailed(name, ip)
		s.log.Warn("login failed", "user", name, "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, loginData{User: name, Next: next, Error: "login.wrong"})
		return
	}
	s.limiter.reset(pairKey(name, ip))
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

// limiter counts failed logins per key, in memory, for at most
// LoginMaxKeys keys (when full, forgotten keys are dropped first, then the
// one whose last failure is oldest). A key past its free failures is
// refused until a delay has passed; the delay doubles with each further
// failure, up to a maximum.
type limiter struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]*attempts
}

type attempts struct {
	last     time.Time // the last failure
	failures int
	until    time.Time // refused before this
}

func newLimiter() *limiter { return &limiter{now: time.Now, seen: map[string]*attempts{}} }

// stale tells whether a key can be forgotten: LoginWindow has passed
// since its last failure and since its wait ended.
func (a *attempts) stale(now time.Time) bool {
	return now.Sub(a.last) >= LoginWindow && now.Sub(a.until) >= LoginWindow
}

// wait is how long the key is still refused (0: allowed).
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.seen[key]
	if !ok {
		return 0
	}
	now := l.now()
	if a.stale(now) {
		delete(l.seen, key)
		return 0
	}
	return max(0, a.until.Sub(now))
}

// fail records a failure of key: once it has free failures the key waits
// base, doubled for each further failure, at most maxDelay.
func (l *limiter) fail(key string, free int, base, maxDelay time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a, ok := l.seen[key]
	if ok && a.stale(now) {
		ok = false
	}
	if !ok {
		if len(l.seen) >= LoginMaxKeys {
			l.dropOne(now)
		}
		a = &attempts{}
		l.seen[key] = a
	}
	a.failures++
	a.last = now
	if over := a.failures - free + 1; over > 0 {
		d := base
		for i := 1; i < over && d < maxDelay; i++ {
			d *= 2
		}
		a.until = now.Add(min(d, maxDelay))
	}
}

// dropOne makes room: every forgotten key, else the oldest.
func (l *limiter) dropOne(now time.Time) {
	var oldest string
	for k, a := range l.seen {
		if a.stale(now) {
			delete(l.seen, k)
		} else if oldest == "" || a.last.Before(l.seen[oldest].last) {
			oldest = k
		}
	}
	if len(l.seen) >= LoginMaxKeys {
		delete(l.seen, oldest)
	}
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

// The keys of a sign-in: the user at the address, and the address.
func pairKey(user, ip string) string { return "pair:" + ip + "\x00" + user }
func ipKey(ip string) string         { return "ip:" + ip }

// loginWait is how long a sign-in of user from ip must wait.
func (l *limiter) loginWait(user, ip string) time.Duration {
	return max(l.wait(pairKey(user, ip)), l.wait(ipKey(ip)))
}

// loginFailed records a failed sign-in.
func (l *limiter) loginFailed(user, ip string) {
	l.fail(pairKey(user, ip), LoginFreeFailures, LoginBaseDelay, LoginMaxDelay)
	l.fail(ipKey(ip), LoginIPCeiling, LoginWindow, LoginWindow)
}
