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
	for _, s := range [][]string{
		{"rules", "load", "../../rules/examples/weihai-2020.yaml"},
		{"bank", "add", "WD-001", "--name", "文登区专户", "--district", "文登区"},
		{"bank", "add", "RS-001", "--name", "乳山市专户", "--district", "乳山市"},
	} {
		if out, err := run(t, url, "", s...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
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
