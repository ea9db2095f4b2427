// Package web is fundledger's HTTP server: a JSON API under /api/ with
// bearer-token authentication (package access), stable error bodies,
// pagination and idempotency keys on every write; and the server-rendered
// browser UI (ui.go) with password sessions and CSRF tokens (session.go).
//
// Order of checks on every request: authentication (401), the role's right
// to write at all (403), the body and its Idempotency-Key (400), the
// resource (404), the resource's district (403), then the operation (409,
// 422). A denied request is logged and changes nothing.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
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
	mux    *http.ServeMux

	// The browser UI (ui.go, session.go).
	pages         map[string]*template.Template
	limiter       *limiter
	secureCookies bool
}

// New returns the server for the programme kept in db; log receives one
// structured line per denied or failed request (nil: slog.Default()).
func New(db *sqlx.DB, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{db: db, prog: funding.New(ledger.New(db)), access: access.New(db), log: log, mux: http.NewServeMux(), limiter: newLimiter()}
	for _, r := range s.routes() {
		h := r.handler
		if !r.public {
			h = s.authenticated(h)
		}
		s.mux.Handle(r.method+" "+r.path, h)
	}
	s.registerMoreAPI()
	s.registerWriteAPI()
	s.registerWriteAPI2()
	s.registerLedgerAPI()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &apiError{status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	s.registerUI()
	return s
}

// Handler is the server's handler, with the body size limit applied.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
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

// route is one endpoint; the OpenAPI document lists exactly these.
type route struct {
	method, path string
	public       bool
	handler      http.HandlerFunc
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "/api/openapi.json", true, s.openAPI},
		{"GET", "/api/districts", false, s.listDistricts},
		{"GET", "/api/projects", false, s.listProjects},
		{"GET", "/api/projects/{code}", false, s.getProject},
		{"GET", "/api/projects/{code}/report", false, s.projectReport},
		{"POST", "/api/receipts", false, s.postReceipt},
		{"POST", "/api/disbursements", false, s.postDisbursement},
		{"GET", "/api/reports/district", false, s.districtReport},
	}
}

type principalKey struct{}

func principal(r *http.Request) access.Principal {
	p, _ := r.Context().Value(principalKey{}).(access.Principal)
	return p
}

// authenticated requires "Authorization: Bearer <API token>".
func (s *Server) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.fail(w, r, &apiError{status: http.StatusUnauthorized, Code: "unauthenticated", Message: "an Authorization: Bearer token is required"})
			return
		}
		p, err := s.access.Authenticate(r.Context(), strings.TrimSpace(token), access.KindAPIToken)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// apiError is the body of every error: {"error": {code, message, field}}.
type apiError struct {
	status  int
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badRequest(code, field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: code, Field: field, Message: msg}
}

func invalid(field, msg string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Message: msg}
}

// errorMapping maps the named errors of the packages to status and code,
// first match wins.
var errorMapping = []struct {
	err    error
	status int
	code   string
}{
	{access.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{access.ErrDenied, http.StatusForbidden, "forbidden"},
	{access.ErrNotFound, http.StatusNotFound, "not_found"},
	{funding.ErrNotFound, http.StatusNotFound, "not_found"},
	{ledger.ErrNotFound, http.StatusNotFound, "not_found"},
	{ledger.ErrIdempotencyConflict, http.StatusConflict, "idempotency_conflict"},
	{funding.ErrExists, http.StatusConflict, "conflict"},
	{access.ErrExists, http.StatusConflict, "conflict"},
	{ledger.ErrAlreadyReversed, http.StatusConflict, "conflict"},
	{ledger.ErrAccountExists, http.StatusConflict, "conflict"},
	{ledger.ErrOverdraft, http.StatusUnprocessableEntity, "overdraft"},
	{funding.ErrNotEarmarked, http.StatusUnprocessableEntity, "not_earmarked"},
	{funding.ErrExceedsCommitment, http.StatusUnprocessableEntity, "exceeds_commitment"},
	{ledger.ErrPeriodClosed, http.StatusUnprocessableEntity, "period_closed"},
	{funding.ErrIneligible, http.StatusUnprocessableEntity, "ineligible"},
	{funding.ErrStatus, http.StatusUnprocessableEntity, "status"},
	{funding.ErrNoRuleSet, http.StatusUnprocessableEntity, "no_rule_set"},
	{ledger.ErrUnbalanced, http.StatusUnprocessableEntity, "unbalanced"},
	{ledger.ErrBookMismatch, http.StatusUnprocessableEntity, "invalid"},
	{funding.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{ledger.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{access.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{funding.ErrConsent, http.StatusUnprocessableEntity, "consent"},
	{funding.ErrConditionNotMet, http.StatusUnprocessableEntity, "condition_not_met"},
	{funding.ErrReserveShortfall, http.StatusUnprocessableEntity, "reserve_shortfall"},
	{funding.ErrExceedsProceeds, http.StatusUnprocessableEntity, "exceeds_proceeds"},
	{recon.ErrNotFound, http.StatusNotFound, "not_found"},
	{recon.ErrAlreadyMatched, http.StatusConflict, "conflict"},
	{recon.ErrRevoked, http.StatusConflict, "conflict"},
	{recon.ErrUnbalanced, http.StatusUnprocessableEntity, "unbalanced"},
	{recon.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
}

func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "request body larger than 1 MiB"}
	}
	for _, m := range errorMapping {
		if errors.Is(err, m.err) {
			return &apiError{status: m.status, Code: m.code, Message: err.Error()}
		}
	}
	return &apiError{status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
}

// fail writes the error body and logs denials and failures.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae := toAPIError(err)
	p := principal(r)
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", ae.status, "code", ae.Code,
		"user", p.User, "role", string(p.Role), "remote", r.RemoteAddr}
	switch {
	case ae.status == http.StatusForbidden:
		s.log.Warn("request denied", append(attrs, "reason", ae.Message)...)
	case ae.status == http.StatusUnauthorized:
		s.log.Warn("request unauthenticated", append(attrs, "reason", err.Error())...)
	case ae.status >= 500:
		s.log.Error("request failed", append(attrs, "error", err.Error())...)
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fundledger"`)
	}
	writeJSON(w, ae.status, map[string]*apiError{"error": ae})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
