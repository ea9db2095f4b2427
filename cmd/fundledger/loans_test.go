package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoanCLI: a policy-bank loan end to end through the CLI — register,
// draw, a subsidy refused before the interest is paid, payment, subsidy,
// a capital injection — and `report loans` with figures computed by hand:
// 12,000.00 at 6% quarterly, equal principal: interest 180.00 and
// principal 3,000.00 paid on 2021-04-15; 50% subsidy 90.00; next due
// 2021-07-15 with 9,000.00 × 1.5% = 135.00 and 3,000.00.
func TestLoanCLI(t *testing.T) {
	url, mustRun := fresh(t)
	mustRun("", "rules", "load", "../../funding/testdata/loans/rules-loan.yaml")
	mustRun(`[{"code": "WH-HC-L-1", "name": "贷款测试小区", "district": "环翠区", "completed_on": "1996-05-01", "state_owned_land": true,
	   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2021}]`, "project", "register")
	mustRun(`[{"category": "basic", "description": "roads", "amount": "20000.00"}]`, "budget", "approve", "WH-HC-L-1", "--date", "2021-01-05")
	mustRun(`{"code": "PB-CLI", "name": "国开行贷款", "lender": "国家开发银行", "lender_kind": "policy_bank", "district": "环翠区",
	  "projects": ["WH-HC-L-1"], "amount": "12000.00", "rate_kind": "fixed", "rate_pct": "6", "start": "2021-01-15",
	  "term_months": 12, "frequency": "quarterly", "repayment": "equal_principal"}`, "loan", "register")
	out := mustRun("", "loan", "draw", "PB-CLI", "--project", "WH-HC-L-1", "--amount", "12000.00", "--date", "2021-01-15", "--key", "cli-d1")
	if !strings.Contains(out, "schedule version 1") {
		t.Errorf("draw: %s", out)
	}
	out = mustRun("", "loan", "schedule", "PB-CLI")
	if !strings.Contains(out, "180.00") || !strings.Contains(out, "30E/360") {
		t.Errorf("schedule lacks the first period's interest or the rounding:\n%s", out)
	}
	mustRun("", "loan", "subsidy", "commit", "PB-CLI", "--due", "2021-04-15")
	if _, err := run(t, url, "", "loan", "subsidy", "pay", "PB-CLI", "--due", "2021-04-15", "--level", "provincial", "--date", "2021-04-20"); err == nil ||
		!strings.Contains(err.Error(), "no interest is recorded as paid") {
		t.Errorf("subsidy before interest: %v", err)
	}
	mustRun("", "loan", "pay", "PB-CLI", "--due", "2021-04-15")
	mustRun("", "loan", "subsidy", "pay", "PB-CLI", "--due", "2021-04-15", "--level", "provincial", "--date", "2021-04-20")
	mustRun("", "company", "register", "--code", "HC-CO", "--name", "环翠城投", "--district", "环翠区")
	mustRun("", "capital", "inject", "--company", "HC-CO", "--project", "WH-HC-L-1", "--level", "municipal", "--amount", "5000.00",
		"--date", "2021-03-01", "--key", "cli-inj")

	out = mustRun("", "report", "loans", "--as-of", "2021-04-30", "--format", "csv", "--lang", "en")
	for _, want := range []string{
		// amount, drawn, repaid, of which early, outstanding, accrued, paid, subsidy committed, paid, net cost, overdue,
		// next due, next interest, next principal, schedule version
		"12000.00,12000.00,3000.00,0.00,9000.00,180.00,180.00,90.00,90.00,90.00,0.00,2021-07-15,135.00,3000.00,1",
		"huancui,环翠区,0.00,9000.00,9000.00,180.00,90.00,90.00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report loans lacks %q:\n%s", want, out)
		}
	}
	// One CSV is one table: the capital line's project and its figures sit
	// on one row, apart by the columns of the other sections.
	capitalLine := func(out string) bool {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "WH-HC-L-1,") && strings.Contains(l, "HC-CO,municipal,,5000.00,0.00,5000.00") {
				return true
			}
		}
		return false
	}
	if !capitalLine(out) {
		t.Errorf("report loans lacks the capital injection of WH-HC-L-1:\n%s", out)
	}
	// The sources report and the balance sheet show the injection as its own
	// line: government equity (net assets), not a source's money.
	out = mustRun("", "report", "sources", "--as-of", "2021-04-30", "--format", "csv", "--lang", "en")
	if rec := csvRecord(t, out, "Project", "WH-HC-L-1"); rec["Company"] != "HC-CO" || rec["Level"] != "municipal" ||
		rec["Received"] != "5000.00" || rec["Used"] != "0.00" || rec["Available"] != "5000.00" {
		t.Errorf("report sources lacks the capital injection line (%v):\n%s", rec, out)
	}
	out = mustRun("", "report", "balance-sheet", "--as-of", "2021-04-30", "--format", "csv", "--lang", "en")
	if !strings.Contains(out, "净资产 Net assets,capital_paid_in:HC-CO,1,5000.00") {
		t.Errorf("balance sheet lacks the government's equity in HC-CO:\n%s", out)
	}
	xlsx := filepath.Join(t.TempDir(), "loans.xlsx")
	mustRun("", "report", "loans", "--as-of", "2021-04-30", "--format", "xlsx", "-o", xlsx)
	if fi, err := os.Stat(xlsx); err != nil || fi.Size() == 0 {
		t.Errorf("xlsx not written: %v", err)
	}
	out = mustRun("", "report", "loans", "--as-of", "2021-04-30", "--format", "json", "--district", "文登区")
	if strings.Contains(out, "PB-CLI") {
		t.Errorf("report loans --district 文登区 shows 环翠区's loan:\n%s", out)
	}
}

