package web

// Budget lines after approval (the finance bureau's controls): adjusting
// a line (调整预算, with a reason and an approver) and the what-if of a
// new cost-sharing rule file (新政策测算), which posts nothing.

import (
	"context"

	"fundledger/funding"
	"fundledger/requests"
)

func (s *Server) registerBudgets() {
	const tag = apiTag("budgets")
	register(s, tag.create("/api/projects/{code}/budget-adjustments", "Change a budget line to a new budget with a reason and an approver; posts only the difference (funding.AdjustBudget)"), s.adjustBudget)
	register(s, tag.write("/api/rule-sets/what-if", "What a YAML rule file sent as the body would commit for every approved project the caller reads, per source, against today; nothing is stored (funding.WhatIf)"), s.whatIf)
}

func budgetChangeOut(_ context.Context, _ funding.BudgetAdjustment, c funding.BudgetLineChange) (funding.BudgetLineChange, bool) {
	return c, c.Unchanged
}

func (s *Server) adjustBudget(ctx context.Context, in *codeWriteIn[requests.BudgetAdjustment]) (*writeOut[funding.BudgetLineChange], error) {
	return write(ctx, right(s.writableProject(ctx, in.Code)), s.prog.AdjustBudget, in.Body.Request(caller(ctx, in.Code)), budgetChangeOut)
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
