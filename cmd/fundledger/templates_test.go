package main

import (
	"strings"
	"testing"
)

// TestTemplatesAreAccepted prints every --template and feeds it back to its
// own command on a fresh database, in the order a person would: each example
// must be accepted as it stands.
func TestTemplatesAreAccepted(t *testing.T) {
	_, mustRun := fresh(t)
	mustRun("", "rules", "load", "../../rules/examples/weihai-2020.yaml")
	mustRun("", "account", "create", "cash:example", "--type", "asset")
	mustRun("", "account", "create", "revenue:example", "--type", "revenue")
	steps := []struct {
		key  string
		args []string // the command's own arguments after -f -
		want string
	}{
		{"project register", nil, "project WH-HC-2021-101"},
		{"budget approve", []string{"WH-HC-2021-101", "--date", "2021-03-01"}, "budget v1 approved, total 1,250,000.00"},
		{"elevator apply", nil, "HC-101-3-2"},
		{"utility register", nil, "HC-101-POWER"},
		{"bond register", nil, "2021-SD-ZX-99"},
		{"loan register", nil, "loan CDB-HC-2021-01"},
		{"post", nil, "bank-2021-03-001"},
	}
	if len(steps) != len(templates) {
		t.Fatalf("%d templates, %d tested", len(templates), len(steps))
	}
	for _, s := range steps {
		path := strings.Fields(s.key)
		text := mustRun("", append(path, "--template")...)
		if text != templates[s.key] {
			t.Fatalf("%s --template printed %q", s.key, text)
		}
		out := mustRun(text, append(append(path, "-f", "-"), s.args...)...)
		if !strings.Contains(out, s.want) {
			t.Errorf("%s with its template: output lacks %q:\n%s", s.key, s.want, out)
		}
	}
}

// TestRequiredFlagsInWords: a missing flag is named with what it is for, and
// --help marks it.
func TestRequiredFlagsInWords(t *testing.T) {
	t.Parallel()
	_, err := run(t, "postgres://unused", "", "receipt", "--project", "P", "--source", "central", "--amount", "1.00", "--date", "2021-01-01", "--key", "k")
	if err == nil || err.Error() != "receipt:\n  --bank is required: the bank account the money goes through; see fundledger bank list" {
		t.Errorf("receipt without --bank: %v", err)
	}
	out, err := run(t, "postgres://unused", "", "pay", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--bank", "--key", "--category", "--payee"} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, flag+" ") {
				line = l
			}
		}
		if !strings.HasSuffix(line, "(required)") {
			t.Errorf("pay --help: %s not marked required: %q", flag, line)
		}
	}
}

// TestListsAndNames: bank accounts can be listed (by district: its own and
// the city's), rule sets shown by name, and the trial balance cut to a
// district.
func TestListsAndNames(t *testing.T) {
	url, withStdin := fresh(t)
	mustRun := func(args ...string) string { t.Helper(); return withStdin("", args...) }
	mustRun("bank", "add", "WD-001", "--name", "文登区专户", "--district", "文登区")
	mustRun("bank", "add", "RS-001", "--name", "乳山市专户", "--district", "rushan")
	mustRun("bank", "add", "CITY-001", "--name", "市财政专户")
	out := mustRun("bank", "list", "--format", "csv")
	for _, code := range []string{"WD-001", "RS-001", "CITY-001"} {
		if !strings.Contains(out, code) {
			t.Errorf("bank list lacks %s:\n%s", code, out)
		}
	}
	out = mustRun("bank", "list", "--district", "文登区", "--format", "csv")
	if !strings.Contains(out, "WD-001") || !strings.Contains(out, "CITY-001") || strings.Contains(out, "RS-001") {
		t.Errorf("bank list --district 文登区: want WD-001 and CITY-001 only:\n%s", out)
	}

	mustRun("rules", "load", "../../rules/examples/weihai-2020.yaml")
	for _, ref := range []string{"1", "weihai-citywide", "weihai-citywide@2020.1"} {
		if out := mustRun("rules", "show", ref); !strings.HasPrefix(out, "# rule set 1: weihai-citywide 2020.1") {
			t.Errorf("rules show %s: %.80q", ref, out)
		}
	}
	if _, err := run(t, url, "", "rules", "show", "huancui"); err == nil || !strings.Contains(err.Error(), `rule set "huancui" (see fundledger rules list)`) {
		t.Errorf("rules show of an unknown name: %v", err)
	}

	// A receipt in each of two districts; the district's trial balance
	// lists only accounts of its own projects.
	projects := `[{"code": "WH-WD-T-1", "name": "文登测试", "district": "文登区", "completed_on": "1996-05-01", "state_owned_land": true,
	   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2020},
	  {"code": "WH-RS-T-1", "name": "乳山测试", "district": "乳山市", "completed_on": "1996-05-01", "state_owned_land": true,
	   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2020}]`
	if out, err := run(t, url, projects, "project", "register"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, x := range []struct{ project, bank string }{{"WH-WD-T-1", "WD-001"}, {"WH-RS-T-1", "RS-001"}} {
		if out, err := run(t, url, `[{"category": "basic", "description": "roads", "amount": "1000000.00"}]`,
			"budget", "approve", x.project, "--date", "2020-07-01"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		mustRun("receipt", "--project", x.project, "--source", "central", "--amount", "1000.00", "--date", "2020-07-20", "--bank", x.bank, "--key", "r-"+x.project)
	}
	out = mustRun("report", "trial-balance", "--district", "文登区", "--format", "csv")
	if !strings.Contains(out, "WH-WD-T-1") || strings.Contains(out, "WH-RS-T-1") {
		t.Errorf("trial balance of 文登区: want WH-WD-T-1's accounts only:\n%s", out)
	}
	if strings.Count(out, "\ufeff") > 1 {
		t.Errorf("trial balance of one book is one CSV table:\n%s", out)
	}
	out = mustRun("report", "trial-balance", "--district", "乳山市", "--book", "budget", "--format", "csv")
	if !strings.Contains(out, "WH-RS-T-1") || strings.Contains(out, "WH-WD-T-1") {
		t.Errorf("budget trial balance of 乳山市: want WH-RS-T-1's accounts only:\n%s", out)
	}
}
