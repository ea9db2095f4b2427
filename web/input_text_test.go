package web_test

import (
	"strings"
	"testing"
)

// Text a JSON decoder would change silently is refused before it is
// decoded: bytes that are not UTF-8 and lone surrogates (both would be
// stored as U+FFFD), with the line and column; nothing is stored, and the
// same entry with proper text is accepted.
func TestAPIRefusesInvalidText(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i, acct := range []string{`{"code": "cash:text-test", "type": "asset"}`, `{"code": "revenue:text-test", "type": "revenue"}`} {
		if r := f.do("bureau", "POST", "/api/accounts", "acct-"+string(rune('a'+i)), acct); r.status != 201 {
			t.Fatalf("account: %d %s", r.status, r.body)
		}
	}
	entry := func(memo string) string {
		return `{"book": "financial", "effective_date": "2021-03-01", "memo": "` + memo + `",
  "postings": [{"account": "cash:text-test", "side": "D", "amount": "1.00"}, {"account": "revenue:text-test", "side": "C", "amount": "1.00"}]}`
	}
	for _, c := range []struct{ name, memo, where string }{
		// `{"book": "financial", ` 22 + `"effective_date": "2021-03-01", ` 32 +
		// `"memo": "` 9 = 63 characters before the memo.
		{"not UTF-8", "bad \xff byte", "第 1 行第 68 列"},
		{"lone surrogate", `half \ud800 char`, "第 1 行第 69 列"},
		{"low surrogate alone", `half \udc00 char`, "第 1 行第 69 列"},
	} {
		r := f.do("bureau", "POST", "/api/entries", "text-"+c.name, entry(c.memo))
		code, field := r.errCode(t)
		if r.status != 400 || code != "bad_json" || field != "body" {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
		if detail := r.json(t)["detail"]; detail == nil || !strings.Contains(detail.(string), c.where) {
			t.Errorf("%s: detail %v, want it to name %s", c.name, detail, c.where)
		}
	}
	if r := f.do("bureau", "GET", "/api/entries?account=cash:text-test", "", ""); r.status != 200 || strings.Contains(string(r.body), `"id"`) {
		t.Errorf("refused entries were stored: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/entries", "text-ok", entry(`good 中文 \ud83d\ude00`)); r.status != 201 {
		t.Errorf("proper text (a surrogate pair): %d %s", r.status, r.body)
	}
}
