package funding_test

import (
	"context"
	"errors"
	"testing"

	"fundledger/ledger"
)

// TestPreview: a previewed payment shows its entries and stores nothing;
// a refusal is the write's own refusal; posting afterwards with the same
// key posts exactly the previewed postings and takes the next voucher.
func TestPreview(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-301"
	fundedProject(t, p, code)
	before := entryCount(t, p)
	pay := payment(code, "pv-1", "central", "basic", "1234.56", "2020-08-01")
	got, err := p.Preview(ctx, func(ctx context.Context) error { _, err := p.Disburse(ctx, pay); return err })
	if err != nil {
		t.Fatal(err)
	}
	// A payment is one financial and one budget entry.
	if len(got) != 2 {
		t.Fatalf("previewed %d entries, want 2: %+v", len(got), got)
	}
	var fin ledger.Entry
	for _, e := range got {
		if e.Book == ledger.BookFinancial {
			fin = e
		}
	}
	cash := "cash:huancui:" + code + ":central"
	found := false
	for _, ps := range fin.Postings {
		if ps.AccountCode == cash && ps.Side == ledger.Credit && ps.Amount.Equal(d("1234.56")) {
			found = true
		}
	}
	if !found {
		t.Errorf("previewed financial entry lacks Cr %s 1234.56: %+v", cash, fin.Postings)
	}
	if n := entryCount(t, p); n != before {
		t.Errorf("entries after preview = %d, want %d", n, before)
	}
	balance(t, p, cash, "400000.00")

	// Over the cash of central (400,000.00): the write's own refusal.
	over := payment(code, "pv-2", "central", "basic", "400000.01", "2020-08-01")
	if _, err := p.Preview(ctx, func(ctx context.Context) error { _, err := p.Disburse(ctx, over); return err }); err == nil || errors.Is(err, ledger.ErrDryRun) {
		t.Errorf("preview of an overdraft: %v", err)
	}
	if n := entryCount(t, p); n != before {
		t.Errorf("entries after refused preview = %d, want %d", n, before)
	}

	m, err := p.Disburse(ctx, pay)
	if err != nil || m.Replayed {
		t.Fatalf("post after preview: %+v %v", m, err)
	}
	balance(t, p, cash, "398765.44")
	e, err := p.Ledger().Entry(ctx, m.FinancialEntry)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Postings) != len(fin.Postings) {
		t.Errorf("posted %d postings, previewed %d", len(e.Postings), len(fin.Postings))
	}
	// The preview of what is already posted says so (replayed).
	again, err := p.Preview(ctx, func(ctx context.Context) error { _, err := p.Disburse(ctx, pay); return err })
	if err != nil || len(again) != 2 || !again[0].Replayed {
		t.Errorf("preview of a posted payment: %+v %v", again, err)
	}
}
