package web

// The JSON API's one handler shape. Every endpoint under /api/ is a huma
// operation: a Go function from an input struct (path, query and header
// parameters and the body) to an output struct (status, headers, body).
// huma decodes and validates the input against the schema it derives from
// those types, encodes the output, and generates the OpenAPI document
// (GET /api/openapi.json) from the same types, so the document cannot drift
// from the code.
//
// What is the same for every operation lives here, once:
//   - the middleware (apiMiddleware): the bearer token (401), the role's
//     right to write at all or to do a bureau-only operation (403), the
//     body's media type (415) and the Idempotency-Key (400), in that order,
//     before the body is read;
//   - the error body: RFC 9457 problem+json, with the catalogue's message for
//     a person in the request's language (messages.go) as detail, a stable
//     code and the field at fault;
//   - the logging of denials and failures.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/amount"
	"fundledger/internal/jsoninput"
	"fundledger/ledger"
	"fundledger/requests"
)

// opKind is who may call an operation.
type opKind int

const (
	opPublic opKind = iota // no token (the OpenAPI document)
	opRead                 // any authenticated role
	opWrite                // finance bureau or district officer; Idempotency-Key required
	opBureau               // finance bureau only; Idempotency-Key required
)

// op describes one operation for register.
type op struct {
	method, path string
	kind         opKind
	what         string // what a bureau-only operation does, for the denial ("close periods")
	summary      string
	tag          string
	status       int // default success status (200 when 0)
}

const metaKind, metaWhat = "fundledger.kind", "fundledger.what"

// recordingMux records every pattern registered, so that a test can compare
// the routes served with the OpenAPI document.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

func (m *recordingMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// newAPI builds the huma API on the server's mux: no docs page, no schema
// routes, no $schema links in bodies; the document is an operation of its own.
func (s *Server) newAPI() huma.API {
	registry := huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg := huma.Config{
		OpenAPI: &huma.OpenAPI{
			OpenAPI: "3.1.0",
			Info: &huma.Info{Title: "fundledger", Version: "1",
				Description: roleDescription},
			Components: &huma.Components{Schemas: registry, SecuritySchemes: map[string]*huma.SecurityScheme{
				"bearer": {Type: "http", Scheme: "bearer", Description: "an API token (fundledger token issue)"}}},
		},
		Formats:       huma.DefaultFormats,
		DefaultFormat: "application/json",
	}
	api := humago.New(s.mux, cfg)
	api.UseMiddleware(s.apiMiddleware)
	return api
}

// schemaName is huma's name of a type, with "Request" after the shared
// request bodies (package requests), whose names are those of the
// resources they create (requests.Loan beside the loan answered).
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.PkgPath() == reflect.TypeFor[requests.Project]().PkgPath() {
		name += "Request"
	}
	return name
}

// roleDescription is what each role reads and writes (also in the README).
const roleDescription = `Every endpoint but this document needs "Authorization: Bearer <API token>".
Roles:
- finance_bureau reads every district and every city-wide aggregate, and writes everything: period close, rule sets, bonds, accounts, entries, evaluations and the pool;
- district_officer reads only the districts granted to it (accounts, entries, registers, balances, reports and exports are narrowed to them in the database; city-wide aggregates such as plan and bonds are refused) and writes projects, budgets, receipts, payments, grants, companies, loans (register, draw, prepay, reset the rate, accrue, pay, interest subsidies) and capital injections and uses of those districts (investment subsidies are the finance bureau's);
- auditor reads everything the finance bureau reads and writes nothing.
Every write needs an Idempotency-Key header (at most 80 printable ASCII characters, scoped to the user) and a JSON body sent as Content-Type: application/json (uploads name their own type).
Errors are RFC 9457 problem+json: detail is a message for a person in the language of Accept-Language (zh or en; zh by default), code is stable, field names the input at fault.`

// register adds one operation: h gets the decoded input and returns the
// output; every error it returns is mapped through the catalogue.
func register[I, O any](s *Server, o op, h func(context.Context, *I) (*O, error)) {
	hop := huma.Operation{
		OperationID:   operationID(o.method, o.path),
		Method:        o.method,
		Path:          o.path,
		Summary:       o.summary,
		DefaultStatus: o.status,
		MaxBodyBytes:  MaxBodyBytes,
		Metadata:      map[string]any{metaKind: o.kind, metaWhat: o.what},
	}
	if o.tag != "" {
		hop.Tags = []string{o.tag}
	}
	if o.kind != opPublic {
		hop.Security = []map[string][]string{{"bearer": {}}}
	}
	switch o.kind {
	case opWrite:
		hop.Description = "Finance bureau, or a district officer in a granted district. Needs an Idempotency-Key."
	case opBureau:
		hop.Description = "Finance bureau only. Needs an Idempotency-Key."
	}
	huma.Register(s.api, hop, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problemFor(ctx, err)
		}
		return out, nil
	})
}

