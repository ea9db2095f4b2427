// Package demo builds the deterministic sample programme that `fundledger
// demo` and `make demo` show: Weihai's plan table imported, the 95
// communities of the plan's 2020 rows registered as projects (their counts,
// households and floor areas add up to each district's 2020 row), the example
// cost-sharing rules loaded, budgets approved at about 19,600 yuan per
// household (Weihai's 2022 batch cost about that), receipts in instalments,
// payments to contractors, and progress through 2020. Every write has a fixed
// key or is checked for sameness, so running the demo twice changes nothing.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

//go:embed data/weihai-plan-2020-2025.csv
var planCSV []byte

// PlanFile is the name of the embedded plan table (a verbatim copy of
// shared/data/weihai-plan-2020-2025.csv).
const PlanFile = "weihai-plan-2020-2025.csv"

// ReportDate is the date the demo's reports are drawn up for.
var ReportDate = ledger.Date(2020, 12, 31)

const (
	actor = "demo"
	bank  = "WH-OCR-2020" // the programme's special account
	// budgetPerHousehold is the order of magnitude of Weihai's 2022 batch
	// (about 19,600 yuan per household).
	budgetPerHousehold = 19600
	maxProjects        = 1000
)

// districtCode abbreviates districts in project codes.
var districtCode = map[string]string{"环翠区": "HC", "文登区": "WD", "荣成市": "RC", "乳山市": "RS", "高区": "GQ", "经区": "JQ"}

// Result says what the demo did.
type Result struct {
	PlanImport       funding.PlanImportResult
	Projects         int
	RuleSetsLoaded   int
	Approvals        int
	Receipts         int
	Payments         int
	NewEntries       int
	ReplayedEntries  int
	ProjectsComplete int
}

// Run builds the sample programme; progress goes to log (may be nil).
func Run(ctx context.Context, p *funding.Programme, log io.Writer) (Result, error) {
	var res Result
	if log == nil {
		log = io.Discard
	}
	dir, err := os.MkdirTemp("", "fundledger-demo-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	planPath := filepath.Join(dir, PlanFile)
	if err := os.WriteFile(planPath, planCSV, 0o600); err != nil {
		return res, err
	}
	if res.PlanImport, err = p.ImportPlan(ctx, planPath, actor); err != nil {
		return res, fmt.Errorf("demo: import plan: %w", err)
	}
	fmt.Fprintf(log, "plan table %s: %d district rows, %d warnings\n", PlanFile, res.PlanImport.DistrictRows, len(res.PlanImport.Warnings))

	for _, name := range []string{"examples/weihai-2020.yaml", "examples/huancui-2021.yaml"} {
		data, err := rules.Examples.ReadFile(name)
		if err != nil {
			return res, err
		}
		if _, loaded, err := p.LoadRuleSetBytes(ctx, filepath.Base(name), data, actor); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		} else if loaded {
			res.RuleSetsLoaded++
		}
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: bank, Name: "威海市老旧小区改造资金专户 (demo)", Bank: "示例银行 example bank"}, actor); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}

	table, err := funding.ReadPlan(PlanFile, bytes.NewReader(planCSV), "csv")
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	projects, err := sampleProjects(table)
	if err != nil {
		return res, err
	}
	for i, in := range projects {
		if _, err := p.RegisterProject(ctx, in, actor); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Projects++
		n, err := fundProject(ctx, p, in, i, &res)
		if err != nil {
			return res, fmt.Errorf("demo: project %s: %w", in.Code, err)
		}
		if n {
			res.ProjectsComplete++
		}
		if (i+1)%20 == 0 {
			fmt.Fprintf(log, "  %d/%d projects funded\n", i+1, len(projects))
		}
	}
	if _, err := p.Ledger().Seal(ctx); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}

// sampleProjects derives the 2020 projects from the plan's district rows:
// each district's households and floor area are split among its communities
// by fixed, uneven weights, exactly (largest remainder), so the projects add
// up to the plan row.
func sampleProjects(plan *funding.PlanTable) ([]funding.ProjectInput, error) {
	var out []funding.ProjectInput
	for _, row := range plan.Rows {
		if row.Year != 2020 || row.Communities == 0 {
			continue
		}
		abbr, ok := districtCode[row.District]
		if !ok {
			return nil, fmt.Errorf("demo: no code for district %s", row.District)
		}
		n := row.Communities
		weights := make([]int64, n)
		for i := range weights {
			weights[i] = 10 + int64((i*7919+len(out)*31)%10) // 10..19: uneven but fixed
		}
		households := splitInt(int64(row.Households), weights)
		area := splitInt(row.FloorAreaM2.Shift(2).IntPart(), households) // in 0.01 m², proportional to households
		for i := range n {
			code := fmt.Sprintf("WH-%s-2020-%03d", abbr, i+1)
			year := 1982 + (i*5+len(out))%24 // 1982..2005: some before 2000 (priority), none after the cut-off
			out = append(out, funding.ProjectInput{
				Code: code, Name: fmt.Sprintf("%s示例小区%d号 sample community %d", row.District, i+1, i+1), District: row.District,
				Address:     fmt.Sprintf("%s示例路%d号", row.District, 10+i),
				CompletedOn: ledger.Date(year, time.Month(1+i%12), 1+i%28), StateOwnedLand: true,
				Households: int(households[i]), FloorAreaM2: decimal.New(area[i], -2),
				Buildings: max(1, int(households[i])/48), PlanYear: 2020, RegisteredOn: ledger.Date(2020, 3, 1),
			})
		}
	}
	if len(out) > maxProjects {
		return nil, fmt.Errorf("demo: %d projects, more than %d", len(out), maxProjects)
	}
	return out, nil
}

