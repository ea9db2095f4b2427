package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"fundledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// run executes the CLI in-process against url and returns stdout.
func run(t *testing.T, url, stdin string, args ...string) (string, error) {
	t.Helper()
	a := &app{}
	root := a.rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"--database-url", url, "--actor", "cli-test"}, args...))
	err := root.Execute()
	if a.db != nil {
		a.db.Close()
	}
	return out.String(), err
}

type tbJSON struct {
	Rows []map[string]string `json:"rows"`
}

func totals(t *testing.T, out string) (string, string) {
	t.Helper()
	var tb tbJSON
	if err := json.Unmarshal([]byte(out), &tb); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	last := tb.Rows[len(tb.Rows)-1]
	return last["debit"], last["credit"]
}

func TestDemoTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	out, err := run(t, url, "", "demo")
	if err != nil || !strings.Contains(out, "7 entries posted, 0 already there") {
		t.Fatalf("first demo: %v\n%s", err, out)
	}
	out, err = run(t, url, "", "demo")
	if err != nil || !strings.Contains(out, "0 entries posted, 7 already there") || !strings.Contains(out, "ok=true") {
		t.Fatalf("second demo: %v\n%s", err, out)
	}
	// Financial book at 2020-12-31, by hand: receipts 600,000 + 600,000 +
	// 85,000 + 400,000 = 1,685,000.00 of credits; debits are the cash left
	// (150,000 + 300,000 + 150,000 + 0) plus works paid (750,000 + 335,000).
	out, err = run(t, url, "", "report", "trial-balance", "--as-of", "2020-12-31", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if d, c := totals(t, out); d != "1685000.00" || c != "1685000.00" {
		t.Errorf("financial totals %s / %s, want 1685000.00 both", d, c)
	}
	// Budget book: commitments 1,000,000 + 400,000 + 600,000 = 2,000,000.00.
	out, err = run(t, url, "", "report", "trial-balance", "--book", "budget", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if d, c := totals(t, out); d != "2000000.00" || c != "2000000.00" {
		t.Errorf("budget totals %s / %s, want 2000000.00 both", d, c)
	}
	// Before the provincial receipt (2020-10-08) the provincial cash is zero
	// and the central cash is 600,000 − 450,000 = 150,000.00.
	out, err = run(t, url, "", "balance", "cash:huancui:WH-HC-2020-001:central", "--as-of", "2020-09-30")
	if err != nil || strings.TrimSpace(out) != "150000.00" {
		t.Errorf("central cash on 2020-09-30: %q %v", out, err)
	}
}

func TestPostFromStdinAndErrors(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	for _, args := range [][]string{
		{"account", "create", "cash:x", "--type", "asset", "--no-overdraft"},
		{"account", "create", "revenue:x", "--type", "revenue"},
	} {
		if out, err := run(t, url, "", args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	entry := `{"book":"financial","effective_date":"2021-03-01","idempotency_key":"k1","memo":"receipt",
	  "postings":[{"account":"cash:x","side":"D","amount":"12.34"},{"account":"revenue:x","side":"C","amount":"12.34"}]}`
	out, err := run(t, url, entry, "post")
	if err != nil || !strings.Contains(out, "posted entry 1 (key k1") {
		t.Fatalf("post: %v %s", err, out)
	}
	out, err = run(t, url, entry, "post")
	if err != nil || !strings.Contains(out, "already posted entry 1") {
		t.Fatalf("re-post: %v %s", err, out)
	}
	bad := strings.Replace(entry, `"k1"`, `"k2"`, 1)
	bad = strings.Replace(bad, `"amount":"12.34"}]`, `"amount":"12.33"}]`, 1)
	_, err = run(t, url, bad, "post")
	if err == nil || !strings.Contains(err.Error(), `stdin: post entry "k2": entry is unbalanced: entry "k2": debits 12.34, credits 12.33`) {
		t.Errorf("unbalanced post: %v", err)
	}
	overdraw := `{"book":"financial","effective_date":"2021-03-02","idempotency_key":"k3",
	  "postings":[{"account":"revenue:x","side":"D","amount":"20"},{"account":"cash:x","side":"C","amount":"20"}]}`
	_, err = run(t, url, overdraw, "post")
	if err == nil || !strings.Contains(err.Error(), "account cash:x would overdraw by 7.66 on 2021-03-02") {
		t.Errorf("overdraft: %v", err)
	}
	if _, err := run(t, url, "", "period", "close", "2021-03"); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, url, strings.Replace(entry, `"k1"`, `"k4"`, 1), "post")
	if err == nil || !strings.Contains(err.Error(), "closed period 2021-03") {
		t.Errorf("closed period: %v", err)
	}
	out, err = run(t, url, "", "verify")
	if err != nil || !strings.Contains(out, "OK") {
		t.Errorf("verify: %v %s", err, out)
	}
}
