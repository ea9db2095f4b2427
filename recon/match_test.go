package recon_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fundledger/recon"
)

// march is the statement of BOC-M for March 2021 (oldest first, with
// running balances from an opening balance of zero):
//
//	line  date   in/out        balance       what
//	 1    03-02  in 1,000,000.00  1,000,000.00  GK-001: receipt of 03-01, same reference      → pass 1
//	 2    03-06  out  200,000.00    800,000.00  payment of 03-05, no reference                 → pass 2
//	 3    03-10  out   50,000.00    750,000.00  batch: payments 30,000.00 (03-09) + 20,000.00  → pass 3 split
//	 4    03-15  out   45,000.00    705,000.00  } one payment of 80,000.00 (03-15) paid in two → pass 3 merged
//	 5    03-16  out   35,000.00    670,000.00  }
//	 6    03-21  out   10,000.00    660,000.00  } two payments of 10,000.00 on 03-20: each line
//	 7    03-21  out   10,000.00    650,000.00  } has two candidates → left for a person
//	 8    03-25  in   500,000.50  1,150,000.50  GK-002, but the receipt says 500,000.00 → left for a person
//	 9    03-31  in       123.45  1,150,123.95  interest, not in the books
//
// The books also hold a payment of 7,000.00 on 03-30 that the bank pays on
// 04-01 (April's statement).
const march = genericHeader +
	"2021-03-02,1000000.00,,1000000.00,威海市财政局,中央补助资金,GK-001\n" +
	"2021-03-06,,200000.00,800000.00,威海市某建设工程有限公司,工程款,\n" +
	"2021-03-10,,50000.00,750000.00,批量代发,批量支付,\n" +
	"2021-03-15,,45000.00,705000.00,山东某电力安装有限公司,管线改造(1),\n" +
	"2021-03-16,,35000.00,670000.00,山东某电力安装有限公司,管线改造(2),\n" +
	"2021-03-21,,10000.00,660000.00,威海某监理公司,监理费,\n" +
	"2021-03-21,,10000.00,650000.00,威海某设计院,设计费,\n" +
	"2021-03-25,500000.50,,1150000.50,威海市财政局,中央补助资金,GK-002\n" +
	"2021-03-31,123.45,,1150123.95,中国银行,利息,\n"

type books struct {
	gk1, pay200, split30, split20, merged80, amb1, amb2, gk2, transit7 recon.PostingRef
}

func marchBooks(f *fixture, bank string) books {
	return books{
		gk1:      f.receive(bank, "2021-03-01", "1000000.00", "GK-001"),
		pay200:   f.pay(bank, "2021-03-05", "200000.00", "威海市某建设工程有限公司", ""),
		split30:  f.pay(bank, "2021-03-09", "30000.00", "甲施工队", ""),
		split20:  f.pay(bank, "2021-03-10", "20000.00", "乙施工队", ""),
		merged80: f.pay(bank, "2021-03-15", "80000.00", "山东某电力安装有限公司", "ZF-80"),
		// The payees of the two 10,000.00 are written otherwise than the
		// bank's counterparties, so they do not tell the pairs apart.
		amb1:     f.pay(bank, "2021-03-20", "10000.00", "监理单位", ""),
		amb2:     f.pay(bank, "2021-03-20", "10000.00", "设计单位", ""),
		gk2:      f.receive(bank, "2021-03-25", "500000.00", "GK-002"),
		transit7: f.pay(bank, "2021-03-30", "7000.00", "威海某物业公司", ""),
	}
}

func find(ms []recon.Match, line int64) *recon.Match {
	for i := range ms {
		if slices.Contains(ms[i].Lines, line) {
			return &ms[i]
		}
	}
	return nil
}

