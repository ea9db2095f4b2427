package funding

import (
	"context"
	"fmt"
	"strings"

	"fundledger/ledger"
	"fundledger/rules"
)

// The chart of accounts a project gets, per funding source S and retrofit
// category C (district and project are in every code):
//
//	financial book (财务会计)
//	  cash:D:P:S           asset, no overdraft — earmarked money of S for P (专款专用)
//	  revenue:D:P:S        revenue — what S has paid in
//	  expense:D:P:C:S      expense — works of category C paid from S
//	budget book (预算会计)
//	  budget:committed:D:P:S   budget_revenue — what S is committed to pay (资金下达)
//	  budget:receivable:D:P:S  budget_asset, no overdraft — committed, not yet received
//	  budget:available:D:P:S   budget_asset, no overdraft — received, not yet spent
//	  budget:spent:D:P:C:S     budget_expense — spent on category C
//
// A receipt can never exceed what is still committed, and a payment never
// exceeds what has arrived: both are no-overdraft accounts in the database.
type projectAccounts struct {
	district, project string
}

func (a projectAccounts) cash(src string) string {
	return "cash:" + a.district + ":" + a.project + ":" + src
}
func (a projectAccounts) revenue(src string) string {
	return "revenue:" + a.district + ":" + a.project + ":" + src
}
func (a projectAccounts) expense(cat, src string) string {
	return "expense:" + a.district + ":" + a.project + ":" + cat + ":" + src
}
func (a projectAccounts) committed(src string) string {
	return "budget:committed:" + a.district + ":" + a.project + ":" + src
}
func (a projectAccounts) receivable(src string) string {
	return "budget:receivable:" + a.district + ":" + a.project + ":" + src
}
func (a projectAccounts) available(src string) string {
	return "budget:available:" + a.district + ":" + a.project + ":" + src
}
func (a projectAccounts) spent(cat, src string) string {
	return "budget:spent:" + a.district + ":" + a.project + ":" + cat + ":" + src
}

func accountsOf(p Project) projectAccounts {
	return projectAccounts{district: p.District, project: p.Code}
}

func sourceLabel(src string) string {
	if s, ok := rules.LookupSource(src); ok {
		return s.NameZH
	}
	return src
}

func categoryLabel(cat string) string {
	if c, ok := rules.LookupCategory(cat); ok {
		return c.NameZH
	}
	return cat
}

// ensureSourceAccounts creates the per-source accounts of a project (and
// the per-category ones for the categories given). Creating is idempotent.
func (p *Programme) ensureSourceAccounts(ctx context.Context, pr Project, src string, categories ...string) error {
	key := sourceKey(pr, src, categories)
	if _, done := p.ensured.Load(key); done {
		return nil
	}
	if err := p.ledger.CreateAccounts(ctx, sourceAccounts(pr, src, categories), "fundledger"); err != nil {
		return fmt.Errorf("accounts of project %s: %w", pr.Code, err)
	}
	p.noteSourceAccounts(pr, src, categories)
	return nil
}

// sourceAccounts are the per-source accounts of a project and the
// per-category ones for the categories given.
func sourceAccounts(pr Project, src string, categories []string) []ledger.Account {
	a := accountsOf(pr)
	dims := ledger.Dimensions{District: pr.District, Project: pr.Code, Source: src}
	label := sourceLabel(src)
	accts := []ledger.Account{
		{Code: a.cash(src), Name: label + "专户资金 earmarked cash", Type: ledger.Asset, NoOverdraft: true, Dimensions: dims},
		{Code: a.revenue(src), Name: label + "到位收入 received", Type: ledger.Revenue, Dimensions: dims},
		{Code: a.committed(src), Name: label + "资金下达 committed", Type: ledger.BudgetRevenue, Dimensions: dims},
		{Code: a.receivable(src), Name: label + "待到位 committed, not received", Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: dims},
		{Code: a.available(src), Name: label + "可用 received, not spent", Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: dims},
	}
	for _, cat := range categories {
		cd := dims
		cd.Category = cat
		accts = append(accts,
			ledger.Account{Code: a.expense(cat, src), Name: categoryLabel(cat) + "支出 works paid from " + label, Type: ledger.Expense, Dimensions: cd},
			ledger.Account{Code: a.spent(cat, src), Name: categoryLabel(cat) + "预算支出 spent from " + label, Type: ledger.BudgetExpense, Dimensions: cd})
	}
	return accts
}

func sourceKey(pr Project, src string, categories []string) string {
	return pr.Code + "\x00" + src + "\x00" + strings.Join(categories, ",")
}

// noteSourceAccounts remembers that a project's accounts of a source exist
// with these categories, each of them alone too (a payment asks for one).
func (p *Programme) noteSourceAccounts(pr Project, src string, categories []string) {
	p.ensured.Store(sourceKey(pr, src, categories), struct{}{})
	p.ensured.Store(sourceKey(pr, src, nil), struct{}{})
	for _, c := range categories {
		p.ensured.Store(sourceKey(pr, src, []string{c}), struct{}{})
	}
}

// createAccounts creates accounts (idempotently) in as few statements as
// the ledger allows.
func (p *Programme) createAccounts(ctx context.Context, accts []ledger.Account) error {
	for lo := 0; lo < len(accts); lo += ledger.MaxPage {
		if err := p.ledger.CreateAccounts(ctx, accts[lo:min(lo+ledger.MaxPage, len(accts))], "fundledger"); err != nil {
			return err
		}
	}
	return nil
}
