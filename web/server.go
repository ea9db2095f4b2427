// Package web is fundledger's HTTP server: a JSON API under /api/ whose
// every endpoint is a huma operation (api.go; one file per resource:
// projects, payments, periods, rulesets, reports, recon, bonds, grants,
// accounts, entries) with bearer tokens (package access), RFC 9457 error
// bodies in the request's language (messages.go), pagination and
// idempotency keys on every write, and a generated OpenAPI document; and
// the server-rendered browser UI (ui*.go) with password sessions, CSRF
// tokens and Origin checks (session.go).
//
// Order of checks on every API request: authentication (401), the role's
// right to write at all (403), the body's media type (415) and the
// Idempotency-Key (400), the body's shape (400) and values (422), the
// resource (404), the resource's district (403), then the operation (409,
// 422). A denied request is logged and changes nothing. Reads are narrowed
// to the caller's districts in the database (authorize.go: readScope).
package web

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jmoiron/sqlx"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
)

// Limits of the server.
const (
	MaxBodyBytes      = 1 << 20
	DefaultPageSize   = 100
	MaxPageSize       = 500
	MaxIdempotencyKey = 100
)

// Server serves the API of one programme.
type Server struct {
	db     *sqlx.DB
	prog   *funding.Programme
	access *access.Store
	log    *slog.Logger
	mux    *recordingMux
	api    huma.API

	// The browser UI (ui.go, session.go).
	pages         map[string]*template.Template
	limiter       *limiter
	secureCookies bool

	// reads routes the API's read operations (GET and HEAD) to a view of
	// the server on a hot standby (ReadFrom); nil: everything is served here.
	reads *http.ServeMux
}

// New returns the server for the programme kept in db; log receives one
// structured line per denied or failed request (nil: slog.Default()).
func New(db *sqlx.DB, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{db: db, prog: funding.New(ledger.New(db)), access: access.New(db), log: log,
		mux: &recordingMux{ServeMux: http.NewServeMux()}, limiter: newLimiter()}
	s.registerAPI()
	s.registerUI()
	return s
}

// registerAPI registers every API operation on the server's own mux.
func (s *Server) registerAPI() {
	s.api = s.newAPI()
	s.registerDocument()
	s.registerProjects()
	s.registerPayments()
	s.registerPeriods()
	s.registerRuleSets()
	s.registerBudgets() // budgets.go
	s.registerReports()
	s.registerRecon()
	s.registerBonds()
	s.registerGrants()
	s.registerAccounts()
	s.registerEntries()
	s.registerLoans()
	s.mux.ServeMux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		p := notFound(r.Method + " " + r.URL.Path).fill(acceptLanguage(r.Header.Get("Accept-Language")))
		p.Code = "not_found"
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(p)
	})
}

// ReadFrom sends the API's read operations (reports and lists: GET and
// HEAD of every operation of kind read) to rdb, a hot standby of the
// server's database (internal/replica checks it is one): they are served
// by a second view of the server whose programme reads rdb, while the
// bearer token is still checked (and touched) on the primary. Writes, the
// OpenAPI document and the browser pages (which read their own writes
// after a POST) stay on the primary.
func (s *Server) ReadFrom(rdb *sqlx.DB) {
	r := &Server{db: rdb, prog: funding.New(ledger.New(rdb)), access: s.access, log: s.log,
		mux: &recordingMux{ServeMux: http.NewServeMux()}, limiter: s.limiter, secureCookies: s.secureCookies}
	r.registerAPI()
	reads := http.NewServeMux()
	for path, item := range s.api.OpenAPI().Paths {
		if item.Get == nil {
			continue
		}
		if kind, _ := item.Get.Metadata[metaKind].(opKind); kind == opRead {
			reads.Handle(http.MethodGet+" "+path, r.mux) // GET patterns match HEAD too
		}
	}
	s.reads = reads
}

// Handler is the server's handler, with the body size limit applied.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if s.reads != nil {
			if h, pattern := s.reads.Handler(r); pattern != "" {
				h.ServeHTTP(w, r)
				return
			}
		}
		s.mux.ServeHTTP(w, r)
	})
}

// HTTPServer is an http.Server for addr with timeouts set.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