func TestRunPasses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-M")
	b := marchBooks(f, "BOC-M")
	f.importCSV("BOC-M", "generic", "march.csv", march)
	l := f.lineIDs("BOC-M")

	res, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 4 || res.Passes[0].Matches != 1 || res.Passes[1].Matches != 1 || res.Passes[2].Matches != 2 ||
		res.Passes[2].Lines != 3 || res.Passes[2].Postings != 3 || !res.Passes[2].Amount.Equal(d("130000")) {
		t.Fatalf("run: %+v", res)
	}
	ms := f.matches("BOC-M", false)
	want := []struct {
		line  int64
		pass  int
		posts []recon.PostingRef
	}{
		{l[0], 1, []recon.PostingRef{b.gk1}},
		{l[1], 2, []recon.PostingRef{b.pay200}},
		{l[2], 3, []recon.PostingRef{b.split30, b.split20}},
		{l[3], 3, []recon.PostingRef{b.merged80}},
	}
	for _, w := range want {
		m := find(ms, w.line)
		if m == nil || m.Pass != w.pass || !slices.Equal(m.Postings, w.posts) || m.RunID != res.RunID || m.Actor != "clerk" {
			t.Errorf("line %d: match %+v, want pass %d postings %v", w.line, m, w.pass, w.posts)
		}
	}
	if m := find(ms, l[3]); m == nil || !slices.Equal(m.Lines, []int64{l[3], l[4]}) {
		t.Errorf("merged lines: %+v", m)
	}
	// Left for a person: the two 10,000.00 pairs and GK-002.
	kinds := map[string]bool{}
	for _, is := range res.Issues {
		kinds[is.Kind] = true
		if is.Kind == recon.IssueAmbiguous && (!slices.Equal(is.Lines, []int64{l[5], l[6]}) || len(is.Postings) != 2) {
			t.Errorf("ambiguous issue: %+v", is)
		}
		if is.Kind == recon.IssueReferenceAmounts && (!slices.Equal(is.Lines, []int64{l[7]}) || is.Postings[0] != b.gk2 ||
			!strings.Contains(is.Note, `"GK-002": lines 500000.50, postings 500000.00`)) {
			t.Errorf("reference issue: %+v", is)
		}
	}
	if res.IssueCount != 2 || !kinds[recon.IssueAmbiguous] || !kinds[recon.IssueReferenceAmounts] {
		t.Errorf("issues: %+v", res.Issues)
	}

	// A run again changes nothing.
	again, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"})
	if err != nil || again.Matched != 0 || again.IssueCount != 2 {
		t.Fatalf("second run: %+v %v", again, err)
	}
	if n := len(f.matches("BOC-M", true)); n != 4 {
		t.Errorf("%d matches after the second run, want 4", n)
	}

	// A person matches one 10,000.00 pair; the next run finds the other
	// pair unique and matches it.
	if _, err := f.r.Match(f.ctx, recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[5]}, Postings: []recon.PostingRef{{EntryID: b.amb1.EntryID}},
		Reason: "监理费: payee 威海某监理公司 on both", Actor: "auditor"}); err != nil {
		t.Fatal(err)
	}
	third, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"})
	if err != nil || third.Matched != 1 || third.Passes[1].Matches != 1 || third.IssueCount != 1 {
		t.Fatalf("third run: %+v %v", third, err)
	}
	ms = f.matches("BOC-M", false)
	if m := find(ms, l[5]); m == nil || m.Pass != 0 || m.Actor != "auditor" || m.Reason == "" || m.Postings[0] != b.amb1 {
		t.Errorf("manual match: %+v", m)
	}
	if m := find(ms, l[6]); m == nil || m.Pass != 2 || m.Postings[0] != b.amb2 {
		t.Errorf("other pair: %+v", m)
	}

	// Manual match errors.
	for _, c := range []struct {
		req    recon.MatchRequest
		target error
		msg    string
	}{
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[7]}, Postings: []recon.PostingRef{b.gk2}, Reason: "r", Actor: "a"},
			recon.ErrUnbalanced, "differ by 0.50"},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[0]}, Postings: []recon.PostingRef{b.gk2}, Reason: "r", Actor: "a"},
			recon.ErrUnbalanced, "differ by 500000.00"},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[1]}, Postings: []recon.PostingRef{b.transit7}, Reason: "r", Actor: "a"},
			recon.ErrUnbalanced, ""},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[5]}, Postings: []recon.PostingRef{b.amb2}, Reason: "r", Actor: "a"},
			recon.ErrAlreadyMatched, "already in an active match: statement line"},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[5]}, Postings: []recon.PostingRef{b.amb2}, Reason: "r", Actor: "a"},
			recon.ErrAlreadyMatched, "is already in match"},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[8]}, Postings: []recon.PostingRef{{EntryID: b.gk1.EntryID + 1}}, Reason: "r", Actor: "a"},
			recon.ErrNotFound, "not a cash posting"},
		{recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[8]}, Postings: []recon.PostingRef{b.transit7}, Actor: "a"},
			recon.ErrInvalid, "reason"},
	} {
		if _, err := f.r.Match(f.ctx, c.req); !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("match %+v: %v, want %v with %q", c.req, err, c.target, c.msg)
		}
	}

	// Unmatch the split: the match stays, revoked; its items are free but
	// only a person matches them again.
	split := find(ms, l[2])
	if err := f.r.Unmatch(f.ctx, split.ID, "", "auditor"); !errors.Is(err, recon.ErrInvalid) {
		t.Errorf("unmatch without a reason: %v", err)
	}
	if err := f.r.Unmatch(f.ctx, split.ID, "乙施工队 was paid from another account", "auditor"); err != nil {
		t.Fatal(err)
	}
	// Twice: a message for a person, not a duplicate key.
	err = f.r.Unmatch(f.ctx, split.ID, "again", "auditor2")
	if !errors.Is(err, recon.ErrRevoked) || !strings.Contains(err.Error(), fmt.Sprintf("match %d was already undone on ", split.ID)) ||
		!strings.Contains(err.Error(), "by auditor (reason: 乙施工队 was paid from another account)") || strings.Contains(err.Error(), "duplicate key") {
		t.Errorf("second unmatch: %v", err)
	}
	if err := f.r.Unmatch(f.ctx, 999999, "x", "auditor"); !errors.Is(err, recon.ErrNotFound) {
		t.Errorf("unmatch of no match: %v", err)
	}
	all := f.matches("BOC-M", true)
	if m := find(all, l[2]); m == nil || !m.Revoked || m.RevokedBy != "auditor" || m.RevokedAt == nil {
		t.Errorf("revoked match: %+v", m)
	}
	fourth, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"})
	if err != nil || fourth.Matched != 0 {
		t.Fatalf("run after unmatch: %+v %v", fourth, err)
	}
	released := 0
	for _, is := range fourth.Issues {
		if is.Kind == recon.IssueReleased {
			released += len(is.Lines) + len(is.Postings)
		}
	}
	if released != 3 {
		t.Errorf("released items listed: %d, want 3: %+v", released, fourth.Issues)
	}
	// A person may match them again.
	if _, err := f.r.Match(f.ctx, recon.MatchRequest{BankAccount: "BOC-M", Lines: []int64{l[2]}, Postings: []recon.PostingRef{b.split30, b.split20},
		Reason: "checked with the bank: 批量代发 of two payments", Actor: "auditor"}); err != nil {
		t.Fatal(err)
	}
}

// TestRunWindow: a payment and a line of the same amount four days apart
// are not matched with the default window, and are with a window of 5.
func TestRunWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-W")
	f.receive("BOC-W", "2021-03-01", "1000.00", "")
	f.importCSV("BOC-W", "generic", "w.csv", genericHeader+"2021-03-05,1000.00,,1000.00,财政局,,\n")
	res, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-W", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"})
	if err != nil || res.Matched != 0 {
		t.Fatalf("window 3: %+v %v", res, err)
	}
	res, err = f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-W", Period: period("2021-03"), WindowDays: 5, Actor: "clerk"})
	if err != nil || res.Matched != 1 {
		t.Fatalf("window 5: %+v %v", res, err)
	}
	if _, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-W", Period: period("2021-03"), WindowDays: 40, Actor: "clerk"}); !errors.Is(err, recon.ErrInvalid) {
		t.Errorf("window 40: %v", err)
	}
}
