package funding_test

import (
	"context"
	"errors"
	"testing"

	"fundledger/funding"
	"fundledger/ledger"
)

// TestReversePaymentIsAtomic: a payment's financial and budget-line
// entries are reversed together or not at all. By hand (fundedProject):
// central cash 400,000.00 − a payment of 300,000.00 = 100,000.00; the
// basic line 1,000,000.00 − 300,000.00 = 700,000.00; the reversal brings
// both back to 400,000.00 and 1,000,000.00.
func TestReversePaymentIsAtomic(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-REV"
	fundedProject(t, p, code)
	cash, line := "cash:huancui:"+code+":central", "budget:line:huancui:"+code+":basic"
	m, err := p.Disburse(ctx, payment(code, "pay-1", "central", "basic", "300000.00", "2020-08-01"))
	if err != nil {
		t.Fatal(err)
	}
	balance(t, p, cash, "100000.00")
	balance(t, p, line, "700000.00")

	// Neither: the budget entry reversed on its own first makes the pair's
	// reversal fail, and the financial entry's reversal is not stored.
	l := p.Ledger()
	if _, err := l.Reverse(ctx, m.BudgetEntry, ledger.ReverseRequest{Reason: "单独冲销", Actor: "bureau", IdempotencyKey: "alone"}); err != nil {
		t.Fatal(err)
	}
	balance(t, p, line, "1000000.00")
	_, err = p.ReversePayment(ctx, funding.PaymentReversal{Entry: m.FinancialEntry, Reason: "付款单位填错", Actor: "officer", IdempotencyKey: "rev-0"})
	if !errors.Is(err, ledger.ErrAlreadyReversed) {
		t.Fatalf("pair half reversed: %v, want ErrAlreadyReversed", err)
	}
	balance(t, p, cash, "100000.00")

	// Both: another payment, named by its budget entry.
	m2, err := p.Disburse(ctx, payment(code, "pay-2", "central", "basic", "50000.00", "2020-08-02"))
	if err != nil {
		t.Fatal(err)
	}
	balance(t, p, cash, "50000.00")
	balance(t, p, line, "950000.00")
	req := funding.PaymentReversal{Entry: m2.BudgetEntry, Reason: "付款单位填错", Actor: "officer", IdempotencyKey: "rev-2"}
	got, err := p.ReversePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Reversals) != 2 || got.Reversed[0] != m2.BudgetEntry || got.Reversed[1] != m2.FinancialEntry || got.Replayed {
		t.Fatalf("reversed %+v", got)
	}
	for i, rev := range got.Reversals {
		if rev.Reverses != got.Reversed[i] || rev.EffectiveDate.Format(ledger.DateLayout) != "2020-08-02" {
			t.Errorf("reversal %d: reverses %d on %s", i, rev.Reverses, rev.EffectiveDate.Format(ledger.DateLayout))
		}
	}
	balance(t, p, cash, "100000.00")
	balance(t, p, line, "1000000.00")

	// The same request again changes nothing; another is refused.
	again, err := p.ReversePayment(ctx, req)
	if err != nil || !again.Replayed || again.Reversals[0].ID != got.Reversals[0].ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	req.IdempotencyKey = "rev-3"
	if _, err := p.ReversePayment(ctx, req); !errors.Is(err, ledger.ErrAlreadyReversed) {
		t.Fatalf("second reversal: %v, want ErrAlreadyReversed", err)
	}
	balance(t, p, cash, "100000.00")
	balance(t, p, line, "1000000.00")
	if _, err := p.ReversePayment(ctx, funding.PaymentReversal{Entry: m2.FinancialEntry, Actor: "officer"}); !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("no reason: %v", err)
	}
}
