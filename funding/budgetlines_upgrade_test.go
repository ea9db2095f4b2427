package funding_test

import (
	"context"
	"testing"
	"time"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// TestBudgetLinesUpgrade applies 00001–00007 in a schema of its own, writes
// books as they were before budget lines (approvals, and payments that went
// past a line or had none), applies 00008 and checks what it made of them.
// By hand:
//
//	LP-1, approved 2020-06-15: basic 1,000.00, improvement 500.00; paid basic
//	800.00, improvement 600.00 (100.00 past its line), upgrade 50.00 (no
//	line). → one entry dated 2020-06-15: basic line 1,000.00 − 800.00 =
//	200.00 left; improvement raised to 600.00 (a 'migration' change) and
//	drawn to 0.00; upgrade opened at 50.00 (a 'migration' change) and drawn
//	to 0.00.
//	LP-2, v1 2020-03-10 basic 3,000.00, v2 2020-05-01 basic 2,000.00; paid
//	1,500.00; March 2020 closed. → the latest budget 2,000.00, 500.00 left,
//	in an entry dated 2020-04-01 (the first day of the first open month on or
//	after the first approval).
//	LP-3 has no approval: nothing.
func TestBudgetLinesUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, gp := pgtest.Legacy(t, 7)
	for _, q := range []string{
		`INSERT INTO rule_sets (name, effective_from, content_hash, file_name, content, loaded_by) VALUES ('old', '2020-01-01', 'h', 'old.yaml', '', 't')`,
		`INSERT INTO projects (code, name, district, completed_on, state_owned_land, households, floor_area_m2, buildings, plan_year, priority, created_by)
		 VALUES ('LP-1', 'a', 'huancui', '1990-01-01', true, 10, 100, 1, 2020, true, 't'),
		        ('LP-2', 'b', 'huancui', '1990-01-01', true, 10, 100, 1, 2020, true, 't'),
		        ('LP-3', 'c', 'huancui', '1990-01-01', true, 10, 100, 1, 2020, true, 't')`,
		`INSERT INTO project_events (project, status, effective_on, actor) VALUES ('LP-1', 'approved', '2020-06-15', 't'),
		 ('LP-2', 'approved', '2020-03-10', 't'), ('LP-3', 'planned', '2020-01-01', 't')`,
		`INSERT INTO budget_approvals (project, version, approved_on, rule_set_id, total, explanation, actor) VALUES
		 ('LP-1', 1, '2020-06-15', 1, 1500, '{}', 't'), ('LP-2', 1, '2020-03-10', 1, 3000, '{}', 't'), ('LP-2', 2, '2020-05-01', 1, 2000, '{}', 't')`,
		`INSERT INTO budget_lines (approval_id, line_no, category, amount) VALUES (1, 1, 'basic', 600), (1, 2, 'basic', 400), (1, 3, 'improvement', 500),
		 (2, 1, 'basic', 3000), (3, 1, 'basic', 2000)`,
		`INSERT INTO period_events (period, action, actor) VALUES ('2020-03-01', 'close', 't')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Today's ledger code writes the content hash version (00009); the
	// books of schema 7 get that column early, as 00009 will add it (rows
	// written without it, such as 00008's own entries, are version 1).
	if _, err := db.ExecContext(ctx, `ALTER TABLE entries ADD COLUMN hash_version smallint NOT NULL DEFAULT 1`); err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db)
	var accts []ledger.Account
	pay := func(key, project, cat, amt, on string) ledger.Entry {
		spent, avail := "budget:spent:huancui:"+project+":"+cat+":central", "budget:available:huancui:"+project+":central"
		accts = append(accts,
			ledger.Account{Code: spent, Type: ledger.BudgetExpense, Dimensions: ledger.Dimensions{District: "huancui", Project: project, Source: "central", Category: cat}},
			ledger.Account{Code: avail, Type: ledger.BudgetAsset, Dimensions: ledger.Dimensions{District: "huancui", Project: project, Source: "central"}})
		return ledger.Entry{Book: ledger.BookBudget, EffectiveDate: date(on), Actor: "t", IdempotencyKey: key, Postings: []ledger.Posting{
			{AccountCode: spent, Side: ledger.Debit, Amount: d(amt)}, {AccountCode: avail, Side: ledger.Credit, Amount: d(amt)}}}
	}
	entries := []ledger.Entry{
		pay("p1", "LP-1", "basic", "800.00", "2020-08-01"),
		pay("p2", "LP-1", "improvement", "600.00", "2020-08-02"),
		pay("p3", "LP-1", "upgrade", "50.00", "2020-08-03"),
		pay("p4", "LP-2", "basic", "1500.00", "2020-06-01"),
	}
	seen := map[string]bool{}
	var unique []ledger.Account
	for _, a := range accts {
		if !seen[a.Code] {
			seen[a.Code] = true
			unique = append(unique, a)
		}
	}
	if err := l.CreateAccounts(ctx, unique, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PostBatch(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if _, err := gp.Up(ctx); err != nil {
		t.Fatalf("00008 on the legacy books: %v", err)
	}

	for code, want := range map[string]string{
		"budget:line:huancui:LP-1:basic": "200.00", "budget:line:huancui:LP-1:improvement": "0.00", "budget:line:huancui:LP-1:upgrade": "0.00",
		"budget:line:huancui:LP-2:basic":          "500.00",
		"budget:appropriation:huancui:LP-1:basic": "200.00", "budget:appropriation:huancui:LP-2:basic": "500.00",
	} {
		got, err := l.Balance(ctx, code, time.Time{})
		if err != nil || !got.Equal(d(want)) {
			t.Errorf("%s: %s %v, want %s", code, got, err, want)
		}
	}
	var dates []struct {
		Key string    `db:"idempotency_key"`
		On  time.Time `db:"effective_date"`
	}
	if err := db.SelectContext(ctx, &dates, `SELECT idempotency_key, effective_date FROM entries WHERE actor = 'migration' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(dates) != 2 || dates[0].Key != "budget-lines:migration:LP-1" || ledger.Civil(dates[0].On) != date("2020-06-15") ||
		dates[1].Key != "budget-lines:migration:LP-2" || ledger.Civil(dates[1].On) != date("2020-04-01") {
		t.Errorf("migration entries: %+v", dates)
	}
	p := funding.New(l)
	type change struct{ cat, kind, prev, budget string }
	for project, want := range map[string][]change{
		"LP-1": {{"basic", "approval", "0", "1000"}, {"improvement", "approval", "0", "500"}, {"improvement", "migration", "500", "600"}, {"upgrade", "migration", "0", "50"}},
		"LP-2": {{"basic", "approval", "0", "2000"}},
		"LP-3": {},
	} {
		got, err := p.BudgetLineHistory(ctx, project)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s history: %+v", project, got)
		}
		for i, w := range want {
			g := got[i]
			if g.Category != w.cat || g.Kind != w.kind || !g.Previous.Equal(d(w.prev)) || !g.Budget.Equal(d(w.budget)) || !g.EntryID.Valid {
				t.Errorf("%s change %d: %+v, want %+v", project, i, g, w)
			}
			if g.Kind == "migration" && (g.Reason == "" || g.Approver != "migration") {
				t.Errorf("%s change %d has no reason: %+v", project, i, g)
			}
		}
	}
	lines, err := p.BudgetLines(ctx, "LP-1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !lines[0].Remaining.Equal(d("200")) || !lines[1].Budget.Equal(d("600")) || !lines[1].Remaining.IsZero() ||
		!lines[2].Budget.Equal(d("50")) || !lines[2].Remaining.IsZero() {
		t.Errorf("LP-1 lines: %+v", lines)
	}
	// The entries the migration wrote in SQL hash as Go hashes them.
	if _, err := l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := l.Verify(ctx); err != nil || !v.OK {
		t.Errorf("verify after the upgrade: %+v %v", v, err)
	}
}
