package main

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"fundledger/internal/pgtest"
)

// TestAmountFlagsRefuseWhatIsNotAPlainDecimal: the reproductions
// (1e3 was stored as 1,000.00). Every money flag is read by package amount
// before the database is opened, so the refusal needs no server.
func TestAmountFlagsRefuseWhatIsNotAPlainDecimal(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"receipt", "--project", "P", "--source", "central", "--date", "2021-01-01", "--bank", "B", "--key", "k", "--amount"},
		{"pay", "--project", "P", "--source", "central", "--category", "basic", "--date", "2021-01-01", "--payee", "x", "--bank", "B", "--key", "k", "--amount"},
		{"elevator", "contribute", "E1", "--date", "2021-01-01", "--amount"},
		{"bond", "revenue", "--date", "2021-01-01", "--amount"},
		{"bond", "allocate", "B1", "--date", "2021-01-01", "--amount"},
		{"allocate", "--year", "2022", "--pool"},
	}
	for _, bad := range []struct{ in, why string }{
		{"1e3", "exponent"}, {"1E+3", "exponent"}, {"+100", "'+'"}, {"100.", "after the point"}, {".5", "before the point"},
		{"1.005", "two decimals"}, {"1,000", "only digits"},
	} {
		for _, c := range commands {
			args := append(append([]string{}, c...), bad.in)
			out, err := run(t, "postgres://nowhere.invalid/none", "", args...)
			if err == nil || !strings.Contains(err.Error(), bad.why) || !strings.Contains(err.Error(), `"`+bad.in+`"`) {
				t.Errorf("%s: err %v (output %q), want a refusal quoting %q and saying %q", strings.Join(args, " "), err, out, bad.in, bad.why)
			}
		}
	}
}

