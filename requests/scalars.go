// Package requests holds the JSON request bodies of fundledger's writes,
// decoded alike by the command line (files read through package
// jsoninput) and the JSON API (huma, which also documents them in the
// OpenAPI document). Each body converts itself to the input of package
// funding with Input; a value refused names its JSON field.
//
// Amounts, decimals and dates travel as strings ("1234.50", "3.25",
// "2021-03-15"); they check themselves when huma decodes a request
// (huma.ResolverWithPath), and again in Input for the command line.
package requests

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"fundledger/amount"
	"fundledger/ledger"
)

// The reasons of a refused scalar, in English; the API maps each back to
// its catalogue message in the request's language.
const (
	ReasonAmount  = "Want a positive amount with at most two decimals, e.g. 1234.50."
	ReasonDecimal = "Want a number such as 3.25."
	ReasonDate    = "Want a date as YYYY-MM-DD, e.g. 2021-03-15."
)

// Kinds of FieldError: what the field should have been.
const (
	KindAmount  = "amount"
	KindDecimal = "decimal"
	KindDate    = "date"
)

// ErrInvalid is wrapped by every FieldError.
var ErrInvalid = errors.New("invalid request field")

// FieldError is a field of a request whose value is refused.
type FieldError struct {
	Field string // JSON name, with the path of a list item: custom_schedule[0].date
	Kind  string // KindAmount, KindDecimal or KindDate
	Err   error  // why
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() []error {
	return []error{ErrInvalid, e.Err}
}

// Amount is a positive amount of yuan with at most two decimals.
type Amount string

// Decimal is a decimal number ("3.25"); empty is zero.
type Decimal string

// Date is a day, YYYY-MM-DD; empty is the zero time (the operation's default).
type Date string

// unquote reads a JSON string, or a JSON number as it is written (files
// written by hand often give amounts as numbers).
func unquote(b []byte) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", fmt.Errorf("want a string or a number, not %s", b)
	}
	return n.String(), nil
}

// UnmarshalJSON takes a string or a number; Value checks it.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	*a = Amount(s)
	return err
}

// UnmarshalJSON takes a string or a number; Value checks it.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	*d = Decimal(s)
	return err
}

// Value is the amount (amount.ParsePositive: plain decimals, at most two
// places, no exponent or '+').
func (a Amount) Value() (decimal.Decimal, error) { return amount.ParsePositive(string(a)) }

// Value is the number, zero when empty.
func (d Decimal) Value() (decimal.Decimal, error) {
	s := string(d)
	if strings.TrimSpace(s) == "" {
		return decimal.Zero, nil
	}
	v, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") {
		return decimal.Zero, fmt.Errorf("%q: not a number such as 3.25", s)
	}
	return v, nil
}

// Value is the day, the zero time when empty.
func (d Date) Value() (time.Time, error) {
	if strings.TrimSpace(string(d)) == "" {
		return time.Time{}, nil
	}
	return ledger.ParseDate(string(d))
}

// Required is the day; empty is refused (ledger.ParseDate's message).
func (d Date) Required() (time.Time, error) { return ledger.ParseDate(string(d)) }

// refusal is the field's refusal at the path, for huma.
func refusal(pb *huma.PathBuffer, reason, value string) []error {
	return []error{&huma.ErrorDetail{Location: pb.String(), Message: reason, Value: value}}
}

// Resolve checks the amount when huma decodes a request.
func (a Amount) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := a.Value(); err != nil {
		return refusal(pb, ReasonAmount, string(a))
	}
	return nil
}

// Resolve checks the number when huma decodes a request.
func (d Decimal) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := d.Value(); err != nil {
		return refusal(pb, ReasonDecimal, string(d))
	}
	return nil
}

// Resolve checks the date when huma decodes a request.
func (d Date) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := d.Value(); err != nil {
		return refusal(pb, ReasonDate, string(d))
	}
	return nil
}

// fields converts a body's scalars, keeping the first refusal: each
// conversion names its field, and Input returns err once at the end.
type fields struct{ err error }

func (f *fields) fail(field, kind string, err error) {
	if f.err == nil {
		f.err = &FieldError{Field: field, Kind: kind, Err: err}
	}
}

func (f *fields) amount(field string, a Amount) decimal.Decimal {
	v, err := a.Value()
	if err != nil {
		f.fail(field, KindAmount, err)
	}
	return v
}

func (f *fields) decimal(field string, d Decimal) decimal.Decimal {
	v, err := d.Value()
	if err != nil {
		f.fail(field, KindDecimal, err)
	}
	return v
}

// date is an optional day (zero when empty).
func (f *fields) date(field string, d Date) time.Time {
	v, err := d.Value()
	if err != nil {
		f.fail(field, KindDate, err)
	}
	return v
}

// day is a required day.
func (f *fields) day(field string, d Date) time.Time {
	v, err := d.Required()
	if err != nil {
		f.fail(field, KindDate, err)
	}
	return v
}

// Dec is the amount of a body huma has checked (Resolve); zero when invalid.
func (a Amount) Dec() decimal.Decimal {
	v, _ := a.Value()
	return v
}

// Dec is the number of a body huma has checked (Resolve); zero when invalid.
func (d Decimal) Dec() decimal.Decimal {
	v, _ := d.Value()
	return v
}

// Time is the day of a body huma has checked (Resolve); zero when empty or invalid.
func (d Date) Time() time.Time {
	v, _ := d.Value()
	return v
}
