package jsoninput

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

type line struct {
	Category string          `json:"category"`
	Amount   decimal.Decimal `json:"amount"`
	Memo     string          `json:"memo,omitempty"`
}

type entry struct {
	Key   string            `json:"key"`
	Lines []line            `json:"lines"`
	Meta  map[string]string `json:"metadata,omitempty"`
}

type wrapped struct {
	entry
	Date string `json:"date"`
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
		field     string
		reason    string
	}{
		{"unknown field", `{"key": "k", "lines": [{"category": "basic", "amount_typo": "5.00"}]}`, 1, 46, "amount_typo", "unknown field"},
		{"unknown top field", "{\n  \"key\": \"k\",\n  \"ammount\": 1\n}", 3, 3, "ammount", "unknown field"},
		{"invalid UTF-8", "{\"key\": \"k\",\n \"lines\": [{\"memo\": \"ab\xffc\"}]}", 2, 24, "", "not valid UTF-8"},
		{"lone high surrogate", `{"key": "\ud800x"}`, 1, 10, "", "lone surrogate"},
		{"lone low surrogate", `{"key": "a\udc00"}`, 1, 11, "", "lone surrogate"},
		{"high then non-low", `{"key": "\ud800\u0041"}`, 1, 10, "", "lone surrogate"},
		{"exponent number", `{"lines": [{"amount": 1e3}]}`, 1, 23, "", "exponent"},
		{"exponent string", `{"lines": [{"amount": "1E+3"}]}`, 0, 0, "lines[0].amount", "exponent"},
		{"plus string", `{"lines": [{"amount": "+100"}]}`, 0, 0, "lines[0].amount", "'+'"},
		{"bare point", `{"lines": [{"amount": "100."}]}`, 0, 0, "lines[0].amount", "after the point"},
		{"leading point", `{"lines": [{"amount": ".5"}]}`, 0, 0, "lines[0].amount", "before the point"},
		{"two values", `{"key": "a"} {"key": "b"}`, 1, 0, "", "more than one JSON value"},
		{"trailing text", `{"key": "a"} x`, 1, 0, "", "after the JSON value"},
		{"wrong type", `{"key": 5}`, 1, 0, "key", "number"},
		{"empty", ``, 0, 0, "", "empty"},
		{"syntax", `{"key": }`, 1, 0, "", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e entry
			err := Decode("in.json", []byte(tt.in), &e)
			var je *Error
			if !errors.As(err, &je) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want a refusal", err)
			}
			if je.File != "in.json" || je.Line != tt.line || (tt.col != 0 && je.Col != tt.col) || je.Field != tt.field || !strings.Contains(je.Reason, tt.reason) {
				t.Errorf("got %+v (%v), want line %d col %d field %q reason ~%q", *je, err, tt.line, tt.col, tt.field, tt.reason)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	in := `{"key": "k😀\ud83d\ude00", "lines": [{"category": "basic", "amount": "1234.56"}, {"amount": 7.5}, {"amount": -3}]}`
	var e entry
	if err := Decode("in.json", []byte(in), &e); err != nil {
		t.Fatal(err)
	}
	if e.Key != "k😀😀" || len(e.Lines) != 3 || e.Lines[0].Amount.String() != "1234.56" || e.Lines[1].Amount.String() != "7.5" {
		t.Errorf("%+v", e)
	}
	// Embedded structs: their fields are known, their amounts checked.
	var w []wrapped
	w, err := DecodeList[wrapped]("w.json", []byte(`{"key": "a", "date": "2021-01-01", "lines": [{"amount": "1"}]}`))
	if err != nil || len(w) != 1 || w[0].Key != "a" || w[0].Date != "2021-01-01" {
		t.Fatalf("%+v %v", w, err)
	}
	if _, err := DecodeList[wrapped]("w.json", []byte(`[{"key": "a", "lines": [{"amount": "1e2"}]}]`)); err == nil || !strings.Contains(err.Error(), "[0].lines[0].amount") {
		t.Errorf("embedded amount: %v", err)
	}
	if _, err := DecodeList[wrapped]("w.json", []byte(`[{"key": "a", "dat": "x"}]`)); err == nil || !strings.Contains(err.Error(), "dat") {
		t.Errorf("embedded unknown field: %v", err)
	}
}

// FuzzDecode: never panics; what it accepts is valid UTF-8 throughout and
// has only plain-decimal amounts.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"key": "k", "lines": [{"category": "basic", "amount": "5.00"}]}`,
		`[{"key": "\ud83d\ude00"}]`, `{"key": "\ud800"}`, `{"lines": [{"amount": 1e3}]}`, "{\"key\": \"\xff\"}",
		`{"metadata": {"a": "b"}, "lines": []}`, `{"key": "a\\u0041\\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := DecodeList[entry]("f.json", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, e := range es {
			if strings.ContainsRune(e.Key, '\uFFFD') && !strings.Contains(string(data), "\uFFFD") && !strings.Contains(strings.ToLower(string(data)), `\ufffd`) {
				t.Fatalf("U+FFFD appeared in %q from %q", e.Key, data)
			}
			for _, l := range e.Lines {
				if _, err := amountSyntax.Parse(l.Amount.String()); err != nil && !l.Amount.IsZero() {
					t.Fatalf("amount %s accepted: %v", l.Amount, err)
				}
			}
		}
	})
}
