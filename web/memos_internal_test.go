package web

import (
	"testing"

	"fundledger/funding"
	"fundledger/recon"
	"fundledger/rules"
)

// TestEveryMemoKindHasWords: every kind of automatic memo the programme
// writes has English words, and every kind of allocation note both.
func TestEveryMemoKindHasWords(t *testing.T) {
	for _, k := range funding.MemoKinds {
		if memoWords[k] == "" {
			t.Errorf("memo kind %q has no words", k)
		}
	}
	for _, k := range []string{rules.NoteRuleSet, rules.NoteGroup, rules.NoteFixed, rules.NoteFixedCut, rules.NotePct, rules.NoteWithinCap,
		rules.NoteCapped, rules.NoteExcessLast, rules.NoteExcessUncapped, rules.NoteExcessRoom, rules.NoteRounding, rules.NoteRoundingFen, rules.NoteResult} {
		if w := explainWords[k]; w[0] == "" || w[1] == "" {
			t.Errorf("note kind %q lacks words", k)
		}
	}
}

// TestAccountNameInLanguage: the programme's bilingual account names, one
// language at a time; a name without English words stays whole.
func TestAccountNameInLanguage(t *testing.T) {
	for _, c := range []struct{ name, zh, en string }{
		{"中央补助专户资金 earmarked cash", "中央补助专户资金", "central government subsidy earmarked cash"},
		{"基础类支出 works paid from 中央补助", "基础类支出 中央补助", "basic (safety and basic living) works paid from central government subsidy"},
		{"加装电梯 E-1 中央补助 待拨付 granted, not paid", "加装电梯 E-1 中央补助 待拨付", "E-1 central government subsidy granted, not paid"},
		{"加装电梯居民分摊 residents' share due E-1", "加装电梯居民分摊 E-1", "residents' share due E-1"},
		{"L-7 城投贷款 应付贷款本金 principal outstanding", "L-7 城投贷款 应付贷款本金", "L-7 principal outstanding"},
		{"城投公司 资本金结存 P001", "城投公司 资本金结存 P001", "城投公司 资本金结存 P001"},
	} {
		if got := accountName(langZh, c.name); got != c.zh {
			t.Errorf("%q in zh: %q, want %q", c.name, got, c.zh)
		}
		if got := accountName(langEn, c.name); got != c.en {
			t.Errorf("%q in en: %q, want %q", c.name, got, c.en)
		}
	}
}

// TestBoundedNoteInLanguage: a search cut short is told with its figures
// in the reader's language; a note kept without figures has its fixed words.
func TestBoundedNoteInLanguage(t *testing.T) {
	for _, c := range []struct {
		figures []string
		zh, en  string
	}{
		{[]string{"pairs", "5000", "3", "4096"}, "前后 3 天内有 5000 笔候选明细，超过上限 4096 笔，未搜索组合：请人工核对。",
			"5000 candidates within 3 days either side: not searched (bound 4096); check by hand."},
		{[]string{"candidates", "424", "3", "2", "3", "5", "400"}, "前后 3 天内金额小于本笔的候选明细有 424 笔：已搜索 2 至 2 笔的组合，3 至 5 笔的组合未搜索（上限 400 笔候选）：请人工核对。",
			"424 candidates within 3 days either side below the amount: sums of 2 to 2 of them searched, of 3 to 5 not (bound 400 candidates); check by hand."},
		{[]string{"steps", "300", "5", "3", "4", "5", "4000000"}, "前后 5 天内金额小于本笔的候选明细有 300 笔：已搜索 2 至 3 笔的组合，4 至 5 笔的组合未搜索（每笔上限 4000000 步）：请人工核对。",
			"300 candidates within 5 days either side below the amount: sums of 2 to 3 of them searched, of 4 to 5 not (bound 4000000 steps for one item); check by hand."},
		{[]string{"run", "300", "5", "1", "2", "5", "150000000"}, "前后 5 天内金额小于本笔的候选明细有 300 笔：已搜索 2 至 1 笔的组合，2 至 5 笔的组合未搜索（本次匹配的 150000000 步上限已用完）：请人工核对。",
			"300 candidates within 5 days either side below the amount: sums of 2 to 1 of them searched, of 2 to 5 not (the run's bound of 150000000 steps was spent); check by hand."},
		{nil, "候选明细过多，未能搜索全部组合：请人工核对。", "Too many candidates to search every sum: check by hand."},
	} {
		is := recon.Issue{Kind: recon.IssueBounded, Note: "stored", Figures: c.figures}
		if got := issueNote(langZh, is); got != c.zh {
			t.Errorf("%v zh: %q, want %q", c.figures, got, c.zh)
		}
		if got := issueNote(langEn, is); got != c.en {
			t.Errorf("%v en: %q, want %q", c.figures, got, c.en)
		}
	}
}
