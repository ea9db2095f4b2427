package funding_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/report"
)

// fourSourceRules lets four sources pay basic works and the district pay
// improvement and upgrade works, so that the district's cash can exceed its
// share of basic.
const fourSourceRules = `name: four-sources
version: "1"
district: ""
effective_from: 2020-01-01
categories:
  basic:
    shares:
      - {source: central, pct: 40}
      - {source: provincial, pct: 20}
      - {source: municipal, pct: 20}
      - {source: district, pct: 20}
  improvement:
    shares:
      - {source: district, pct: 100}
  upgrade:
    shares:
      - {source: district, pct: 100}
`

// fundedProject registers a project, approves basic 1,000,000.00 and
// improvement 100,000.00 under fourSourceRules and receives every source's
// whole commitment. By hand: central 40% of basic = 400,000.00, provincial
// and municipal 20% = 200,000.00 each, district 20% of basic + all of
// improvement = 200,000.00 + 100,000.00 = 300,000.00.
func fundedProject(t *testing.T, p *funding.Programme, code string, sourceLines ...funding.SourceLineInput) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "four-sources.yaml")
	if err := os.WriteFile(path, []byte(fourSourceRules), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.LoadRuleSet(ctx, path, "bureau"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RegisterProject(ctx, sampleProject(code), "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-06-15"), Actor: "officer", SourceLines: sourceLines,
		Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("1000000.00")}, {Category: "improvement", Amount: d("100000.00")}}}); err != nil {
		t.Fatal(err)
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BOC-HC-001", Name: "专户", District: "环翠区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	for src, amt := range map[string]string{"central": "400000.00", "provincial": "200000.00", "municipal": "200000.00", "district": "300000.00"} {
		if _, err := p.Receive(ctx, funding.ReceiptRequest{Project: code, Source: src, Amount: d(amt), ReceivedOn: date("2020-07-01"),
			BankAccount: "BOC-HC-001", IdempotencyKey: "rc-" + src, Actor: "officer"}); err != nil {
			t.Fatal(err)
		}
	}
}

func payment(code, key, src, cat, amt, on string) funding.DisbursementRequest {
	return funding.DisbursementRequest{Project: code, Source: src, Category: cat, Amount: d(amt), PaidOn: date(on),
		Payee: "威海某建设公司", BankAccount: "BOC-HC-001", IdempotencyKey: key, Actor: "officer"}
}

