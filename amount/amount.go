// Package amount owns how a money amount is written by people and files:
// plain decimals ("1234.56", "-5", "0.5") with at most two places, no
// exponent, no leading '+', no bare point ("100." or ".5"), and thousands
// separators only where a file profile declares them. Every amount the
// programme reads from a flag, a form or a file goes through Parse or a
// Format's Parse, so "1e3" can never become 1,000.00.
//
// It imports nothing but the standard library and decimal: rules (no
// PostgreSQL) and every other package may use it.
package amount

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Named errors; an *Error wraps exactly one of them.
var (
	ErrEmpty      = errors.New("empty")
	ErrSyntax     = errors.New("not a plain decimal number")
	ErrPlaces     = errors.New("too many decimal places")
	ErrNegative   = errors.New("negative")
	ErrTooLong    = errors.New("too many digits")
	ErrSeparators = errors.New("misplaced thousands separator")
)

// Limits on the text of an amount: at most MaxIntegerDigits significant
// digits before the point (NUMERIC holds more, but no budget of a city
// has 10^16 yuan), and at most MaxLength bytes in all.
const (
	MaxIntegerDigits = 16
	MaxLength        = 64
)

// Error says which text was refused and why.
type Error struct {
	Text   string // the text as given
	Reason string // for people: what is wrong and what to write instead
	Err    error  // one of the named errors above
}

func (e *Error) Error() string { return fmt.Sprintf("%q: %s", e.Text, e.Reason) }
func (e *Error) Unwrap() error { return e.Err }

// Format says how amounts are written in one place.
type Format struct {
	// Places is the most digits after the point (2 for money; a rule
	// set's percentages use more). 0 means whole numbers only.
	Places int32
	// Thousands, when not 0, is a separator allowed between groups of
	// three digits before the point ("1,234,567.89"); files whose profile
	// declares it only. When set, every group must be complete.
	Thousands rune
	// Negative allows a leading '-'.
	Negative bool
	// TrailingZeros allows zeros beyond Places ("1.500" for 1.5), as some
	// bank exports write three places.
	TrailingZeros bool
}

// Money is an amount in yuan as a person types it: at most two places,
// no separators, a leading '-' allowed (whether a negative amount makes
// sense is for the caller to say).
var Money = Format{Places: 2, Negative: true}

// Parse reads a money amount as a person types it (Money.Parse).
func Parse(s string) (decimal.Decimal, error) { return Money.Parse(s) }

// ParsePositive reads a money amount that must be greater than zero.
func ParsePositive(s string) (decimal.Decimal, error) {
	d, err := Money.Parse(s)
	if err != nil {
		return d, err
	}
	if !d.IsPositive() {
		return decimal.Zero, &Error{Text: s, Reason: "must be greater than zero", Err: ErrNegative}
	}
	return d, nil
}

// Parse reads s, surrounded by no space, in format f.
func (f Format) Parse(s string) (decimal.Decimal, error) {
	fail := func(err error, format string, args ...any) (decimal.Decimal, error) {
		return decimal.Zero, &Error{Text: s, Reason: fmt.Sprintf(format, args...), Err: err}
	}
	if s == "" {
		return fail(ErrEmpty, "empty: write an amount such as 1234.56")
	}
	if len(s) > MaxLength {
		return decimal.Zero, &Error{Text: s[:MaxLength] + "…", Reason: fmt.Sprintf("longer than %d characters", MaxLength), Err: ErrTooLong}
	}
	body := s
	neg := false
	switch body[0] {
	case '+':
		return fail(ErrSyntax, "a leading '+' is not allowed: write %s", strings.TrimPrefix(s, "+"))
	case '-':
		if !f.Negative {
			return fail(ErrNegative, "must not be negative")
		}
		neg, body = true, body[1:]
	}
	if body == "" {
		return fail(ErrSyntax, "digits are needed after the '-'")
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if strings.ContainsAny(body, "eE") {
		return fail(ErrSyntax, "an exponent is not allowed: write the number in full (e.g. 1000, not 1e3)")
	}
	if intPart == "" {
		return fail(ErrSyntax, "digits are needed before the point (write 0.5, not .5)")
	}
	if hasPoint && frac == "" {
		return fail(ErrSyntax, "digits are needed after the point (write 100 or 100.00, not 100.)")
	}
	if f.Thousands != 0 && strings.ContainsRune(intPart, f.Thousands) {
		groups := strings.Split(intPart, string(f.Thousands))
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return fail(ErrSeparators, "thousands separators must separate groups of three digits (1,234,567.89)")
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !digitsOnly(intPart) || !digitsOnly(frac) {
		return fail(ErrSyntax, "only digits, one point and a leading '-' are allowed (such as 1234.56)")
	}
	if len(strings.TrimLeft(intPart, "0")) > MaxIntegerDigits {
		return fail(ErrTooLong, "more than %d digits before the point", MaxIntegerDigits)
	}
	if int32(len(frac)) > f.Places {
		extra := frac[f.Places:]
		if !f.TrailingZeros || strings.Trim(extra, "0") != "" {
			if f.Places == 0 {
				return fail(ErrPlaces, "a whole number is needed")
			}
			if f.Places == 2 {
				return fail(ErrPlaces, "more than two decimals (an amount is exact to the fen)")
			}
			return fail(ErrPlaces, "more than %d decimal places", f.Places)
		}
		frac = frac[:f.Places]
	}
	text := intPart
	if frac != "" {
		text += "." + frac
	}
	d, err := decimal.NewFromString(text)
	if err != nil { // cannot happen: text is digits with at most one point
		return fail(ErrSyntax, "not a number")
	}
	if neg {
		d = d.Neg()
	}
	return d, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