// csvRecord is the first record of a one-table CSV whose column col holds
// value, as column → cell (a later column of the same name wins).
func csvRecord(t *testing.T, out, col, value string) map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		if m[col] == value {
			return m
		}
	}
	return nil
}

// TestLoanFileAllOrNothing: `loan register -f` with five loans, the third
// with a rate of -1%, registered the first two and stopped; now it names
// the file, the loan's place and code, the field and the reason, registers
// none (`loan list` is empty after it), and the file corrected registers
// all five.
func TestLoanFileAllOrNothing(t *testing.T) {
	url, mustRun := fresh(t)
	mustRun("", "rules", "load", "../../funding/testdata/loans/rules-loan.yaml")
	mustRun(`{"code": "WH-HC-L-F", "name": "贷款测试小区", "district": "环翠区", "completed_on": "1996-05-01", "state_owned_land": true,
	   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2021}`, "project", "register")
	loans := func(badRate string) string {
		var items []string
		for i := 1; i <= 5; i++ {
			rate := "6"
			if i == 3 {
				rate = badRate
			}
			items = append(items, fmt.Sprintf(`{"code": "PB-F%d", "name": "贷款 %d", "lender": "国家开发银行", "lender_kind": "policy_bank",
  "district": "环翠区", "projects": ["WH-HC-L-F"], "amount": "1000.00", "rate_kind": "fixed", "rate_pct": "%s", "start": "2021-01-15",
  "term_months": 12, "frequency": "quarterly", "repayment": "equal_principal"}`, i, i, rate))
		}
		return "[" + strings.Join(items, ",\n") + "]"
	}
	file := filepath.Join(t.TempDir(), "loans.json")
	if err := os.WriteFile(file, []byte(loans("-1")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, url, "", "loan", "register", "-f", file)
	if err == nil || exitCode(err) != exitRefused {
		t.Fatalf("a file with a bad third loan: %v (exit %d)\n%s", err, exitCode(err), out)
	}
	for _, want := range []string{file + ": ", "item 3 (PB-F3)", "rate", "-1", "nothing was stored"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	if strings.Contains(out, "PB-F1") {
		t.Errorf("a loan is reported registered from a refused file:\n%s", out)
	}
	listed := func() int {
		t.Helper()
		var tb tbJSON
		if err := json.Unmarshal([]byte(mustRun("", "loan", "list", "--format", "json")), &tb); err != nil {
			t.Fatal(err)
		}
		return len(tb.Rows)
	}
	if n := listed(); n != 0 {
		t.Fatalf("%d loans registered from a refused file, want 0", n)
	}
	if err := os.WriteFile(file, []byte(loans("6")), 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustRun("", "loan", "register", "-f", file)
	if strings.Count(out, "\nloan PB-F")+1 != 5 || !strings.HasPrefix(out, "loan PB-F1 ") {
		t.Errorf("the corrected file printed:\n%s", out)
	}
	if n := listed(); n != 5 {
		t.Fatalf("%d loans registered from the corrected file, want 5", n)
	}
}
