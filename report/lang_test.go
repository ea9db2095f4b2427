package report

import (
	"strings"
	"testing"
)

func TestCellInLang(t *testing.T) {
	cases := []struct{ in, zh, en string }{
		{"中央补助专户资金 earmarked cash", "中央补助专户资金", "earmarked cash"},
		{"环翠区 小计 subtotal", "环翠区 小计", "subtotal"},
		{"中央补助可用 received, not spent", "中央补助可用", "received, not spent"},
		{"合计 Total", "合计", "Total"},
		{"基础类 basic", "基础类", "basic"},
		{"环翠区", "环翠区", "环翠区"},                                           // one language: whole
		{"WH-HC-2020-001", "WH-HC-2020-001", "WH-HC-2020-001"},          // a code: whole
		{"earmarked cash 中央", "earmarked cash 中央", "earmarked cash 中央"}, // English first: not a pair
		{"中文 ", "中文 ", "中文 "},                                           // nothing after the space
		{"", "", ""},
	}
	for _, c := range cases {
		if got := CellInLang(c.in, LangZh); got != c.zh {
			t.Errorf("zh of %q = %q, want %q", c.in, got, c.zh)
		}
		if got := CellInLang(c.in, LangEn); got != c.en {
			t.Errorf("en of %q = %q, want %q", c.in, got, c.en)
		}
	}
}

// A table in one language: bilingual and coded columns follow the
// language, other columns (codes, amounts, a memo a person typed) never do,
// and both languages leave every cell as it is.
func TestTableInLang(t *testing.T) {
	tb := Table{Columns: []Column{
		{Key: "account"}, {Key: "name", Bilingual: true}, {Key: "type", Coded: true},
		{Key: "memo"}, {Key: "amount", Numeric: true},
	}, Rows: [][]string{
		{"cash:huancui:P:central", "中央补助专户资金 earmarked cash", "asset", "拨付 to 施工单位", "1,000.00"},
		{"budget:line:huancui:P:basic", "基础类预算指标 budget line", "budget_asset", "", "2.00"},
	}}
	var b strings.Builder
	if err := Render(&b, tb, FormatCSV, LangZh); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffaccount,name,type,memo,amount\n" +
		"cash:huancui:P:central,中央补助专户资金,资产,拨付 to 施工单位,\"1,000.00\"\n" +
		"budget:line:huancui:P:basic,基础类预算指标,预算资产,,2.00\n"
	if b.String() != want {
		t.Errorf("zh:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := Render(&b, tb, FormatCSV, LangEn); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "cash:huancui:P:central,earmarked cash,asset,拨付 to 施工单位,") {
		t.Errorf("en:\n%s", b.String())
	}
	b.Reset()
	if err := Render(&b, tb, FormatCSV, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "中央补助专户资金 earmarked cash,asset,") {
		t.Errorf("both languages changed a cell:\n%s", b.String())
	}
	if tb.Rows[0][1] != "中央补助专户资金 earmarked cash" {
		t.Errorf("rendering changed the table itself: %q", tb.Rows[0][1])
	}
}
