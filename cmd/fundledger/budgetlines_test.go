package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"fundledger/internal/pgtest"
)

// TestBudgetAdjustAndWhatIfCLI: a line lowered by `budget adjust` refuses
// the payment that no longer fits (budget 150,000.00, paid 100,000.00,
// remaining 50,000.00: 50,000.01 exceeds it by 0.01); reason and approver
// are required and shown in the report's history; `rules what-if` shows
// central's commitment of 400,000.00 (weihai-2020: 40% of basic) becoming
// 500,000.00 under test-citywide.yaml (50%), and posts nothing.
func TestBudgetAdjustAndWhatIfCLI(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	steps := [][]string{
		{"", "rules", "load", "../../rules/examples/weihai-2020.yaml"},
		{`{"code": "WH-WD-T-2", "name": "测试小区", "district": "文登区", "completed_on": "1996-05-01", "state_owned_land": true,
		   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2020}`, "project", "register"},
		{`[{"category": "basic", "description": "roads", "amount": "1000000.00"}]`, "budget", "approve", "WH-WD-T-2", "--date", "2020-07-01"},
		{"", "bank", "add", "WD-001", "--name", "文登区专户"},
		{"", "receipt", "--project", "WH-WD-T-2", "--source", "central", "--amount", "400000.00", "--date", "2020-07-20", "--bank", "WD-001", "--key", "r1"},
		{"", "pay", "--project", "WH-WD-T-2", "--source", "central", "--category", "basic", "--amount", "100000", "--date", "2020-08-01",
			"--payee", "施工单位", "--bank", "WD-001", "--key", "p1"},
	}
	for _, s := range steps {
		if out, err := run(t, url, s[0], s[1:]...); err != nil {
			t.Fatalf("%v: %v\n%s", s[1:], err, out)
		}
	}
	adjust := []string{"budget", "adjust", "WH-WD-T-2", "--category", "basic", "--date", "2020-08-05", "--approver", "区财政局"}
	if _, err := run(t, url, "", append(adjust, "--to", "150000.00")...); err == nil || !strings.Contains(err.Error(), "--reason is required: why, in words") {
		t.Errorf("adjust without --reason: %v", err)
	}
	out, err := run(t, url, "", append(adjust, "--to", "150000.00", "--reason", "方案调整 scope cut")...)
	if err != nil || !strings.Contains(out, "budget line 1,000,000.00 → 150,000.00 (-850,000.00), approved by 区财政局") {
		t.Fatalf("adjust: %v\n%s", err, out)
	}
	if _, err := run(t, url, "", append(adjust, "--to", "99999.99", "--reason", "x")...); err == nil ||
		!strings.Contains(err.Error(), "99999.99 is below the 100000.00 already paid") {
		t.Errorf("adjust below paid: %v", err)
	}
	_, err = run(t, url, "", "pay", "--project", "WH-WD-T-2", "--source", "central", "--category", "basic", "--amount", "50000.01", "--date", "2020-08-10",
		"--payee", "施工单位", "--bank", "WD-001", "--key", "p2")
	if err == nil || !strings.Contains(err.Error(), "budget 150000.00, already paid 100000.00, remaining 50000.00; this payment of 50000.01 exceeds it by 0.01") {
		t.Errorf("payment over the lowered line: %v", err)
	}
	out, err = run(t, url, "", "report", "project", "WH-WD-T-2", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var tables []tbJSON
	if err := json.Unmarshal([]byte(out), &tables); err != nil || len(tables) != 3 {
		t.Fatalf("%v: %s", err, out)
	}
	basic := tables[1].Rows[0]
	if basic["budget"] != "150000.00" || basic["paid"] != "100000.00" || basic["remaining"] != "50000.00" {
		t.Errorf("basic line: %v", basic)
	}
	hist := tables[2].Rows
	if len(hist) != 2 || hist[1]["kind"] != "adjustment" || hist[1]["reason"] != "方案调整 scope cut" || hist[1]["approver"] != "区财政局" ||
		hist[1]["difference"] != "-850000.00" || hist[1]["actor"] != "cli-test" {
		t.Errorf("history: %v", hist)
	}

	entries := regexp.MustCompile(`(\d+) entries`)
	before, err := run(t, url, "", "verify")
	if err != nil {
		t.Fatal(err)
	}
	out, err = run(t, url, "", "rules", "what-if", "../../funding/testdata/rules/test-citywide.yaml", "--format", "csv")
	if err != nil {
		t.Fatalf("what-if: %v\n%s", err, out)
	}
	if !strings.Contains(out, "WH-WD-T-2,测试小区,中央补助 central,400000.00,500000.00,100000.00") {
		t.Errorf("what-if csv:\n%s", out)
	}
	after, err := run(t, url, "", "verify")
	if err != nil {
		t.Fatal(err)
	}
	if entries.FindString(before) == "" || entries.FindString(before) != entries.FindString(after) {
		t.Errorf("what-if posted: before %q, after %q", before, after)
	}
}
