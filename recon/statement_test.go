package recon

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func profileWith(t *testing.T, thousands string) *Profile {
	t.Helper()
	p := *builtin["generic"]
	p.Name = "test"
	p.ThousandsSeparator = thousands
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
	return &p
}

// TestStatementAmounts: amounts are read by package amount; thousands
// separators only when the profile declares them; an exponent, a '+' or a
// bare point is refused with its row and column.
func TestStatementAmounts(t *testing.T) {
	t.Parallel()
	head := "交易日期,收入金额,支出金额,余额\n"
	tests := []struct {
		name, thousands, cell string
		want                  string // amount read, or "" when refused
		reason                string
	}{
		{"plain", "", "1234.56", "1234.56", ""},
		{"declared separator", ",", `"1,234,567.89"`, "1234567.89", ""},
		{"undeclared separator", "", `"1,234.56"`, "", "only digits"},
		{"bad groups", ",", `"12,34.56"`, "", "groups of three"},
		{"exponent", ",", "1e3", "", "exponent"},
		{"plus", ",", "+100", "", "'+'"},
		{"bare point", ",", "100.", "", "after the point"},
		{"leading point", ",", ".5", "", "before the point"},
		{"three places", ",", "1.005", "", "two decimals"},
		{"three places, zero", ",", "1.500", "1.5", ""},
		{"full width and yuan", ",", "１２３.４０元", "123.4", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := head + "2021-03-01," + tt.cell + ",,\n"
			st, err := ParseStatement("s.csv", []byte(data), profileWith(t, tt.thousands), "B1")
			if tt.want == "" {
				var re RowErrors
				if !errors.As(err, &re) || len(re) != 1 || re[0].Row != 2 || re[0].Field != "收入金额" || !strings.Contains(re[0].Reason, tt.reason) {
					t.Fatalf("got %v, want row 2, 收入金额 refused: %s", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Lines[0].Amount.String(); got != tt.want || st.Lines[0].Direction != In {
				t.Fatalf("amount %s %s, want %s in", got, st.Lines[0].Direction, tt.want)
			}
		})
	}
}

// TestStatementRefusesInvalidText: a cell that is not UTF-8 (an XLSX can
// carry one; a CSV is decoded as GBK when not UTF-8) is refused with its
// row; nothing is read.
func TestStatementRefusesInvalidText(t *testing.T) {
	t.Parallel()
	// \x80 alone is neither UTF-8 nor GBK.
	data := "交易日期,收入金额,支出金额,余额,摘要\n2021-03-01,5.00,,5.00,ok\n2021-03-02,5.00,,10.00,bad\x80\n"
	_, err := ParseStatement("s.csv", []byte(data), profileWith(t, ","), "B1")
	var re RowErrors
	if !errors.As(err, &re) || re[0].Row != 3 {
		t.Fatalf("got %v, want row 3 refused", err)
	}
}

func TestProfileThousandsSeparator(t *testing.T) {
	t.Parallel()
	for _, sep := range []string{".", "1", ",,", "-"} {
		p := *builtin["generic"]
		p.ThousandsSeparator = sep
		if err := p.check(); err == nil {
			t.Errorf("separator %q accepted", sep)
		}
	}
}

// FuzzParseStatement: whatever the bytes and whichever shipped profile,
// ParseStatement never panics; what it accepts has positive amounts with
// at most two places, valid UTF-8 text and a known direction.
func FuzzParseStatement(f *testing.F) {
	f.Add([]byte("交易日期,收入金额,支出金额,余额\n2021-03-01,\"1,234.56\",,1234.56\n2021-03-02,,34.56,1200.00\n合计,1234.56,34.56,\n"), "generic")
	f.Add([]byte("\xEF\xBB\xBF支付日期,支付凭证号,收款人全称,支付金额,用途\n2021-03-05,V1,某公司,-100.00,退回\n"), "treasury")
	f.Add([]byte("\xbd\xbb\xd2\xd7\xc8\xd5\xc6\xda,\xbd\xf0\xb6\xee\n2021-03-01,1e3\n"), "generic")
	f.Add([]byte("PK\x03\x04garbage"), "generic")
	if xls, err := os.ReadFile(filepath.Join("testdata", "abc.xls")); err == nil {
		f.Add(xls, "abc")                // a legacy workbook
		f.Add(xls[:len(xls)*2/3], "abc") // cut short
		bad := bytes.Clone(xls)
		for i := 1024; i < len(bad); i += 13 { // its records corrupted
			bad[i] = 0xFF
		}
		f.Add(bad, "abc")
	}
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		p, ok := builtin[profile]
		if !ok {
			p = builtin[DefaultProfile]
		}
		st, err := ParseStatement("f.csv", data, p, "B1")
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, l := range st.Lines {
			if !l.Amount.IsPositive() || !l.Amount.Equal(l.Amount.Truncate(2)) || (l.Direction != In && l.Direction != Out) {
				t.Fatalf("row %d: amount %s direction %q", l.Row, l.Amount, l.Direction)
			}
			for _, s := range []string{l.Memo, l.Counterparty, l.Reference, l.Serial, l.CounterpartyAccount} {
				if !isValid(s) {
					t.Fatalf("row %d: invalid text %q", l.Row, s)
				}
			}
		}
	})
}

