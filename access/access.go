// Package access owns who may do what: users and their roles, grants of
// districts to district officers (append-only events), and credentials —
// API tokens and browser sessions — of which only the SHA-256 of the secret
// is stored. Tables: migrations/00006_access.sql.
//
// Roles:
//   - finance_bureau: reads and writes every district (period close, rule sets);
//   - district_officer: reads and writes only the districts granted to it;
//   - auditor: reads everything, writes nothing.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/crypto/bcrypt"
)

// Errors callers tell apart; each is wrapped with the details.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrExists          = errors.New("already exists")
	ErrDenied          = errors.New("permission denied")
	ErrUnauthenticated = errors.New("not authenticated")
)

// Role is what a user may do.
type Role string

// The roles.
const (
	FinanceBureau   Role = "finance_bureau"
	DistrictOfficer Role = "district_officer"
	Auditor         Role = "auditor"
)

// Roles lists the roles in a stable order.
var Roles = []Role{FinanceBureau, DistrictOfficer, Auditor}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if !slices.Contains(Roles, r) {
		return "", fmt.Errorf("%w: role %q: want one of finance_bureau, district_officer, auditor", ErrInvalid, s)
	}
	return r, nil
}

// Credential kinds.
const (
	KindAPIToken = "api_token"
	KindSession  = "session"
)

// TokenPrefix starts every API token, so that a leaked one is recognisable.
const TokenPrefix = "flt_"

// Password bounds: bcrypt reads at most 72 bytes.
const (
	MinPasswordLen   = 10
	MaxPasswordBytes = 72
)

// BcryptCost is the cost of new password hashes (a variable so that tests
// may lower it).
var BcryptCost = bcrypt.DefaultCost

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,63}$`)

// Store keeps users, grants and credentials in the programme's database.
type Store struct {
	db  *sqlx.DB
	now func() time.Time
}

// New returns the store in db.
func New(db *sqlx.DB) *Store { return &Store{db: db, now: time.Now} }

// User is a user as listed.
type User struct {
	Name        string    `db:"name" json:"name"`
	Role        Role      `db:"role" json:"role"`
	HasPassword bool      `db:"has_password" json:"has_password"`
	Districts   []string  `db:"-" json:"districts"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	CreatedBy   string    `db:"created_by" json:"created_by"`
}

// CheckPassword tells whether a password is acceptable.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return fmt.Errorf("%w: password: at least %d characters", ErrInvalid, MinPasswordLen)
	}
	if len(pw) > MaxPasswordBytes {
		return fmt.Errorf("%w: password: at most %d bytes", ErrInvalid, MaxPasswordBytes)
	}
	return nil
}

// AddUser creates a user; password "" creates one without password login
// (API tokens only).
func (s *Store) AddUser(ctx context.Context, name string, role Role, password, actor string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: user name %q: 2–64 of a-z 0-9 . _ -, starting with a letter", ErrInvalid, name)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	var hash sql.NullString
	if password != "" {
		h, err := hashPassword(password)
		if err != nil {
			return err
		}
		hash = sql.NullString{String: h, Valid: true}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, created_by) VALUES ($1, $2, $3, $4)`,
		name, string(role), hash, actor)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: user %s", ErrExists, name)
	}
	if err != nil {
		return fmt.Errorf("add user %s: %w", name, err)
	}
	return nil
}

// SetPassword replaces a user's password.
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE name = $1`, name, h)
	if err != nil {
		return fmt.Errorf("set password of %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", name, ErrNotFound)
	}
	return nil
}

func hashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the user does not exist, so that an
// unknown name costs as much time as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("fundledger-no-such-user"), BcryptCost)
	return h
})

// VerifyPassword checks a user's password and returns the principal. An
// unknown user, a user without password and a wrong password all give
// ErrUnauthenticated.
func (s *Store) VerifyPassword(ctx context.Context, name, password string) (Principal, error) {
	var hash sql.NullString
	err := s.db.GetContext(ctx, &hash, `SELECT password_hash FROM users WHERE name = $1`, name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("verify password: %w", err)
	}
	if !hash.Valid || len(password) > MaxPasswordBytes {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return Principal{}, fmt.Errorf("%w: wrong user name or password", ErrUnauthenticated)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash.String), []byte(password)) != nil {
		return Principal{}, fmt.Errorf("%w: wrong user name or password", ErrUnauthenticated)
	}
	return s.Principal(ctx, name)
}

