package web

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fundledger/requests"
)

// TestOpenAPIDocumentsTheSharedRequestTypes: the write bodies of package
// requests (the registers the command line decodes too, and every plain
// body of the API's writes) are documented from their Go types, so a field
// added to one appears in /api/openapi.json. Each type's
// JSON fields, read by reflection, are exactly its schema's properties,
// and the operation that takes it refers to that schema.
func TestOpenAPIDocumentsTheSharedRequestTypes(t *testing.T) {
	s := New(nil, nil)
	b, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		t          reflect.Type
		path       string
		want       []string // a representative set, written out by hand
		wantNeeded []string
	}{
		{reflect.TypeFor[requests.Project](), "/api/projects", []string{"code", "completed_on", "floor_area_m2", "parties", "registered_on"}, []string{"completed_on", "floor_area_m2"}},
		{reflect.TypeFor[requests.ElevatorApplication](), "/api/elevator-applications", []string{"households_per_floor", "estimated_cost", "applied_on"}, []string{"applied_on", "estimated_cost"}},
		{reflect.TypeFor[requests.Facility](), "/api/utility-facilities", []string{"kind", "cost", "owned_by_utility", "registered_on"}, []string{"cost", "registered_on"}},
		{reflect.TypeFor[requests.Bond](), "/api/bonds", []string{"issue_date", "coupon_rate_pct", "custom_schedule", "reserve_bank_account"}, []string{"issue_date", "principal"}},
		{reflect.TypeFor[requests.Loan](), "/api/loans", []string{"lender_kind", "lpr_pct", "spread_bp", "custom_schedule", "start"}, []string{"amount", "start", "term_months"}},
		{reflect.TypeFor[requests.LoanDrawdown](), "/api/loans/{code}/drawdowns", []string{"project", "amount", "drawn_on", "reference"}, []string{"project", "amount", "drawn_on"}},
		{reflect.TypeFor[requests.LoanPrepayment](), "/api/loans/{code}/prepayments", []string{"amount", "paid_on"}, []string{"amount", "paid_on"}},
		{reflect.TypeFor[requests.LoanRateReset](), "/api/loans/{code}/rate-resets", []string{"on", "lpr_pct", "reason"}, []string{"on", "lpr_pct"}},
		{reflect.TypeFor[requests.LoanAccruals](), "/api/loans/{code}/accruals", []string{"through"}, []string{"through"}},
		{reflect.TypeFor[requests.LoanPayment](), "/api/loans/{code}/payments", []string{"due_date", "paid_on"}, []string{"due_date"}},
		{reflect.TypeFor[requests.LoanSubsidies](), "/api/loans/{code}/subsidies", []string{"due_date"}, []string{"due_date"}},
		{reflect.TypeFor[requests.LoanSubsidyPayment](), "/api/loans/{code}/subsidy-payments", []string{"level", "paid_to"}, []string{"due_date", "level", "paid_on"}},
		{reflect.TypeFor[requests.Company](), "/api/companies", []string{"code", "name", "district"}, []string{"code", "name", "district"}},
		{reflect.TypeFor[requests.CapitalInjection](), "/api/capital-injections", []string{"company", "level", "injected_on"}, []string{"company", "project", "amount", "injected_on"}},
		{reflect.TypeFor[requests.CapitalUse](), "/api/capital-uses", []string{"company", "category", "paid_on"}, []string{"company", "project", "category", "amount", "paid_on"}},
		{reflect.TypeFor[requests.InvestmentSubsidy](), "/api/investment-subsidies", []string{"share_pct", "approved_investment", "cap"}, []string{"project", "share_pct", "approved_on"}},
		{reflect.TypeFor[requests.InvestmentSubsidyPayment](), "/api/investment-subsidies/payments", []string{"completed_investment", "amount"}, []string{"completed_investment", "paid_on"}},
		{reflect.TypeFor[requests.Receipt](), "/api/receipts", []string{"project", "source", "amount", "received_on", "bank_account", "memo"}, []string{"project", "source", "amount", "received_on", "bank_account"}},
		{reflect.TypeFor[requests.Disbursement](), "/api/disbursements", []string{"category", "work_item", "payee"}, []string{"category", "amount", "paid_on", "payee"}},
		{reflect.TypeFor[requests.BondIssue](), "/api/bonds/{code}/issue", []string{"issued_on", "bank_account"}, nil},
		{reflect.TypeFor[requests.BondAllocation](), "/api/bonds/{code}/allocations", []string{"project", "allocated_on", "memo"}, []string{"project", "amount", "allocated_on"}},
		{reflect.TypeFor[requests.BondPayment](), "/api/bonds/{code}/payments", []string{"due_date", "backstop"}, []string{"due_date"}},
		{reflect.TypeFor[requests.BondRevenue](), "/api/bond-revenue", []string{"bond", "kind", "received_on"}, []string{"project", "kind", "amount", "received_on"}},
		{reflect.TypeFor[requests.BondAccruals](), "/api/bonds/accruals", []string{"bonds", "through"}, []string{"through"}},
		{reflect.TypeFor[requests.On](), "/api/elevator-applications/{code}/approve", []string{"on"}, []string{"on"}},
		{reflect.TypeFor[requests.On](), "/api/utility-facilities/{code}/commit", []string{"on"}, []string{"on"}},
		{reflect.TypeFor[requests.ElevatorAcceptance](), "/api/elevator-applications/{code}/accept", []string{"final_cost", "final_pipe_cost"}, []string{"on", "final_cost"}},
		{reflect.TypeFor[requests.ElevatorPayment](), "/api/elevator-applications/{code}/pay", []string{"payee", "bank_account"}, []string{"paid_on", "payee", "bank_account"}},
		{reflect.TypeFor[requests.Contribution](), "/api/elevator-applications/{code}/contributions", []string{"household", "received_on"}, []string{"household", "amount", "received_on"}},
		{reflect.TypeFor[requests.FacilityTransfer](), "/api/utility-facilities/{code}/transfer", []string{"to", "note"}, []string{"to", "on"}},
		{reflect.TypeFor[requests.AwardPayment](), "/api/utility-facilities/{code}/pay", []string{"paid_on", "bank_account"}, []string{"paid_on", "bank_account"}},
		{reflect.TypeFor[requests.PropertyScore](), "/api/property-scores", []string{"period", "score", "evaluator"}, []string{"project", "period", "score", "scored_on"}},
		{reflect.TypeFor[requests.RewardPayment](), "/api/property-rewards/pay", []string{"period", "bank_account"}, []string{"project", "period", "paid_on", "bank_account"}},
		{reflect.TypeFor[requests.Evaluation](), "/api/evaluations", []string{"district", "year", "note"}, []string{"district", "score", "scored_on"}},
		{reflect.TypeFor[requests.Pool](), "/api/pool-allocations", []string{"year", "pool", "dry_run"}, []string{"pool"}},
		{reflect.TypeFor[requests.Account](), "/api/accounts", []string{"code", "type", "no_overdraft", "bond"}, []string{"code", "type"}},
		{reflect.TypeFor[requests.Entry](), "/api/entries", []string{"book", "effective_date", "metadata", "postings"}, []string{"book", "effective_date", "postings"}},
		{reflect.TypeFor[requests.Reversal](), "/api/entries/{id}/reverse", []string{"reason", "date"}, []string{"reason"}},
		{reflect.TypeFor[requests.PeriodAction](), "/api/periods/{month}/close", []string{"reason", "district"}, nil},
		{reflect.TypeFor[requests.ProjectStatus](), "/api/projects/{code}/status", []string{"status", "on", "note"}, []string{"status"}},
		{reflect.TypeFor[requests.Approval](), "/api/projects/{code}/approvals", []string{"approved_on", "lines"}, []string{"approved_on", "lines"}},
		{reflect.TypeFor[requests.BudgetAdjustment](), "/api/projects/{code}/budget-adjustments", []string{"category", "source", "approver"}, []string{"category", "budget", "reason", "approver"}},
		{reflect.TypeFor[requests.ReconRun](), "/api/bank-accounts/{code}/recon-runs", []string{"period", "window_days", "dry_run"}, []string{"period"}},
		{reflect.TypeFor[requests.Match](), "/api/bank-accounts/{code}/matches", []string{"lines", "postings", "reason"}, []string{"reason"}},
		{reflect.TypeFor[requests.Unmatch](), "/api/matches/{id}/unmatch", []string{"reason"}, []string{"reason"}},
	} {
		name := c.t.Name() + "Request"
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("%s: no schema %s", c.t, name)
			continue
		}
		var fields, documented []string
		for _, f := range reflect.VisibleFields(c.t) {
			if !f.Anonymous { // an embedded body's fields are the body's own
				fields = append(fields, strings.Split(f.Tag.Get("json"), ",")[0])
			}
		}
		for p := range schema.Properties {
			documented = append(documented, p)
		}
		slices.Sort(fields)
		slices.Sort(documented)
		if !slices.Equal(fields, documented) {
			t.Errorf("%s: fields %v, documented %v", name, fields, documented)
		}
		for _, f := range c.want {
			if _, ok := schema.Properties[f]; !ok {
				t.Errorf("%s: %s not documented", name, f)
			}
		}
		for _, f := range c.wantNeeded {
			if !slices.Contains(schema.Required, f) {
				t.Errorf("%s: %s not required (required: %v)", name, f, schema.Required)
			}
		}
		if op := string(doc.Paths[c.path]["post"]); !strings.Contains(op, `"#/components/schemas/`+name+`"`) {
			t.Errorf("POST %s does not take %s: %s", c.path, name, op)
		}
	}
}
