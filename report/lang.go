package report

import "unicode"

// Cells in one language. A table's headers are picked by Column.header;
// its cells follow the column's kind:
//   - Bilingual columns hold "中文 English" (an account's name, "中央补助
//     central"): --lang zh shows the Chinese part, --lang en the English
//     part, both languages show the cell as it is;
//   - Coded columns hold a code (asset, under_way, basic): --lang zh shows
//     its Chinese label from codeLabels; en and both show the code.
// Other cells (codes, numbers, what a person typed) are never cut.

// codeLabels are the Chinese labels of the codes the books use in cells:
// account types, books, project statuses, categories.
var codeLabels = map[string]string{
	// account types (ledger.AccountType)
	"asset": "资产", "liability": "负债", "net_assets": "净资产", "revenue": "收入", "expense": "费用",
	"budget_asset": "预算资产", "budget_revenue": "预算收入", "budget_expense": "预算支出", "budget_balance": "预算结余",
	// books
	"financial": "财务会计", "budget": "预算会计",
	// project statuses (funding.Status*)
	"planned": "计划", "approved": "已批复", "under_way": "在建", "completed": "已完工", "accepted": "已验收",
	// retrofit categories
	"basic": "基础类", "improvement": "完善类", "upgrade": "提升类",
	// yes and no
	"true": "是", "false": "否",
}

// InLang returns t with its Bilingual and Coded cells in lang ("" = both:
// t unchanged).
func (t Table) InLang(lang string) Table {
	if lang != LangZh && lang != LangEn {
		return t
	}
	var cols []int
	for i, c := range t.Columns {
		if c.Bilingual || (c.Coded && lang == LangZh) {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return t
	}
	rows := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		rows[r] = append([]string(nil), row...)
		for _, i := range cols {
			if i >= len(row) {
				continue
			}
			if t.Columns[i].Bilingual {
				rows[r][i] = CellInLang(row[i], lang)
			} else if l, ok := codeLabels[row[i]]; ok {
				rows[r][i] = l
			}
		}
	}
	t.Rows = rows
	return t
}

// CellInLang picks one language of "中文 English": the split is the first
// space after which no Chinese character follows, with Chinese before it
// ("环翠区 小计 subtotal" → 环翠区 小计 | subtotal). A cell in one language
// only comes back whole.
func CellInLang(s, lang string) string {
	seenHan := false
	for i, r := range s {
		if r == ' ' && seenHan && !hasHan(s[i+1:]) && s[i+1:] != "" {
			if lang == LangZh {
				return s[:i]
			}
			return s[i+1:]
		}
		if unicode.Is(unicode.Han, r) {
			seenHan = true
		}
	}
	return s
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