// TestStrictJSONAndSealPending: `post -f` refused unknown fields
// (amount_typo was posted), and stored invalid UTF-8 and lone surrogates as
// U+FFFD; now each is refused with where it is and nothing is posted. When
// the entries commit and the seal afterwards fails, the command says they
// are stored and exits 3.
func TestStrictJSONAndSealPending(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	runSteps(t, url, []string{"account", "create", "cash:x", "--type", "asset", "--no-overdraft"},
		[]string{"account", "create", "revenue:x", "--type", "revenue"})
	entry := func(key, memo, amountField string) string {
		return `{"book":"financial","effective_date":"2021-03-01","idempotency_key":"` + key + `","memo":"` + memo + `",
  "postings":[{"account":"cash:x","side":"D","` + amountField + `":"12.34"},{"account":"revenue:x","side":"C","amount":"12.34"}]}`
	}
	for _, bad := range []struct{ name, in, want string }{
		{"unknown field", entry("k1", "m", "amount_typo"), `stdin:2:46: field amount_typo: unknown field "amount_typo"`},
		{"invalid UTF-8", entry("k2", "bad \xff byte", "amount"), "stdin:1:86: text is not valid UTF-8 (byte 0xff)"},
		{"lone surrogate", entry("k3", `bad \ud800 half`, "amount"), `stdin:1:86: \ud800 is half of a character`},
		{"exponent amount", strings.Replace(entry("k4", "m", "amount"), `"12.34"}]`, `1.234e1}]`, 1), "has an exponent"},
		{"exponent string", strings.Replace(entry("k5", "m", "amount"), `"12.34"}]`, `"1234e-2"}]`, 1), "field postings[1].amount: an amount must be a plain decimal"},
	} {
		out, err := run(t, url, bad.in, "post")
		if err == nil || !strings.Contains(err.Error(), bad.want) || exitCode(err) != exitRefused {
			t.Errorf("%s: %v (%s); want %q", bad.name, err, out, bad.want)
		}
	}
	if out, err := run(t, url, "", "balance", "cash:x"); err != nil || !strings.Contains(out, "0.00") {
		t.Fatalf("after refusals: %v %s", err, out)
	}

	// The seal fails after the commit: a trigger refuses new chain blocks.
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE FUNCTION test_no_seal() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the server went away'; END $$;
		CREATE TRIGGER test_no_seal BEFORE INSERT ON chain_blocks FOR EACH ROW EXECUTE FUNCTION test_no_seal();`); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, url, entry("k6", "stored, seal pending", "amount"), "post")
	if err == nil || exitCode(err) != exitSealPending || !strings.Contains(out, "posted entry") ||
		!strings.Contains(err.Error(), "the entries are stored (committed); sealing them into the hash chain failed") {
		t.Fatalf("post with a failing seal: %v (exit %d) %s", err, exitCode(err), out)
	}
	if out, err := run(t, url, "", "balance", "cash:x"); err != nil || !strings.Contains(out, "12.34") {
		t.Fatalf("the entry is not stored: %v %s", err, out)
	}
	var sealed int
	if err := db.QueryRow(`SELECT count(*) FROM chain_block_entries`).Scan(&sealed); err != nil || sealed != 0 {
		t.Fatalf("sealed %d, %v", sealed, err)
	}
	if _, err := db.Exec(`DROP TRIGGER test_no_seal ON chain_blocks`); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, url, "", "seal"); err != nil {
		t.Fatalf("seal: %v %s", err, out)
	}
	if err := db.QueryRow(`SELECT count(*) FROM chain_block_entries`).Scan(&sealed); err != nil || sealed != 1 {
		t.Fatalf("after seal: %d sealed, %v", sealed, err)
	}
}

// TestProjectFileAllOrNothing: a file of two projects, one not eligible
// (built in 2010), stored the eligible one and exited 1; now both are
// refused, every refusal listed, nothing stored.
func TestProjectFileAllOrNothing(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	project := func(code, completed string, stateLand bool) string {
		return fmt.Sprintf(`{"code": %q, "name": "小区 %s", "district": "环翠区", "address": "路 1 号", "completed_on": %q,
 "state_owned_land": %v, "slated_for_demolition": false, "households": 100, "floor_area_m2": "8000.00",
 "buildings": 4, "elevators": 0, "plan_year": 2021}`, code, code, completed, stateLand)
	}
	file := "[" + project("T-OK", "1995-06-30", true) + ",\n" + project("T-NEW", "2010-01-01", true) + ",\n" +
		project("T-LAND", "1990-01-01", false) + ",\n" + project("T-OK", "1995-06-30", true) + "]"
	out, err := run(t, url, file, "project", "register")
	if err == nil {
		t.Fatalf("mixed file accepted: %s", out)
	}
	for _, want := range []string{"stdin: 3 items refused; nothing was stored",
		"item 2 (T-NEW): project is not eligible: register project T-NEW: buildings completed on 2010-01-01, after the plan's cut-off of 2005-12-31",
		"item 3 (T-LAND): project is not eligible: register project T-LAND: not on state-owned urban land",
		"item 4 (T-OK): invalid input: the code T-OK is also item 1 of this batch"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if out, err := run(t, url, "", "project", "list", "--format", "csv"); err != nil || strings.Contains(out, "T-OK") {
		t.Fatalf("stored from a refused file: %v\n%s", err, out)
	}
	out, err = run(t, url, "["+project("T-OK", "1995-06-30", true)+","+project("T-OK2", "1999-12-31", true)+"]", "project", "register")
	if err != nil || !strings.Contains(out, "project T-OK ") || !strings.Contains(out, "project T-OK2 ") {
		t.Fatalf("good file: %v %s", err, out)
	}
}

// TestReportOutputs: `report trial-balance --book all --format csv` was two
// CSVs in one file (a BOM and a header in the middle); now it is one table
// with a section column. The table output and --csv-header show the as-of
// day and the ledger head hash the report was made from (the one verify
// prints).
func TestReportOutputs(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	for _, args := range [][]string{
		{"account", "create", "cash:x", "--type", "asset", "--no-overdraft"},
		{"account", "create", "revenue:x", "--type", "revenue"},
		{"account", "create", "budget:x", "--type", "budget_asset"},
		{"account", "create", "budget:y", "--type", "budget_revenue"},
	} {
		if out, err := run(t, url, "", args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	entries := `[{"book":"financial","effective_date":"2021-03-01","idempotency_key":"k1",
  "postings":[{"account":"cash:x","side":"D","amount":"12.34"},{"account":"revenue:x","side":"C","amount":"12.34"}]},
 {"book":"budget","effective_date":"2021-03-01","idempotency_key":"k2",
  "postings":[{"account":"budget:x","side":"D","amount":"50.00"},{"account":"budget:y","side":"C","amount":"50.00"}]}]`
	if out, err := run(t, url, entries, "post"); err != nil {
		t.Fatalf("post: %v %s", err, out)
	}
	out, err := run(t, url, "", "report", "trial-balance", "--book", "all", "--format", "csv", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "\ufeff") || strings.Count(out, "\ufeff") != 1 {
		t.Fatalf("BOMs: %d in %q", strings.Count(out, "\ufeff"), out)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("not one CSV table: %v\n%s", err, out)
	}
	if recs[0][0] != "Table" || len(recs) < 5 {
		t.Fatalf("header %q, %d records", recs[0], len(recs))
	}
	verify, err := run(t, url, "", "verify")
	if err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`[0-9a-f]{64}`).FindString(verify)
	if head == "" {
		t.Fatalf("no head hash in verify: %s", verify)
	}
	out, err = run(t, url, "", "report", "trial-balance", "--book", "all", "--as-of", "2021-03-31")
	if err != nil || !strings.HasPrefix(out, "截至 As of: 2021-03-31\n账本链头哈希 Ledger head hash: "+head+"\n") {
		t.Errorf("table output: %v\n%s", err, out)
	}
	out, err = run(t, url, "", "report", "trial-balance", "--book", "all", "--as-of", "2021-03-31", "--format", "csv", "--csv-header")
	if err != nil || !strings.Contains(out, "\n# 截至 As of: 2021-03-31\n# 账本链头哈希 Ledger head hash: "+head+"\n") {
		t.Errorf("csv header: %v\n%s", err, out)
	}
}

// TestPlanImportControlTotals: from the command line, a plan whose 2022 总计
// says 51,728 households while its rows add up to 51,727 is refused (exit
// 1, nothing stored) unless accepted with a reason; the good file
// re-imported (with a BOM and CRLF) becomes the plan in force again.
func TestPlanImportControlTotals(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	raw, err := os.ReadFile("../../internal/demo/data/weihai-plan-2020-2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(raw), "总计,2022,136,51727,", "总计,2022,136,51728,", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good-bom-crlf.csv")
	if err := os.WriteFile(good, []byte("\ufeff"+strings.ReplaceAll(string(raw), "\n", "\r\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, url, "", "plan", "import", "../../internal/demo/data/weihai-plan-2020-2025.csv"); err != nil {
		t.Fatalf("good: %v %s", err, out)
	}
	_, err = run(t, url, "", "plan", "import", bad)
	if err == nil || exitCode(err) != exitRefused ||
		!strings.Contains(err.Error(), "bad.csv: row 40, column 4 (户数): 总计 2022 户数: stated 51728, sum of 6 district rows 51727, difference 1") {
		t.Fatalf("bad: %v", err)
	}
	out, err := run(t, url, "", "plan", "import", bad, "--accept-control-total-mismatch", "as published by the bureau")
	if err != nil || !strings.Contains(out, "accepted with the reason: as published by the bureau") || !strings.Contains(out, "this import is the plan in force") {
		t.Fatalf("accepted: %v %s", err, out)
	}
	out, err = run(t, url, "", "plan", "import", good)
	if err != nil || !strings.Contains(out, "made the plan in force again") {
		t.Fatalf("re-import: %v %s", err, out)
	}
	out, err = run(t, url, "", "plan", "list")
	if err != nil || strings.Count(out, "✓") != 1 || !strings.Contains(out, "as published by the bureau") || strings.Count(out, ".csv") != 2 {
		t.Fatalf("list: %v %s", err, out)
	}
}
