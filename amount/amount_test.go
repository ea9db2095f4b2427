package amount

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
		err  error
	}{
		{"0", "0", nil},
		{"1000", "1000", nil},
		{"1234.56", "1234.56", nil},
		{"0.5", "0.5", nil},
		{"-12.30", "-12.3", nil},
		{"007", "7", nil},
		{"9999999999999999.99", "9999999999999999.99", nil},
		{"00000000000000000000001", "1", nil},
		// the reproductions: each was accepted, 1e3 stored as 1,000.00
		{"1e3", "", ErrSyntax},
		{"1E+3", "", ErrSyntax},
		{"+100", "", ErrSyntax},
		{"100.", "", ErrSyntax},
		{".5", "", ErrSyntax},
		{"", "", ErrEmpty},
		{"-", "", ErrSyntax},
		{"1.005", "", ErrPlaces},
		{"1.500", "", ErrPlaces},
		{"1,000", "", ErrSyntax},
		{" 1", "", ErrSyntax},
		{"1 ", "", ErrSyntax},
		{"0x10", "", ErrSyntax},
		{"1_000", "", ErrSyntax},
		{"NaN", "", ErrSyntax},
		{"Inf", "", ErrSyntax},
		{"１００", "", ErrSyntax}, // full-width digits: a file profile narrows them first
		{"1.2.3", "", ErrSyntax},
		{"--1", "", ErrSyntax},
		{"12345678901234567", "", ErrTooLong},
		{strings.Repeat("1", 65), "", ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != nil {
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.Reason == "" || (e.Text != tt.in && tt.err != ErrTooLong) {
					t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.err)
				}
				if tt.err != ErrTooLong && !strings.Contains(err.Error(), tt.in) {
					t.Errorf("message %q does not quote the input", err)
				}
				return
			}
			if err != nil || !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	statement := Format{Places: 2, Thousands: ',', Negative: true, TrailingZeros: true}
	pct := Format{Places: 4}
	tests := []struct {
		f    Format
		in   string
		want string
		err  error
	}{
		{statement, "1,234,567.89", "1234567.89", nil},
		{statement, "123,456", "123456", nil},
		{statement, "1.500", "1.5", nil},
		{statement, "1.505", "", ErrPlaces},
		{statement, "1,23", "", ErrSeparators},
		{statement, "1234,567", "", ErrSeparators},
		{statement, ",123", "", ErrSeparators},
		{statement, "1,,234", "", ErrSeparators},
		{statement, "1e3", "", ErrSyntax},
		{pct, "33.3333", "33.3333", nil},
		{pct, "-1", "", ErrNegative},
		{pct, "1,000", "", ErrSyntax},
		{Format{}, "3", "3", nil},
		{Format{}, "3.5", "", ErrPlaces},
	}
	for _, tt := range tests {
		got, err := tt.f.Parse(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%+v Parse(%q) = %v, %v; want %v", tt.f, tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("%+v Parse(%q) = %v, %v; want %s", tt.f, tt.in, got, err, tt.want)
		}
	}
}

func TestParsePositive(t *testing.T) {
	for _, in := range []string{"0", "-1", "0.00"} {
		if _, err := ParsePositive(in); !errors.Is(err, ErrNegative) {
			t.Errorf("ParsePositive(%q) = %v, want ErrNegative", in, err)
		}
	}
	if d, err := ParsePositive("0.01"); err != nil || d.String() != "0.01" {
		t.Errorf("ParsePositive(0.01) = %v, %v", d, err)
	}
}

// FuzzParse: whatever the text, Parse never panics, and what it accepts is
// written back exactly: the canonical text re-parses to the same value, has
// at most two places, and (without sign and leading zeros) is the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1234.56", "-0.01", "1e3", "1E+3", "+100", "100.", ".5", "1,000", "１", "0000.10", "-", "9999999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Err == nil {
				t.Fatalf("Parse(%q): error %v is not an *Error with a named cause", s, err)
			}
			return
		}
		if !d.Equal(d.Truncate(2)) {
			t.Fatalf("Parse(%q) = %s: more than two places", s, d)
		}
		if strings.ContainsAny(s, "eE+ ,") {
			t.Fatalf("Parse(%q) accepted %s", s, d)
		}
		back, err := Parse(d.StringFixed(2))
		if err != nil || !back.Equal(d) {
			t.Fatalf("Parse(%q) = %s; re-parse of %s = %s, %v", s, d, d.StringFixed(2), back, err)
		}
		ref, err := decimal.NewFromString(s)
		if err != nil || !ref.Equal(d) {
			t.Fatalf("Parse(%q) = %s, decimal reads %s, %v", s, d, ref, err)
		}
	})
}
