package funding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Grants are commitments with conditions (DOMAIN.md, the money's path, 4):
// elevator retrofit grants (elevator.go), 以奖代补 awards for utility
// facilities and property-management rewards (award.go), and the
// evaluation-driven allocation of a year's pool over districts
// (evaluation.go). They keep their own accounts, apart from the project
// accounts of accounts.go, so that the project and district reports of
// budgets keep meaning what they say. The layout, K the kind of grant
// (elevator, award, contribution, reward, pool), REF what it is for
// (district:project:application, district:project:facility, …), S the
// source:
//
//	budget book (预算会计)
//	  budget:grant:committed:K:REF:S   budget_revenue — granted (下达), conditions pending
//	  budget:grant:receivable:K:REF:S  budget_asset, no overdraft — granted, not yet paid
//	  budget:grant:paid:K:REF:S        budget_expense — paid once the condition was met
//	financial book (财务会计)
//	  grant:cash:K:REF:S               asset, no overdraft — the source's money passing through
//	  grant:revenue:K:REF:S            revenue — what the source paid for the grant
//	  grant:expense:K:REF:S            expense — the grant paid to its beneficiary
//	  grant:receivable:residents:D:P:APP  asset — residents' share of an elevator due
//	  grant:revenue:residents:D:P:APP     revenue — residents' share of an elevator
//	  grant:cash:residents:D:P:APP        asset, no overdraft — household contributions received
//
// A grant is committed when approved (Dr receivable, Cr committed), its
// re-computation posts the difference, and its payment is refused until
// the condition (acceptance 竣工验收, ownership transfer) is recorded:
// budget Dr paid / Cr receivable, financial Dr cash / Cr revenue and Dr
// expense / Cr cash in one entry.

// Errors of the grant functions.
var (
	// ErrConsent: the owners' consent misses a threshold of the rule set.
	ErrConsent = errors.New("owners' consent below the rule set's thresholds")
	// ErrConditionNotMet: a grant's condition (acceptance, ownership
	// transfer, completion) is not recorded yet.
	ErrConditionNotMet = errors.New("grant condition not met")
)

// Grant kinds: the K segment of the grant accounts.
const (
	GrantElevator     = "elevator"
	GrantAward        = "award"        // 以奖代补 to a utility for a facility it does not own
	GrantContribution = "contribution" // a utility's own contribution for its facility
	GrantReward       = "reward"       // property-management reward
	GrantPool         = "pool"         // a district's part of a year's pool
)

// grantAccounts names the accounts of one grant (kind and reference).
type grantAccounts struct {
	kind string
	ref  []string // reference segments (district first)
}

func (g grantAccounts) code(role string, src string) string {
	parts := append([]string{role, g.kind}, g.ref...)
	if src != "" {
		parts = append(parts, src)
	}
	return strings.Join(parts, ":")
}

func (g grantAccounts) committed(src string) string  { return g.code("budget:grant:committed", src) }
func (g grantAccounts) receivable(src string) string { return g.code("budget:grant:receivable", src) }
func (g grantAccounts) paid(src string) string       { return g.code("budget:grant:paid", src) }
func (g grantAccounts) cash(src string) string       { return g.code("grant:cash", src) }
func (g grantAccounts) revenue(src string) string    { return g.code("grant:revenue", src) }
func (g grantAccounts) expense(src string) string    { return g.code("grant:expense", src) }

// residents' share accounts of an elevator application.
func residentsReceivable(d, p, app string) string {
	return "grant:receivable:residents:" + d + ":" + p + ":" + app
}
func residentsRevenue(d, p, app string) string {
	return "grant:revenue:residents:" + d + ":" + p + ":" + app
}
func residentsCash(d, p, app string) string { return "grant:cash:residents:" + d + ":" + p + ":" + app }

// ensureGrantAccounts creates the accounts of a grant for the sources given
// (idempotent).
func (p *Programme) ensureGrantAccounts(ctx context.Context, g grantAccounts, dims ledger.Dimensions, label string, sources []string) error {
	var accts []ledger.Account
	for _, src := range sources {
		d := dims
		d.Source = src
		name := label + " " + sourceLabel(src)
		accts = append(accts,
			ledger.Account{Code: g.committed(src), Name: name + " 下达 granted", Type: ledger.BudgetRevenue, Dimensions: d},
			ledger.Account{Code: g.receivable(src), Name: name + " 待拨付 granted, not paid", Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: d},
			ledger.Account{Code: g.paid(src), Name: name + " 已拨付 paid", Type: ledger.BudgetExpense, Dimensions: d},
			ledger.Account{Code: g.cash(src), Name: name + " 资金 money passing through", Type: ledger.Asset, NoOverdraft: true, Dimensions: d},
			ledger.Account{Code: g.revenue(src), Name: name + " 到位 received", Type: ledger.Revenue, Dimensions: d},
			ledger.Account{Code: g.expense(src), Name: name + " 支出 paid out", Type: ledger.Expense, Dimensions: d})
	}
	key := "grant\x00" + g.code("", strings.Join(sources, ","))
	if _, done := p.ensured.Load(key); done {
		return nil
	}
	if err := p.ledger.CreateAccounts(ctx, accts, "fundledger"); err != nil {
		return fmt.Errorf("grant accounts %s: %w", g.code("", ""), err)
	}
	p.ensured.Store(key, struct{}{})
	return nil
}

// commitmentEntry is the budget entry moving each source's grant from
// previous to now: Dr receivable / Cr committed for an increase, the
// reverse for a decrease. Nil when nothing changed.
func commitmentEntry(g grantAccounts, previous, now []rules.SourceAmount, on time.Time, key, memo, actor string, meta map[string]string) *ledger.Entry {
	e := &ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, IdempotencyKey: key, Memo: memo, Actor: actor, Metadata: meta}
	for _, d := range sourceDeltas(previous, now) {
		diff := d.Now.Sub(d.Previous)
		switch {
		case diff.IsPositive():
			e.Postings = append(e.Postings,
				ledger.Posting{AccountCode: g.receivable(d.Source), Side: ledger.Debit, Amount: diff},
				ledger.Posting{AccountCode: g.committed(d.Source), Side: ledger.Credit, Amount: diff})
		case diff.IsNegative():
			e.Postings = append(e.Postings,
				ledger.Posting{AccountCode: g.committed(d.Source), Side: ledger.Debit, Amount: diff.Neg()},
				ledger.Posting{AccountCode: g.receivable(d.Source), Side: ledger.Credit, Amount: diff.Neg()})
		}
	}
	if len(e.Postings) == 0 {
		return nil
	}
	return e
}

