package funding_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fundledger/funding"
)

// TestRegisterLoansAllOrNothing: a batch of five loans whose third has a
// negative amount registers none of them (counted in the loans, loan_projects
// and loan_rates tables by SQL, before and after), and the refusal names
// the item, its code, the field and the reason; a code twice in the batch
// is refused too; the same batch corrected
// registers all five, each with its project and contract rate; and the
// batch again changes nothing.
func TestRegisterLoansAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	db := p.Ledger().DB()
	counts := func() [3]int {
		t.Helper()
		var n [3]int
		for i, table := range []string{"loans", "loan_projects", "loan_rates"} {
			if err := db.GetContext(ctx, &n[i], `SELECT count(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	batch := func() []funding.LoanInput {
		var ins []funding.LoanInput
		for _, code := range []string{"PB-B1", "PB-B2", "PB-B3", "PB-B4", "PB-B5"} {
			ins = append(ins, loanInput(code))
		}
		return ins
	}
	before := counts()
	if before != [3]int{0, 0, 0} {
		t.Fatalf("a fresh database holds %v loans, loan projects and rates", before)
	}

	bad := batch()
	bad[2].Amount = loanDec("-5.00")
	ls, err := p.RegisterLoans(ctx, bad, "officer")
	var items funding.ItemErrors
	if err == nil || !errors.As(err, &items) || len(items) != 1 || items[0].Item != 3 || items[0].Key != "PB-B3" {
		t.Fatalf("batch with a bad third loan: %v (%d loans), want item 3 (PB-B3) refused", err, len(ls))
	}
	for _, want := range []string{"item 3 (PB-B3)", "amount -5", "above zero", "nothing was stored"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	if !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("refusal %v is not ErrInvalid", err)
	}
	if got := counts(); got != before {
		t.Fatalf("after the refused batch: %v loans, loan projects and rates, want %v (nothing stored)", got, before)
	}

	// A code twice in one batch is refused before anything is written.
	twice := batch()
	twice[4] = loanInput("PB-B1")
	if _, err := p.RegisterLoans(ctx, twice, "officer"); err == nil || !strings.Contains(err.Error(), "item 5 (PB-B1)") ||
		!strings.Contains(err.Error(), "also item 1") {
		t.Fatalf("a code twice: %v", err)
	}
	if got := counts(); got != before {
		t.Fatalf("after the batch with a code twice: %v, want %v", got, before)
	}

	ls, err = p.RegisterLoans(ctx, batch(), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 5 || ls[2].Code != "PB-B3" || !ls[2].Amount.Equal(loanDec("12000.00")) || ls[2].District != "huancui" {
		t.Fatalf("registered %d loans, the third %+v", len(ls), ls[2])
	}
	if got := counts(); got != [3]int{5, 5, 5} {
		t.Fatalf("after the good batch: %v loans, loan projects and rates, want 5 of each", got)
	}
	if _, err := p.RegisterLoans(ctx, batch(), "officer"); err != nil {
		t.Fatalf("the same batch again: %v", err)
	}
	if got := counts(); got != [3]int{5, 5, 5} {
		t.Fatalf("after the same batch again: %v, want 5 of each", got)
	}
}
