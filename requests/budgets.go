package requests

import "fundledger/funding"

// The bodies of a project's status and of its budget: the approval of
// its lines (BudgetLine) and the adjustment of one line.

// ProjectStatus moves a project forward (funding.SetStatus).
type ProjectStatus struct {
	Status string `json:"status" minLength:"1"`
	On     Date   `json:"on,omitempty" doc:"YYYY-MM-DD; today when absent"`
	Note   string `json:"note,omitempty"`
}

// Approval approves a project's budget (funding.Approve).
type Approval struct {
	ApprovedOn Date         `json:"approved_on" minLength:"1" doc:"YYYY-MM-DD"`
	Lines      []BudgetLine `json:"lines" minItems:"1" maxItems:"1000"`
}

// BudgetAdjustment changes a budget line to a new budget (funding.AdjustBudget).
type BudgetAdjustment struct {
	Category string `json:"category" enum:"basic,improvement,upgrade"`
	Source   string `json:"source,omitempty" doc:"a source's line within the category; empty for the category's line"`
	Budget   Amount `json:"budget" doc:"the line's new budget, yuan"`
	On       Date   `json:"on" doc:"YYYY-MM-DD"`
	Reason   string `json:"reason" minLength:"1" maxLength:"1000"`
	Approver string `json:"approver" minLength:"1" maxLength:"200"`
}

// Request is the adjustment of the project c.Code's line.
func (b BudgetAdjustment) Request(c Caller) funding.BudgetAdjustment {
	return funding.BudgetAdjustment{Project: c.Code, Category: b.Category, Source: b.Source, Budget: b.Budget.Dec(), On: b.On.Time(),
		Reason: b.Reason, Approver: b.Approver, Actor: c.Actor}
}
