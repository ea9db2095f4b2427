package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/recon"
)

var reconDirection = map[string]string{recon.In: "收 in", recon.Out: "付 out"}

// ReconReport renders a bank account's reconciliation for a period: what
// is matched, the bank reconciliation statement (银行存款余额调节表), the
// reconciling statement lines and ledger postings, and the issues left for
// a person.
func ReconReport(r recon.Report, amt func(decimal.Decimal) string) []Table {
	head := fmt.Sprintf("%s %s", r.BankAccount, r.Name)
	if r.Bank != "" || r.Number != "" {
		head += fmt.Sprintf(" (%s %s)", r.Bank, r.Number)
	}
	summary := Table{
		Title: fmt.Sprintf("银行对账 Reconciliation %s, %s (%s..%s)", head, r.Period, r.From.Format(ledger.DateLayout), r.To.Format(ledger.DateLayout)),
		Columns: []Column{
			{Key: "item", Zh: "项目", En: "Item"}, {Key: "count", Zh: "笔数", En: "Count", Numeric: true},
			{Key: "matched", Zh: "已匹配", En: "Matched", Numeric: true}, {Key: "matched_amount", Zh: "已匹配金额", En: "Matched amount", Numeric: true},
			{Key: "unmatched", Zh: "未匹配", En: "Unmatched", Numeric: true},
		},
		Rows: [][]string{
			{"对账单 statement lines", strconv.Itoa(r.Lines), strconv.Itoa(r.MatchedLines), amt(r.MatchedLinesAmt), strconv.Itoa(r.Lines - r.MatchedLines)},
			{"账面 ledger postings", strconv.Itoa(r.Postings), strconv.Itoa(r.MatchedPosts), amt(r.MatchedPostsAmt), strconv.Itoa(r.Postings - r.MatchedPosts)},
		},
		Notes: []string{fmt.Sprintf("%d active matches with an item in the period", r.Matches)},
	}

	st := Table{
		Title:   fmt.Sprintf("银行存款余额调节表 Bank reconciliation statement, %s, as of %s", r.BankAccount, r.To.Format(ledger.DateLayout)),
		Columns: []Column{{Key: "item", Zh: "项目", En: "Item"}, {Key: "count", Zh: "笔数", En: "Items", Numeric: true}, {Key: "amount", Zh: "金额", En: "Amount", Numeric: true}},
		Rows: [][]string{
			{"企业银行存款日记账余额 Book balance", "", amt(r.BookBalance)},
			{"加：银行已收、企业未收 Add: received by the bank, not in the books", strconv.Itoa(r.BankIn.Count), amt(r.BankIn.Total)},
			{"减：银行已付、企业未付 Less: paid by the bank, not in the books", strconv.Itoa(r.BankOut.Count), amt(r.BankOut.Total)},
			{"调节后的存款余额 Adjusted book balance", "", amt(r.AdjustedBook)},
			{"银行对账单余额 Bank statement balance", "", amt(r.BankBalance)},
			{"加：企业已收、银行未收 Add: received in the books, not at the bank", strconv.Itoa(r.BookIn.Count), amt(r.BookIn.Total)},
			{"减：企业已付、银行未付 Less: paid in the books, not at the bank", strconv.Itoa(r.BookOut.Count), amt(r.BookOut.Total)},
			{"调节后的存款余额 Adjusted bank balance", "", amt(r.AdjustedBank)},
			{"差额 Difference", "", amt(r.Difference)},
		},
	}
	if r.Agrees() {
		st.Notes = append(st.Notes, "调节后余额相符 the adjusted balances agree")
	} else {
		st.Notes = append(st.Notes, fmt.Sprintf("调节后余额不符 the adjusted balances differ by %s: a statement line or a posting up to %s is missing "+
			"from one side (an unimported statement, an opening balance the books do not hold, or an error)", amt(r.Difference), r.To.Format(ledger.DateLayout)))
	}
	switch r.BankBalanceFrom {
	case "lines":
		st.Notes = append(st.Notes, "no statement line lists a running balance: the bank balance is the sum of every imported line, from zero")
	case "none":
		st.Notes = append(st.Notes, "no statement imported up to the period end: bank balance zero")
	}

	itemCols := func(first Column) []Column {
		return []Column{first, {Key: "date", Zh: "日期", En: "Date"}, {Key: "amount", Zh: "金额", En: "Amount", Numeric: true},
			{Key: "counterparty", Zh: "对方", En: "Counterparty"}, {Key: "reference", Zh: "凭证号", En: "Reference"},
			{Key: "memo", Zh: "摘要", En: "Memo"}, {Key: "kind", Zh: "未达类型", En: "Kind"}, {Key: "status", Zh: "状态", En: "Status"}}
	}
	status := func(it recon.ReportItem) string {
		if it.MatchID != 0 {
			return fmt.Sprintf("matched after the period end (match %d)", it.MatchID)
		}
		return "unmatched 未匹配"
	}
	lines := Table{Title: "未达账项：对账单 Reconciling statement lines (not in the books by " + r.To.Format(ledger.DateLayout) + ")",
		Columns: itemCols(Column{Key: "line", Zh: "对账单行", En: "Line", Numeric: true})}
	for _, side := range []struct {
		kind string
		rc   recon.Reconciling
	}{{"银行已收企业未收 bank received, not booked", r.BankIn}, {"银行已付企业未付 bank paid, not booked", r.BankOut}} {
		for _, it := range side.rc.Items {
			lines.Rows = append(lines.Rows, []string{strconv.FormatInt(it.LineID, 10), it.Date.Format(ledger.DateLayout), amt(it.Amount),
				it.Counterparty, it.Reference, it.Memo, side.kind, status(it)})
		}
		if side.rc.Truncated {
			lines.Notes = append(lines.Notes, fmt.Sprintf("%s: %d items, the first %d listed", side.kind, side.rc.Count, len(side.rc.Items)))
		}
	}
	posts := Table{Title: "未达账项：账面 Reconciling ledger postings (not at the bank by " + r.To.Format(ledger.DateLayout) + ")",
		Columns: itemCols(Column{Key: "posting", Zh: "分录/行", En: "Entry/line"})}
	for _, side := range []struct {
		kind string
		rc   recon.Reconciling
	}{{"企业已收银行未收 booked received, not at the bank", r.BookIn}, {"企业已付银行未付 booked paid, not at the bank", r.BookOut}} {
		for _, it := range side.rc.Items {
			posts.Rows = append(posts.Rows, []string{it.Posting.String(), it.Date.Format(ledger.DateLayout), amt(it.Amount),
				it.Counterparty, it.Reference, it.Memo, side.kind, status(it)})
		}
		if side.rc.Truncated {
			posts.Notes = append(posts.Notes, fmt.Sprintf("%s: %d items, the first %d listed", side.kind, side.rc.Count, len(side.rc.Items)))
		}
	}
	return []Table{summary, st, lines, posts, ReconIssues(r.Issues, r.IssueCount)}
}

