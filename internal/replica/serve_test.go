package replica_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/internal/replica"
	"fundledger/ledger"
	"fundledger/web"
)

// TestServeReadsFromStandby is `serve --read-database-url`: a web server
// whose reads go to a streaming hot standby. With the standby's replay
// paused, a receipt posted through the server lands on the primary (the
// primary has it, the standby does not), and the district report read
// through the server is still the standby's (without the receipt), while a
// server on the primary alone shows it; once replay resumes and the standby
// has caught up, both servers answer the same report, with the receipt's
// figures counted here by hand.
func TestServeReadsFromStandby(t *testing.T) {
	ctx := context.Background()
	base, primary, pdb := startPrimary(t)
	p := funding.New(ledger.New(pdb))
	if _, _, err := p.LoadRuleSet(ctx, "../../funding/testdata/rules/test-citywide.yaml", "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RegisterProject(ctx, funding.ProjectInput{Code: "HC-1", Name: "测试小区", District: "环翠区", Address: "某路1号",
		CompletedOn: ledger.Date(1998, 5, 1), StateOwnedLand: true, Households: 200, FloorAreaM2: decimal.RequireFromString("15000.00"),
		Buildings: 8, PlanYear: 2020, RegisteredOn: ledger.Date(2020, 3, 1)}, "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: "HC-1", ApprovedOn: ledger.Date(2020, 6, 15), Actor: "setup",
		Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: decimal.RequireFromString("1000000.00")}}}); err != nil {
		t.Fatal(err)
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BOC-HC", Name: "环翠专户", Bank: "中国银行", District: "环翠区"}, "setup"); err != nil {
		t.Fatal(err)
	}
	st := access.New(pdb)
	if err := st.AddUser(ctx, "bureau", access.FinanceBureau, "", "setup"); err != nil {
		t.Fatal(err)
	}
	_, token, err := st.IssueToken(ctx, "bureau", access.KindAPIToken, "test", 0, "setup")
	if err != nil {
		t.Fatal(err)
	}

	standby, err := replica.StartStandby(ctx, primary, filepath.Join(base, "standby"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	sdb := open(t, standby.ConnString("fundledger"))
	rdb, err := replica.OpenStandby(ctx, standby.ConnString("fundledger"), pdb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	both := web.New(pdb, log)
	both.ReadFrom(rdb)
	withStandby := httptest.NewServer(both.Handler())
	t.Cleanup(withStandby.Close)
	primaryOnly := httptest.NewServer(web.New(pdb, log).Handler())
	t.Cleanup(primaryOnly.Close)

	call := func(srv *httptest.Server, method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "receipt-1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, out
	}
	report := func(srv *httptest.Server) string {
		t.Helper()
		status, body := call(srv, http.MethodGet, "/api/reports/district?district=huancui", "")
		if status != http.StatusOK {
			t.Fatalf("district report: %d %s", status, body)
		}
		return string(body)
	}
	entries := func(db *sqlx.DB) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM entries`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// caughtUp waits for the standby's replay position, then (bounded) for
	// its snapshot to show the primary's entries.
	caughtUp := func() {
		t.Helper()
		if err := replica.WaitCaughtUp(ctx, pdb.DB, sdb.DB, time.Minute); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); entries(sdb) != entries(pdb) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	caughtUp()
	before := report(withStandby)
	if before != report(primaryOnly) {
		t.Fatalf("after catch-up the standby's report differs:\nstandby %s\nprimary %s", before, report(primaryOnly))
	}

	if _, err := sdb.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	n := entries(pdb)
	status, body := call(withStandby, http.MethodPost, "/api/receipts",
		`{"project": "HC-1", "source": "central", "amount": "100000.00", "received_on": "2020-07-01", "bank_account": "BOC-HC"}`)
	if status != http.StatusCreated {
		t.Fatalf("receipt through the server: %d %s", status, body)
	}
	if got := entries(pdb); got != n+2 {
		t.Errorf("the primary has %d entries after the receipt, want %d (financial and budget)", got, n+2)
	}
	if got := report(withStandby); got != before {
		t.Errorf("with replay paused the server's report changed: it was not read on the standby:\nbefore %s\nnow %s", before, got)
	}
	if report(primaryOnly) == before {
		t.Errorf("the primary's report does not show the receipt")
	}

	if _, err := sdb.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	caughtUp()
	after := report(withStandby)
	if after != report(primaryOnly) {
		t.Errorf("after catch-up the standby's report differs:\nstandby %s\nprimary %s", after, report(primaryOnly))
	}
	var rep struct {
		Sources []struct {
			District string `json:"district"`
			Source   string `json:"source"`
			Received string `json:"received"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(after), &rep); err != nil {
		t.Fatal(err)
	}
	received := map[string]string{}
	for _, s := range rep.Sources {
		received[s.District+"/"+s.Source] = s.Received
	}
	if r := received["huancui/central"]; r == "" || !decimal.RequireFromString(r).Equal(decimal.RequireFromString("100000.00")) {
		t.Errorf("received of central in huancui on the standby: %q, want 100000.00 (%v)", r, received)
	}
}