func isValid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestParseProfileStrict: a profile file with an unknown field, a byte that
// is not UTF-8 or a lone surrogate is refused with its line and column.
func TestParseProfileStrict(t *testing.T) {
	t.Parallel()
	base := `{"name": "b", "date": ["日期"], "amount": ["金额"]`
	for _, tt := range []struct{ in, want string }{
		{base + `, "thousand_separator": ","}`, `p.json:1:49: field thousand_separator: unknown field`},
		{base + `, "description": "ab` + "\xff" + `"}`, `p.json:1:67: text is not valid UTF-8`},
		{base + `, "description": "\udc00"}`, `p.json:1:65: \udc00 is half of a character`},
		{base + `, "thousands_separator": "."}`, `thousands_separator "."`},
	} {
		if _, err := ParseProfile("p.json", []byte(tt.in)); err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.in, err, tt.want)
		}
	}
	if p, err := ParseProfile("p.json", []byte(base+`, "thousands_separator": " "}`)); err != nil || p.ThousandsSeparator != " " {
		t.Errorf("space separator: %v", err)
	}
}

// FuzzParseProfile: a profile from any bytes never panics the reader, and
// an accepted profile reads any statement without panicking.
func FuzzParseProfile(f *testing.F) {
	f.Add([]byte(`{"name": "b", "date": ["日期"], "amount": ["金额"], "thousands_separator": ","}`), []byte("日期,金额\n2021-01-02,\"1,000.00\"\n"))
	f.Add([]byte(`{"name": "t", "date": ["d"], "in": ["i"], "out": ["o"], "balance": ["b"], "skip_prefixes": ["合计"]}`), []byte("d,i,o,b\n2021-01-02,5,,5\n合计,5,,\n"))
	f.Add([]byte(`{"name": "x", "date": ["d"], "amount": ["a"], "direction": ["dc"], "direction_values": {"D": "out"}}`), []byte("d,a,dc\n20210102,1e3,D\n"))
	f.Fuzz(func(t *testing.T, profile, statement []byte) {
		p, err := ParseProfile("p.json", profile)
		if err != nil {
			return
		}
		st, err := ParseStatement("s.csv", statement, p, "B1")
		if err != nil {
			return
		}
		for _, l := range st.Lines {
			if !l.Amount.IsPositive() || !l.Amount.Equal(l.Amount.Truncate(2)) {
				t.Fatalf("row %d: amount %s", l.Row, l.Amount)
			}
		}
	})
}
