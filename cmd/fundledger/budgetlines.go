package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/report"
)

// budgetAdjustCmd is `budget adjust`: a budget line's new budget (调整预算),
// with the reason and the approver.
func (a *app) budgetAdjustCmd() *cobra.Command {
	var adj funding.BudgetAdjustment
	cmd := writeCmd(a, &cobra.Command{
		Use:   "adjust PROJECT",
		Short: "Change a budget line (调整预算): --category, --to (the line's new budget), --date, --reason and --approver; posts only the difference",
		Args:  cobra.ExactArgs(1),
	}, request(&adj, func(args []string) { adj.Project, adj.Actor = args[0], a.actor }, (*funding.Programme).AdjustBudget), func(w io.Writer, ch funding.BudgetLineChange) {
		if ch.Unchanged {
			fmt.Fprintf(w, "project %s %s %s: the budget line is already %s; nothing changed\n", ch.Project, ch.Category, ch.Source, report.Amount(ch.Budget))
			return
		}
		line := ch.Category
		if ch.Source != "" {
			line += " " + ch.Source
		}
		fmt.Fprintf(w, "project %s %s: budget line %s → %s (%s), approved by %s, entry %d\n", ch.Project, line,
			report.Amount(ch.Previous), report.Amount(ch.Budget), report.Amount(ch.Difference()), ch.Approver, ch.EntryID.Int64)
	})
	f := cmd.Flags()
	f.StringVar(&adj.Category, "category", "", "basic|improvement|upgrade")
	f.StringVar(&adj.Source, "source", "", "a source's line within the category (default: the category's line)")
	amountVar(f, &adj.Budget, "to", "the line's new budget in yuan")
	dateVar(f, &adj.On, "date", "date of the adjustment")
	f.StringVar(&adj.Reason, "reason", "", "why the budget changes (recorded)")
	f.StringVar(&adj.Approver, "approver", "", "who approved the change (recorded)")
	required(cmd, "category", "to", "date", "reason", "approver")
	return cmd
}

// rulesWhatIfCmd is `rules what-if FILE`: a rule set's effect on every
// approved project before it is adopted (新政策测算). Nothing is stored.
func (a *app) rulesWhatIfCmd() *cobra.Command {
	var district string
	cmd := reportCmd(a, &cobra.Command{
		Use:   "what-if FILE",
		Short: "Show what a rule file would change, per approved project and source, with totals by district and source (nothing is stored)",
		Args:  cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.WhatIf, error) {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return funding.WhatIf{}, err
		}
		return p.WhatIf(ctx, filepath.Base(args[0]), data, district)
	}, report.WhatIf)
	cmd.Flags().StringVar(&district, "district", "", "one district (code or name)")
	return cmd
}