// Request context.

type principalKey struct{}
type langKey struct{}
type reqKey struct{}
type writeKeyKey struct{}

// reqInfo is what the logs need of a request.
type reqInfo struct{ method, path, remote string }

func principalOf(ctx context.Context) access.Principal {
	p, _ := ctx.Value(principalKey{}).(access.Principal)
	return p
}

func principal(r *http.Request) access.Principal { return principalOf(r.Context()) }

func langOfCtx(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return langZh
}

// idemKey is the ledger idempotency key of a write: the Idempotency-Key
// header scoped to the user ("api/<user>/<key>").
func idemKey(ctx context.Context) string {
	k, _ := ctx.Value(writeKeyKey{}).(string)
	return k
}

// acceptLanguage picks zh or en from an Accept-Language header (zh when
// neither is named); the first of the two in the header wins.
func acceptLanguage(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return langZh
		case strings.HasPrefix(tag, "en"):
			return langEn
		}
	}
	return langZh
}

var keyRE = regexp.MustCompile(`^[\x21-\x7e]{1,80}$`)

// apiMiddleware runs before the body is read: authentication (401), the
// right to write (403), the media type (415), the Idempotency-Key (400).
func (s *Server) apiMiddleware(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	ctx = huma.WithValue(ctx, langKey{}, acceptLanguage(ctx.Header("Accept-Language")))
	ctx = huma.WithValue(ctx, reqKey{}, reqInfo{method: r.Method, path: r.URL.Path, remote: r.RemoteAddr})
	kind, _ := ctx.Operation().Metadata[metaKind].(opKind)
	if kind == opPublic {
		next(ctx)
		return
	}
	fail := func(err error) {
		p := s.problemFor(ctx.Context(), err)
		if p.Status == http.StatusUnauthorized {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="fundledger"`)
		}
		_ = huma.WriteErr(s.api, ctx, p.Status, p.Detail, p)
	}
	scheme, token, ok := strings.Cut(ctx.Header("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		fail(fmt.Errorf("%w: an Authorization: Bearer token is required", access.ErrUnauthenticated))
		return
	}
	p, err := s.access.Authenticate(ctx.Context(), strings.TrimSpace(token), access.KindAPIToken)
	if err != nil {
		fail(err)
		return
	}
	ctx = huma.WithValue(ctx, principalKey{}, p)
	if kind == opRead {
		next(ctx)
		return
	}
	if !p.CanWriteAny() {
		fail(fmt.Errorf("%w: %s (%s) may not write", access.ErrDenied, p.User, p.Role))
		return
	}
	if kind == opBureau && p.Role != access.FinanceBureau {
		what, _ := ctx.Operation().Metadata[metaWhat].(string)
		fail(fmt.Errorf("%w: %s (%s) may not %s", access.ErrDenied, p.User, p.Role, what))
		return
	}
	if err := checkMediaType(ctx.Operation(), r); err != nil {
		fail(err)
		return
	}
	if err := checkJSONText(r); err != nil {
		fail(err)
		return
	}
	k := ctx.Header("Idempotency-Key")
	if k == "" {
		fail(fieldErr(http.StatusBadRequest, "idempotency_key_required", "Idempotency-Key", "v.key_required"))
		return
	}
	if !keyRE.MatchString(k) {
		fail(fieldErr(http.StatusBadRequest, "bad_idempotency_key", "Idempotency-Key", "v.key_format"))
		return
	}
	ctx = huma.WithValue(ctx, writeKeyKey{}, "api/"+p.User+"/"+k)
	next(ctx)
}

// maxJSONBodyBytes bounds a JSON request body (uploads name other types).
const maxJSONBodyBytes = 8 << 20

// checkJSONText reads a JSON body and refuses text a decoder would change
// silently — bytes that are not UTF-8 and lone surrogates, both stored as
// U+FFFD otherwise — naming the line and column (jsoninput.CheckText);
// the operation then decodes the same bytes.
func checkJSONText(r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" || r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBodyBytes+1))
	r.Body.Close()
	if err != nil {
		return fmt.Errorf("read the body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) > maxJSONBodyBytes {
		return &http.MaxBytesError{Limit: maxJSONBodyBytes}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // the operation says what is missing
	}
	var je *jsoninput.Error
	if err := jsoninput.CheckText("body", body); errors.As(err, &je) {
		return &problem{Status: http.StatusBadRequest, Code: "bad_json", Field: "body", key: "v.bad_text", args: []any{je.Line, je.Col}}
	}
	return nil
}

// checkMediaType: a write that needs a body, or sends one, must name one
// of the operation's media types (application/json for a JSON body); a
// body without any Content-Type is refused too (415). An operation whose
// body is optional may be called with none.
func checkMediaType(o *huma.Operation, r *http.Request) error {
	if o.RequestBody == nil || len(o.RequestBody.Content) == 0 {
		return nil
	}
	if r.ContentLength == 0 && !o.RequestBody.Required {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil {
		for want := range o.RequestBody.Content {
			if mt == want || (want == "application/yaml" && (mt == "text/yaml" || mt == "application/x-yaml" || mt == "text/plain")) ||
				(want == "application/octet-stream") {
				return nil
			}
		}
	}
	wants := make([]string, 0, len(o.RequestBody.Content))
	for want := range o.RequestBody.Content {
		wants = append(wants, want)
	}
	return &problem{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", key: "v.media_type", args: []any{strings.Join(wants, ", ")}}
}

// Errors.

// problem is the body of every error (RFC 9457 problem+json) with two
// extensions: code (stable, for programs) and field (the input at fault).
type problem struct {
	Type   string        `json:"type"`
	Title  string        `json:"title"`
	Status int           `json:"status"`
	Detail string        `json:"detail"`
	Code   string        `json:"code"`
	Field  string        `json:"field,omitempty"`
	Errors []problemItem `json:"errors,omitempty"`

	key   string // catalogue key of the detail, when not the code's
	args  []any
	cause error
}

type problemItem struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

func (p *problem) Error() string {
	if p.cause != nil {
		return p.cause.Error()
	}
	if p.Detail != "" {
		return p.Detail
	}
	return p.Code
}
func (p *problem) Unwrap() error             { return p.cause }
func (p *problem) GetStatus() int            { return p.Status }
func (p *problem) ContentType(string) string { return "application/problem+json" }

// fieldErr is a refusal of one input field, with a catalogue message.
func fieldErr(status int, code, field, key string, args ...any) *problem {
	return &problem{Status: status, Code: code, Field: field, key: key, args: args}
}

// invalid is 422 for a field whose value is refused.
func invalid(field, key string, args ...any) *problem {
	return fieldErr(http.StatusUnprocessableEntity, "invalid", field, key, args...)
}

// badParam is 400 for a query or path parameter.
func badParam(field, key string, args ...any) *problem {
	return fieldErr(http.StatusBadRequest, "bad_parameter", field, key, args...)
}

// notFound is 404 for something the API itself looks up.
func notFound(what string) *problem {
	return &problem{Status: http.StatusNotFound, Code: "not_found", key: "v.no_such", args: []any{what}}
}

func conflict(cause error) *problem {
	return &problem{Status: http.StatusConflict, Code: "conflict", cause: cause}
}

// fill sets type, title and detail in the language.
func (p *problem) fill(lang string) *problem {
	p.Title = http.StatusText(p.Status)
	p.Type = "urn:fundledger:problem:" + p.Code
	switch {
	case p.key != "":
		p.Detail = text(lang, p.key, p.args...)
	case p.Detail == "":
		p.Detail = codeMessage(lang, p.Code)
	}
	if p.Field != "" && p.key == "" {
		p.Detail = text(lang, "v.field", p.Field) + p.Detail
	}
	return p
}

// problemFor maps any error to its problem in the request's language and
// logs denials (403), failed authentications (401) and failures (5xx).
func (s *Server) problemFor(ctx context.Context, err error) *problem {
	var p *problem
	if !errors.As(err, &p) {
		status, code := classify(err)
		p = &problem{Status: status, Code: code, cause: err}
		if c, ok := catalogueEntry(err); ok {
			p.key, p.args = c.messageKey(langOfCtx(ctx), err)
		}
	}
	p.fill(langOfCtx(ctx))
	ri, _ := ctx.Value(reqKey{}).(reqInfo)
	pr := principalOf(ctx)
	attrs := []any{"method", ri.method, "path", ri.path, "status", p.Status, "code", p.Code,
		"user", pr.User, "role", string(pr.Role), "remote", ri.remote}
	switch {
	case p.Status == http.StatusForbidden:
		s.log.Warn("request denied", append(attrs, "reason", err.Error())...)
	case p.Status == http.StatusUnauthorized:
		s.log.Warn("request unauthenticated", append(attrs, "reason", err.Error())...)
	case p.Status >= 500:
		s.log.Error("request failed", append(attrs, "error", err.Error())...)
	case p.cause != nil:
		s.log.Info("request refused", append(attrs, "reason", err.Error())...)
	}
	return p
}

// huma's own errors (decoding, validation, body size, media type) become
// problems too; a problem passed through stays itself.
func init() {
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		lang := langZh
		if ctx != nil {
			lang = langOfCtx(ctx.Context())
		}
		return schemaProblem(lang, status, msg, errs)
	}
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return schemaProblem(langZh, status, msg, errs)
	}
}

func schemaProblem(lang string, status int, msg string, errs []error) *problem {
	for _, e := range errs {
		var p *problem
		if errors.As(e, &p) {
			return p
		}
	}
	p := &problem{Status: status}
	for _, e := range errs {
		if e == nil {
			continue
		}
		it := problemItem{Message: e.Error()}
		if d, ok := e.(huma.ErrorDetailer); ok {
			dd := d.ErrorDetail()
			it = problemItem{Location: dd.Location, Message: dd.Message}
		}
		p.Errors = append(p.Errors, it)
	}
	// The first error of the JSON's shape (a field unknown or of the wrong
	// type: 400), else the first error.
	first := -1
	for i, it := range p.Errors {
		if shapeError(it.Message) {
			first = i
			break
		}
	}
	shape := first >= 0
	if first < 0 {
		first = 0
	}
	field, where := "", ""
	if len(p.Errors) > 0 {
		where, field, _ = strings.Cut(p.Errors[first].Location, ".")
		if where == "body" && field == "" && strings.Contains(p.Errors[first].Message, "property") {
			field = propertyName(p.Errors[first].Message)
		}
	}
	p.Field = field
	switch {
	case status == http.StatusRequestEntityTooLarge:
		p.Code, p.key, p.args = "too_large", "v.too_large", []any{MaxBodyBytes >> 20}
	case status == http.StatusUnsupportedMediaType:
		p.Code, p.key, p.args = "unsupported_media_type", "v.media_type", []any{"application/json"}
	case where == "query" || where == "path" || where == "header":
		p.Status, p.Code, p.key, p.args = http.StatusBadRequest, "bad_parameter", "v.param", []any{field}
	case status == http.StatusBadRequest && field == "":
		p.Code, p.key = "bad_json", "v.json"
	case shape && where == "body":
		p.Status, p.Code = http.StatusBadRequest, "bad_json"
		p.key, p.args = "v.schema", []any{field, schemaReason(lang, p.Errors[first].Message)}
	case status == http.StatusUnprocessableEntity || status == http.StatusBadRequest:
		p.Status, p.Code = http.StatusUnprocessableEntity, "invalid"
		p.key, p.args = "v.schema", []any{field, schemaReason(lang, p.Errors[first].Message)}
	default:
		p.Code = "internal"
		if msg != "" && status < 500 {
			p.Code = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
		}
	}
	return p.fill(lang)
}

// shapeError tells a field unknown or of the wrong JSON type.
func shapeError(msg string) bool {
	if msg == "unexpected property" {
		return true
	}
	for _, t := range []string{"string", "number", "integer", "boolean", "object", "array"} {
		if msg == "expected "+t || strings.HasPrefix(msg, "expected "+t+" ") {
			return true
		}
	}
	return false
}

// propertyName finds the property in "expected required property X to be present".
func propertyName(msg string) string {
	f := strings.Fields(msg)
	for i, w := range f {
		if w == "property" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

// schemaReason turns huma's validation message into a reason for a person.
func schemaReason(lang, msg string) string {
	for key, reason := range map[string]string{"v.amount": requests.ReasonAmount, "v.decimal": requests.ReasonDecimal, "v.date": requests.ReasonDate} {
		if msg == reason {
			return text(lang, key)
		}
	}
	switch {
	case strings.Contains(msg, "required property"):
		return text(lang, "v.reason.required")
	case strings.Contains(msg, "unexpected property"):
		return text(lang, "v.reason.unknown")
	case strings.HasPrefix(msg, "expected string"):
		return text(lang, "v.reason.string")
	case strings.HasPrefix(msg, "expected number"), strings.HasPrefix(msg, "expected integer"):
		return text(lang, "v.reason.number")
	case strings.HasPrefix(msg, "expected boolean"):
		return text(lang, "v.reason.bool")
	case strings.HasPrefix(msg, "expected length >="):
		return text(lang, "v.reason.required")
	}
	return text(lang, "v.reason.other")
}

// Wire forms: amounts are strings with two decimals, dates YYYY-MM-DD.

type moneyJSON = string

func money(d decimal.Decimal) moneyJSON { return d.StringFixed(2) }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(ledger.DateLayout)
}

// PostedJSON is what a write posted: its financial and budget entries,
// and who wrote. Embedded in an answer; exported, so that huma documents
// its fields inline (it skips unexported embedded structs).
type PostedJSON struct {
	FinancialEntry int64  `json:"financial_entry"`
	BudgetEntry    int64  `json:"budget_entry"`
	Actor          string `json:"actor"`
}

func posted(financial, budget int64, actor string) PostedJSON {
	return PostedJSON{FinancialEntry: financial, BudgetEntry: budget, Actor: actor}
}

// page is one page of a list; Next is the ?after= of the next page.
type page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty" doc:"pass as ?after= for the next page"`
}

// Outputs: a read answers its body; a write answers 201, or 200 with
// Idempotent-Replayed: true when the same request was done already.

type bodyOut[T any] struct {
	Body T
}

type writeOut[T any] struct {
	Status   int
	Replayed string `header:"Idempotent-Replayed" doc:"true when the request had been done already and nothing changed"`
	Body     T
}

func ok[T any](body T) *bodyOut[T] { return &bodyOut[T]{Body: body} }

// written answers 201, or 200 with Idempotent-Replayed: true when again.
func written[T any](body T, again bool) *writeOut[T] {
	if again {
		return &writeOut[T]{Status: http.StatusOK, Replayed: "true", Body: body}
	}
	return &writeOut[T]{Status: http.StatusCreated, Body: body}
}

// status answers a write with a chosen status (replayed marks it).
func status[T any](code int, body T, replayed bool) *writeOut[T] {
	out := &writeOut[T]{Status: code, Body: body}
	if replayed {
		out.Replayed = "true"
	}
	return out
}

// The one shape of a write: the caller's right to what is written to
// (guard: the error of loading it, e.g. writableProject), one call into
// package funding, and its answer with the replay flag.

// wrote answers a write: the guard's refusal, the call's, or the answer
// (201, or 200 with Idempotent-Replayed: true when replayed).
func wrote[R, O any](guard error, call func() (R, error), answer func(R) (O, bool)) (*writeOut[O], error) {
	if guard != nil {
		return nil, guard
	}
	r, err := call()
	if err != nil {
		return nil, err
	}
	body, replayed := answer(r)
	return written(body, replayed), nil
}

// created answers the registration of something with a code: replayed
// when it existed before the call (the same again changes nothing;
// another with the same code is funding's refusal).
func created[R, O any](guard error, existing func() error, call func() (R, error), answer func(R) O) (*writeOut[O], error) {
	if guard != nil {
		return nil, guard
	}
	existed := existing() == nil
	return wrote(nil, call, func(r R) (O, bool) { return answer(r), existed })
}

// writeIn is a write's input: its Idempotency-Key and its body (a type
// of package requests, documented in the OpenAPI document).
type writeIn[B any] struct {
	KeyHeader
	Body B
}

// codeWriteIn is a write to what the path's {code} names.
type codeWriteIn[B any] struct {
	KeyHeader
	CodePath
	Body B
}

// caller is who writes (requests.Caller): the path's code, the
// Idempotency-Key scoped to the user, and the user.
func caller(ctx context.Context, code string) requests.Caller {
	return requests.Caller{Code: code, Key: idemKey(ctx), Actor: principalOf(ctx).User}
}

// write is the one shape of a JSON write: the guard's refusal, or funding's
// call with the body's request q and the answer to it (wrote).
func write[Q, R, O any](ctx context.Context, guard error, call func(context.Context, Q) (R, error), q Q,
	answer func(context.Context, Q, R) (O, bool)) (*writeOut[O], error) {
	return wrote(guard, func() (R, error) { return call(ctx, q) }, func(r R) (O, bool) { return answer(ctx, q, r) })
}

// right keeps the error of a check that loads what it checks.
func right[T any](_ T, err error) error { return err }

// firstErr is the first refusal of checks made in order.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// as is an answer that is the call's result itself.
func as[T any](r T) T { return r }

// input is a shared body's funding input (package requests): a field
// refused — huma checked them already — is 422 naming it.
func input[I any](in I, err error) (I, error) {
	var fe *requests.FieldError
	if errors.As(err, &fe) {
		return in, invalid(fe.Field, "v."+fe.Kind)
	}
	return in, err
}

// Common inputs.

// KeyHeader documents the Idempotency-Key of a write (checked by apiMiddleware).
type KeyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" required:"true" doc:"1 to 80 printable ASCII characters; the same key and request again changes nothing"`
}

type PageQuery struct {
	Limit int    `query:"limit" minimum:"1" maximum:"500" default:"100" doc:"page size"`
	After string `query:"after" doc:"the next of the previous page"`
}

type AsOfQuery struct {
	AsOf string `query:"as_of" doc:"YYYY-MM-DD; today when absent"`
}

// date parses an optional date parameter.
func dateParam(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := ledger.ParseDate(v)
	if err != nil {
		return t, badParam(field, "v.date")
	}
	return t, nil
}

// Field parsing of bodies.

func parseDay(field, v string) (time.Time, error) {
	t, err := ledger.ParseDate(v)
	if err != nil {
		return t, invalid(field, "v.date")
	}
	return t, nil
}

// optionalDay parses a date that may be empty (zero time).
func optionalDay(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	return parseDay(field, v)
}

// parseAmount is a positive amount as people write it (amount.ParsePositive:
// plain decimals, at most two places, no exponent or '+').
func parseAmount(field, v string) (decimal.Decimal, error) {
	d, err := amount.ParsePositive(v)
	if err != nil {
		return d, invalid(field, "v.amount")
	}
	return d, nil
}

// parseDecimal is a decimal string field ("12.50"); it may be zero or negative.
func parseDecimal(field, v string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(v)
	if err != nil || strings.ContainsAny(v, "eE") {
		return d, invalid(field, "v.decimal")
	}
	return d, nil
}

// optionalDecimal is a decimal string field that may be empty (zero).
func optionalDecimal(field, v string) (decimal.Decimal, error) {
	if strings.TrimSpace(v) == "" {
		return decimal.Zero, nil
	}
	return parseDecimal(field, v)
}

// notBlank refuses a required text that is only spaces.
func notBlank(fields ...[2]string) error {
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			return invalid(f[0], "v.required", f[0])
		}
	}
	return nil
}