// Users lists the users with their current districts.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var out []User
	if err := s.db.SelectContext(ctx, &out, `SELECT name, role, password_hash IS NOT NULL AS has_password, created_at, created_by
		FROM users ORDER BY name LIMIT 10000`); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	for i := range out {
		ds, err := s.districts(ctx, out[i].Name)
		if err != nil {
			return nil, err
		}
		out[i].Districts = ds
	}
	return out, nil
}

// districts returns the districts currently granted to a user.
func (s *Store) districts(ctx context.Context, name string) ([]string, error) {
	out := []string{}
	err := s.db.SelectContext(ctx, &out, `SELECT district FROM (
		SELECT DISTINCT ON (district) district, granted FROM user_grants WHERE user_name = $1 ORDER BY district, id DESC) g
		WHERE granted ORDER BY district`, name)
	if err != nil {
		return nil, fmt.Errorf("districts of %s: %w", name, err)
	}
	return out, nil
}

// Grant gives (granted) or withdraws (!granted) a district to a district
// officer, as an append-only event. district is a code. Granting what is
// already granted records nothing.
func (s *Store) Grant(ctx context.Context, name, district string, granted bool, reason, actor string) error {
	p, err := s.Principal(ctx, name)
	if err != nil {
		return err
	}
	if p.Role != DistrictOfficer {
		return fmt.Errorf("%w: user %s is %s, which already covers every district; grants are for district officers", ErrInvalid, name, p.Role)
	}
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)`, district); err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	if !exists {
		return fmt.Errorf("district %q: %w", district, ErrNotFound)
	}
	if p.Districts[district] == granted {
		return nil
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO user_grants (user_name, district, granted, reason, recorded_by) VALUES ($1, $2, $3, $4, $5)`,
		name, district, granted, reason, actor)
	if err != nil {
		return fmt.Errorf("grant %s to %s: %w", district, name, err)
	}
	return nil
}

// Principal is an authenticated user: name, role and granted districts.
type Principal struct {
	User       string
	Role       Role
	Districts  map[string]bool // granted districts (district officers)
	Credential int64           // credential id the request came with (0: password)
}

