// Package jsoninput reads the JSON a person hands the programme (a file, a
// request body) strictly: a field the target does not have, text that is
// not UTF-8, an escaped lone surrogate (\ud800), a number written with an
// exponent, or anything after the value is refused with the file, the
// line and column, and the field; an amount (a decimal.Decimal field) must
// be written as a plain decimal (package amount's syntax). Nothing is
// guessed and nothing is replaced with U+FFFD.
package jsoninput

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"fundledger/amount"
)

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("invalid JSON input")

// MaxBytes bounds the input read by Decode's callers that stream.
const MaxBytes = 64 << 20

// Error is one refusal: where and why.
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when unknown
	Field     string // JSON field (dotted path) when known
	Reason    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

func (e *Error) Unwrap() error { return ErrInvalid }

// position turns a byte offset into a 1-based line and column (in runes).
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

func errAt(name string, data []byte, off int, field, format string, args ...any) *Error {
	l, c := position(data, off)
	return &Error{File: name, Line: l, Col: c, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Decode reads data (named name in errors) into v, a pointer.
func Decode(name string, data []byte, v any) error {
	if err := scan(name, data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(name, data, dec, err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		off := int(dec.InputOffset())
		if err == nil {
			return errAt(name, data, off, "", "more than one JSON value (found %v after the first); give one object or one array", tok)
		}
		return errAt(name, data, off, "", "text after the JSON value")
	}
	return checkAmounts(name, data, v)
}

// DecodeList reads one object or an array of objects.
func DecodeList[T any](name string, data []byte) ([]T, error) {
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("[")) {
		var out []T
		if err := Decode(name, data, &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	var one T
	if err := Decode(name, data, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

func decodeError(name string, data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return errAt(name, data, int(syn.Offset), "", "not valid JSON: %s", syn.Error())
	case errors.As(err, &typ):
		return errAt(name, data, int(typ.Offset), typ.Field, "a %s is not allowed here (want %s)", typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: name, Reason: "empty or cut-off JSON"}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return errAt(name, data, keyOffset(data, f, int(dec.InputOffset())), strings.Trim(f, `"`),
			"unknown field %s (a typo? the field is not stored, so the input is refused)", f)
	}
	// An amount's own UnmarshalJSON (decimal) or a time: say where.
	return errAt(name, data, int(dec.InputOffset()), "", "%s", strings.TrimPrefix(msg, "json: "))
}

// keyOffset finds where the key quoted (as in the decoder's message) is
// written as an object key; fallback when it cannot be found.
func keyOffset(data []byte, quoted string, fallback int) int {
	from := 0
	for {
		i := bytes.Index(data[from:], []byte(quoted))
		if i < 0 {
			return fallback
		}
		i += from
		rest := bytes.TrimLeft(data[i+len(quoted):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return i
		}
		from = i + 1
	}
}

// CheckText refuses, before any decoding, what a JSON decoder would accept
// and change silently: bytes that are not UTF-8 and escaped lone surrogates
// (both become U+FFFD), control characters and numbers with an exponent.
// Servers call it on a request body before handing it to their decoder.
func CheckText(name string, data []byte) error { return scan(name, data) }

// scan refuses bytes that are not UTF-8, escaped lone surrogates, control
// characters and numbers with an exponent, before any decoding (which
// would replace the first two with U+FFFD silently).
func scan(name string, data []byte) error {
	if len(data) == 0 || len(bytes.TrimSpace(data)) == 0 {
		return &Error{File: name, Reason: "empty: no JSON value"}
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return errAt(name, data, i, "", "text is not valid UTF-8 (byte 0x%02x)", data[i])
		}
		i += size
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '"':
				inString = false
			case '\\':
				if i+1 < len(data) && data[i+1] == 'u' {
					u, ok := hex4(data, i+2)
					if !ok {
						continue // the decoder reports the syntax error
					}
					switch {
					case u >= 0xD800 && u <= 0xDBFF:
						lo, ok := uint32(0), false
						if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
							lo, ok = hex4(data, i+8)
						}
						if !ok || lo < 0xDC00 || lo > 0xDFFF {
							return errAt(name, data, i, "", "\\u%04x is half of a character (a lone surrogate): not text", u)
						}
						i += 11
					case u >= 0xDC00 && u <= 0xDFFF:
						return errAt(name, data, i, "", "\\u%04x is half of a character (a lone surrogate): not text", u)
					default:
						i += 5
					}
					continue
				}
				i++ // skip the escaped character
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(data) && strings.IndexByte("+-0123456789.eE", data[j]) >= 0 {
				j++
			}
			if bytes.ContainsAny(data[i:j], "eE") {
				return errAt(name, data, i, "", "the number %s has an exponent: write it in full (e.g. 1000, not 1e3)", data[i:j])
			}
			i = j - 1
		}
	}
	return nil
}

func hex4(data []byte, at int) (uint32, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	var u uint32
	for _, c := range data[at : at+4] {
		u <<= 4
		switch {
		case c >= '0' && c <= '9':
			u |= uint32(c - '0')
		case c >= 'a' && c <= 'f':
			u |= uint32(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			u |= uint32(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return u, true
}

var decimalType = reflect.TypeOf(decimal.Decimal{})

// amountSyntax is the syntax every decimal field must have; places and
// sign are the domain's to check (a rate has more places than money).
var amountSyntax = amount.Format{Places: 10, Negative: true}

// checkAmounts walks the decoded value's type beside the raw JSON: each
// decimal.Decimal field must have been written as a plain decimal (a JSON
// string or number), since decimal itself accepts "1e3" and "+5".
func checkAmounts(name string, data []byte, v any) error {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil // Decode already accepted it; nothing more to say
	}
	return walk(name, reflect.TypeOf(v), raw, "")
}

func walk(name string, t reflect.Type, raw any, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == decimalType {
		var s string
		switch x := raw.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			return nil
		}
		if _, err := amountSyntax.Parse(s); err != nil {
			var ae *amount.Error
			reason := err.Error()
			if errors.As(err, &ae) {
				reason = fmt.Sprintf("%q: %s", s, ae.Reason)
			}
			return &Error{File: name, Field: path, Reason: "an amount must be a plain decimal: " + reason}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		xs, ok := raw.([]any)
		if !ok {
			return nil
		}
		for i, x := range xs {
			if err := walk(name, t.Elem(), x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil
		}
		for k, x := range m {
			if err := walk(name, t.Elem(), x, join(path, k)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil
		}
		return walkStruct(name, t, m, path)
	}
	return nil
}

func walkStruct(name string, t reflect.Type, m map[string]any, path string) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		key, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && key == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if err := walkStruct(name, ft, m, path); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if key == "" {
			key = f.Name
		}
		x, ok := m[key]
		if !ok {
			for k, v := range m { // encoding/json matches keys case-insensitively
				if strings.EqualFold(k, key) {
					x, ok = v, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if err := walk(name, f.Type, x, join(path, key)); err != nil {
			return err
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
