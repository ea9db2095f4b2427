package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// DateLayout is how effective dates are written everywhere.
const DateLayout = "2006-01-02"

// Limits on one entry and one batch; a request beyond them is refused, not cut.
const (
	MaxPostingsPerEntry = 1000
	MaxEntriesPerBatch  = 50000
	maxMetadataKeys     = 50
)

// Posting is one line of an entry: an amount debited or credited to an account.
type Posting struct {
	AccountCode string          `json:"account"`
	Side        Side            `json:"side"`
	Amount      decimal.Decimal `json:"amount"`
}

// Entry is a balanced journal entry. Callers fill the request fields; the
// ledger fills ID, RecordedAt, ContentHash and Voucher.
type Entry struct {
	ID             int64             `json:"id,omitempty"`
	Book           Book              `json:"book"`
	EffectiveDate  time.Time         `json:"effective_date"`
	RecordedAt     time.Time         `json:"recorded_at,omitzero"`
	Memo           string            `json:"memo,omitempty"`
	Actor          string            `json:"actor"`
	IdempotencyKey string            `json:"idempotency_key"`
	Reverses       int64             `json:"reverses,omitempty"` // the entry this one reverses
	Corrects       int64             `json:"corrects,omitempty"` // the entry this one corrects
	Metadata       map[string]string `json:"metadata,omitempty"`
	Postings       []Posting         `json:"postings"`
	ContentHash    string            `json:"content_hash,omitempty"`
	// Voucher is the entry's voucher number (记账凭证编号), "2021-03 财-0001":
	// continuous within its book and month. PostgreSQL gives it at commit,
	// so it is filled on entries read back (Entry, Entries, FillVouchers),
	// not on the results of a post.
	Voucher string `json:"voucher,omitempty"`
	// HashVersion is the layout ContentHash was computed with (see
	// storedHash): 2 for entries stored since migration 00009.
	HashVersion int `json:"hash_version,omitempty"`
	// fingerprint is the version 1 hash of the request (contentHash), set
	// by prepare; what is stored is derived from it (storedHash).
	fingerprint string
	// Replayed is set on a Post result when the idempotency key had already
	// been used with the same request: the original entry is returned.
	Replayed bool `json:"replayed,omitempty"`
}

// Date returns the civil date d at midnight UTC, as the ledger stores dates.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrInvalid, s)
	}
	return t, nil
}

// Civil returns t's calendar date at midnight UTC, as the ledger stores dates.
func Civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return Date(y, m, d)
}

// Check validates an entry as far as it can without the database: book,
// date, actor, key, postings (amounts > 0 with at most two decimals) and that
// debits equal credits. It normalises the date to a civil date.
func (e *Entry) Check() error {
	// Formatted only for an error: bulk posts check thousands of valid entries.
	where := func() string { return fmt.Sprintf("entry %q", e.IdempotencyKey) }
	if e.IdempotencyKey == "" || len(e.IdempotencyKey) > 200 {
		return fmt.Errorf("%w: entry: idempotency key must have 1 to 200 characters", ErrInvalid)
	}
	if !e.Book.Valid() {
		return fmt.Errorf("%w: %s: book %q: want financial or budget", ErrInvalid, where(), e.Book)
	}
	if e.EffectiveDate.IsZero() {
		return fmt.Errorf("%w: %s: effective date is required", ErrInvalid, where())
	}
	e.EffectiveDate = Civil(e.EffectiveDate)
	if e.Actor == "" || len(e.Actor) > 200 {
		return fmt.Errorf("%w: %s: actor must have 1 to 200 characters", ErrInvalid, where())
	}
	if len(e.Memo) > 2000 {
		return fmt.Errorf("%w: %s: memo longer than 2000 bytes", ErrInvalid, where())
	}
	if len(e.Metadata) > maxMetadataKeys {
		return fmt.Errorf("%w: %s: more than %d metadata keys", ErrInvalid, where(), maxMetadataKeys)
	}
	// Text is hashed as it is and stored as UTF-8: an invalid byte would be
	// refused by PostgreSQL (memo) or silently replaced by the JSON encoder
	// (metadata), and the entry would no longer match its hash.
	for _, f := range [...]struct{ name, value string }{{"idempotency key", e.IdempotencyKey}, {"actor", e.Actor}, {"memo", e.Memo}} {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%w: %s: %s is not valid UTF-8", ErrInvalid, where(), f.name)
		}
	}
	for k, v := range e.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("%w: %s: metadata %q is not valid UTF-8", ErrInvalid, where(), k)
		}
	}
	if len(e.Postings) < 2 || len(e.Postings) > MaxPostingsPerEntry {
		return fmt.Errorf("%w: %s: has %d postings, want 2 to %d", ErrUnbalanced, where(), len(e.Postings), MaxPostingsPerEntry)
	}
	var debit, credit decimal.Decimal
	for i, p := range e.Postings {
		if p.AccountCode == "" {
			return fmt.Errorf("%w: %s: posting %d: account is required", ErrInvalid, where(), i+1)
		}
		if !utf8.ValidString(p.AccountCode) {
			return fmt.Errorf("%w: %s: posting %d: account %q is not valid UTF-8", ErrInvalid, where(), i+1, p.AccountCode)
		}
		if !p.Side.Valid() {
			return fmt.Errorf("%w: %s: posting %d: side %q: want D or C", ErrInvalid, where(), i+1, p.Side)
		}
		if err := CheckAmount(p.Amount); err != nil {
			return fmt.Errorf("%s: posting %d (%s): %w", where(), i+1, p.AccountCode, err)
		}
		if p.Side == Debit {
			debit = debit.Add(p.Amount)
		} else {
			credit = credit.Add(p.Amount)
		}
	}
	if !debit.Equal(credit) {
		return fmt.Errorf("%w: %s: debits %s, credits %s", ErrUnbalanced, where(), debit.StringFixed(2), credit.StringFixed(2))
	}
	return nil
}