// TestBudgetLineRefusesPaymentsBeyondTheLine is issue 12's reproduction:
// payments from four sources, each within its own cash, together over the
// basic line. By hand: first 750,000.00 paid (central 300,000.00, the others
// 150,000.00 each), remaining 250,000.00. Then central 100,000.00 (850,000.00),
// district 120,000.00 (970,000.00), provincial 25,000.37 (995,000.37,
// remaining 4,999.63) are accepted; municipal 40,000.00, within its cash of
// 50,000.00, exceeds the line by 40,000.00 − 4,999.63 = 35,000.37.
func TestBudgetLineRefusesPaymentsBeyondTheLine(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-101"
	fundedProject(t, p, code)
	if _, err := p.DisburseAll(ctx, []funding.DisbursementRequest{
		payment(code, "p-c1", "central", "basic", "300000.00", "2020-08-01"),
		payment(code, "p-p1", "provincial", "basic", "150000.00", "2020-08-01"),
		payment(code, "p-m1", "municipal", "basic", "150000.00", "2020-08-01"),
		payment(code, "p-d1", "district", "basic", "150000.00", "2020-08-01"),
	}); err != nil {
		t.Fatal(err)
	}
	line := "budget:line:huancui:" + code + ":basic"
	balance(t, p, line, "250000.00")

	four := []funding.DisbursementRequest{
		payment(code, "p-c2", "central", "basic", "100000.00", "2020-09-01"),
		payment(code, "p-d2", "district", "basic", "120000.00", "2020-09-01"),
		payment(code, "p-p2", "provincial", "basic", "25000.37", "2020-09-01"),
		payment(code, "p-m2", "municipal", "basic", "40000.00", "2020-09-01"),
	}
	const want = "budget line " + code + " basic (基础类): budget 1000000.00, already paid 995000.37, remaining 4999.63; this payment of 40000.00 exceeds it by 35000.37"
	// As one batch: all or nothing, the municipal payment named.
	_, err := p.DisburseAll(ctx, four)
	if !errors.Is(err, funding.ErrBudgetLineExceeded) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"p-m2"`) {
		t.Fatalf("batch over the line: %v", err)
	}
	balance(t, p, line, "250000.00")
	// One by one: the first three go through, the one that crosses is refused.
	for _, r := range four[:3] {
		if _, err := p.Disburse(ctx, r); err != nil {
			t.Fatalf("%s: %v", r.IdempotencyKey, err)
		}
	}
	_, err = p.Disburse(ctx, four[3])
	if !errors.Is(err, funding.ErrBudgetLineExceeded) || !strings.Contains(err.Error(), want) {
		t.Fatalf("payment over the line: %v", err)
	}
	balance(t, p, line, "4999.63")
	balance(t, p, "cash:huancui:"+code+":municipal", "50000.00")
	// A payment already recorded replays: it is not charged to the line twice.
	if m, err := p.Disburse(ctx, four[0]); err != nil || !m.Replayed {
		t.Errorf("replay: %+v %v", m, err)
	}
	balance(t, p, line, "4999.63")

	// A category without an approved line: the district may pay upgrade
	// works and has cash (30,000.00 − ... left), but no upgrade line exists.
	_, err = p.Disburse(ctx, payment(code, "p-u1", "district", "upgrade", "100.00", "2020-09-02"))
	if !errors.Is(err, funding.ErrNoBudgetLine) || !strings.Contains(err.Error(), "project "+code+" has no approved budget line for upgrade (提升类)") {
		t.Errorf("payment without a line: %v", err)
	}

	rep, err := p.ProjectReport(ctx, code, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantCats := []funding.CategoryPosition{
		{Category: "basic", Budget: d("1000000.00"), Paid: d("995000.37"), Remaining: d("4999.63")},
		{Category: "improvement", Budget: d("100000.00"), Paid: d("0"), Remaining: d("100000.00")},
	}
	checkCategories(t, rep.Categories, wantCats)
}

func checkCategories(t *testing.T, got, want []funding.CategoryPosition) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("categories: %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.Category != w.Category || !g.Budget.Equal(w.Budget) || !g.Paid.Equal(w.Paid) || !g.Remaining.Equal(w.Remaining) {
			t.Errorf("category %d: %s budget %s paid %s remaining %s, want %s %s %s %s", i, g.Category, g.Budget, g.Paid, g.Remaining,
				w.Category, w.Budget, w.Paid, w.Remaining)
		}
	}
}

// rawPayment writes a budget-book payment entry straight into the tables,
// bypassing Go: postings given as (account code, side, amount).
func rawPayment(ctx context.Context, p *funding.Programme, key string, postings [][3]string) error {
	tx, err := p.Ledger().DB().BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash)
		VALUES ('budget', '2020-09-03', 'raw', $1, sha256(convert_to($2, 'UTF8'))) RETURNING id`, key, key); err != nil {
		return err
	}
	// All postings of the entry in one statement, as the ledger writes them.
	var codes, sides, amounts []string
	for _, ps := range postings {
		codes, sides, amounts = append(codes, ps[0]), append(sides, ps[1]), append(amounts, ps[2])
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
		SELECT $1, u.n, a.id, u.side, u.amount::numeric, '2020-09-03', 'budget'
		  FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(code, side, amount, n) JOIN accounts a ON a.code = u.code`,
		id, pq.Array(codes), pq.Array(sides), pq.Array(amounts)); err != nil {
		return err
	}
	return tx.Commit()
}

// TestBudgetLineRawSQL: PostgreSQL itself refuses a payment written in SQL
// that spends without drawing its line, or draws the line below zero.
func TestBudgetLineRawSQL(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-102"
	fundedProject(t, p, code)
	// Paid 999,990.00 of the basic line of 1,000,000.00: 10.00 remain.
	if _, err := p.DisburseAll(ctx, []funding.DisbursementRequest{
		payment(code, "p-c1", "central", "basic", "400000.00", "2020-08-01"),
		payment(code, "p-p1", "provincial", "basic", "200000.00", "2020-08-01"),
		payment(code, "p-m1", "municipal", "basic", "200000.00", "2020-08-01"),
		payment(code, "p-d1", "district", "basic", "199990.00", "2020-08-01"),
	}); err != nil {
		t.Fatal(err)
	}
	acc := func(role string) string { return "budget:" + role + ":huancui:" + code }
	spent, avail := acc("spent")+":basic:district", acc("available")+":district"
	line, approp := acc("line")+":basic", acc("appropriation")+":basic"
	cases := []struct {
		name     string
		postings [][3]string
		code     string // SQLSTATE
		msg      string
	}{
		{"ErrNoLineDraw", [][3]string{{spent, "D", "5.00"}, {avail, "C", "5.00"}}, "FLB01", "spends 5.00 on basic of project " + code + " but draws 0"},
		{"ErrLineOverdrawn", [][3]string{{spent, "D", "10.01"}, {avail, "C", "10.01"}, {approp, "D", "10.01"}, {line, "C", "10.01"}},
			"FL002", "account " + line + " would overdraw by 0.01"},
		{"ErrDrawTooSmall", [][3]string{{spent, "D", "10.00"}, {avail, "C", "10.00"}, {approp, "D", "5.00"}, {line, "C", "5.00"}},
			"FLB01", "draws 5.00"},
	}
	for i, c := range cases {
		err := rawPayment(ctx, p, "raw-"+c.name, c.postings)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(errCode(err), c.code) {
			t.Errorf("case %d %s: %v (code %s)", i, c.name, err, errCode(err))
		}
	}
	balance(t, p, line, "10.00")
	balance(t, p, spent, "199990.00")
	// What fits the line is accepted, in SQL too.
	if err := rawPayment(ctx, p, "raw-ok", [][3]string{{spent, "D", "10.00"}, {avail, "C", "10.00"}, {approp, "D", "10.00"}, {line, "C", "10.00"}}); err != nil {
		t.Errorf("raw payment within the line: %v", err)
	}
	balance(t, p, line, "0.00")
}

func errCode(err error) string {
	var pe interface{ Get(byte) string }
	if errors.As(err, &pe) {
		return pe.Get('C')
	}
	return ""
}

// TestBudgetAdjustment: raising a line lets the refused payment through;
// lowering below what is paid is refused; each change is in the history and
// the report with reason, approver and actor. By hand (after the same
// payments as the reproduction): basic paid 995,000.37; raised to
// 1,035,000.37 (+35,000.37) the municipal 40,000.00 fits exactly (remaining
// 0.00); improvement lowered from 100,000.00 to 60,000.00 (−40,000.00).
func TestBudgetAdjustment(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-103"
	fundedProject(t, p, code)
	if _, err := p.DisburseAll(ctx, []funding.DisbursementRequest{
		payment(code, "p-c1", "central", "basic", "400000.00", "2020-08-01"),
		payment(code, "p-p1", "provincial", "basic", "175000.37", "2020-08-01"),
		payment(code, "p-m1", "municipal", "basic", "150000.00", "2020-08-01"),
		payment(code, "p-d1", "district", "basic", "270000.00", "2020-08-01"),
	}); err != nil {
		t.Fatal(err)
	}
	over := payment(code, "p-m2", "municipal", "basic", "40000.00", "2020-09-10")
	if _, err := p.Disburse(ctx, over); !errors.Is(err, funding.ErrBudgetLineExceeded) {
		t.Fatalf("before the adjustment: %v", err)
	}
	adj := funding.BudgetAdjustment{Project: code, Category: "basic", Budget: d("1035000.37"), On: date("2020-09-05"),
		Reason: "增加雨污分流工程 storm-sewer separation added", Approver: "区财政局 王局长", Actor: "officer"}
	for _, c := range []struct {
		name   string
		mutate func(*funding.BudgetAdjustment)
		target error
		msg    string
	}{
		{"ErrNoReason", func(a *funding.BudgetAdjustment) { a.Reason = "  " }, funding.ErrInvalid, "reason"},
		{"ErrNoApprover", func(a *funding.BudgetAdjustment) { a.Approver = "" }, funding.ErrInvalid, "approver"},
		{"ErrBelowPaid", func(a *funding.BudgetAdjustment) { a.Budget = d("995000.36") }, funding.ErrBudgetBelowPaid,
			"995000.36 is below the 995000.37 already paid"},
		{"ErrThreeDecimals", func(a *funding.BudgetAdjustment) { a.Budget = d("1.001") }, funding.ErrInvalid, "two decimals"},
		{"ErrUnknownProject", func(a *funding.BudgetAdjustment) { a.Project = "NOPE" }, funding.ErrNotFound, "NOPE"},
	} {
		a := adj
		c.mutate(&a)
		if _, err := p.AdjustBudget(ctx, a); !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	ch, err := p.AdjustBudget(ctx, adj)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Previous.Equal(d("1000000.00")) || !ch.Difference().Equal(d("35000.37")) || !ch.EntryID.Valid {
		t.Errorf("adjustment: %+v", ch)
	}
	// Only the difference is posted.
	e, err := p.Ledger().Entry(ctx, ch.EntryID.Int64)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Postings) != 2 || !e.Postings[0].Amount.Equal(d("35000.37")) || e.Postings[0].AccountCode != "budget:line:huancui:"+code+":basic" {
		t.Errorf("adjustment entry: %+v", e.Postings)
	}
	again, err := p.AdjustBudget(ctx, adj)
	if err != nil || !again.Unchanged {
		t.Errorf("the same adjustment again: %+v %v", again, err)
	}
	if _, err := p.Disburse(ctx, over); err != nil {
		t.Fatalf("after the adjustment: %v", err)
	}
	balance(t, p, "budget:line:huancui:"+code+":basic", "0.00")
	down := funding.BudgetAdjustment{Project: code, Category: "improvement", Budget: d("60000.00"), On: date("2020-09-20"),
		Reason: "停车场缩小 smaller car park", Approver: "区财政局 王局长", Actor: "clerk"}
	if _, err := p.AdjustBudget(ctx, down); err != nil {
		t.Fatal(err)
	}
	balance(t, p, "budget:line:huancui:"+code+":improvement", "60000.00")
	// Lowering below paid by re-approval is refused too.
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-10-01"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("900000.00")}, {Category: "improvement", Amount: d("100000.00")}}}); !errors.Is(err, funding.ErrBudgetBelowPaid) {
		t.Errorf("re-approval below paid: %v", err)
	}

	rep, err := p.ProjectReport(ctx, code, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkCategories(t, rep.Categories, []funding.CategoryPosition{
		{Category: "basic", Budget: d("1035000.37"), Paid: d("1035000.37"), Remaining: d("0")},
		{Category: "improvement", Budget: d("60000.00"), Paid: d("0"), Remaining: d("60000.00")},
	})
	type change struct{ cat, kind, prev, budget, reason, approver, actor string }
	want := []change{
		{"basic", "approval", "0", "1000000.00", "", "", "officer"},
		{"improvement", "approval", "0", "100000.00", "", "", "officer"},
		{"basic", "adjustment", "1000000.00", "1035000.37", adj.Reason, adj.Approver, "officer"},
		{"improvement", "adjustment", "100000.00", "60000.00", down.Reason, down.Approver, "clerk"},
	}
	if len(rep.BudgetChanges) != len(want) {
		t.Fatalf("history: %+v", rep.BudgetChanges)
	}
	for i, w := range want {
		g := rep.BudgetChanges[i]
		if g.Category != w.cat || g.Kind != w.kind || !g.Previous.Equal(d(w.prev)) || !g.Budget.Equal(d(w.budget)) ||
			g.Reason != w.reason || g.Approver != w.approver || g.Actor != w.actor || g.At.IsZero() {
			t.Errorf("history %d: %+v, want %+v", i, g, w)
		}
	}
	// As of 2020-09-01 the adjustments had not happened.
	early, err := p.ProjectReport(ctx, code, date("2020-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(early.BudgetChanges) != 2 || !early.Categories[0].Budget.Equal(d("1000000.00")) {
		t.Errorf("as of 2020-09-01: %+v %+v", early.Categories, early.BudgetChanges)
	}
	// The rendered report has the remaining column and the history.
	tables := report.ProjectReport(rep, func(x decimal.Decimal) string { return x.StringFixed(2) })
	if len(tables) != 3 || tables[1].Columns[4].Key != "remaining" || len(tables[2].Rows) != 4 ||
		tables[2].Rows[2][6] != "35000.37" || tables[2].Rows[3][6] != "-40000.00" || tables[2].Rows[2][7] != adj.Reason {
		t.Errorf("rendered: %+v", tables)
	}
	// Budget vs actual counts the adjusted lines.
	bva, err := p.BudgetVsActual(ctx, "环翠区", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bva.Projects) != 1 || !bva.Projects[0].Approved.Equal(d("1095000.37")) {
		t.Errorf("budget vs actual: %+v", bva.Projects)
	}
	for _, c := range bva.Categories {
		if c.Approved.LessThan(c.Disbursed) {
			t.Errorf("negative remaining in budget vs actual: %+v", c)
		}
	}
	// The books still verify.
	if _, err := p.Ledger().Seal(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Ledger().Verify(ctx); err != nil || !v.OK {
		t.Errorf("verify: %+v %v", v, err)
	}
}

// TestSourceLine: an approval that limits central's part of basic to
// 350,000.00 refuses central's payment past it although the basic line
// (1,000,000.00) and central's cash (400,000.00) have room. By hand: paid
// 300,000.00, remaining 50,000.00, 50,000.01 exceeds it by 0.01; raised to
// 360,000.00 the payment fits and 9,999.99 remains.
func TestSourceLine(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-104"
	fundedProject(t, p, code, funding.SourceLineInput{Category: "basic", Source: "central", Amount: d("350000.00")})
	base := funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-06-20"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("1000000.00")}, {Category: "improvement", Amount: d("100000.00")}}}
	for _, c := range []struct {
		name   string
		line   funding.SourceLineInput
		target error
		msg    string
	}{
		{"ErrUnknownSource", funding.SourceLineInput{Category: "basic", Source: "mars", Amount: d("1.00")}, funding.ErrInvalid, `unknown source "mars"`},
		{"ErrMoreThanCategory", funding.SourceLineInput{Category: "improvement", Source: "district", Amount: d("100000.01")}, funding.ErrInvalid,
			"100000.01 is more than the improvement line's 100000.00"},
		{"ErrMayNotPay", funding.SourceLineInput{Category: "improvement", Source: "central", Amount: d("1.00")}, funding.ErrNotEarmarked, "central (中央补助) may not pay improvement"},
		{"ErrNoCategoryLine", funding.SourceLineInput{Category: "upgrade", Source: "district", Amount: d("1.00")}, funding.ErrInvalid, "no upgrade line"},
	} {
		req := base
		req.SourceLines = []funding.SourceLineInput{c.line}
		if _, err := p.Approve(ctx, req); !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := p.Disburse(ctx, payment(code, "p-c1", "central", "basic", "300000.00", "2020-08-01")); err != nil {
		t.Fatal(err)
	}
	over := payment(code, "p-c2", "central", "basic", "50000.01", "2020-08-02")
	_, err := p.Disburse(ctx, over)
	want := "budget line " + code + " basic (基础类) from central (中央补助): budget 350000.00, already paid 300000.00, remaining 50000.00; this payment of 50000.01 exceeds it by 0.01"
	if !errors.Is(err, funding.ErrBudgetLineExceeded) || !strings.Contains(err.Error(), want) {
		t.Fatalf("past the source line: %v", err)
	}
	// Raw SQL that draws the category line but not central's is refused.
	acc := func(role string) string { return "budget:" + role + ":huancui:" + code }
	err = rawPayment(ctx, p, "raw-src", [][3]string{{acc("spent") + ":basic:central", "D", "1.00"}, {acc("available") + ":central", "C", "1.00"},
		{acc("appropriation") + ":basic", "D", "1.00"}, {acc("line") + ":basic", "C", "1.00"}})
	if err == nil || errCode(err) != "FLB01" || !strings.Contains(err.Error(), "project "+code+" from central but draws 0") {
		t.Errorf("raw payment around the source line: %v", err)
	}
	// A re-approval that does not name the source line keeps it.
	if _, err := p.Approve(ctx, base); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AdjustBudget(ctx, funding.BudgetAdjustment{Project: code, Category: "basic", Source: "central", Budget: d("360000.00"),
		On: date("2020-08-02"), Reason: "中央追加 more central money", Approver: "市财政局", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Disburse(ctx, over); err != nil {
		t.Fatalf("after raising the source line: %v", err)
	}
	balance(t, p, acc("line")+":basic:central", "9999.99")
	balance(t, p, acc("line")+":basic", "649999.99")
	lines, err := p.BudgetLines(ctx, code, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[1].Source != "central" || !lines[1].Budget.Equal(d("360000.00")) || !lines[1].Paid.Equal(d("350000.01")) ||
		!lines[1].Remaining.Equal(d("9999.99")) || !lines[0].Remaining.Equal(d("649999.99")) {
		t.Errorf("lines: %+v", lines)
	}
	// District totals count the category lines, not the source lines within
	// them: basic 1,000,000.00 + improvement 100,000.00.
	drep, err := p.DistrictReport(ctx, "环翠区", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(drep.Categories) != 2 || !drep.Categories[0].Budget.Equal(d("1000000.00")) || !drep.Categories[0].Remaining.Equal(d("649999.99")) {
		t.Errorf("district categories: %+v", drep.Categories)
	}
	bva, err := p.BudgetVsActual(ctx, "环翠区", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bva.Projects) != 1 || !bva.Projects[0].Approved.Equal(d("1100000.00")) {
		t.Errorf("budget vs actual: %+v", bva.Projects)
	}
}