// ReconIssues renders what matching left for a person.
func ReconIssues(issues []recon.Issue, count int) Table {
	t := Table{Title: "待人工处理 Left for a person", Columns: []Column{
		{Key: "kind", Zh: "类型", En: "Kind"}, {Key: "note", Zh: "说明", En: "Note"},
		{Key: "lines", Zh: "对账单行", En: "Lines"}, {Key: "postings", Zh: "分录/行", En: "Postings"},
	}}
	for _, is := range issues {
		ls := make([]string, len(is.Lines))
		for i, l := range is.Lines {
			ls[i] = strconv.FormatInt(l, 10)
		}
		ps := make([]string, len(is.Postings))
		for i, p := range is.Postings {
			ps[i] = p.String()
		}
		t.Rows = append(t.Rows, []string{is.Kind, is.Note, strings.Join(ls, " "), strings.Join(ps, " ")})
	}
	if count > len(issues) {
		t.Notes = append(t.Notes, fmt.Sprintf("%d issues, the first %d listed", count, len(issues)))
	}
	if count == 0 {
		t.Notes = append(t.Notes, "none")
	}
	return t
}

// ReconRun renders what a matching run did.
func ReconRun(r recon.RunResult, amt func(decimal.Decimal) string) []Table {
	title := fmt.Sprintf("对账匹配 Matching run %d, %s %s, window ±%d days", r.RunID, r.BankAccount, r.Period, r.WindowDays)
	if r.DryRun {
		title = fmt.Sprintf("对账匹配（试算）Matching dry run, %s %s, window ±%d days: nothing written", r.BankAccount, r.Period, r.WindowDays)
	}
	t := Table{Title: title, Columns: []Column{
		{Key: "pass", Zh: "轮次", En: "Pass"}, {Key: "matches", Zh: "匹配", En: "Matches", Numeric: true},
		{Key: "lines", Zh: "对账单行", En: "Lines", Numeric: true}, {Key: "postings", Zh: "账面分录", En: "Postings", Numeric: true},
		{Key: "amount", Zh: "金额", En: "Amount", Numeric: true},
	}}
	for _, p := range r.Passes {
		t.Rows = append(t.Rows, []string{recon.PassName(p.Pass), strconv.Itoa(p.Matches), strconv.Itoa(p.Lines), strconv.Itoa(p.Postings), amt(p.Amount)})
	}
	t.Notes = append(t.Notes, fmt.Sprintf("%d unmatched statement lines and %d unmatched postings looked at (the period ± its margin); %d matches made in %s",
		r.Lines, r.Postings, r.Matched, r.Elapsed))
	return []Table{t, ReconIssues(r.Issues, r.IssueCount)}
}

