package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"golang.org/x/text/width"

	"fundledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// execute runs the CLI in-process (the root command main builds) with the
// global flags before args, and returns what it wrote to standard output;
// standard error goes there too unless errOut is given.
func execute(stdin string, global []string, errOut io.Writer, args ...string) (string, error) {
	a := &app{}
	root := a.rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	if errOut == nil {
		errOut = &out
	}
	root.SetErr(errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append(append([]string{}, global...), args...))
	err := root.Execute()
	if a.db != nil {
		a.db.Close()
	}
	return out.String(), err
}

// run executes the CLI in-process against url and returns stdout.
func run(t *testing.T, url, stdin string, args ...string) (string, error) {
	t.Helper()
	return execute(stdin, []string{"--database-url", url, "--actor", "cli-test"}, nil, args...)
}

// runner is run (or runEmbedded) bound to one database.
type runner func(stdin string, args ...string) (string, error)

// on binds run to url.
func on(t *testing.T, url string) runner {
	return func(stdin string, args ...string) (string, error) {
		t.Helper()
		return run(t, url, stdin, args...)
	}
}

// must is r that fails the test when the command fails.
func must(t testing.TB, r runner) func(stdin string, args ...string) string {
	return func(stdin string, args ...string) string {
		t.Helper()
		out, err := r(stdin, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
}

// fresh is a parallel test's own database, and must(run) bound to it.
func fresh(t *testing.T) (string, func(stdin string, args ...string) string) {
	t.Helper()
	t.Parallel()
	url := pgtest.URL(t)
	return url, must(t, on(t, url))
}

// runSteps runs commands without standard input in order against url,
// failing the test at the first that fails.
func runSteps(t *testing.T, url string, steps ...[]string) {
	t.Helper()
	mustRun := must(t, on(t, url))
	for _, s := range steps {
		mustRun("", s...)
	}
}

type tbJSON struct {
	Rows []map[string]string `json:"rows"`
}

func totals(t *testing.T, out string) (string, string) {
	t.Helper()
	var tb tbJSON
	if err := json.Unmarshal([]byte(out), &tb); err != nil {
		if len(out) > 300 {
			out = out[:300] + "…"
		}
		t.Fatalf("%v in %q", err, out)
	}
	last := tb.Rows[len(tb.Rows)-1]
	return last["debit"], last["credit"]
}

// TestDemoTwiceChangesNothing runs the demo twice and checks its books
// against facts known independently of the code: the plan table's 2020 rows
// (95 communities; 13,371 households in 环翠区 …), double entry (both books
// balance), and the demo's own terms (everything committed is received by
// 2020-12-31; 70% of every share paid, each payment rounded to the fen).
func TestDemoTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	out, err := run(t, url, "", "demo", "--quiet")
	if err != nil || !strings.Contains(out, "95 projects, 95 approvals") || !strings.Contains(out, " 0 already there") {
		t.Fatalf("first demo: %v\n%s", err, out)
	}
	out, err = run(t, url, "", "demo")
	if err != nil || !strings.Contains(out, " 0 entries posted") || !strings.Contains(out, "ok=true") {
		t.Fatalf("second demo: %v\n%s", err, out)
	}
	// A summary a person reads on a terminal: short, no line wider than 160
	// columns (a Chinese character takes two), and where to look next.
	lines := strings.Split(out, "\n")
	if len(lines) > 50 || !strings.Contains(out, "Where to look next") {
		t.Errorf("demo prints %d lines; want a summary of at most 50 with where to look next", len(lines))
	}
	for _, l := range lines {
		if w := displayColumns(l); w > 160 {
			t.Errorf("demo line %d columns wide: %q", w, l)
		}
	}
	for _, book := range []string{"financial", "budget"} {
		out, err = run(t, url, "", "report", "trial-balance", "--book", book, "--as-of", "2020-12-31", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		if d, c := totals(t, out); d != c || d == "0.00" {
			t.Errorf("%s book: debits %s, credits %s", book, d, c)
		}
	}
	// Households per district: the 2020 rows of the plan table.
	out, err = run(t, url, "", "project", "list", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var projects tbJSON
	if err := json.Unmarshal([]byte(out), &projects); err != nil {
		t.Fatal(err)
	}
	households := map[string]int{}
	for _, p := range projects.Rows {
		n, _ := strconv.Atoi(p["households"])
		households[p["district"]] += n
	}
	want := map[string]int{"环翠区": 13371, "文登区": 12595, "荣成市": 5636, "乳山市": 13018, "高区": 3046, "经区": 4085}
	if len(projects.Rows) != 95 || fmt.Sprint(households) != fmt.Sprint(want) {
		t.Errorf("%d projects, households %v; want 95 and %v", len(projects.Rows), households, want)
	}
	out, err = run(t, url, "", "report", "district", "--as-of", "2020-12-31", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var tables []tbJSON
	if err := json.Unmarshal([]byte(out), &tables); err != nil || len(tables) != 2 {
		t.Fatalf("district report: %d tables, %v", len(tables), err)
	}
	sources := tables[0]
	total := sources.Rows[len(sources.Rows)-1]
	committed, received, disbursed := dec(t, total["committed"]), dec(t, total["received"]), dec(t, total["disbursed"])
	if !committed.Equal(received) || !dec(t, total["outstanding"]).IsZero() {
		t.Errorf("committed %s, received %s, outstanding %s: all should have arrived", committed, received, total["outstanding"])
	}
	// 2,280 payments, each 70% of a share rounded to the fen: the total is
	// within 2,280 × 0.005 = 11.40 of 70% of everything committed.
	gap := disbursed.Sub(committed.Mul(decimal.RequireFromString("0.7"))).Abs()
	if gap.GreaterThan(decimal.RequireFromString("11.40")) || !committed.IsPositive() {
		t.Errorf("disbursed %s vs 70%% of committed %s: gap %s", disbursed, committed, gap)
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return d
}

func TestPostFromStdinAndErrors(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	runSteps(t, url, []string{"account", "create", "cash:x", "--type", "asset", "--no-overdraft"},
		[]string{"account", "create", "revenue:x", "--type", "revenue"})
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
	// The close recorded the chain head; verify checks against it, or
	// against a hash written down.
	out, err = run(t, url, "", "period", "list")
	if err != nil || !strings.Contains(out, "2021-03 city-wide close by") || !strings.Contains(out, "head ") {
		t.Errorf("period list: %v %s", err, out)
	}
	out, err = run(t, url, "", "verify", "--as-of-close", "2021-03")
	if err != nil || !strings.Contains(out, "the close of 2021-03 head hash") || !strings.Contains(out, "OK") {
		t.Errorf("verify --as-of-close: %v %s", err, out)
	}
	_, err = run(t, url, "", "verify", "--expect", strings.Repeat("ab", 32))
	if err == nil {
		t.Errorf("verify against a hash of no block passed")
	}
}

// TestMoneyPathFromTheCommandLine uses the example rules
// (rules/examples/weihai-2020.yaml) on a 文登区 project of 100 households,
// basic works 1,000,000.00. By hand: central 40% = 400,000.00; provincial
// 15% = 150,000.00, exactly its cap of 1,500 × 100; municipal 15% =
// 150,000.00; district 18% = 180,000.00; maintenance fund 7% = 70,000.00
// capped at 300 × 100 = 30,000.00, the 40,000.00 excess to community public
// income (cap 50,000.00, not reached); residents 5% = 50,000.00.
func TestMoneyPathFromTheCommandLine(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	steps := []struct {
		stdin string
		args  []string
		want  []string
	}{
		{"", []string{"rules", "load", "../../rules/examples/weihai-2020.yaml"}, []string{"loaded rule set 1: weihai-citywide 2020.1"}},
		{"", []string{"rules", "load", "../../rules/examples/weihai-2020.yaml"}, []string{"already loaded rule set 1"}},
		{`{"code": "WH-WD-T-1", "name": "测试小区", "district": "文登区", "completed_on": "1996-05-01", "state_owned_land": true,
		   "households": 100, "floor_area_m2": "8000.00", "buildings": 3, "plan_year": 2020}`,
			[]string{"project", "register"}, []string{"project WH-WD-T-1 测试小区 (文登区): planned, priority (built before 2000)"}},
		{`[{"category": "basic", "description": "roads", "amount": "1000000.00"}]`, []string{"budget", "approve", "WH-WD-T-1", "--date", "2020-07-01"},
			[]string{"budget v1 approved, total 1,000,000.00, rule set 1", "resident:public_income", "40,000.00", "resident:maintenance_fund", "30,000.00"}},
		{"", []string{"rules", "explain", "WH-WD-T-1"}, []string{"rule set 1: weihai-citywide 2020.1", "central                              400,000.00", "provincial                           150,000.00"}},
		{"", []string{"bank", "add", "WD-001", "--name", "文登区专户"}, []string{"bank account WD-001"}},
		{"", []string{"receipt", "--project", "WH-WD-T-1", "--source", "central", "--amount", "400000.00", "--date", "2020-07-20", "--bank", "WD-001", "--key", "r1"},
			[]string{"receipt r1 recorded"}},
		{"", []string{"pay", "--project", "WH-WD-T-1", "--source", "central", "--category", "basic", "--amount", "100000", "--date", "2020-08-01",
			"--payee", "施工单位", "--bank", "WD-001", "--key", "p1"}, []string{"payment p1 recorded"}},
	}
	for _, s := range steps {
		out, err := run(t, url, s.stdin, s.args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, out)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", s.args, w, out)
			}
		}
	}
	_, err := run(t, url, "", "pay", "--project", "WH-WD-T-1", "--source", "central", "--category", "upgrade", "--amount", "1", "--date", "2020-08-01",
		"--payee", "x", "--bank", "WD-001", "--key", "p2")
	if err == nil || !strings.Contains(err.Error(), "central (中央补助) may not pay upgrade (提升类)") {
		t.Errorf("central paying upgrade works (market-run, 0%% government): %v", err)
	}
	out, err := run(t, url, "", "report", "project", "WH-WD-T-1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var tables []tbJSON
	if err := json.Unmarshal([]byte(out), &tables); err != nil {
		t.Fatal(err)
	}
	central := tables[0].Rows[0]
	if central["source"] != "central" || central["committed"] != "400000.00" || central["received"] != "400000.00" ||
		central["disbursed"] != "100000.00" || central["available"] != "300000.00" || central["outstanding"] != "0.00" {
		t.Errorf("central: %v", central)
	}
	// 文登区 closes August by its Chinese name; its payments dated then are
	// refused, the city's list shows the district, a reopen needs a reason.
	out, err = run(t, url, "", "period", "close", "2020-08", "--district", "文登区")
	if err != nil || !strings.Contains(out, "period 2020-08 (district wendeng): closed by") || !strings.Contains(out, "chain head ") {
		t.Fatalf("district close: %v %s", err, out)
	}
	_, err = run(t, url, "", "pay", "--project", "WH-WD-T-1", "--source", "central", "--category", "basic", "--amount", "1", "--date", "2020-08-15",
		"--payee", "施工单位", "--bank", "WD-001", "--key", "p3")
	if err == nil || !strings.Contains(err.Error(), "of district wendeng, whose period 2020-08 is closed") {
		t.Errorf("payment in the district's closed month: %v", err)
	}
	out, err = run(t, url, "", "period", "list")
	if err != nil || !strings.Contains(out, "  district wendeng  closed") || !strings.Contains(out, "2020-08 district wendeng close by") {
		t.Errorf("period list: %v %s", err, out)
	}
	if _, err := run(t, url, "", "period", "reopen", "2020-08", "--district", "wendeng"); err == nil || !strings.Contains(err.Error(), "a reason is required") {
		t.Errorf("reopen without a reason: %v", err)
	}
	if out, err := run(t, url, "", "verify", "--as-of-close", "2020-08", "--district", "文登区"); err != nil || !strings.Contains(out, "OK") {
		t.Errorf("verify as of the district's close: %v %s", err, out)
	}
}

// displayColumns counts terminal columns: two for a wide (CJK) character.
func displayColumns(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