// paymentEntries pay each source's amount: budget Dr paid / Cr receivable;
// financial Dr cash / Cr revenue, Dr expense / Cr cash. Nil when nothing to pay.
func paymentEntries(g grantAccounts, amounts []rules.SourceAmount, on time.Time, key, memo, actor string, meta map[string]string) []ledger.Entry {
	b := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, IdempotencyKey: key + "/budget", Memo: memo, Actor: actor, Metadata: meta}
	f := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, IdempotencyKey: key + "/financial", Memo: memo, Actor: actor, Metadata: meta}
	for _, s := range amounts {
		if !s.Amount.IsPositive() {
			continue
		}
		b.Postings = append(b.Postings,
			ledger.Posting{AccountCode: g.paid(s.Source), Side: ledger.Debit, Amount: s.Amount},
			ledger.Posting{AccountCode: g.receivable(s.Source), Side: ledger.Credit, Amount: s.Amount})
		f.Postings = append(f.Postings,
			ledger.Posting{AccountCode: g.cash(s.Source), Side: ledger.Debit, Amount: s.Amount},
			ledger.Posting{AccountCode: g.revenue(s.Source), Side: ledger.Credit, Amount: s.Amount},
			ledger.Posting{AccountCode: g.expense(s.Source), Side: ledger.Debit, Amount: s.Amount},
			ledger.Posting{AccountCode: g.cash(s.Source), Side: ledger.Credit, Amount: s.Amount})
	}
	if len(b.Postings) == 0 {
		return nil
	}
	return []ledger.Entry{b, f}
}

// sourceDeltas lists, in canonical source order, every source whose amount
// is not zero before or after.
func sourceDeltas(previous, now []rules.SourceAmount) []SourceDelta {
	old, cur := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, s := range previous {
		old[s.Source] = old[s.Source].Add(s.Amount)
	}
	for _, s := range now {
		cur[s.Source] = cur[s.Source].Add(s.Amount)
	}
	var out []SourceDelta
	for _, s := range rules.Sources() {
		o, n := old[s.Code], cur[s.Code]
		if o.IsZero() && n.IsZero() {
			continue
		}
		out = append(out, SourceDelta{Source: s.Code, Previous: o, Now: n})
	}
	return out
}

func sourcesOf(lists ...[]rules.SourceAmount) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			out = appendOnce(out, s.Source)
		}
	}
	return out
}

func sumAmounts(l []rules.SourceAmount) decimal.Decimal {
	t := decimal.Zero
	for _, s := range l {
		t = t.Add(s.Amount)
	}
	return t
}

// ruleSetFor returns the rule set in force for a district on a date, and
// refuses one without the section needed (has reports whether it is there).
func (p *Programme) ruleSetFor(ctx context.Context, districtZh string, on time.Time, section string, has func(*rules.RuleSet) bool) (storedRuleSet, error) {
	stored, err := applicableRuleSet(ctx, p.db, districtZh, on)
	if err != nil {
		return stored, err
	}
	if !has(stored.set) {
		return stored, fmt.Errorf("%w: rule set %s %s (id %d) in force for %s on %s has no %s: section",
			ErrNoRuleSet, stored.set.Name, stored.set.Version, stored.id, districtZh, on.Format(ledger.DateLayout), section)
	}
	return stored, nil
}

func checkMoneyInput(what string, d decimal.Decimal, mayBeZero bool) error {
	if mayBeZero && d.IsZero() {
		return nil
	}
	if err := ledger.CheckAmount(d); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, what, err)
	}
	return nil
}