// splitInt splits total by weights, exactly: floors, then one more to the
// largest remainders (ties to the earlier index).
func splitInt(total int64, weights []int64) []int64 {
	var sum int64
	for _, w := range weights {
		sum += w
	}
	out := make([]int64, len(weights))
	rem := make([]int64, len(weights))
	var given int64
	for i, w := range weights {
		out[i] = total * w / sum
		rem[i] = total * w % sum
		given += out[i]
	}
	for left := total - given; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// fundProject approves a budget, receives the committed money and pays
// contractors for one project; every second in three is completed in 2020.
func fundProject(ctx context.Context, p *funding.Programme, in funding.ProjectInput, i int, res *Result) (completed bool, err error) {
	// Budget about 19,600 yuan per household, varied ±10% by project:
	// basic 60%, utility pipework 10%, improvement 25%, upgrade 5%.
	total := decimal.NewFromInt(int64(in.Households) * budgetPerHousehold).Mul(decimal.NewFromInt(int64(90 + (i*13)%21))).Div(decimal.NewFromInt(100)).Round(0)
	part := func(pct int64) decimal.Decimal {
		return total.Mul(decimal.NewFromInt(pct)).Div(decimal.NewFromInt(100)).Round(2)
	}
	basic, pipes, improvement := part(60), part(10), part(25)
	upgrade := total.Sub(basic).Sub(pipes).Sub(improvement)
	approvedOn := ledger.Date(2020, 6, 15).AddDate(0, 0, i%30)
	ap, err := p.Approve(ctx, funding.ApprovalRequest{Project: in.Code, ApprovedOn: approvedOn, Actor: actor, Lines: []funding.BudgetLineInput{
		{Category: "basic", Description: "道路、管网、照明、安防 roads, pipes, lighting, security", Amount: basic},
		{Category: "basic", WorkItem: "utility_pipework", Description: "专营设施改造 utility facilities", Amount: pipes},
		{Category: "improvement", Description: "停车、无障碍、文体设施 parking, accessibility, culture and sports", Amount: improvement},
		{Category: "upgrade", Description: "养老托育、智慧社区 elderly care, childcare, smart community", Amount: upgrade},
	}})
	if err != nil {
		return false, err
	}
	res.Approvals++
	count := func(ms []funding.Movement) {
		for _, m := range ms {
			if m.Replayed {
				res.ReplayedEntries += 2
			} else {
				res.NewEntries += 2
			}
		}
	}
	var receipts []funding.ReceiptRequest
	var payments []funding.DisbursementRequest
	// Receipts: government money in two instalments (60% after 30 days,
	// the rest after 120), everyone else in one after 60 days.
	for _, t := range ap.Allocation.Totals {
		parts := []struct {
			days int
			amt  decimal.Decimal
		}{{60, t.Amount}}
		if isGovernment(t.Source) {
			first := t.Amount.Mul(decimal.New(6, -1)).Round(2)
			parts = []struct {
				days int
				amt  decimal.Decimal
			}{{30, first}, {120, t.Amount.Sub(first)}}
		}
		for k, pt := range parts {
			if !pt.amt.IsPositive() {
				continue
			}
			receipts = append(receipts, funding.ReceiptRequest{Project: in.Code, Source: t.Source, Amount: pt.amt,
				ReceivedOn: approvedOn.AddDate(0, 0, pt.days), BankAccount: bank, Reference: fmt.Sprintf("到账-%s-%s-%d", in.Code, t.Source, k+1),
				IdempotencyKey: fmt.Sprintf("demo:receipt:%s:%s:%d", in.Code, t.Source, k+1), Actor: actor})
		}
	}
	ms, err := p.ReceiveAll(ctx, receipts)
	if err != nil {
		return false, err
	}
	res.Receipts += len(ms)
	count(ms)
	// Payments after 150 days: 70% of every share, from the source that owes it.
	for _, g := range ap.Allocation.Groups {
		for _, s := range g.Shares {
			amt := s.Amount.Mul(decimal.New(7, -1)).Round(2)
			if !amt.IsPositive() {
				continue
			}
			payments = append(payments, funding.DisbursementRequest{Project: in.Code, Source: s.Source, Category: g.Category, WorkItem: g.WorkItem,
				Amount: amt, PaidOn: approvedOn.AddDate(0, 0, 150), Payee: "威海示例建设工程有限公司 (demo contractor)", BankAccount: bank,
				Reference:      fmt.Sprintf("支付-%s-%s-%s", in.Code, g.Category, s.Source),
				IdempotencyKey: fmt.Sprintf("demo:pay:%s:%s:%s:%s", in.Code, g.Category, g.WorkItem, s.Source), Actor: actor})
		}
	}
	if ms, err = p.DisburseAll(ctx, payments); err != nil {
		return false, err
	}
	res.Payments += len(ms)
	count(ms)
	pr, err := p.Project(ctx, in.Code)
	if err != nil {
		return false, err
	}
	if !funding.StatusReached(pr.Status, funding.StatusUnderWay) {
		if err := p.SetStatus(ctx, in.Code, funding.StatusUnderWay, approvedOn.AddDate(0, 0, 20), actor, "works started"); err != nil {
			return false, err
		}
	}
	if i%3 == 2 {
		return false, nil
	}
	if !funding.StatusReached(pr.Status, funding.StatusCompleted) {
		if err := p.SetStatus(ctx, in.Code, funding.StatusCompleted, ledger.Date(2020, 12, 20), actor, "works completed"); err != nil {
			return false, err
		}
	}
	return true, nil
}

func isGovernment(src string) bool {
	switch src {
	case rules.SourceCentral, rules.SourceProvincial, rules.SourceMunicipal, rules.SourceDistrict:
		return true
	}
	return false
}
