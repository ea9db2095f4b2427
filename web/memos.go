package web

// What the pages show of the books in the reader's language, without
// internal codes: the memos the system writes itself (from the kind and the
// figures an entry carries in its metadata), account names (stored
// bilingual), the rule set's explanation of an allocation and the named
// errors that carry figures. Text a person typed is shown as typed.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
	"fundledger/report"
	"fundledger/rules"
)

// sourceWord is a funding source's name in the language alone ("中央补助",
// "central government subsidy"); the code when it is not a known source.
func sourceWord(lang, code string) string {
	if s, ok := rules.LookupSource(code); ok {
		return inLanguage(lang, s.NameZH, s.NameEN)
	}
	return code
}

// categoryWord is a retrofit category's name in the language alone.
func categoryWord(lang, code string) string {
	if c, ok := rules.LookupCategory(code); ok {
		return inLanguage(lang, c.NameZH, c.NameEN)
	}
	return code
}

// inLanguage is zh, or en in English.
func inLanguage(lang, zh, en string) string {
	if lang == langEn {
		return en
	}
	return zh
}

// memoWords are the English words of the automatic memos (funding's
// Memo* kinds and ledger.MemoReversal), formatted with their arguments in
// order. The Chinese is the stored memo itself.
var memoWords = map[string]string{
	ledger.MemoReversal:                   "Reversal of voucher %s: %s",
	funding.MemoReceipt:                   "Received for %s from %s",
	funding.MemoDisbursement:              "Paid for %s, %s works, to %s from %s",
	funding.MemoApproval:                  "Budget approval of %s %s, version %s: total %s",
	funding.MemoApprovalLines:             "Budget lines of %s %s, approval version %s",
	funding.MemoBondIssue:                 "Special-purpose bond %s %s issued: principal %s",
	funding.MemoBondAllocation:            "Proceeds of bond %s allocated to project %s",
	funding.MemoBondPayment:               "Debt service of bond %s due %s: interest %s, principal %s",
	funding.MemoLoanDrawdown:              "Loan %s drawn for project %s",
	funding.MemoLoanPrepayment:            "Loan %s principal repaid early",
	funding.MemoLoanPayment:               "Debt service of loan %s due %s: interest %s, principal %s",
	funding.MemoLoanSubsidyCommitment:     "Interest subsidy from %s committed for loan %s, period due %s",
	funding.MemoLoanSubsidyPayment:        "Interest subsidy from %s paid for loan %s, period due %s",
	funding.MemoElevatorGrantPayment:      "Elevator grant %s paid to %s",
	funding.MemoUtilityAwardPayment:       "Award for facility %s paid to %s",
	funding.MemoPropertyRewardPayment:     "Property service reward of project %s for %s paid",
	funding.MemoUtilityContribution:       "Contribution of the %s to facility %s, %s",
	funding.MemoElevatorGrant:             "Elevator grant %s %s: grant %s",
	funding.MemoElevatorResidentsShare:    "Residents' share of elevator %s %s: %s",
	funding.MemoElevatorHousehold:         "Contribution of household %s to elevator %s",
	funding.MemoCapitalInjection:          "Capital from %s injected into %s for project %s",
	funding.MemoCapitalUse:                "%s pays works of project %s (%s) from injected capital",
	funding.MemoInvestmentSubsidy:         "Investment subsidy from %s for project %s: of the approved investment %s, %s%%, at most %s",
	funding.MemoInvestmentSubsidyPayment:  "Investment subsidy from %s paid on the completed investment of %s, project %s",
	funding.MemoPoolAllocation:            "Allocation of the %s pool of %s by evaluation, version %s: %s",
	funding.MemoBudgetAdjustment:          "Budget adjustment of project %s, %s line: %s → %s, approved by %s: %s",
	funding.MemoAccrual:                   "Interest accrued on %s %s from %s to %s",
	funding.MemoBondRevenue:               "Project revenue of %s (%s) into the bond repayment reserve",
	funding.MemoBondBackstop:              "%s tops up the reserve of bond %s by %s for the payment due %s",
	funding.MemoPropertyReward:            "Property service reward of project %s for %s: score %s, reward %s",
	funding.MemoUtilityFacility:           "Utility facility %s: contribution %s, award %s",
	funding.MemoUtilityFacilityCorrection: "Correction of utility facility %s: cost %s → %s, award %s → %s: %s",
	funding.MemoPropertyRewardCorrection:  "Correction of the property service reward of project %s for %s: score %s → %s, reward %s → %s: %s",
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
		case strings.HasPrefix(a, ledger.MemoArgCategory): // a category, or a budget line "category/source"
			cat, src, ok := strings.Cut(strings.TrimPrefix(a, ledger.MemoArgCategory), "/")
			args[i] = categoryWord(lang, cat)
			if ok {
				args[i] = categoryWord(lang, cat) + " (" + sourceWord(lang, src) + ")"
			}
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

// issueNotes are the notes of the reconciliation issues, by kind and
// number of figures (recon.Issue.Figures), {zh, en}.
var issueNotes = map[string][2]string{
	recon.IssueReleased + "/0": {"撤销匹配后释放的明细：请人工匹配。", "Released from a revoked match: match by hand."},
	recon.IssueReleased + "/1": {"第 %s 轮自动匹配本可匹配这些明细，但其中一笔是从已撤销的匹配中释放的：请人工匹配。",
		"Automatic pass %s would match these, but an item was released from a revoked match: match by hand."},
	recon.IssueReferenceManyToMany + "/3": {"参考号 %s：%s 笔银行流水与 %s 笔账目参考号相同，无法自动配对。",
		"Reference %s: %s statement lines and %s postings share it and cannot be paired automatically."},
	recon.IssueReferenceAmounts + "/3": {"参考号 %s：银行流水合计 %s 元，账目合计 %s 元，金额不一致。",
		"Reference %s: statement lines total %s, postings total %s; the amounts differ."},
	recon.IssueAmbiguous + "/3": {"%s %s 元：前后 %s 天内有多个候选，对方户名也无法区分。",
		"%s %s: more than one candidate within %s days either side, and the counterparties do not tell them apart."},
	recon.IssueAmbiguousSum + "/3": {"前后 %[3]s 天内有不止一组%[1]s合计为 %[2]s 元。",
		"More than one set of %[1]s within %[3]s days either side adds up to %[2]s."},
	recon.IssueContestedSum + "/0": {"这笔合计中的一笔明细同时属于另一笔的合计。", "An item of this sum also belongs to another item's sum."},
	recon.IssueBounded + "/0":      {"候选明细过多，未能搜索全部组合：请人工核对。", "Too many candidates to search every sum: check by hand."},
	// The bounded search's notes, by the bound that cut it short (its first figure).
	recon.IssueBounded + "/pairs": {"前后 %[3]s 天内有 %[2]s 笔候选明细，超过上限 %[4]s 笔，未搜索组合：请人工核对。",
		"%[2]s candidates within %[3]s days either side: not searched (bound %[4]s); check by hand."},
	recon.IssueBounded + "/candidates": {"前后 %[3]s 天内金额小于本笔的候选明细有 %[2]s 笔：已搜索 2 至 %[4]s 笔的组合，%[5]s 至 %[6]s 笔的组合未搜索（上限 %[7]s 笔候选）：请人工核对。",
		"%[2]s candidates within %[3]s days either side below the amount: sums of 2 to %[4]s of them searched, of %[5]s to %[6]s not (bound %[7]s candidates); check by hand."},
	recon.IssueBounded + "/steps": {"前后 %[3]s 天内金额小于本笔的候选明细有 %[2]s 笔：已搜索 2 至 %[4]s 笔的组合，%[5]s 至 %[6]s 笔的组合未搜索（每笔上限 %[7]s 步）：请人工核对。",
		"%[2]s candidates within %[3]s days either side below the amount: sums of 2 to %[4]s of them searched, of %[5]s to %[6]s not (bound %[7]s steps for one item); check by hand."},
	recon.IssueBounded + "/run": {"前后 %[3]s 天内金额小于本笔的候选明细有 %[2]s 笔：已搜索 2 至 %[4]s 笔的组合，%[5]s 至 %[6]s 笔的组合未搜索（本次匹配的 %[7]s 步上限已用完）：请人工核对。",
		"%[2]s candidates within %[3]s days either side below the amount: sums of 2 to %[4]s of them searched, of %[5]s to %[6]s not (the run's bound of %[7]s steps was spent); check by hand."},
}

// issueFigureWords are the words among the figures of an issue's note.
var issueFigureWords = map[string][2]string{
	"in": {"收入", "In"}, "out": {"支出", "Out"}, "lines": {"银行流水", "statement lines"}, "postings": {"账目", "postings"},
}

// issueNote is a reconciliation issue's note in the language, with its
// figures; an issue with figures the catalogue does not know keeps its note.
func issueNote(lang string, is recon.Issue) string {
	key := is.Kind + "/" + strconv.Itoa(len(is.Figures))
	if is.Kind == recon.IssueBounded {
		key = is.Kind + "/0" // a note of a run before its figures were kept
		if len(is.Figures) > 0 {
			key = is.Kind + "/" + is.Figures[0]
		}
	}
	words, ok := issueNotes[key]
	if !ok {
		return is.Note
	}
	i := 0
	if lang == langEn {
		i = 1
	}
	args := make([]any, len(is.Figures))
	for n, f := range is.Figures {
		args[n] = f
		if w, ok := issueFigureWords[f]; ok {
			args[n] = w[i]
		} else if d, err := decimal.NewFromString(f); err == nil && strings.Contains(f, ".") {
			args[n] = report.Amount(d)
		}
	}
	if key == recon.IssueBounded+"/0" {
		args = nil
	}
	return fmt.Sprintf(words[i], args...)
}

// explainWords are the words of an allocation's notes (rules.Note*), {zh,
// en}, formatted with the note's figures (sources by name).
var explainWords = map[string][2]string{
	rules.NoteRuleSet: {"规则集 %s（版本 %s）；项目 %s：%s 户，建筑面积 %s 平方米，电梯 %s 部；预算明细 %s 条，合计 %s 元",
		"Rule set %s (version %s); project %s: %s households, %s m², %s elevators; %s budget lines, total %s"},
	rules.NoteGroup:          {"预算明细第 %s 条，金额 %s 元", "budget lines %s, cost %s"},
	rules.NoteFixed:          {"定额 %s 元由%s承担", "fixed %s paid by %s"},
	rules.NoteFixedCut:       {"定额 %s 元由%s承担，但只剩 %s 元，按剩余金额计", "fixed %s for %s, cut to the %s left"},
	rules.NotePct:            {"%s 元 × %s%% = %s 元，由%s承担", "%s × %s%% = %s, paid by %s"},
	rules.NoteWithinCap:      {"%s %s 元，未超过上限 %s 元", "%s: %s, within its cap of %s"},
	rules.NoteCapped:         {"%s %s 元，超过上限 %s 元；超出部分 %s 元", "%s: %s, capped at %s; excess %s"},
	rules.NoteExcessLast:     {"超出部分 %s 元由%s承担（最后一环，兜底）", "excess %s paid by %s (last link: takes the rest)"},
	rules.NoteExcessUncapped: {"超出部分 %s 元由%s承担（无上限）", "excess %s paid by %s (no cap)"},
	rules.NoteExcessRoom:     {"超出部分中 %s 元由%s承担（尚有额度 %s 元），还剩 %s 元", "excess: %s paid by %s (room %s), %s left"},
	rules.NoteRounding:       {"取整：各方向下取整后合计 %s 元，按最大余数分配 %s 分", "rounding: the floors add up to %s; %s fen handed out by largest remainder"},
	rules.NoteRoundingFen:    {"取整：%s加 0.01 元（余数 %s 分）", "rounding: +0.01 to %s (remainder %s fen)"},
	rules.NoteResult:         {"结果（合计 %s 元）：", "result (sum %s): "},
}

// explainNote is one note of an allocation's explanation in the language:
// the group (category, work item) first, sources by name, no codes.
func explainNote(lang string, n rules.Note) string {
	i := 0
	if lang == langEn {
		i = 1
	}
	words, ok := explainWords[n.Kind]
	if !ok {
		return ""
	}
	arg := func(a string) any {
		if _, ok := rules.LookupSource(a); ok {
			return sourceWord(lang, a)
		}
		return a
	}
	var out string
	if n.Kind == rules.NoteResult && len(n.Args) > 0 {
		out = fmt.Sprintf(words[i], n.Args[0])
		var parts []string
		for k := 1; k+1 < len(n.Args); k += 2 {
			parts = append(parts, fmt.Sprintf("%s %s", arg(n.Args[k]), n.Args[k+1]))
		}
		sep := [2]string{"，", ", "}[i]
		out += strings.Join(parts, sep)
	} else {
		args := make([]any, len(n.Args))
		for k, a := range n.Args {
			args[k] = arg(a)
		}
		if n.Kind == rules.NoteGroup && len(args) > 0 {
			args[0] = lineNumbers(lang, n.Args[0])
		}
		out = fmt.Sprintf(words[i], args...)
	}
	if n.Category != "" {
		group := categoryWord(lang, n.Category)
		if n.WorkItem != "" {
			group += " / " + n.WorkItem
		}
		out = group + [2]string{"：", ": "}[i] + out
	}
	return out
}

// explanation is an allocation's explanation in the language: its notes,
// or its steps as recorded when it has none (approved before notes).
func explanation(lang string, a rules.Allocation) []string {
	if len(a.Notes) == 0 {
		return a.Steps
	}
	out := make([]string, 0, len(a.Notes))
	for _, n := range a.Notes {
		out = append(out, explainNote(lang, n))
	}
	return out
}

// lineNumbers writes budget line indexes ("#0 #1") as the numbers people
// count from 1 ("1、2" in Chinese, "1, 2" in English).
func lineNumbers(lang, refs string) string {
	var out []string
	for _, r := range strings.Fields(refs) {
		n, err := strconv.Atoi(strings.TrimPrefix(r, "#"))
		if err != nil {
			return refs
		}
		out = append(out, strconv.Itoa(n+1))
	}
	if lang == langEn {
		return strings.Join(out, ", ")
	}
	return strings.Join(out, "、")
}

// nameAccountRows labels the trial balance's account rows (at most
// MaxTrialRows) "code name", the name in the language.
func (s *Server) nameAccountRows(ctx context.Context, lang string, rows []tbRow) {
	l := s.prog.Ledger()
	for i := range rows {
		if a, err := l.Account(ctx, rows[i].Key); err == nil && a.Name != "" {
			rows[i].Label = rows[i].Key + " " + accountName(lang, a.Name)
		}
	}
}
