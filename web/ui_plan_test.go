package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestBrowserPlanControlFigures: the figures of a 总计 row that disagrees
// come from the plan error's own fields, whatever its English text says:
// the 2021 floor area stated as 11,785,860.99 against the districts' sum
// 11,785,861.24 (difference -0.25, a decimal figure) and the 2023
// communities stated as 88 against 87 (difference 1) are both listed
// with row and column, and the accept field is marked.
func TestBrowserPlanControlFigures(t *testing.T) {
	t.Parallel()
	raw := demoPlanCSV(t)
	f := withPasswords(newFixture(t))
	bad := strings.Replace(raw, "总计,2021,120,60590,11785861.24", "总计,2021,120,60590,11785860.99", 1)
	bad = strings.Replace(bad, "总计,2023,87,44621,", "总计,2023,88,44621,", 1)
	if strings.Count(bad, "\n") != strings.Count(raw, "\n") || strings.Contains(bad, "11785861.24") || strings.Contains(bad, "总计,2023,87,") {
		t.Fatal("总计 rows not found")
	}
	b := f.loggedIn("bureau")
	b.get("/plans")
	r := b.postFile("/plans/import", url.Values{"csrf": {b.csrf}}, "file", "plan-bad.csv", []byte(bad))
	wantStatus(t, "bad plan", r, http.StatusUnprocessableEntity)
	wantBody(t, "bad plan", r, `id="plan-error" data-field="accept"`,
		`<td>39</td><td>5</td><td class="text">建筑面积</td><td>11785860.99</td><td>11785861.24</td><td>-0.25</td>`,
		`<td>41</td><td>3</td><td class="text">小区个数</td><td>88</td><td>87</td><td>1</td>`)
	if strings.Contains(string(r.body), "sum of ") {
		t.Error("the English reason is shown next to the figures")
	}
}

// demoPlanCSV is the demo's plan table (2020–2025, 总计 rows at 38–43).
func demoPlanCSV(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../internal/demo/data/weihai-plan-2020-2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
