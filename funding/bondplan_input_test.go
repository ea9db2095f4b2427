package funding_test

import (
	"errors"
	"strings"
	"testing"

	"fundledger/funding"
)

// TestBondRevenuePlanStrictInput: a financing balance plan in JSON refuses
// an unknown field and an amount such as 1e5; in CSV an amount with an
// exponent, and bytes that are neither UTF-8 nor GBK (they were read as
// U+FFFD); thousands separators stay allowed in CSV.
func TestBondRevenuePlanStrictInput(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"unknown field", `[{"project": "P-1", "year": 2022, "kind": "parking", "amonut": "5.00"}]`, `p.json:1:54: field amonut: unknown field`},
		{"exponent", `[{"project": "P-1", "year": 2022, "kind": "parking", "amount": "1e5"}]`, `field [0].amount: an amount must be a plain decimal: "1e5"`},
		{"csv exponent", "project,year,kind,amount\nP-1,2022,parking,1e5\n", `p.json: row 2, amount: "1e5": an exponent is not allowed`},
		{"csv not text", "project,year,kind,amount\nP-1,2022,\x80\xff,5\n", "p.json: row 2: text is neither UTF-8 nor GBK"},
	} {
		_, err := funding.ParseBondRevenuePlan("p.json", []byte(tt.in))
		if !errors.Is(err, funding.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	lines, err := funding.ParseBondRevenuePlan("p.csv", []byte("project,year,kind,amount\nP-1,2022,parking,\"1,200,000.50\"\n"))
	if err != nil || len(lines) != 1 || lines[0].Amount.String() != "1200000.5" {
		t.Fatalf("thousands separators: %+v, %v", lines, err)
	}
}
