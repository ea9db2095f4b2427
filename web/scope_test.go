package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEveryReadIsScoped pages every list endpoint as a district officer
// granted only 环翠区 (huancui) and counts the rows of other districts: 0.
// The auditor and the finance bureau read them all. Money is recorded in
// both districts first, so that there is something to leak.
func TestEveryReadIsScoped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, w := range []struct{ path, key, body string }{
		{"/api/receipts", "s1", receipt("HC-1", "2000.00")},
		{"/api/receipts", "s2", receipt("WD-1", "3000.00")},
		{"/api/disbursements", "s3", payment("HC-1", "500.00")},
		{"/api/disbursements", "s4", payment("WD-1", "700.00")},
	} {
		if r := f.do("bureau", "POST", w.path, w.key, w.body); r.status != 201 {
			t.Fatalf("%s: %d %s", w.path, r.status, r.body)
		}
	}
	accountDistrict := map[string]string{}
	rows, err := f.db.Query(`SELECT code, coalesce(district, '') FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code, d string
		if err := rows.Scan(&code, &d); err != nil {
			t.Fatal(err)
		}
		accountDistrict[code] = d
	}
	rows.Close()

	// pageAll follows next through every page of a list, a few rows at a time.
	pageAll := func(user, path, after string) []map[string]any {
		t.Helper()
		var all []map[string]any
		next := ""
		for range 1000 {
			p := path
			if next != "" {
				p += "&after=" + url.QueryEscape(next)
			}
			r := f.do(user, "GET", p, "", "")
			if r.status != 200 {
				t.Fatalf("%s %s: %d %s", user, p, r.status, r.body)
			}
			var pg struct {
				Items []map[string]any `json:"items"`
				Next  string           `json:"next"`
			}
			if err := json.Unmarshal(r.body, &pg); err != nil {
				t.Fatal(err)
			}
			all = append(all, pg.Items...)
			if pg.Next == "" {
				return all
			}
			next = pg.Next
		}
		t.Fatalf("%s: more than 1000 pages", path)
		return nil
	}
	// others counts the rows of other districts than huancui, and all rows.
	type count struct{ others, total int }
	lists := map[string]func(user string) count{
		"projects": func(u string) (c count) {
			for _, x := range pageAll(u, "/api/projects?limit=1", "") {
				c.total++
				if x["district"] != "huancui" {
					c.others++
				}
			}
			return c
		},
		"accounts": func(u string) (c count) {
			for _, x := range pageAll(u, "/api/accounts?limit=7", "") {
				c.total++
				if x["district"] != "huancui" {
					c.others++
				}
			}
			return c
		},
		"entries": func(u string) (c count) {
			for _, x := range pageAll(u, "/api/entries?limit=2", "") {
				c.total++
				for _, p := range x["postings"].([]any) {
					if d := accountDistrict[p.(map[string]any)["account"].(string)]; d != "" && d != "huancui" {
						c.others++
						break
					}
				}
			}
			return c
		},
		"districts": func(u string) (c count) {
			for _, x := range pageAll(u, "/api/districts?", "") {
				c.total++
				if x["code"] != "huancui" {
					c.others++
				}
			}
			return c
		},
		"rule sets": func(u string) (c count) {
			for _, x := range pageAll(u, "/api/rule-sets?", "") {
				c.total++
				if d, _ := x["district"].(string); d != "" && d != "huancui" {
					c.others++
				}
			}
			return c
		},
		"district report": func(u string) (c count) {
			var rep struct{ Sources, Categories []map[string]any }
			_ = json.Unmarshal(f.do(u, "GET", "/api/reports/district", "", "").body, &rep)
			for _, x := range append(rep.Sources, rep.Categories...) {
				c.total++
				if x["district"] != "huancui" {
					c.others++
				}
			}
			return c
		},
	}
	for name, list := range lists {
		if c := list("officer"); c.others != 0 || c.total == 0 {
			t.Errorf("officer %s: %d rows of other districts (of %d)", name, c.others, c.total)
		}
		for _, u := range []string{"audit", "bureau"} {
			if c := list(u); c.others == 0 && name != "rule sets" {
				t.Errorf("%s %s: no rows of other districts (of %d)", u, name, c.total)
			}
		}
	}
	// The statements and their downloads name nothing of 文登区.
	for _, name := range []string{"trial-balances", "balance-sheet", "budget-vs-actual", "sources", "earmark", "grants"} {
		for _, format := range []string{"json", "csv"} {
			r := f.raw("officer", "GET", "/api/reports/"+name+"?format="+format, "", "", "")
			if r.status != 200 {
				t.Errorf("officer %s.%s: %d %s", name, format, r.status, r.body)
				continue
			}
			for _, leak := range []string{"wendeng", "文登", "WD-1", "BOC-WD"} {
				if strings.Contains(string(r.body), leak) {
					t.Errorf("officer %s.%s shows %q", name, format, leak)
				}
			}
		}
		if r := f.raw("audit", "GET", "/api/reports/"+name+"?district=wendeng", "", "", ""); r.status != 200 {
			t.Errorf("auditor %s of wendeng: %d", name, r.status)
		}
	}
	// What is another district's or the city's is refused, not emptied.
	for _, path := range []string{"/api/reports/plan", "/api/reports/bonds", "/api/reports/district?district=wendeng",
		"/api/projects?district=wendeng", "/api/bank-accounts/BOC-WD/matches", "/api/projects/WD-1/report", "/api/verify"} {
		if r := f.do("officer", "GET", path, "", ""); r.status != http.StatusForbidden {
			t.Errorf("officer %s: %d", path, r.status)
		}
	}
}