// The OpenAPI document.

type docOut struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

func (s *Server) registerDocument() {
	register(s, op{method: http.MethodGet, path: "/api/openapi.json", kind: opPublic, summary: "This OpenAPI document", tag: "meta"},
		func(context.Context, *struct{}) (*docOut, error) {
			b, err := json.Marshal(s.api.OpenAPI())
			if err != nil {
				return nil, err
			}
			return &docOut{ContentType: "application/json; charset=utf-8", Body: b}, nil
		})
}

// fieldAt names a field of an item of a list: lines[2].amount.
func fieldAt(list string, i int, field string) string {
	if field == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

// operationID is "post-api-projects-code-status" for POST /api/projects/{code}/status.
func operationID(method, path string) string {
	r := strings.NewReplacer("/", "-", "{", "", "}", "")
	return strings.ToLower(method) + r.Replace(path)
}

// apiTag names a group of operations in the document; its methods build
// the operations of each kind in the group.
type apiTag string

// read is a GET anyone signed in may call on what they read.
func (t apiTag) read(path, summary string) op {
	return op{method: http.MethodGet, path: path, kind: opRead, tag: string(t), summary: summary}
}

// write is a POST by the bureau or an officer of the district.
func (t apiTag) write(path, summary string) op {
	return op{method: http.MethodPost, path: path, kind: opWrite, tag: string(t), summary: summary}
}

// create is a write that answers 201 Created.
func (t apiTag) create(path, summary string) op {
	o := t.write(path, summary)
	o.status = http.StatusCreated
	return o
}

// bureau is a POST by the finance bureau only; what says what it does,
// for the denial.
func (t apiTag) bureau(path, what, summary string) op {
	return op{method: http.MethodPost, path: path, kind: opBureau, what: what, tag: string(t), summary: summary}
}

// bureauCreate is a bureau operation that answers 201 Created.
func (t apiTag) bureauCreate(path, what, summary string) op {
	o := t.bureau(path, what, summary)
	o.status = http.StatusCreated
	return o
}