// Principal loads a user's role and districts.
func (s *Store) Principal(ctx context.Context, name string) (Principal, error) {
	var role string
	err := s.db.GetContext(ctx, &role, `SELECT role FROM users WHERE name = $1`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("user %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("user %s: %w", name, err)
	}
	ds, err := s.districts(ctx, name)
	if err != nil {
		return Principal{}, err
	}
	p := Principal{User: name, Role: Role(role), Districts: map[string]bool{}}
	for _, d := range ds {
		p.Districts[d] = true
	}
	return p, nil
}

// AllDistricts tells whether the principal reads every district.
func (p Principal) AllDistricts() bool { return p.Role == FinanceBureau || p.Role == Auditor }

// CanRead tells whether the principal may read a district's data.
func (p Principal) CanRead(district string) bool {
	return p.AllDistricts() || (p.Role == DistrictOfficer && p.Districts[district])
}

// CanWrite tells whether the principal may change a district's data.
func (p Principal) CanWrite(district string) bool {
	return p.Role == FinanceBureau || (p.Role == DistrictOfficer && p.Districts[district])
}

// CanWriteAny tells whether the principal may write at all.
func (p Principal) CanWriteAny() bool { return p.Role == FinanceBureau || p.Role == DistrictOfficer }

// CheckRead returns ErrDenied unless the principal may read the district.
func (p Principal) CheckRead(district string) error {
	if !p.CanRead(district) {
		return fmt.Errorf("%w: %s (%s) may not read district %s", ErrDenied, p.User, p.Role, district)
	}
	return nil
}

// CheckWrite returns ErrDenied unless the principal may change the district.
func (p Principal) CheckWrite(district string) error {
	if !p.CanWrite(district) {
		return fmt.Errorf("%w: %s (%s) may not change district %s", ErrDenied, p.User, p.Role, district)
	}
	return nil
}

// Token is a credential as listed (never its secret).
type Token struct {
	ID        int64      `db:"id" json:"id"`
	User      string     `db:"user_name" json:"user"`
	Kind      string     `db:"kind" json:"kind"`
	Label     string     `db:"label" json:"label"`
	ExpiresAt *time.Time `db:"expires_at" json:"expires_at,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	RevokedAt *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
}

// HashSecret is what is stored of a token or session secret.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// IssueToken creates a credential for a user and returns its secret, which
// is not stored and cannot be shown again. ttl 0: valid until revoked.
func (s *Store) IssueToken(ctx context.Context, name, kind, label string, ttl time.Duration, actor string) (Token, string, error) {
	if kind != KindAPIToken && kind != KindSession {
		return Token{}, "", fmt.Errorf("%w: credential kind %q", ErrInvalid, kind)
	}
	if _, err := s.Principal(ctx, name); err != nil {
		return Token{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Token{}, "", fmt.Errorf("new token: %w", err)
	}
	var expires *time.Time
	if ttl > 0 {
		e := s.now().Add(ttl)
		expires = &e
	}
	var t Token
	err = s.db.GetContext(ctx, &t, `INSERT INTO credentials (user_name, kind, secret_hash, label, expires_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, user_name, kind, label, expires_at, created_at`,
		name, kind, HashSecret(secret), label, expires, actor)
	if err != nil {
		return Token{}, "", fmt.Errorf("new token for %s: %w", name, err)
	}
	return t, secret, nil
}

// Tokens lists a user's credentials ("" all users).
func (s *Store) Tokens(ctx context.Context, name string) ([]Token, error) {
	var out []Token
	err := s.db.SelectContext(ctx, &out, `SELECT c.id, c.user_name, c.kind, c.label, c.expires_at, c.created_at, r.revoked_at
		FROM credentials c LEFT JOIN credential_revocations r ON r.credential_id = c.id
		WHERE $1 = '' OR c.user_name = $1 ORDER BY c.id LIMIT 10000`, name)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return out, nil
}

// Revoke ends a credential by id. Revoking a revoked one changes nothing.
func (s *Store) Revoke(ctx context.Context, id int64, reason, actor string) error {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM credentials WHERE id = $1)`, id); err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if !exists {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO credential_revocations (credential_id, reason, revoked_by) VALUES ($1, $2, $3)
		ON CONFLICT (credential_id) DO NOTHING`, id, reason, actor)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}

// RevokeSecret ends the credential with this secret (a logout).
func (s *Store) RevokeSecret(ctx context.Context, secret, actor string) error {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT id FROM credentials WHERE secret_hash = $1`, HashSecret(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	return s.Revoke(ctx, id, "logout", actor)
}

// Authenticate returns the principal of a credential secret of the given
// kind. An unknown, expired or revoked secret gives ErrUnauthenticated.
func (s *Store) Authenticate(ctx context.Context, secret, kind string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return Principal{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	var c struct {
		ID      int64      `db:"id"`
		User    string     `db:"user_name"`
		Expires *time.Time `db:"expires_at"`
		Revoked bool       `db:"revoked"`
	}
	err := s.db.GetContext(ctx, &c, `SELECT c.id, c.user_name, c.expires_at,
		EXISTS (SELECT 1 FROM credential_revocations r WHERE r.credential_id = c.id) AS revoked
		FROM credentials c WHERE c.secret_hash = $1 AND c.kind = $2`, HashSecret(secret), kind)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if c.Revoked {
		return Principal{}, fmt.Errorf("%w: token %d is revoked", ErrUnauthenticated, c.ID)
	}
	if c.Expires != nil && !s.now().Before(*c.Expires) {
		return Principal{}, fmt.Errorf("%w: token %d has expired", ErrUnauthenticated, c.ID)
	}
	p, err := s.Principal(ctx, c.User)
	if err != nil {
		return Principal{}, err
	}
	p.Credential = c.ID
	return p, nil
}
