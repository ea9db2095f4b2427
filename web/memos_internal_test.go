package web

import (
	"testing"

	"fundledger/funding"
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
