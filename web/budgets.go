package web

// Budget lines after approval (the finance bureau's controls): adjusting
// a line (调整预算, with a reason and an approver) and the what-if of a
// new cost-sharing rule file (新政策测算), which posts nothing.

import (
	"context"
	"net/http"

	"fundledger/funding"
)

func (s *Server) registerBudgets() {
	const tag = "budgets"
	register(s, op{method: http.MethodPost, path: "/api/projects/{code}/budget-adjustments", kind: opWrite, tag: tag,
		status: http.StatusCreated, summary: "Change a budget line to a new budget with a reason and an approver; posts only the difference (funding.AdjustBudget)"},
		s.adjustBudget)
	register(s, op{method: http.MethodPost, path: "/api/rule-sets/what-if", kind: opWrite, tag: tag,
		summary: "What a YAML rule file sent as the body would commit for every approved project the caller reads, per source, against today; nothing is stored (funding.WhatIf)"},
		s.whatIf)
}

type budgetAdjustmentBody struct {
	Category string `json:"category" enum:"basic,improvement,upgrade"`
	Source   string `json:"source,omitempty" doc:"a source's line within the category; empty for the category's line"`
	Budget   Amount `json:"budget" doc:"the line's new budget, yuan"`
	On       Date   `json:"on" doc:"YYYY-MM-DD"`
	Reason   string `json:"reason" minLength:"1" maxLength:"1000"`
	Approver string `json:"approver" minLength:"1" maxLength:"200"`
}

type budgetAdjustmentIn struct {
	KeyHeader
	Code string `path:"code"`
	Body budgetAdjustmentBody
}

func (s *Server) adjustBudget(ctx context.Context, in *budgetAdjustmentIn) (*writeOut[funding.BudgetLineChange], error) {
	if _, err := s.writableProject(ctx, in.Code); err != nil {
		return nil, err
	}
	c, err := s.prog.AdjustBudget(ctx, funding.BudgetAdjustment{Project: in.Code, Category: in.Body.Category, Source: in.Body.Source,
		Budget: in.Body.Budget.Dec(), On: in.Body.On.Time(), Reason: in.Body.Reason, Approver: in.Body.Approver,
		Actor: principalOf(ctx).User})
	if err != nil {
		return nil, err
	}
	return written(c, c.Unchanged), nil
}

type whatIfIn struct {
	KeyHeader
	Name     string `query:"name" doc:"the file's name; what-if.yaml when absent"`
	District string `query:"district" doc:"one district (code or Chinese name); officers get their own"`
	RawBody  []byte `contentType:"application/yaml"`
}

func (s *Server) whatIf(ctx context.Context, in *whatIfIn) (*bodyOut[funding.WhatIf], error) {
	name, err := upload(in.Name, in.RawBody, "what-if.yaml")
	if err != nil {
		return nil, err
	}
	district, err := s.districtParam(ctx, in.District)
	if err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	if district == "" && !p.AllDistricts() {
		// An officer's what-if is of the district granted; with several,
		// the caller names one.
		if len(p.Districts) != 1 {
			return nil, badParam("district", "v.district_required")
		}
		for d := range p.Districts {
			district = d
		}
	}
	w, err := s.prog.WhatIf(ctx, name, in.RawBody, district)
	if err != nil {
		return nil, err
	}
	return ok(w), nil
}