var maxAmount = decimal.New(1, 15)

// CheckAmount accepts an amount in yuan greater than zero with at most two
// decimals (whole fen).
func CheckAmount(a decimal.Decimal) error {
	if !a.IsPositive() {
		return fmt.Errorf("%w: amount %s must be greater than zero", ErrInvalid, a.String())
	}
	if !a.Equal(a.Truncate(2)) {
		return fmt.Errorf("%w: amount %s has more than two decimals (fen)", ErrInvalid, a.String())
	}
	if a.GreaterThanOrEqual(maxAmount) {
		return fmt.Errorf("%w: amount %s is too large", ErrInvalid, a.String())
	}
	return nil
}

// Hash versions. Version 1, the fingerprint, is the SHA-256 over an
// entry's canonical content: everything the caller asked for, nothing the
// ledger assigned (id, recorded_at). It tells a replay from a conflicting
// reuse of an idempotency key. Version 2, stored since migration 00009,
// also covers recorded_at: it is the SHA-256 of a versioned line holding
// the fingerprint and recorded_at in UTC to the microsecond, so that the
// database can compute it too (postOneSQL does, since recorded_at is only
// known there). Each entry keeps the version it was stored with
// (entries.hash_version); both layouts are fixed forever.
const (
	hashV1 = 1
	hashV2 = 2
	// recordedAtLayout is how version 2 writes recorded_at; recordedAtSQL is
	// the same in PostgreSQL's to_char.
	recordedAtLayout = "2006-01-02T15:04:05.000000Z"
	recordedAtSQL    = `to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	hashV2Prefix     = "fundledger-entry-v2\n"
)

// contentHash is the version 1 hash, the fingerprint of the request.
func (e *Entry) contentHash() string {
	b := make([]byte, 0, 256+96*len(e.Postings))
	b = append(b, "fundledger-entry-v1\n"...)
	field := func(k, v string) {
		b = append(b, k...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, v)
		b = append(b, '\n')
	}
	field("book", string(e.Book))
	field("date", e.EffectiveDate.Format(DateLayout))
	field("key", e.IdempotencyKey)
	field("actor", e.Actor)
	field("memo", e.Memo)
	field("reverses", strconv.FormatInt(e.Reverses, 10))
	field("corrects", strconv.FormatInt(e.Corrects, 10))
	keys := make([]string, 0, len(e.Metadata))
	for k := range e.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field("meta."+strconv.Quote(k), e.Metadata[k])
	}
	for _, p := range e.Postings {
		field("posting", p.AccountCode+" "+string(p.Side)+" "+p.Amount.StringFixed(2))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// storedHash is the hash an entry of the given version stores, from its
// fingerprint (contentHash) and recorded_at; "" for an unknown version.
func storedHash(version int, fingerprint string, recordedAt time.Time) string {
	switch version {
	case hashV1:
		return fingerprint
	case hashV2:
		sum := sha256.Sum256([]byte(hashV2Prefix + fingerprint + "\n" + recordedAt.UTC().Format(recordedAtLayout) + "\n"))
		return hex.EncodeToString(sum[:])
	}
	return ""
}

// metadataJSON is the metadata as the entries table stores it: a JSON
// object, {} when there is none.
func (e *Entry) metadataJSON() (string, error) {
	if len(e.Metadata) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(e.Metadata)
	if err != nil {
		return "", fmt.Errorf("entry %q: metadata: %w", e.IdempotencyKey, err)
	}
	return string(b), nil
}
