package report

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Amount formats a yuan amount with two decimals and thousands separators
// for tables; CSV and JSON get plain two-decimal numbers via Plain.
func Amount(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var out []byte
	for i := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, intPart[i])
	}
	if neg {
		return "-" + string(out) + frac
	}
	return string(out) + frac
}

// Plain formats an amount with two decimals, no separators.
func Plain(d decimal.Decimal) string { return d.StringFixed(2) }

var bookNames = map[ledger.Book]string{ledger.BookFinancial: "财务会计 financial", ledger.BookBudget: "预算会计 budget"}

// TrialBalance turns a trial balance into a table: one row per account with
// its balance on the debit or credit side, a totals row, and a note saying
// whether the totals agree. fmtAmount is Amount for text tables, Plain for
// CSV and JSON.
func TrialBalance(tb ledger.TrialBalance, fmtAmount func(decimal.Decimal) string) Table {
	asOf := "all dates"
	if !tb.AsOf.IsZero() {
		asOf = tb.AsOf.Format(ledger.DateLayout)
	}
	t := Table{
		Title: fmt.Sprintf("试算平衡表 Trial balance — %s book, as of %s", bookNames[tb.Book], asOf),
		Columns: []Column{
			{Key: "account", Zh: "科目", En: "Account"},
			{Key: "name", Zh: "名称", En: "Name", Bilingual: true},
			{Key: "type", Zh: "类型", En: "Type", Coded: true},
			{Key: "debit", Zh: "借方余额", En: "Debit", Numeric: true},
			{Key: "credit", Zh: "贷方余额", En: "Credit", Numeric: true},
		},
	}
	for _, l := range tb.Lines {
		t.Rows = append(t.Rows, []string{l.Account.Code, l.Account.Name, string(l.Account.Type), fmtAmount(l.Debit), fmtAmount(l.Credit)})
	}
	t.Rows = append(t.Rows, []string{"合计 Total", "", "", fmtAmount(tb.TotalDebit), fmtAmount(tb.TotalCredit)})
	if tb.TotalDebit.Equal(tb.TotalCredit) {
		t.Notes = append(t.Notes, "借贷平衡 Debits equal credits.")
	} else {
		t.Notes = append(t.Notes, fmt.Sprintf("借贷不平 OUT OF BALANCE by %s", tb.TotalDebit.Sub(tb.TotalCredit).StringFixed(2)))
	}
	return t
}

// Journal turns entries into the journal (日记账): one row per posting, each
// with its entry's voucher number (凭证号), entry id, date, book and memo.
// With compact (text tables) the entry's columns are printed on its first
// posting only. fmtAmount is Amount for text tables, Plain for CSV and JSON.
func Journal(es []ledger.Entry, fmtAmount func(decimal.Decimal) string, compact bool) Table {
	t := Table{Title: "日记账 Journal", Columns: []Column{
		{Key: "voucher", Zh: "凭证号", En: "Voucher"},
		{Key: "entry", Zh: "分录", En: "Entry", Numeric: true}, {Key: "date", Zh: "日期", En: "Date"}, {Key: "book", Zh: "账套", En: "Book", Coded: true},
		{Key: "memo", Zh: "摘要", En: "Memo"}, {Key: "account", Zh: "科目", En: "Account"},
		{Key: "debit", Zh: "借方", En: "Debit", Numeric: true}, {Key: "credit", Zh: "贷方", En: "Credit", Numeric: true},
		{Key: "actor", Zh: "经办人", En: "Actor"}, {Key: "key", Zh: "幂等键", En: "Key"},
	}}
	for _, e := range es {
		for i, p := range e.Postings {
			dr, cr := fmtAmount(p.Amount), ""
			if p.Side == ledger.Credit {
				dr, cr = "", fmtAmount(p.Amount)
			}
			head := []string{e.Voucher, strconv.FormatInt(e.ID, 10), e.EffectiveDate.Format(ledger.DateLayout), string(e.Book), e.Memo}
			tail := []string{e.Actor, e.IdempotencyKey}
			if i > 0 && compact {
				head, tail = []string{"", "", "", "", ""}, []string{"", ""}
			}
			t.Rows = append(t.Rows, append(append(head, p.AccountCode, dr, cr), tail...))
		}
	}
	return t
}

// Register turns an account's register (明细账) into a table: its postings
// in date order, each with the voucher number and id of its entry, and the
// running balance.
func Register(code string, lines []ledger.RegisterLine, fmtAmount func(decimal.Decimal) string) Table {
	t := Table{Title: "明细账 Register — " + code, Columns: []Column{
		{Key: "date", Zh: "日期", En: "Date"}, {Key: "voucher", Zh: "凭证号", En: "Voucher"}, {Key: "entry", Zh: "分录", En: "Entry", Numeric: true},
		{Key: "memo", Zh: "摘要", En: "Memo"}, {Key: "debit", Zh: "借方", En: "Debit", Numeric: true},
		{Key: "credit", Zh: "贷方", En: "Credit", Numeric: true}, {Key: "balance", Zh: "余额", En: "Balance", Numeric: true},
		{Key: "actor", Zh: "经办人", En: "Actor"},
	}}
	for _, r := range lines {
		dr, cr := fmtAmount(r.Amount), ""
		if r.Side == ledger.Credit {
			dr, cr = "", fmtAmount(r.Amount)
		}
		t.Rows = append(t.Rows, []string{r.EffectiveDate.Format(ledger.DateLayout), r.Voucher, strconv.FormatInt(r.EntryID, 10), r.Memo,
			dr, cr, fmtAmount(r.Balance), r.Actor})
	}
	return t
}
