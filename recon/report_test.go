package recon_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/recon"
	"fundledger/report"
)

func sameAmount(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got.StringFixed(2), want)
	}
}

// TestReportAgrees reconciles BOC-M for March after one run (the
// statement and books of TestRunPasses). By hand:
//
//	book balance 03-31: receipts 1,000,000.00 + 500,000.00 − payments
//	  (200,000.00 + 30,000.00 + 20,000.00 + 80,000.00 + 10,000.00 + 10,000.00
//	  + 7,000.00 = 357,000.00)                          = 1,143,000.00
//	bank balance 03-31 (line 9's running balance)       = 1,150,123.95
//	bank received, not booked: line 8 500,000.50 + line 9 123.45 = 500,123.95
//	bank paid, not booked: lines 6 and 7, 10,000.00 each          =  20,000.00
//	booked received, not at the bank: GK-002 receipt              = 500,000.00
//	booked paid, not at the bank: 10,000.00 × 2 + 7,000.00        =  27,000.00
//	adjusted book = 1,143,000.00 + 500,123.95 − 20,000.00 = 1,623,123.95
//	adjusted bank = 1,150,123.95 + 500,000.00 − 27,000.00 = 1,623,123.95: agree.
//
// In April the bank pays the 7,000.00 on 04-01; April's run matches it.
// March's statement still lists it (its match has an item after 03-31);
// April's does not: book 1,143,000.00, bank 1,143,123.95, + 500,123.95 −
// 20,000.00 = 1,623,123.95 = 1,143,123.95 + 500,000.00 − 20,000.00.
func TestReportAgrees(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-M")
	b := marchBooks(f, "BOC-M")
	f.importCSV("BOC-M", "generic", "march.csv", march)
	if _, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.r.Report(f.ctx, recon.ReportRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameAmount(t, "book balance", rep.BookBalance, "1143000.00")
	sameAmount(t, "bank balance", rep.BankBalance, "1150123.95")
	sameAmount(t, "bank received, not booked", rep.BankIn.Total, "500123.95")
	sameAmount(t, "bank paid, not booked", rep.BankOut.Total, "20000.00")
	sameAmount(t, "booked received, not at the bank", rep.BookIn.Total, "500000.00")
	sameAmount(t, "booked paid, not at the bank", rep.BookOut.Total, "27000.00")
	sameAmount(t, "adjusted book", rep.AdjustedBook, "1623123.95")
	sameAmount(t, "adjusted bank", rep.AdjustedBank, "1623123.95")
	if !rep.Agrees() || rep.BankBalanceFrom != "statement" {
		t.Errorf("does not agree: %+v", rep)
	}
	if rep.Lines != 9 || rep.MatchedLines != 5 || rep.Postings != 9 || rep.MatchedPosts != 5 || rep.Matches != 4 {
		t.Errorf("activity: lines %d/%d postings %d/%d matches %d", rep.MatchedLines, rep.Lines, rep.MatchedPosts, rep.Postings, rep.Matches)
	}
	sameAmount(t, "matched lines", rep.MatchedLinesAmt, "1330000.00")
	sameAmount(t, "matched postings", rep.MatchedPostsAmt, "1330000.00")
	if rep.IssueCount != 2 {
		t.Errorf("issues: %+v", rep.Issues)
	}

	// Rendered.
	var buf bytes.Buffer
	if err := report.RenderAll(&buf, report.ReconReport(rep, report.Amount), report.FormatTable, ""); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"银行存款余额调节表", "1,623,123.95", "调节后余额相符", "500,000.50", "威海某物业公司", "ambiguous_amount_date"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered report lacks %q:\n%s", want, out)
		}
	}

	// April: the 7,000.00 reaches the bank.
	f.importCSV("BOC-M", "generic", "april.csv", genericHeader+"2021-04-01,,7000.00,1143123.95,威海某物业公司,物业费,\n")
	apr, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-M", Period: period("2021-04"), WindowDays: 3, Actor: "clerk"})
	if err != nil || apr.Matched != 1 {
		t.Fatalf("april run: %+v %v", apr, err)
	}
	rep, err = f.r.Report(f.ctx, recon.ReportRequest{BankAccount: "BOC-M", Period: period("2021-03"), WindowDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Agrees() || !rep.BookOut.Total.Equal(d("27000")) {
		t.Errorf("march after april's run: %+v", rep)
	}
	transit := rep.BookOut.Items[len(rep.BookOut.Items)-1]
	if *transit.Posting != b.transit7 || transit.MatchID == 0 {
		t.Errorf("in transit: %+v", transit)
	}
	rep, err = f.r.Report(f.ctx, recon.ReportRequest{BankAccount: "BOC-M", Period: period("2021-04"), WindowDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameAmount(t, "april book", rep.BookBalance, "1143000.00")
	sameAmount(t, "april bank", rep.BankBalance, "1143123.95")
	sameAmount(t, "april booked paid, not at the bank", rep.BookOut.Total, "20000.00")
	sameAmount(t, "april adjusted bank", rep.AdjustedBank, "1623123.95")
	if !rep.Agrees() {
		t.Errorf("april does not agree: %+v", rep)
	}
}

// TestReportDifference: the account held 5,000.00 before the books
// started, so the statement opens at 5,000.00. Everything matches, and
// still: adjusted book 1,000.00, adjusted bank 6,000.00, difference
// −5,000.00, shown.
func TestReportDifference(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-X")
	f.receive("BOC-X", "2021-03-01", "1000.00", "GK-9")
	f.importCSV("BOC-X", "generic", "x.csv", genericHeader+"2021-03-01,1000.00,,6000.00,财政局,,GK-9\n")
	if res, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-X", Period: period("2021-03"), WindowDays: 3, Actor: "clerk"}); err != nil || res.Matched != 1 {
		t.Fatalf("run: %+v %v", res, err)
	}
	rep, err := f.r.Report(f.ctx, recon.ReportRequest{BankAccount: "BOC-X", Period: period("2021-03"), WindowDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameAmount(t, "adjusted book", rep.AdjustedBook, "1000.00")
	sameAmount(t, "adjusted bank", rep.AdjustedBank, "6000.00")
	sameAmount(t, "difference", rep.Difference, "-5000.00")
	var buf bytes.Buffer
	if err := report.RenderAll(&buf, report.ReconReport(rep, report.Plain), report.FormatCSV, "en"); err != nil {
		t.Fatal(err)
	}
	// One CSV is one table: the statement's rows under a section column.
	if !strings.Contains(buf.String(), "as of 2021-03-31\",差额 Difference,,,,,-5000.00") {
		t.Errorf("difference not in the CSV:\n%s", buf.String())
	}
	buf.Reset()
	if err := report.RenderAll(&buf, report.ReconReport(rep, report.Amount), report.FormatTable, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "调节后余额不符 the adjusted balances differ by -5,000.00") {
		t.Errorf("difference not shown:\n%s", buf.String())
	}
}
