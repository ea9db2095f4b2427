package funding

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// The read models behind the finance officers' statements: budget vs
// actual per project, source and category, and the earmark compliance
// check of every disbursement.

// BudgetActual is one line of budget vs actual: a project, optionally one
// source or category of it, or a district's sum. Approved is the approved
// budget (each category's budget line on the date, after adjustments);
// for a source, Approved is that source's share of the newest approval on
// or before the date (budget_shares), which adjustments do not change.
type BudgetActual struct {
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	Project      string          `json:"project,omitempty"`
	ProjectName  string          `json:"project_name,omitempty"`
	Source       string          `json:"source,omitempty"`
	Category     string          `json:"category,omitempty"`
	Approved     decimal.Decimal `json:"approved"`
	SourcePosition
}

// BudgetVsActual is the programme's approved budgets against what was
// committed, received, disbursed and is available, as of a date.
type BudgetVsActual struct {
	AsOf     time.Time `json:"as_of,omitzero"`
	District string    `json:"district,omitempty"`
	// Projects: one line per project (all sources).
	Projects []BudgetActual `json:"projects"`
	// ProjectSources: one line per project and source.
	ProjectSources []BudgetActual `json:"project_sources"`
	// Districts: one line per district (all projects).
	Districts []BudgetActual `json:"districts"`
	// Categories: one line per district and category: the approved budget
	// lines, the committed shares of that category and what was paid for it
	// (received and available are kept per source, not per category).
	Categories []BudgetActual `json:"categories"`
}

// BudgetVsActual computes budget vs actual per project, source, district
// and category as of a date (zero: everything) for one district (code or
// name, "" all).
func (p *Programme) BudgetVsActual(ctx context.Context, district string, asOf time.Time) (BudgetVsActual, error) {
	rep := BudgetVsActual{AsOf: asOf}
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return rep, err
	}
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return rep, err
		}
		ds, rep.District = []District{d}, d.Code
	}
	projects, err := p.Projects(ctx, ProjectFilter{District: rep.District})
	if err != nil {
		return rep, err
	}
	type key = posKey
	pos, paid, err := p.positions(ctx, ledger.Dimensions{District: rep.District}, nil, ledger.ByProject, asOf)
	if err != nil {
		return rep, fmt.Errorf("budget vs actual: %w", err)
	}
	var lines []struct {
		Project  string          `db:"project"`
		Category string          `db:"category"`
		Source   string          `db:"source"`
		Amount   decimal.Decimal `db:"amount"`
	}
	// Approved budget lines (source '') and committed shares per source, of
	// each project's newest approval on or before the date.
	if err := p.db.SelectContext(ctx, &lines, `
		WITH latest AS (
			SELECT DISTINCT ON (a.project) a.id, a.project FROM budget_approvals a JOIN projects pr ON pr.code = a.project
			 WHERE ($1::date IS NULL OR a.approved_on <= $1::date) AND ($2 = '' OR pr.district = $2)
			 ORDER BY a.project, a.version DESC)
		, cur AS (
			SELECT DISTINCT ON (c.project, c.category) c.project, c.category, c.budget FROM budget_line_changes c
			  JOIN projects pr ON pr.code = c.project
			 WHERE c.source = '' AND ($1::date IS NULL OR c.effective_on <= $1::date) AND ($2 = '' OR pr.district = $2)
			 ORDER BY c.project, c.category, c.id DESC)
		SELECT project, category, '' AS source, budget AS amount FROM cur
		UNION ALL
		SELECT a.project, s.category, s.source, sum(s.amount)
		  FROM latest a JOIN budget_shares s ON s.approval_id = a.id GROUP BY 1, 2, 3`, ledger.SQLDate(asOf), rep.District); err != nil {
		return rep, fmt.Errorf("budget vs actual: budgets: %w", err)
	}
	approved := map[key]decimal.Decimal{}    // project, source ("" = all)
	catApproved := map[key]decimal.Decimal{} // project, category
	catShares := map[key]decimal.Decimal{}   // project, category
	for _, l := range lines {
		if l.Source == "" {
			approved[key{l.Project, ""}] = approved[key{l.Project, ""}].Add(l.Amount)
			catApproved[key{l.Project, l.Category}] = catApproved[key{l.Project, l.Category}].Add(l.Amount)
		} else {
			approved[key{l.Project, l.Source}] = approved[key{l.Project, l.Source}].Add(l.Amount)
			catShares[key{l.Project, l.Category}] = catShares[key{l.Project, l.Category}].Add(l.Amount)
		}
	}
	names := map[string]string{}
	for _, d := range ds {
		names[d.Code] = d.NameZh
	}
	byDistrict := map[string]*BudgetActual{}
	byCat := map[key]*BudgetActual{} // district, category
	for _, pr := range projects {
		if _, ok := names[pr.District]; !ok {
			continue
		}
		line := BudgetActual{District: pr.District, DistrictName: names[pr.District], Project: pr.Code, ProjectName: pr.Name,
			Approved: approved[key{pr.Code, ""}]}
		seen := false
		for _, s := range rules.Sources() {
			k := key{pr.Code, s.Code}
			sp, ok := pos[k]
			if !ok && approved[k].IsZero() {
				continue
			}
			if !ok {
				sp = &SourcePosition{Source: s.Code, SourceName: s.NameZH}
			}
			rep.ProjectSources = append(rep.ProjectSources, BudgetActual{District: pr.District, DistrictName: names[pr.District],
				Project: pr.Code, ProjectName: pr.Name, Source: s.Code, Approved: approved[k], SourcePosition: *sp})
			line.sum(*sp)
			seen = true
		}
		if !seen && line.Approved.IsZero() {
			continue
		}
		rep.Projects = append(rep.Projects, line)
		dl := byDistrict[pr.District]
		if dl == nil {
			dl = &BudgetActual{District: pr.District, DistrictName: names[pr.District]}
			byDistrict[pr.District] = dl
		}
		dl.Approved = dl.Approved.Add(line.Approved)
		dl.sum(line.SourcePosition)
		for _, c := range rules.Categories() {
			k := key{pr.Code, c.Code}
			if catApproved[k].IsZero() && catShares[k].IsZero() && paid[k].IsZero() {
				continue
			}
			ck := key{pr.District, c.Code}
			cl := byCat[ck]
			if cl == nil {
				cl = &BudgetActual{District: pr.District, DistrictName: names[pr.District], Category: c.Code}
				byCat[ck] = cl
			}
			cl.Approved = cl.Approved.Add(catApproved[k])
			cl.Committed = cl.Committed.Add(catShares[k])
			cl.Disbursed = cl.Disbursed.Add(paid[k])
		}
	}
	for _, d := range ds {
		if dl := byDistrict[d.Code]; dl != nil {
			rep.Districts = append(rep.Districts, *dl)
		}
		for _, c := range rules.Categories() {
			if cl := byCat[key{d.Code, c.Code}]; cl != nil {
				rep.Categories = append(rep.Categories, *cl)
			}
		}
	}
	return rep, nil
}

