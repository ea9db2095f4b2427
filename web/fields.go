package web

// The types of the request fields a person fills in: amounts, decimals and
// dates travel as strings ("1234.50", "2021-03-15") and check themselves
// when huma decodes a request (huma.ResolverWithPath), so that every
// operation gets them valid and a refusal names the field at fault.

import (
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

// Amount is a positive amount of yuan with at most two decimals.
type Amount string

// Decimal is a decimal number ("3.25"); empty is zero.
type Decimal string

// Date is a day, YYYY-MM-DD; empty is the zero time (the operation's default).
type Date string

// refusal is the field's refusal at the path, in the catalogue's English
// (schemaReason turns it back into the key for the request's language).
func refusal(pb *huma.PathBuffer, key, value string) []error {
	return []error{&huma.ErrorDetail{Location: pb.String(), Message: messages[key][1], Value: value}}
}

// Resolve checks the amount.
func (a Amount) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := parseAmount("", string(a)); err != nil {
		return refusal(pb, "v.amount", string(a))
	}
	return nil
}

// Dec is the amount (checked by Resolve).
func (a Amount) Dec() decimal.Decimal {
	d, _ := parseAmount("", string(a))
	return d
}

// Resolve checks the number.
func (d Decimal) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := optionalDecimal("", string(d)); err != nil {
		return refusal(pb, "v.decimal", string(d))
	}
	return nil
}

// Dec is the number (checked by Resolve).
func (d Decimal) Dec() decimal.Decimal {
	v, _ := optionalDecimal("", string(d))
	return v
}

// Resolve checks the date.
func (d Date) Resolve(_ huma.Context, pb *huma.PathBuffer) []error {
	if _, err := optionalDay("", string(d)); err != nil {
		return refusal(pb, "v.date", string(d))
	}
	return nil
}

// Time is the date (checked by Resolve), zero when empty.
func (d Date) Time() time.Time {
	t, _ := optionalDay("", string(d))
	return t
}
