// Package demo builds the deterministic sample books that `fundledger demo`
// and `make demo` show: one old-community project of 环翠区 with its chart of
// accounts, funds committed and received from several sources, and payments
// to the contractor. Every entry has a fixed idempotency key, so running the
// demo twice changes nothing.
package demo

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Project is the sample project's code.
const Project = "WH-HC-2020-001"

const actor = "demo"

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

type acct struct {
	code, name  string
	typ         ledger.AccountType
	noOverdraft bool
	source      string
	category    string
}

// The sample chart: earmarked cash per source (no overdraft), receivables and
// appropriations in the budget book, grant revenue, works expense.
var chart = []acct{
	{"cash:huancui:" + Project + ":central", "中央补助资金 central subsidy cash", ledger.Asset, true, "central", ""},
	{"cash:huancui:" + Project + ":provincial", "省级补助资金 provincial subsidy cash", ledger.Asset, true, "provincial", ""},
	{"cash:huancui:" + Project + ":district", "区级财政资金 district budget cash", ledger.Asset, true, "district", ""},
	{"cash:huancui:" + Project + ":resident:maintenance_fund", "住宅专项维修资金 maintenance fund cash", ledger.Asset, true, "resident:maintenance_fund", ""},
	{"revenue:subsidy:" + Project + ":central", "中央补助收入 central subsidy revenue", ledger.Revenue, false, "central", ""},
	{"revenue:subsidy:" + Project + ":provincial", "省级补助收入 provincial subsidy revenue", ledger.Revenue, false, "provincial", ""},
	{"revenue:subsidy:" + Project + ":district", "区级财政拨款收入 district appropriation", ledger.Revenue, false, "district", ""},
	{"revenue:contribution:" + Project + ":resident:maintenance_fund", "维修资金出资 maintenance fund contribution", ledger.Revenue, false, "resident:maintenance_fund", ""},
	{"expense:works:" + Project + ":basic", "基础类改造支出 basic works", ledger.Expense, false, "", "basic"},
	{"expense:works:" + Project + ":improvement", "完善类改造支出 improvement works", ledger.Expense, false, "", "improvement"},
	{"budget:receivable:" + Project + ":central", "应收中央补助 committed central", ledger.BudgetAsset, false, "central", ""},
	{"budget:receivable:" + Project + ":provincial", "应收省级补助 committed provincial", ledger.BudgetAsset, false, "provincial", ""},
	{"budget:receivable:" + Project + ":district", "应收区级资金 committed district", ledger.BudgetAsset, false, "district", ""},
	{"budget:appropriation:" + Project, "资金下达 appropriations", ledger.BudgetRevenue, false, "", ""},
}

type line struct {
	acct   string
	side   ledger.Side
	amount string
}

type entry struct {
	key, date, memo string
	book            ledger.Book
	lines           []line
}

var (
	cash = func(src string) string { return "cash:huancui:" + Project + ":" + src }
	rev  = func(src string) string { return "revenue:subsidy:" + Project + ":" + src }
	recv = func(src string) string { return "budget:receivable:" + Project + ":" + src }
	appr = "budget:appropriation:" + Project
)

// The sample's money: a 2,000,000.00 approved cost committed 50% central,
// 20% provincial, 30% district (budget book); receipts in instalments and
// two payments (financial book).
var entries = []entry{
	{"demo:commit", "2020-07-01", "资金下达 commitments per source", ledger.BookBudget, []line{
		{recv("central"), ledger.Debit, "1000000.00"},
		{recv("provincial"), ledger.Debit, "400000.00"},
		{recv("district"), ledger.Debit, "600000.00"},
		{appr, ledger.Credit, "2000000.00"},
	}},
	{"demo:receipt:central:1", "2020-07-15", "中央补助到位 central subsidy, first instalment", ledger.BookFinancial, []line{
		{cash("central"), ledger.Debit, "600000.00"}, {rev("central"), ledger.Credit, "600000.00"}}},
	{"demo:receipt:district:1", "2020-07-20", "区级资金到位 district budget", ledger.BookFinancial, []line{
		{cash("district"), ledger.Debit, "600000.00"}, {rev("district"), ledger.Credit, "600000.00"}}},
	{"demo:receipt:maintenance", "2020-08-01", "维修资金 housing maintenance fund", ledger.BookFinancial, []line{
		{cash("resident:maintenance_fund"), ledger.Debit, "85000.00"},
		{"revenue:contribution:" + Project + ":resident:maintenance_fund", ledger.Credit, "85000.00"}}},
	{"demo:pay:1", "2020-09-10", "拨付 first payment to contractor (basic works)", ledger.BookFinancial, []line{
		{"expense:works:" + Project + ":basic", ledger.Debit, "750000.00"},
		{cash("central"), ledger.Credit, "450000.00"},
		{cash("district"), ledger.Credit, "300000.00"}}},
	{"demo:receipt:provincial:1", "2020-10-08", "省级补助到位 provincial subsidy", ledger.BookFinancial, []line{
		{cash("provincial"), ledger.Debit, "400000.00"}, {rev("provincial"), ledger.Credit, "400000.00"}}},
	{"demo:pay:2", "2020-11-20", "拨付 payment for improvement works", ledger.BookFinancial, []line{
		{"expense:works:" + Project + ":improvement", ledger.Debit, "335000.00"},
		{cash("provincial"), ledger.Credit, "250000.00"},
		{cash("resident:maintenance_fund"), ledger.Credit, "85000.00"}}},
}

// Result says what the demo wrote.
type Result struct {
	Accounts, Posted, Replayed int
}

// Run creates the sample chart and posts the sample entries in one batch.
func Run(ctx context.Context, l *ledger.Ledger) (Result, error) {
	var res Result
	for _, a := range chart {
		if _, err := l.CreateAccount(ctx, ledger.Account{
			Code: a.code, Name: a.name, Type: a.typ, NoOverdraft: a.noOverdraft,
			Dimensions: ledger.Dimensions{District: "环翠区", Project: Project, Source: a.source, Category: a.category},
		}, actor); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Accounts++
	}
	batch := make([]ledger.Entry, 0, len(entries))
	for _, e := range entries {
		date, err := ledger.ParseDate(e.date)
		if err != nil {
			return res, err
		}
		le := ledger.Entry{Book: e.book, EffectiveDate: date, Memo: e.memo, Actor: actor, IdempotencyKey: e.key,
			Metadata: map[string]string{"project": Project, "district": "环翠区"}}
		for _, ln := range e.lines {
			le.Postings = append(le.Postings, ledger.Posting{AccountCode: ln.acct, Side: ln.side, Amount: d(ln.amount)})
		}
		batch = append(batch, le)
	}
	out, err := l.PostBatch(ctx, batch)
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	for _, e := range out {
		if e.Replayed {
			res.Replayed++
		} else {
			res.Posted++
		}
	}
	if _, err := l.Seal(ctx); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}