// EarmarkCheck is one disbursement as the compliance check saw it.
type EarmarkCheck struct {
	EntryID      int64           `json:"entry_id"`
	Date         time.Time       `json:"date"`
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	Project      string          `json:"project"`
	Source       string          `json:"source"`
	Category     string          `json:"category"`
	WorkItem     string          `json:"work_item,omitempty"`
	RuleSetID    int64           `json:"rule_set_id"`
	Amount       decimal.Decimal `json:"amount"`
	CashAccount  string          `json:"cash_account"`
	// CashAfter is the source's earmarked cash at the end of the payment's
	// day; it must not be below zero.
	CashAfter decimal.Decimal `json:"cash_after"`
	Problems  []string        `json:"problems,omitempty"`
}

// EarmarkGroup sums the checked disbursements of one district and source.
type EarmarkGroup struct {
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	Source       string          `json:"source"`
	Checked      int             `json:"checked"`
	Amount       decimal.Decimal `json:"amount"`
	Exceptions   int             `json:"exceptions"`
}

// EarmarkCompliance is the result of checking every disbursement (专款专用):
// that its rule set lets its source pay its category (and work item), that
// it was paid out of that source's earmarked cash of the project, and that
// the cash was not below zero at the end of its day.
type EarmarkCompliance struct {
	AsOf       time.Time       `json:"as_of,omitzero"`
	District   string          `json:"district,omitempty"`
	Checked    int             `json:"checked"`
	Amount     decimal.Decimal `json:"amount"`
	Groups     []EarmarkGroup  `json:"groups"`
	Exceptions []EarmarkCheck  `json:"exceptions"`
}

const earmarkPage = 5000

