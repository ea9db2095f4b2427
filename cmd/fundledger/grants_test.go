package main

import (
	"strings"
	"testing"

	"fundledger/internal/pgtest"
)

// TestRewardMessages: what a person reads from `fundledger reward` and
// `utility` when the input is wrong (issue 19): the flag given is named,
// a bad period is explained, a second payment says when it was paid.
func TestRewardMessages(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	runSteps(t, url, []string{"rules", "load", "../../rules/examples/weihai-2020.yaml"},
		[]string{"bank", "add", "WD-001", "--name", "文登区专户", "--district", "文登区"},
		[]string{"bank", "add", "RS-001", "--name", "乳山市专户", "--district", "乳山市"})
	if out, err := run(t, url, `{"code": "WH-WD-R-1", "name": "测试小区", "district": "文登区", "completed_on": "1996-05-01", "state_owned_land": true,
		"households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2021}`, "project", "register"); err != nil {
		t.Fatalf("project: %v\n%s", err, out)
	}
	cases := []struct {
		args      []string
		says, not string
	}{
		{[]string{"reward", "score", "WH-WD-R-1", "--period", "2021", "--score", "abc", "--date", "2022-01-15"}, `--score "abc": not a number`, "--amount"},
		{[]string{"evaluation", "record", "--district", "文登区", "--year", "2021", "--score", "abc", "--date", "2022-01-15"}, `--score "abc"`, "--amount"},
		{[]string{"reward", "score", "WH-WD-R-1", "--period", "2021-13", "--score", "90", "--date", "2022-01-15"}, "there is no month 13 (01 to 12)", "constraint"},
		{[]string{"reward", "score", "WH-WD-R-1", "--period", "2090", "--score", "90", "--date", "2022-01-15"}, "the period begins on 2090-01-01, after today", "constraint"},
		{[]string{"reward", "pay", "WH-WD-R-1", "--period", "2021", "--date", "2022-02-01", "--bank", "WD-001"}, "no score is recorded", "not found"},
	}
	for _, c := range cases {
		_, err := run(t, url, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), c.not) {
			t.Errorf("%v: %v, want %q without %q", c.args, err, c.says, c.not)
		}
	}
	for _, s := range [][]string{
		{"reward", "score", "WH-WD-R-1", "--period", "2021", "--score", "90", "--date", "2022-01-15"},
		{"reward", "pay", "WH-WD-R-1", "--period", "2021", "--date", "2022-02-01", "--bank", "WD-001"},
	} {
		if out, err := run(t, url, "", s...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	_, err := run(t, url, "", "reward", "pay", "WH-WD-R-1", "--period", "2021", "--date", "2022-02-03", "--bank", "WD-001")
	if err == nil || !strings.Contains(err.Error(), "already paid on 2022-02-01 (entry ") || strings.Contains(err.Error(), "idempotency") {
		t.Errorf("second payment: %v", err)
	}
	_, err = run(t, url, "", "reward", "score", "WH-WD-R-1", "--period", "2021-H2", "--score", "90", "--date", "2022-01-15")
	if err == nil || !strings.Contains(err.Error(), "overlaps 2021") {
		t.Errorf("overlapping period: %v", err)
	}
	out, err := run(t, url, "", "reward", "score", "--help")
	if err != nil || !strings.Contains(out, "YYYY-H1 or YYYY-H2") || !strings.Contains(out, "YYYY-Q1 … YYYY-Q4") || !strings.Contains(out, "do not overlap") {
		t.Errorf("reward score --help does not document the periods: %v\n%s", err, out)
	}
}

// TestUtilitySteps: the facility's steps through the CLI, refused out of
// order with both dates named; corrected and contributed; listed with the
// dates of its steps.
func TestUtilitySteps(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	steps := []struct {
		stdin string
		args  []string
		says  string // "" ok
	}{
		{"", []string{"rules", "load", "../../rules/examples/weihai-2020.yaml"}, ""},
		{"", []string{"bank", "add", "WD-001", "--name", "文登区专户", "--district", "文登区"}, ""},
		{`{"code": "WH-WD-U-1", "name": "测试小区", "district": "文登区", "completed_on": "1996-05-01", "state_owned_land": true,
		   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2021}`, []string{"project", "register"}, ""},
		{`{"code": "WD2-HEAT", "project": "WH-WD-U-1", "kind": "heating", "cost": "20000.00", "utility": "文登热电", "owner": "原产权单位",
		   "registered_on": "2021-06-20"}`, []string{"utility", "register"}, ""},
		{"", []string{"utility", "commit", "WD2-HEAT", "--date", "2021-06-19"}, "commit utility facility WD2-HEAT on 2021-06-19: the commitment is dated before the facility's registration on 2021-06-20"},
		{"", []string{"project", "status", "WH-WD-U-1", "completed", "--date", "2021-08-01"}, ""},
		{"", []string{"utility", "transfer", "WD2-HEAT", "--to", "文登热电", "--date", "2021-08-10"}, "not committed yet"},
		{"", []string{"utility", "commit", "WD2-HEAT", "--date", "2021-08-20"}, ""},
		{"", []string{"utility", "transfer", "WD2-HEAT", "--to", "文登热电", "--date", "2021-08-10"}, "on 2021-08-10: the transfer is dated before the commitment (or its latest correction) on 2021-08-20"},
		{"", []string{"utility", "correct", "WD2-HEAT", "--cost", "30000.00", "--date", "2021-08-21"}, "reason"},
		{"", []string{"utility", "correct", "WD2-HEAT", "--cost", "30000.00", "--date", "2021-08-21", "--reason", "决算 final account"}, ""},
		{"", []string{"utility", "contribute", "WD2-HEAT", "--date", "2021-08-22", "--in-kind"}, ""},
		{"", []string{"utility", "list", "--format", "csv"}, ""},
	}
	var out string
	var err error
	for _, s := range steps {
		out, err = run(t, url, s.stdin, s.args...)
		switch {
		case s.says == "" && err != nil:
			t.Fatalf("%v: %v\n%s", s.args, err, out)
		case s.says != "" && (err == nil || !strings.Contains(err.Error(), s.says)):
			t.Errorf("%v: %v, want %q", s.args, err, s.says)
		}
	}
	// Cost 30,000.00 after the correction, award 30% = 9,000.00; committed
	// 2021-08-20, one correction, contribution in kind on 2021-08-22.
	for _, want := range []string{"30000.00", "9000.00", "2021-08-20", ",1,", "2021-08-22 in_kind"} {
		if !strings.Contains(out, want) {
			t.Errorf("utility list lacks %q:\n%s", want, out)
		}
	}
}
