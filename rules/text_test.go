package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestParseRefusesInvalidText: a rule file with bytes that are not UTF-8
// passed `rules check` and failed `rules load` with a bare database error;
// now Parse refuses it with file:line:col, as it does an escaped lone
// surrogate and an amount written with an exponent.
func TestParseRefusesInvalidText(t *testing.T) {
	body := "      - source: central\n        pct: 100\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"latin-1 byte", "name: t\ndescription: caf\xe9\n" + header[len("name: t\n"):] + body, "t.yaml:2:17: text is not valid UTF-8 (byte 0xe9)"},
		{"GBK bytes", header + body + "# \xb9\xab\xd6\xda\n", "t.yaml:9:3: text is not valid UTF-8"},
		{"lone high surrogate", "name: t\ndescription: \"ab\\ud800\"\n" + header[len("name: t\n"):] + body, `t.yaml:2:17: \ud800 is half of a character (a lone surrogate): not text`},
		{"lone low surrogate", "name: t\ndescription: \"\\udc00\"\n" + header[len("name: t\n"):] + body, `t.yaml:2:15: \udc00 is half of a character`},
		{"exponent", header + "      - source: central\n        pct: 1e2\n", `t.yaml:8:14: categories.basic.shares[0].pct: not a number: "1e2": an exponent is not allowed`},
		{"plus", header + "      - source: central\n        pct: +100\n", `categories.basic.shares[0].pct: not a number: "+100": a leading '+' is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse("t.yaml", []byte(tt.yaml))
			if rs != nil || !errors.Is(err, ErrInvalidRuleSet) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// A surrogate pair is text.
	ok := "name: t\ndescription: \"\\ud83d\\ude00 ok\"\n" + header[len("name: t\n"):] + body
	rs, err := Parse("t.yaml", []byte(ok))
	if err != nil || rs.Description != "😀 ok" {
		t.Fatalf("pair: %v, %q", err, rs.Description)
	}
}