// EarmarkCompliance checks every disbursement entry of the financial book
// dated on or before asOf (zero: all) in one district (code or name, ""
// all). Reversed disbursements are checked as well: they were paid.
func (p *Programme) EarmarkCompliance(ctx context.Context, district string, asOf time.Time) (EarmarkCompliance, error) {
	rep := EarmarkCompliance{AsOf: asOf}
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return rep, err
	}
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return rep, err
		}
		rep.District = d.Code
	}
	names := map[string]string{}
	for _, d := range ds {
		names[d.Code] = d.NameZh
	}
	cash, err := p.cashHistory(ctx, asOf)
	if err != nil {
		return rep, err
	}
	ruleSets := map[int64]*rules.RuleSet{}
	type gk struct{ district, source string }
	groups := map[gk]*EarmarkGroup{}
	var after int64
	for {
		es, err := p.ledger.Entries(ctx, ledger.EntryFilter{Book: ledger.BookFinancial, To: asOf, AfterID: after, Limit: earmarkPage})
		if err != nil {
			return rep, fmt.Errorf("earmark compliance: %w", err)
		}
		if len(es) == 0 {
			break
		}
		after = es[len(es)-1].ID
		for _, e := range es {
			m := e.Metadata
			if m["kind"] != "disbursement" || (rep.District != "" && m["district"] != rep.District) {
				continue
			}
			c := EarmarkCheck{EntryID: e.ID, Date: e.EffectiveDate, District: m["district"], DistrictName: names[m["district"]],
				Project: m["project"], Source: m["source"], Category: m["category"], WorkItem: m["work_item"], Amount: decimal.Zero}
			if _, err := fmt.Sscan(m["rule_set_id"], &c.RuleSetID); err != nil {
				c.Problems = append(c.Problems, fmt.Sprintf("no rule set id (%q)", m["rule_set_id"]))
			} else {
				rs, ok := ruleSets[c.RuleSetID]
				if !ok {
					if rs, _, err = p.RuleSet(ctx, c.RuleSetID); err != nil {
						return rep, fmt.Errorf("earmark compliance: entry %d: %w", e.ID, err)
					}
					ruleSets[c.RuleSetID] = rs
				}
				if !rs.MayPay(c.Category, c.WorkItem, c.Source) {
					c.Problems = append(c.Problems, fmt.Sprintf("rule set %s %s (id %d) does not let %s pay %s", rs.Name, rs.Version, c.RuleSetID, c.Source, c.Category))
				}
			}
			acc := projectAccounts{district: c.District, project: c.Project}
			wantCash, wantExpense := acc.cash(c.Source), acc.expense(c.Category, c.Source)
			var credits, debits []string
			for _, ps := range e.Postings {
				if ps.Side == ledger.Credit {
					credits = append(credits, ps.AccountCode)
					if ps.AccountCode == wantCash {
						c.Amount = c.Amount.Add(ps.Amount)
					}
				} else {
					debits = append(debits, ps.AccountCode)
				}
			}
			c.CashAccount = wantCash
			if len(credits) != 1 || credits[0] != wantCash {
				c.Problems = append(c.Problems, fmt.Sprintf("paid from %s, not from %s", strings.Join(credits, ", "), wantCash))
			}
			if len(debits) != 1 || debits[0] != wantExpense {
				c.Problems = append(c.Problems, fmt.Sprintf("charged to %s, not to %s", strings.Join(debits, ", "), wantExpense))
			}
			c.CashAfter = cash.at(wantCash, e.EffectiveDate)
			if c.CashAfter.IsNegative() {
				c.Problems = append(c.Problems, fmt.Sprintf("earmarked cash %s below zero at the end of %s", c.CashAfter.StringFixed(2), e.EffectiveDate.Format(ledger.DateLayout)))
			}
			k := gk{c.District, c.Source}
			g := groups[k]
			if g == nil {
				g = &EarmarkGroup{District: c.District, DistrictName: c.DistrictName, Source: c.Source}
				groups[k] = g
			}
			g.Checked++
			g.Amount = g.Amount.Add(c.Amount)
			rep.Checked++
			rep.Amount = rep.Amount.Add(c.Amount)
			if len(c.Problems) > 0 {
				g.Exceptions++
				rep.Exceptions = append(rep.Exceptions, c)
			}
		}
	}
	order := map[string]int{}
	for i, s := range rules.Sources() {
		order[s.Code] = i
	}
	dorder := map[string]int{}
	for i, d := range ds {
		dorder[d.Code] = i
	}
	for _, g := range groups {
		rep.Groups = append(rep.Groups, *g)
	}
	sort.Slice(rep.Groups, func(i, j int) bool {
		a, b := rep.Groups[i], rep.Groups[j]
		if a.District != b.District {
			return dorder[a.District] < dorder[b.District]
		}
		return order[a.Source] < order[b.Source]
	})
	return rep, nil
}

// cashHistory holds the end-of-day balances of every earmarked cash account.
type cashHistory map[string][]cashDay

type cashDay struct {
	day     time.Time
	balance decimal.Decimal
}

// at is the balance at the end of day (zero before the first movement).
func (h cashHistory) at(code string, day time.Time) decimal.Decimal {
	days := h[code]
	i := sort.Search(len(days), func(i int) bool { return days[i].day.After(day) })
	if i == 0 {
		return decimal.Zero
	}
	return days[i-1].balance
}

func (p *Programme) cashHistory(ctx context.Context, asOf time.Time) (cashHistory, error) {
	var rows []struct {
		Code    string          `db:"code"`
		Day     time.Time       `db:"day"`
		Balance decimal.Decimal `db:"balance"`
	}
	if err := p.db.SelectContext(ctx, &rows, `
		SELECT a.code, b.day, sum(b.debit - b.credit) OVER (PARTITION BY a.id ORDER BY b.day) AS balance
		  FROM accounts a JOIN account_day_balances b ON b.account_id = a.id
		 WHERE starts_with(a.code, 'cash:') AND ($1::date IS NULL OR b.day <= $1::date)
		 ORDER BY a.code, b.day`, ledger.SQLDate(asOf)); err != nil {
		return nil, fmt.Errorf("earmark compliance: cash balances: %w", err)
	}
	h := cashHistory{}
	for _, r := range rows {
		h[r.Code] = append(h[r.Code], cashDay{ledger.Civil(r.Day), r.Balance})
	}
	return h, nil
}
