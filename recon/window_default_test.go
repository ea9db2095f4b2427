package recon_test

import (
	"strings"
	"testing"

	"fundledger/recon"
)

// TestDefaultWindow: the window the CLI, the API and the report use when
// none is given is ±3 days, inclusive. A receipt 3 days before its line
// matches it, one 4 days after does not compete for it; two receipts 3
// days either side of another line both compete, so that line is left for
// a person. A window of 4 or more would make the first line ambiguous too;
// one of 2 or less would match nothing and list nothing.
func TestDefaultWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-D")
	near := f.receive("BOC-D", "2021-03-07", "1000.00", "")
	f.receive("BOC-D", "2021-03-14", "1000.00", "")
	f.receive("BOC-D", "2021-03-17", "777.77", "")
	f.receive("BOC-D", "2021-03-23", "777.77", "")
	f.importCSV("BOC-D", "generic", "d.csv", genericHeader+
		"2021-03-10,1000.00,,1000.00,财政局,,\n"+
		"2021-03-20,777.77,,1777.77,财政局,,\n")
	l := f.lineIDs("BOC-D")

	check := func(what string, issues []recon.Issue, count int) {
		t.Helper()
		if count != 1 || len(issues) != 1 || issues[0].Kind != recon.IssueAmbiguous ||
			!strings.Contains(issues[0].Note, "777.77") || !strings.Contains(issues[0].Note, "±3 days") {
			t.Errorf("%s: issues %d %+v, want one ambiguous 777.77 within ±3 days", what, count, issues)
		}
	}
	// The report's dry run, window not given (out of range: the default).
	rep, err := f.r.Report(f.ctx, recon.ReportRequest{BankAccount: "BOC-D", Period: period("2021-03"), WindowDays: -1})
	if err != nil {
		t.Fatal(err)
	}
	check("report", rep.Issues, rep.IssueCount)

	// The run with the default the CLI flag and the API body fall back to.
	res, err := f.r.Run(f.ctx, recon.RunRequest{BankAccount: "BOC-D", Period: period("2021-03"), WindowDays: recon.DefaultWindowDays, Actor: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if res.WindowDays != 3 || res.Matched != 1 || res.Passes[1].Matches != 1 {
		t.Fatalf("run: window %d, matched %d, passes %+v; want window 3, one match by amount and date", res.WindowDays, res.Matched, res.Passes)
	}
	check("run", res.Issues, res.IssueCount)
	ms := f.matches("BOC-D", false)
	if len(ms) != 1 || len(ms[0].Lines) != 1 || ms[0].Lines[0] != l[0] || len(ms[0].Postings) != 1 || ms[0].Postings[0] != near {
		t.Errorf("matches: %+v, want line %d with the receipt of 03-07 %+v", ms, l[0], near)
	}
}
