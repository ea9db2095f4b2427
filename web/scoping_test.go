package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/web"
)

// scopeServer serves books with one project, elevator application and
// bank account in each of 环翠区 (huancui) and 文登区 (wendeng); users hc and
// wd are district officers of one district each, bureau is the finance
// bureau. It returns the server's URL and each user's API token. It is
// built from the packages' exported functions only, so the test speaks to
// the server over HTTP like any client.
func scopeServer(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db, p := booksWithRules(t, "../funding/testdata/rules/test-citywide.yaml")
	on := func(s string) time.Time {
		v, err := ledger.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, pr := range []struct{ code, district string }{{"HC-1", "环翠区"}, {"WD-1", "文登区"}} {
		if _, err := p.RegisterProject(ctx, funding.ProjectInput{Code: pr.code, Name: "测试小区 " + pr.code, District: pr.district, Address: "某路1号",
			CompletedOn: on("1998-05-01"), StateOwnedLand: true, Households: 200, FloorAreaM2: decimal.RequireFromString("15000.00"),
			Buildings: 8, PlanYear: 2020, RegisteredOn: on("2020-03-01")}, "setup"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: pr.code, ApprovedOn: on("2020-06-15"), Actor: "setup",
			Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: decimal.RequireFromString("1000000.00")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.ApplyElevator(ctx, funding.ElevatorApplicationInput{Code: "EL-" + pr.code, Project: pr.code, Building: "3", Unit: "2",
			HouseholdsPerFloor: []int{2, 2, 2, 2, 2, 2, 2}, EstimatedCost: decimal.RequireFromString("500000.00"),
			OwnersTotal: 12, OwnersParticipating: 8, OwnersApproving: 6, AreaTotalM2: decimal.RequireFromString("1000.00"),
			AreaParticipatingM2: decimal.RequireFromString("666.67"), AreaApprovingM2: decimal.RequireFromString("500.01"),
			AppliedOn: on("2020-06-20")}, "setup"); err != nil {
			t.Fatal(err)
		}
		if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BOC-" + pr.code[:2], Name: pr.district + "专户", Bank: "中国银行", District: pr.district}, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	st := access.New(db)
	tokens := map[string]string{}
	for name, role := range map[string]access.Role{"bureau": access.FinanceBureau, "hc": access.DistrictOfficer, "wd": access.DistrictOfficer} {
		if err := st.AddUser(ctx, name, role, "", "setup"); err != nil {
			t.Fatal(err)
		}
		_, tok, err := st.IssueToken(ctx, name, access.KindAPIToken, "test", 0, "setup")
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = tok
	}
	for user, district := range map[string]string{"hc": "huancui", "wd": "wendeng"} {
		if err := st.Grant(ctx, user, district, true, "", "setup"); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	return srv.URL, tokens
}

// TestOfficerScopedToDistrict: an officer of 环翠区 asking for 文登区's
// elevator application, project, approval, report, bank account matches,
// or changing any of them, is refused (403, or 404 that hides it) and
// changes nothing; the officer of 文登区 and the bureau read the same
// resources (200), so the refusal is the district check and not a missing
// resource; and the 环翠区 officer reads the 环翠区 ones.
func TestOfficerScopedToDistrict(t *testing.T) {
	t.Parallel()
	url, tokens := scopeServer(t)
	n := 0
	call := func(user, method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tokens[user])
		if method == http.MethodPost {
			n++
			req.Header.Set("Idempotency-Key", "scope-"+string(rune('a'+n%26))+strings.Repeat("x", n/26))
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	reads := []struct{ own, foreign string }{
		{"/api/elevator-applications/EL-HC-1", "/api/elevator-applications/EL-WD-1"},
		{"/api/projects/HC-1", "/api/projects/WD-1"},
		{"/api/projects/HC-1/approval", "/api/projects/WD-1/approval"},
		{"/api/projects/HC-1/report", "/api/projects/WD-1/report"},
		{"/api/reports/district?district=huancui", "/api/reports/district?district=wendeng"},
		{"/api/reports/sources?district=huancui", "/api/reports/sources?district=wendeng"},
		{"/api/bank-accounts/BOC-HC/matches", "/api/bank-accounts/BOC-WD/matches"},
	}
	for _, c := range reads {
		if code, body := call("hc", "GET", c.foreign, ""); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("officer of 环翠区 GET %s: %d %.200s, want 403 or 404", c.foreign, code, body)
		} else if strings.Contains(body, "WD-1") && code != http.StatusForbidden {
			t.Errorf("officer of 环翠区 GET %s: refusal shows the data: %.200s", c.foreign, body)
		}
		for _, who := range []string{"wd", "bureau"} {
			if code, body := call(who, "GET", c.foreign, ""); code != http.StatusOK {
				t.Errorf("%s GET %s: %d %.200s, want 200", who, c.foreign, code, body)
			}
		}
		if code, body := call("hc", "GET", c.own, ""); code != http.StatusOK {
			t.Errorf("officer of 环翠区 GET %s: %d %.200s, want 200", c.own, code, body)
		}
	}
	writes := []struct{ path, body string }{
		{"/api/elevator-applications/EL-WD-1/approve", `{"on": "2020-07-01"}`},
		{"/api/elevator-applications/EL-WD-1/accept", `{"final_cost": "480000.00", "on": "2020-09-01"}`},
		{"/api/receipts", `{"project": "WD-1", "source": "central", "amount": "100.00", "received_on": "2020-07-01", "bank_account": "BOC-WD"}`},
		{"/api/disbursements", `{"project": "WD-1", "source": "central", "category": "basic", "amount": "1.00", "paid_on": "2020-08-01", "payee": "某公司", "bank_account": "BOC-WD"}`},
		{"/api/projects/WD-1/approvals", `{"approved_on": "2020-07-01", "lines": [{"category": "basic", "description": "x", "amount": "1.00"}]}`},
		{"/api/bank-accounts/BOC-WD/recon-runs", `{"period": "2020-07"}`},
		{"/api/bank-accounts/BOC-WD/statements", `{"profile": "generic", "file_name": "a.csv", "content": ""}`},
	}
	for _, c := range writes {
		if code, body := call("hc", "POST", c.path, c.body); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("officer of 环翠区 POST %s: %d %.200s, want 403 or 404", c.path, code, body)
		}
	}
	// Nothing of 文登区 changed: the application is still applied, the
	// project report shows no cash.
	if code, body := call("bureau", "GET", "/api/elevator-applications/EL-WD-1", ""); code != http.StatusOK || !strings.Contains(body, `"status":"applied"`) {
		t.Errorf("after refused writes, EL-WD-1: %d %.300s", code, body)
	}
	// A list is filtered, not refused: the officer's projects are its own.
	if code, body := call("hc", "GET", "/api/projects", ""); code != http.StatusOK || !strings.Contains(body, "HC-1") || strings.Contains(body, "WD-1") {
		t.Errorf("officer of 环翠区 GET /api/projects: %d %.300s, want HC-1 only", code, body)
	}
}