// ReconImport renders what an import stored.
func ReconImport(r recon.ImportResult) Table {
	bal := func(d decimal.NullDecimal) string {
		if !d.Valid {
			return ""
		}
		return Amount(d.Decimal)
	}
	t := Table{Title: fmt.Sprintf("对账单导入 Statement import %d, %s", r.ImportID, r.BankAccount), Columns: []Column{
		{Key: "field", Zh: "项目", En: "Field"}, {Key: "value", Zh: "值", En: "Value"}}}
	t.Rows = [][]string{
		{"file", r.File}, {"profile", r.Profile}, {"sha256", r.SHA256},
		{"lines", strconv.Itoa(r.Lines)}, {"added", strconv.Itoa(r.Added)}, {"duplicates", strconv.Itoa(r.Duplicates)},
		{"first date", dateOrEmpty(r.FirstDate)}, {"last date", dateOrEmpty(r.LastDate)},
		{"opening balance", bal(r.Opening)}, {"closing balance", bal(r.Closing)},
	}
	if r.AlreadyImported {
		t.Notes = append(t.Notes, fmt.Sprintf("this file was imported before (import %d, %s by %s): nothing added",
			r.ImportID, r.ImportedAt.Format("2006-01-02 15:04"), r.ImportedBy))
	}
	if r.Descending {
		t.Notes = append(t.Notes, "the file lists the newest line first; read in date order")
	}
	if len(r.Detected) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("profile %s recognised from the header (score %d)", r.Profile, r.Detected[0].Score))
	}
	if r.SkippedRows > 0 {
		kinds := map[string]int{}
		for _, s := range r.Skipped {
			kinds[s.Kind]++
		}
		var parts []string
		for _, k := range []string{"total", "page", "header", "notice", "empty"} {
			if kinds[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
			}
		}
		t.Notes = append(t.Notes, fmt.Sprintf("%d rows under the header are not lines and were skipped 已跳过 (%s)", r.SkippedRows, strings.Join(parts, ", ")))
	}
	if r.SameAsStoredCount > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d lines were already stored from a file of another layout 已从其他格式导入 (same date, direction, amount and balance): not added", r.SameAsStoredCount))
		for _, s := range r.SameAsStored {
			t.Notes = append(t.Notes, fmt.Sprintf("  row %d = line %d of import %d (%s)", s.Row, s.LineID, s.ImportID, s.File))
		}
	}
	for _, g := range r.Gaps {
		t.Notes = append(t.Notes, fmt.Sprintf("no statement covers %s..%s (%d days) 日期缺口", dateOrEmpty(g.From), dateOrEmpty(g.To), g.Days))
	}
	for _, b := range r.Breaks {
		t.Notes = append(t.Notes, "余额不连续 accepted break: "+b.String())
	}
	if r.BreakReason != "" {
		t.Notes = append(t.Notes, "reason recorded 接受理由: "+r.BreakReason)
	}
	return t
}

func dateOrEmpty(t interface {
	IsZero() bool
	Format(string) string
}) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(ledger.DateLayout)
}
