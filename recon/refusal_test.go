package recon_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fundledger/ledger"
	"fundledger/recon"
)

// TestMatchRefusals: every refusal of matching and unmatching is its own
// named error (and still ErrInvalid or ErrNotFound, its kind), wrapped
// with the items and figures a person needs; each is called against the
// real database and nothing is stored.
func TestMatchRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-R", "BOC-O")
	in := f.receive("BOC-R", "2021-03-01", "1000.00", "GK-R1")
	f.importCSV("BOC-R", "generic", "r.csv", genericHeader+"2021-03-01,1000.00,,1000.00,财政局,,GK-R1\n")
	f.importCSV("BOC-O", "generic", "o.csv", genericHeader+"2021-03-02,1000.00,,1000.00,财政局,,GK-O1\n")
	line, other := f.lineIDs("BOC-R")[0], f.lineIDs("BOC-O")[0]

	// An entry with two cash postings for BOC-R (a receipt written in two
	// lines), copied from the receipt's own accounts.
	rec, err := f.p.Ledger().Entry(f.ctx, in.EntryID)
	if err != nil {
		t.Fatal(err)
	}
	var cash, income string
	for _, p := range rec.Postings {
		if strings.HasPrefix(p.AccountCode, "cash:") {
			cash = p.AccountCode
		} else {
			income = p.AccountCode
		}
	}
	two, err := f.p.Ledger().Post(f.ctx, ledger.Entry{Book: rec.Book, EffectiveDate: date("2021-03-03"), Memo: "receipt in two lines",
		Actor: "officer", IdempotencyKey: f.key(), Metadata: map[string]string{"bank_account": "BOC-R"},
		Postings: []ledger.Posting{{AccountCode: cash, Side: ledger.Debit, Amount: d("600.00")}, {AccountCode: cash, Side: ledger.Debit, Amount: d("400.00")},
			{AccountCode: income, Side: ledger.Credit, Amount: d("1000.00")}}})
	if err != nil {
		t.Fatal(err)
	}

	m, err := f.r.Match(f.ctx, recon.MatchRequest{BankAccount: "BOC-R", Lines: []int64{line}, Postings: []recon.PostingRef{in}, Reason: "GK-R1", Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.r.Unmatch(f.ctx, m, "matched to test the refusals", "clerk"); err != nil {
		t.Fatal(err)
	}
	match := func(lines []int64, posts []recon.PostingRef, reason, actor string) func() error {
		return func() error {
			_, err := f.r.Match(f.ctx, recon.MatchRequest{BankAccount: "BOC-R", Lines: lines, Postings: posts, Reason: reason, Actor: actor})
			return err
		}
	}
	many := make([]int64, recon.MaxMatchItems)
	long := strings.Repeat("理", recon.MaxReasonBytes/3+1) // 3 bytes each: 2,001 bytes
	l1 := []int64{line}
	p1 := []recon.PostingRef{in}
	for _, c := range []struct {
		name  string
		call  func() error
		named error
		kind  error
		text  string // the figures and items the error names
	}{
		{"no posting", match(l1, nil, "r", "clerk"), recon.ErrMatchEmpty, recon.ErrInvalid, "1 statement lines and 0 postings"},
		{"too many", match(many, p1, "r", "clerk"), recon.ErrMatchTooLarge, recon.ErrInvalid, "1001 items, at most 1000"},
		{"no reason", match(l1, p1, "", "clerk"), recon.ErrReasonRequired, recon.ErrInvalid, "match on BOC-R"},
		{"long reason", match(l1, p1, long, "clerk"), recon.ErrReasonTooLong, recon.ErrInvalid, "2001 bytes, at most 2000"},
		{"no actor", match(l1, p1, "r", ""), recon.ErrActorRequired, recon.ErrInvalid, "match on BOC-R"},
		{"line of another account", match([]int64{other}, p1, "r", "clerk"), recon.ErrLineOtherAccount, recon.ErrInvalid,
			fmt.Sprintf("statement line %d is a line of bank account BOC-O, not BOC-R", other)},
		{"no such line", match([]int64{line, 999999}, p1, "r", "clerk"), recon.ErrLineNotFound, recon.ErrNotFound, "statement line 999999"},
		{"line twice", match([]int64{line, line}, p1, "r", "clerk"), recon.ErrItemNamedTwice, recon.ErrInvalid,
			fmt.Sprintf("statement line %d is named twice", line)},
		{"posting twice", match(l1, []recon.PostingRef{in, {EntryID: in.EntryID}}, "r", "clerk"), recon.ErrItemNamedTwice, recon.ErrInvalid,
			fmt.Sprintf("posting %s is named twice", in)},
		{"entry with two cash postings", match(l1, []recon.PostingRef{{EntryID: two.ID}}, "r", "clerk"), recon.ErrPostingAmbiguous, recon.ErrInvalid,
			fmt.Sprintf("entry %d has more than one cash posting for BOC-R", two.ID)},
		{"no such posting", match(l1, []recon.PostingRef{{EntryID: in.EntryID, Line: 9}}, "r", "clerk"), recon.ErrPostingNotFound, recon.ErrNotFound,
			fmt.Sprintf("posting %d/9 is not a cash posting", in.EntryID)},
		{"unbalanced", match(l1, []recon.PostingRef{{EntryID: two.ID, Line: 1}}, "r", "clerk"), recon.ErrUnbalanced, recon.ErrUnbalanced, "differ by 400.00"},
		{"unknown bank account", func() error {
			_, err := f.r.Match(f.ctx, recon.MatchRequest{BankAccount: "NOPE", Lines: l1, Postings: p1, Reason: "r", Actor: "clerk"})
			return err
		}, recon.ErrBankAccountUnknown, recon.ErrNotFound, `bank account "NOPE"`},
		{"unmatch without reason", func() error { return f.r.Unmatch(f.ctx, m, "", "clerk") }, recon.ErrReasonRequired, recon.ErrInvalid, fmt.Sprintf("unmatch %d", m)},
		{"unmatch, long reason", func() error { return f.r.Unmatch(f.ctx, m, long, "clerk") }, recon.ErrReasonTooLong, recon.ErrInvalid, "2001 bytes"},
		{"unmatch without actor", func() error { return f.r.Unmatch(f.ctx, m, "r", "") }, recon.ErrActorRequired, recon.ErrInvalid, fmt.Sprintf("unmatch %d", m)},
		{"unmatch of no match", func() error { return f.r.Unmatch(f.ctx, 999999, "r", "clerk") }, recon.ErrMatchNotFound, recon.ErrNotFound, "match 999999"},
		{"unmatch twice", func() error { return f.r.Unmatch(f.ctx, m, "again", "clerk") }, recon.ErrRevoked, recon.ErrRevoked,
			"by clerk (reason: matched to test the refusals)"},
		{"bad posting", func() error { _, err := recon.ParsePostingRef("12/x"); return err }, recon.ErrPostingRef, recon.ErrInvalid, `posting "12/x"`},
		{"bad period", func() error { _, err := recon.ParsePeriod("2021-13"); return err }, recon.ErrPeriod, recon.ErrInvalid, `period "2021-13"`},
		{"run without period", func() error {
			_, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-R", WindowDays: 3, Actor: "clerk"})
			return err
		}, recon.ErrRunNoPeriod, recon.ErrInvalid, "recon run"},
		{"run window", func() error {
			_, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-R", Period: period("2021-03"), WindowDays: 40, Actor: "clerk"})
			return err
		}, recon.ErrRunWindow, recon.ErrInvalid, "window of 40 days: want 0 to 31"},
		{"run without actor", func() error {
			_, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-R", Period: period("2021-03"), WindowDays: 3})
			return err
		}, recon.ErrActorRequired, recon.ErrInvalid, "recon run"},
	} {
		err := c.call()
		if !errors.Is(err, c.named) || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v; want %v (%v) naming %q", c.name, err, c.named, c.kind, c.text)
		}
		for _, other := range []error{recon.ErrMatchEmpty, recon.ErrReasonRequired, recon.ErrItemNamedTwice, recon.ErrLineNotFound, recon.ErrMatchNotFound} {
			if other != c.named && errors.Is(err, other) {
				t.Errorf("%s: %v is also %v", c.name, err, other)
			}
		}
	}
	if n := len(f.matches("BOC-R", true)); n != 1 {
		t.Errorf("%d matches after the refusals, want the 1 made", n)
	}
}
