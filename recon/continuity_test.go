package recon_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"fundledger/recon"
)

// TestImportSameLinesAcrossLayouts is the case of issue 15: August
// exported as CCB's XLSX (with serials), then 07-20..08-10 as ICBC's GBK
// CSV (no serial, other voucher numbers). The four August lines of the
// second file are recognised as stored (same date, direction, amount and
// running balance) and only the two July lines are added; the account's
// lines then add up to the balances of both files.
func TestImportSameLinesAcrossLayouts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "CCB-1")
	aug := append(append([]ccbRow{}, augustRows...),
		ccbRow{at("2020-08-20 11:00:00"), 0, 50000, 1250000, "威海市环翠区财政局", "3700001", "省级补助资金", "C0820001"})
	res, err := f.r.ImportStatement(f.ctx, recon.ImportRequest{BankAccount: "CCB-1", File: "ccb-2020-08.xlsx", Data: ccbXLSX(t, aug), Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Profile != "ccb" || res.Added != 5 || !res.Opening.Decimal.Equal(d("1000000")) || !res.Closing.Decimal.Equal(d("1250000")) {
		t.Fatalf("CCB August: %+v", res)
	}
	icbc := "凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n" +
		"9001,1614,3700001,2020-07-20 09:00:00,贷,,\"800,000.00\",1,转账,中央补助资金,威海市环翠区财政局,\"1,200,000.00\",\n" +
		"9002,1614,3700009,2020-07-28 15:00:00,借,\"200,000.00\",,1,转账,设计费,威海某设计院,\"1,000,000.00\",\n" +
		"9003,1614,3700001,2020-08-03 09:12:01,贷,,\"500,000.00\",1,转账,中央补助资金,威海市环翠区财政局,\"1,500,000.00\",\n" +
		"9004,1614,3700002,2020-08-05 10:25:49,借,\"139,179.60\",,1,转账,电力改造分摊,国网威海供电公司,\"1,360,820.40\",\n" +
		"9005,1614,3700003,2020-08-05 14:00:00,借,\"139,179.60\",,1,转账,供水改造分摊,威海市水务集团有限公司,\"1,221,640.80\",\n" +
		"9006,1614,3700004,2020-08-10 16:45:10,借,\"21,640.80\",,1,转账,工程款,威海某建筑工程有限公司,\"1,200,000.00\",\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(icbc)
	if err != nil {
		t.Fatal(err)
	}
	res, err = f.r.ImportStatement(f.ctx, recon.ImportRequest{BankAccount: "CCB-1", File: "icbc-0720-0810.csv", Data: []byte(gbk), Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Profile != "icbc" || res.Lines != 6 || res.Added != 2 || res.Duplicates != 4 || res.SameAsStoredCount != 4 || len(res.SameAsStored) != 4 {
		t.Fatalf("ICBC 07-20..08-10: %+v", res)
	}
	if s := res.SameAsStored[0]; s.Row != 4 || s.File != "ccb-2020-08.xlsx" {
		t.Errorf("first same line: %+v", s)
	}
	// Stored: the two July lines and the five of August; they add up from
	// the opening 400,000.00 (before 07-20) to 1,250,000.00.
	var n int
	var sum string
	if err := f.p.Ledger().DB().QueryRowxContext(f.ctx, `SELECT count(*), sum(CASE direction WHEN 'in' THEN amount ELSE -amount END)::text
		FROM recon_statement_lines WHERE bank_account = 'CCB-1'`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 7 || !d(sum).Equal(d("850000")) { // 1,250,000.00 - 400,000.00
		t.Errorf("%d lines stored, net %s; want 7, 850000.00", n, sum)
	}
}

// TestImportContinuity: a statement whose opening balance does not follow
// the previous statement's closing balance is refused with both figures;
// with a reason it is stored, and the reason and the break are recorded.
// A statement imported before one already stored must lead to its
// opening. The days between statements are listed.
func TestImportContinuity(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-C")
	march := genericHeader +
		"2021-03-01,2446999.96,,2446999.96,威海市财政局,拨款,GK-1\n" +
		"2021-03-30,100.00,,2447099.96,银行,利息,\n" +
		"2021-03-30,,100.00,2446999.96,某公司,手续费,\n"
	f.importCSV("BOC-C", "generic", "march.csv", march)
	april := genericHeader +
		"2021-04-02,,1000.00,2444999.96,某公司,设计费,\n" // opening 2,445,999.96
	_, err := f.importBytes("BOC-C", "generic", "april.csv", []byte(april))
	if !errors.Is(err, recon.ErrDiscontinuous) || !strings.Contains(err.Error(), "opening balance 2445999.96") ||
		!strings.Contains(err.Error(), "closing balance 2446999.96") || !strings.Contains(err.Error(), "difference -1000.00") {
		t.Fatalf("break: %v", err)
	}
	if n := len(f.lineIDs("BOC-C")); n != 3 {
		t.Fatalf("%d lines stored after the refusal, want 3", n)
	}
	res, err := f.r.ImportStatement(f.ctx, recon.ImportRequest{BankAccount: "BOC-C", Profile: mustProfile(t, "generic"), File: "april.csv",
		Data: []byte(april), Actor: "clerk", AcceptBreak: "1,000.00 returned by the bank on 03-31, statement reissued"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Breaks) != 1 || res.Breaks[0].With != "previous" || !res.Breaks[0].Different.Equal(d("-1000")) || res.Added != 1 ||
		len(res.Gaps) != 1 || res.Gaps[0].Days != 2 || res.Gaps[0].From.Format("01-02") != "03-31" || res.Previous.File != "march.csv" {
		t.Fatalf("accepted break: %+v", res)
	}
	var reason, breaks string
	if err := f.p.Ledger().DB().QueryRowxContext(f.ctx, `SELECT continuity_reason, continuity_breaks::text FROM recon_imports WHERE id = $1`,
		res.ImportID).Scan(&reason, &breaks); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "reissued") || !strings.Contains(breaks, `"their_balance": "2446999.96"`) {
		t.Errorf("recorded: %q %s", reason, breaks)
	}
	// June is stored; May, imported after it, closes at 2,444,000.00 but
	// June opens at 2,443,999.96.
	june := genericHeader + "2021-06-01,,1000.00,2442999.96,某公司,工程款,\n"
	if _, err := f.r.ImportStatement(f.ctx, recon.ImportRequest{BankAccount: "BOC-C", Profile: mustProfile(t, "generic"), File: "june.csv",
		Data: []byte(june), Actor: "clerk", AcceptBreak: "May not exported yet"}); err != nil {
		t.Fatal(err)
	}
	may := genericHeader + "2021-05-10,,999.96,2444000.00,某公司,工程款,\n"
	_, err = f.importBytes("BOC-C", "generic", "may.csv", []byte(may))
	if !errors.Is(err, recon.ErrDiscontinuous) || !strings.Contains(err.Error(), "closing balance 2444000.00 does not lead to the opening balance 2443999.96") {
		t.Errorf("break with the next statement: %v", err)
	}
	// A May that follows on both sides is stored without a reason.
	may = genericHeader + "2021-05-10,,1000.00,2443999.96,某公司,工程款,\n"
	res = f.importCSV("BOC-C", "generic", "may.csv", may)
	if len(res.Breaks) != 0 || res.BreakReason != "" || res.Previous == nil || res.Next == nil || res.Next.File != "june.csv" {
		t.Errorf("continuous May: %+v", res)
	}
}

func mustProfile(t *testing.T, name string) *recon.Profile {
	t.Helper()
	p, err := recon.LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunCounterpartyTieBreak is the case of issue 15: the power and
// water shares of 139,179.60 are paid the same day; each statement line
// has two candidates of that amount within the window, and the payee of
// the book entry that names the line's 对方户名 decides (pass 2).
func TestRunCounterpartyTieBreak(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "ICBC-T")
	f.receive("ICBC-T", "2021-08-03", "500000.00", "")
	water := f.pay("ICBC-T", "2021-08-05", "139179.60", "威海市水务集团有限公司", "")
	power := f.pay("ICBC-T", "2021-08-05", "139179.60", "国网威海供电公司", "")
	f.pay("ICBC-T", "2021-08-10", "21640.80", "威海某建筑工程有限公司", "")
	data, err := os.ReadFile(filepath.Join("testdata", "icbc.csv"))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("2020-08-"), []byte("2021-08-")) // the fixture's project is approved in 2021 (GBK keeps ASCII as is)
	if _, err := f.r.ImportStatement(f.ctx, recon.ImportRequest{BankAccount: "ICBC-T", File: "icbc.csv", Data: data, Actor: "clerk"}); err != nil {
		t.Fatal(err)
	}
	res, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "ICBC-T", Period: period("2021-08"), WindowDays: 3, Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 4 || res.Passes[1].Matches != 4 || res.IssueCount != 0 {
		t.Fatalf("run: %+v", res)
	}
	l := f.lineIDs("ICBC-T") // 08-03, 08-05 power, 08-05 water, 08-10
	ms := f.matches("ICBC-T", false)
	if m := find(ms, l[1]); m == nil || m.Postings[0] != power {
		t.Errorf("power line: %+v, want posting %v", m, power)
	}
	if m := find(ms, l[2]); m == nil || m.Postings[0] != water {
		t.Errorf("water line: %+v, want posting %v", m, water)
	}
}

// TestMatchesTriggerChecks: the database refuses, by itself, a match of a
// bank account that does not exist, of a run that does not exist or is
// another account's, and an item added to a committed match.
func TestMatchesTriggerChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-X", "BOC-Y")
	db := f.p.Ledger().DB()
	var run int64
	if err := db.GetContext(f.ctx, &run, `INSERT INTO recon_runs (bank_account, period_from, period_to, window_days, actor)
		VALUES ('BOC-X', '2021-03-01', '2021-03-31', 3, 'clerk') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ sql, want string }{
		{`INSERT INTO recon_matches (bank_account, actor, reason) VALUES ('NOPE', 'a', 'r')`, "bank account NOPE does not exist"},
		{`INSERT INTO recon_matches (bank_account, run_id, pass) VALUES ('BOC-X', 999999, 1)`, "run 999999 does not exist"},
		{fmt.Sprintf(`INSERT INTO recon_matches (bank_account, run_id, pass) VALUES ('BOC-X', %d, 1), ('BOC-Y', %d, 2)`, run, run),
			fmt.Sprintf("run %d is not a run of bank account BOC-Y", run)},
	} {
		if _, err := db.ExecContext(f.ctx, c.sql); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.sql, err, c.want)
		}
	}
	var m int64
	if err := db.GetContext(f.ctx, &m, `INSERT INTO recon_matches (bank_account, run_id, pass) VALUES ('BOC-X', $1, 1) RETURNING id`, run); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(f.ctx, `INSERT INTO recon_match_items (match_id, entry_id, posting_line) VALUES ($1, 1, 1)`, m); err == nil ||
		!strings.Contains(err.Error(), "is committed") {
		t.Errorf("item into a committed match: %v", err)
	}
	// In one transaction with a new match: an item of a match that does
	// not exist, and an inactive item, among good ones (00018 checks them
	// in one pass).
	for _, c := range []struct {
		items string
		want  func(m2 int64) string
	}{
		{`(%[1]d, 1, 1, true), (%[1]d + 1000000, 2, 1, true)`, func(m2 int64) string { return fmt.Sprintf("match %d does not exist", m2+1000000) }},
		{`(%[1]d, 1, 1, true), (%[1]d, 2, 1, false)`, func(int64) string { return "an item is inactive only once its match is revoked" }},
		{`(%[1]d, 1, 1, true), (%[2]d, 2, 1, true)`, func(int64) string { return fmt.Sprintf("match %d is committed", m) }},
	} {
		tx, err := db.BeginTxx(f.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var m2 int64
		if err := tx.GetContext(f.ctx, &m2, `INSERT INTO recon_matches (bank_account, run_id, pass) VALUES ('BOC-X', $1, 1) RETURNING id`, run); err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(f.ctx, `INSERT INTO recon_match_items (match_id, entry_id, posting_line, active) VALUES `+fmt.Sprintf(c.items, m2, m))
		want := c.want(m2)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", c.items, err, want)
		}
		_ = tx.Rollback()
	}
}
