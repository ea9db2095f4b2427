package web

// What the pages show of the books in the reader's language, without
// internal codes: the memos the system writes itself (from the kind and the
// figures an entry carries in its metadata), account names (stored
// bilingual), the rule set's explanation of an allocation and the named
// errors that carry figures. Text a person typed is shown as typed.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

// sourceWord is a funding source's name in the language alone ("中央补助",
// "central government subsidy"); the code when it is not a known source.
func sourceWord(lang, code string) string {
	if s, ok := rules.LookupSource(code); ok {
		if lang == langEn {
			return s.NameEN
		}
		return s.NameZH
	}
	return code
}

// categoryWord is a retrofit category's name in the language alone.
func categoryWord(lang, code string) string {
	if c, ok := rules.LookupCategory(code); ok {
		if lang == langEn {
			return c.NameEN
		}
		return c.NameZH
	}
	return code
}

// memoWords are the English words of the automatic memos (funding's
// Memo* kinds and ledger.MemoReversal), formatted with their arguments in
// order. The Chinese is the stored memo itself.
var memoWords = map[string]string{
	ledger.MemoReversal:               "Reversal of voucher %s: %s",
	funding.MemoReceipt:               "Received for %s from %s",
	funding.MemoDisbursement:          "Paid for %s, %s works, to %s from %s",
	funding.MemoApproval:              "Budget approval of %s %s, version %s: total %s",
	funding.MemoApprovalLines:         "Budget lines of %s %s, approval version %s",
	funding.MemoBondIssue:             "Special-purpose bond %s %s issued: principal %s",
	funding.MemoBondAllocation:        "Proceeds of bond %s allocated to project %s",
	funding.MemoBondPayment:           "Debt service of bond %s due %s: interest %s, principal %s",
	funding.MemoLoanDrawdown:          "Loan %s drawn for project %s",
	funding.MemoLoanPrepayment:        "Loan %s principal repaid early",
	funding.MemoLoanPayment:           "Debt service of loan %s due %s: interest %s, principal %s",
	funding.MemoLoanSubsidyCommitment: "Interest subsidy from %s committed for loan %s, period due %s",
	funding.MemoLoanSubsidyPayment:    "Interest subsidy from %s paid for loan %s, period due %s",
	funding.MemoElevatorGrantPayment:  "Elevator grant %s paid to %s",
	funding.MemoUtilityAwardPayment:   "Award for facility %s paid to %s",
	funding.MemoPropertyRewardPayment: "Property service reward of project %s for %s paid",
}

// memoText is an entry's memo in the language: an automatic memo (one with
// a kind in its metadata) in English from memoWords, every other memo as
// stored (Chinese, or as a person typed it).
func memoText(lang, memo string, meta map[string]string) string {
	if lang != langEn {
		return memo
	}
	words, ok := memoWords[meta[ledger.MemoKindKey]]
	if !ok {
		return memo
	}
	var stored []string
	if err := json.Unmarshal([]byte(meta[ledger.MemoArgsKey]), &stored); err != nil || strings.Count(words, "%s") != len(stored) {
		return memo
	}
	args := make([]any, len(stored))
	for i, a := range stored {
		switch {
		case strings.HasPrefix(a, ledger.MemoArgSource):
			args[i] = sourceWord(lang, strings.TrimPrefix(a, ledger.MemoArgSource))
		case strings.HasPrefix(a, ledger.MemoArgCategory):
			args[i] = categoryWord(lang, strings.TrimPrefix(a, ledger.MemoArgCategory))
		default:
			args[i] = strings.TrimPrefix(a, ledger.MemoArgText)
		}
	}
	return fmt.Sprintf(words, args...)
}

// accountName is an account's stored name in the language. The programme
// names accounts "中文 English" (中央补助专户资金 earmarked cash; 基础类支出
// works paid from 中央补助; … 中央补助 已拨付 paid): Chinese keeps every
// word but the English ones (lower-case Latin words); English names the
// sources and categories in English and drops the Chinese words. A name
// without English words (one a person gave) is shown as it is.
func accountName(lang, name string) string {
	words := strings.Fields(name)
	var zh []string
	for _, w := range words {
		if !englishWord(w) {
			zh = append(zh, w)
		}
	}
	if len(zh) == len(words) {
		return name
	}
	if lang != langEn {
		return strings.Join(zh, " ")
	}
	en := namesInEnglish.Replace(name)
	en = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Han, r) {
			return ' '
		}
		return r
	}, en)
	return strings.Join(strings.Fields(en), " ")
}

// englishWord: a lower-case Latin word of an account name's English part
// ("earmarked", "residents'", "granted,"); codes (P001, B1) are not.
func englishWord(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
			letters++
		case r == '\'' || r == ',' || r == '(' || r == ')' || r == '-':
		default:
			return false
		}
	}
	return letters > 0
}

// namesInEnglish replaces the Chinese names of sources and categories by
// their English names, longest first.
var namesInEnglish = func() *strings.Replacer {
	type pair struct{ zh, en string }
	var pairs []pair
	for _, s := range rules.Sources() {
		pairs = append(pairs, pair{s.NameZH, " " + s.NameEN + " "})
	}
	for _, c := range rules.Categories() {
		pairs = append(pairs, pair{c.NameZH, " " + c.NameEN + " "})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return len(b.zh) - len(a.zh) })
	var oldnew []string
	for _, p := range pairs {
		oldnew = append(oldnew, p.zh, p.en)
	}
	return strings.NewReplacer(oldnew...)
}()
